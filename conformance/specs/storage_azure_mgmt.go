package specs

import (
	"fmt"
	"maps"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	armfake "github.com/irconform/irconform/fakes/azure/arm"
)

// Literal names from the catalogue (AZ-007..AZ-012) and upstream-facts (STOR-AZ-04..07b).
const (
	azRG = "irconform-rg" // installer-cloud-credentials azure_resourcegroup
	// "imageregistry" + "irconformx7k2p" (the infrastructure name's letters and digits) cut
	// to 19 characters, then 5 random lower-case letters or digits.
	azGeneratedAccountRE = `^imageregistryirconf[a-z0-9]{5}$`
	azOwnedTag           = "kubernetes.io_cluster.irconform-x7k2p"
	azPrivateZone        = "privatelink.blob.core.windows.net"
	azZoneGroup          = "privatelink-blob-core-windows-net"
	azVNet               = "irconform-x7k2p-vnet"
	azWorkerSubnet       = "irconform-x7k2p-worker-subnet"
)

// azARMStart creates the Azure Infrastructure (resource group irconform-rg, resourceTags as
// given), installer-cloud-credentials with the ARM fake's service principal (keys as
// minted: azure_subscription_id, azure_client_id, azure_client_secret, azure_tenant_id,
// azure_resourcegroup, azure_region; edit may change them) and starts the operator.
func azARMStart(f *harness.StorageFakes, tags []configv1.AzureResourceTag, edit func(map[string][]byte)) {
	GinkgoHelper()
	in := &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	Expect(env.Client.Create(ctx(), in)).To(Succeed(), "Infrastructure cluster create")
	in.Status = configv1.InfrastructureStatus{
		InfrastructureName: azInfraName, Platform: configv1.AzurePlatformType, //nolint:staticcheck // older readers
		PlatformStatus: &configv1.PlatformStatus{Type: configv1.AzurePlatformType,
			Azure: &configv1.AzurePlatformStatus{ResourceGroupName: azRG, CloudName: configv1.AzurePublicCloud, ResourceTags: tags}},
		ControlPlaneTopology: configv1.HighlyAvailableTopologyMode, InfrastructureTopology: configv1.HighlyAvailableTopologyMode,
		CPUPartitioning: configv1.CPUPartitioningNone,
		APIServerURL:    "https://api.irconform.example:6443", APIServerInternalURL: "https://api-int.irconform.example:6443",
	}
	Expect(env.Client.Status().Update(ctx(), in)).To(Succeed(), "Infrastructure cluster status update")
	creds := f.AzureARM.Credentials()
	if edit != nil {
		edit(creds)
	}
	Expect(env.CreateSecret(ctx(), "installer-cloud-credentials", creds)).To(Succeed(), "Secret installer-cloud-credentials create")
	Expect(env.StartOperator(ctx())).To(Succeed(), "operator start")
}

// azARMResource is the fake's resource with that ID; g fails when there is none.
func azARMResource(g Gomega, f *harness.StorageFakes, id string) armfake.Resource {
	r, ok := f.AzureARM.Resource(id)
	g.Expect(ok).To(BeTrue(), "Azure resource %s exists", id)
	return r
}

// azPrivateConfig is a managed Config asking for a private storage account.
func azPrivateConfig(internal *imageregistryv1.AzureNetworkAccessInternal) imageregistryv1.ImageRegistrySpec {
	return azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{NetworkAccess: &imageregistryv1.AzureNetworkAccess{
		Type: imageregistryv1.AzureNetworkAccessTypeInternal, Internal: internal}})
}

