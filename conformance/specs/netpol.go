package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// The NetworkPolicies of the upstream operator, as it ships them (bindata and release
// manifests), spec by spec.
const (
	netpolRegistrySpec = `
podSelector: {matchLabels: {docker-registry: default}}
policyTypes: [Ingress, Egress]
ingress:
- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-monitoring}}}]
  ports: [{port: 5000, protocol: TCP}]
- from: [{namespaceSelector: {matchLabels: {policy-group.network.openshift.io/ingress: ""}}}]
  ports: [{port: 5000, protocol: TCP}]
- ports: [{port: 5000, protocol: TCP}]
egress:
- {}
- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-kube-apiserver}}, podSelector: {matchLabels: {app: openshift-kube-apiserver}}}]
  ports: [{protocol: TCP, port: 8443}]
- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-dns}}}]
  ports: [{protocol: TCP, port: 5353}, {protocol: UDP, port: 5353}]
- to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}]
  ports: [{protocol: TCP, port: 443}]
`
	netpolPrunerSpec = `
podSelector: {matchLabels: {app: image-pruner}}
policyTypes: [Egress]
egress:
- {}
- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-kube-apiserver}}, podSelector: {matchLabels: {app: openshift-kube-apiserver}}}]
  ports: [{protocol: TCP, port: 6443}]
- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-dns}}}]
  ports: [{protocol: TCP, port: 5353}, {protocol: UDP, port: 5353}]
- to: [{podSelector: {matchLabels: {docker-registry: default}}}]
  ports: [{protocol: TCP, port: 5000}]
`
	netpolOperatorSpec = `
podSelector: {matchLabels: {name: cluster-image-registry-operator}}
policyTypes: [Ingress, Egress]
ingress:
- ports: [{port: 60000, protocol: TCP}]
egress:
- {}
- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-kube-apiserver}}, podSelector: {matchLabels: {app: openshift-kube-apiserver}}}]
  ports: [{protocol: TCP, port: 6443}]
- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: openshift-dns}}}]
  ports: [{protocol: TCP, port: 5353}, {protocol: UDP, port: 5353}]
- to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}]
  ports: [{protocol: TCP, port: 443}]
`
	netpolDenyAllSpec = `
podSelector: {}
policyTypes: [Ingress, Egress]
`
)

func netpolSpec(text string) networkingv1.NetworkPolicySpec {
	GinkgoHelper()
	var spec networkingv1.NetworkPolicySpec
	Expect(yaml.UnmarshalStrict([]byte(text), &spec)).To(Succeed(), "the spec's own NetworkPolicy literal parses")
	return spec
}

// netpolExpect asserts that NetworkPolicy ns/name exists with exactly the given spec.
func netpolExpect(g Gomega, r client.Reader, name string, want networkingv1.NetworkPolicySpec) *networkingv1.NetworkPolicy {
	var np networkingv1.NetworkPolicy
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: name}, &np)).To(Succeed(), "NetworkPolicy %s/%s should exist", ns, name)
	g.Expect(np.Spec).To(Equal(want), "NetworkPolicy %s/%s spec", ns, name)
	return &np
}

func netpolAbsent(g Gomega, r client.Reader, name string) {
	absent(g, r, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})
}

// netpolVandalise deletes the policy, waits for it to come back, then narrows its pod
// selector by hand (as `oc edit` would) and returns.
func netpolVandalise(name string, want networkingv1.NetworkPolicySpec) {
	GinkgoHelper()
	var np networkingv1.NetworkPolicy
	Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: name}, &np)).To(Succeed(), "NetworkPolicy %s/%s read", ns, name)
	oldUID := np.UID
	Expect(env.Client.Delete(ctx(), &np)).To(Succeed(), "NetworkPolicy %s/%s delete", ns, name)
	eventually(func(g Gomega, r client.Reader) {
		back := netpolExpect(g, r, name, want)
		g.Expect(back.UID).NotTo(Equal(oldUID), "NetworkPolicy %s/%s metadata.uid (recreated after deletion)", ns, name)
	})
	Eventually(func() error {
		var cur networkingv1.NetworkPolicy
		if err := env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: name}, &cur); err != nil {
			return err
		}
		cur.Spec.PodSelector = metav1.LabelSelector{MatchLabels: map[string]string{"irconform": "hand-edit"}}
		cur.Spec.Egress = nil
		return env.Client.Update(ctx(), &cur)
	}).WithTimeout(defaultTimeout).Should(Succeed(), "NetworkPolicy %s/%s hand edit", ns, name)
}

var _ = Describe("NetworkPolicies", func() {
	It("applies image-registry-networkpolicy with the registry, restores it, and deletes it on Removed", Label("NETPOL-001"), func() {
		want := netpolSpec(netpolRegistrySpec)
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) { netpolExpect(g, r, "image-registry-networkpolicy", want) })

		netpolVandalise("image-registry-networkpolicy", want)
		eventually(func(g Gomega, r client.Reader) { netpolExpect(g, r, "image-registry-networkpolicy", want) })

		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "Removed", operatorv1.ConditionTrue, "Removed", "The registry is removed")
			netpolAbsent(g, r, "image-registry-networkpolicy")
		})
	})

	It("applies image-pruner-networkpolicy with the pruner, also while the registry is Removed", Label("NETPOL-002"), func() {
		want := netpolSpec(netpolPrunerSpec)
		onPlatform(configv1.BareMetalPlatformType) // bootstraps Removed
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getConfig(g, r).Spec.ManagementState).To(Equal(operatorv1.Removed), "Config cluster spec.managementState")
			netpolExpect(g, r, "image-pruner-networkpolicy", want)
			netpolAbsent(g, r, "image-registry-networkpolicy")
		})
		netpolVandalise("image-pruner-networkpolicy", want)
		eventually(func(g Gomega, r client.Reader) { netpolExpect(g, r, "image-pruner-networkpolicy", want) })
	})

	It("keeps the shipped default-deny-all and image-registry-operator-networkpolicy in every state", Label("NETPOL-003"), func() {
		deny, operator := netpolSpec(netpolDenyAllSpec), netpolSpec(netpolOperatorSpec)
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			for _, np := range []*networkingv1.NetworkPolicy{
				netpolExpect(g, r, "default-deny-all", deny),
				netpolExpect(g, r, "image-registry-operator-networkpolicy", operator),
			} {
				g.Expect(np.Annotations).To(HaveKeyWithValue("capability.openshift.io/name", "ImageRegistry"),
					"NetworkPolicy %s/%s metadata.annotations", ns, np.Name)
			}
		})
		netpolVandalise("default-deny-all", deny)
		eventually(func(g Gomega, r client.Reader) { netpolExpect(g, r, "default-deny-all", deny) })
		netpolVandalise("image-registry-operator-networkpolicy", operator)
		eventually(func(g Gomega, r client.Reader) { netpolExpect(g, r, "image-registry-operator-networkpolicy", operator) })
	})
})
