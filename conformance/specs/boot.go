package specs

import (
	"regexp"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/swift"
)

var httpSecretRE = regexp.MustCompile(`^[0-9a-f]{128}$`)

var _ = Describe("Bootstrap", func() {
	It("creates the Config named cluster from the platform when none exists", Label("BOOT-001"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Name).To(Equal("cluster"), "Config cluster name")
			g.Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Removed), "Config cluster spec.managementState")
		})
	})

	It("never rewrites an existing Config, also across an operator restart", Label("BOOT-002"), func() {
		spec := managedEmptyDir(3)
		spec.LogLevel = operatorv1.Debug
		spec.HTTPSecret = "user-chosen-secret"
		createConfig(spec)
		onPlatform(configv1.AWSPlatformType) // AWS would bootstrap S3 with 2 replicas
		waitObserved()
		Expect(env.StopOperator()).To(Succeed(), "stop the operator")
		Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = 4 }) // a fresh operator must see this edit
		waitObserved()
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
		Expect(cfg.Spec.Replicas).To(Equal(int32(4)), "Config cluster spec.replicas")
		Expect(cfg.Spec.LogLevel).To(Equal(operatorv1.Debug), "Config cluster spec.logLevel")
		Expect(cfg.Spec.HTTPSecret).To(Equal("user-chosen-secret"), "Config cluster spec.httpSecret")
		Expect(cfg.Spec.Storage.EmptyDir).NotTo(BeNil(), "Config cluster spec.storage.emptyDir")
		Expect(cfg.Spec.Storage.S3).To(BeNil(), "bootstrap must not have replaced the user's storage")
	})

	DescribeTable("bootstraps Removed with no storage where the platform has no shareable object storage",
		func(p configv1.PlatformType) {
			onPlatform(p)
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Removed), "Config cluster spec.managementState")
				g.Expect(cfg.Spec.Storage).To(Equal(imageregistryv1.ImageRegistryConfigStorage{}), "no storage")
				g.Expect(cfg.Spec.Replicas).To(Equal(int32(1)), "Config cluster spec.replicas")
			})
		},
		Entry("BareMetal", Label("BOOT-003", "platform:baremetal"), configv1.BareMetalPlatformType),
		Entry("VSphere", Label("BOOT-003", "platform:vsphere"), configv1.VSpherePlatformType),
		Entry("None", Label("BOOT-003"), configv1.NonePlatformType),
		Entry("Nutanix", Label("BOOT-003"), configv1.NutanixPlatformType),
		Entry("KubeVirt", Label("BOOT-003"), configv1.KubevirtPlatformType),
		Entry("EquinixMetal", Label("BOOT-003"), configv1.EquinixMetalPlatformType),
		Entry("AlibabaCloud", Label("BOOT-003"), configv1.AlibabaCloudPlatformType),
		Entry("External", Label("BOOT-003"), configv1.ExternalPlatformType),
	)

	DescribeTable("bootstraps Managed with the platform's storage stanza",
		func(p configv1.PlatformType, check func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage)) {
			bootOpenStackWithoutSwift(p)
			onPlatform(p)
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Managed), "Config cluster spec.managementState")
				check(g, cfg.Spec.Storage)
			})
		},
		Entry("AWS → s3", Label("BOOT-004", "platform:aws"), configv1.AWSPlatformType, func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
			g.Expect(st.S3).NotTo(BeNil(), "Config cluster spec.storage.s3")
			g.Expect(st.Azure).To(BeNil(), "Config cluster spec.storage.azure")
		}),
		Entry("Azure → azure", Label("BOOT-004", "platform:azure"), configv1.AzurePlatformType, func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
			g.Expect(st.Azure).NotTo(BeNil(), "Config cluster spec.storage.azure")
		}),
		Entry("GCP → gcs", Label("BOOT-004", "platform:gcp"), configv1.GCPPlatformType, func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
			g.Expect(st.GCS).NotTo(BeNil(), "Config cluster spec.storage.gcs")
		}),
		Entry("OpenStack without object-store endpoint → pvc image-registry-storage", Label("BOOT-004", "platform:openstack"), configv1.OpenStackPlatformType,
			func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
				g.Expect(st.Swift).To(BeNil(), "Config cluster spec.storage.swift")
				g.Expect(st.PVC).NotTo(BeNil(), "Config cluster spec.storage.pvc")
				g.Expect(st.PVC.Claim).To(Equal("image-registry-storage"), "Config cluster spec.storage.pvc.claim")
			}),
		Entry("Libvirt (unknown to the operator) → emptyDir", Label("BOOT-006", "platform:libvirt"), configv1.LibvirtPlatformType, func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
			g.Expect(st.EmptyDir).NotTo(BeNil(), "Config cluster spec.storage.emptyDir")
		}),
		// Every other type the Infrastructure CRD admits is known to the operator; an
		// unlisted string ("Mars") is refused by the CRD enum before the operator sees it.
		Entry("oVirt → pvc image-registry-storage", Label("BOOT-004", "platform:ovirt"), configv1.OvirtPlatformType, func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
			g.Expect(st.PVC).NotTo(BeNil(), "Config cluster spec.storage.pvc")
			g.Expect(st.PVC.Claim).To(Equal("image-registry-storage"), "Config cluster spec.storage.pvc.claim")
		}),
		Entry("IBMCloud → ibmcos", Label("BOOT-006", "platform:ibmcloud"), configv1.IBMCloudPlatformType, func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
			g.Expect(st.IBMCOS).NotTo(BeNil(), "Config cluster spec.storage.ibmcos")
		}),
		Entry("PowerVS → ibmcos", Label("BOOT-006", "platform:powervs"), configv1.PowerVSPlatformType, func(g Gomega, st imageregistryv1.ImageRegistryConfigStorage) {
			g.Expect(st.IBMCOS).NotTo(BeNil(), "Config cluster spec.storage.ibmcos")
			g.Expect(st.EmptyDir).To(BeNil(), "Config cluster spec.storage.emptyDir")
		}),
	)

	DescribeTable("sets replicas from the platform and topology",
		func(p harness.Platform, replicas int) {
			onInfra(p)
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(getConfig(g, r).Spec.Replicas).To(Equal(int32(replicas)), "Config cluster spec.replicas")
			})
		},
		Entry("2 on AWS", Label("BOOT-007"), harness.Platform{Type: configv1.AWSPlatformType, Region: "us-east-1"}, 2),
		Entry("1 on BareMetal", Label("BOOT-007"), harness.Platform{Type: configv1.BareMetalPlatformType}, 1),
		Entry("1 on Libvirt", Label("BOOT-007", "BOOT-006"), harness.Platform{Type: configv1.LibvirtPlatformType}, 1),
		Entry("1 on single-replica AWS", Label("BOOT-007"), harness.Platform{Type: configv1.AWSPlatformType, Region: "us-east-1", Topology: configv1.SingleReplicaTopologyMode}, 1),
	)

	It("defaults logLevel to Normal and generates a 128-hex httpSecret, regenerated when cleared", Label("BOOT-008"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		var first string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.LogLevel).To(Equal(operatorv1.Normal), "Config cluster spec.logLevel")
			g.Expect(cfg.Spec.HTTPSecret).To(MatchRegexp(httpSecretRE.String()), "Config cluster spec.httpSecret")
			first = cfg.Spec.HTTPSecret
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.HTTPSecret = "" })
		eventually(func(g Gomega, r client.Reader) {
			s := getConfig(g, r).Spec.HTTPSecret
			g.Expect(s).To(MatchRegexp(httpSecretRE.String()), "Config cluster spec.httpSecret")
			g.Expect(s).NotTo(Equal(first), "a cleared httpSecret gets a NEW value")
		})
	})

	DescribeTable("adds the finalizer and the rollout strategy",
		func(p configv1.PlatformType, strategy string) {
			bootOpenStackWithoutSwift(p)
			onPlatform(p)
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Finalizers).To(ContainElement(finalizer), "Config cluster finalizers")
				g.Expect(cfg.Spec.RolloutStrategy).To(Equal(strategy), "Config cluster spec.rolloutStrategy")
			})
		},
		Entry("RollingUpdate on Libvirt", Label("BOOT-009"), configv1.LibvirtPlatformType, "RollingUpdate"),
		Entry("Recreate with PVC (OpenStack without Swift)", Label("BOOT-009", "platform:openstack"), configv1.OpenStackPlatformType, "Recreate"),
	)

	It("keeps an incomplete Config and says in status what is missing (Managed with no storage on bare metal)", Label("BOOT-010", "STATUS-005", "platform:baremetal"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getConfig(g, r).Spec.ManagementState).To(Equal(operatorv1.Removed), "Config cluster spec.managementState")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Managed })
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "Degraded", operatorv1.ConditionTrue, "StorageNotConfigured", "Error: storage backend not configured")
			expectCondition(g, cfg.Status.Conditions, "Available", operatorv1.ConditionFalse, "StorageNotConfigured", "Error: storage backend not configured")
			g.Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Managed), "Config cluster spec.managementState")
		})
		var d appsv1.Deployment
		Expect(env.Client.Get(ctx(), deploymentKey, &d)).NotTo(Succeed(), "nothing is deployed without storage")
	})

	It("removes the registry when the Config is deleted, then bootstraps a fresh default Config", Label("BOOT-011"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		var old imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &old)).To(Succeed(), "read Config cluster")
		var oldDeploy appsv1.Deployment
		Expect(env.Client.Get(ctx(), deploymentKey, &oldDeploy)).To(Succeed(), "read Deployment image-registry")
		Expect(env.Client.Delete(ctx(), &old)).To(Succeed(), "delete Config cluster")
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.UID).NotTo(Equal(old.UID), "a new Config")
			g.Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Managed), "Config cluster spec.managementState")
			g.Expect(cfg.Spec.Storage.EmptyDir).NotTo(BeNil(), "Config cluster spec.storage.emptyDir")
		})
		// The old registry was removed in between: the Deployment is absent or was created
		// anew for the new Config (another UID); the old one updated in place means it was
		// never removed.
		eventually(func(g Gomega, r client.Reader) {
			var d appsv1.Deployment
			err := r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: registryName}, &d)
			if err == nil {
				g.Expect(d.UID).NotTo(Equal(oldDeploy.UID), "Deployment image-registry metadata.uid: the old registry's Deployment (never removed)")
			}
		})
	})
})

