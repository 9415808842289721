package harness

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/irconform/irconform/fakes/swift"
	"github.com/irconform/irconform/internal/scheme"
)

// fakeEnv is an Env over controller-runtime's fake client: enough for the fake wiring.
func fakeEnv(t *testing.T, endpoints map[string]string) *Env {
	t.Helper()
	s, err := scheme.New()
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Client: fake.NewClientBuilder().WithScheme(s).Build()}
	e.Settings.StorageEndpoints = endpoints
	return e
}

// TestStorageFakesWiring: the next operator is pointed at all the fakes, the settings it had
// come back on Stop, and the fakes stop serving.
func TestStorageFakesWiring(t *testing.T) {
	for _, before := range []map[string]string{nil, {"s3": "http://mirror.example", "other": "http://kept.example"}} {
		e := fakeEnv(t, maps.Clone(before))
		f, err := e.StartStorageFakes(context.Background(), swift.WithCredentials("u1", "p1"))
		if err != nil {
			t.Fatal(err)
		}
		eps := e.Settings.StorageEndpoints
		for backend, want := range map[string]string{"s3": f.S3.Endpoint, "gcs": f.GCS.Endpoint, "azure": f.Azure.Endpoint} {
			if eps[backend] != want || want == "" {
				t.Errorf("Settings.StorageEndpoints[%q] = %q, want the fake's %q", backend, eps[backend], want)
			}
		}
		if before != nil && eps["other"] != "http://kept.example" {
			t.Errorf("an endpoint the fakes do not replace was lost: %v", eps)
		}
		if f.Swift.Username != "u1" {
			t.Errorf("swift options not passed on: Keystone user %q, want u1", f.Swift.Username)
		}
		url, caPEM := f.ServeS3OverTLS()
		if !strings.HasPrefix(url, "https://") || e.Settings.StorageEndpoints["s3"] != url || !strings.Contains(string(caPEM), "BEGIN CERTIFICATE") {
			t.Errorf("ServeS3OverTLS: %q, endpoint now %q, CA %d bytes", url, e.Settings.StorageEndpoints["s3"], len(caPEM))
		}
		for name, ep := range map[string]string{"s3": f.S3.Endpoint, "gcs": f.GCS.Endpoint, "azure": f.Azure.Endpoint, "swift": f.Swift.AuthURL} {
			resp, err := http.Get(ep)
			if err != nil {
				t.Errorf("%s fake at %s not serving: %v", name, ep, err)
				continue
			}
			resp.Body.Close()
		}

		if err := f.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if !maps.Equal(e.Settings.StorageEndpoints, before) || (before == nil) != (e.Settings.StorageEndpoints == nil) {
			t.Errorf("Settings.StorageEndpoints after Stop = %v, want the ones before %v", e.Settings.StorageEndpoints, before)
		}
		for name, ep := range map[string]string{"s3": f.S3.Endpoint, "gcs": f.GCS.Endpoint, "azure": f.Azure.Endpoint, "swift": f.Swift.AuthURL, "s3 tls": url} {
			if resp, err := http.Get(ep); err == nil {
				resp.Body.Close()
				t.Errorf("%s fake at %s still serving after Stop", name, ep)
			}
		}
	}
}

// TestCloudCredentials: installer-cloud-credentials as the cloud-credential operator mints
// it for each platform, from the fakes' own credentials; a spec's own secret is kept.
func TestCloudCredentials(t *testing.T) {
	ctx := context.Background()
	e := fakeEnv(t, nil)
	f, err := e.StartStorageFakes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Stop() })
	for _, tc := range []struct {
		platform configv1.PlatformType
		want     map[string]string
	}{
		{configv1.AWSPlatformType, map[string]string{"aws_access_key_id": f.S3.AccessKey, "aws_secret_access_key": f.S3.SecretKey}},
		{configv1.GCPPlatformType, map[string]string{"service_account.json": string(f.GCS.KeyfileJSON)}},
		{configv1.AzurePlatformType, map[string]string{"azure_storage_account_name": f.Azure.AccountName, "azure_storage_account_key": f.Azure.AccountKey}},
		{configv1.OpenStackPlatformType, map[string]string{"clouds.yaml": f.Swift.CloudsYAML()}},
	} {
		data, err := f.CloudCredentials(tc.platform)
		if err != nil {
			t.Errorf("%s: %v", tc.platform, err)
			continue
		}
		got := map[string]string{}
		for k, v := range data {
			got[k] = string(v)
		}
		if !maps.Equal(got, tc.want) {
			t.Errorf("%s: keys %v, want %v", tc.platform, keys(got), keys(tc.want))
		}
	}
	if _, err := f.CloudCredentials(configv1.BareMetalPlatformType); err == nil {
		t.Error("BareMetal: cloud credentials made up for a platform without object storage")
	}

	if err := f.CreateCloudCredentials(ctx, configv1.AWSPlatformType); err != nil {
		t.Fatalf("CreateCloudCredentials: %v", err)
	}
	// A second mint (the spec brought its own first, or minted already) keeps what is there.
	if err := f.CreateCloudCredentials(ctx, configv1.GCPPlatformType); err != nil {
		t.Fatalf("CreateCloudCredentials over an existing secret: %v", err)
	}
	var s corev1.Secret
	if err := e.Client.Get(ctx, types.NamespacedName{Namespace: NS, Name: "installer-cloud-credentials"}, &s); err != nil {
		t.Fatal(err)
	}
	if string(s.Data["aws_access_key_id"]) != f.S3.AccessKey || s.Data["service_account.json"] != nil {
		t.Errorf("installer-cloud-credentials keys %v: the first secret was not kept", keys(s.Data))
	}
	if err := e.CreateSecret(ctx, "installer-cloud-credentials", nil); err == nil {
		t.Error("CreateSecret over an existing secret: no error")
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
