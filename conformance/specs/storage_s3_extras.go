package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// s3ExtrasEnv waits for the registry Deployment of an S3 Config and checks its env.
func s3ExtrasEnv(check func(g Gomega, e map[string]string, d *corev1.PodSpec)) {
	GinkgoHelper()
	storWait(storLongTimeout, func(g Gomega, r client.Reader) {
		d := getDeployment(g, r)
		check(g, storEnv(g, d), &d.Spec.Template.Spec)
	})
}

func s3ExtrasCloudFront(duration time.Duration) *imageregistryv1.ImageRegistryConfigStorageS3 {
	return &imageregistryv1.ImageRegistryConfigStorageS3{CloudFront: &imageregistryv1.ImageRegistryConfigStorageS3CloudFront{
		BaseURL:    "https://d111111abcdef8.cloudfront.net",
		PrivateKey: corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "irconform-cloudfront"}, Key: "cf.pem"},
		KeypairID:  "K2JCJMDEHXQW5F",
		Duration:   metav1.Duration{Duration: duration},
	}}
}

var _ = Describe("S3 storage, further settings", Label("platform:aws", "storage"), func() {
	storUseFakes()

	DescribeTable("serves blobs through CloudFront: the cloudfront storage middleware and its private key",
		func(duration time.Duration, wantDuration string) {
			s3Managed(s3ExtrasCloudFront(duration), nil)
			s3ExtrasEnv(func(g Gomega, e map[string]string, pod *corev1.PodSpec) {
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_MIDDLEWARE_STORAGE", "- name: cloudfront\n"+
					"  options:\n"+
					"    baseurl: https://d111111abcdef8.cloudfront.net\n"+
					"    privatekey: /etc/docker/cloudfront/private.pem\n"+
					"    keypairid: K2JCJMDEHXQW5F\n"+
					"    duration: "+wantDuration+"\n"+
					"    ipfilteredby: none"), "Deployment image-registry env REGISTRY_MIDDLEWARE_STORAGE")
				notOptional := false
				g.Expect(pod.Volumes).To(ContainElement(corev1.Volume{Name: "registry-cloudfront", VolumeSource: corev1.VolumeSource{
					Secret: &corev1.SecretVolumeSource{
						SecretName:  "irconform-cloudfront",
						Items:       []corev1.KeyToPath{{Key: "cf.pem", Path: "private.pem"}},
						Optional:    &notOptional,
						DefaultMode: pod.Volumes[0].Secret.DefaultMode, // the API server's default, whatever it is
					}}}), "Deployment image-registry spec.template.spec.volumes[registry-cloudfront]")
				g.Expect(pod.Containers[0].VolumeMounts).To(ContainElement(corev1.VolumeMount{
					Name: "registry-cloudfront", MountPath: "/etc/docker/cloudfront", ReadOnly: true,
				}), "Deployment image-registry container registry volumeMounts[registry-cloudfront]")
			})
		},
		Entry("with the default URL lifetime of 1200s", Label("S3-010"), time.Duration(0), "1200s"),
		Entry("with spec.storage.s3.cloudFront.duration 30m", Label("S3-010"), 30*time.Minute, "30m0s"),
	)

	DescribeTable("sets REGISTRY_STORAGE_S3_CHUNKSIZE in bytes from chunkSizeMiB, only for 5..5120",
		func(mib int32, want string) {
			s3Managed(&imageregistryv1.ImageRegistryConfigStorageS3{ChunkSizeMiB: mib}, nil)
			s3ExtrasEnv(func(g Gomega, e map[string]string, _ *corev1.PodSpec) {
				if want == "" {
					g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_CHUNKSIZE"), "Deployment image-registry env REGISTRY_STORAGE_S3_CHUNKSIZE (chunkSizeMiB unset)")
					return
				}
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_CHUNKSIZE", want), "Deployment image-registry env REGISTRY_STORAGE_S3_CHUNKSIZE")
			})
		},
		Entry("unset: the registry's own default", Label("S3-011"), int32(0), ""),
		Entry("5 MiB, the smallest", Label("S3-011"), int32(5), "5242880"),
		Entry("5120 MiB, the largest", Label("S3-011"), int32(5120), "5368709120"),
	)

	It("refuses chunk sizes outside 5..5120 MiB at the API, before the operator sees them", Label("S3-011"), func() {
		for _, mib := range []int32{4, 5121} {
			cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: configName},
				Spec: storManaged(storS3(&imageregistryv1.ImageRegistryConfigStorageS3{ChunkSizeMiB: mib}))}
			Expect(env.Client.Create(ctx(), cfg, client.DryRunAll)).NotTo(Succeed(), "Config cluster spec.storage.s3.chunkSizeMiB %d is refused", mib)
		}
	})

	It("keeps path-style addressing unless virtualHostedStyle is set, and never renders a VIRTUALHOSTEDSTYLE env", Label("S3-012"), func() {
		cfg := s3Managed(&imageregistryv1.ImageRegistryConfigStorageS3{Region: "us-east-1", RegionEndpoint: storS3Mirror, VirtualHostedStyle: true}, nil)
		Expect(cfg.Spec.Storage.S3.VirtualHostedStyle).To(BeTrue(), "Config cluster spec.storage.s3.virtualHostedStyle kept as the user set it")
		s3ExtrasEnv(func(g Gomega, e map[string]string, _ *corev1.PodSpec) {
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "false"), "Deployment image-registry env REGISTRY_STORAGE_S3_FORCEPATHSTYLE")
			g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_VIRTUALHOSTEDSTYLE"), "Deployment image-registry env REGISTRY_STORAGE_S3_VIRTUALHOSTEDSTYLE")
		})
	})

	It("turns virtualHostedStyle on only for an Infrastructure S3 endpoint, not for an Infrastructure region alone", Label("S3-012"), func() {
		cfg := s3Managed(nil, func(in *configv1.Infrastructure) { in.Status.PlatformStatus.AWS.Region = "eu-west-2" })
		Expect(cfg.Spec.Storage.S3.Region).To(Equal("eu-west-2"), "Config cluster spec.storage.s3.region from the Infrastructure")
		Expect(cfg.Spec.Storage.S3.VirtualHostedStyle).To(BeFalse(), "Config cluster spec.storage.s3.virtualHostedStyle without an Infrastructure endpoint")
		s3ExtrasEnv(func(g Gomega, e map[string]string, _ *corev1.PodSpec) {
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "true"), "Deployment image-registry env REGISTRY_STORAGE_S3_FORCEPATHSTYLE")
		})
	})

	DescribeTable("tells the registry to use dual-stack endpoints where the AWS SDK knows one",
		func(s3spec *imageregistryv1.ImageRegistryConfigStorageS3, want string) {
			s3Managed(s3spec, nil)
			s3ExtrasEnv(func(g Gomega, e map[string]string, _ *corev1.PodSpec) {
				if want == "" {
					g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_USEDUALSTACK"), "Deployment image-registry env REGISTRY_STORAGE_S3_USEDUALSTACK")
					return
				}
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_USEDUALSTACK", want), "Deployment image-registry env REGISTRY_STORAGE_S3_USEDUALSTACK")
			})
		},
		Entry("a standard region", Label("S3-013"), &imageregistryv1.ImageRegistryConfigStorageS3{Region: "eu-west-2"}, "true"),
		Entry("a China region", Label("S3-013"), &imageregistryv1.ImageRegistryConfigStorageS3{Region: "cn-north-1"}, "true"),
		Entry("a region of no known partition (the SDK falls back to the standard one)", Label("S3-013"),
			&imageregistryv1.ImageRegistryConfigStorageS3{Region: "xx-moon-1"}, "true"),
		Entry("an isolated region: no dual-stack endpoint", Label("S3-013"), &imageregistryv1.ImageRegistryConfigStorageS3{Region: "us-iso-east-1"}, ""),
		Entry("an isolated region with a regionEndpoint", Label("S3-013"),
			&imageregistryv1.ImageRegistryConfigStorageS3{Region: "us-iso-east-1", RegionEndpoint: storS3Mirror}, "true"),
	)
})