var _ = Describe("Bootstrap without an Infrastructure", func() {
	It("waits, and bootstraps as soon as the Infrastructure appears", Label("BOOT-001", "BOOT-013", "divergence", "bad-input"), func() {
		Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
		// Why it waits is the operator's to say (the reference records an event, the upstream
		// only logs); the rule is that it guesses nothing meanwhile.
		noConfigWhile := func(while string) {
			GinkgoHelper()
			Consistently(func() error {
				var cfg imageregistryv1.Config
				return env.Client.Get(ctx(), configKey, &cfg)
			}, time.Second, 100*time.Millisecond).ShouldNot(Succeed(), "Config cluster while "+while+" (no guess)")
		}
		noConfigWhile("there is no Infrastructure")
		// As an installer writes it: the object first, its status (the platform) after.
		infra := &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
		Expect(env.Client.Create(ctx(), infra)).To(Succeed(), "create Infrastructure cluster (no status yet)")
		noConfigWhile("Infrastructure cluster has no status.platformStatus")
		infra.Status = configv1.InfrastructureStatus{
			InfrastructureName:     "irconform-x7k2p",
			Platform:               configv1.BareMetalPlatformType, //nolint:staticcheck // an installer writes the deprecated field too
			PlatformStatus:         &configv1.PlatformStatus{Type: configv1.BareMetalPlatformType},
			ControlPlaneTopology:   configv1.HighlyAvailableTopologyMode,
			InfrastructureTopology: configv1.HighlyAvailableTopologyMode,
			CPUPartitioning:        configv1.CPUPartitioningNone,
			APIServerURL:           "https://api.irconform.example:6443",
			APIServerInternalURL:   "https://api-int.irconform.example:6443",
		}
		Expect(env.Client.Status().Update(ctx(), infra)).To(Succeed(), "write Infrastructure cluster status.platformStatus BareMetal")
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getConfig(g, r).Spec.ManagementState).To(Equal(operatorv1.Removed), "Config cluster spec.managementState")
		})
	})
})

// bootOpenStackWithoutSwift gives an OpenStack cluster what it always has, minted
// credentials (clouds.yaml), for a cloud whose Keystone catalog lists no object-store
// endpoint: the operator must look, and find none. Other platforms need nothing here.
func bootOpenStackWithoutSwift(p configv1.PlatformType) {
	GinkgoHelper()
	if p != configv1.OpenStackPlatformType {
		return
	}
	f := storageFakes(swift.WithoutObjectStore())
	Expect(f.CreateCloudCredentials(ctx(), p)).To(Succeed(), "installer-cloud-credentials for OpenStack")
}
