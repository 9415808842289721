package harness

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http/httptest"

	configv1 "github.com/openshift/api/config/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	gcsfake "github.com/irconform/irconform/fakes/gcs"
	s3fake "github.com/irconform/irconform/fakes/s3"
)

// CloudCredentialsSecret is the minted-credentials secret the operator falls back to.
const CloudCredentialsSecret = "installer-cloud-credentials"

// StorageFakeSet is one spec's fresh S3 and GCS fakes. While it runs, the operator started
// next talks to them (Settings.StorageEndpoints "s3" and "gcs").
type StorageFakeSet struct {
	S3  *s3fake.Server
	GCS *gcsfake.Server

	env    *Env
	saved  map[string]string
	cancel context.CancelFunc
	tls    *httptest.Server
}

// StartStorageFakeSet starts fresh fakes and points the next operator at them. Stop undoes it.
func (e *Env) StartStorageFakeSet(ctx context.Context) (*StorageFakeSet, error) {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s3srv, err := s3fake.Start(fctx)
	if err != nil {
		cancel()
		return nil, err
	}
	gcssrv, err := gcsfake.Start(fctx)
	if err != nil {
		cancel()
		return nil, err
	}
	f := &StorageFakeSet{S3: s3srv, GCS: gcssrv, env: e, saved: e.Settings.StorageEndpoints, cancel: cancel}
	eps := maps.Clone(e.Settings.StorageEndpoints)
	if eps == nil {
		eps = map[string]string{}
	}
	eps["s3"] = s3srv.Endpoint
	eps["gcs"] = gcssrv.Endpoint
	e.Settings.StorageEndpoints = eps
	return f, nil
}

// ServeS3OverTLS fronts the S3 fake with an HTTPS listener (self-signed certificate), makes
// it the operator's S3 endpoint and returns its URL and the certificate as PEM: what a
// spec needs to show that a trusted CA bundle is what lets the operator reach an endpoint.
func (f *StorageFakeSet) ServeS3OverTLS() (url string, caPEM []byte) {
	if f.tls == nil {
		f.tls = httptest.NewUnstartedServer(f.S3)
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

// Stop restores the operator's endpoints and closes the fakes.
func (f *StorageFakeSet) Stop() {
	f.env.Settings.StorageEndpoints = f.saved
	if f.tls != nil {
		f.tls.Close()
	}
	_ = f.S3.Close()
	_ = f.GCS.Close()
	f.cancel()
}

// CreateCloudCredentials creates installer-cloud-credentials in the registry namespace as the
// cloud-credential operator would mint it: AWS aws_access_key_id/aws_secret_access_key of the
// S3 fake; GCP service_account.json = the GCS fake's keyfile.
func (e *Env) CreateCloudCredentials(ctx context.Context, p configv1.PlatformType, f *StorageFakeSet) error {
	data := map[string][]byte{}
	switch p {
	case configv1.AWSPlatformType:
		data["aws_access_key_id"] = []byte(f.S3.AccessKey)
		data["aws_secret_access_key"] = []byte(f.S3.SecretKey)
	case configv1.GCPPlatformType:
		data["service_account.json"] = f.GCS.KeyfileJSON
	default:
		return fmt.Errorf("no cloud credentials for platform %s", p)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: CloudCredentialsSecret}, Data: data}
	if err := e.Client.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %s: %w", CloudCredentialsSecret, err)
	}
	return nil
}
