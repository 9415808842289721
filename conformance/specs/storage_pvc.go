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

	"github.com/irconform/irconform/conformance/harness"
)

// Literal names from the catalogue (PVC-*, EMPTY-001, STOR-PVC-*, STOR-EMPTY-*).
const (
	pvcDefaultClaim    = "image-registry-storage"
	pvcOwnerAnnotation = "imageregistry.openshift.io"
	pvcVolume          = "registry-storage"
	pvcRoot            = "/registry"
)

func pvcManaged(claim string, replicas int32, strategy string) imageregistryv1.ImageRegistrySpec {
	return imageregistryv1.ImageRegistrySpec{
		OperatorSpec:    operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
		Replicas:        replicas,
		RolloutStrategy: strategy,
		Storage:         imageregistryv1.ImageRegistryConfigStorage{PVC: &imageregistryv1.ImageRegistryConfigStoragePVC{Claim: claim}},
	}
}

// pvcOnBareMetal starts the operator on a platform without a default (bootstrap stays out).
func pvcOnBareMetal() {
	GinkgoHelper()
	onInfra(harness.Platform{Type: configv1.BareMetalPlatformType})
}

// pvcCreateClaim creates a claim the user made (no operator annotation).
func pvcCreateClaim(name, size string, modes ...corev1.PersistentVolumeAccessMode) {
	GinkgoHelper()
	c := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: modes,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}}},
	}
	Expect(env.Client.Create(ctx(), c)).To(Succeed(), "create PersistentVolumeClaim")
}

func pvcGet(g Gomega, r client.Reader, name string) *corev1.PersistentVolumeClaim {
	var c corev1.PersistentVolumeClaim
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: name}, &c)).To(Succeed(), "PVC %s", name)
	return &c
}

func pvcRegistryContainer(g Gomega, d *appsv1.Deployment) corev1.Container {
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name == "registry" {
			return c
		}
	}
	g.Expect(d.Spec.Template.Spec.Containers).To(ContainElement(HaveField("Name", "registry")), "Deployment spec.template.spec.containers")
	return corev1.Container{}
}

// pvcExpectFilesystem checks the filesystem env and the registry-storage volume at /registry.
func pvcExpectFilesystem(g Gomega, d *appsv1.Deployment, source func(g Gomega, v corev1.Volume)) {
	for k, want := range map[string]string{"REGISTRY_STORAGE": "filesystem", "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY": pvcRoot} {
		v, ok := envValue(d, k)
		g.Expect(ok).To(BeTrue(), "Deployment image-registry env %s", k)
		g.Expect(v).To(Equal(want), "Deployment image-registry env %s", k)
	}
	var vol *corev1.Volume
	for i := range d.Spec.Template.Spec.Volumes {
		if d.Spec.Template.Spec.Volumes[i].Name == pvcVolume {
			vol = &d.Spec.Template.Spec.Volumes[i]
		}
	}
	g.Expect(vol).NotTo(BeNil(), "volume %s", pvcVolume)
	source(g, *vol)
	g.Expect(pvcRegistryContainer(g, d).VolumeMounts).To(ContainElement(And(HaveField("Name", pvcVolume), HaveField("MountPath", pvcRoot))), "Deployment image-registry container registry volumeMounts")
}

func pvcClaimVolume(claim string) func(g Gomega, v corev1.Volume) {
	return func(g Gomega, v corev1.Volume) {
		g.Expect(v.PersistentVolumeClaim).NotTo(BeNil(), "volume %s is a PVC", v.Name)
		g.Expect(v.PersistentVolumeClaim.ClaimName).To(Equal(claim), "Deployment image-registry volume persistentVolumeClaim.claimName")
	}
}

