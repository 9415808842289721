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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

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

// TestS3ThroughFront: the real AWS SDK, with nothing but its default endpoint resolution
// (virtual-hosted style on the dual-stack endpoint), reaches the S3 fake through the front.
func TestS3ThroughFront(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := front.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := front.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
