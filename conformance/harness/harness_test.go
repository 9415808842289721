package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// These tests run the harness on a real envtest (one for the package): what a spec stands
// on must itself be checked, or a broken reset would make every spec pass or fail for the
// wrong reason.

var testEnv *Env

func TestMain(m *testing.M) {
	ctx := context.Background()
	env, err := StartEnvtest(ctx, logr.Discard())
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness tests: starting envtest:", err)
		os.Exit(1)
	}
	testEnv = env
	code := m.Run()
	_ = env.Stop()
	os.Exit(code)
}

// eventually polls cond until it returns nil or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not so after %v: %v", what, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getErr(c client.Client, o client.Object) error {
	return c.Get(context.Background(), client.ObjectKeyFromObject(o), o)
}

// TestControlPlaneReady: the embedded kube-apiserver reports ready. One that is not (an API
// group its admission plugins need left out of the served set) still serves requests, but
// polls its own /readyz many times a second for as long as it runs.
func TestControlPlaneReady(t *testing.T) {
	hc, err := rest.HTTPClientFor(testEnv.Target.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "kube-apiserver /readyz", func() error {
		resp, err := hc.Get(strings.TrimSuffix(testEnv.Target.RESTConfig().Host, "/") + "/readyz?verbose")
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			var failed []string
			for _, l := range strings.Split(string(body), "\n") {
				if strings.HasPrefix(l, "[-]") {
					failed = append(failed, l)
				}
			}
			return fmt.Errorf("status %d, failing checks %v", resp.StatusCode, failed)
		}
		return nil
	})
}

// TestResetDeletesWhatASpecMade: everything a spec or the operator may have made goes
// (finalizers and all), what the cluster had before stays, and the spec's clock skew, write
// hook and fast retry timings are undone.
func TestResetDeletesWhatASpecMade(t *testing.T) {
	ctx := context.Background()
	e := testEnv
	c := e.Client
	made := []client.Object{
		&imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster", Finalizers: []string{"imageregistry.operator.openshift.io/finalizer"}},
			Spec: imageregistryv1.ImageRegistrySpec{OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Removed}, Replicas: 1}},
		&configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "system:registry"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ConfigNS, Name: "user-ca"}, Data: map[string]string{"a": "b"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: "image-registry-private-configuration-user",
			Finalizers: []string{"example.com/keep"}}},
		&routev1.Route{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: "my-route"},
			Spec: routev1.RouteSpec{To: routev1.RouteTargetReference{Kind: "Service", Name: "image-registry"}}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: "image-registry"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "5000-tcp", Port: 5000}}}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: "registry"}},
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: "image-registry-networkpolicy"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "registry-registry-role"},
			RoleRef: rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:registry"}},
	}
	kept := []client.Object{
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "irconform-bystander"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "irconform-bystander"}},
	}
	if err := e.CreateInfrastructure(ctx, Platform{Type: configv1.NonePlatformType}); err != nil {
		t.Fatal(err)
	}
	for _, o := range append(append([]client.Object{}, made...), kept...) {
		if err := c.Create(ctx, o); err != nil {
			t.Fatalf("creating %T %s: %v", o, o.GetName(), err)
		}
	}
	t.Cleanup(func() {
		for _, o := range kept {
			_ = c.Delete(context.Background(), o)
		}
	})
	e.Advance(time.Hour)
	e.BeforeOperatorWrite("PUT", "configs", func() {})
	before := e.Settings
	e.UseFastRetries()
	if e.Settings.RetryBackoff.Base != FastRetryBase || e.Settings.CloudCalls.RequestTimeout != FastRequestTimeout {
		t.Errorf("UseFastRetries: backoff %+v, cloud calls %+v, want the fast timings", e.Settings.RetryBackoff, e.Settings.CloudCalls)
	}

	if err := e.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	// Everything above has a known etcd key: deleted in one transaction, none by API request.
	if e.lastReset.byAPI != 0 || e.lastReset.byKey != len(made)+1 {
		t.Errorf("Reset deleted %d objects by etcd key and %d through the API, want %d and 0 (storagePrefixes out of date?)",
			e.lastReset.byKey, e.lastReset.byAPI, len(made)+1)
	}
	// The Service's cluster IP went with it: kube-apiserver keeps no address for a Service
	// that is gone (one kept would leak an address of the small service range per spec).
	var ips networkingv1.IPAddressList
	if err := c.List(ctx, &ips); err != nil {
		t.Fatalf("listing IPAddresses: %v", err)
	}
	for _, ip := range ips.Items {
		if p := ip.Spec.ParentRef; p != nil && p.Resource == "services" && p.Namespace == NS {
			t.Errorf("IPAddress %s of Service %s/%s is left after Reset", ip.Name, p.Namespace, p.Name)
		}
	}
	for _, o := range append(made, &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}) {
		if err := getErr(c, o); !apierrors.IsNotFound(err) {
			t.Errorf("%T %s/%s after Reset: %v, want it gone", o, o.GetNamespace(), o.GetName(), err)
		}
	}
	for _, o := range kept {
		if err := getErr(c, o); err != nil {
			t.Errorf("%T %s/%s was not the spec's, but after Reset: %v", o, o.GetNamespace(), o.GetName(), err)
		}
	}
	if skew := e.Now().Sub(time.Now()); skew > time.Minute || skew < -time.Minute {
		t.Errorf("the operator's clock is %v off real time after Reset, want the spec's Advance undone", skew)
	}
	e.hookMu.Lock()
	hooked := e.beforeWrite != nil
	e.hookMu.Unlock()
	if hooked {
		t.Error("a spec's BeforeOperatorWrite hook survived Reset")
	}
	if e.Settings.RetryBackoff != before.RetryBackoff || e.Settings.CloudCalls != before.CloudCalls {
		t.Errorf("after Reset the operator retries on backoff %+v, cloud calls %+v; want the spec's UseFastRetries undone (%+v, %+v)",
			e.Settings.RetryBackoff, e.Settings.CloudCalls, before.RetryBackoff, before.CloudCalls)
	}
	for _, ns := range []string{NS, ConfigNS, "openshift-config-managed"} {
		if err := getErr(c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Errorf("namespace %s after Reset: %v; Reset empties namespaces, it does not delete them", ns, err)
		}
	}
}