var _ = Describe("PVC and emptyDir storage", func() {
	It("creates claim image-registry-storage, 100Gi ReadWriteMany, marked as its own, and manages it", Label("PVC-001", "STOR-001"), func() {
		createConfig(pvcManaged("", 1, ""))
		pvcOnBareMetal()
		eventually(func(g Gomega, r client.Reader) {
			c := pvcGet(g, r, pvcDefaultClaim)
			g.Expect(c.Spec.AccessModes).To(Equal([]corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}), "PersistentVolumeClaim image-registry-storage spec.accessModes")
			q := c.Spec.Resources.Requests[corev1.ResourceStorage]
			g.Expect(q.Cmp(resource.MustParse("100Gi"))).To(BeZero(), "request %s", q.String())
			g.Expect(c.Annotations).To(HaveKey(pvcOwnerAnnotation), "PersistentVolumeClaim image-registry-storage annotations imageregistry.openshift.io")
			g.Expect(c.Spec.StorageClassName).To(BeNil(), "no storage class: the cluster default")
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.PVC.Claim).To(Equal(pvcDefaultClaim), "Config cluster spec.storage.pvc.claim")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.StorageManaged).To(BeTrue(), "Config cluster status.storageManaged")
			g.Expect(cfg.Status.Storage.PVC).NotTo(BeNil(), "Config cluster status.storage.pvc")
			g.Expect(cfg.Status.Storage.PVC.Claim).To(Equal(pvcDefaultClaim), "Config cluster status.storage.pvc.claim")
			sc := condition(g, cfg.Status.Conditions, "StorageExists")
			g.Expect(sc.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition StorageExists status")
			g.Expect(sc.Reason).To(BeElementOf("PVC Created", "PVC Exists"), "Config cluster condition StorageExists reason")
		})
	})

	It("uses a named claim as is and leaves it Unmanaged", Label("PVC-002", "STOR-006", "divergence"), func() {
		pvcCreateClaim("team-claim", "10Gi", corev1.ReadWriteMany)
		createConfig(pvcManaged("team-claim", 2, ""))
		pvcOnBareMetal()
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "PVC Exists", "")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.StorageManaged).To(BeFalse(), "Config cluster status.storageManaged")
			pvcExpectFilesystem(g, getDeployment(g, r), pvcClaimVolume("team-claim"))
		})
		var c corev1.PersistentVolumeClaim
		Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "team-claim"}, &c)).To(Succeed(), "read PersistentVolumeClaim team-claim")
		Expect(c.Annotations).NotTo(HaveKey(pvcOwnerAnnotation), "a user claim is not marked as the operator's")
		Expect(c.Spec.Resources.Requests.Storage().String()).To(Equal("10Gi"), "PersistentVolumeClaim spec.resources.requests.storage")
		err := env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: pvcDefaultClaim}, &corev1.PersistentVolumeClaim{})
		Expect(err).To(HaveOccurred(), "no default claim is created when one is named")
	})

	It("says PVC does not exist for a missing named claim, and proceeds once it appears", Label("PVC-002", "divergence"), func() {
		createConfig(pvcManaged("team-claim", 1, ""))
		pvcOnBareMetal()
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "PVC does not exist", "")
		})
		var d appsv1.Deployment
		Expect(env.Client.Get(ctx(), deploymentKey, &d)).NotTo(Succeed(), "no registry without its claim")
		pvcCreateClaim("team-claim", "10Gi", corev1.ReadWriteMany)
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "PVC Exists", "")
			getDeployment(g, r)
		})
	})

	It("does not adopt a pre-existing image-registry-storage it did not create", Label("PVC-003", "divergence"), func() {
		pvcCreateClaim(pvcDefaultClaim, "5Gi", corev1.ReadWriteOnce)
		createConfig(pvcManaged("", 1, "Recreate"))
		pvcOnBareMetal()
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "PVC Already Exists", "")
		})
		// Still refused on later syncs (an unrelated edit makes the operator look again).
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = operatorv1.Debug })
		waitObserved()
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "PVC Already Exists", "")
		})
		var c corev1.PersistentVolumeClaim
		Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: pvcDefaultClaim}, &c)).To(Succeed(), "read PersistentVolumeClaim image-registry-storage")
		Expect(c.Annotations).NotTo(HaveKey(pvcOwnerAnnotation), "PersistentVolumeClaim image-registry-storage annotations imageregistry.openshift.io")
		Expect(c.Spec.AccessModes).To(Equal([]corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}), "PersistentVolumeClaim image-registry-storage spec.accessModes")
		Expect(c.Spec.Resources.Requests.Storage().String()).To(Equal("5Gi"), "PersistentVolumeClaim spec.resources.requests.storage")
		var d appsv1.Deployment
		Expect(env.Client.Get(ctx(), deploymentKey, &d)).NotTo(Succeed(), "the foreign claim is not used")
	})

	DescribeTable("refuses a ReadWriteOnce claim with more than one replica or a rolling update",
		func(replicas int32, strategy, message string) {
			pvcCreateClaim("team-rwo", "10Gi", corev1.ReadWriteOnce)
			createConfig(pvcManaged("team-rwo", replicas, strategy))
			pvcOnBareMetal()
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				if message == "" {
					expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "PVC Exists", "")
					getDeployment(g, r)
					return
				}
				expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "PVC Issues Found", message)
			})
			if message != "" {
				var d appsv1.Deployment
				Expect(env.Client.Get(ctx(), deploymentKey, &d)).NotTo(Succeed(), "read Deployment image-registry")
			}
		},
		Entry("2 replicas", Label("PVC-004"), int32(2), "Recreate", "cannot use ReadWriteOnce access mode with more than one replica of the image registry"),
		Entry("RollingUpdate", Label("PVC-004"), int32(1), "RollingUpdate", "cannot use ReadWriteOnce access mode with RollingUpdate rollout strategy"),
		Entry("1 replica and Recreate is accepted", Label("PVC-004"), int32(1), "Recreate", ""),
	)

	It("mounts the claim at /registry with the filesystem driver and forces Recreate", Label("PVC-005", "divergence"), func() {
		createConfig(pvcManaged("", 1, "RollingUpdate"))
		pvcOnBareMetal()
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			pvcExpectFilesystem(g, d, pvcClaimVolume(pvcDefaultClaim))
			g.Expect(d.Spec.Strategy.Type).To(Equal(appsv1.RecreateDeploymentStrategyType), "Deployment image-registry spec.strategy.type")
			g.Expect(d.Spec.Strategy.RollingUpdate).To(BeNil(), "Deployment image-registry spec.strategy.rollingUpdate")
		})
	})

	It("runs emptyDir storage on the filesystem driver at /registry", Label("EMPTY-001"), func() {
		createConfig(managedEmptyDir(1))
		pvcOnBareMetal()
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "Creation Successful", "EmptyDir storage successfully created")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.Storage.EmptyDir).NotTo(BeNil(), "Config cluster status.storage.emptyDir")
			pvcExpectFilesystem(g, getDeployment(g, r), func(g Gomega, v corev1.Volume) {
				g.Expect(v.EmptyDir).NotTo(BeNil(), "volume %s is an emptyDir", v.Name)
			})
		})
	})
})
