package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const imgInternalHostname = "image-registry.openshift-image-registry.svc:5000"

func imgConfig(g Gomega, r client.Reader) *configv1.Image {
	var img configv1.Image
	g.Expect(r.Get(ctx(), types.NamespacedName{Name: "cluster"}, &img)).To(Succeed(), "images.config.openshift.io/cluster")
	return &img
}

var _ = Describe("Image config status", func() {
	It("creates images.config.openshift.io/cluster when missing and sets internalRegistryHostname while the Service exists", Label("IMGCFG-001"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			img := imgConfig(g, r)
			g.Expect(img.Spec).To(Equal(configv1.ImageSpec{}), "created empty")
			g.Expect(img.Status.InternalRegistryHostname).To(Equal(imgInternalHostname), "Image cluster status.internalRegistryHostname")
			g.Expect(img.Status.ExternalRegistryHostnames).To(BeEmpty(), "Image cluster status.externalRegistryHostnames")
		})
	})

	It("lists the routes' hosts as externalRegistryHostnames, the default route first", Label("IMGCFG-001"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		// A route the operator did not make does not count.
		Expect(env.Client.Create(ctx(), &routev1.Route{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "user-route"},
			Spec:       routev1.RouteSpec{Host: "aaa-user.example.com", To: routev1.RouteTargetReference{Kind: "Service", Name: "image-registry"}},
		})).To(Succeed(), "create Route user-route")
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.DefaultRoute = true
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{
				{Name: "zed", Hostname: "registry.example.com"},
				{Name: "alpha", Hostname: "b-registry.example.com"},
			}
		})
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(imgConfig(g, r).Status.ExternalRegistryHostnames).To(Equal([]string{
				"default-route-openshift-image-registry.apps.irconform.example",
				"b-registry.example.com",
				"registry.example.com",
			}), "Image cluster status.externalRegistryHostnames")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.DefaultRoute = false })
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(imgConfig(g, r).Status.ExternalRegistryHostnames).To(Equal([]string{"b-registry.example.com", "registry.example.com"}), "Image cluster status.externalRegistryHostnames")
		})
	})

	It("clears both hostnames when the registry is Removed, and sets them again when Managed", Label("IMGCFG-001"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.DefaultRoute = true
			cfg.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "extra", Hostname: "test.example.com"}}
		})
		eventually(func(g Gomega, r client.Reader) {
			img := imgConfig(g, r)
			g.Expect(img.Status.InternalRegistryHostname).To(Equal(imgInternalHostname), "Image cluster status.internalRegistryHostname")
			g.Expect(img.Status.ExternalRegistryHostnames).To(Equal([]string{"default-route-openshift-image-registry.apps.irconform.example", "test.example.com"}), "Image cluster status.externalRegistryHostnames")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			img := imgConfig(g, r)
			g.Expect(img.Status.InternalRegistryHostname).To(BeEmpty(), "Image cluster status.internalRegistryHostname")
			g.Expect(img.Status.ExternalRegistryHostnames).To(BeEmpty(), "Image cluster status.externalRegistryHostnames")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Managed })
		eventually(func(g Gomega, r client.Reader) {
			img := imgConfig(g, r)
			g.Expect(img.Status.InternalRegistryHostname).To(Equal(imgInternalHostname), "Image cluster status.internalRegistryHostname")
			g.Expect(img.Status.ExternalRegistryHostnames).To(HaveLen(2), "Image cluster status.externalRegistryHostnames")
		})
	})

	It("keeps an existing image config's spec", Label("IMGCFG-001"), func() {
		img := &configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: "cluster"},
			Spec: configv1.ImageSpec{RegistrySources: configv1.RegistrySources{InsecureRegistries: []string{"insecure.example.com"}}}}
		Expect(env.Client.Create(ctx(), img)).To(Succeed(), "create Image cluster")
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			got := imgConfig(g, r)
			g.Expect(got.UID).To(Equal(img.UID), "Image cluster uid")
			g.Expect(got.Spec.RegistrySources.InsecureRegistries).To(Equal([]string{"insecure.example.com"}), "Image cluster spec.registrySources.insecureRegistries")
			g.Expect(got.Status.InternalRegistryHostname).To(Equal(imgInternalHostname), "Image cluster status.internalRegistryHostname")
		})
	})
})
