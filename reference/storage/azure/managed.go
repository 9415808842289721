package azure

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"

	"github.com/irconform/irconform/reference/storage"
)

// Reasons and messages of the Resource Manager path (STOR-AZ-05, STOR-AZ-07b).
const (
	ReasonAccountDeleted = "AccountDeleted"
	MsgAccountDeleted    = "Storage account has been deleted"
	MsgNameNotAvailable  = "create storage account failed, name not available"
)

// mgmtFor builds the Resource Manager clients for these credentials; the resource group
// falls back to the Infrastructure's (workload identity secrets carry none).
func (d *Driver) mgmtFor(creds Credentials, cloudName string) (*mgmt, error) {
	if creds.ResourceGroup == "" && d.deps.Infra != nil {
		if ps := d.deps.Infra.Status.PlatformStatus; ps != nil && ps.Azure != nil {
			creds.ResourceGroup = ps.Azure.ResourceGroupName
		}
	}
	return newMgmt(creds, cloudName, d.deps.Endpoints, d.deps.EndpointCAs)
}

// accountTags are what the operator puts on what it creates: the cluster's "owned" tag and
// the Infrastructure's resourceTags (STOR-AZ-04). Implements AZ-007.
func accountTags(infra *configv1.Infrastructure) map[string]*string {
	tags := map[string]*string{TagOwned(infra.Status.InfrastructureName): to.Ptr("owned")}
	if ps := infra.Status.PlatformStatus; ps != nil && ps.Azure != nil {
		for _, t := range ps.Azure.ResourceTags {
			tags[t.Key] = to.Ptr(t.Value)
		}
	}
	return tags
}

// blobClient reaches the account's blob service at the endpoint ARM names for it (the
// cloud's https://<account>.blob.<suffix>/ when it names none).
func blobClient(acct armstorage.Account, key, cloudName string) (*azblob.Client, error) {
	url := ""
	if p := acct.Properties; p != nil && p.PrimaryEndpoints != nil && p.PrimaryEndpoints.Blob != nil {
		url = *p.PrimaryEndpoints.Blob
	}
	if url == "" {
		var err error
		if url, err = ServiceURL("", *acct.Name, cloudName); err != nil {
			return nil, err
		}
	}
	cred, err := azblob.NewSharedKeyCredential(*acct.Name, key)
	if err != nil {
		return nil, fmt.Errorf("invalid account key: %w", err)
	}
	return azblob.NewClientWithSharedKeyCredential(url, cred, &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry:     policy.RetryOptions{MaxRetries: -1},
		Transport: &http.Client{Timeout: 30 * time.Second},
	}})
}

// syncARM is the IPI path with a service principal (STOR-AZ-04/05/06): the account
// (generated and created when unnamed), its container, and with networkAccess Internal
// its private endpoint.
func (d *Driver) syncARM(ctx context.Context, cfg *imageregistryv1.Config, creds Credentials) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Azure
	infra := d.deps.Infra
	if infra == nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonConfigError, "Unable to get infrastructure: "+errNoInfra.Error()), errNoInfra
	}
	infraName := infra.Status.InfrastructureName
	tags := accountTags(infra)
	// Implements AZ-013: whatever Azure said (Entra ID's refusal included) follows the prefix.
	accountFailed := func(err error) ([]operatorv1.OperatorCondition, error) {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to process storage account: "+err.Error()), err
	}
	m, err := d.mgmtFor(creds, spec.CloudName)
	if err != nil {
		return accountFailed(err)
	}
	name, accountCreated, err := m.ensureAccount(ctx, spec.AccountName, infraName, tags)
	if err != nil {
		return accountFailed(err)
	}
	containerFailed := func(err error) ([]operatorv1.OperatorCondition, error) {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to process storage container: "+err.Error()), err
	}
	acct, err := m.account(ctx, name)
	if err != nil {
		return containerFailed(err)
	}
	key, err := m.primaryKey(ctx, name)
	if err != nil {
		return containerFailed(err)
	}
	c, err := blobClient(acct, key, spec.CloudName)
	if err != nil {
		return containerFailed(err)
	}
	container, containerCreated, err := d.ensureContainer(ctx, c, spec.Container)
	if err != nil {
		return containerFailed(err)
	}
	// The names reach the spec once the account and container exist, even when the private
	// endpoint below fails: the next sync must not generate another account.
	spec.AccountName, spec.Container = name, container
	if cfg.Spec.Storage.ManagementState == "" {
		if accountCreated || containerCreated {
			cfg.Spec.Storage.ManagementState = storage.Managed
		} else {
			cfg.Spec.Storage.ManagementState = storage.Unmanaged
		}
	}
	if wantsPrivate(spec) {
		if err := m.ensurePrivate(ctx, spec, acct, infraName, tags); err != nil {
			return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to process private endpoint: "+err.Error()), err
		}
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{Azure: spec.DeepCopy()}
	return storage.Exists(operatorv1.ConditionTrue, ReasonContainerExists, MsgContainerExists), nil
}

