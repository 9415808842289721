package controller

import (
	"context"
	"errors"
	appsv1 "k8s.io/api/apps/v1"
	"strings"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/irconform/irconform/reference/storage"
)

// countUpdates wraps c so that every Update it sends is counted.
func countUpdates(c client.WithWatch, n *int) client.Client {
	return interceptor.NewClient(c, interceptor.Funcs{
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			*n++
			return c.Update(ctx, obj, opts...)
		},
	})
}

// TestApplierSkipsOnlyNoOpUpdates: an object the applier wrote and nobody touched since is
// not written again; a hand edit (a new resourceVersion) or a new rendering is.
func TestApplierSkipsOnlyNoOpUpdates(t *testing.T) {
	base := world(t, nil).(client.WithWatch)
	updates := 0
	c := countUpdates(base, &updates)
	var a applier
	ctx := context.Background()
	desired := func(v string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-image-registry", Name: "x"}, Data: map[string]string{"k": v}}
	}
	step := func(what string, d *corev1.ConfigMap, wantUpdates int) {
		t.Helper()
		if err := a.apply(ctx, c, d); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if updates != wantUpdates {
			t.Errorf("%s: %d Updates sent, want %d", what, updates, wantUpdates)
		}
	}
	step("create", desired("1"), 0)
	step("same rendering, untouched", desired("1"), 0)
	step("new rendering", desired("2"), 1)
	step("same again", desired("2"), 1)

	var live corev1.ConfigMap
	if err := base.Get(ctx, client.ObjectKey{Namespace: "openshift-image-registry", Name: "x"}, &live); err != nil {
		t.Fatal(err)
	}
	live.Data["k"] = "hand edit"
	if err := base.Update(ctx, &live); err != nil {
		t.Fatal(err)
	}
	step("after a hand edit", desired("2"), 2)
	if err := base.Get(ctx, client.ObjectKey{Namespace: "openshift-image-registry", Name: "x"}, &live); err != nil {
		t.Fatal(err)
	}
	if live.Data["k"] != "2" {
		t.Errorf("ConfigMap x data k: is %q, want %q (the hand edit reverted)", live.Data["k"], "2")
	}
}

// TestApplierSkipsAfterAStatusWrite: a Deployment whose controller wrote its status since our
// last write (a new resourceVersion, nothing we own changed) is not written again; a hand edit
// of a label or of the spec is reverted.
func TestApplierSkipsAfterAStatusWrite(t *testing.T) {
	base := world(t, nil).(client.WithWatch)
	updates := 0
	c := countUpdates(base, &updates)
	var a applier
	ctx := context.Background()
	key := client.ObjectKey{Namespace: "openshift-image-registry", Name: "image-registry"}
	desired := func() *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name, Labels: map[string]string{"app": "registry"}},
			Spec: appsv1.DeploymentSpec{Replicas: ptr[int32](2)}}
	}
	step := func(what string, wantUpdates int) {
		t.Helper()
		if err := a.apply(ctx, c, desired()); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if updates != wantUpdates {
			t.Errorf("%s: %d Updates sent, want %d", what, updates, wantUpdates)
		}
	}
	edit := func(what string, change func(*appsv1.Deployment), status bool) {
		t.Helper()
		var live appsv1.Deployment
		if err := base.Get(ctx, key, &live); err != nil {
			t.Fatal(err)
		}
		change(&live)
		var err error
		if status {
			err = base.Status().Update(ctx, &live)
		} else {
			err = base.Update(ctx, &live)
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("create", 0)
	edit("status write", func(d *appsv1.Deployment) { d.Status.ReadyReplicas = 2 }, true)
	step("after its controller wrote the status", 0)
	edit("label hand edit", func(d *appsv1.Deployment) { d.Labels["app"] = "mine" }, false)
	step("after a hand edit of a label", 1)
	edit("spec hand edit", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr[int32](5) }, false)
	step("after a hand edit of the spec", 2)
	var live appsv1.Deployment
	if err := base.Get(ctx, key, &live); err != nil {
		t.Fatal(err)
	}
	if *live.Spec.Replicas != 2 || live.Labels["app"] != "registry" || live.Status.ReadyReplicas != 2 {
		t.Errorf("Deployment image-registry: replicas %d, label app %q, readyReplicas %d; want 2, registry, 2 (edits reverted, status kept)",
			*live.Spec.Replicas, live.Labels["app"], live.Status.ReadyReplicas)
	}
}

// conflictOnFirstStatusWrite is base where another writer adds cond to the Config's status
// just before the operator's first status write, which therefore meets a 409 Conflict; the
// spec is left alone.
func conflictOnFirstStatusWrite(base client.WithWatch, cond operatorv1.OperatorCondition) client.Client {
	wrote := false
	return interceptor.NewClient(base, interceptor.Funcs{
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			if !wrote {
				wrote = true
				var other imageregistryv1.Config
				if err := c.Get(ctx, client.ObjectKeyFromObject(obj), &other); err != nil {
					return err
				}
				other.Status.Conditions = append(other.Status.Conditions, cond)
				if err := c.Status().Update(ctx, &other); err != nil {
					return err
				}
				return apierrors.NewConflict(schema.GroupResource{Group: "imageregistry.operator.openshift.io", Resource: "configs"}, "cluster", nil)
			}
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	})
}

