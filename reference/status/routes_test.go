package status

import (
	"testing"

	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func route(name string, ingress ...routev1.RouteIngress) routev1.Route {
	return routev1.Route{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: routev1.RouteStatus{Ingress: ingress}}
}

func ingress(host, router string, admitted corev1.ConditionStatus, msg string) routev1.RouteIngress {
	return routev1.RouteIngress{Host: host, RouterName: router, Conditions: []routev1.RouteIngressCondition{
		{Type: routev1.RouteAdmitted, Status: admitted, Message: msg},
	}}
}

func TestRouteDegraded(t *testing.T) {
	rejected := []routev1.Route{
		route("default-route", ingress("default-route-x.apps", "default", corev1.ConditionTrue, "")),
		route("a", ingress("a.example", "default", corev1.ConditionFalse, "host taken"), ingress("a.example", "sharded", corev1.ConditionFalse, "no shard")),
		route("b"), // not seen by any router yet
	}
	const msg = "route a (host a.example, router default) not admitted: host taken,route a (host a.example, router sharded) not admitted: no shard"
	if got := RoutesNotAdmitted(rejected); got != msg {
		t.Errorf("RoutesNotAdmitted = %q, want %q", got, msg)
	}
	tests := []struct {
		name string
		in   Inputs
		want wc
	}{
		{"ready with a rejected route", Inputs{State: operatorv1.Managed, Deployment: deployment(1, 1, depAvailable, depRolledOut), Routes: rejected},
			wc{T, "RouteDegraded", msg}},
		{"ready, routes admitted", Inputs{State: operatorv1.Managed, Deployment: deployment(1, 1, depAvailable, depRolledOut), Routes: rejected[:1]},
			wc{F, "", ""}},
		// A rollout still going on says nothing about routes yet.
		{"rolling out with a rejected route", Inputs{State: operatorv1.Managed, Deployment: deployment(2, 1, depAvailable, depRollingOut), Routes: rejected},
			wc{F, "", ""}},
		{"removed with a rejected route left", Inputs{State: operatorv1.Removed, Routes: rejected}, wc{F, "Removed", "The registry is removed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Now = t0
			for _, c := range Conditions(tt.in) {
				if c.Type != TypeDegraded {
					continue
				}
				if c.Status != tt.want.Status || c.Reason != tt.want.Reason || c.Message != tt.want.Message {
					t.Errorf("Degraded = %s %q %q, want %+v", c.Status, c.Reason, c.Message, tt.want)
				}
			}
		})
	}
}
