package specs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/cluster"
)

const (
	caCertsName   = "image-registry-certificates"
	caCondition   = "ImageRegistryCertificatesControllerDegraded"
	caServiceKey  = "image-registry.openshift-image-registry.svc..5000"
	caServiceKey2 = "image-registry.openshift-image-registry.svc.cluster.local..5000"
)

// caPEM makes a self-signed CA certificate for cn, PEM-encoded.
func caPEM(cn string) string {
	GinkgoHelper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred(), "generate a CA key")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred(), "create a CA certificate")
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func caSourceConfigMap(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-config", Name: name}, Data: data}
}

// caSetTrustedCA creates source (when not nil) in openshift-config and points
// images.config.openshift.io/cluster spec.additionalTrustedCA at it (nil: clears the reference).
func caSetTrustedCA(source *corev1.ConfigMap) {
	GinkgoHelper()
	name := ""
	if source != nil {
		Expect(env.Client.Create(ctx(), source.DeepCopy())).To(Succeed(), "create ConfigMap")
		name = source.Name
	}
	Eventually(func() error {
		var img configv1.Image
		err := env.Client.Get(ctx(), types.NamespacedName{Name: "cluster"}, &img)
		if apierrors.IsNotFound(err) {
			img = configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
			img.Spec.AdditionalTrustedCA.Name = name
			return env.Client.Create(ctx(), &img)
		}
		if err != nil {
			return err
		}
		img.Spec.AdditionalTrustedCA.Name = name
		return env.Client.Update(ctx(), &img)
	}).WithTimeout(defaultTimeout).WithPolling(10*time.Millisecond).Should(Succeed(), "set Image cluster spec.additionalTrustedCA")
}

func caUpdateSource(name string, mutate func(cm *corev1.ConfigMap)) {
	GinkgoHelper()
	Eventually(func() error {
		var cm corev1.ConfigMap
		if err := env.Client.Get(ctx(), types.NamespacedName{Namespace: "openshift-config", Name: name}, &cm); err != nil {
			return err
		}
		mutate(&cm)
		return env.Client.Update(ctx(), &cm)
	}).WithTimeout(defaultTimeout).WithPolling(10*time.Millisecond).Should(Succeed(), "update the CA source ConfigMap in openshift-config")
}

func caCerts(g Gomega, r client.Reader) *corev1.ConfigMap {
	var cm corev1.ConfigMap
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: caCertsName}, &cm)).To(Succeed(), "ConfigMap image-registry-certificates")
	return &cm
}

