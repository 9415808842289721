package harness

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"

	configv1 "github.com/openshift/api/config/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irconform/irconform/fakes/azure"
	armfake "github.com/irconform/irconform/fakes/azure/arm"
	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/front"
	gcsfake "github.com/irconform/irconform/fakes/gcs"
	ibmcosfake "github.com/irconform/irconform/fakes/ibmcos"
	s3fake "github.com/irconform/irconform/fakes/s3"
	"github.com/irconform/irconform/fakes/swift"
)

// CloudCredentialsSecret is the cluster-minted credentials secret in NS the operator falls
// back to. Written here, not taken from reference/: the harness states what a cluster has.
const CloudCredentialsSecret = "installer-cloud-credentials"

// StorageFakes are one spec's fresh storage fakes: S3, GCS, Azure Blob, Swift+Keystone,
// IBM Cloud (IAM, Resource Controller/Manager, COS) (starting all five takes a few
// milliseconds). While they run, an operator started after StartStorageFakes talks to them:
// Settings.StorageEndpoints "s3", "gcs", "azure" and "ibmcos" name them (a transport detail
// the operator never writes into the Config); Swift needs no override, the Keystone catalog
// names the fake's object-store endpoint.
type StorageFakes struct {
	S3    *s3fake.Server
	GCS   *gcsfake.Server
	Azure *azure.Server
	// AzureARM is Entra ID + Azure Resource Manager (HTTPS); the operator uses it when
	// installer-cloud-credentials carries its service principal (AzureARM.Credentials()).
	AzureARM *armfake.Server
	Swift    *swift.Server
	IBMCOS   *ibmcosfake.Server

	env      *Env
	saved    map[string]string
	savedCAs map[string][]byte
	cancel   context.CancelFunc
	tls      *httptest.Server
}

// StartStorageFakes starts fresh fakes (Keystone's identity per swiftOpts) and points the
// next operator at them. Stop undoes both.
func (e *Env) StartStorageFakes(ctx context.Context, swiftOpts ...swift.Option) (*StorageFakes, error) {
	// The fakes outlive the call's context (a Ginkgo node's) until Stop.
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &StorageFakes{env: e, saved: e.Settings.StorageEndpoints, savedCAs: e.Settings.StorageEndpointCAs, cancel: cancel}
	var err error
	if f.S3, err = s3fake.Start(fctx); err == nil {
		if f.GCS, err = gcsfake.Start(fctx); err == nil {
			if f.Azure, err = azure.Start(fctx); err == nil {
				f.AzureARM, err = armfake.Start(fctx)
			}
			if err == nil {
				if f.Swift, err = swift.Start(fctx, swiftOpts...); err == nil {
					f.IBMCOS, err = ibmcosfake.Start(fctx, ibmcosfake.WithResourceGroup(IBMResourceGroup))
				}
			}
		}
	}
	if err != nil {
		f.closeFakes()
		return nil, fmt.Errorf("starting the storage fakes: %w", err)
	}
	eps := maps.Clone(e.Settings.StorageEndpoints)
	if eps == nil {
		eps = map[string]string{}
	}
	eps["s3"], eps["gcs"], eps["azure"], eps["ibmcos"] = f.S3.Endpoint, f.GCS.Endpoint, f.Azure.Endpoint, f.IBMCOS.Endpoint
	// Resource Manager and Entra ID share the ARM fake's HTTPS listener.
	eps["azure-arm"], eps["azure-entra"] = f.AzureARM.URL, f.AzureARM.URL+"/"
	e.Settings.StorageEndpoints = eps
	cas := maps.Clone(e.Settings.StorageEndpointCAs)
	if cas == nil {
		cas = map[string][]byte{}
	}
	cas["azure-arm"] = f.AzureARM.CAPEM
	e.Settings.StorageEndpointCAs = cas
	if e.process != nil {
		// An operator process knows only the clouds' names: the TLS front sends them here.
		e.process.tls.Handle(front.Route{Name: "s3", Match: isS3Host, Handler: f.S3})
		e.process.tls.Handle(front.Route{Name: "gcs", Match: func(h string) bool { return h == "storage.googleapis.com" }, Handler: f.GCS})
		// Accounts made through the ARM fake have their own blob services; the others are
		// the blob fake's.
		e.process.tls.Handle(front.Route{Name: "azure-blob", Match: isBlobHost, Handler: f.AzureARM.BlobRouter(f.Azure)})
		// Entra ID and Resource Manager of the public cloud, by the names the Azure SDKs'
		// public-cloud environment gives them.
		e.process.tls.Handle(front.Route{Name: "azure-entra", Match: func(h string) bool { return h == "login.microsoftonline.com" }, Handler: f.AzureARM})
		e.process.tls.Handle(front.Route{Name: "azure-arm", Match: func(h string) bool { return h == "management.azure.com" }, Handler: f.AzureARM})
	}
	return f, nil
}

// isBlobHost tells whether host is an Azure blob service name, <account>.blob.<suffix> in
// any Azure cloud (core.windows.net, core.chinacloudapi.cn, core.usgovcloudapi.net, ...).
func isBlobHost(host string) bool {
	labels := strings.Split(host, ".")
	return len(labels) >= 3 && labels[1] == "blob"
}

