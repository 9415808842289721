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
}

// CredentialsFrom resolves the credentials from the user secret (nil when absent) and the
// cluster secret (nil when absent). Pure.
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
	c := Credentials{AccountName: string(cluster[ClusterAccountNameKey]), AccountKey: string(cluster[ClusterAccountKeyKey])}
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

// storageSuffix is the blob endpoint suffix of each Azure cloud (the REGISTRY_STORAGE_AZURE_REALM).
var storageSuffix = map[configv1.AzureCloudEnvironment]string{
	configv1.AzurePublicCloud:       "core.windows.net",
	configv1.AzureUSGovernmentCloud: "core.usgovcloudapi.net",
	configv1.AzureChinaCloud:        "core.chinacloudapi.cn",
	configv1.AzureGermanCloud:       "core.cloudapi.de",
}

// Realm is the storage endpoint suffix for cloudName ("" → public cloud).
func Realm(cloudName string) (string, error) {
	if cloudName == "" {
		return storageSuffix[configv1.AzurePublicCloud], nil
	}
	s, ok := storageSuffix[configv1.AzureCloudEnvironment(cloudName)]
	if !ok {
		return "", fmt.Errorf("unknown Azure cloud %q", cloudName)
	}
	return s, nil
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

// Env is STOR-AZ-02: what the registry needs. The account key is a secret env (it goes
// through image-registry-private-configuration) and is set only when known.
func Env(spec *imageregistryv1.ImageRegistryConfigStorageAzure, accountKey string) ([]render.EnvVar, error) {
	env := []render.EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "azure"},
		{Name: "REGISTRY_STORAGE_AZURE_CONTAINER", Value: spec.Container},
		{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTNAME", Value: spec.AccountName},
	}
	if accountKey != "" {
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTKEY", Value: accountKey, Secret: true})
	}
	if spec.CloudName != "" {
		realm, err := Realm(spec.CloudName)
		if err != nil {
			return nil, err
		}
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_AZURE_REALM", Value: realm})
	}
	return env, nil
}

var errNoInfra = errors.New("infrastructures.config.openshift.io/cluster is not available")
