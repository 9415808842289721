package specs

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/cluster"
)

// Literal names of the node-ca DaemonSet (upstream bindata/nodecadaemon.yaml).
const (
	nodeCAName = "node-ca"
	// nodeCAImage is the operator image the harness gives the in-process operator.
	nodeCAImage = "quay.io/openshift/origin-cluster-image-registry-operator:irconform"
)

var nodeCAKey = types.NamespacedName{Namespace: ns, Name: nodeCAName}

func getNodeCA(g Gomega, r client.Reader) *appsv1.DaemonSet {
	var ds appsv1.DaemonSet
	g.Expect(r.Get(ctx(), nodeCAKey, &ds)).To(Succeed(), "DaemonSet openshift-image-registry/node-ca should exist")
	return &ds
}

// nodeTrust is what a simulated node has under /etc/docker/certs.d.
func nodeTrust(g Gomega, node string) map[string]string {
	files, err := env.Simulator.NodeFiles(node, "/etc/docker/certs.d")
	g.Expect(err).NotTo(HaveOccurred(), "read the node's files under /etc/docker/certs.d")
	return files
}

// nodeCASettle is how long the cluster must stay unchanged to count as settled: several of
// the operator's write-and-react rounds (~20 ms each on two busy cores).
const nodeCASettle = 100 * time.Millisecond

