package armfake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/irconform/irconform/fakes/fault"
)

func clientOptions(t *testing.T, s *Server) azcore.ClientOptions {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM) {
		t.Fatal("CAPEM holds no certificate")
	}
	return azcore.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL + "/", Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: ARMAudience, Endpoint: s.URL}}},
		Retry:     policy.RetryOptions{MaxRetries: -1},
		Transport: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}},
	}
}

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestAccountLifecycleWithTheRealSDK(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	co := clientOptions(t, s)
	cred, err := azidentity.NewClientSecretCredential(s.TenantID, s.ClientID, s.ClientSecret, &azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := armstorage.NewAccountsClient(s.SubscriptionID, cred, &arm.ClientOptions{ClientOptions: co})
	if err != nil {
		t.Fatal(err)
	}
	avail, err := accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{Name: to.Ptr("imageregistrytest1"), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
	if err != nil || !*avail.NameAvailable {
		t.Fatalf("CheckNameAvailability: %v %v", err, avail.NameAvailable)
	}
	poller, err := accounts.BeginCreate(ctx, DefaultResourceGroup, "imageregistrytest1", armstorage.AccountCreateParameters{
		Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr(DefaultRegion), SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)},
		Tags: map[string]*string{"kubernetes.io_cluster.x": to.Ptr("owned")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poller.PollUntilDone(ctx, nil); err != nil {
		t.Fatal(err)
	}
	r, ok := s.StorageAccount("imageregistrytest1")
	if !ok || r.Tags["kubernetes.io_cluster.x"] != "owned" || r.Extra["kind"] != "StorageV2" {
		t.Fatalf("account in the fake: %+v", r)
	}
	keys, err := accounts.ListKeys(ctx, DefaultResourceGroup, "imageregistrytest1", nil)
	if err != nil || *keys.Keys[0].Value != s.PrimaryKey("imageregistrytest1") {
		t.Fatalf("ListKeys: %v", err)
	}
	props, err := accounts.GetProperties(ctx, DefaultResourceGroup, "imageregistrytest1", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The listed key opens the account's blob service.
	sk, _ := azblob.NewSharedKeyCredential("imageregistrytest1", *keys.Keys[0].Value)
	bc, err := azblob.NewClientWithSharedKeyCredential(*props.Properties.PrimaryEndpoints.Blob, sk, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bc.CreateContainer(ctx, "registry", nil); err != nil {
		t.Fatalf("CreateContainer in the new account: %v", err)
	}
	if _, err := accounts.Update(ctx, DefaultResourceGroup, "imageregistrytest1", armstorage.AccountUpdateParameters{
		Properties: &armstorage.AccountPropertiesUpdateParameters{PublicNetworkAccess: to.Ptr(armstorage.PublicNetworkAccessDisabled)}}, nil); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.StorageAccount("imageregistrytest1"); r.Properties["publicNetworkAccess"] != "Disabled" {
		t.Fatalf("publicNetworkAccess: %v", r.Properties["publicNetworkAccess"])
	}
	if _, err := accounts.Delete(ctx, DefaultResourceGroup, "imageregistrytest1", nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.StorageAccount("imageregistrytest1"); ok {
		t.Fatal("account still there after Delete")
	}
	_, err = accounts.GetProperties(ctx, DefaultResourceGroup, "imageregistrytest1", nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 404 || re.ErrorCode != "ResourceNotFound" {
		t.Fatalf("GetProperties after delete: %v", err)
	}
}

func TestPrivateEndpointAndFaults(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	co := clientOptions(t, s)
	cred, _ := azidentity.NewClientSecretCredential(s.TenantID, s.ClientID, s.ClientSecret, &azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: true})
	s.SeedVirtualNetwork(DefaultResourceGroup, "vnet1", map[string]string{"kubernetes.io_cluster.x": "owned"}, "worker", "master")
	if err := s.SeedStorageAccount(DefaultResourceGroup, "acct1", nil); err != nil {
		t.Fatal(err)
	}
	nf, _ := armnetwork.NewClientFactory(s.SubscriptionID, cred, &arm.ClientOptions{ClientOptions: co})
	pager := nf.NewSubnetsClient().NewListPager(DefaultResourceGroup, "vnet1", nil)
	page, err := pager.NextPage(ctx)
	if err != nil || len(page.Value) != 2 {
		t.Fatalf("list subnets: %v %d", err, len(page.Value))
	}
	pe := armnetwork.PrivateEndpoint{Location: to.Ptr(DefaultRegion), Properties: &armnetwork.PrivateEndpointProperties{
		CustomNetworkInterfaceName: to.Ptr("pe1-nic"), Subnet: &armnetwork.Subnet{ID: page.Value[0].ID},
		PrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{Name: to.Ptr("pe1"), Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
			PrivateLinkServiceID: to.Ptr(s.ResourceID(DefaultResourceGroup, "Microsoft.Storage", "storageAccounts", "acct1")), GroupIDs: []*string{to.Ptr("blob")}}}}}}
	p, err := nf.NewPrivateEndpointsClient().BeginCreateOrUpdate(ctx, DefaultResourceGroup, "pe1", pe, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.PollUntilDone(ctx, nil)
	if err != nil || len(got.Properties.NetworkInterfaces) != 1 {
		t.Fatalf("create private endpoint: %v", err)
	}
	nic, err := nf.NewInterfacesClient().Get(ctx, DefaultResourceGroup, "pe1-nic", nil)
	if err != nil || *nic.Properties.IPConfigurations[0].Properties.PrivateIPAddress == "" {
		t.Fatalf("NIC: %v", err)
	}

	s.Faults().Inject(fault.Rule{Op: OpDelete + "PrivateEndpoint", Status: 500, Times: 1})
	_, err = nf.NewPrivateEndpointsClient().BeginDelete(ctx, DefaultResourceGroup, "pe1", nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 500 {
		t.Fatalf("injected delete fault: %v", err)
	}
	if n := s.Faults().Count(OpDelete+"PrivateEndpoint", "pe1"); n != 1 {
		t.Fatalf("call log: %d DeletePrivateEndpoint calls", n)
	}
}

func TestTokenEndpoint(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("projected-sa-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := start(t, WithFederatedToken("projected-sa-token"))
	co := clientOptions(t, s)
	ctx := context.Background()
	scope := policy.TokenRequestOptions{Scopes: []string{ARMAudience + "/.default"}}

	wi, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: true,
		ClientID: s.ClientID, TenantID: s.TenantID, TokenFilePath: tokenFile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wi.GetToken(ctx, scope); err != nil {
		t.Fatalf("workload identity token: %v", err)
	}
	bad, _ := azidentity.NewClientSecretCredential(s.TenantID, s.ClientID, "wrong", &azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: true})
	if _, err := bad.GetToken(ctx, scope); err == nil {
		t.Fatal("a wrong client secret got a token")
	}
	// An ARM call without a token from the fake is refused.
	accounts, _ := armstorage.NewAccountsClient(s.SubscriptionID, bad, &arm.ClientOptions{ClientOptions: co})
	if _, err := accounts.GetProperties(ctx, DefaultResourceGroup, "x", nil); err == nil {
		t.Fatal("GetProperties with a wrong secret succeeded")
	}
}

// TestServedThroughAFront: handed over by a TLS front that stands in for the public cloud's
// names, Entra ID's metadata names the host the client used (a client behind the front must
// not be sent around it), the scope autorest's audience gives ("https://management.azure.com/"
// + "/.default") is an ARM scope, and a blob host goes to its account's own blob service.
func TestServedThroughAFront(t *testing.T) {
	s := start(t)
	req := httptest.NewRequest(http.MethodGet, "https://login.microsoftonline.com/"+s.TenantID+"/v2.0/.well-known/openid-configuration", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var meta map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &meta); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("openid-configuration: %d %s", rec.Code, rec.Body)
	}
	if want := "https://login.microsoftonline.com/" + s.TenantID + "/oauth2/v2.0/token"; meta["token_endpoint"] != want {
		t.Errorf("token_endpoint: is %v, want %s", meta["token_endpoint"], want)
	}

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret},
		"scope": {"https://management.azure.com//.default"}}
	req = httptest.NewRequest(http.MethodPost, "https://login.microsoftonline.com/"+s.TenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("token for scope https://management.azure.com//.default: %d %s, want 200", rec.Code, rec.Body)
	}

	if err := s.SeedStorageAccount(DefaultResourceGroup, "teamaccount01", nil); err != nil {
		t.Fatal(err)
	}
	fellBack := 0
	router := s.BlobRouter(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fellBack++ }))
	for _, c := range []struct {
		host     string
		fallback int
	}{{"teamaccount01.blob.core.windows.net", 0}, {"someoneelse.blob.core.windows.net", 1}} {
		fellBack = 0
		req = httptest.NewRequest(http.MethodGet, "https://"+c.host+"/?comp=list", nil)
		router.ServeHTTP(httptest.NewRecorder(), req)
		if fellBack != c.fallback {
			t.Errorf("%s: fallback served %d requests, want %d", c.host, fellBack, c.fallback)
		}
	}
}
