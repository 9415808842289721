package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var _ = Describe("Bootstrap claim", func() {
	DescribeTable("creates a ReadWriteOnce claim of 100Gi on the platform's CSI class when the platform's default storage is a PVC, and takes it as given",
		func(platform configv1.PlatformType, class string) {
			bootOpenStackWithoutSwift(platform)
			onPlatform(platform)
			eventually(func(g Gomega, r client.Reader) {
				var pvc corev1.PersistentVolumeClaim
				g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry-storage"}, &pvc)).To(Succeed(),
					"PersistentVolumeClaim %s/image-registry-storage should exist", ns)
				g.Expect(pvc.Spec.AccessModes).To(Equal([]corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}),
					"PersistentVolumeClaim image-registry-storage spec.accessModes")
				g.Expect(pvc.Spec.Resources.Requests).To(HaveKeyWithValue(corev1.ResourceStorage, resource.MustParse("100Gi")),
					"PersistentVolumeClaim image-registry-storage spec.resources.requests.storage")
				g.Expect(pvc.Spec.StorageClassName).To(HaveValue(Equal(class)), "PersistentVolumeClaim image-registry-storage spec.storageClassName")
				g.Expect(pvc.Annotations).To(HaveKeyWithValue("imageregistry.openshift.io", "true"), "PersistentVolumeClaim image-registry-storage metadata.annotations")

				cfg := getConfig(g, r)
				g.Expect(cfg.Spec.RolloutStrategy).To(Equal("Recreate"), "Config cluster spec.rolloutStrategy")
				g.Expect(cfg.Spec.Storage.PVC).To(Equal(&imageregistryv1.ImageRegistryConfigStoragePVC{Claim: "image-registry-storage"}), "Config cluster spec.storage.pvc")
				// The Config names the claim: the driver takes it as the user's.
				g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
				expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "PVC Exists", "")
			})
			readyRegistry()
		},
		Entry("OpenStack without an object-store endpoint: standard-csi", Label("BOOT-012", "platform:openstack"), configv1.OpenStackPlatformType, "standard-csi"),
		Entry("oVirt: ovirt-csi-sc", Label("BOOT-012", "platform:ovirt"), configv1.OvirtPlatformType, "ovirt-csi-sc"),
	)
})

var _ = Describe("Removed OSS driver", func() {
	It("treats a Config whose only storage is oss as storage not configured, and keeps the stanza", Label("STOR-012", "divergence"), func() {
		oss := &imageregistryv1.ImageRegistryConfigStorageAlibabaOSS{Bucket: "irconform-legacy", Region: "cn-hangzhou"}
		createConfig(imageregistryv1.ImageRegistrySpec{
			OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
			Replicas:     1,
			Storage:      imageregistryv1.ImageRegistryConfigStorage{OSS: oss},
		})
		onPlatform(configv1.NonePlatformType)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "Degraded", operatorv1.ConditionTrue, "StorageNotConfigured", "Error: storage backend not configured")
			expectCondition(g, cfg.Status.Conditions, "Available", operatorv1.ConditionFalse, "StorageNotConfigured", "Error: storage backend not configured")
			g.Expect(cfg.Spec.Storage.OSS).NotTo(BeNil(), "Config cluster spec.storage.oss kept")
			g.Expect(cfg.Spec.Storage.OSS.Bucket).To(Equal(oss.Bucket), "Config cluster spec.storage.oss.bucket kept as written")
			g.Expect(cfg.Spec.Storage.OSS.Region).To(Equal(oss.Region), "Config cluster spec.storage.oss.region kept as written")
			absent(g, r, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: registryName}})
		})
	})

	It("uses the other backend when oss stands beside one", Label("STOR-012", "divergence"), func() {
		createConfig(imageregistryv1.ImageRegistrySpec{
			OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
			Replicas:     1,
			Storage: imageregistryv1.ImageRegistryConfigStorage{
				EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{},
				OSS:      &imageregistryv1.ImageRegistryConfigStorageAlibabaOSS{Bucket: "irconform-legacy"},
			},
		})
		onPlatform(configv1.NonePlatformType)
		readyRegistry()
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(depEnv(g, r)).To(HaveKeyWithValue("REGISTRY_STORAGE", "filesystem"), "Deployment image-registry env REGISTRY_STORAGE")
		})
	})
})