// azPrivateRemoved makes a managed private account (VNet discovered by its CAPZ tag), waits
// until it is set up, switches the Config to Removed and waits for "Storage account has
// been deleted". It returns what the operator made for the account and endpoint the Config
// recorded (ID → description; an account a conflicting spec write left unrecorded is
// STOR-013's), each checked to exist before Removed, and the ID of the account's A record.
func azPrivateRemoved(f *harness.StorageFakes) (made map[string]string, record string) {
	GinkgoHelper()
	f.AzureARM.SeedVirtualNetwork(azRG, azVNet, map[string]string{"sigs.k8s.io_cluster-api-provider-azure_cluster_irconform-x7k2p": "owned"}, azWorkerSubnet)
	createConfig(azPrivateConfig(nil))
	azARMStart(f, nil, nil)
	var account, pe string
	eventually(func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		g.Expect(cfg.Status.Storage.Azure).NotTo(BeNil(), "Config cluster status.storage.azure")
		g.Expect(cfg.Status.Storage.Azure.NetworkAccess).NotTo(BeNil(), "Config cluster status.storage.azure.networkAccess")
		g.Expect(cfg.Status.Storage.Azure.NetworkAccess.Internal).NotTo(BeNil(), "Config cluster status.storage.azure.networkAccess.internal")
		account, pe = cfg.Spec.Storage.Azure.AccountName, cfg.Spec.Storage.Azure.NetworkAccess.Internal.PrivateEndpointName
		g.Expect(pe).NotTo(BeEmpty(), "Config cluster spec.storage.azure.networkAccess.internal.privateEndpointName")
		getDeployment(g, r)
	})
	sub := f.AzureARM.SubscriptionID
	peID := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/privateEndpoints/%s", sub, azRG, pe)
	zoneID := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/privateDnsZones/%s", sub, azRG, azPrivateZone)
	made = map[string]string{
		fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s", sub, azRG, account): "storage account " + account,
		peID: "private endpoint " + pe,
		fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/networkInterfaces/%s-nic", sub, azRG, pe): "network interface " + pe + "-nic",
		peID + "/privateDnsZoneGroups/" + azZoneGroup: "private DNS zone group " + azZoneGroup,
		zoneID + "/virtualNetworkLinks/" + account:    "virtual network link " + account,
	}
	record = zoneID + "/A/" + account
	for _, id := range append(slices.Collect(maps.Keys(made)), record) {
		azARMResource(NewGomega(Fail), f, id)
	}
	updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
	eventually(func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "AccountDeleted", "Storage account has been deleted")
		g.Expect(cfg.Spec.Storage.Azure.AccountName).To(BeEmpty(), "Config cluster spec.storage.azure.accountName")
		g.Expect(cfg.Spec.Storage.Azure.Container).To(BeEmpty(), "Config cluster spec.storage.azure.container")
	})
	return made, record
}

