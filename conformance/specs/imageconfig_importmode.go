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

// importModeCluster creates the cluster's ClusterVersion, with status.desired.architecture
// arch ("" : a single-architecture payload, as the cluster-version operator leaves it) and,
// when gateOn, a FeatureGate enabling ImageStreamImportMode for the running version.
func importModeCluster(gateOn bool, arch configv1.ClusterVersionArchitecture) {
	GinkgoHelper()
	cv := &configv1.ClusterVersion{ObjectMeta: metav1.ObjectMeta{Name: "version"},
		Spec: configv1.ClusterVersionSpec{ClusterID: "2f6a1c3e-8d4b-4e7a-9c1f-0a5b6d7e8f90"}}
	Expect(env.Client.Create(ctx(), cv)).To(Succeed(), "ClusterVersion version create")
	if arch != "" {
		cv.Status = configv1.ClusterVersionStatus{
			Desired: configv1.Release{Version: harness.ReleaseVersion, Architecture: arch,
				Image: "quay.io/openshift-release-dev/ocp-release@sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			VersionHash:        "irconform",
			ObservedGeneration: cv.Generation,
		}
		Expect(env.Client.Status().Update(ctx(), cv)).To(Succeed(), "ClusterVersion version status.desired update")
		// The field is served only where the ImageStreamImportMode gate's API is: a CRD that
		// prunes it would make this spec check a single-architecture payload.
		var got configv1.ClusterVersion
		Expect(env.Client.Get(ctx(), types.NamespacedName{Name: "version"}, &got)).To(Succeed(), "ClusterVersion version get")
		Expect(got.Status.Desired.Architecture).To(Equal(arch), "ClusterVersion version status.desired.architecture as stored (the CRD must serve it)")
	}
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

// importModeSetSpec sets images.config.openshift.io/cluster spec.imageStreamImportMode.
func importModeSetSpec(mode configv1.ImportModeType) {
	GinkgoHelper()
	Eventually(func() error {
		var img configv1.Image
		if err := env.Client.Get(ctx(), types.NamespacedName{Name: "cluster"}, &img); err != nil {
			return err
		}
		img.Spec.ImageStreamImportMode = mode
		return env.Client.Update(ctx(), &img)
	}).WithTimeout(defaultTimeout).Should(Succeed(), "Image cluster spec.imageStreamImportMode update")
}

var _ = Describe("Image stream import mode", func() {
	It("reports status.imageStreamImportMode under the ImageStreamImportMode gate: the spec's mode, else Legacy on a single-architecture payload",
		Label("IMGCFG-002"), func() {
			importModeCluster(true, "")
			onPlatform(configv1.LibvirtPlatformType)
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(importModeImage(g, r).Status.ImageStreamImportMode).To(Equal(configv1.ImportModeType("Legacy")),
					"Image cluster status.imageStreamImportMode")
			})
			importModeSetSpec("PreserveOriginal")
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(importModeImage(g, r).Status.ImageStreamImportMode).To(Equal(configv1.ImportModeType("PreserveOriginal")),
					"Image cluster status.imageStreamImportMode")
			})
		})

	It("reports PreserveOriginal on a multi-architecture payload, unless the spec names a mode", Label("IMGCFG-002"), func() {
		importModeCluster(true, "Multi")
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(importModeImage(g, r).Status.ImageStreamImportMode).To(Equal(configv1.ImportModeType("PreserveOriginal")),
				"Image cluster status.imageStreamImportMode (ClusterVersion desires architecture Multi)")
		})
		importModeSetSpec("Legacy")
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(importModeImage(g, r).Status.ImageStreamImportMode).To(Equal(configv1.ImportModeType("Legacy")),
				"Image cluster status.imageStreamImportMode (spec.imageStreamImportMode Legacy)")
		})
	})

	It("leaves status.imageStreamImportMode alone while the gate is off", Label("IMGCFG-002"), func() {
		importModeCluster(false, "Multi")
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
