package harness

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Snapshot remembers the spec, labels and annotations of objects a disruptive spec is about
// to change, so they can be put back and the put-back verified field by field.
type Snapshot struct {
	saved []client.Object
}

// TakeSnapshot reads each object now.
func (e *Env) TakeSnapshot(ctx context.Context, objs ...client.Object) (*Snapshot, error) {
	s := &Snapshot{}
	for _, o := range objs {
		cp := o.DeepCopyObject().(client.Object)
		if err := e.Client.Get(ctx, client.ObjectKeyFromObject(o), cp); err != nil {
			return nil, fmt.Errorf("snapshot of %T %s: %w", o, o.GetName(), err)
		}
		s.saved = append(s.saved, cp)
	}
	return s, nil
}

// Restore writes every saved spec (and labels/annotations) back, retrying on conflicts with
// the operator's own writes, then verifies each object's spec equals the snapshot.
func (e *Env) Restore(ctx context.Context, s *Snapshot) error {
	for _, saved := range s.saved {
		var err error
		for attempt := 0; attempt < 20; attempt++ {
			if err = e.restoreOne(ctx, saved); err == nil || !apierrors.IsConflict(err) {
				break
			}
		}
		if err != nil {
			return err
		}
	}
	for _, saved := range s.saved {
		if err := e.VerifyRestored(ctx, saved); err != nil {
			return err
		}
	}
	return nil
}

func (e *Env) restoreOne(ctx context.Context, saved client.Object) error {
	cur := saved.DeepCopyObject().(client.Object)
	if err := e.Client.Get(ctx, client.ObjectKeyFromObject(saved), cur); err != nil {
		return fmt.Errorf("restore: reading %T %s: %w", saved, saved.GetName(), err)
	}
	cu, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cur)
	if err != nil {
		return err
	}
	su, err := runtime.DefaultUnstructuredConverter.ToUnstructured(saved)
	if err != nil {
		return err
	}
	cu["spec"] = su["spec"]
	md := cu["metadata"].(map[string]any)
	smd := su["metadata"].(map[string]any)
	for _, k := range []string{"labels", "annotations"} {
		if v, ok := smd[k]; ok {
			md[k] = v
		} else {
			delete(md, k)
		}
	}
	restored := saved.DeepCopyObject().(client.Object)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(cu, restored); err != nil {
		return err
	}
	if err := e.Client.Update(ctx, restored); err != nil {
		return fmt.Errorf("restore: writing %T %s: %w", saved, saved.GetName(), err)
	}
	return nil
}

// VerifyRestored compares the live object's spec with the saved one, field by field.
func (e *Env) VerifyRestored(ctx context.Context, saved client.Object) error {
	cur := saved.DeepCopyObject().(client.Object)
	if err := e.Client.Get(ctx, client.ObjectKeyFromObject(saved), cur); err != nil {
		return err
	}
	cu, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(cur)
	su, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(saved)
	if !equality.Semantic.DeepEqual(cu["spec"], su["spec"]) {
		return fmt.Errorf("restore of %T %s did not take: spec now %v, snapshot %v", saved, saved.GetName(), cu["spec"], su["spec"])
	}
	return nil
}