// TestResetWithoutTheStorageGateway: when etcd's JSON gateway does not answer, Reset still
// empties the cluster (through the API) and stops trying the gateway.
func TestResetWithoutTheStorageGateway(t *testing.T) {
	ctx := context.Background()
	e := testEnv
	saved := e.wiper
	if saved == nil {
		t.Fatal("the envtest harness has no storage wiper")
	}
	t.Cleanup(func() { e.wiper = saved })
	// A port nothing listens on: the transaction cannot be sent.
	e.wiper = &storageWiper{url: "http://127.0.0.1:1", hc: saved.hc, scheme: saved.scheme}
	made := []client.Object{
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: "image-registry-certificates"}},
		&imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster", Finalizers: []string{"imageregistry.operator.openshift.io/finalizer"}},
			Spec: imageregistryv1.ImageRegistrySpec{OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Removed}, Replicas: 1}},
	}
	for _, o := range made {
		if err := e.Client.Create(ctx, o); err != nil {
			t.Fatalf("creating %T %s: %v", o, o.GetName(), err)
		}
	}
	if err := e.Reset(ctx); err != nil {
		t.Fatalf("Reset with an unreachable gateway: %v", err)
	}
	for _, o := range made {
		if err := getErr(e.Client, o); !apierrors.IsNotFound(err) {
			t.Errorf("%T %s after Reset: %v, want it gone", o, o.GetName(), err)
		}
	}
	if e.wiper != nil {
		t.Error("after a failed transaction Reset still tries the gateway; want it to go through the API from then on")
	}
	// At least once each: an object with finalizers is sent again until the cache sees it go.
	if e.lastReset.byKey != 0 || e.lastReset.byAPI < len(made) {
		t.Errorf("Reset deleted %d objects by etcd key and %d through the API, want 0 and at least %d", e.lastReset.byKey, e.lastReset.byAPI, len(made))
	}
}

