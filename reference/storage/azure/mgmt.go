package azure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/privatedns/armprivatedns"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	configv1 "github.com/openshift/api/config/v1"
)

// Endpoint override keys in storage.Deps (fakes, mirrors): the Entra ID authority host and
// the Resource Manager endpoint; EndpointCAs under EndpointARM is a PEM bundle both are
// trusted with.
const (
	EndpointEntra = "azure-entra"
	EndpointARM   = "azure-arm"
)

// Private networking names (STOR-AZ-06): the zone is shared by every private blob
// endpoint in the group, so it is created when missing and never deleted.
const (
	privateZoneName     = "privatelink.blob.core.windows.net"
	privateZoneLocation = "global"
	privateZoneGroup    = "privatelink-blob-core-windows-net"
	recordSetTTL        = 10
	blobSubResource     = "blob"
)

// TagOwned is the tag key the operator puts on what it creates, with value "owned".
func TagOwned(infraName string) string { return "kubernetes.io_cluster." + infraName }

func capzTag(infraName string) string {
	return "sigs.k8s.io_cluster-api-provider-azure_cluster_" + infraName
}

var nonAlnum = regexp.MustCompile(`[^0-9A-Za-z]`)

// accountNameChars are the random characters of a generated account name (Kubernetes'
// rand.String alphabet, as upstream).
const accountNameChars = "bcdfghjklmnpqrstvwxz2456789"

// GenerateAccountName is a storage account (and private endpoint) name:
// "imageregistry" + the infrastructure name's letters and digits, cut to 19 characters,
// plus 5 random ones, lower-cased (3..24 lower-case letters and digits, as Azure wants).
// Implements AZ-007.
func GenerateAccountName(rnd func(n int) int, infraName string) string {
	if rnd == nil {
		rnd = rand.IntN
	}
	prefix := AccountNamePrefix(infraName)
	b := []byte(prefix)
	for i := 0; i < 5; i++ {
		b = append(b, accountNameChars[rnd(len(accountNameChars))])
	}
	return strings.ToLower(string(b))
}

// AccountNamePrefix is the non-random part of GenerateAccountName.
func AccountNamePrefix(infraName string) string {
	p := "imageregistry" + nonAlnum.ReplaceAllString(infraName, "")
	if len(p) > 19 {
		p = p[:19]
	}
	return strings.ToLower(p)
}

// armEndpoints are each cloud's Resource Manager endpoint and token audience.
var armEndpoints = map[configv1.AzureCloudEnvironment]string{
	configv1.AzurePublicCloud:       "https://management.azure.com",
	configv1.AzureUSGovernmentCloud: "https://management.usgovcloudapi.net",
	configv1.AzureChinaCloud:        "https://management.chinacloudapi.cn",
	configv1.AzureGermanCloud:       "https://management.microsoftazure.de",
}

// mgmt is the operator's Azure Resource Manager access for one sync.
type mgmt struct {
	sub, group, region string
	accounts           *armstorage.AccountsClient
	vnets              *armnetwork.VirtualNetworksClient
	subnets            *armnetwork.SubnetsClient
	endpoints          *armnetwork.PrivateEndpointsClient
	nics               *armnetwork.InterfacesClient
	zoneGroups         *armnetwork.PrivateDNSZoneGroupsClient
	zones              *armprivatedns.PrivateZonesClient
	records            *armprivatedns.RecordSetsClient
	links              *armprivatedns.VirtualNetworkLinksClient
	httpClient         *http.Client
}

// newMgmt builds the clients: a service principal's secret, else its federated token
// (workload identity), against the cloud's endpoints or the overrides in eps.
func newMgmt(creds Credentials, cloudName string, eps map[string]string, cas map[string][]byte) (*mgmt, error) {
	c, err := cloud(cloudName)
	if err != nil {
		return nil, err
	}
	armURL := armEndpoints[configv1.AzureCloudEnvironment(cloudName)]
	if armURL == "" {
		armURL = armEndpoints[configv1.AzurePublicCloud]
	}
	audience := armURL
	authority := c.activeDirectory
	if v := eps[EndpointARM]; v != "" {
		armURL, audience = v, armEndpoints[configv1.AzurePublicCloud]
	}
	// A private authority (a fake, Azure Stack's AD FS) is not one Microsoft's instance
	// discovery knows.
	private := false
	if v := eps[EndpointEntra]; v != "" {
		authority, private = v, true
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if pem := cas[EndpointARM]; len(pem) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("the Azure endpoint CA bundle holds no certificate")
		}
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	core := azcore.ClientOptions{
		Cloud: azcloud.Configuration{ActiveDirectoryAuthorityHost: authority, Services: map[azcloud.ServiceName]azcloud.ServiceConfiguration{
			azcloud.ResourceManager: {Audience: audience, Endpoint: armURL}}},
		// The controller requeues with backoff; SDK retries would only hide the outcome.
		Retry:     policy.RetryOptions{MaxRetries: -1},
		Transport: hc,
	}
	var cred azcore.TokenCredential
	switch {
	case creds.ClientSecret != "":
		cred, err = azidentity.NewClientSecretCredential(creds.TenantID, creds.ClientID, creds.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: core, DisableInstanceDiscovery: private})
	case creds.FederatedTokenFile != "":
		cred, err = azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: core, DisableInstanceDiscovery: private,
			ClientID: creds.ClientID, TenantID: creds.TenantID, TokenFilePath: creds.FederatedTokenFile})
	default:
		err = fmt.Errorf("secret %s has neither %s nor %s", "installer-cloud-credentials", ClusterClientSecretKey, ClusterFederatedTokenFileKey)
	}
	if err != nil {
		return nil, err
	}
	o := &arm.ClientOptions{ClientOptions: core}
	m := &mgmt{sub: creds.SubscriptionID, group: creds.ResourceGroup, region: creds.Region, httpClient: hc}
	if m.accounts, err = armstorage.NewAccountsClient(m.sub, cred, o); err != nil {
		return nil, err
	}
	nf, err := armnetwork.NewClientFactory(m.sub, cred, o)
	if err != nil {
		return nil, err
	}
	m.vnets, m.subnets, m.endpoints, m.nics, m.zoneGroups = nf.NewVirtualNetworksClient(), nf.NewSubnetsClient(),
		nf.NewPrivateEndpointsClient(), nf.NewInterfacesClient(), nf.NewPrivateDNSZoneGroupsClient()
	df, err := armprivatedns.NewClientFactory(m.sub, cred, o)
	if err != nil {
		return nil, err
	}
	m.zones, m.records, m.links = df.NewPrivateZonesClient(), df.NewRecordSetsClient(), df.NewVirtualNetworkLinksClient()
	return m, nil
}

