package controller

import (
	"context"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

// These tests run the reconcilers against controller-runtime's fake client: no API server,
// no cloud. Storage is a fakeDriver whose outcome each row picks, so the tables show how the
// controller turns an outcome into conditions, objects and retries. Literal reasons and
// messages are the catalogue's (upstream's), written out rather than taken from status.

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// world is a fake cluster with the registry namespace (and its supplemental groups) and,
// unless infra is nil, infrastructures/cluster.
func world(t *testing.T, infra *configv1.Infrastructure, objs ...client.Object) client.Client {
	t.Helper()
	s, err := scheme.New()
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: render.Namespace,
		Annotations: map[string]string{render.SupplementalGroupsAnnotation: "1000430000/10000"}}}
	objs = append(objs, ns)
	if infra != nil {
		objs = append(objs, infra)
	}
	return fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).
		WithStatusSubresource(&imageregistryv1.Config{}, &imageregistryv1.ImagePruner{}, &configv1.ClusterOperator{},
			&configv1.Image{}, &appsv1.Deployment{}, &configv1.Infrastructure{}).
		Build()
}

func infraOn(p configv1.PlatformType) *configv1.Infrastructure {
	return &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"},
		Status: configv1.InfrastructureStatus{InfrastructureName: "test-x7k2p", PlatformStatus: &configv1.PlatformStatus{Type: p}}}
}

// fakeDriver is a storage backend whose outcomes the test picks; it records its calls.
type fakeDriver struct {
	syncConds   []operatorv1.OperatorCondition
	syncErr     error
	removeConds []operatorv1.OperatorCondition
	removeErr   error
	// onSync runs inside Sync (fill spec names, status.storage, as a real driver does).
	onSync func(cfg *imageregistryv1.Config)
	calls  []string
}

func (*fakeDriver) Kind() string { return "Fake" }

func (d *fakeDriver) Configure(context.Context, *imageregistryv1.Config) (render.StorageConfig, error) {
	d.calls = append(d.calls, "Configure")
	return render.EmptyDirStorage(), nil
}

func (d *fakeDriver) Sync(_ context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	d.calls = append(d.calls, "Sync")
	if d.onSync != nil {
		d.onSync(cfg)
	}
	return d.syncConds, d.syncErr
}

func (d *fakeDriver) Remove(context.Context, *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	d.calls = append(d.calls, "Remove")
	return d.removeConds, d.removeErr
}

// drivers serves d for an emptyDir stanza (what the rows configure).
func (d *fakeDriver) drivers() storage.Drivers {
	return storage.Drivers{"emptyDir": func(storage.Deps, *imageregistryv1.ImageRegistryConfigStorage) storage.Driver { return d }}
}

func configWith(state operatorv1.ManagementState, mutate ...func(*imageregistryv1.Config)) *imageregistryv1.Config {
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: render.ConfigName},
		Spec: imageregistryv1.ImageRegistrySpec{OperatorSpec: operatorv1.OperatorSpec{ManagementState: state}, Replicas: 1,
			Storage: imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}}}
	for _, m := range mutate {
		m(cfg)
	}
	return cfg
}

func getConfig(t *testing.T, c client.Client) *imageregistryv1.Config {
	t.Helper()
	var cfg imageregistryv1.Config
	if err := c.Get(context.Background(), types.NamespacedName{Name: render.ConfigName}, &cfg); err != nil {
		t.Fatalf("reading configs/cluster: %v", err)
	}
	return &cfg
}

// cond is a condition as a row expects it.
type cond struct {
	status  operatorv1.ConditionStatus
	reason  string
	message string
}

// expectConds checks each wanted condition type; types not named are not looked at.
func expectConds(t *testing.T, what string, got []operatorv1.OperatorCondition, want map[string]cond) {
	t.Helper()
	for typ, w := range want {
		var found *operatorv1.OperatorCondition
		for i := range got {
			if got[i].Type == typ {
				found = &got[i]
			}
		}
		switch {
		case found == nil:
			t.Errorf("%s condition %s: want %s/%s %q, seen none", what, typ, w.status, w.reason, w.message)
		case found.Status != w.status || found.Reason != w.reason || found.Message != w.message:
			t.Errorf("%s condition %s: want %s/%s %q, seen %s/%s %q", what, typ, w.status, w.reason, w.message,
				found.Status, found.Reason, found.Message)
		}
	}
}

// exists tells whether obj (namespace/name set) is in the fake cluster.
func exists(t *testing.T, c client.Client, obj client.Object) bool {
	t.Helper()
	err := c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("reading %T %s: %v", obj, obj.GetName(), err)
	}
	return err == nil
}

// registryObjects are what a Managed registry gets applied and Removed deletes.
func registryObjects() []client.Object {
	ns := render.Namespace
	return []client.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry-private-configuration"}},
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "system:registry"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "registry-registry-role"}},
	}
}

func reconcileOnce(t *testing.T, r reconcile.Reconciler) (reconcile.Result, error) {
	t.Helper()
	return r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Name: render.ConfigName}})
}

func fixedClock(at *time.Time) func() time.Time { return func() time.Time { return *at } }
