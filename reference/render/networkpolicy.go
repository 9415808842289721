package render

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// NetworkPolicy names (upstream bindata and manifests).
const (
	OperatorNetworkPolicyName = "image-registry-operator-networkpolicy"
	DefaultDenyAllPolicyName  = "default-deny-all"
	// OperatorPodLabelValue is the operator pod's "name" label.
	OperatorPodLabelValue = "cluster-image-registry-operator"
	// OperatorMetricsPort is where the operator serves its metrics (and the only port its
	// NetworkPolicy admits).
	OperatorMetricsPort = 60000
)

func npPorts(proto corev1.Protocol, port int32, more ...corev1.Protocol) []networkingv1.NetworkPolicyPort {
	out := []networkingv1.NetworkPolicyPort{}
	for _, p := range append([]corev1.Protocol{proto}, more...) {
		p, port := p, intstr.FromInt32(port)
		out = append(out, networkingv1.NetworkPolicyPort{Protocol: &p, Port: &port})
	}
	return out
}

func nsSelector(name string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": name}}
}

// egressToAPIServer is the documentary egress rule to the kube-apiserver pods on port.
func egressToAPIServer(port int32) networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: nsSelector("openshift-kube-apiserver"),
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app": "openshift-kube-apiserver"}},
		}},
		Ports: npPorts(corev1.ProtocolTCP, port),
	}
}

// egressToDNS is the documentary egress rule to the cluster DNS (5353 TCP and UDP).
func egressToDNS() networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{NamespaceSelector: nsSelector("openshift-dns")}},
		Ports: npPorts(corev1.ProtocolTCP, 5353, corev1.ProtocolUDP),
	}
}

// egressToInternet is the documentary egress rule to public addresses on 443 (object
// storage), RFC 1918 ranges excepted.
func egressToInternet() networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{
			CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"},
		}}},
		Ports: npPorts(corev1.ProtocolTCP, 443),
	}
}

func networkPolicy(name string, annotations map[string]string, spec networkingv1.NetworkPolicySpec) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: Namespace, Annotations: annotations},
		Spec:       spec,
	}
}

// RegistryNetworkPolicy is NP-02: the registry pods (docker-registry=default) accept TCP
// 5000 from openshift-monitoring, from namespaces labelled as ingress, and from anywhere;
// egress is open, with the upstream's documentary rules (API server 8443, DNS, public 443)
// listed after the allow-all rule.
// Implements NETPOL-001.
func RegistryNetworkPolicy() *networkingv1.NetworkPolicy {
	registry := func() []networkingv1.NetworkPolicyPort { return npPorts(corev1.ProtocolTCP, ContainerPort) }
	return networkPolicy(RegistryNetworkPolicyName, nil, networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: DeploymentLabels()},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		Ingress: []networkingv1.NetworkPolicyIngressRule{
			{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: nsSelector("openshift-monitoring")}}, Ports: registry()},
			{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{"policy-group.network.openshift.io/ingress": ""},
			}}}, Ports: registry()},
			{Ports: registry()},
		},
		Egress: []networkingv1.NetworkPolicyEgressRule{{}, egressToAPIServer(8443), egressToDNS(), egressToInternet()},
	})
}

// PrunerNetworkPolicy is NP-03: the pruner pods (app=image-pruner) get open egress, with
// documentary rules to the API server (6443), DNS and the registry (docker-registry=default,
// 5000).
// Implements NETPOL-002.
func PrunerNetworkPolicy() *networkingv1.NetworkPolicy {
	return networkPolicy(PrunerNetworkPolicyName, nil, networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{PrunerPodLabelKey: PrunerPodLabelValue}},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
		Egress: []networkingv1.NetworkPolicyEgressRule{
			{}, egressToAPIServer(6443), egressToDNS(),
			{
				To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: DeploymentLabels()}}},
				Ports: npPorts(corev1.ProtocolTCP, ContainerPort),
			},
		},
	})
}

// releaseManifestAnnotations are what the upstream release manifests carry: the capability
// and the cluster profiles they are included in.
func releaseManifestAnnotations() map[string]string {
	return map[string]string{
		CapabilityAnnotation: Capability,
		"include.release.openshift.io/self-managed-high-availability": "true",
		"include.release.openshift.io/single-node-developer":          "true",
	}
}

// DefaultDenyAllNetworkPolicy is the shipped manifest NP-01: every pod of the namespace,
// ingress and egress, nothing allowed unless another policy says so.
// Implements NETPOL-003.
func DefaultDenyAllNetworkPolicy() *networkingv1.NetworkPolicy {
	return networkPolicy(DefaultDenyAllPolicyName, releaseManifestAnnotations(), networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
	})
}

// OperatorNetworkPolicy is the shipped manifest for the operator's own pod
// (name=cluster-image-registry-operator): ingress only to the metrics port 60000, egress
// open with documentary rules (API server 6443, DNS, public 443).
// Implements NETPOL-003.
func OperatorNetworkPolicy() *networkingv1.NetworkPolicy {
	return networkPolicy(OperatorNetworkPolicyName, releaseManifestAnnotations(), networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"name": OperatorPodLabelValue}},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: npPorts(corev1.ProtocolTCP, OperatorMetricsPort)}},
		Egress:      []networkingv1.NetworkPolicyEgressRule{{}, egressToAPIServer(6443), egressToDNS(), egressToInternet()},
	})
}
