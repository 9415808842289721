package specs

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/fault"
	ibmcosfake "github.com/irconform/irconform/fakes/ibmcos"
)

// Literal values of the IBM COS driver (upstream pkg/storage/ibmcos).
const (
	ibmInstanceName = "irconform-x7k2p-image-registry"
	ibmOwnedTag     = "kubernetes.io_cluster_irconform-x7k2p:owned"
	ibmPlanID       = "744bfc56-d12c-4866-88d5-dac9139e0e5d"
	ibmTarget       = "bluemix-global"
	ibmWriterRole   = "crn:v1:bluemix:public:iam::::serviceRole:Writer"
	ibmUserAPIKey   = "irconform-user-ibm-api-key-do-not-log-0002"
)

// ibmFake is the current spec's IBM Cloud fake (set by ibmUseFake).
var ibmFake *ibmcosfake.Server

// ibmUseFake gives every spec of the container fresh storage fakes, the operator pointed at
// them; the IBM Cloud fake also accepts ibmUserAPIKey (labelled "user" in its token log).
func ibmUseFake() {
	BeforeEach(func() {
		f := storageFakes()
		f.IBMCOS.AcceptAPIKey(ibmUserAPIKey, "user")
		ibmFake = f.IBMCOS
		storFakes = f
		DeferCleanup(func() { ibmFake, storFakes = nil, nil })
	})
}

// ibmStart writes the Infrastructure, mints installer-cloud-credentials and starts the
// operator.
func ibmStart(p harness.Platform) {
	GinkgoHelper()
	Expect(storFakes.CreateCloudCredentials(ctx(), p.Type)).To(Succeed(), "create the cloud credentials Secret")
	onInfra(p)
}

func ibmManaged(st *imageregistryv1.ImageRegistryConfigStorageIBMCOS) imageregistryv1.ImageRegistrySpec {
	if st == nil {
		st = &imageregistryv1.ImageRegistryConfigStorageIBMCOS{}
	}
	return storManaged(imageregistryv1.ImageRegistryConfigStorage{IBMCOS: st})
}

// ibmReady waits until StorageExists is True with one of reasons and returns the Config.
func ibmReady(reasons ...string) *imageregistryv1.Config {
	GinkgoHelper()
	var out *imageregistryv1.Config
	storWait(storLongTimeout, func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		g.Expect(cfg.Spec.Storage.IBMCOS).NotTo(BeNil(), "Config cluster spec.storage.ibmcos")
		storExpectStorageExistsTrue(g, cfg, reasons...)
		out = cfg
	})
	return out
}

func ibmBuckets(g Gomega) []fault.BucketInfo {
	bs, err := ibmFake.Buckets(ctx())
	g.Expect(err).NotTo(HaveOccurred(), "list the fake's buckets")
	return bs
}

// ibmHosts is the set of hosts the operator meant, per IBM Cloud service.
func ibmHosts() map[string][]string {
	out := map[string][]string{}
	seen := map[ibmcosfake.RequestedHost]bool{}
	for _, h := range ibmFake.RequestedHosts() {
		if !seen[h] {
			seen[h] = true
			out[h.Service] = append(out[h.Service], h.Host)
		}
	}
	return out
}

func ibmVolumeMount(g Gomega, d *appsv1.Deployment, path string) string {
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, m := range c.VolumeMounts {
			if m.MountPath == path {
				g.Expect(m.ReadOnly).To(BeTrue(), "mount %s read-only", path)
				return m.Name
			}
		}
	}
	g.Expect(path).To(BeEmpty(), "no volume mounted at %s", path)
	return ""
}

