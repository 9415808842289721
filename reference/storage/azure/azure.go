// Package azure is the reference operator's Azure Blob storage driver (STOR-AZ-*), over the
// azblob SDK.
//
// Two paths, as upstream:
//
//   - UPI: the user secret image-registry-private-configuration-user carries
//     REGISTRY_STORAGE_AZURE_ACCOUNTKEY. The operator makes no calls at all: it checks that
//     spec.storage.azure names the account and the container, marks the storage Unmanaged
//     ("UserManaged") and hands the key to the registry.
//   - IPI: credentials come from installer-cloud-credentials. The container is created when
//     missing (a generated 62-character name when spec.storage.azure.container is empty),
//     and the storage is Managed when the operator created it; Removed deletes it.
//
// The IPI path has two forms, chosen by installer-cloud-credentials:
//
//   - A service principal (azure_subscription_id, azure_client_id, azure_client_secret or
//     azure_federated_token_file, azure_tenant_id, azure_resourcegroup, azure_region), as
//     the cloud-credential operator mints it and upstream reads it: the storage account is
//     created through Azure Resource Manager when spec.storage.azure.accountName is empty,
//     its key is listed there, networkAccess Internal gets a private endpoint, and Removed
//     deletes what the operator created (managed.go, mgmt.go, private.go).
//   - azure_storage_account_name and azure_storage_account_key: an existing account used as
//     is; only the data plane (containers) is driven. The harness's default Azure
//     credentials take this form, so specs about containers need no management plane.
//
// Deps.Endpoints["azure-arm"] and ["azure-entra"], with the PEM in
// Deps.EndpointCAs["azure-arm"], point the management clients at a fake.
//
// Deps.Endpoints["azure"], when set, is the blob service URL (e.g. the fake's
// http://127.0.0.1:<port>/<account>/); it is a transport detail and never appears in the
// Config or the registry env.
package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

// Driver is the Azure backend.
type Driver struct{ deps storage.Deps }

// New is the storage.Factory for "azure" (wired in reference/operator).
func New(deps storage.Deps, _ *imageregistryv1.ImageRegistryConfigStorage) storage.Driver {
	return &Driver{deps: deps}
}

func (*Driver) Kind() string { return "Azure" }

// Implements CRED-001, CRED-002, CRED-003 (upstream STOR-AZ-01).
func (d *Driver) credentials(ctx context.Context) (Credentials, error) {
	user, err := storage.SecretData(ctx, d.deps.Client, storage.UserSecretName)
	if err != nil {
		return Credentials{}, err
	}
	var cluster map[string][]byte
	if user == nil {
		if cluster, err = storage.SecretData(ctx, d.deps.Client, storage.ClusterCredentialsName); err != nil {
			return Credentials{}, err
		}
	}
	return CredentialsFrom(user, cluster)
}

// client builds an azblob client for the account.
func (d *Driver) client(account, key, cloudName string) (*azblob.Client, error) {
	url, err := ServiceURL(d.deps.Endpoints["azure"], account, cloudName)
	if err != nil {
		return nil, err
	}
	cred, err := azblob.NewSharedKeyCredential(account, key)
	if err != nil {
		return nil, fmt.Errorf("invalid account key: %w", err)
	}
	return azblob.NewClientWithSharedKeyCredential(url, cred, &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		// The controller requeues with backoff; SDK retries would only hide the outcome.
		Retry:     policy.RetryOptions{MaxRetries: -1},
		Transport: &http.Client{Timeout: 30 * time.Second},
	}})
}

// findOwned returns a container whose name starts with prefix and whose metadata says this
// cluster created it, or "".
func findOwned(ctx context.Context, c *azblob.Client, prefix, infraName string) (string, error) {
	pager := c.NewListContainersPager(&azblob.ListContainersOptions{Prefix: &prefix, Include: azblob.ListContainersInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, item := range page.ContainerItems {
			if item == nil || item.Name == nil {
				continue
			}
			if isOwned(item.Metadata, infraName) {
				return *item.Name, nil
			}
		}
	}
	return "", nil
}

// containerExists is a data-plane HEAD of the container; ours tells whether its metadata
// marks it as generated for this cluster.
func containerExists(ctx context.Context, c *azblob.Client, name, infraName string) (exists, ours bool, err error) {
	props, err := c.ServiceClient().NewContainerClient(name).GetProperties(ctx, nil)
	switch {
	case err == nil:
		return true, isOwned(props.Metadata, infraName), nil
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return false, false, nil
	}
	return false, false, err
}

func isOwned(meta map[string]*string, infraName string) bool {
	for k, v := range meta {
		if strings.EqualFold(k, MetaClusterID) && v != nil && *v == infraName && infraName != "" {
			return true
		}
	}
	return false
}

// Implements BOOT-005, AZ-001, AZ-002, STOR-001, STOR-006, STOR-010 (upstream STOR-AZ-05).
func (d *Driver) Sync(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Azure
	creds, err := d.credentials(ctx)
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonConfigError, "Unable to get configuration: "+err.Error()), err
	}
	if creds.UserProvided {
		return processUPI(cfg)
	}

	// IPI. The cloud defaults from the Infrastructure when the user named neither a cloud
	// nor an account (STOR-AZ-04).
	if spec.CloudName == "" && spec.AccountName == "" && d.deps.Infra != nil {
		if ps := d.deps.Infra.Status.PlatformStatus; ps != nil && ps.Azure != nil {
			spec.CloudName = string(ps.Azure.CloudName)
		}
	}
	if creds.ARM {
		return d.syncARM(ctx, cfg, creds)
	}
	if spec.AccountName == "" {
		spec.AccountName = creds.AccountName
	}
	c, err := d.client(spec.AccountName, creds.AccountKey, spec.CloudName)
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonConfigError, "Unable to get configuration: "+err.Error()), err
	}
	if spec.Container == "" && d.deps.Infra == nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonConfigError, "Unable to get configuration: "+errNoInfra.Error()), errNoInfra
	}
	name, created, err := d.ensureContainer(ctx, c, spec.Container)
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to process storage container: "+err.Error()), err
	}
	// Names reach the spec only once the container exists.
	spec.Container = name
	if cfg.Spec.Storage.ManagementState == "" {
		if created {
			cfg.Spec.Storage.ManagementState = storage.Managed
		} else {
			cfg.Spec.Storage.ManagementState = storage.Unmanaged
		}
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{Azure: spec.DeepCopy()}
	return storage.Exists(operatorv1.ConditionTrue, ReasonContainerExists, MsgContainerExists), nil
}