// TestRemovedOutcomeSurvivesAConflict: when the status write after a removal conflicts with
// another writer that left the spec alone (another controller's condition), the outcome is
// written on the fresh object, that writer's condition kept, instead of being lost to a
// requeue that would find the storage gone.
func TestRemovedOutcomeSurvivesAConflict(t *testing.T) {
	cfg := configWith(operatorv1.Removed, func(c *imageregistryv1.Config) {
		c.Spec.Storage.ManagementState = "Managed"
		c.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
		c.Status.StorageManaged = true
	})
	base := world(t, infraOn(configv1.AWSPlatformType), append(registryObjects(), cfg)...).(client.WithWatch)
	c := conflictOnFirstStatusWrite(base, operatorv1.OperatorCondition{Type: "NodeCADaemonAvailable", Status: operatorv1.ConditionTrue, Reason: "AsExpected"})
	d := fakeDriver{removeConds: storage.Exists(F, "Storage Deleted", "The storage has been removed.")}
	res, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()})
	if err != nil || res.Requeue {
		t.Fatalf("Reconcile = %+v, %v; want done (the write redone on the fresh object)", res, err)
	}
	got := getConfig(t, base)
	expectConds(t, "configs/cluster", got.Status.Conditions, map[string]cond{
		"StorageExists":         {F, "Storage Deleted", "The storage has been removed."},
		"NodeCADaemonAvailable": {T, "AsExpected", ""},
	})
	if got.Status.Storage.EmptyDir != nil {
		t.Errorf("configs/cluster status.storage.emptyDir: is set, want cleared")
	}
}

// TestWaitsForInfrastructureStatus: a Managed Config on an Infrastructure whose status is not
// written yet is retried, with nothing asked of the storage driver (it would name cloud
// resources after an empty infrastructure name).
func TestWaitsForInfrastructureStatus(t *testing.T) {
	infra := &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	c := world(t, infra, configWith(operatorv1.Managed))
	d := fakeDriver{}
	if _, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()}); err == nil || !strings.Contains(err.Error(), "has no status yet") {
		t.Errorf("Reconcile error %v, want a retry saying the Infrastructure has no status yet", err)
	}
	if len(d.calls) != 0 {
		t.Errorf("driver calls %v, want none before the Infrastructure has a status", d.calls)
	}
}

// TestCreatedOutcomeSurvivesAStatusWrite: when someone else writes the Config's status
// while a sync creates the storage, the sync's status write conflicts but the spec has not
// moved: the outcome ("Creation Successful") is written on the fresh object, the other
// writer's condition kept. Dropping it would leave the next sync seeing only that the
// storage exists.
func TestCreatedOutcomeSurvivesAStatusWrite(t *testing.T) {
	cfg := configWith(operatorv1.Managed, func(c *imageregistryv1.Config) { c.Generation = 1 })
	base := world(t, infraOn(configv1.AWSPlatformType), append(registryObjects(), cfg)...).(client.WithWatch)
	c := conflictOnFirstStatusWrite(base, operatorv1.OperatorCondition{Type: "SomeoneElses", Status: T, Reason: "Written"})
	d := fakeDriver{syncConds: storage.Exists(T, "Creation Successful", "The storage was created.")}
	res, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()})
	if err != nil || res.Requeue {
		t.Fatalf("Reconcile = %+v, %v; want done (the outcome written on the fresh object)", res, err)
	}
	expectConds(t, "configs/cluster", getConfig(t, base).Status.Conditions, map[string]cond{
		"StorageExists": {T, "Creation Successful", "The storage was created."},
		"SomeoneElses":  {T, "Written", ""},
	})
}

// TestCacheLagIsNotReported: a write the API server refuses because the operator's cache
// lagged behind (a 409 on the Deployment's Update) is redone by the next sync, not reported in
// the Config's status.
func TestCacheLagIsNotReported(t *testing.T) {
	cfg := configWith(operatorv1.Managed)
	base := world(t, infraOn(configv1.LibvirtPlatformType), append(registryObjects(), cfg)...).(client.WithWatch)
	c := interceptor.NewClient(base, interceptor.Funcs{
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			if _, ok := obj.(*appsv1.Deployment); ok {
				return apierrors.NewConflict(schema.GroupResource{Group: "apps", Resource: "deployments"}, obj.GetName(), errors.New("the object has been modified"))
			}
			return c.Update(ctx, obj, opts...)
		},
	})
	d := fakeDriver{}
	res, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()})
	if err != nil || !res.Requeue {
		t.Fatalf("Reconcile = %+v, %v; want a requeue without an error", res, err)
	}
	for _, cond := range getConfig(t, base).Status.Conditions {
		if strings.Contains(cond.Message, "has been modified") {
			t.Errorf("configs/cluster condition %s: message %q reports the cache's lag", cond.Type, cond.Message)
		}
	}
}

// TestApplyAllReportsTheFirstFailureInOrder: objects are applied side by side; the error
// returned is the first failing object's in the list's order, whatever finished first, and
// the other objects are still applied.
func TestApplyAllReportsTheFirstFailureInOrder(t *testing.T) {
	base := world(t, nil).(client.WithWatch)
	c := interceptor.NewClient(base, interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if strings.HasPrefix(obj.GetName(), "bad-") {
				return apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, obj.GetName(), nil)
			}
			return c.Create(ctx, obj, opts...)
		},
	})
	cm := func(name string) client.Object {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-image-registry", Name: name}}
	}
	var a applier
	for range 20 { // side by side: any finishing order must give the same answer
		err := a.applyAll(context.Background(), c, []client.Object{cm("good-1"), cm("bad-1"), cm("good-2"), cm("bad-2")})
		if err == nil || !strings.Contains(err.Error(), `"bad-1"`) {
			t.Fatalf("applyAll: %v, want the error of bad-1, the first failing object", err)
		}
	}
	for _, name := range []string{"good-1", "good-2"} {
		if err := base.Get(context.Background(), client.ObjectKey{Namespace: "openshift-image-registry", Name: name}, &corev1.ConfigMap{}); err != nil {
			t.Errorf("ConfigMap %s: %v, want it applied despite the failures", name, err)
		}
	}
}
