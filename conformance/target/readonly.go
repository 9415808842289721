package target

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrReadOnly is returned for every write a read-only target is asked to make.
var ErrReadOnly = errors.New("refused: the live target is read-only (pass --disruptive to allow changes)")

// ReadOnly wraps a client so that every write verb fails before reaching the cluster. Live
// runs use it unless the user opted into disruptive specs: enforcement in code, not in
// the specs' good manners.
func ReadOnly(c client.Client) client.Client { return &readOnlyClient{Client: c} }

type readOnlyClient struct{ client.Client }

func refuse(verb string, obj runtime.Object) error {
	return fmt.Errorf("%s %T: %w", verb, obj, ErrReadOnly)
}

func (r *readOnlyClient) Create(_ context.Context, obj client.Object, _ ...client.CreateOption) error {
	return refuse("create", obj)
}
func (r *readOnlyClient) Update(_ context.Context, obj client.Object, _ ...client.UpdateOption) error {
	return refuse("update", obj)
}
func (r *readOnlyClient) Patch(_ context.Context, obj client.Object, _ client.Patch, _ ...client.PatchOption) error {
	return refuse("patch", obj)
}
func (r *readOnlyClient) Apply(_ context.Context, obj runtime.ApplyConfiguration, _ ...client.ApplyOption) error {
	return fmt.Errorf("apply %T: %w", obj, ErrReadOnly)
}
func (r *readOnlyClient) Delete(_ context.Context, obj client.Object, _ ...client.DeleteOption) error {
	return refuse("delete", obj)
}
func (r *readOnlyClient) DeleteAllOf(_ context.Context, obj client.Object, _ ...client.DeleteAllOfOption) error {
	return refuse("deletecollection", obj)
}
func (r *readOnlyClient) Status() client.SubResourceWriter { return readOnlySub{} }
func (r *readOnlyClient) SubResource(sub string) client.SubResourceClient {
	return readOnlySubClient{SubResourceClient: r.Client.SubResource(sub)}
}

type readOnlySub struct{}

func (readOnlySub) Create(_ context.Context, obj client.Object, _ client.Object, _ ...client.SubResourceCreateOption) error {
	return refuse("create subresource", obj)
}
func (readOnlySub) Update(_ context.Context, obj client.Object, _ ...client.SubResourceUpdateOption) error {
	return refuse("update status", obj)
}
func (readOnlySub) Patch(_ context.Context, obj client.Object, _ client.Patch, _ ...client.SubResourcePatchOption) error {
	return refuse("patch status", obj)
}
func (readOnlySub) Apply(_ context.Context, obj runtime.ApplyConfiguration, _ ...client.SubResourceApplyOption) error {
	return fmt.Errorf("apply status %T: %w", obj, ErrReadOnly)
}

type readOnlySubClient struct{ client.SubResourceClient }

func (readOnlySubClient) Create(_ context.Context, obj client.Object, _ client.Object, _ ...client.SubResourceCreateOption) error {
	return refuse("create subresource", obj)
}
func (readOnlySubClient) Update(_ context.Context, obj client.Object, _ ...client.SubResourceUpdateOption) error {
	return refuse("update subresource", obj)
}
func (readOnlySubClient) Patch(_ context.Context, obj client.Object, _ client.Patch, _ ...client.SubResourcePatchOption) error {
	return refuse("patch subresource", obj)
}
func (readOnlySubClient) Apply(_ context.Context, obj runtime.ApplyConfiguration, _ ...client.SubResourceApplyOption) error {
	return fmt.Errorf("apply subresource %T: %w", obj, ErrReadOnly)
}
