package azure

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/irconform/irconform/fakes/fault"
)

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = s.Close() })
	return s
}

// expectedSequence is what the fake answers to runSequence; TestAzuriteDifferential checks
// that Azurite answers the same.
var expectedSequence = []string{
	"create: ok",
	"create-dup: 409 ContainerAlreadyExists",
	"create-invalid-name: 400 InvalidResourceName",
	"props: ok",
	"props-meta: Owner=irconform,Purpose=registry",
	"props-lease: unlocked/available",
	"props-etag-set: true",
	"props-missing: 404 ContainerNotFound",
	"upload a.txt: ok",
	"upload dir/b.txt: ok",
	"upload dir/sub/c.txt: ok",
	"upload-missing-container: 404 ContainerNotFound",
	"upload-stream: ok",
	"list-flat: pages=1 a.txt(11,application/octet-stream) big.bin(204800,application/octet-stream) dir/b.txt(15,application/octet-stream) dir/sub/c.txt(19,application/octet-stream)",
	// azblob lower-cases metadata names read from XML listings.
	"list-flat-meta: pages=1 a.txt(11,application/octet-stream){kind=test} big.bin(204800,application/octet-stream) dir/b.txt(15,application/octet-stream){kind=test} dir/sub/c.txt(19,application/octet-stream){kind=test}",
	"list-flat-paged: pages=2 a.txt(11,application/octet-stream) big.bin(204800,application/octet-stream) dir/b.txt(15,application/octet-stream) dir/sub/c.txt(19,application/octet-stream)",
	"list-flat-prefix: pages=1 dir/b.txt(15,application/octet-stream) dir/sub/c.txt(19,application/octet-stream)",
	"list-hierarchy: prefix:dir/sub/ blob:dir/b.txt",
	"download: ok",
	`download-body: "hello a.txt" type=application/octet-stream meta=Kind=test len=11`,
	"download-range: ok",
	`download-range-body: "ell" range=bytes 1-3/11`,
	"download-big: ok n=204800 same=true",
	"download-missing: 404 BlobNotFound",
	"set-metadata: ok",
	"props-after-set: ok Stage=two",
	"list-containers: irc-seq{stage=two}",
	"delete-blob: ok",
	"delete-blob-again: 404 BlobNotFound",
	"wrong-key-create: 403 AuthenticationFailed",
	"wrong-key-props: 403 AuthenticationFailed",
	"anonymous irc-seq?restype=container: 403 AuthorizationFailure",
	"anonymous irc-seq/dir/b.txt: 403 AuthorizationFailure",
	"anonymous ?comp=list: 403 AuthorizationFailure",
	"delete-container: ok",
	"props-after-delete: 404 ContainerNotFound",
	"delete-container-again: 404 ContainerNotFound",
}

func diff(t *testing.T, label string, got, want []string) {
	t.Helper()
	n := max(len(got), len(want))
	for i := 0; i < n; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("%s step %d:\n  got  %s\n  want %s", label, i, g, w)
		}
	}
}

func TestSequence(t *testing.T) {
	s := start(t)
	diff(t, "fake", runSequence(t, s.Endpoint, s.AccountName, s.AccountKey), expectedSequence)
	if n := s.Faults().Count(fault.OpCreateBucket, "irc-seq"); n != 2 {
		t.Errorf("CreateBucket calls %d", n)
	}
	if n := s.Faults().Count(fault.OpDeleteBucket, "irc-seq"); n != 2 {
		t.Errorf("DeleteBucket calls %d", n)
	}
}

func TestInspectorAndSeed(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	if err := s.Seed(ctx, "user-container", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.SetContainerMeta("user-container", "owner", "me"); err != nil {
		t.Fatal(err)
	}
	if len(s.Faults().Calls()) != 0 {
		t.Error("seed must not log calls")
	}
	cl := newClient(t, s.Endpoint, s.AccountName, s.AccountKey)
	_, err := cl.CreateContainer(ctx, "op-container", &azblob.CreateContainerOptions{
		Metadata: map[string]*string{"kubernetes.io_cluster.infra": to.Ptr("owned")},
	})
	if err != nil {
		t.Fatal(err)
	}
	bs, _ := s.Buckets(ctx)
	if len(bs) != 2 || bs[0].Name != "op-container" || bs[1].Objects != 3 || bs[1].Settings["meta:Owner"] != "me" {
		t.Fatalf("Buckets: %+v", bs)
	}
	if !strings.HasSuffix(s.Endpoint, "/"+s.AccountName+"/") || !strings.Contains(s.Describe(), s.AccountKey) {
		t.Errorf("Endpoint %q Describe %q", s.Endpoint, s.Describe())
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	cl := newClient(t, s.Endpoint, s.AccountName, s.AccountKey)

	s.Faults().Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503, Times: 1})
	_, err := cl.CreateContainer(ctx, "cc1", nil)
	if !bloberror.HasCode(err, bloberror.ServerBusy) {
		t.Fatalf("want ServerBusy, got %v", err)
	}
	if _, err := cl.CreateContainer(ctx, "cc1", nil); err != nil {
		t.Fatalf("after Times=1: %v", err)
	}

	s.Faults().Inject(fault.Rule{Op: fault.OpHeadBucket, Bucket: "cc1", Status: 403, Code: "AuthorizationPermissionMismatch", Message: "nope"})
	_, err = cl.ServiceClient().NewContainerClient("cc1").GetProperties(ctx, nil)
	if !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
		t.Fatalf("want AuthorizationPermissionMismatch, got %v", err)
	}
	s.Faults().Clear()

	// The error body is the service's XML.
	s.Faults().Inject(fault.Rule{Op: fault.OpListBuckets, Status: 500})
	resp, err := http.Get(s.Endpoint + "?comp=list")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 || resp.Header.Get("x-ms-error-code") != "InternalError" || resp.Header.Get("Content-Type") != "application/xml" {
		t.Errorf("fault answer: %d %v", resp.StatusCode, resp.Header)
	}
	s.Faults().Clear()

	s.Faults().Inject(fault.Rule{Op: fault.OpPutObject, Latency: 40 * time.Millisecond})
	t0 := time.Now()
	if _, err := cl.UploadBuffer(ctx, "cc1", "b", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if time.Since(t0) < 40*time.Millisecond {
		t.Error("latency not applied")
	}
	calls := s.Faults().Calls()
	if last := calls[len(calls)-1]; last.Op != fault.OpPutObject || last.Bucket != "cc1" || last.Object != "b" {
		t.Errorf("last call %+v", last)
	}
}

func TestUnauthenticated(t *testing.T) {
	s := start(t)
	resp, err := http.Get(s.Endpoint + "ccc?restype=container")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("x-ms-error-code") != "AuthorizationFailure" {
		t.Errorf("anonymous: %d %s", resp.StatusCode, resp.Header.Get("x-ms-error-code"))
	}
	open := start(t, WithoutAuth())
	resp, err = http.Get(open.Endpoint + "ccc?restype=container")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("WithoutAuth: %d", resp.StatusCode)
	}
}

func TestHeaderOrder(t *testing.T) {
	names := []string{"x-ms-version", "x-ms-meta-a-b", "x-ms-meta-ab", "x-ms-date", "x-ms-client-request-id", "x-ms-blob-type"}
	sortAzure(names)
	want := "x-ms-blob-type x-ms-client-request-id x-ms-date x-ms-meta-ab x-ms-meta-a-b x-ms-version"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got %s", got)
	}
}