// isS3Host tells whether host is an S3 service name: an AWS one (s3.us-east-1.amazonaws.com,
// bucket.s3.dualstack.us-east-1.amazonaws.com) or any name with an "s3"/"s3-…" label, such
// as an Infrastructure's S3 endpoint (s3.mirror.example).
func isS3Host(host string) bool {
	for _, l := range strings.Split(host, ".") {
		if l == "s3" || strings.HasPrefix(l, "s3-") {
			return true
		}
	}
	return false
}

// ServeS3OverTLS fronts the S3 fake with an HTTPS listener (self-signed certificate), makes
// it the operator's S3 endpoint and returns its URL and the certificate as PEM: what a
// spec needs to show that a trusted CA bundle is what lets the operator reach an endpoint.
func (f *StorageFakes) ServeS3OverTLS() (url string, caPEM []byte) {
	if f.tls == nil {
		f.tls = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.S3.ServeHTTP(w, fault.Annotate(r)) }))
		// Until the spec trusts the certificate, the operator's handshakes fail on purpose;
		// net/http would log each one to stderr.
		f.tls.Config.ErrorLog = log.New(io.Discard, "", 0)
		f.tls.StartTLS()
	}
	eps := maps.Clone(f.env.Settings.StorageEndpoints)
	eps["s3"] = f.tls.URL
	f.env.Settings.StorageEndpoints = eps
	return f.tls.URL, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.tls.Certificate().Raw})
}

// Stop stops the operator first (so that it does not talk to closed fakes), restores its
// endpoints and closes the fakes.
func (f *StorageFakes) Stop() error {
	err := f.env.StopOperator()
	f.env.Settings.StorageEndpoints = f.saved
	f.env.Settings.StorageEndpointCAs = f.savedCAs
	if f.env.process != nil {
		f.env.process.tls.Remove("s3")
		f.env.process.tls.Remove("gcs")
		f.env.process.tls.Remove("azure-blob")
		f.env.process.tls.Remove("azure-entra")
		f.env.process.tls.Remove("azure-arm")
	}
	f.closeFakes()
	return err
}

func (f *StorageFakes) closeFakes() {
	if f.tls != nil {
		f.tls.Close()
	}
	if f.S3 != nil {
		_ = f.S3.Close()
	}
	if f.GCS != nil {
		_ = f.GCS.Close()
	}
	if f.Azure != nil {
		_ = f.Azure.Close()
	}
	if f.AzureARM != nil {
		_ = f.AzureARM.Close()
	}
	if f.Swift != nil {
		_ = f.Swift.Close()
	}
	if f.IBMCOS != nil {
		_ = f.IBMCOS.Close()
	}
	f.cancel()
}

// CloudCredentials is the data of installer-cloud-credentials for platform p, as the
// cloud-credential operator would mint it:
//   - AWS: aws_access_key_id and aws_secret_access_key of the S3 fake.
//   - GCP: service_account.json, the GCS fake's keyfile.
//   - Azure: azure_storage_account_name + azure_storage_account_key of the Azure fake's
//     account: an existing account the operator uses as is (data plane only). Specs about
//     the management plane use AzureARM.Credentials() instead (upstream's service-principal
//     keys), with which the operator creates accounts through the ARM fake.
//   - OpenStack: clouds.yaml (cloud "openstack") from the Swift fake's Keystone.
//   - IBMCloud, PowerVS: ibmcloud_api_key, the IBM Cloud fake account's API key.
func (f *StorageFakes) CloudCredentials(p configv1.PlatformType) (map[string][]byte, error) {
	switch p {
	case configv1.AWSPlatformType:
		return map[string][]byte{"aws_access_key_id": []byte(f.S3.AccessKey), "aws_secret_access_key": []byte(f.S3.SecretKey)}, nil
	case configv1.GCPPlatformType:
		return map[string][]byte{"service_account.json": f.GCS.KeyfileJSON}, nil
	case configv1.AzurePlatformType:
		return map[string][]byte{
			"azure_storage_account_name": []byte(f.Azure.AccountName),
			"azure_storage_account_key":  []byte(f.Azure.AccountKey),
		}, nil
	case configv1.OpenStackPlatformType:
		return map[string][]byte{"clouds.yaml": []byte(f.Swift.CloudsYAML())}, nil
	case configv1.IBMCloudPlatformType, configv1.PowerVSPlatformType:
		return map[string][]byte{"ibmcloud_api_key": []byte(f.IBMCOS.APIKey)}, nil
	}
	return nil, fmt.Errorf("no cloud credentials for platform %s", p)
}

// CreateCloudCredentials creates installer-cloud-credentials in NS for platform p. One the
// spec created already is kept: the spec brings its own minted credentials (a file with
// comments, a key missing).
func (f *StorageFakes) CreateCloudCredentials(ctx context.Context, p configv1.PlatformType) error {
	data, err := f.CloudCredentials(p)
	if err != nil {
		return err
	}
	if err := f.env.CreateSecret(ctx, CloudCredentialsSecret, data); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// CreateSecret creates an Opaque secret in NS. One that exists already is an error: a spec
// that brought its own would otherwise run with another than it thinks.
func (e *Env) CreateSecret(ctx context.Context, name string, data map[string][]byte) error {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: name}, Type: corev1.SecretTypeOpaque, Data: data}
	if err := e.Client.Create(ctx, s); err != nil {
		return fmt.Errorf("creating secret %s/%s: %w", NS, name, err)
	}
	return e.awaitSeen(ctx, s)
}
