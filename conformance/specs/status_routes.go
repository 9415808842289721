package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/cluster"
)

var _ = Describe("Route admission", func() {
	It("reports a route the router does not admit as Degraded RouteDegraded, and recovers once it is admitted", Label("STATUS-012"), func() {
		depRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.DefaultRoute = true
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "public", Hostname: "registry.irconform.example"}}
		})
		readyRegistry()
		Expect(env.Simulator.RejectHost(ctx(), "registry.irconform.example", cluster.Rejection{
			Reason: "HostAlreadyClaimed", Message: "route mirror in namespace team-a already exposes registry.irconform.example",
		})).To(Succeed(), "simulated router rejects host registry.irconform.example")

		const msg = "route public (host registry.irconform.example, router default) not admitted: route mirror in namespace team-a already exposes registry.irconform.example"
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "Available", operatorv1.ConditionTrue, "Ready", "The registry is ready")
			expectCondition(g, cfg.Status.Conditions, "Degraded", operatorv1.ConditionTrue, "RouteDegraded", msg)
			d := coCondition(g, getCO(g, r), configv1.OperatorDegraded)
			g.Expect(d.Status).To(Equal(configv1.ConditionTrue), "ClusterOperator image-registry condition Degraded status")
			g.Expect(d.Reason).To(Equal("RouteDegraded"), "ClusterOperator image-registry condition Degraded reason")
			g.Expect(d.Message).To(Equal("Degraded: "+msg), "ClusterOperator image-registry condition Degraded message")
		})

		Expect(env.Simulator.AdmitHost(ctx(), "registry.irconform.example")).To(Succeed(), "simulated router admits host registry.irconform.example")
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "Degraded", operatorv1.ConditionFalse, "", "")
		})
	})
})