// ensureContainer is STOR-AZ-05: the named container, created when missing; no name → a
// generated one (a container this cluster generated earlier whose name never reached the
// spec — a conflicting write, a stale read — is adopted rather than leaked). created tells
// whether this operator made it (now, or earlier: the container carries the cluster's mark).
func (d *Driver) ensureContainer(ctx context.Context, c *azblob.Client, name string) (_ string, created bool, _ error) {
	infraName := storage.InfraName(d.deps.Infra)
	if name == "" {
		adopted, err := findOwned(ctx, c, storage.GeneratedPrefix(infraName, "image-registry"), infraName)
		if err != nil {
			return "", false, err
		}
		if adopted != "" {
			return adopted, true, nil
		}
		name = storage.GenerateName(nil, infraName, "image-registry")
	}
	exists, ours, err := containerExists(ctx, c, name, infraName)
	if err != nil {
		return "", false, err
	}
	if exists {
		return name, ours, nil
	}
	opts := &azblob.CreateContainerOptions{Metadata: map[string]*string{MetaClusterID: to.Ptr(infraName)}}
	if _, err := c.CreateContainer(ctx, name, opts); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return "", false, err
	}
	return name, true, nil
}

// processUPI is STOR-AZ-03: no calls; the names must be given.
//
// Implements AZ-001.
func processUPI(cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Azure
	if spec.AccountName == "" {
		return storage.Exists(operatorv1.ConditionFalse, ReasonNotConfigured, MsgNoAccountName), errors.New(MsgNoAccountName)
	}
	if spec.Container == "" {
		return storage.Exists(operatorv1.ConditionFalse, ReasonNotConfigured, MsgNoContainer), errors.New(MsgNoContainer)
	}
	if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = storage.Unmanaged
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{Azure: spec.DeepCopy()}
	return storage.Exists(operatorv1.ConditionTrue, ReasonUserManaged, MsgUserManaged), nil
}

func (d *Driver) Configure(ctx context.Context, cfg *imageregistryv1.Config) (render.StorageConfig, error) {
	creds, err := d.credentials(ctx)
	if err != nil {
		return render.StorageConfig{}, err
	}
	if creds.ARM {
		if creds.AccountKey, err = d.keyARM(ctx, cfg.Spec.Storage.Azure, creds); err != nil {
			return render.StorageConfig{}, err
		}
	}
	env, err := Env(cfg.Spec.Storage.Azure, creds)
	if err != nil {
		return render.StorageConfig{}, err
	}
	return render.StorageConfig{Kind: render.StorageAzure, Env: env}, nil
}

// Remove is STOR-AZ-07b for the data plane: the container goes (only when Managed), then
// the names are cleared. The account itself is not the operator's here (package doc).
//
// Implements AZ-004, STOR-004, STOR-005.
func (d *Driver) Remove(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Azure
	if cfg.Spec.Storage.ManagementState != storage.Managed || spec == nil || spec.Container == "" {
		return nil, nil
	}
	if spec.AccountName == "" {
		return storage.Exists(operatorv1.ConditionFalse, ReasonNotConfigured, MsgStorageNotConfigured), nil
	}
	creds, err := d.credentials(ctx)
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonConfigError, "Unable to get configuration: "+err.Error()), err
	}
	if creds.ARM {
		return d.removeARM(ctx, cfg, creds)
	}
	c, err := d.client(spec.AccountName, creds.AccountKey, spec.CloudName)
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonConfigError, "Unable to get configuration: "+err.Error()), err
	}
	if _, err := c.DeleteContainer(ctx, spec.Container, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerNotFound) {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to process storage container: "+err.Error()), err
	}
	spec.Container = ""
	spec.AccountName = ""
	if st := cfg.Status.Storage.Azure; st != nil {
		st.Container, st.AccountName = "", ""
	}
	return storage.Exists(operatorv1.ConditionFalse, ReasonContainerDeleted, MsgContainerDeleted), nil
}
