package controller

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// applier makes live objects equal to what the operator renders, and remembers, per object,
// what it last wrote and the resourceVersion the API server answered with. The zero value is
// ready to use.
//
// Why remember: a reconcile renders every object it owns, and an Update that changes nothing
// still costs the API server a full decode, admission, managed-fields and storage round
// (most of its CPU in a conformance run). When the cached object still carries the
// resourceVersion of our own last write and the rendered object is the one written then,
// nobody changed it since (every write, a hand edit included, moves the resourceVersion), so
// the Update would be a no-op and is skipped.
type applier struct {
	mu   sync.Mutex
	last map[appliedKey]applied
}

type appliedKey struct{ kind, namespace, name string }

type applied struct {
	resourceVersion string
	rendered        [sha256.Size]byte
	// served is what our last write left, as the API server answered it (defaults filled
	// in), in the parts the operator owns (see ownedContent).
	served map[string]any
}

// apply makes the live object equal to desired in everything the operator renders (labels,
// annotations, spec/data), creating it when absent. It replaces rather than merges, so hand
// edits to an operator-owned object are reverted (MGMT-007); an update that changes nothing
// is a no-op at the API server (no new resourceVersion, no watch event), so repeated
// reconciles don't hot-loop.
//
// Implements MGMT-007 (upstream E2E-recreate).
func (a *applier) apply(ctx context.Context, c client.Client, desired client.Object) error {
	key := appliedKey{kind: fmt.Sprintf("%T", desired), namespace: desired.GetNamespace(), name: desired.GetName()}
	rendered, err := json.Marshal(desired)
	if err != nil {
		return fmt.Errorf("encoding %s %s: %w", kindOf(c.Scheme(), desired), desired.GetName(), err)
	}
	sum := sha256.Sum256(rendered)
	existing, ok := desired.DeepCopyObject().(client.Object)
	if !ok {
		return fmt.Errorf("%T is not a client.Object", desired)
	}
	err = c.Get(ctx, client.ObjectKeyFromObject(desired), existing)
	if apierrors.IsNotFound(err) {
		if err := c.Create(ctx, desired); err != nil {
			err = fmt.Errorf("creating %s %s: %w", kindOf(c.Scheme(), desired), desired.GetName(), err)
			if apierrors.IsAlreadyExists(err) {
				return &cacheLagError{err}
			}
			return err
		}
		a.remember(key, desired, sum)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s %s: %w", kindOf(c.Scheme(), desired), desired.GetName(), err)
	}
	if a.unchanged(key, existing, sum) {
		return nil
	}
	desired.SetResourceVersion(existing.GetResourceVersion())
	desired.SetUID(existing.GetUID())
	desired.SetFinalizers(existing.GetFinalizers())
	desired.SetOwnerReferences(existing.GetOwnerReferences())
	preserveAllocated(existing, desired)
	if err := c.Update(ctx, desired); err != nil {
		err = fmt.Errorf("updating %s %s: %w", kindOf(c.Scheme(), desired), desired.GetName(), err)
		if apierrors.IsConflict(err) {
			return &cacheLagError{err}
		}
		return err
	}
	a.remember(key, desired, sum)
	return nil
}

// cacheLagError is a write the API server refused because it was based on a cached copy
// older than the object: an Update that met a 409 Conflict, a create that met AlreadyExists
// (the cache had not seen the object yet, often this operator's own last write). Retrying on
// a fresh copy fixes it, so it is not a failure to report in status.
type cacheLagError struct{ err error }

func (e *cacheLagError) Error() string { return e.err.Error() }
func (e *cacheLagError) Unwrap() error { return e.err }

// applyAll applies objs side by side and returns the error of the first of them (in objs'
// order) that failed. Why side by side: none of these objects needs another to exist first
// (a Deployment may name a ServiceAccount before it is there; the pods wait, as on a
// cluster), and one after another a sync spent ~5 ms per object waiting on the API server,
// the larger part of a first sync. An object after a failing one is still applied, where
// the upstream operator stops at the first error; the error reported is the same.
func (a *applier) applyAll(ctx context.Context, c client.Client, objs []client.Object) error {
	errs := make([]error, len(objs))
	var wg sync.WaitGroup
	for i, o := range objs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.apply(ctx, c, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// remember records what a write of the object rendered as rendered left: written is the
// object as the API server answered the write.
func (a *applier) remember(key appliedKey, written client.Object, rendered [sha256.Size]byte) {
	served, _ := ownedContent(written) // nil on error: compared by resourceVersion only
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last == nil {
		a.last = map[appliedKey]applied{}
	}
	a.last[key] = applied{resourceVersion: written.GetResourceVersion(), rendered: rendered, served: served}
}

// unchanged tells whether live is still what our last write left, rendered from the same
// desired object: the same resourceVersion, or a newer one that differs only outside what the
// operator owns (a status write by the workload's controller, which moves the
// resourceVersion of a Deployment or DaemonSet on every rollout step). A hand edit of any
// owned field differs, so it is reverted (MGMT-007).
func (a *applier) unchanged(key appliedKey, live client.Object, rendered [sha256.Size]byte) bool {
	a.mu.Lock()
	l, ok := a.last[key]
	a.mu.Unlock()
	if !ok || live.GetResourceVersion() == "" || l.rendered != rendered {
		return false
	}
	if l.resourceVersion == live.GetResourceVersion() {
		return true
	}
	if l.served == nil {
		return false
	}
	now, err := ownedContent(live)
	return err == nil && equality.Semantic.DeepEqual(l.served, now)
}

// ownedContent is the part of obj an apply replaces: everything but status and metadata,
// plus the labels and annotations.
func ownedContent(obj client.Object) (map[string]any, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(u, "status")
	delete(u, "kind")
	delete(u, "apiVersion")
	u["metadata"] = map[string]any{"labels": obj.GetLabels(), "annotations": obj.GetAnnotations()}
	return u, nil
}

// preserveAllocated copies values the API server allocates (and refuses to change) and
// status, which an Update of the main resource does not carry.
func preserveAllocated(existing, desired client.Object) {
	switch d := desired.(type) {
	case *corev1.Service:
		e := existing.(*corev1.Service)
		d.Spec.ClusterIP, d.Spec.ClusterIPs = e.Spec.ClusterIP, e.Spec.ClusterIPs
		d.Spec.IPFamilies, d.Spec.IPFamilyPolicy = e.Spec.IPFamilies, e.Spec.IPFamilyPolicy
	case *appsv1.Deployment:
		d.Status = existing.(*appsv1.Deployment).Status
	case *appsv1.DaemonSet:
		d.Status = existing.(*appsv1.DaemonSet).Status
	}
}

// remove deletes obj if it exists. Background propagation: upstream uses foreground, which
// needs the garbage collector to finish and would leave objects half-deleted on envtest.
func remove(ctx context.Context, c client.Client, obj client.Object) error {
	if err := c.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground), client.GracePeriodSeconds(0)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting %s %s: %w", kindOf(c.Scheme(), obj), obj.GetName(), err)
	}
	return nil
}

func kindOf(s *runtime.Scheme, obj runtime.Object) string {
	if gvks, _, err := s.ObjectKinds(obj); err == nil && len(gvks) > 0 {
		return gvks[0].Kind
	}
	return fmt.Sprintf("%T", obj)
}
