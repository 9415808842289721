package cluster

import (
	"context"
	"fmt"
	"slices"
	"time"

	routev1 "github.com/openshift/api/route/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// The garbage collector's finalizers (kube-controller-manager's garbage collector and its
// PVC protection controller). The API server adds the first two on a delete with
// propagationPolicy Foreground or Orphan; the admission plugin StorageObjectInUseProtection
// adds the third to every claim.
const (
	FinalizerForeground    = metav1.FinalizerDeleteDependents // "foregroundDeletion"
	FinalizerOrphan        = metav1.FinalizerOrphanDependents // "orphan"
	FinalizerPVCProtection = "kubernetes.io/pvc-protection"
)

// gcKinds are the kinds the simulated garbage collector looks after: everything an image
// registry operator creates, owns or deletes.
func gcKinds() []client.Object {
	return []client.Object{
		&appsv1.Deployment{}, &appsv1.DaemonSet{}, &corev1.Service{}, &routev1.Route{},
		&corev1.PersistentVolumeClaim{}, &corev1.ConfigMap{}, &corev1.Secret{}, &corev1.ServiceAccount{},
		&batchv1.CronJob{}, &batchv1.Job{}, &policyv1.PodDisruptionBudget{}, &networkingv1.NetworkPolicy{},
		&monitoringv1.PrometheusRule{}, &rbacv1.Role{}, &rbacv1.RoleBinding{},
		&rbacv1.ClusterRole{}, &rbacv1.ClusterRoleBinding{},
	}
}

// gcItem is one piece of garbage-collector work: an object to look at (Kind, Namespace,
// Name), or, with Gone set, the dependents of an object that no longer exists.
type gcItem struct {
	Kind      int
	Namespace string
	Name      string
	Gone      types.UID
}

// garbageCollector plays kube-controller-manager's garbage collector on envtest:
//   - foreground deletion: an object deleted with propagationPolicy Foreground keeps its
//     foregroundDeletion finalizer until its dependents (objects whose ownerReferences name
//     it) are deleted, then it goes;
//   - orphaning: an object deleted with propagationPolicy Orphan loses its orphan finalizer
//     once its dependents no longer name it as owner;
//   - background cascade: a dependent whose owners are all gone is deleted;
//   - PVC protection: a claim being deleted loses kubernetes.io/pvc-protection (no pod uses
//     a claim here).
type garbageCollector struct {
	client client.Client
	kinds  []client.Object
	lists  []client.ObjectList
	// namespaced[i] tells whether kinds[i] lives in namespaces.
	namespaced []bool
	index      map[string]int // "group/Kind" → position in kinds
}

func newGarbageCollector(mgr manager.Manager) (*garbageCollector, error) {
	gc := &garbageCollector{client: mgr.GetClient(), kinds: gcKinds(), index: map[string]int{}}
	for i, k := range gc.kinds {
		gvk, err := apiutil.GVKForObject(k, mgr.GetScheme())
		if err != nil {
			return nil, err
		}
		gc.index[gvk.Group+"/"+gvk.Kind] = i
		lo, err := mgr.GetScheme().New(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err != nil {
			return nil, err
		}
		gc.lists = append(gc.lists, lo.(client.ObjectList))
		nsd, err := mgr.GetClient().IsObjectNamespaced(k)
		if err != nil {
			return nil, fmt.Errorf("garbage collector: is %s namespaced: %w", gvk.Kind, err)
		}
		gc.namespaced = append(gc.namespaced, nsd)
	}
	return gc, nil
}

func (gc *garbageCollector) register(mgr manager.Manager) error {
	b := builder.TypedControllerManagedBy[gcItem](mgr).Named("sim-garbage-collector")
	for i, k := range gc.kinds {
		b = b.WatchesRawSource(source.TypedKind[client.Object, gcItem](mgr.GetCache(), k, gc.handler(i)))
	}
	return b.Complete(reconcile.TypedFunc[gcItem](gc.reconcile))
}

// handler queues a terminating object that carries one of the collector's finalizers, and
// on a deletion both the object's dependents and its owners (which may have waited for it).
func (gc *garbageCollector) handler(kind int) handler.TypedEventHandler[client.Object, gcItem] {
	look := func(o client.Object, q workqueue.TypedRateLimitingInterface[gcItem]) {
		if o.GetDeletionTimestamp() != nil && slices.ContainsFunc(o.GetFinalizers(), isGCFinalizer) {
			q.Add(gcItem{Kind: kind, Namespace: o.GetNamespace(), Name: o.GetName()})
		}
	}
	return handler.TypedFuncs[client.Object, gcItem]{
		CreateFunc: func(_ context.Context, e event.TypedCreateEvent[client.Object], q workqueue.TypedRateLimitingInterface[gcItem]) {
			look(e.Object, q)
		},
		UpdateFunc: func(_ context.Context, e event.TypedUpdateEvent[client.Object], q workqueue.TypedRateLimitingInterface[gcItem]) {
			look(e.ObjectNew, q)
		},
		DeleteFunc: func(_ context.Context, e event.TypedDeleteEvent[client.Object], q workqueue.TypedRateLimitingInterface[gcItem]) {
			q.Add(gcItem{Namespace: e.Object.GetNamespace(), Gone: e.Object.GetUID()})
			for _, ref := range e.Object.GetOwnerReferences() {
				if i, ok := gc.kindOf(ref); ok {
					ns := e.Object.GetNamespace()
					if !gc.namespaced[i] {
						ns = ""
					}
					q.Add(gcItem{Kind: i, Namespace: ns, Name: ref.Name})
				}
			}
		},
	}
}

func isGCFinalizer(f string) bool {
	return f == FinalizerForeground || f == FinalizerOrphan || f == FinalizerPVCProtection
}

func (gc *garbageCollector) kindOf(ref metav1.OwnerReference) (int, bool) {
	gv, err := schemaGroup(ref.APIVersion)
	if err != nil {
		return 0, false
	}
	i, ok := gc.index[gv+"/"+ref.Kind]
	return i, ok
}

func schemaGroup(apiVersion string) (string, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return "", err
	}
	return gv.Group, nil
}

func (gc *garbageCollector) reconcile(ctx context.Context, it gcItem) (reconcile.Result, error) {
	if it.Gone != "" {
		return reconcile.Result{}, gc.collectOrphans(ctx, it.Namespace, it.Gone)
	}
	obj := gc.kinds[it.Kind].DeepCopyObject().(client.Object)
	if err := gc.client.Get(ctx, client.ObjectKey{Namespace: it.Namespace, Name: it.Name}, obj); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if obj.GetDeletionTimestamp() == nil {
		return reconcile.Result{}, nil
	}
	fins := obj.GetFinalizers()
	remove := map[string]bool{}
	if slices.Contains(fins, FinalizerPVCProtection) {
		remove[FinalizerPVCProtection] = true
	}
	if slices.Contains(fins, FinalizerOrphan) || slices.Contains(fins, FinalizerForeground) {
		deps, err := gc.dependents(ctx, obj.GetNamespace(), obj.GetUID())
		if err != nil {
			return reconcile.Result{}, err
		}
		if slices.Contains(fins, FinalizerOrphan) {
			for _, d := range deps {
				if err := gc.dropOwner(ctx, d, obj.GetUID()); err != nil {
					return reconcile.Result{}, err
				}
			}
			remove[FinalizerOrphan] = true
		} else {
			blocking := 0
			for _, d := range deps {
				if d.GetDeletionTimestamp() == nil {
					if err := gc.client.Delete(ctx, d, client.PropagationPolicy(metav1.DeletePropagationBackground)); client.IgnoreNotFound(err) != nil {
						return reconcile.Result{}, fmt.Errorf("garbage collector: deleting dependent %s/%s: %w", d.GetNamespace(), d.GetName(), err)
					}
				}
				if blocks(d, obj.GetUID()) {
					blocking++
				}
			}
			if blocking > 0 {
				// The dependents' deletions wake this item again; the requeue is a safety net.
				return reconcile.Result{RequeueAfter: 500 * time.Millisecond}, nil
			}
			remove[FinalizerForeground] = true
		}
	}
	if len(remove) == 0 {
		return reconcile.Result{}, nil
	}
	base := obj.DeepCopyObject().(client.Object)
	var keep []string
	for _, f := range fins {
		if !remove[f] {
			keep = append(keep, f)
		}
	}
	obj.SetFinalizers(keep)
	if err := gc.client.Patch(ctx, obj, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	return reconcile.Result{}, nil
}

// blocks tells whether dependent d keeps its owner's foreground deletion waiting.
func blocks(d client.Object, owner types.UID) bool {
	for _, r := range d.GetOwnerReferences() {
		if r.UID == owner && r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
			return true
		}
	}
	return false
}

// dependents lists the objects (of the collector's kinds) that name owner in their
// ownerReferences: in namespace ns, or everywhere for a cluster-scoped owner (ns "").
func (gc *garbageCollector) dependents(ctx context.Context, ns string, owner types.UID) ([]client.Object, error) {
	var out []client.Object
	for _, l := range gc.lists {
		list := l.DeepCopyObject().(client.ObjectList)
		var opts []client.ListOption
		if ns != "" {
			opts = append(opts, client.InNamespace(ns))
		}
		if err := gc.client.List(ctx, list, opts...); err != nil {
			return nil, fmt.Errorf("garbage collector: listing %T: %w", list, err)
		}
		items, err := apimeta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		for _, ro := range items {
			o, ok := ro.(client.Object)
			if !ok {
				continue
			}
			for _, r := range o.GetOwnerReferences() {
				if r.UID == owner {
					out = append(out, o)
					break
				}
			}
		}
	}
	return out, nil
}

// collectOrphans handles the dependents of an object that is gone: one whose owners are
// all gone is deleted (background cascade); one with another owner left just loses the
// dangling reference.
func (gc *garbageCollector) collectOrphans(ctx context.Context, ns string, gone types.UID) error {
	deps, err := gc.dependents(ctx, ns, gone)
	if err != nil {
		return err
	}
	for _, d := range deps {
		if len(d.GetOwnerReferences()) > 1 {
			if err := gc.dropOwner(ctx, d, gone); err != nil {
				return err
			}
			continue
		}
		if err := gc.client.Delete(ctx, d, client.PropagationPolicy(metav1.DeletePropagationBackground)); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("garbage collector: deleting %s/%s, whose owner is gone: %w", d.GetNamespace(), d.GetName(), err)
		}
	}
	return nil
}

// dropOwner removes the owner reference to owner from d.
func (gc *garbageCollector) dropOwner(ctx context.Context, d client.Object, owner types.UID) error {
	base := d.DeepCopyObject().(client.Object)
	var refs []metav1.OwnerReference
	for _, r := range d.GetOwnerReferences() {
		if r.UID != owner {
			refs = append(refs, r)
		}
	}
	d.SetOwnerReferences(refs)
	if err := gc.client.Patch(ctx, d, client.MergeFrom(base)); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("garbage collector: orphaning %s/%s: %w", d.GetNamespace(), d.GetName(), err)
	}
	return nil
}