// keyARM is the registry's account key: the account's primary key, listed through ARM;
// none with workload identity (STOR-AZ-02).
func (d *Driver) keyARM(ctx context.Context, spec *imageregistryv1.ImageRegistryConfigStorageAzure, creds Credentials) (string, error) {
	if creds.FederatedTokenFile != "" || spec.AccountName == "" {
		return "", nil
	}
	m, err := d.mgmtFor(creds, spec.CloudName)
	if err != nil {
		return "", err
	}
	return m.primaryKey(ctx, spec.AccountName)
}

// removeARM is STOR-AZ-07b on the Resource Manager path: the private endpoint and its DNS
// records, the container, then the account — only an account this cluster created (it
// carries the cluster's "owned" tag): the operator never deletes storage it did not create.
// Implements AZ-011, AZ-012.
func (d *Driver) removeARM(ctx context.Context, cfg *imageregistryv1.Config, creds Credentials) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Azure
	m, err := d.mgmtFor(creds, spec.CloudName)
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to get azure client: "+err.Error()), err
	}
	clearAccount := func() {
		spec.AccountName = ""
		if st := cfg.Status.Storage.Azure; st != nil {
			st.AccountName = ""
		}
	}
	if na := spec.NetworkAccess; na != nil && na.Internal != nil && na.Internal.PrivateEndpointName != "" {
		if err := m.destroyPrivateDNS(ctx, na.Internal.PrivateEndpointName, spec.AccountName); err != nil {
			return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, fmt.Sprintf("Unable to destroy private dns: %q", err.Error())), err
		}
		if err := m.deletePrivateEndpoint(ctx, na.Internal.PrivateEndpointName); err != nil {
			return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, fmt.Sprintf("Unable to delete private endpoint: %q", err.Error())), err
		}
		na.Internal.PrivateEndpointName = ""
		if st := cfg.Status.Storage.Azure; st != nil && st.NetworkAccess != nil && st.NetworkAccess.Internal != nil {
			st.NetworkAccess.Internal.PrivateEndpointName = ""
		}
	}
	// The key tells whether the account is still there (as upstream reads it).
	key, err := m.primaryKey(ctx, spec.AccountName)
	if is404(err) {
		clearAccount()
		return storage.Exists(operatorv1.ConditionFalse, ReasonContainerNotFound, "Container has been already deleted: "+err.Error()), nil
	}
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to get account primary keys: "+err.Error()), err
	}
	acct, err := m.account(ctx, spec.AccountName)
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to get account primary keys: "+err.Error()), err
	}
	conds := storage.Exists(operatorv1.ConditionFalse, ReasonContainerDeleted, MsgContainerDeleted)
	if spec.Container != "" {
		c, err := blobClient(acct, key, spec.CloudName)
		if err != nil {
			return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to create blob client: "+err.Error()), err
		}
		if _, err := c.DeleteContainer(ctx, spec.Container, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerNotFound) {
			return storage.Exists(operatorv1.ConditionUnknown, ReasonAzureError, "Unable to delete storage container: "+err.Error()), err
		}
		spec.Container = ""
		if st := cfg.Status.Storage.Azure; st != nil {
			st.Container = ""
		}
	}
	if d.deps.Infra == nil || !owned(acct.Tags, d.deps.Infra.Status.InfrastructureName) {
		// Not ours: the account and its name stay.
		return conds, nil
	}
	if err := m.deleteAccount(ctx, spec.AccountName); err != nil {
		return storage.Exists(operatorv1.ConditionFalse, ReasonAzureError, "Unable to delete storage account: "+err.Error()), err
	}
	clearAccount()
	return storage.Exists(operatorv1.ConditionFalse, ReasonAccountDeleted, MsgAccountDeleted), nil
}