var _ = Describe("Additional trusted CAs", func() {
	It("keeps image-registry-certificates with the registry Service's own keys carrying the service CA", Label("CA-003"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		serviceCA := env.Simulator.ServiceCAPEM()
		eventually(func(g Gomega, r client.Reader) {
			cm := caCerts(g, r)
			g.Expect(cm.Annotations).To(HaveKeyWithValue("openshift.io/owning-component", "Image Registry"), "ConfigMap image-registry-certificates annotations openshift.io/owning-component")
			g.Expect(cm.Data).To(HaveKeyWithValue(caServiceKey, serviceCA), "ConfigMap image-registry-certificates data image-registry.openshift-image-registry.svc..5000")
			g.Expect(cm.Data).To(HaveKeyWithValue(caServiceKey2, serviceCA), "ConfigMap image-registry-certificates data image-registry.openshift-image-registry.svc.cluster.local..5000")
			var managed corev1.ConfigMap
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: "openshift-config-managed", Name: "image-registry-ca"}, &managed)).To(Succeed(), "read ConfigMap image-registry-ca")
			g.Expect(managed.Data).To(Equal(map[string]string{caServiceKey: serviceCA, caServiceKey2: serviceCA}), "ConfigMap image-registry-ca data")
		})
	})

	It("copies each key of the additionalTrustedCA ConfigMap, unchanged, beside the service keys", Label("CA-001", "CA-003"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		plain, port := caPEM("registry.example.com"), caPEM("registry-with-port.example.com")
		caSetTrustedCA(caSourceConfigMap("irconform-registry-cas", map[string]string{
			"registry.example.com":                 plain,
			"registry-with-port.example.com..5000": port,
		}))
		eventually(func(g Gomega, r client.Reader) {
			cm := caCerts(g, r)
			g.Expect(cm.Data).To(HaveKeyWithValue("registry.example.com", plain), "ConfigMap image-registry-certificates data registry.example.com")
			g.Expect(cm.Data).To(HaveKeyWithValue("registry-with-port.example.com..5000", port), "ConfigMap image-registry-certificates data registry-with-port.example.com..5000")
			g.Expect(cm.Data).To(HaveKey(caServiceKey), "ConfigMap image-registry-certificates data image-registry.openshift-image-registry.svc..5000")
			g.Expect(cm.Data).To(HaveKey(caServiceKey2), "ConfigMap image-registry-certificates data image-registry.openshift-image-registry.svc.cluster.local..5000")
			g.Expect(cm.Data).To(HaveLen(4), "ConfigMap image-registry-certificates data")
			var managed corev1.ConfigMap
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: "openshift-config-managed", Name: "image-registry-ca"}, &managed)).To(Succeed(), "read ConfigMap image-registry-ca")
			g.Expect(managed.Data).NotTo(HaveKey("registry.example.com"), "image-registry-ca carries no additional CAs")
			expectCondition(g, getConfig(g, r).Status.Conditions, caCondition, operatorv1.ConditionFalse, "AsExpected", "")
		})
	})

	It("refuses ':' in a ConfigMap key, which is why a port is written host..port", Label("CA-002"), func() {
		err := env.Client.Create(ctx(), caSourceConfigMap("irconform-colon", map[string]string{"registry.example.com:5000": caPEM("x")}))
		Expect(err).To(HaveOccurred(), "create ConfigMap")
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "refused as Invalid: %v", err)
		Expect(err.Error()).To(ContainSubstring("registry.example.com:5000"), "create ConfigMap: the API's error")
		Expect(err.Error()).To(ContainSubstring("a valid config key must consist of alphanumeric characters, '-', '_' or '.'"), "create ConfigMap: the API's error")
		AddReportEntry("API refusal", err.Error())
		// The documented spelling is accepted and reaches the registry.
		onPlatform(configv1.LibvirtPlatformType)
		pemText := caPEM("registry.example.com")
		caSetTrustedCA(caSourceConfigMap("irconform-dotdot", map[string]string{"registry.example.com..5000": pemText}))
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(caCerts(g, r).Data).To(HaveKeyWithValue("registry.example.com..5000", pemText), "ConfigMap image-registry-certificates data registry.example.com..5000")
		})
	})

	It("follows updates and removal of the source, and reports a missing one", Label("CA-004"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		a, b, b2 := caPEM("a.example.com"), caPEM("b.example.com"), caPEM("b2.example.com")
		caSetTrustedCA(caSourceConfigMap("irconform-cas", map[string]string{"a.example.com": a}))
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(caCerts(g, r).Data).To(HaveKeyWithValue("a.example.com", a), "ConfigMap image-registry-certificates data a.example.com")
		})
		By("adding a key and changing one")
		caUpdateSource("irconform-cas", func(cm *corev1.ConfigMap) { cm.Data["b.example.com..8443"] = b })
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(caCerts(g, r).Data).To(HaveKeyWithValue("b.example.com..8443", b), "ConfigMap image-registry-certificates data b.example.com..8443")
		})
		caUpdateSource("irconform-cas", func(cm *corev1.ConfigMap) { cm.Data["b.example.com..8443"] = b2 })
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(caCerts(g, r).Data).To(HaveKeyWithValue("b.example.com..8443", b2), "ConfigMap image-registry-certificates data b.example.com..8443")
		})
		By("removing a key")
		caUpdateSource("irconform-cas", func(cm *corev1.ConfigMap) { delete(cm.Data, "a.example.com") })
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(caCerts(g, r).Data).NotTo(HaveKey("a.example.com"), "ConfigMap image-registry-certificates data a.example.com")
		})
		By("deleting the source ConfigMap while it is referenced")
		Expect(env.Client.Delete(ctx(), caSourceConfigMap("irconform-cas", nil))).To(Succeed(), "delete ConfigMap")
		eventually(func(g Gomega, r client.Reader) {
			c := condition(g, getConfig(g, r).Status.Conditions, caCondition)
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition ImageRegistryCertificatesControllerDegraded status")
			g.Expect(c.Reason).To(Equal("Error"), "Config cluster condition ImageRegistryCertificatesControllerDegraded reason")
			g.Expect(c.Message).To(ContainSubstring("irconform-cas"), "Config cluster condition ImageRegistryCertificatesControllerDegraded message")
			co := getCO(g, r)
			dg := coCondition(g, co, configv1.OperatorDegraded)
			g.Expect(dg.Status).To(Equal(configv1.ConditionTrue), "ClusterOperator image-registry condition Degraded status")
			g.Expect(dg.Reason).To(ContainSubstring("ImageRegistryCertificatesControllerError"), "ClusterOperator image-registry condition Degraded reason")
		})
		By("clearing the reference")
		caSetTrustedCA(nil)
		eventually(func(g Gomega, r client.Reader) {
			cm := caCerts(g, r)
			g.Expect(cm.Data).NotTo(HaveKey("b.example.com..8443"), "ConfigMap image-registry-certificates data b.example.com..8443")
			g.Expect(cm.Data).To(HaveKey(caServiceKey), "ConfigMap image-registry-certificates data image-registry.openshift-image-registry.svc..5000")
			expectCondition(g, getConfig(g, r).Status.Conditions, caCondition, operatorv1.ConditionFalse, "AsExpected", "")
		})
	})

	It("reports a value that is not PEM, naming its key, and keeps the other controllers working", Label("CA-005", "divergence"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		good := caPEM("good.example.com")
		caSetTrustedCA(caSourceConfigMap("irconform-mixed", map[string]string{
			"good.example.com":      good,
			"bad.example.com..5000": "this is not a certificate",
		}))
		eventually(func(g Gomega, r client.Reader) {
			c := condition(g, getConfig(g, r).Status.Conditions, caCondition)
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "condition %s", caCondition)
			g.Expect(c.Message).To(ContainSubstring("bad.example.com..5000"), "Config cluster condition ImageRegistryCertificatesControllerDegraded message")
			g.Expect(caCerts(g, r).Data).To(HaveKeyWithValue("good.example.com", good), "good entries are still copied")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = operatorv1.Debug })
		depExpectEnv(depHas("REGISTRY_LOG_LEVEL", "debug"))
	})

	// CA-006 as a node sees it: the node-ca pods (run by the simulated kubelet on every
	// node) turn each key of image-registry-certificates into the trust directory
	// /etc/docker/certs.d/<host:port>/ca.crt. The paths below are the literal expectation.
	DescribeTable("puts each key's CA on every node under /etc/docker/certs.d/<host:port>/ca.crt",
		func(key, path, notPath string) {
			onPlatform(configv1.LibvirtPlatformType)
			pemText := env.Simulator.ServiceCAPEM()
			if key != caServiceKey && key != caServiceKey2 {
				pemText = caPEM("target")
				caSetTrustedCA(caSourceConfigMap("irconform-targets", map[string]string{key: pemText}))
			}
			for _, node := range cluster.Nodes {
				Eventually(func(g Gomega) {
					files, err := env.Simulator.NodeFiles(node, "/etc/docker/certs.d")
					g.Expect(err).NotTo(HaveOccurred(), "Simulator node files /etc/docker/certs.d")
					g.Expect(files).To(HaveKeyWithValue(path, pemText), "node %s trusts the CA of key %q at %s", node, key, path)
					if notPath != "" {
						g.Expect(files).NotTo(HaveKey(notPath), "node %s: the key's ConfigMap spelling is not a trust directory", node)
					}
				}).WithTimeout(defaultTimeout).Should(Succeed(), "TODO")
			}
		},
		Entry("host..port", Label("CA-006", "NODECA-001"), "registry-with-port.example.com..5000",
			"/etc/docker/certs.d/registry-with-port.example.com:5000/ca.crt", "/etc/docker/certs.d/registry-with-port.example.com..5000/ca.crt"),
		Entry("plain host", Label("CA-006"), "registry.example.com", "/etc/docker/certs.d/registry.example.com/ca.crt", ""),
		Entry("the Service's own key", Label("CA-006"), caServiceKey,
			"/etc/docker/certs.d/image-registry.openshift-image-registry.svc:5000/ca.crt", "/etc/docker/certs.d/image-registry.openshift-image-registry.svc..5000/ca.crt"),
		Entry("the Service's cluster.local key", Label("CA-006"), caServiceKey2,
			"/etc/docker/certs.d/image-registry.openshift-image-registry.svc.cluster.local:5000/ca.crt", ""),
		Entry("only the last .. before a port", Label("CA-006"), "a..b.example.com..443",
			"/etc/docker/certs.d/a..b.example.com:443/ca.crt", "/etc/docker/certs.d/a:b.example.com..443/ca.crt"),
	)
})