var _ = Describe("node-ca DaemonSet", func() {
	It("runs the operator's image as node-ca-sync on every Linux node, privileged, on the host network, tolerating every taint",
		Label("NODECA-001"), func() {
			onPlatform(configv1.LibvirtPlatformType)
			eventually(func(g Gomega, r client.Reader) {
				ds := getNodeCA(g, r)
				g.Expect(ds.Spec.Selector.MatchLabels).To(Equal(map[string]string{"name": "node-ca"}), "DaemonSet node-ca spec.selector.matchLabels")
				g.Expect(ds.Spec.UpdateStrategy.Type).To(Equal(appsv1.RollingUpdateDaemonSetStrategyType), "DaemonSet node-ca spec.updateStrategy.type")
				g.Expect(ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.String()).To(Equal("10%"), "DaemonSet node-ca spec.updateStrategy.rollingUpdate.maxUnavailable")
				t := ds.Spec.Template
				g.Expect(t.Labels).To(HaveKeyWithValue("name", "node-ca"), "DaemonSet node-ca spec.template.labels name")
				g.Expect(t.Annotations).To(HaveKeyWithValue("openshift.io/required-scc", "privileged"), "DaemonSet node-ca spec.template.annotations openshift.io/required-scc")
				g.Expect(t.Spec.NodeSelector).To(Equal(map[string]string{"kubernetes.io/os": "linux"}), "DaemonSet node-ca spec.template.spec.nodeSelector")
				g.Expect(t.Spec.Tolerations).To(Equal([]corev1.Toleration{{Operator: corev1.TolerationOpExists}}), "DaemonSet node-ca spec.template.spec.tolerations")
				g.Expect(t.Spec.HostNetwork).To(BeTrue(), "DaemonSet node-ca spec.template.spec.hostNetwork")
				g.Expect(t.Spec.PriorityClassName).To(Equal("system-cluster-critical"), "DaemonSet node-ca spec.template.spec.priorityClassName")
				g.Expect(t.Spec.ServiceAccountName).To(Equal("node-ca"), "DaemonSet node-ca spec.template.spec.serviceAccountName")
				g.Expect(t.Spec.Containers).To(HaveLen(1), "DaemonSet node-ca spec.template.spec.containers")
				c := t.Spec.Containers[0]
				g.Expect(c.Name).To(Equal("node-ca"), "DaemonSet node-ca spec.template.spec.containers[0].name")
				g.Expect(c.Image).To(Equal(nodeCAImage), "the operator's own image")
				g.Expect(c.Command).To(Equal([]string{"cluster-image-registry-operator"}), "DaemonSet node-ca spec.template.spec.containers[0].command")
				g.Expect(c.Args).To(Equal([]string{"node-ca-sync"}), "DaemonSet node-ca spec.template.spec.containers[0].args")
				g.Expect(c.SecurityContext.Privileged).To(Equal(ptr.To(true)), "DaemonSet node-ca spec.template.spec.containers[0].securityContext.privileged")
				g.Expect(c.VolumeMounts).To(ConsistOf(
					corev1.VolumeMount{Name: "serviceca", MountPath: "/tmp/serviceca"},
					corev1.VolumeMount{Name: "host", MountPath: "/etc/docker/certs.d"}), "DaemonSet node-ca spec.template.spec.containers[0].volumeMounts")
				vols := map[string]corev1.VolumeSource{}
				for _, v := range t.Spec.Volumes {
					vols[v.Name] = v.VolumeSource
				}
				g.Expect(vols).To(HaveLen(2), "DaemonSet node-ca volumes")
				g.Expect(vols["serviceca"].ConfigMap).NotTo(BeNil(), "volume serviceca is a ConfigMap")
				g.Expect(vols["serviceca"].ConfigMap.Name).To(Equal("image-registry-certificates"), "vols[\"serviceca\"].ConfigMap.Name")
				g.Expect(vols["host"].HostPath).NotTo(BeNil(), "volume host is a hostPath")
				g.Expect(vols["host"].HostPath.Path).To(Equal("/etc/docker/certs.d"), "vols[\"host\"].HostPath.Path")
			})
		})

	It("exists whatever the registry's managementState, and hand edits are reverted", Label("NODECA-002"), func() {
		onPlatform(configv1.BareMetalPlatformType) // bootstraps Removed
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getConfig(g, r).Spec.ManagementState).To(Equal(operatorv1.Removed), "Config cluster spec.managementState")
			g.Expect(getNodeCA(g, r).Status.NumberAvailable).To(BeNumerically(">", 0), "DaemonSet node-ca status.numberAvailable")
		})
		By("editing the DaemonSet by hand")
		var edited int64
		Eventually(func() error {
			ds := &appsv1.DaemonSet{}
			if err := env.Client.Get(ctx(), nodeCAKey, ds); err != nil {
				return err
			}
			ds.Spec.Template.Spec.Containers[0].Image = "example.com/hand-edited:1"
			ds.Spec.Template.Spec.Tolerations = nil
			if err := env.Client.Update(ctx(), ds); err != nil {
				return err
			}
			edited = ds.Generation
			return nil
		}).WithTimeout(defaultTimeout).Should(Succeed(), "edit DaemonSet node-ca by hand")
		// Reverted means written again after the edit: a read of the DaemonSet from before the
		// edit (a watch cache that has not seen it yet) must not count.
		eventually(func(g Gomega, r client.Reader) {
			ds := getNodeCA(g, r)
			g.Expect(ds.Generation).To(BeNumerically(">", edited), "DaemonSet node-ca metadata.generation (written again after the hand edit)")
			g.Expect(ds.Spec.Template.Spec.Containers[0].Image).To(Equal(nodeCAImage), "DaemonSet node-ca spec.template.spec.containers[0].image")
			g.Expect(ds.Spec.Template.Spec.Tolerations).To(Equal([]corev1.Toleration{{Operator: corev1.TolerationOpExists}}), "DaemonSet node-ca spec.template.spec.tolerations")
		})
		By("deleting it")
		Expect(env.Client.Delete(ctx(), &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: nodeCAName}})).To(Succeed(), "delete DaemonSet node-ca")
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getNodeCA(g, r).Spec.Template.Spec.Containers[0].Args).To(Equal([]string{"node-ca-sync"}), "DaemonSet node-ca spec.template.spec.containers[0].args")
		})
	})

	It("reports the DaemonSet's rollout as NodeCADaemonAvailable and NodeCADaemonProgressing, which feed the ClusterOperator",
		Label("NODECA-003", "STATUS-007"), func() {
			onPlatform(configv1.BareMetalPlatformType)
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				expectCondition(g, cfg.Status.Conditions, "NodeCADaemonAvailable", operatorv1.ConditionTrue, "AsExpected", "The daemon set node-ca has available replicas")
				expectCondition(g, cfg.Status.Conditions, "NodeCADaemonProgressing", operatorv1.ConditionFalse, "AsExpected", "The daemon set node-ca is deployed")
				av := coCondition(g, getCO(g, r), configv1.OperatorAvailable)
				g.Expect(av.Message).To(ContainSubstring("NodeCADaemonAvailable: The daemon set node-ca has available replicas"), "ClusterOperator image-registry condition Available message")
			})
			// Once the operator's start-up writes have run their course, the DaemonSet's change
			// below is the only news: it must reach the Config's status on its own, not ride
			// along with a sync that was happening anyway.
			Expect(env.Watch.Settle(ctx(), nodeCASettle, defaultTimeout)).To(BeTrue(), "the cluster stops changing after the operator's start-up")
			By("no pod available")
			Expect(env.Simulator.SetDaemonSetMode(ctx(), ns, nodeCAName, cluster.DaemonSetUnavailable)).To(Succeed(), "Simulator set daemon set mode")
			eventually(func(g Gomega, r client.Reader) {
				expectCondition(g, getConfig(g, r).Status.Conditions, "NodeCADaemonAvailable", operatorv1.ConditionFalse, "NoAvailableReplicas",
					"The daemon set node-ca does not have available replicas")
				av := coCondition(g, getCO(g, r), configv1.OperatorAvailable)
				g.Expect(av.Status).To(Equal(configv1.ConditionFalse), "CO Available follows NodeCADaemonAvailable")
				// Two abnormal reasons (the registry is Removed, node-ca has no pod): joined with "::".
				g.Expect(strings.Split(av.Reason, "::")).To(ConsistOf("NodeCADaemonNoAvailableReplicas", "Removed"), "ClusterOperator image-registry condition Available reason")
				g.Expect(av.Message).To(ContainSubstring("NodeCADaemonAvailable: The daemon set node-ca does not have available replicas"), "ClusterOperator image-registry condition Available message")
			})
			By("a pod still on the old template")
			Expect(env.Simulator.SetDaemonSetMode(ctx(), ns, nodeCAName, cluster.DaemonSetUpdating)).To(Succeed(), "Simulator set daemon set mode")
			eventually(func(g Gomega, r client.Reader) {
				expectCondition(g, getConfig(g, r).Status.Conditions, "NodeCADaemonProgressing", operatorv1.ConditionTrue, "Progressing",
					"The daemon set node-ca is updating node pods")
				pr := coCondition(g, getCO(g, r), configv1.OperatorProgressing)
				g.Expect(pr.Status).To(Equal(configv1.ConditionTrue), "CO Progressing follows NodeCADaemonProgressing")
				g.Expect(pr.Message).To(ContainSubstring("NodeCADaemonProgressing: The daemon set node-ca is updating node pods"), "ClusterOperator image-registry condition Progressing message")
			})
		})

	It("removes a registry's trust directory from every node when its key leaves image-registry-certificates", Label("NODECA-004", "CA-004"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		a, b := caPEM("a.example.com"), caPEM("b.example.com")
		caSetTrustedCA(caSourceConfigMap("irconform-node-cas", map[string]string{"a.example.com..5000": a, "b.example.com": b}))
		for _, node := range cluster.Nodes {
			Eventually(func(g Gomega) {
				files := nodeTrust(g, node)
				g.Expect(files).To(HaveKeyWithValue("/etc/docker/certs.d/a.example.com:5000/ca.crt", a), "node %s", node)
				g.Expect(files).To(HaveKeyWithValue("/etc/docker/certs.d/b.example.com/ca.crt", b), "node %s", node)
			}).WithTimeout(defaultTimeout).Should(Succeed(), "CA files on the node")
		}
		caUpdateSource("irconform-node-cas", func(cm *corev1.ConfigMap) { delete(cm.Data, "a.example.com..5000") })
		for _, node := range cluster.Nodes {
			Eventually(func(g Gomega) {
				files := nodeTrust(g, node)
				g.Expect(files).NotTo(HaveKey("/etc/docker/certs.d/a.example.com:5000/ca.crt"), "node %s", node)
				g.Expect(files).To(HaveKeyWithValue("/etc/docker/certs.d/b.example.com/ca.crt", b), "node %s", node)
			}).WithTimeout(defaultTimeout).Should(Succeed(), "CA files on the node after the source changed")
		}
	})
})
