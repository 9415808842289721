package front_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	azurefake "github.com/irconform/irconform/fakes/azure"
	"github.com/irconform/irconform/fakes/front"
	s3fake "github.com/irconform/irconform/fakes/s3"
)

// client goes through the front as a process with HTTPS_PROXY and SSL_CERT_FILE would.
func client(t *testing.T, f *front.Front) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(f.CAPEM) {
		t.Fatal("front CA PEM does not parse")
	}
	proxy, err := url.Parse(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:             http.ProxyURL(proxy),
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
	}}
}

// startFront starts a front for the test; it is closed when the test ends.
func startFront(t *testing.T) (context.Context, *front.Front) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f, err := front.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return ctx, f
}

// TestS3ThroughFront: the real AWS SDK, with nothing but its default endpoint resolution
// (virtual-hosted style on the dual-stack endpoint), reaches the S3 fake through the front.
func TestS3ThroughFront(t *testing.T) {
	ctx, f := startFront(t)
	fake, err := s3fake.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	f.Handle(front.Route{Name: "s3", Match: func(h string) bool { return strings.HasSuffix(h, ".amazonaws.com") }, Handler: fake})

	c := s3.New(s3.Options{
		Region:       "us-east-1",
		UseDualstack: true, //nolint:staticcheck // the operator's own choice for us-east-1
		Credentials:  credentials.NewStaticCredentialsProvider(fake.AccessKey, fake.SecretKey, ""),
		HTTPClient:   client(t, f),
	})
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("irconform-front-test")}); err != nil {
		t.Fatalf("CreateBucket through the front: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("irconform-front-test"), Key: aws.String("a/b"),
		Body: strings.NewReader("hello")}); err != nil {
		t.Fatalf("PutObject through the front: %v", err)
	}
	buckets, err := fake.Buckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != 1 || buckets[0].Name != "irconform-front-test" || buckets[0].Objects != 1 {
		t.Fatalf("fake holds %+v, want bucket irconform-front-test with 1 object", buckets)
	}
	if m := f.Misses(); len(m) != 0 {
		t.Errorf("misses %v, want none", m)
	}
}

// TestUnclaimedHost: a host no route claims is a 502 naming the host, and counted.
func TestUnclaimedHost(t *testing.T) {
	_, f := startFront(t)
	resp, err := client(t, f).Get("https://nowhere.example.com/x")
	if err != nil {
		t.Fatalf("GET through the front: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), `"nowhere.example.com"`) {
		t.Errorf("got %d %q, want 502 naming the host", resp.StatusCode, body)
	}
	if m := f.Misses(); m["nowhere.example.com"] != 1 {
		t.Errorf("misses %v, want nowhere.example.com once", m)
	}
	// Plain http:// through the proxy is routed the same way.
	f.Handle(front.Route{Name: "plain", Match: func(h string) bool { return h == "plain.example.com" },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok "+r.Host) })})
	resp, err = client(t, f).Get("http://plain.example.com/y")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(body) != "ok plain.example.com" {
		t.Errorf("plain request: %q", body)
	}
	f.Remove("plain")
	resp, err = client(t, f).Get("http://plain.example.com/y")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("after Remove: %d, want 502", resp.StatusCode)
	}
}

// TestAzureHostStyleThroughFront: the real azblob SDK with a shared key, on Azure's own
// host-style URL, reaches the Azure fake (which checks the signature) through the front.
func TestAzureHostStyleThroughFront(t *testing.T) {
	ctx, f := startFront(t)
	fake, err := azurefake.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	f.Handle(front.Route{Name: "azure", Match: func(h string) bool { return strings.HasSuffix(h, ".blob.core.windows.net") }, Handler: fake})
	cred, err := azblob.NewSharedKeyCredential(fake.AccountName, fake.AccountKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential("https://"+fake.AccountName+".blob.core.windows.net/", cred,
		&azblob.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: client(t, f)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateContainer(ctx, "through-the-front", nil); err != nil {
		t.Fatalf("CreateContainer through the front: %v", err)
	}
	buckets, err := fake.Buckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != 1 || buckets[0].Name != "through-the-front" {
		t.Fatalf("fake holds %+v, want container through-the-front", buckets)
	}
	// A wrong key is still refused on the host-style path.
	bad, _ := azblob.NewSharedKeyCredential(fake.AccountName, "AAAA"+fake.AccountKey[4:])
	cb, _ := azblob.NewClientWithSharedKeyCredential("https://"+fake.AccountName+".blob.core.windows.net/", bad,
		&azblob.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: client(t, f), Retry: policy.RetryOptions{MaxRetries: -1}}})
	if _, err := cb.CreateContainer(ctx, "refused", nil); err == nil || !strings.Contains(err.Error(), "AuthenticationFailed") {
		t.Errorf("wrong key: %v, want AuthenticationFailed", err)
	}
}
