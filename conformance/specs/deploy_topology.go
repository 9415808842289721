package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// topoDefault is the constraint the registry gets per topology key by default.
func topoDefault(key string) corev1.TopologySpreadConstraint {
	honor := corev1.NodeInclusionPolicyHonor
	return corev1.TopologySpreadConstraint{
		MaxSkew:            1,
		TopologyKey:        key,
		WhenUnsatisfiable:  corev1.DoNotSchedule,
		LabelSelector:      &metav1.LabelSelector{MatchLabels: map[string]string{"docker-registry": "default"}},
		MatchLabelKeys:     []string{"pod-template-hash"},
		NodeAffinityPolicy: &honor,
		NodeTaintsPolicy:   &honor,
	}
}

func topoExpect(want []corev1.TopologySpreadConstraint) {
	GinkgoHelper()
	eventually(func(g Gomega, r client.Reader) {
		g.Expect(getDeployment(g, r).Spec.Template.Spec.TopologySpreadConstraints).To(Equal(want),
			"Deployment image-registry spec.template.spec.topologySpreadConstraints")
	})
}

var _ = Describe("Registry topology spread", func() {
	It("spreads over hostnames and workers by default, drops the default for a nodeSelector, and takes the spec's constraints as given",
		Label("DEPLOY-011"), func() {
			depRegistry()
			topoExpect([]corev1.TopologySpreadConstraint{topoDefault("kubernetes.io/hostname"), topoDefault("node-role.kubernetes.io/worker")})

			updateConfig(func(cfg *imageregistryv1.Config) {
				cfg.Spec.NodeSelector = map[string]string{"node-role.kubernetes.io/infra": ""}
			})
			topoExpect(nil)

			own := []corev1.TopologySpreadConstraint{{
				MaxSkew: 2, TopologyKey: "irconform.example/rack", WhenUnsatisfiable: corev1.ScheduleAnyway,
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"docker-registry": "default"}},
			}}
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.TopologySpreadConstraints = own })
			topoExpect(own)
		})

	It("also spreads over zones once a node carries topology.kubernetes.io/zone", Label("DEPLOY-011"), func() {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "irconform-zoned-worker",
			Labels: map[string]string{"topology.kubernetes.io/zone": "us-east-1a", "node-role.kubernetes.io/worker": ""}}}
		Expect(env.Client.Create(ctx(), node)).To(Succeed(), "Node irconform-zoned-worker create")
		DeferCleanup(func() {
			Expect(client.IgnoreNotFound(env.Client.Delete(ctx(), node))).To(Succeed(), "Node irconform-zoned-worker delete")
		})
		onPlatform(configv1.LibvirtPlatformType)
		topoExpect([]corev1.TopologySpreadConstraint{
			topoDefault("kubernetes.io/hostname"), topoDefault("node-role.kubernetes.io/worker"), topoDefault("topology.kubernetes.io/zone"),
		})
	})
})
