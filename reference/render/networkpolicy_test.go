package render

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

func TestNetworkPolicies(t *testing.T) {
	tests := []struct {
		np          *networkingv1.NetworkPolicy
		name        string
		selector    map[string]string
		types       []networkingv1.PolicyType
		ingress     []int32 // the one port of each ingress rule
		egressRules int
	}{
		{RegistryNetworkPolicy(), "image-registry-networkpolicy", map[string]string{"docker-registry": "default"},
			[]networkingv1.PolicyType{"Ingress", "Egress"}, []int32{5000, 5000, 5000}, 4},
		{PrunerNetworkPolicy(), "image-pruner-networkpolicy", map[string]string{"app": "image-pruner"},
			[]networkingv1.PolicyType{"Egress"}, nil, 4},
		{OperatorNetworkPolicy(), "image-registry-operator-networkpolicy", map[string]string{"name": "cluster-image-registry-operator"},
			[]networkingv1.PolicyType{"Ingress", "Egress"}, []int32{60000}, 4},
		{DefaultDenyAllNetworkPolicy(), "default-deny-all", nil, []networkingv1.PolicyType{"Ingress", "Egress"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			np := tt.np
			if np.Name != tt.name || np.Namespace != Namespace {
				t.Fatalf("name %s/%s", np.Namespace, np.Name)
			}
			if !reflect.DeepEqual(np.Spec.PodSelector.MatchLabels, tt.selector) {
				t.Errorf("podSelector %v, want %v", np.Spec.PodSelector.MatchLabels, tt.selector)
			}
			if !reflect.DeepEqual(np.Spec.PolicyTypes, tt.types) {
				t.Errorf("policyTypes %v, want %v", np.Spec.PolicyTypes, tt.types)
			}
			if len(np.Spec.Ingress) != len(tt.ingress) {
				t.Fatalf("%d ingress rules, want %d", len(np.Spec.Ingress), len(tt.ingress))
			}
			for i, r := range np.Spec.Ingress {
				if len(r.Ports) != 1 || r.Ports[0].Port.IntVal != tt.ingress[i] || *r.Ports[0].Protocol != corev1.ProtocolTCP {
					t.Errorf("ingress %d ports %+v", i, r.Ports)
				}
			}
			if len(np.Spec.Egress) != tt.egressRules {
				t.Fatalf("%d egress rules, want %d", len(np.Spec.Egress), tt.egressRules)
			}
			if tt.egressRules > 0 && !reflect.DeepEqual(np.Spec.Egress[0], networkingv1.NetworkPolicyEgressRule{}) {
				t.Errorf("first egress rule %+v, want allow-all {}", np.Spec.Egress[0])
			}
		})
	}
	// The rules share no memory: a caller may change one policy's ports without touching another's.
	a, b := RegistryNetworkPolicy(), RegistryNetworkPolicy()
	*a.Spec.Ingress[0].Ports[0].Protocol = corev1.ProtocolUDP
	if *b.Spec.Ingress[0].Ports[0].Protocol != corev1.ProtocolTCP || *a.Spec.Ingress[1].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Fatal("ports are shared between rules or renders")
	}
}
