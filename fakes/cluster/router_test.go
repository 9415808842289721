package cluster_test

import (
	"fmt"
	"testing"

	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/cluster"
)

// registryNS is the only namespace the simulated router serves.
const registryNS = "openshift-image-registry"

func TestRouteHost(t *testing.T) {
	tests := []struct {
		name  string
		route routev1.Route
		want  string
	}{
		{"generated from name and namespace",
			routev1.Route{ObjectMeta: metav1.ObjectMeta{Name: "default-route", Namespace: registryNS}},
			"default-route-openshift-image-registry.apps.irconform.example"},
		{"spec.host wins",
			routev1.Route{ObjectMeta: metav1.ObjectMeta{Name: "default-route", Namespace: registryNS},
				Spec: routev1.RouteSpec{Host: "registry.example.com"}},
			"registry.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cluster.RouteHost(&tt.route); got != tt.want {
				t.Errorf("RouteHost = %q, want %q", got, tt.want)
			}
		})
	}
}

func newRoute(namespace, generateName, host string) *routev1.Route {
	return &routev1.Route{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, GenerateName: generateName},
		Spec: routev1.RouteSpec{
			Host: host,
			To:   routev1.RouteTargetReference{Kind: "Service", Name: "image-registry"},
		},
	}
}

// admission is what the router writes into status.ingress, in comparable form.
type admission struct {
	Host, RouterName, CanonicalHostname string
	WildcardPolicy                      routev1.WildcardPolicyType
	Admitted                            corev1.ConditionStatus
}

func admissionsOf(rt *routev1.Route) []admission {
	var out []admission
	for _, in := range rt.Status.Ingress {
		a := admission{Host: in.Host, RouterName: in.RouterName, CanonicalHostname: in.RouterCanonicalHostname, WildcardPolicy: in.WildcardPolicy}
		for _, c := range in.Conditions {
			if c.Type == routev1.RouteAdmitted {
				a.Admitted = c.Status
			}
		}
		out = append(out, a)
	}
	return out
}

func admittedAs(host string) admission {
	return admission{Host: host, RouterName: "default", CanonicalHostname: "router-default.apps.irconform.example",
		WildcardPolicy: routev1.WildcardPolicyNone, Admitted: corev1.ConditionTrue}
}

func waitForAdmission(t *testing.T, rt *routev1.Route, host string) {
	t.Helper()
	want := admittedAs(host)
	eventually(t, fmt.Sprintf("route %s admitted with host %s", rt.Name, host), func() error {
		var got routev1.Route
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(rt), &got); err != nil {
			return err
		}
		if a := admissionsOf(&got); len(a) != 1 || a[0] != want {
			return fmt.Errorf("status.ingress is %+v", a)
		}
		return nil
	})
}

func TestRouterAdmitsRegistryRoutes(t *testing.T) {
	generated := newRoute(registryNS, "default-route-", "")
	create(t, generated)
	// Literal hosts, not RouteHost: a wrong RouteHost must not pass on both sides.
	waitForAdmission(t, generated, generated.Name+"-openshift-image-registry.apps.irconform.example")

	custom := newRoute(registryNS, "custom-", "registry.example.com")
	create(t, custom)
	waitForAdmission(t, custom, "registry.example.com")

	// A changed host is admitted again, under the new host.
	update(t, custom, func() { custom.Spec.Host = "registry2.example.com" })
	waitForAdmission(t, custom, "registry2.example.com")
}

func TestRouterIgnoresOtherNamespaces(t *testing.T) {
	elsewhere := newRoute(newNamespace(t), "default-route-", "")
	create(t, elsewhere)
	// The router works through one route at a time in the order they came: once a
	// registry route created later is admitted, the other one has been seen.
	witness := newRoute(registryNS, "witness-", "")
	create(t, witness)
	waitForAdmission(t, witness, witness.Name+"-openshift-image-registry.apps.irconform.example")

	var got routev1.Route
	if err := kube.Get(testCtx, client.ObjectKeyFromObject(elsewhere), &got); err != nil {
		t.Fatalf("reading route %s: %v", elsewhere.Name, err)
	}
	if a := admissionsOf(&got); len(a) != 0 {
		t.Errorf("route outside %s has status.ingress %+v, want none", registryNS, a)
	}
}

func TestRouterRejectsHostOnRequest(t *testing.T) {
	rt := newRoute(registryNS, "rejected-", "taken.example.com")
	create(t, rt)
	waitForAdmission(t, rt, "taken.example.com")

	why := cluster.Rejection{Reason: "HostAlreadyClaimed", Message: "route other already exposes taken.example.com"}
	if err := sim.RejectHost(testCtx, "taken.example.com", why); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.AdmitHost(testCtx, "taken.example.com") })
	eventually(t, "route rejected", func() error {
		var got routev1.Route
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(rt), &got); err != nil {
			return err
		}
		if len(got.Status.Ingress) != 1 || len(got.Status.Ingress[0].Conditions) != 1 {
			return fmt.Errorf("status.ingress is %+v", got.Status.Ingress)
		}
		c := got.Status.Ingress[0].Conditions[0]
		if c.Type != routev1.RouteAdmitted || c.Status != corev1.ConditionFalse || c.Reason != why.Reason || c.Message != why.Message {
			return fmt.Errorf("admitted condition is %+v", c)
		}
		return nil
	})
	// Other hosts are still admitted; lifting the rejection admits the route again.
	other := newRoute(registryNS, "other-", "free.example.com")
	create(t, other)
	waitForAdmission(t, other, "free.example.com")
	if err := sim.AdmitHost(testCtx, "taken.example.com"); err != nil {
		t.Fatal(err)
	}
	waitForAdmission(t, rt, "taken.example.com")
}
