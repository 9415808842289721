package specs

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// The ServiceMonitors the upstream operator ships, spec by spec.
const (
	metricsOperatorMonitorSpec = `
endpoints:
- targetPort: 60000
  interval: 60s
  scheme: https
  path: /metrics
  tlsConfig:
    caFile: /etc/prometheus/configmaps/serving-certs-ca-bundle/service-ca.crt
    serverName: image-registry-operator.openshift-image-registry.svc
selector:
  matchLabels:
    name: image-registry-operator
`
	metricsOperandMonitorSpec = `
endpoints:
- bearerTokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
  interval: 30s
  port: "5000-tcp"
  scheme: https
  path: /extensions/v2/metrics
  targetPort: 5000
  tlsConfig:
    caFile: /etc/prometheus/configmaps/serving-certs-ca-bundle/service-ca.crt
    serverName: image-registry.openshift-image-registry.svc
namespaceSelector:
  matchNames:
  - openshift-image-registry
selector: {}
`
)

// metricsMonitor reads ServiceMonitor ns/name from the API server (unstructured: the spec
// compares it with the shipped manifest as data, whatever the Go types of the day).
func metricsMonitor(g Gomega, name string) *unstructured.Unstructured {
	sm := &unstructured.Unstructured{}
	sm.SetAPIVersion("monitoring.coreos.com/v1")
	sm.SetKind("ServiceMonitor")
	g.Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: name}, sm)).To(Succeed(), "ServiceMonitor %s/%s should exist", ns, name)
	return sm
}

func metricsExpectMonitor(g Gomega, name, specYAML string) {
	var want map[string]any
	Expect(yaml.Unmarshal([]byte(specYAML), &want)).To(Succeed(), "the spec's own ServiceMonitor literal parses")
	sm := metricsMonitor(g, name)
	// Compare as JSON data: numbers decode the same way on both sides.
	raw, err := json.Marshal(sm.Object["spec"])
	g.Expect(err).NotTo(HaveOccurred(), "ServiceMonitor %s/%s spec encodes", ns, name)
	var seen map[string]any
	g.Expect(yaml.Unmarshal(raw, &seen)).To(Succeed(), "ServiceMonitor %s/%s spec decodes", ns, name)
	g.Expect(seen).To(Equal(want), "ServiceMonitor %s/%s spec", ns, name)
	g.Expect(sm.GetAnnotations()).To(HaveKeyWithValue("capability.openshift.io/name", "ImageRegistry"), "ServiceMonitor %s/%s metadata.annotations", ns, name)
}

var _ = Describe("Metrics endpoints", func() {
	It("exposes the operator's metrics port 60000 through Service image-registry-operator and ServiceMonitor image-registry-operator", Label("METRICS-001"), func() {
		onPlatform(configv1.BareMetalPlatformType) // whatever the registry's state
		eventually(func(g Gomega, r client.Reader) {
			var svc corev1.Service
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry-operator"}, &svc)).To(Succeed(), "Service %s/image-registry-operator should exist", ns)
			g.Expect(svc.Labels).To(HaveKeyWithValue("name", "image-registry-operator"), "Service image-registry-operator metadata.labels")
			g.Expect(svc.Annotations).To(HaveKeyWithValue("service.alpha.openshift.io/serving-cert-secret-name", "image-registry-operator-tls"),
				"Service image-registry-operator metadata.annotations (serving certificate secret)")
			g.Expect(svc.Spec.ClusterIP).To(Equal("None"), "Service image-registry-operator spec.clusterIP (headless)")
			g.Expect(svc.Spec.Selector).To(Equal(map[string]string{"name": "cluster-image-registry-operator"}), "Service image-registry-operator spec.selector")
			g.Expect(svc.Spec.Ports).To(HaveLen(1), "Service image-registry-operator spec.ports")
			g.Expect(svc.Spec.Ports[0].Port).To(Equal(int32(60000)), "Service image-registry-operator spec.ports[0].port")
			g.Expect(svc.Spec.Ports[0].TargetPort).To(Equal(intstr.FromInt32(60000)), "Service image-registry-operator spec.ports[0].targetPort")
			g.Expect(svc.Spec.Ports[0].Protocol).To(Equal(corev1.ProtocolTCP), "Service image-registry-operator spec.ports[0].protocol")
			metricsExpectMonitor(g, "image-registry-operator", metricsOperatorMonitorSpec)
		})
		// Deleted by hand, it comes back.
		sm := metricsMonitor(Default, "image-registry-operator")
		Expect(env.Client.Delete(ctx(), sm)).To(Succeed(), "ServiceMonitor image-registry-operator delete")
		eventually(func(g Gomega, _ client.Reader) {
			g.Expect(metricsMonitor(g, "image-registry-operator").GetUID()).NotTo(Equal(sm.GetUID()), "ServiceMonitor image-registry-operator metadata.uid (recreated)")
		})
	})

	It("has ServiceMonitor image-registry scrape the registry at /extensions/v2/metrics on port 5000-tcp", Label("METRICS-002"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		eventually(func(g Gomega, r client.Reader) {
			metricsExpectMonitor(g, "image-registry", metricsOperandMonitorSpec)
			// The port it names is the registry Service's.
			var svc corev1.Service
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry"}, &svc)).To(Succeed(), "Service %s/image-registry should exist", ns)
			g.Expect(svc.Spec.Ports).To(ContainElement(HaveField("Name", "5000-tcp")), "Service image-registry spec.ports[].name")
		})
	})
})

