package azure

import (
	"errors"
	"fmt"
	"strings"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

// Keys read from the secrets (CRED-002, STOR-AZ-01).
const (
	// UserAccountKeyKey is the one key of image-registry-private-configuration-user the
	// Azure driver reads: its presence selects the UPI path.
	UserAccountKeyKey = "REGISTRY_STORAGE_AZURE_ACCOUNTKEY"
	// ClusterAccountNameKey and ClusterAccountKeyKey are read from installer-cloud-credentials.
	// They stand in for the service principal keys (azure_client_id, ...) upstream uses to
	// create the storage account through ARM; see the package doc.
	ClusterAccountNameKey = "azure_storage_account_name"
	ClusterAccountKeyKey  = "azure_storage_account_key"
	// Workload identity keys of installer-cloud-credentials (STOR-AZ-01): with a federated
	// token file the registry authenticates as the client, not with the account key.
	ClusterClientIDKey           = "azure_client_id"
	ClusterTenantIDKey           = "azure_tenant_id"
	ClusterFederatedTokenFileKey = "azure_federated_token_file"
	// A service principal in installer-cloud-credentials (STOR-AZ-01, CRED-03): with
	// azure_subscription_id the operator manages the account through Resource Manager.
	ClusterSubscriptionIDKey = "azure_subscription_id"
	ClusterClientSecretKey   = "azure_client_secret"
	ClusterResourceGroupKey  = "azure_resourcegroup"
	ClusterRegionKey         = "azure_region"
)

// Condition reasons and messages (STOR-AZ-03/05/07/07b).
const (
	ReasonNotConfigured     = "StorageNotConfigured"
	MsgNoAccountName        = "Storage account key is provided, but account name is not specified"
	MsgNoContainer          = "Storage account is provided, but container is not specified"
	ReasonUserManaged       = "UserManaged"
	MsgUserManaged          = "Storage is managed by the user"
	ReasonContainerExists   = "ContainerExists"
	MsgContainerExists      = "Storage container exists"
	ReasonContainerDeleted  = "ContainerDeleted"
	MsgContainerDeleted     = "Storage container has been deleted"
	ReasonContainerNotFound = "ContainerNotFound"
	ReasonAzureError        = "AzureError"
	ReasonConfigError       = "ConfigError"
	MsgStorageNotConfigured = "Storage is not configured"
	// MetaClusterID marks containers the operator generated, with the infrastructure name.
	MetaClusterID = "Openshiftclusterid"
)

// Credentials is what the secrets say.
type Credentials struct {
	// AccountKey is the shared key; UserProvided tells whether it came from the user secret
	// (UPI path: the operator makes no calls and manages nothing).
	AccountKey   string
	AccountName  string // from installer-cloud-credentials only
	UserProvided bool
	// ClientID, TenantID and FederatedTokenFile are the workload identity the registry uses
	// when FederatedTokenFile is set (installer-cloud-credentials only).
	ClientID, TenantID, FederatedTokenFile string
	// ARM: the credentials are a service principal's (azure_subscription_id is set); the
	// account is created and its key listed through Resource Manager. ResourceGroup falls
	// back to the Infrastructure's (set by the driver).
	ARM                                                 bool
	SubscriptionID, ClientSecret, ResourceGroup, Region string
}

// CredentialsFrom resolves the credentials from the user secret (nil when absent) and the
// cluster secret (nil when absent). Pure.
//
// Implements CRED-001, CRED-002, CRED-003 (upstream STOR-AZ-01).
func CredentialsFrom(user, cluster map[string][]byte) (Credentials, error) {
	if user != nil {
		key, ok := user[UserAccountKeyKey]
		if !ok {
			return Credentials{}, fmt.Errorf("secret %q does not contain required key %q", storage.Namespace+"/"+storage.UserSecretName, UserAccountKeyKey)
		}
		if len(key) == 0 {
			return Credentials{}, fmt.Errorf("the secret %s/%s has an empty value for %s; remove the secret to use the cluster credentials or provide a valid account key",
				storage.Namespace, storage.UserSecretName, UserAccountKeyKey)
		}
		return Credentials{AccountKey: string(key), UserProvided: true}, nil
	}
	if cluster == nil {
		return Credentials{}, fmt.Errorf("secret %s/%s not found", storage.Namespace, storage.ClusterCredentialsName)
	}
	c := Credentials{AccountName: string(cluster[ClusterAccountNameKey]), AccountKey: string(cluster[ClusterAccountKeyKey]),
		ClientID: string(cluster[ClusterClientIDKey]), TenantID: string(cluster[ClusterTenantIDKey]),
		FederatedTokenFile: string(cluster[ClusterFederatedTokenFileKey])}
	if sub := string(cluster[ClusterSubscriptionIDKey]); sub != "" {
		c.ARM, c.SubscriptionID = true, sub
		c.ClientSecret = string(cluster[ClusterClientSecretKey])
		c.ResourceGroup, c.Region = string(cluster[ClusterResourceGroupKey]), string(cluster[ClusterRegionKey])
		c.AccountName, c.AccountKey = "", ""
		return c, nil
	}
	var missing []string
	if c.AccountName == "" {
		missing = append(missing, ClusterAccountNameKey)
	}
	if c.AccountKey == "" {
		missing = append(missing, ClusterAccountKeyKey)
	}
	if len(missing) > 0 {
		return Credentials{}, fmt.Errorf("secret %q does not contain required key %q", storage.Namespace+"/"+storage.ClusterCredentialsName, strings.Join(missing, `", "`))
	}
	return c, nil
}

// cloudEndpoints are what each Azure cloud's environment says: the blob endpoint suffix
// (REGISTRY_STORAGE_AZURE_REALM) and the Active Directory endpoint (AZURE_AUTHORITY_HOST).
type cloudEndpoints struct{ storageSuffix, activeDirectory string }

var clouds = map[configv1.AzureCloudEnvironment]cloudEndpoints{
	configv1.AzurePublicCloud:       {"core.windows.net", "https://login.microsoftonline.com/"},
	configv1.AzureUSGovernmentCloud: {"core.usgovcloudapi.net", "https://login.microsoftonline.us/"},
	configv1.AzureChinaCloud:        {"core.chinacloudapi.cn", "https://login.chinacloudapi.cn/"},
	configv1.AzureGermanCloud:       {"core.cloudapi.de", "https://login.microsoftonline.de/"},
}

func cloud(cloudName string) (cloudEndpoints, error) {
	if cloudName == "" {
		return clouds[configv1.AzurePublicCloud], nil
	}
	c, ok := clouds[configv1.AzureCloudEnvironment(cloudName)]
	if !ok {
		return cloudEndpoints{}, fmt.Errorf("unknown Azure cloud %q", cloudName)
	}
	return c, nil
}

// Realm is the storage endpoint suffix for cloudName ("" → public cloud).
func Realm(cloudName string) (string, error) {
	c, err := cloud(cloudName)
	return c.storageSuffix, err
}

// ServiceURL is the blob service URL: the endpoint override when set (a fake, a mirror),
// else https://<account>.blob.<suffix>/.
func ServiceURL(override, account, cloudName string) (string, error) {
	if override != "" {
		if !strings.HasSuffix(override, "/") {
			override += "/"
		}
		return override, nil
	}
	suffix, err := Realm(cloudName)
	if err != nil {
		return "", err
	}
	return "https://" + account + ".blob." + suffix + "/", nil
}

// Env is STOR-AZ-02, in upstream order: the account key as a secret env when one is known;
// with workload identity (a federated token file in installer-cloud-credentials) the
// azure-sdk's AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and
// AZURE_AUTHORITY_HOST (the cloud's Active Directory endpoint) instead of any key; then
// REGISTRY_STORAGE=azure, the container and the account name; and
// REGISTRY_STORAGE_AZURE_REALM, the cloud's blob endpoint suffix, only when
// spec.storage.azure.cloudName is set.
// Implements AZ-005, AZ-006, AZ-003.
func Env(spec *imageregistryv1.ImageRegistryConfigStorageAzure, creds Credentials) ([]render.EnvVar, error) {
	c, err := cloud(spec.CloudName)
	if err != nil {
		return nil, err
	}
	var env []render.EnvVar
	workload := creds.FederatedTokenFile != "" && !creds.UserProvided
	if creds.AccountKey != "" && !workload {
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTKEY", Value: creds.AccountKey, Secret: true})
	}
	if workload {
		env = append(env,
			render.EnvVar{Name: "AZURE_CLIENT_ID", Value: creds.ClientID},
			render.EnvVar{Name: "AZURE_TENANT_ID", Value: creds.TenantID},
			render.EnvVar{Name: "AZURE_FEDERATED_TOKEN_FILE", Value: creds.FederatedTokenFile},
			render.EnvVar{Name: "AZURE_AUTHORITY_HOST", Value: c.activeDirectory},
		)
	}
	env = append(env,
		render.EnvVar{Name: "REGISTRY_STORAGE", Value: "azure"},
		render.EnvVar{Name: "REGISTRY_STORAGE_AZURE_CONTAINER", Value: spec.Container},
		render.EnvVar{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTNAME", Value: spec.AccountName},
	)
	if spec.CloudName != "" {
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_AZURE_REALM", Value: c.storageSuffix})
	}
	return env, nil
}

var errNoInfra = errors.New("infrastructures.config.openshift.io/cluster is not available")