var _ = Describe("Azure storage through Resource Manager", Label("platform:azure", "storage"), func() {
	It("creates a storage account with a generated name and the cluster's tags when none is named, and hands its key to the registry", Label("AZ-007"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azARMStart(f, []configv1.AzureResourceTag{{Key: "team", Value: "registry"}}, nil)
		var account string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
			account = cfg.Spec.Storage.Azure.AccountName
			g.Expect(account).To(MatchRegexp(azGeneratedAccountRE), "Config cluster spec.storage.azure.accountName")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Spec.Storage.Azure.Container).NotTo(BeEmpty(), "Config cluster spec.storage.azure.container")
			e := depEnv(g, r)
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_AZURE_ACCOUNTNAME", account), "Deployment image-registry env REGISTRY_STORAGE_AZURE_ACCOUNTNAME")
			g.Expect(azPrivateSecret(g, r).Data).To(HaveKeyWithValue("REGISTRY_STORAGE_AZURE_ACCOUNTKEY", []byte(f.AzureARM.PrimaryKey(account))),
				"Secret image-registry-private-configuration data REGISTRY_STORAGE_AZURE_ACCOUNTKEY (the account's key1)")
		})
		acct, ok := f.AzureARM.StorageAccount(account)
		Expect(ok).To(BeTrue(), "Azure storage account %s exists", account)
		Expect(acct.ResourceGroup).To(Equal(azRG), "Azure storage account %s resource group", account)
		Expect(acct.Location).To(Equal("eastus"), "Azure storage account %s location (azure_region)", account)
		Expect(acct.Tags).To(Equal(map[string]string{azOwnedTag: "owned", "team": "registry"}), "Azure storage account %s tags", account)
		Expect(acct.Extra).To(HaveKeyWithValue("kind", "StorageV2"), "Azure storage account %s kind", account)
		Expect(acct.Extra).To(HaveKeyWithValue("sku", HaveKeyWithValue("name", "Standard_LRS")), "Azure storage account %s sku.name", account)
		Expect(acct.Properties).To(And(HaveKeyWithValue("supportsHttpsTrafficOnly", true), HaveKeyWithValue("allowBlobPublicAccess", false),
			HaveKeyWithValue("minimumTlsVersion", "TLS1_2")), "Azure storage account %s properties", account)
		Expect(azContainerNames(f.AzureARM.Blob(account))).To(HaveLen(1), "containers of Azure storage account %s", account)
	})

	It("creates exactly one storage account under a generated name, the one the Config records", Label("AZ-007", "STOR-013", "divergence"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azARMStart(f, nil, nil)
		var account string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
			g.Expect(cfg.Status.Storage.Azure).NotTo(BeNil(), "Config cluster status.storage.azure")
			account = cfg.Status.Storage.Azure.AccountName
			g.Expect(cfg.Spec.Storage.Azure.AccountName).To(Equal(account), "Config cluster spec.storage.azure.accountName (status.storage.azure.accountName %q)", account)
			getDeployment(g, r)
		})
		waitObserved()
		Expect(f.AzureARM.Resources(armfake.TypeStorageAccount)).To(ConsistOf(HaveField("Name", account)),
			"Azure storage accounts: exactly one bucket exists and it is the one spec.storage and status.storage record (%s)", account)
	})

	It("takes cloudName from the Infrastructure when neither cloudName nor accountName is set, and tells the registry its realm (service principal)", Label("AZ-005"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azARMStart(f, nil, nil) // platformStatus.azure.cloudName AzurePublicCloud
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.Azure).NotTo(BeNil(), "Config cluster spec.storage.azure")
			g.Expect(cfg.Spec.Storage.Azure.CloudName).To(Equal("AzurePublicCloud"), "Config cluster spec.storage.azure.cloudName")
			g.Expect(depEnv(g, r)).To(HaveKeyWithValue("REGISTRY_STORAGE_AZURE_REALM", "core.windows.net"),
				"Deployment image-registry env REGISTRY_STORAGE_AZURE_REALM")
		})
	})

	It("refuses a generated account name that is taken, and creates nothing", Label("AZ-008"), func() {
		f := storageFakes()
		f.AzureARM.ReserveAccountNames("imageregistryirconf")
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azARMStart(f, nil, nil)
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionUnknown, "AzureError",
				"Unable to process storage account: create storage account failed, name not available")
		})
		Expect(f.AzureARM.Faults().Count(armfake.OpCreate+"StorageAccount", "")).To(BeZero(), "Azure ARM fake: calls to create a storage account")
		Expect(f.AzureARM.Resources(armfake.TypeStorageAccount)).To(BeEmpty(), "Azure storage accounts")
	})

	It("creates a named account that does not exist, under that name", Label("AZ-008"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{AccountName: "teamregistry01"}))
		azARMStart(f, nil, nil)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
			g.Expect(cfg.Spec.Storage.Azure.AccountName).To(Equal("teamregistry01"), "Config cluster spec.storage.azure.accountName")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
		})
		acct, ok := f.AzureARM.StorageAccount("teamregistry01")
		Expect(ok).To(BeTrue(), "Azure storage account teamregistry01 exists")
		Expect(acct.Tags).To(HaveKeyWithValue(azOwnedTag, "owned"), "Azure storage account teamregistry01 tags")
	})

	It("with networkAccess Internal discovers the cluster's VNet and subnet, creates a private endpoint with its DNS, and disables public access", Label("AZ-009"), func() {
		f := storageFakes()
		// An untagged VNet listed first must not be taken.
		f.AzureARM.SeedVirtualNetwork(azRG, "aaa-other-vnet", nil, "other-subnet")
		f.AzureARM.SeedVirtualNetwork(azRG, azVNet, map[string]string{azOwnedTag: "shared"}, azWorkerSubnet)
		createConfig(azPrivateConfig(nil))
		azARMStart(f, nil, nil)
		var account, pe string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
			az := cfg.Spec.Storage.Azure
			account = az.AccountName
			g.Expect(az.NetworkAccess).NotTo(BeNil(), "Config cluster spec.storage.azure.networkAccess")
			g.Expect(az.NetworkAccess.Internal).NotTo(BeNil(), "Config cluster spec.storage.azure.networkAccess.internal")
			g.Expect(az.NetworkAccess.Internal.VNetName).To(Equal(azVNet), "Config cluster spec.storage.azure.networkAccess.internal.vnetName")
			g.Expect(az.NetworkAccess.Internal.SubnetName).To(Equal(azWorkerSubnet), "Config cluster spec.storage.azure.networkAccess.internal.subnetName")
			pe = az.NetworkAccess.Internal.PrivateEndpointName
			g.Expect(pe).To(MatchRegexp(azGeneratedAccountRE), "Config cluster spec.storage.azure.networkAccess.internal.privateEndpointName")
		})
		sub := f.AzureARM.SubscriptionID
		vnetID := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/%s", sub, azRG, azVNet)
		accountID := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s", sub, azRG, account)
		peID := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/privateEndpoints/%s", sub, azRG, pe)
		zoneID := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/privateDnsZones/%s", sub, azRG, azPrivateZone)
		g := NewGomega(Fail)

		endpoint := azARMResource(g, f, peID)
		Expect(endpoint.Location).To(Equal("eastus"), "private endpoint %s location", pe)
		Expect(endpoint.Tags).To(HaveKeyWithValue(azOwnedTag, "owned"), "private endpoint %s tags", pe)
		Expect(endpoint.Properties).To(HaveKeyWithValue("subnet", HaveKeyWithValue("id", vnetID+"/subnets/"+azWorkerSubnet)), "private endpoint %s properties.subnet.id", pe)
		Expect(endpoint.Properties).To(HaveKeyWithValue("customNetworkInterfaceName", pe+"-nic"), "private endpoint %s properties.customNetworkInterfaceName", pe)
		Expect(endpoint.Properties["privateLinkServiceConnections"]).To(ConsistOf(HaveKeyWithValue("properties", And(
			HaveKeyWithValue("privateLinkServiceId", accountID), HaveKeyWithValue("groupIds", ConsistOf("blob"))))),
			"private endpoint %s properties.privateLinkServiceConnections", pe)
		nic := azARMResource(g, f, fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/networkInterfaces/%s-nic", sub, azRG, pe))
		ip := nic.Properties["ipConfigurations"].([]any)[0].(map[string]any)["properties"].(map[string]any)["privateIPAddress"]

		zone := azARMResource(g, f, zoneID)
		Expect(zone.Location).To(Equal("global"), "private DNS zone %s location", azPrivateZone)
		record := azARMResource(g, f, zoneID+"/A/"+account)
		Expect(record.Properties).To(And(HaveKeyWithValue("ttl", BeNumerically("==", 10)),
			HaveKeyWithValue("aRecords", ConsistOf(HaveKeyWithValue("ipv4Address", ip)))), "private DNS A record %s properties", account)
		group := azARMResource(g, f, peID+"/privateDnsZoneGroups/"+azZoneGroup)
		Expect(group.Properties["privateDnsZoneConfigs"]).To(ConsistOf(HaveKeyWithValue("properties", HaveKeyWithValue("privateDnsZoneId", zoneID))),
			"private DNS zone group %s properties.privateDnsZoneConfigs", azZoneGroup)
		link := azARMResource(g, f, zoneID+"/virtualNetworkLinks/"+account)
		Expect(link.Location).To(Equal("global"), "virtual network link %s location", account)
		Expect(link.Properties).To(And(HaveKeyWithValue("registrationEnabled", false), HaveKeyWithValue("virtualNetwork", HaveKeyWithValue("id", vnetID))),
			"virtual network link %s properties", account)

		acct := azARMResource(g, f, accountID)
		Expect(acct.Properties).To(HaveKeyWithValue("publicNetworkAccess", "Disabled"), "Azure storage account %s properties.publicNetworkAccess", account)
	})

	It("with networkAccess Internal and no VNet tagged for the cluster reports exactly what to provide, and creates no endpoint", Label("AZ-010"), func() {
		f := storageFakes()
		f.AzureARM.SeedVirtualNetwork(azRG, "aaa-other-vnet", map[string]string{"kubernetes.io_cluster.another-cluster": "owned"}, "other-subnet")
		createConfig(azPrivateConfig(nil))
		azARMStart(f, nil, nil)
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionUnknown, "AzureError",
				`Unable to process private endpoint: failed to discover vnet name, please provide network details manually: `+
					`"vnet with tags 'map[kubernetes.io_cluster.irconform-x7k2p:[owned shared] sigs.k8s.io_cluster-api-provider-azure_cluster_irconform-x7k2p:[owned shared]]' not found"`)
		})
		Expect(f.AzureARM.Resources(armfake.TypePrivateEndpoint)).To(BeEmpty(), "Azure private endpoints")
		for _, a := range f.AzureARM.Resources(armfake.TypeStorageAccount) {
			Expect(a.Properties).NotTo(HaveKeyWithValue("publicNetworkAccess", "Disabled"), "Azure storage account %s properties.publicNetworkAccess", a.Name)
		}
	})

	It("when Removed deletes the private endpoint, its zone group and VNet link, the container and the account it created; keeps the shared zone and the VNet", Label("AZ-011", "STOR-004", "divergence"), func() {
		f := storageFakes()
		made, _ := azPrivateRemoved(f)
		for id, what := range made {
			_, ok := f.AzureARM.Resource(id)
			Expect(ok).To(BeFalse(), "Azure %s after Removed: exists, want deleted (%s)", what, id)
		}
		Expect(f.AzureARM.Resources(armfake.TypePrivateDNSZone)).To(ConsistOf(HaveField("Name", azPrivateZone)), "Azure private DNS zones after Removed")
		Expect(f.AzureARM.Resources(armfake.TypeVirtualNetwork)).To(ConsistOf(HaveField("Name", azVNet)), "Azure virtual networks after Removed")
	})

	It("when Removed deletes the account's A record from the private DNS zone", Label("AZ-011", "divergence"), func() {
		f := storageFakes()
		_, record := azPrivateRemoved(f)
		_, ok := f.AzureARM.Resource(record)
		Expect(ok).To(BeFalse(), "Azure private DNS A record after Removed: exists, want deleted (%s)", record)
	})

	It("when Removed deletes the container it created in a user's existing account but never the account", Label("AZ-012", "divergence"), func() {
		f := storageFakes()
		Expect(f.AzureARM.SeedStorageAccount(azRG, "teamaccount01", map[string]string{"owner": "team"})).To(Succeed(), "seed Azure storage account teamaccount01")
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{AccountName: "teamaccount01"}))
		azARMStart(f, nil, nil)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
			// The operator created the container: Managed (STOR-AZ-05).
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.Storage.Azure).NotTo(BeNil(), "Config cluster status.storage.azure")
			getDeployment(g, r)
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "ContainerDeleted", "Storage container has been deleted")
			g.Expect(cfg.Spec.Storage.Azure.Container).To(BeEmpty(), "Config cluster spec.storage.azure.container")
		})
		waitObserved()
		_, ok := f.AzureARM.StorageAccount("teamaccount01")
		Expect(ok).To(BeTrue(), "Azure storage account teamaccount01 still exists")
		Expect(f.AzureARM.Faults().Count(armfake.OpDelete+"StorageAccount", "")).To(BeZero(), "Azure ARM fake: calls to delete a storage account")
		Expect(azContainerNames(f.AzureARM.Blob("teamaccount01"))).To(BeEmpty(), "containers of Azure storage account teamaccount01")
	})

	It("reports Entra ID refusing the service principal as an account error, and creates nothing", Label("AZ-013"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azARMStart(f, nil, func(c map[string][]byte) { c["azure_client_secret"] = []byte("not-the-secret") })
		eventually(func(g Gomega, r client.Reader) {
			c := condition(g, getConfig(g, r).Status.Conditions, "StorageExists")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionUnknown), "Config cluster condition StorageExists status (%s %s)", c.Reason, c.Message)
			g.Expect(c.Reason).To(Equal("AzureError"), "Config cluster condition StorageExists reason")
			g.Expect(c.Message).To(And(HavePrefix("Unable to process storage account: "), ContainSubstring("AADSTS7000215")),
				"Config cluster condition StorageExists message")
			g.Expect(c.Message).NotTo(ContainSubstring("not-the-secret"), "Config cluster condition StorageExists message (no secret)")
		})
		Expect(f.AzureARM.Resources(armfake.TypeStorageAccount)).To(BeEmpty(), "Azure storage accounts")
	})
})
