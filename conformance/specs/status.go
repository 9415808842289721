package specs

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/cluster"
)

var _ = Describe("Status", func() {
	It("tracks metadata.generation in observedGeneration and the Deployment in readyReplicas", Label("STATUS-001"), func() {
		createConfig(managedEmptyDir(2))
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Status.ObservedGeneration).To(Equal(cfg.Generation), "Config cluster status.observedGeneration")
			g.Expect(cfg.Status.ReadyReplicas).To(Equal(int32(2)), "Config cluster status.readyReplicas")
		})
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutPartial)).To(Succeed(), "Simulator set rollout")
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = 3 })
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Status.ObservedGeneration).To(Equal(cfg.Generation), "Config cluster status.observedGeneration")
			g.Expect(cfg.Status.ReadyReplicas).To(Equal(int32(1)), "one replica ready while the rollout is held")
		})
	})

	It("reports Unmanaged as available, not progressing, not degraded", Label("STATUS-002"), func() {
		spec := managedEmptyDir(1)
		spec.ManagementState = operatorv1.Unmanaged
		createConfig(spec)
		onPlatform(configv1.LibvirtPlatformType)
		msg := "The registry configuration is set to unmanaged mode"
		eventually(func(g Gomega, r client.Reader) {
			c := getConfig(g, r).Status.Conditions
			expectCondition(g, c, "Available", operatorv1.ConditionTrue, "Unmanaged", msg)
			expectCondition(g, c, "Progressing", operatorv1.ConditionFalse, "Unmanaged", msg)
			expectCondition(g, c, "Degraded", operatorv1.ConditionFalse, "Unmanaged", msg)
		})
	})

	It("reports Removed as available-but-removed, not as a failure", Label("STATUS-003", "platform:baremetal"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			c := getConfig(g, r).Status.Conditions
			expectCondition(g, c, "Available", operatorv1.ConditionTrue, "Removed", "The registry is removed")
			expectCondition(g, c, "Progressing", operatorv1.ConditionFalse, "Removed", "All registry resources are removed")
			expectCondition(g, c, "Degraded", operatorv1.ConditionFalse, "Removed", "The registry is removed")
			expectCondition(g, c, "Removed", operatorv1.ConditionTrue, "Removed", "The registry is removed")
		})
	})

	It("reports Ready, MinimumAvailability, NoReplicasAvailable and DeploymentNotCompleted from the rollout", Label("STATUS-004"), func() {
		createConfig(managedEmptyDir(2))
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			c := getConfig(g, r).Status.Conditions
			expectCondition(g, c, "Available", operatorv1.ConditionTrue, "Ready", "The registry is ready")
			expectCondition(g, c, "Progressing", operatorv1.ConditionFalse, "Ready", "The registry is ready")
		})
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutPartial)).To(Succeed(), "Simulator set rollout")
		eventually(func(g Gomega, r client.Reader) {
			c := getConfig(g, r).Status.Conditions
			expectCondition(g, c, "Available", operatorv1.ConditionTrue, "MinimumAvailability", "The registry has minimum availability")
			expectCondition(g, c, "Progressing", operatorv1.ConditionTrue, "DeploymentNotCompleted", "The deployment has not completed")
		})
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutNone)).To(Succeed(), "Simulator set rollout")
		eventually(func(g Gomega, r client.Reader) {
			c := getConfig(g, r).Status.Conditions
			expectCondition(g, c, "Available", operatorv1.ConditionFalse, "NoReplicasAvailable", "The deployment does not have available replicas")
			expectCondition(g, c, "Progressing", operatorv1.ConditionTrue, "DeploymentNotCompleted", "The deployment has not completed")
		})
	})

	It("reports an invalid spec the CRD admits as Degraded VerificationFailed with an Error: message", Label("STATUS-005", "STATUS-011"), func() {
		spec := managedEmptyDir(1)
		spec.Replicas = -1
		createConfig(spec)
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			c := condition(g, getConfig(g, r).Status.Conditions, "Degraded")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition Degraded status")
			g.Expect(c.Reason).To(Equal("VerificationFailed"), "Config cluster condition Degraded reason")
			g.Expect(c.Message).To(HavePrefix("Error: "), "Config cluster condition Degraded message")
			g.Expect(c.Message).To(ContainSubstring("replicas must be greater than or equal to 0"), "Config cluster condition Degraded message")
		})
	})

	DescribeTable("refuses route names the CRD admits but the operator cannot honour",
		func(routes []imageregistryv1.ImageRegistryConfigRoute) {
			spec := managedEmptyDir(1)
			spec.Routes = routes
			createConfig(spec)
			onPlatform(configv1.LibvirtPlatformType)
			eventually(func(g Gomega, r client.Reader) {
				c := condition(g, getConfig(g, r).Status.Conditions, "Degraded")
				g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition Degraded status")
				g.Expect(c.Reason).To(Equal("VerificationFailed"), "Config cluster condition Degraded reason")
				g.Expect(c.Message).To(ContainSubstring("duplication of names has been detected in the additional routes"), "Config cluster condition Degraded message")
			})
		},
		Entry("a route named default-route", Label("STATUS-011"), []imageregistryv1.ImageRegistryConfigRoute{{Name: "default-route", Hostname: "a.example.com"}}),
		Entry("duplicate route names", Label("STATUS-011"), []imageregistryv1.ImageRegistryConfigRoute{{Name: "r1", Hostname: "a.example.com"}, {Name: "r1", Hostname: "b.example.com"}}),
	)

	It("turns Degraded Unavailable after 5 minutes without availability (simulated time)", Label("STATUS-006", "needs:clock"), func() {
		createConfig(managedEmptyDir(1))
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutNone)).To(Succeed(), "Simulator set rollout")
		eventually(func(g Gomega, r client.Reader) {
			c := getConfig(g, r).Status.Conditions
			expectCondition(g, c, "Available", operatorv1.ConditionFalse, "NoReplicasAvailable", "")
			expectCondition(g, c, "Degraded", operatorv1.ConditionFalse, "", "")
		})
		env.Advance(5*time.Minute + 30*time.Second)
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Annotations = map[string]string{"irconform/poke": "1"} })
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "Degraded", operatorv1.ConditionTrue, "Unavailable", "The deployment does not have available replicas")
		})
	})

	It("turns Degraded ProgressDeadlineExceeded when a rollout times out while the registry is still available", Label("STATUS-006"), func() {
		createConfig(managedEmptyDir(2))
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutStalled)).To(Succeed(), "Simulator set rollout")
		eventually(func(g Gomega, r client.Reader) {
			conds := getConfig(g, r).Status.Conditions
			g.Expect(condition(g, conds, "Available").Status).To(Equal(operatorv1.ConditionTrue), "Config condition Available (one replica serves)")
			c := condition(g, conds, "Degraded")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "Config condition Degraded status")
			g.Expect(c.Reason).To(Equal("ProgressDeadlineExceeded"), "Config condition Degraded reason")
			g.Expect(c.Message).To(HavePrefix("Registry deployment has timed out progressing: "), "Config condition Degraded message")
		})
	})

	It("leaves a timed-out rollout with no replica available to the 5-minute Unavailable rule", Label("STATUS-006"), func() {
		createConfig(managedEmptyDir(1))
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutDeadlineExceeded)).To(Succeed(), "Simulator set rollout")
		eventually(func(g Gomega, r client.Reader) {
			conds := getConfig(g, r).Status.Conditions
			expectCondition(g, conds, "Available", operatorv1.ConditionFalse, "NoReplicasAvailable", "")
			expectCondition(g, conds, "Degraded", operatorv1.ConditionFalse, "", "")
		})
		// A later sync (a Config edit the operator must observe) does not change that within
		// the 5 minutes.
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = operatorv1.Debug })
		waitObserved()
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "get Config cluster")
		c := condition(Default, cfg.Status.Conditions, "Degraded")
		Expect(c.Status).To(Equal(operatorv1.ConditionFalse), "Config condition Degraded status (reason %q)", c.Reason)
	})

	It("unions Config and pruner conditions on the ClusterOperator by type suffix", Label("STATUS-007", "platform:baremetal"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			co := getCO(g, r)
			av := coCondition(g, co, configv1.OperatorAvailable)
			g.Expect(av.Status).To(Equal(configv1.ConditionTrue), "ClusterOperator image-registry condition Available status")
			g.Expect(av.Reason).To(Equal("Removed"), "ClusterOperator image-registry condition Available reason")
			g.Expect(strings.Split(av.Message, "\n")).To(ContainElements("Available: The registry is removed", "ImagePrunerAvailable: Pruner CronJob has been created"), "ClusterOperator image-registry condition Available message lines")
			pr := coCondition(g, co, configv1.OperatorProgressing)
			g.Expect(pr.Status).To(Equal(configv1.ConditionFalse), "ClusterOperator image-registry condition Progressing status")
			g.Expect(pr.Reason).To(Equal("Removed"), "ClusterOperator image-registry condition Progressing reason")
			g.Expect(pr.Message).To(ContainSubstring("Progressing: All registry resources are removed"), "ClusterOperator image-registry condition Progressing message")
			dg := coCondition(g, co, configv1.OperatorDegraded)
			g.Expect(dg.Status).To(Equal(configv1.ConditionFalse), "ClusterOperator image-registry condition Degraded status")
			g.Expect(dg.Reason).To(Equal("Removed"), "ClusterOperator image-registry condition Degraded reason")
			g.Expect(dg.Message).To(ContainSubstring("Degraded: The registry is removed"), "ClusterOperator image-registry condition Degraded message")
		})
		// A failed pruner job and a partial rollout join with "::" in sorted order.
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.ManagementState = operatorv1.Managed
			cfg.Spec.Storage.EmptyDir = &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}
		})
		readyRegistry()
		eventually(func(g Gomega, r client.Reader) {
			dg := coCondition(g, getCO(g, r), configv1.OperatorDegraded)
			g.Expect(dg.Status).To(Equal(configv1.ConditionFalse), "ClusterOperator image-registry condition Degraded status")
			g.Expect(dg.Reason).To(Equal("AsExpected"), "ClusterOperator image-registry condition Degraded reason")
		})
		_, err := env.Simulator.RunPrunerJob(ctx(), ns, "image-pruner", false, "Job has reached the specified backoff limit")
		Expect(err).NotTo(HaveOccurred(), "Simulator run pruner job image-pruner Job has reached the specified backoff limit")
		eventually(func(g Gomega, r client.Reader) {
			dg := coCondition(g, getCO(g, r), configv1.OperatorDegraded)
			g.Expect(dg.Status).To(Equal(configv1.ConditionTrue), "ClusterOperator image-registry condition Degraded status")
			g.Expect(dg.Reason).To(Equal("ImagePrunerJobFailed"), "ClusterOperator image-registry condition Degraded reason")
			g.Expect(dg.Message).To(ContainSubstring("ImagePrunerDegraded: Job has reached the specified backoff limit"), "ClusterOperator image-registry condition Degraded message")
		})
	})

	It("lists the six related objects in upstream order", Label("STATUS-008"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getCO(g, r).Status.RelatedObjects).To(Equal([]configv1.ObjectReference{
				{Group: "imageregistry.operator.openshift.io", Resource: "configs", Name: "cluster"},
				{Group: "imageregistry.operator.openshift.io", Resource: "imagepruners", Name: "cluster"},
				{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: "system:registry"},
				{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Name: "registry-registry-role"},
				{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Name: "openshift-image-registry-pruner"},
				{Group: "", Resource: "namespaces", Name: "openshift-image-registry"},
			}), "ClusterOperator image-registry status.relatedObjects")
		})
	})

	It("sets the operator version only once a Managed rollout is complete", Label("STATUS-009"), func() {
		createConfig(managedEmptyDir(1))
		env.Simulator.Reset()
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutNone)).To(Succeed(), "Simulator set rollout")
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "Available", operatorv1.ConditionFalse, "NoReplicasAvailable", "")
			g.Expect(getCO(g, r).Status.Versions).To(BeEmpty(), "no version while the rollout is incomplete")
		})
		Expect(env.Simulator.SetRollout(ctx(), ns, registryName, cluster.RolloutComplete)).To(Succeed(), "Simulator set rollout")
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getCO(g, r).Status.Versions).To(Equal([]configv1.OperandVersion{{Name: "operator", Version: harness.ReleaseVersion}}), "ClusterOperator image-registry status.versions")
		})
	})

	It("shows the ClusterOperator Available and not Degraded once bare-metal storage is configured and Managed", Label("STATUS-010", "platform:baremetal"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(coCondition(g, getCO(g, r), configv1.OperatorAvailable).Reason).To(Equal("Removed"), "ClusterOperator image-registry condition Available reason")
		})
		// The documented bare-metal steps: a PVC storage stanza, then Managed.
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Storage.PVC = &imageregistryv1.ImageRegistryConfigStoragePVC{}
			cfg.Spec.RolloutStrategy = "Recreate"
			cfg.Spec.ManagementState = operatorv1.Managed
		})
		eventually(func(g Gomega, r client.Reader) {
			co := getCO(g, r)
			g.Expect(coCondition(g, co, configv1.OperatorAvailable).Status).To(Equal(configv1.ConditionTrue), "ClusterOperator image-registry condition Available status")
			g.Expect(coCondition(g, co, configv1.OperatorAvailable).Reason).NotTo(ContainSubstring("Removed"), "ClusterOperator image-registry condition Available reason")
			g.Expect(coCondition(g, co, configv1.OperatorDegraded).Status).To(Equal(configv1.ConditionFalse), "ClusterOperator image-registry condition Degraded status")
			g.Expect(coCondition(g, co, configv1.OperatorProgressing).Status).To(Equal(configv1.ConditionFalse), "ClusterOperator image-registry condition Progressing status")
		})
	})
})
