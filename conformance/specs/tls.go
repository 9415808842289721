package specs

import (
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The Intermediate TLS security profile (the default) in Go's cipher names, and Modern's.
var (
	tlsIntermediateCiphers = []string{
		"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	}
	tlsModernCiphers = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}
)

// tlsServingInfo reads spec.observedConfig.servingInfo of the Config.
func tlsServingInfo(g Gomega, cfg *imageregistryv1.Config) (minVersion string, ciphers []string) {
	var doc struct {
		ServingInfo struct {
			MinTLSVersion string   `json:"minTLSVersion"`
			CipherSuites  []string `json:"cipherSuites"`
		} `json:"servingInfo"`
	}
	g.Expect(cfg.Spec.ObservedConfig.Raw).NotTo(BeEmpty(), "Config cluster spec.observedConfig")
	g.Expect(json.Unmarshal(cfg.Spec.ObservedConfig.Raw, &doc)).To(Succeed(), "Config cluster spec.observedConfig is JSON")
	return doc.ServingInfo.MinTLSVersion, doc.ServingInfo.CipherSuites
}

// tlsExpect waits until spec.observedConfig and the registry's TLS env both say minVersion
// and ciphers.
func tlsExpect(minVersion string, ciphers []string) {
	GinkgoHelper()
	eventually(func(g Gomega, r client.Reader) {
		gotMin, gotCiphers := tlsServingInfo(g, getConfig(g, r))
		g.Expect(gotMin).To(Equal(minVersion), "Config cluster spec.observedConfig.servingInfo.minTLSVersion")
		g.Expect(gotCiphers).To(Equal(ciphers), "Config cluster spec.observedConfig.servingInfo.cipherSuites")
		e := depEnv(g, r)
		g.Expect(e).To(HaveKeyWithValue("REGISTRY_HTTP_TLS_MINVERSION", minVersion), "Deployment image-registry env REGISTRY_HTTP_TLS_MINVERSION")
		g.Expect(e).To(HaveKeyWithValue("OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES", strings.Join(ciphers, ",")),
			"Deployment image-registry env OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES")
	})
}

func tlsAPIServer(p *configv1.TLSSecurityProfile) {
	GinkgoHelper()
	var as configv1.APIServer
	err := env.Client.Get(ctx(), client.ObjectKey{Name: "cluster"}, &as)
	if client.IgnoreNotFound(err) != nil {
		Expect(err).NotTo(HaveOccurred(), "APIServer cluster read")
	}
	if err != nil {
		as = configv1.APIServer{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}, Spec: configv1.APIServerSpec{TLSSecurityProfile: p}}
		Expect(env.Client.Create(ctx(), &as)).To(Succeed(), "APIServer cluster create")
		return
	}
	as.Spec.TLSSecurityProfile = p
	Expect(env.Client.Update(ctx(), &as)).To(Succeed(), "APIServer cluster spec.tlsSecurityProfile update")
}

var _ = Describe("TLS security profile", func() {
	It("serves the registry with the minimum TLS version and ciphers of spec.observedConfig.servingInfo (Intermediate by default)", Label("TLS-001"), func() {
		depRegistry()
		tlsExpect("VersionTLS12", tlsIntermediateCiphers)
	})

	It("observes the API server's TLS security profile into spec.observedConfig from bootstrap on, and follows its changes", Label("TLS-002"), func() {
		tlsAPIServer(&configv1.TLSSecurityProfile{Type: configv1.TLSProfileModernType})
		onPlatform(configv1.LibvirtPlatformType)
		tlsExpect("VersionTLS13", tlsModernCiphers)

		tlsAPIServer(&configv1.TLSSecurityProfile{Type: configv1.TLSProfileCustomType, Custom: &configv1.CustomTLSProfile{
			TLSProfileSpec: configv1.TLSProfileSpec{MinTLSVersion: configv1.VersionTLS11,
				// DHE has no Go implementation: it is left out of what the registry is told.
				Ciphers: []string{"ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"}},
		}})
		tlsExpect("VersionTLS11", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"})

		tlsAPIServer(nil)
		tlsExpect("VersionTLS12", tlsIntermediateCiphers)
	})

	It("writes the observed profile into the Config it bootstraps, not in a later edit", Label("TLS-002"), func() {
		tlsAPIServer(&configv1.TLSSecurityProfile{Type: configv1.TLSProfileModernType})
		onPlatform(configv1.BareMetalPlatformType) // Removed: nothing else rewrites the spec
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Status.ObservedGeneration).To(Equal(cfg.Generation), "Config cluster status.observedGeneration")
			minVersion, _ := tlsServingInfo(g, cfg)
			g.Expect(minVersion).To(Equal("VersionTLS13"), "Config cluster spec.observedConfig.servingInfo.minTLSVersion")
			g.Expect(cfg.Generation).To(Equal(int64(1)), "Config cluster metadata.generation: created with spec.observedConfig, never edited for it")
		})
	})
})
