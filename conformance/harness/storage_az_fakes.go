package harness

import (
	"context"
	"fmt"

	configv1 "github.com/openshift/api/config/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irconform/irconform/fakes/azure"
	"github.com/irconform/irconform/fakes/swift"
)

// CloudCredentialsName is the cluster-minted credentials secret in NS.
const CloudCredentialsName = "installer-cloud-credentials"

// AzSwiftFakes are fresh Azure Blob and Swift+Keystone fakes for one spec.
type AzSwiftFakes struct {
	Azure *azure.Server
	Swift *swift.Server

	env     *Env
	restore map[string]string
	hadMap  bool
}

// StartAzSwiftFakes starts fresh fakes and points the operator (started after this call)
// at the Azure fake: Settings.StorageEndpoints["azure"] = Azure.Endpoint, a transport detail
// the operator never writes into the Config. Swift needs no override: the Keystone catalog
// names the fake's object-store endpoint. Call Close when the spec ends.
func (e *Env) StartAzSwiftFakes(ctx context.Context, swiftOpts ...swift.Option) (*AzSwiftFakes, error) {
	az, err := azure.Start(ctx)
	if err != nil {
		return nil, err
	}
	sw, err := swift.Start(ctx, swiftOpts...)
	if err != nil {
		_ = az.Close()
		return nil, err
	}
	f := &AzSwiftFakes{Azure: az, Swift: sw, env: e, restore: e.Settings.StorageEndpoints, hadMap: e.Settings.StorageEndpoints != nil}
	eps := map[string]string{}
	for k, v := range e.Settings.StorageEndpoints {
		eps[k] = v
	}
	eps["azure"] = az.Endpoint
	e.Settings.StorageEndpoints = eps
	return f, nil
}

// Close stops the fakes and restores the operator settings.
func (f *AzSwiftFakes) Close() {
	_ = f.Azure.Close()
	_ = f.Swift.Close()
	if f.hadMap {
		f.env.Settings.StorageEndpoints = f.restore
	} else {
		f.env.Settings.StorageEndpoints = nil
	}
}

// CloudCredentials is the data of installer-cloud-credentials for a platform, as the
// cloud-credential operator would mint it:
//   - OpenStack: clouds.yaml (cloud "openstack") from the Swift fake's Keystone.
//   - Azure: azure_storage_account_name + azure_storage_account_key of the Azure fake's
//     account. The fake has no management plane (ARM), so these stand in for upstream's
//     service-principal keys; the reference operator uses that existing account.
func (f *AzSwiftFakes) CloudCredentials(p configv1.PlatformType) (map[string][]byte, error) {
	switch p {
	case configv1.OpenStackPlatformType:
		return map[string][]byte{"clouds.yaml": []byte(f.Swift.CloudsYAML())}, nil
	case configv1.AzurePlatformType:
		return map[string][]byte{
			"azure_storage_account_name": []byte(f.Azure.AccountName),
			"azure_storage_account_key":  []byte(f.Azure.AccountKey),
		}, nil
	}
	return nil, fmt.Errorf("no cloud credentials for platform %s", p)
}

// CreateCloudCredentials creates installer-cloud-credentials in NS for platform p.
func (f *AzSwiftFakes) CreateCloudCredentials(ctx context.Context, p configv1.PlatformType) error {
	data, err := f.CloudCredentials(p)
	if err != nil {
		return err
	}
	return f.CreateSecret(ctx, CloudCredentialsName, data)
}

// CreateSecret creates an Opaque secret in NS.
func (f *AzSwiftFakes) CreateSecret(ctx context.Context, name string, data map[string][]byte) error {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: name}, Type: corev1.SecretTypeOpaque, Data: data}
	if err := f.env.Client.Create(ctx, s); err != nil {
		return fmt.Errorf("creating secret %s/%s: %w", NS, name, err)
	}
	return nil
}
