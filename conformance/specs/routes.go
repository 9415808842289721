package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const routeDefaultHost = "default-route-openshift-image-registry.apps.irconform.example"

func routeGet(g Gomega, r client.Reader, name string) *routev1.Route {
	var rt routev1.Route
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: name}, &rt)).To(Succeed(), "Route %s", name)
	return &rt
}

func routeAbsent(g Gomega, r client.Reader, name string) {
	absent(g, r, &routev1.Route{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})
}

// routeExpectRegistryRoute checks what every operator route shares.
func routeExpectRegistryRoute(g Gomega, rt *routev1.Route) {
	g.Expect(rt.Annotations).To(HaveKeyWithValue("imageregistry.openshift.io", "true"), "Route annotations imageregistry.openshift.io")
	g.Expect(rt.Spec.To.Kind).To(Equal("Service"), "Route spec.to.kind")
	g.Expect(rt.Spec.To.Name).To(Equal("image-registry"), "Route spec.to.name")
	g.Expect(rt.Spec.TLS).NotTo(BeNil(), "Route spec.tls")
	g.Expect(rt.Spec.TLS.Termination).To(Equal(routev1.TLSTerminationReencrypt), "Route spec.tls.termination")
}

// routeMessages are the Config's Progressing and Degraded messages (where apply errors show).
func routeMessages(g Gomega, r client.Reader) []string {
	var out []string
	for _, c := range getConfig(g, r).Status.Conditions {
		if c.Type == "Progressing" || c.Type == "Degraded" {
			out = append(out, c.Message)
		}
	}
	return out
}

func routeSecret(name string, data map[string]string) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, StringData: data}
}