var _ = Describe("image-registry-ca", func() {
	It("publishes the service CA in openshift-config-managed under the registry Service's hostnames, only while that Service exists",
		Label("CA-007", "CA-003"), func() {
			onPlatform(configv1.LibvirtPlatformType)
			serviceCA := env.Simulator.ServiceCAPEM()
			managed := func(g Gomega, r client.Reader) *corev1.ConfigMap {
				var cm corev1.ConfigMap
				g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: "openshift-config-managed", Name: "image-registry-ca"}, &cm)).To(Succeed(),
					"ConfigMap openshift-config-managed/image-registry-ca")
				g.Expect(cm.Annotations).To(HaveKeyWithValue("openshift.io/owning-component", "Image Registry"), "ConfigMap image-registry-ca annotations openshift.io/owning-component")
				return &cm
			}
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(managed(g, r).Data).To(Equal(map[string]string{
					"image-registry.openshift-image-registry.svc..5000":               serviceCA,
					"image-registry.openshift-image-registry.svc.cluster.local..5000": serviceCA,
				}), "ConfigMap data")
			})
			By("Removed: the Service goes, and with it the published hostnames")
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
			eventually(func(g Gomega, r client.Reader) {
				absent(g, r, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: registryName}})
				g.Expect(managed(g, r).Data).To(BeEmpty(), "no registry hostname while there is no registry Service")
				g.Expect(caCerts(g, r).Data).NotTo(HaveKey(caServiceKey), "ConfigMap image-registry-certificates data image-registry.openshift-image-registry.svc..5000")
			})
			By("Managed again")
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Managed })
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(managed(g, r).Data).To(HaveKeyWithValue("image-registry.openshift-image-registry.svc..5000", serviceCA), "ConfigMap data image-registry.openshift-image-registry.svc..5000")
			})
		})
})