var _ = Describe("IBM COS storage", Label("storage", "platform:ibmcloud"), func() {
	ibmUseFake()

	It("bootstraps IBMCloud Managed with storage.ibmcos and 2 replicas, and the registry uses the bucket it creates through the S3 driver",
		Label("needs:ibm-cloud-apis", "BOOT-006", "BOOT-007", "IBMCOS-001", "IBMCOS-005"), func() {
			ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
			cfg := ibmReady("Creation Successful", "IBM COS Bucket Exists")
			Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Managed), "Config cluster spec.managementState")
			Expect(cfg.Spec.Replicas).To(Equal(int32(2)), "Config cluster spec.replicas")
			Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "the operator created the bucket")
			st := cfg.Spec.Storage.IBMCOS
			Expect(st.Location).To(Equal("us-south"), "Config cluster spec.storage.ibmcos.location")
			Expect(st.ResourceGroupName).To(Equal("irconform-rg"), "Config cluster spec.storage.ibmcos.resourceGroupName")
			Expect(st.Bucket).To(HavePrefix("irconform-x7k2p-image-registry-us-south-"), "Config cluster spec.storage.ibmcos.bucket")
			Expect(st.Bucket).To(HaveLen(62), "generated names are padded to 62 characters")
			Expect(st.Bucket).To(MatchRegexp(`^[a-z0-9-]+$`), "Config cluster spec.storage.ibmcos.bucket")
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Status.Storage.IBMCOS).To(Equal(cfg.Spec.Storage.IBMCOS), "Config cluster status.storage.ibmcos records what is in use")
				g.Expect(cfg.Status.Storage.ManagementState).To(Equal("Managed"), "Config cluster status.storage.managementState")
				d := getDeployment(g, r)
				e := storEnv(g, d)
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE", "s3"), "Deployment image-registry env REGISTRY_STORAGE")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_BUCKET", st.Bucket), "Deployment image-registry env REGISTRY_STORAGE_S3_BUCKET")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGION", "us-south"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGION")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGIONENDPOINT", "s3.us-south.cloud-object-storage.appdomain.cloud"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGIONENDPOINT")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_ENCRYPT", "false"), "Deployment image-registry env REGISTRY_STORAGE_S3_ENCRYPT")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "true"), "Deployment image-registry env REGISTRY_STORAGE_S3_FORCEPATHSTYLE")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_USEDUALSTACK", "false"), "Deployment image-registry env REGISTRY_STORAGE_S3_USEDUALSTACK")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", "/var/run/secrets/cloud/credentials"), "Deployment image-registry env REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH")
				g.Expect(ibmVolumeMount(g, d, "/var/run/secrets/cloud")).To(Equal("image-registry-private-configuration"), "Deployment image-registry volume mounted at /var/run/secrets/cloud")
				expectCondition(g, cfg.Status.Conditions, "Available", operatorv1.ConditionTrue, "Ready", "The registry is ready")
			})
			Eventually(ibmBuckets).WithTimeout(defaultTimeout).Should(ContainElement(And(
				HaveField("Name", st.Bucket),
				HaveField("Settings", HaveKeyWithValue(ibmcosfake.SettingLocationConstraint, "us-south-smart")),
				HaveField("Settings", HaveKeyWithValue(ibmcosfake.SettingServiceInstance, st.ServiceInstanceCRN)))), "IBM COS fake buckets")
		})

	It("bootstraps PowerVS the same way, in the COS region that serves the PowerVS region",
		Label("needs:ibm-cloud-apis", "BOOT-006", "IBMCOS-008", "platform:powervs"), func() {
			ibmStart(harness.Platform{Type: configv1.PowerVSPlatformType, Location: "lon"})
			cfg := ibmReady("Creation Successful", "IBM COS Bucket Exists")
			Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Managed), "Config cluster spec.managementState")
			Expect(cfg.Spec.Replicas).To(Equal(int32(2)), "Config cluster spec.replicas")
			Expect(cfg.Spec.Storage.IBMCOS.Location).To(Equal("eu-gb"), "PowerVS lon is served by COS eu-gb")
			Expect(cfg.Spec.Storage.IBMCOS.ResourceGroupName).To(Equal("irconform-rg"), "platformStatus.powervs.resourceGroup")
			Expect(cfg.Spec.Storage.IBMCOS.Bucket).To(HavePrefix("irconform-x7k2p-image-registry-eu-gb-"), "Config cluster spec.storage.ibmcos.bucket")
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				e := storEnv(g, getDeployment(g, r))
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGION", "eu-gb"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGION")
				g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGIONENDPOINT", "s3.eu-gb.cloud-object-storage.appdomain.cloud"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGIONENDPOINT")
			})
			Expect(ibmBuckets(Default)).To(ContainElement(HaveField("Settings", HaveKeyWithValue(ibmcosfake.SettingLocationConstraint, "eu-gb-smart"))), "IBM COS fake buckets")
			hosts := ibmHosts()
			Expect(hosts).To(HaveKeyWithValue("IAM", ConsistOf("iam.cloud.ibm.com")), "IBM Cloud hosts called IAM")
			Expect(hosts).To(HaveKeyWithValue("ResourceController", ConsistOf("resource-controller.cloud.ibm.com")), "IBM Cloud hosts called ResourceController")
			Expect(hosts).To(HaveKeyWithValue("COS", ConsistOf("s3.eu-gb.cloud-object-storage.appdomain.cloud")), "IBM Cloud hosts called COS")
		})

	It("uses the Infrastructure's service endpoint overrides, and gives the registry the COS one verbatim", Label("needs:ibm-cloud-apis", "IBMCOS-008"), func() {
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType, Location: "eu-de", ServiceEndpoints: map[string]string{
			"COS":                "https://s3.direct.eu-de.cloud-object-storage.appdomain.cloud",
			"IAM":                "https://private.iam.cloud.ibm.com",
			"ResourceController": "https://private.resource-controller.cloud.ibm.com",
			"ResourceManager":    "https://private.resource-manager.cloud.ibm.com",
			"VPC":                "https://eu-de.private.iaas.cloud.ibm.com",
		}})
		ibmReady("Creation Successful", "IBM COS Bucket Exists")
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			e := storEnv(g, getDeployment(g, r))
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGIONENDPOINT", "https://s3.direct.eu-de.cloud-object-storage.appdomain.cloud"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGIONENDPOINT")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGION", "eu-de"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGION")
		})
		hosts := ibmHosts()
		Expect(hosts).To(HaveKeyWithValue("IAM", ConsistOf("private.iam.cloud.ibm.com")), "IBM Cloud hosts called IAM")
		Expect(hosts).To(HaveKeyWithValue("ResourceController", ConsistOf("private.resource-controller.cloud.ibm.com")), "IBM Cloud hosts called ResourceController")
		Expect(hosts).To(HaveKeyWithValue("ResourceManager", ConsistOf("private.resource-manager.cloud.ibm.com")), "IBM Cloud hosts called ResourceManager")
		Expect(hosts).To(HaveKeyWithValue("COS", ConsistOf("s3.direct.eu-de.cloud-object-storage.appdomain.cloud")), "IBM Cloud hosts called COS")
	})

	It("exchanges the minted ibmcloud_api_key for IAM tokens, and the user secret's REGISTRY_STORAGE_IBMCOS_IAMAPIKEY wins over it", Label("needs:ibm-cloud-apis", "IBMCOS-002"), func() {
		storCreateSecret(storUserSecret, map[string]string{"REGISTRY_STORAGE_IBMCOS_IAMAPIKEY": ibmUserAPIKey})
		createConfig(ibmManaged(nil))
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
		ibmReady("Creation Successful", "IBM COS Bucket Exists")
		toks := ibmFake.Tokens()
		Expect(toks).NotTo(BeEmpty(), "IAM issued tokens")
		presented := 0
		for _, t := range toks {
			Expect(t.KeyLabel).To(Equal("user"), "every token was exchanged for the user secret's API key")
			presented += t.Uses
		}
		// Counted over all tokens: a sync still under way when the spec looks may hold a token
		// it has not presented yet (each sync exchanges the key anew).
		Expect(presented).To(BeNumerically(">", 0), "requests that presented an issued token")
		Expect(ibmFake.Instances()).To(HaveLen(1), "the user's key provisions as the minted one would")
	})

	It("without the API key it names the missing key and touches nothing", Label("IBMCOS-002", "bad-input"), func() {
		storCreateSecret(storUserSecret, map[string]string{"REGISTRY_STORAGE_S3_ACCESSKEY": "not-for-ibm"})
		createConfig(ibmManaged(nil))
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
		want := `secret "openshift-image-registry/image-registry-private-configuration-user" does not contain required key "REGISTRY_STORAGE_IBMCOS_IAMAPIKEY"`
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			g.Expect(condition(g, getConfig(g, r).Status.Conditions, "Progressing").Message).To(ContainSubstring(want), "Config cluster condition Progressing message")
		})
		waitObserved()
		Expect(ibmFake.Faults().Calls()).To(BeEmpty(), "no IBM Cloud call without the key")
		Expect(ibmFake.Tokens()).To(BeEmpty(), "IBM COS fake: tokens")
	})

	It("provisions one COS instance and one HMAC resource key per cluster, and hands the key's HMAC pair to the registry",
		Label("needs:ibm-cloud-apis", "IBMCOS-003", "IBMCOS-004"), func() {
			createConfig(ibmManaged(nil))
			ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
			cfg := ibmReady("Creation Successful", "IBM COS Bucket Exists")
			ins := ibmFake.Instances()
			Expect(ins).To(HaveLen(1), "IBM COS fake: instances")
			Expect(ins[0].Name).To(Equal(ibmInstanceName), "IBM COS fake: instances[0].name")
			Expect(ins[0].PlanID).To(Equal(ibmPlanID), "IBM COS fake: instances[0].planID")
			Expect(ins[0].Target).To(Equal(ibmTarget), "IBM COS fake: instances[0].target")
			Expect(ins[0].ResourceGroupID).To(Equal(ibmFake.ResourceGroupID), "the Infrastructure's resource group")
			Expect(ins[0].Tags).To(ConsistOf(ibmOwnedTag), "IBM COS fake: instances[0].tags")
			Expect(cfg.Spec.Storage.IBMCOS.ServiceInstanceCRN).To(Equal(ins[0].CRN), "Config cluster spec.storage.ibmcos.serviceInstanceCRN")
			keys := ibmFake.ResourceKeys()
			Expect(keys).To(HaveLen(1), "IBM COS fake: resource keys")
			Expect(keys[0].Name).To(Equal(ibmInstanceName), "IBM COS fake: resource keys[0].name")
			Expect(keys[0].SourceCRN).To(Equal(ins[0].CRN), "IBM COS fake: resource keys[0].sourceCRN")
			Expect(keys[0].Role).To(Equal(ibmWriterRole), "IBM COS fake: resource keys[0].role")
			Expect(keys[0].HMAC).To(BeTrue(), "created with parameters {HMAC: true}")
			Expect(cfg.Spec.Storage.IBMCOS.ResourceKeyCRN).To(Equal(keys[0].CRN), "Config cluster spec.storage.ibmcos.resourceKeyCRN")
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				g.Expect(string(storPrivateSecret(g, r).Data["credentials"])).To(Equal(credIni(keys[0].AccessKeyID, keys[0].SecretAccessKey)), "Secret image-registry-private-configuration data[credentials]")
			})
			By("a restarted operator provisions nothing more")
			Expect(env.StopOperator()).To(Succeed(), "stop the operator")
			Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
			storTouch("resync")
			waitObserved()
			Expect(ibmFake.Instances()).To(HaveLen(1), "IBM COS fake: instances")
			Expect(ibmFake.ResourceKeys()).To(HaveLen(1), "IBM COS fake: resource keys")
			Expect(ibmBuckets(Default)).To(HaveLen(1), "IBM COS fake buckets")
		})

	It("reuses a service instance of its name that already exists", Label("needs:ibm-cloud-apis", "IBMCOS-003"), func() {
		existing := ibmFake.AddInstance(ibmInstanceName, "active")
		createConfig(ibmManaged(nil))
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
		cfg := ibmReady("Creation Successful", "IBM COS Bucket Exists")
		Expect(cfg.Spec.Storage.IBMCOS.ServiceInstanceCRN).To(Equal(existing.CRN), "Config cluster spec.storage.ibmcos.serviceInstanceCRN")
		Expect(ibmFake.Instances()).To(HaveLen(1), "IBM COS fake: instances")
		Expect(ibmFake.Faults().Count(ibmcosfake.OpCreateInstance, "")).To(BeZero(), "no CreateServiceInstance call")
	})

	It("adopts a user's bucket as Unmanaged and keeps it when Removed", Label("needs:ibm-cloud-apis", "IBMCOS-006", "STOR-006", "STOR-005", "divergence"), func() {
		Expect(ibmFake.Seed(ctx(), "team-registry", 3)).To(Succeed(), "seed IBM COS bucket team-registry")
		createConfig(ibmManaged(&imageregistryv1.ImageRegistryConfigStorageIBMCOS{Bucket: "team-registry"}))
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			c := condition(g, cfg.Status.Conditions, "StorageExists")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition StorageExists status")
			g.Expect([]string{c.Reason + "/" + c.Message}).To(ContainElement(BeElementOf(
				"IBM COS Bucket Exists/User supplied IBM COS bucket exists and is accessible", "IBM COS Bucket Exists/")), "Config cluster condition StorageExists reason/message")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "a user's bucket is Unmanaged")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			absent(g, r, &appsv1.Deployment{ObjectMeta: storDeploymentMeta()})
			g.Expect(getConfig(g, r).Status.Storage.IBMCOS).To(BeNil(), "Config cluster status.storage cleared")
		})
		Expect(ibmBuckets(Default)).To(ContainElement(And(HaveField("Name", "team-registry"), HaveField("Objects", 3))), "IBM COS fake buckets")
		Expect(ibmFake.Faults().Count(fault.OpDeleteBucket, "")).To(BeZero(), "IBM COS fake: calls to DeleteBucket on any bucket")
		Expect(ibmFake.Faults().Count(fault.OpDeleteObject, "")).To(BeZero(), "IBM COS fake: calls to DeleteObject on any bucket")
	})

	It("deletes the bucket it created when Removed (objects first), and keeps the service instance and key", Label("needs:ibm-cloud-apis", "IBMCOS-007"), func() {
		createConfig(ibmManaged(nil))
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
		bucket := ibmReady("Creation Successful", "IBM COS Bucket Exists").Spec.Storage.IBMCOS.Bucket
		Expect(ibmFake.Seed(ctx(), bucket, 4)).To(Succeed(), "seed the IBM COS bucket")
		rec := storRecord("StorageExists")
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		rec.expectSeen(operatorv1.ConditionFalse, "IBM COS Bucket Deleted", "IBM COS bucket has been removed.")
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.IBMCOS.Bucket).To(BeEmpty(), "Config cluster spec.storage.ibmcos.bucket cleared")
			g.Expect(ibmBuckets(g)).To(BeEmpty(), "conditions %+v calls %s", cfg.Status.Conditions, storOpsOf(ibmFake.Faults()))
		})
		Expect(ibmFake.Instances()).To(HaveLen(1), "the service instance stays")
		Expect(ibmFake.ResourceKeys()).To(HaveLen(1), "the resource key stays")
	})

	It("waits while the named service instance is provisioning, and replaces one that is removed", Label("needs:ibm-cloud-apis", "IBMCOS-009"), func() {
		prov := ibmFake.AddInstance("team-cos", "provisioning")
		createConfig(ibmManaged(&imageregistryv1.ImageRegistryConfigStorageIBMCOS{ServiceInstanceCRN: prov.CRN}))
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "IBM COS Instance Provisioning", "IBM COS service instance is provisioning")
			g.Expect(condition(g, cfg.Status.Conditions, "Progressing").Message).To(ContainSubstring("waiting for IBM COS service instance to finish provisioning"), "Config cluster condition Progressing message")
		})
		Expect(ibmBuckets(Default)).To(BeEmpty(), "no bucket before the instance is active")
		Expect(ibmFake.ResourceKeys()).To(BeEmpty(), "IBM COS fake: resource keys")

		By("the instance is removed on IBM Cloud: a new one replaces it in the same sync")
		Expect(ibmFake.SetInstanceState(prov.CRN, "removed")).To(Succeed(), "IBM COS fake: mark the instance removed")
		storTouch("instance removed")
		cfg := ibmReady("Creation Successful", "IBM COS Bucket Exists")
		Expect(cfg.Spec.Storage.IBMCOS.ServiceInstanceCRN).NotTo(Equal(prov.CRN), "a new instance replaces the removed one")
		Expect(ibmFake.Instances()).To(ContainElement(And(HaveField("Name", ibmInstanceName), HaveField("CRN", cfg.Spec.Storage.IBMCOS.ServiceInstanceCRN))), "IBM COS fake: instances")
	})

	It("retries an IAM outage without creating anything half-way, then completes", Label("needs:ibm-cloud-apis", "IBMCOS-010", "faults"), func() {
		env.UseFastRetries() // retried on the fast backoff: the retry after IAM is back comes within its cap
		ibmFake.Faults().Inject(fault.Rule{Op: ibmcosfake.OpAuth, Status: 503, Code: "BXNIM0002E", Message: "IAM is unavailable"})
		createConfig(ibmManaged(nil))
		ibmStart(harness.Platform{Type: configv1.IBMCloudPlatformType})
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(condition(g, cfg.Status.Conditions, "Progressing").Message).To(ContainSubstring("IAM is unavailable"), "Config cluster condition Progressing message")
			g.Expect(ibmFake.Faults().Count(ibmcosfake.OpAuth, "")).To(BeNumerically(">=", 2), "retried")
		})
		Expect(ibmFake.Instances()).To(BeEmpty(), "IBM COS fake: instances")
		Expect(ibmBuckets(Default)).To(BeEmpty(), "IBM COS fake buckets")
		ibmFake.Faults().Clear()
		storTouch("IAM back")
		cfg := ibmReady("Creation Successful", "IBM COS Bucket Exists")
		Expect(ibmFake.Instances()).To(HaveLen(1), "exactly one instance after the outage")
		Expect(strings.HasPrefix(cfg.Spec.Storage.IBMCOS.Bucket, "irconform-x7k2p-image-registry-us-south-")).To(BeTrue(), "Config cluster spec.storage.ibmcos.bucket starts with irconform-x7k2p-image-registry-us-south-")
	})
})
