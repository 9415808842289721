package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	ktypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/internal/fieldpath"
	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

// typeScheme knows every kind a scenario names (built once: it is read-only after).
var typeScheme = func() *runtime.Scheme {
	s, err := scheme.New()
	if err != nil {
		panic(fmt.Sprintf("building the API scheme: %v", err)) // a programming error, not user input
	}
	return s
}()

// manifest builds the unstructured object of an inline manifest.
func manifest(o *v1alpha1.Object) (*unstructured.Unstructured, error) {
	info, name, ns, ok := v1alpha1.Resolve(o.Kind, o.Name, o.Namespace)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", o.Kind)
	}
	m := map[string]any{}
	for k, v := range map[string]any{"spec": o.Spec, "data": o.Data, "stringData": o.StringData} {
		if !reflect.ValueOf(v).IsNil() && reflect.ValueOf(v).Len() > 0 {
			m[k] = v
		}
	}
	if o.Type != "" {
		m["type"] = o.Type
	}
	md := map[string]any{}
	for k, v := range o.Metadata {
		md[k] = v
	}
	md["name"] = name
	if ns != "" {
		md["namespace"] = ns
	}
	m["metadata"] = md
	u := &unstructured.Unstructured{Object: fieldpath.Normalize(m).(map[string]any)}
	u.SetGroupVersionKind(info.GVK)
	return u, nil
}

// ref is an object reference (kind, name, namespace) as an empty unstructured object.
func ref(kind, name, namespace string) (*unstructured.Unstructured, error) {
	info, name, ns, ok := v1alpha1.Resolve(kind, name, namespace)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(info.GVK)
	u.SetName(name)
	u.SetNamespace(ns)
	return u, nil
}

// apply creates the object, or (update) merges it into the existing one, then writes status.
func (r *run) apply(ctx context.Context, o *v1alpha1.Object, update bool) error {
	c := r.cluster.Client()
	u, err := manifest(o)
	if err != nil {
		return err
	}
	err = c.Create(ctx, u.DeepCopy())
	if apierrors.IsAlreadyExists(err) && update {
		b, jerr := mergeBody(u)
		if jerr != nil {
			return jerr
		}
		err = c.Patch(ctx, u.DeepCopy(), client.RawPatch(ktypes.MergePatchType, b))
	}
	if err != nil {
		return err
	}
	if len(o.Status) > 0 {
		b, err := json.Marshal(map[string]any{"status": fieldpath.Normalize(o.Status)})
		if err != nil {
			return fmt.Errorf("encoding the status: %w", err)
		}
		return c.Status().Patch(ctx, u.DeepCopy(), client.RawPatch(ktypes.MergePatchType, b))
	}
	return nil
}

// mergeBody is the merge patch that updates an existing object with manifest u: u without
// apiVersion and kind (u is not changed).
func mergeBody(u *unstructured.Unstructured) ([]byte, error) {
	body := u.DeepCopy().Object
	delete(body, "apiVersion")
	delete(body, "kind")
	return json.Marshal(body)
}
