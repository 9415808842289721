package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
)

// azExtrasStart creates the Azure Infrastructure (platformStatus.azure.cloudName = cloud),
// installer-cloud-credentials (the fake's account plus extra keys) and starts the operator.
func azExtrasStart(f *harness.StorageFakes, cloud configv1.AzureCloudEnvironment, extra map[string]string) {
	GinkgoHelper()
	in := &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	Expect(env.Client.Create(ctx(), in)).To(Succeed(), "Infrastructure cluster create")
	in.Status = configv1.InfrastructureStatus{
		InfrastructureName: azInfraName, Platform: configv1.AzurePlatformType, //nolint:staticcheck // older readers
		PlatformStatus: &configv1.PlatformStatus{Type: configv1.AzurePlatformType,
			Azure: &configv1.AzurePlatformStatus{ResourceGroupName: "irconform-rg", CloudName: cloud}},
		ControlPlaneTopology: configv1.HighlyAvailableTopologyMode, InfrastructureTopology: configv1.HighlyAvailableTopologyMode,
		CPUPartitioning: configv1.CPUPartitioningNone,
		APIServerURL:    "https://api.irconform.example:6443", APIServerInternalURL: "https://api-int.irconform.example:6443",
	}
	Expect(env.Client.Status().Update(ctx(), in)).To(Succeed(), "Infrastructure cluster status update")
	data, err := f.CloudCredentials(configv1.AzurePlatformType)
	Expect(err).NotTo(HaveOccurred(), "fake Azure credentials")
	for k, v := range extra {
		data[k] = []byte(v)
	}
	Expect(env.CreateSecret(ctx(), "installer-cloud-credentials", data)).To(Succeed(), "Secret installer-cloud-credentials create")
	Expect(env.StartOperator(ctx())).To(Succeed(), "operator start")
}

var _ = Describe("Azure storage, clouds and identities", Label("platform:azure", "storage"), func() {
	It("takes cloudName from the Infrastructure when neither cloudName nor accountName is set, and tells the registry its realm", Label("needs:azure-identity", "AZ-005"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azExtrasStart(f, configv1.AzureUSGovernmentCloud, nil)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.Azure).NotTo(BeNil(), "Config cluster spec.storage.azure")
			g.Expect(cfg.Spec.Storage.Azure.CloudName).To(Equal("AzureUSGovernmentCloud"), "Config cluster spec.storage.azure.cloudName")
			g.Expect(depEnv(g, r)).To(HaveKeyWithValue("REGISTRY_STORAGE_AZURE_REALM", "core.usgovcloudapi.net"),
				"Deployment image-registry env REGISTRY_STORAGE_AZURE_REALM")
		})
	})

	DescribeTable("maps spec.storage.azure.cloudName to the registry's REGISTRY_STORAGE_AZURE_REALM",
		func(cloud, realm string) {
			f := storageFakes()
			Expect(f.Azure.Seed(ctx(), "team-registry", 0)).To(Succeed(), "fake Azure container team-registry")
			createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{AccountName: f.Azure.AccountName, Container: "team-registry", CloudName: cloud}))
			// The Infrastructure names another cloud: an account named in spec keeps the spec's.
			azExtrasStart(f, configv1.AzureGermanCloud, nil)
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(getConfig(g, r).Spec.Storage.Azure.CloudName).To(Equal(cloud), "Config cluster spec.storage.azure.cloudName")
				g.Expect(depEnv(g, r)).To(HaveKeyWithValue("REGISTRY_STORAGE_AZURE_REALM", realm), "Deployment image-registry env REGISTRY_STORAGE_AZURE_REALM")
			})
		},
		Entry("AzurePublicCloud", Label("needs:azure-identity", "AZ-005"), "AzurePublicCloud", "core.windows.net"),
		Entry("AzureChinaCloud", Label("needs:azure-identity", "AZ-005"), "AzureChinaCloud", "core.chinacloudapi.cn"),
		Entry("AzureUSGovernmentCloud", Label("needs:azure-identity", "AZ-005"), "AzureUSGovernmentCloud", "core.usgovcloudapi.net"),
	)

	It("hands the registry a workload identity instead of an account key when the credentials carry a federated token file", Label("needs:azure-identity", "AZ-006"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azExtrasStart(f, configv1.AzureChinaCloud, map[string]string{
			"azure_client_id":            "0f5e1a52-5b3c-4d1e-9a8b-7c6d5e4f3a2b",
			"azure_tenant_id":            "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
			"azure_federated_token_file": "/var/run/secrets/openshift/serviceaccount/token",
		})
		eventually(func(g Gomega, r client.Reader) {
			e := storEnv(g, getDeployment(g, r))
			for name, want := range map[string]string{
				"AZURE_CLIENT_ID":            "0f5e1a52-5b3c-4d1e-9a8b-7c6d5e4f3a2b",
				"AZURE_TENANT_ID":            "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
				"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/openshift/serviceaccount/token",
				"AZURE_AUTHORITY_HOST":       "https://login.chinacloudapi.cn/",
				"REGISTRY_STORAGE":           "azure",
			} {
				g.Expect(e).To(HaveKeyWithValue(name, want), "Deployment image-registry env %s", name)
			}
			g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_AZURE_ACCOUNTKEY"), "Deployment image-registry env REGISTRY_STORAGE_AZURE_ACCOUNTKEY (workload identity, no key)")
			g.Expect(azPrivateSecret(g, r).Data).NotTo(HaveKey("REGISTRY_STORAGE_AZURE_ACCOUNTKEY"),
				"Secret image-registry-private-configuration data REGISTRY_STORAGE_AZURE_ACCOUNTKEY")
		})
	})
})