// metricsScrape reads the operator's metrics endpoint and returns its sample lines.
func metricsScrape(g Gomega) []string {
	url := env.OperatorMetricsURL()
	g.Expect(url).NotTo(BeEmpty(), "the operator's metrics URL")
	resp, err := http.Get(url) //nolint:gosec,noctx // the in-process operator on 127.0.0.1
	g.Expect(err).NotTo(HaveOccurred(), "GET %s", url)
	defer resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK), "GET %s status", url)
	body, err := io.ReadAll(resp.Body)
	g.Expect(err).NotTo(HaveOccurred(), "GET %s body", url)
	var samples []string
	for _, line := range strings.Split(string(body), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			samples = append(samples, line)
		}
	}
	return samples
}

// metricsExpect waits until the operator's metrics carry every sample line of want.
func metricsExpect(want ...string) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		samples := metricsScrape(g)
		for _, w := range want {
			// Name the samples of the same metric: the whole scrape is too long to show.
			name, _, _ := strings.Cut(w, " ")
			name, _, _ = strings.Cut(name, "{")
			var same []string
			for _, x := range samples {
				if strings.HasPrefix(x, name+" ") || strings.HasPrefix(x, name+"{") {
					same = append(same, x)
				}
			}
			g.Expect(samples).To(ContainElement(w), "operator metrics /metrics sample %s (seen: %q)", w, same)
		}
	}).WithTimeout(defaultTimeout).WithPolling(100*time.Millisecond).Should(Succeed(), "operator metrics at /metrics")
}

var _ = Describe("Operator metrics", func() {
	It("serves the storage type, storage reconfigurations and the pruner's install status at /metrics", Label("METRICS-003", "needs:operator-metrics"), func() {
		depRegistry()
		metricsExpect(
			`image_registry_storage_type{storage="EmptyDir"} 1`,
			`image_registry_operator_storage_reconfigured_total 0`,
			`image_registry_operator_image_pruner_install_status 2`,
		)

		pruneUpdate(func(p *imageregistryv1.ImagePruner) { suspend := true; p.Spec.Suspend = &suspend })
		metricsExpect(`image_registry_operator_image_pruner_install_status 1`)

		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Storage = imageregistryv1.ImageRegistryConfigStorage{PVC: &imageregistryv1.ImageRegistryConfigStoragePVC{}}
			cfg.Spec.RolloutStrategy = "Recreate"
		})
		metricsExpect(
			`image_registry_storage_type{storage="PVC"} 1`,
			`image_registry_operator_storage_reconfigured_total 1`,
		)
	})
})