// TestOperatorRestart: StartOperator runs one operator (a second start is refused) on the
// harness's clock; StopOperator stops it for real; a new start picks up again.
func TestOperatorRestart(t *testing.T) {
	ctx := context.Background()
	e := testEnv
	if err := e.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Reset(context.Background()) })
	if err := e.CreateInfrastructure(ctx, Platform{Type: configv1.NonePlatformType}); err != nil {
		t.Fatal(err)
	}
	e.Advance(2 * time.Hour)
	if err := e.StartOperator(ctx); err != nil {
		t.Fatalf("StartOperator: %v", err)
	}
	if err := e.StartOperator(ctx); err == nil || err.Error() != "operator already running" {
		t.Errorf("second StartOperator: %v, want \"operator already running\"", err)
	}

	// The operator bootstraps the Config (None: Removed) and its status carries the
	// harness's clock, two hours ahead.
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	eventually(t, 30*time.Second, "the operator bootstraps configs/cluster with status", func() error {
		if err := getErr(e.Client, cfg); err != nil {
			return err
		}
		for _, c := range cfg.Status.Conditions {
			if c.Type == "Removed" {
				return nil
			}
		}
		return fmt.Errorf("conditions %v", cfg.Status.Conditions)
	})
	for _, c := range cfg.Status.Conditions {
		if c.Type == "Removed" && c.LastTransitionTime.Time.Before(time.Now().Add(time.Hour)) {
			t.Errorf("Removed lastTransitionTime %v: not on the harness's clock (advanced 2h)", c.LastTransitionTime)
		}
	}
	pruner := &imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	eventually(t, 30*time.Second, "the operator creates imagepruners/cluster", func() error { return getErr(e.Client, pruner) })

	if err := e.StopOperator(); err != nil {
		t.Fatalf("StopOperator: %v", err)
	}
	if err := e.StopOperator(); err != nil {
		t.Errorf("StopOperator of a stopped operator: %v, want nil", err)
	}
	// Stopped means stopped: the pruner it would recreate at once stays gone.
	if err := e.Client.Delete(ctx, pruner); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if err := getErr(e.Client, &imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}); err == nil {
			t.Fatal("imagepruners/cluster recreated while the operator is stopped")
		}
		time.Sleep(100 * time.Millisecond)
	}

	if err := e.StartOperator(ctx); err != nil {
		t.Fatalf("StartOperator after a stop: %v", err)
	}
	eventually(t, 30*time.Second, "the restarted operator recreates imagepruners/cluster", func() error {
		return getErr(e.Client, &imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}})
	})
}

// TestStoragePrefixesFollowTheAPI: each etcd key prefix Reset deletes by is where
// kube-apiserver keeps the kind: its resource for a built-in kind (a Service under
// services/specs), group/resource for a custom resource. A wrong one would make every reset
// fall back to API deletes for that kind (slower, not wrong), which this names first.
func TestStoragePrefixesFollowTheAPI(t *testing.T) {
	ctx := context.Background()
	c := testEnv.Client
	var crds apiextensionsv1.CustomResourceDefinitionList
	if err := c.List(ctx, &crds); err != nil {
		t.Fatalf("listing CRDs: %v", err)
	}
	custom := map[string]bool{}
	for _, crd := range crds.Items {
		custom[crd.Spec.Group] = true
	}
	for gk, prefix := range storagePrefixes {
		m, err := c.RESTMapper().RESTMapping(gk)
		if err != nil {
			t.Errorf("storagePrefixes %s: the API server serves no such kind: %v", gk, err)
			continue
		}
		want := m.Resource.Resource
		switch {
		case custom[gk.Group]:
			want = gk.Group + "/" + m.Resource.Resource
		case gk == schema.GroupKind{Kind: "Service"}:
			want = "services/specs"
		}
		if prefix != want {
			t.Errorf("storagePrefixes %s: %q, want %q", gk, prefix, want)
		}
	}
}
