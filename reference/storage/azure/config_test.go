package azure

import (
	"reflect"
	"strings"
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"

	"github.com/irconform/irconform/reference/render"
)

func TestCredentialsFrom(t *testing.T) {
	cases := []struct {
		name          string
		user, cluster map[string][]byte
		want          Credentials
		err           string
	}{
		{"user key wins", map[string][]byte{UserAccountKeyKey: []byte("k1")}, map[string][]byte{ClusterAccountNameKey: []byte("a"), ClusterAccountKeyKey: []byte("k2")},
			Credentials{AccountKey: "k1", UserProvided: true}, ""},
		{"user secret without key", map[string][]byte{"other": []byte("x")}, nil, Credentials{},
			`secret "openshift-image-registry/image-registry-private-configuration-user" does not contain required key "REGISTRY_STORAGE_AZURE_ACCOUNTKEY"`},
		{"user key empty", map[string][]byte{UserAccountKeyKey: {}}, nil, Credentials{}, "empty value"},
		{"cluster", nil, map[string][]byte{ClusterAccountNameKey: []byte("acct"), ClusterAccountKeyKey: []byte("k")},
			Credentials{AccountName: "acct", AccountKey: "k"}, ""},
		{"cluster incomplete", nil, map[string][]byte{ClusterAccountNameKey: []byte("acct")}, Credentials{}, ClusterAccountKeyKey},
		{"nothing", nil, nil, Credentials{}, "installer-cloud-credentials not found"},
		{"service principal", nil, map[string][]byte{ClusterSubscriptionIDKey: []byte("sub"), ClusterClientIDKey: []byte("cid"),
			ClusterClientSecretKey: []byte("sec"), ClusterTenantIDKey: []byte("tid"), ClusterResourceGroupKey: []byte("rg"), ClusterRegionKey: []byte("eastus")},
			Credentials{ARM: true, SubscriptionID: "sub", ClientID: "cid", ClientSecret: "sec", TenantID: "tid", ResourceGroup: "rg", Region: "eastus"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CredentialsFrom(tc.user, tc.cluster)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want containing %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	spec := &imageregistryv1.ImageRegistryConfigStorageAzure{AccountName: "acct", Container: "ctr"}
	env, err := Env(spec, Credentials{AccountKey: "secret-key"})
	if err != nil {
		t.Fatal(err)
	}
	want := []render.EnvVar{
		{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTKEY", Value: "secret-key", Secret: true},
		{Name: "REGISTRY_STORAGE", Value: "azure"},
		{Name: "REGISTRY_STORAGE_AZURE_CONTAINER", Value: "ctr"},
		{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTNAME", Value: "acct"},
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("env = %+v\nwant %+v", env, want)
	}

	spec.CloudName = "AzureUSGovernmentCloud"
	env, _ = Env(spec, Credentials{AccountKey: "k", ClientID: "cid", TenantID: "tid", FederatedTokenFile: "/var/run/secrets/openshift/serviceaccount/token"})
	want = []render.EnvVar{
		{Name: "AZURE_CLIENT_ID", Value: "cid"},
		{Name: "AZURE_TENANT_ID", Value: "tid"},
		{Name: "AZURE_FEDERATED_TOKEN_FILE", Value: "/var/run/secrets/openshift/serviceaccount/token"},
		{Name: "AZURE_AUTHORITY_HOST", Value: "https://login.microsoftonline.us/"},
		{Name: "REGISTRY_STORAGE", Value: "azure"},
		{Name: "REGISTRY_STORAGE_AZURE_CONTAINER", Value: "ctr"},
		{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTNAME", Value: "acct"},
		{Name: "REGISTRY_STORAGE_AZURE_REALM", Value: "core.usgovcloudapi.net"},
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("workload identity env = %+v\nwant %+v", env, want)
	}
	if _, err := Env(&imageregistryv1.ImageRegistryConfigStorageAzure{CloudName: "Moon"}, Credentials{}); err == nil {
		t.Error("unknown cloud accepted")
	}
}

func TestServiceURL(t *testing.T) {
	for _, tc := range []struct{ override, account, cloud, want string }{
		{"", "acct", "", "https://acct.blob.core.windows.net/"},
		{"", "acct", "AzureChinaCloud", "https://acct.blob.core.chinacloudapi.cn/"},
		{"http://127.0.0.1:1/acct", "acct", "", "http://127.0.0.1:1/acct/"},
	} {
		got, err := ServiceURL(tc.override, tc.account, tc.cloud)
		if err != nil || got != tc.want {
			t.Errorf("ServiceURL(%q,%q,%q) = %q, %v; want %q", tc.override, tc.account, tc.cloud, got, err, tc.want)
		}
	}
}