var _ = Describe("Routes", func() {
	It("makes no default route by default", Label("ROUTE-001"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		waitObserved()
		cfg := getConfig(Default, env.Watch.Reader())
		Expect(cfg.Spec.DefaultRoute).To(BeFalse(), "Config cluster spec.defaultRoute")
		var list routev1.RouteList
		Expect(env.Client.List(ctx(), &list, client.InNamespace(ns))).To(Succeed(), "list Routes")
		Expect(list.Items).To(BeEmpty(), "Routes in openshift-image-registry")
	})

	It("defaultRoute: true makes default-route, reencrypt to the Service, no explicit host; false deletes it", Label("ROUTE-002", "ROUTE-004"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		// The documented `oc patch ... --type merge -p '{"spec":{"defaultRoute":true}}'`.
		cfg := getConfig(Default, env.Watch.Reader())
		Expect(env.Client.Patch(ctx(), cfg, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"defaultRoute":true}}`)))).To(Succeed(), "patch Config cluster")
		eventually(func(g Gomega, r client.Reader) {
			rt := routeGet(g, r, "default-route")
			routeExpectRegistryRoute(g, rt)
			g.Expect(rt.Spec.Host).To(BeEmpty(), "Route default-route spec.host")
			g.Expect(rt.Status.Ingress).To(ContainElement(HaveField("Host", routeDefaultHost)), "admitted by the (simulated) router")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.DefaultRoute = false })
		eventually(func(g Gomega, r client.Reader) { routeAbsent(g, r, "default-route") })
	})

	It("makes a Route per spec.routes[] with its hostname and the certificate from the named Secret", Label("ROUTE-003"), func() {
		Expect(env.Client.Create(ctx(), routeSecret("irconform-route-tls", map[string]string{
			"tls.crt": "CERT-PEM", "tls.key": "KEY-PEM", "tls.cacrt": "CA-PEM",
		}))).To(Succeed(), "create Secret")
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{
				{Name: "public", Hostname: "registry.apps.irconform.example", SecretName: "irconform-route-tls"},
				{Name: "plain", Hostname: "plain.apps.irconform.example"},
			}
		})
		eventually(func(g Gomega, r client.Reader) {
			rt := routeGet(g, r, "public")
			routeExpectRegistryRoute(g, rt)
			g.Expect(rt.Spec.Host).To(Equal("registry.apps.irconform.example"), "Route public spec.host")
			g.Expect(rt.Spec.TLS.Certificate).To(Equal("CERT-PEM"), "Route public spec.tls.certificate")
			g.Expect(rt.Spec.TLS.Key).To(Equal("KEY-PEM"), "Route public spec.tls.key")
			g.Expect(rt.Spec.TLS.CACertificate).To(Equal("CA-PEM"), "Route public spec.tls.caCertificate")
			plain := routeGet(g, r, "plain")
			routeExpectRegistryRoute(g, plain)
			g.Expect(plain.Spec.Host).To(Equal("plain.apps.irconform.example"), "Route plain spec.host")
			g.Expect(plain.Spec.TLS.Certificate).To(BeEmpty(), "Route plain spec.tls.certificate")
		})
	})

	It("says so in status when a route's Secret is missing, and recovers when it appears", Label("ROUTE-003"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "public", Hostname: "registry.apps.irconform.example", SecretName: "irconform-missing-tls"}}
		})
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(routeMessages(g, r)).To(ContainElement(And(ContainSubstring("irconform-missing-tls"), ContainSubstring("not found"))), "Route admission messages")
			routeAbsent(g, r, "public")
		})
		Expect(env.Client.Create(ctx(), routeSecret("irconform-missing-tls", map[string]string{"tls.crt": "C", "tls.key": "K"}))).To(Succeed(), "create Secret")
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(routeGet(g, r, "public").Spec.TLS.Key).To(Equal("K"), "Route public spec.tls.key")
		})
	})

	It("leaves a key the route Secret lacks out of the Route and keeps the other controllers working", Label("ROUTE-003"), func() {
		Expect(env.Client.Create(ctx(), routeSecret("irconform-nokey-tls", map[string]string{"tls.crt": "C"}))).To(Succeed(), "create Secret")
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "public", Hostname: "registry.apps.irconform.example", SecretName: "irconform-nokey-tls"}}
		})
		eventually(func(g Gomega, r client.Reader) {
			rt := routeGet(g, r, "public")
			g.Expect(rt.Spec.Host).To(Equal("registry.apps.irconform.example"), "Route public spec.host")
			g.Expect(rt.Spec.TLS.Certificate).To(Equal("C"), "Route public spec.tls.certificate (tls.crt)")
			g.Expect(rt.Spec.TLS.Key).To(BeEmpty(), "Route public spec.tls.key (the Secret has no tls.key)")
		})
		// The pruner and the image config status controller carry on.
		pruneUpdate(func(p *imageregistryv1.ImagePruner) { p.Spec.Schedule = "5 5 * * *" })
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(pruneCronJob(g, r).Spec.Schedule).To(Equal("5 5 * * *"), "CronJob image-pruner spec.schedule")
			g.Expect(imgConfig(g, r).Status.InternalRegistryHostname).To(Equal("image-registry.openshift-image-registry.svc:5000"), "Image cluster status.internalRegistryHostname")
		})
	})

	It("deletes the routes it made and no longer wants, and never touches routes it did not make", Label("ROUTE-004"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		user := &routev1.Route{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "user-route"},
			Spec: routev1.RouteSpec{Host: "user.apps.irconform.example",
				To: routev1.RouteTargetReference{Kind: "Service", Name: "image-registry"}},
		}
		Expect(env.Client.Create(ctx(), user)).To(Succeed(), "create Route user-route")
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.DefaultRoute = true
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{
				{Name: "one", Hostname: "one.apps.irconform.example"},
				{Name: "two", Hostname: "two.apps.irconform.example"},
			}
		})
		eventually(func(g Gomega, r client.Reader) {
			routeGet(g, r, "default-route")
			routeGet(g, r, "one")
			routeGet(g, r, "two")
		})
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "two", Hostname: "two.apps.irconform.example"}}
		})
		eventually(func(g Gomega, r client.Reader) {
			routeAbsent(g, r, "one")
			routeGet(g, r, "two")
			routeGet(g, r, "default-route")
		})
		By("Removed deletes the operator's routes only")
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			routeAbsent(g, r, "two")
			routeAbsent(g, r, "default-route")
		})
		waitObserved()
		var got routev1.Route
		Expect(env.Client.Get(ctx(), client.ObjectKeyFromObject(user), &got)).To(Succeed(), "the user's route survives")
		Expect(got.Spec.Host).To(Equal("user.apps.irconform.example"), "Route spec.host")
		Expect(got.Spec.TLS).To(BeNil(), "Route spec.tls")
		Expect(got.Annotations).NotTo(HaveKey("imageregistry.openshift.io"), "Route annotations imageregistry.openshift.io")
	})
})