func (m *mgmt) resourceID(group, provider string, parts ...string) string {
	return "/subscriptions/" + m.sub + "/resourceGroups/" + group + "/providers/" + provider + "/" + strings.Join(parts, "/")
}

func is404(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// accountTaken asks ARM whether the (globally unique) name is in use.
func (m *mgmt) accountTaken(ctx context.Context, name string) (bool, error) {
	resp, err := m.accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{
		Name: to.Ptr(name), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
	if err != nil {
		return false, fmt.Errorf("failed to check name availability: %w", err)
	}
	return resp.NameAvailable == nil || !*resp.NameAvailable, nil
}

// ownedAccount finds an account in the group this cluster created under a generated name
// (the prefix and the owned tag) whose name never reached the spec: adopted, not leaked.
func (m *mgmt) ownedAccount(ctx context.Context, infraName string) (string, error) {
	pager := m.accounts.NewListByResourceGroupPager(m.group, nil)
	prefix := AccountNamePrefix(infraName)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, a := range page.Value {
			if a != nil && a.Name != nil && strings.HasPrefix(*a.Name, prefix) && owned(a.Tags, infraName) {
				return *a.Name, nil
			}
		}
	}
	return "", nil
}

func owned(tags map[string]*string, infraName string) bool {
	v := tags[TagOwned(infraName)]
	return infraName != "" && v != nil && *v == "owned"
}

// ensureAccount is STOR-AZ-04: the named account, created when missing; no name → a
// generated one, which must be free. created tells whether this call made it.
// Implements AZ-007, AZ-008.
func (m *mgmt) ensureAccount(ctx context.Context, name, infraName string, tags map[string]*string) (_ string, created bool, _ error) {
	generated := name == ""
	if generated {
		adopted, err := m.ownedAccount(ctx, infraName)
		if err != nil {
			return "", false, err
		}
		if adopted != "" {
			return adopted, true, nil
		}
		name = GenerateAccountName(nil, infraName)
	}
	taken, err := m.accountTaken(ctx, name)
	if err != nil {
		return "", false, err
	}
	if generated && taken {
		return "", false, errors.New("create storage account failed, name not available")
	}
	if taken {
		return name, false, nil
	}
	poller, err := m.accounts.BeginCreate(ctx, m.group, name, armstorage.AccountCreateParameters{
		Kind:     to.Ptr(armstorage.KindStorageV2),
		Location: to.Ptr(m.region),
		SKU:      &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)},
		Tags:     tags,
		Properties: &armstorage.AccountPropertiesCreateParameters{
			EnableHTTPSTrafficOnly: to.Ptr(true),
			AllowBlobPublicAccess:  to.Ptr(false),
			MinimumTLSVersion:      to.Ptr(armstorage.MinimumTLSVersionTLS12),
		},
	}, nil)
	if err != nil {
		return "", false, fmt.Errorf("failed to start creating storage account: %w", err)
	}
	if _, err := poller.PollUntilDone(ctx, nil); err != nil {
		return "", false, fmt.Errorf("failed to create storage account: %w", err)
	}
	return name, true, nil
}

// account reads the account's properties (blob endpoint, public network access, tags).
func (m *mgmt) account(ctx context.Context, name string) (armstorage.Account, error) {
	resp, err := m.accounts.GetProperties(ctx, m.group, name, nil)
	if err != nil {
		return armstorage.Account{}, err
	}
	return resp.Account, nil
}

// primaryKey is the account's first key (STOR-AZ-02: the registry's account key).
func (m *mgmt) primaryKey(ctx context.Context, name string) (string, error) {
	resp, err := m.accounts.ListKeys(ctx, m.group, name, &armstorage.AccountsClientListKeysOptions{Expand: to.Ptr("kerb")})
	if err != nil {
		return "", fmt.Errorf("failed to get keys for the storage account %s: %w", name, err)
	}
	if len(resp.Keys) == 0 || resp.Keys[0] == nil || resp.Keys[0].Value == nil {
		return "", fmt.Errorf("failed to get keys for the storage account %s: no keys found", name)
	}
	return *resp.Keys[0].Value, nil
}

// deleteAccount removes the account; one already gone is fine.
func (m *mgmt) deleteAccount(ctx context.Context, name string) error {
	if _, err := m.accounts.Delete(ctx, m.group, name, nil); err != nil && !is404(err) {
		return fmt.Errorf("failed to delete storage account: %w", err)
	}
	return nil
}
