package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
)

// importModeCluster creates the cluster's ClusterVersion (a single-architecture payload)
// and, when gateOn, a FeatureGate enabling ImageStreamImportMode for the running version.
func importModeCluster(gateOn bool) {
	GinkgoHelper()
	cv := &configv1.ClusterVersion{ObjectMeta: metav1.ObjectMeta{Name: "version"},
		Spec: configv1.ClusterVersionSpec{ClusterID: "2f6a1c3e-8d4b-4e7a-9c1f-0a5b6d7e8f90"}}
	Expect(env.Client.Create(ctx(), cv)).To(Succeed(), "ClusterVersion version create")
	if !gateOn {
		return
	}
	fg := &configv1.FeatureGate{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	Expect(env.Client.Create(ctx(), fg)).To(Succeed(), "FeatureGate cluster create")
	fg.Status.FeatureGates = []configv1.FeatureGateDetails{{
		Version: harness.ReleaseVersion,
		Enabled: []configv1.FeatureGateAttributes{{Name: "ImageStreamImportMode"}},
	}}
	Expect(env.Client.Status().Update(ctx(), fg)).To(Succeed(), "FeatureGate cluster status.featureGates update")
}

func importModeImage(g Gomega, r client.Reader) *configv1.Image {
	var img configv1.Image
	g.Expect(r.Get(ctx(), types.NamespacedName{Name: "cluster"}, &img)).To(Succeed(), "Image cluster should exist")
	return &img
}

var _ = Describe("Image stream import mode", func() {
	It("reports status.imageStreamImportMode under the ImageStreamImportMode gate: the spec's mode, else Legacy on a single-architecture payload",
		Label("IMGCFG-002"), func() {
			importModeCluster(true)
			onPlatform(configv1.LibvirtPlatformType)
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(importModeImage(g, r).Status.ImageStreamImportMode).To(Equal(configv1.ImportModeType("Legacy")),
					"Image cluster status.imageStreamImportMode")
			})
			Eventually(func() error {
				var img configv1.Image
				if err := env.Client.Get(ctx(), types.NamespacedName{Name: "cluster"}, &img); err != nil {
					return err
				}
				img.Spec.ImageStreamImportMode = "PreserveOriginal"
				return env.Client.Update(ctx(), &img)
			}).WithTimeout(defaultTimeout).Should(Succeed(), "Image cluster spec.imageStreamImportMode update")
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(importModeImage(g, r).Status.ImageStreamImportMode).To(Equal(configv1.ImportModeType("PreserveOriginal")),
					"Image cluster status.imageStreamImportMode")
			})
		})

	It("leaves status.imageStreamImportMode alone while the gate is off", Label("IMGCFG-002"), func() {
		importModeCluster(false)
		img := &configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}, Spec: configv1.ImageSpec{ImageStreamImportMode: "PreserveOriginal"}}
		Expect(env.Client.Create(ctx(), img)).To(Succeed(), "Image cluster create")
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		// The controller has written this status (the internal hostname) and left the mode out.
		eventually(func(g Gomega, r client.Reader) {
			got := importModeImage(g, r)
			g.Expect(got.Status.InternalRegistryHostname).To(Equal("image-registry.openshift-image-registry.svc:5000"), "Image cluster status.internalRegistryHostname")
			g.Expect(got.Status.ImageStreamImportMode).To(BeEmpty(), "Image cluster status.imageStreamImportMode")
		})
	})
})
