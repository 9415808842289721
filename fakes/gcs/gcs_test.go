package gcsfake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/irconform/irconform/fakes/fault"
)

func start(t *testing.T, opts ...Option) (*Server, *storage.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := srv.NewClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// No retries: each SDK call is one request, so call-log counts are exact.
	c.SetRetry(storage.WithPolicy(storage.RetryNever))
	t.Cleanup(func() { c.Close(); cancel(); _ = srv.Close() })
	return srv, c
}

func gerrCode(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

func gerrReason(err error) string {
	var ge *googleapi.Error
	if errors.As(err, &ge) && len(ge.Errors) > 0 {
		return ge.Errors[0].Reason
	}
	return ""
}

const kmsKey = "projects/p/locations/us-east1/keyRings/r/cryptoKeys/k"

// The operator's writes (GCS-001) must read back as written through the real client.
func TestBucketSettingsRoundTrip(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	name := "infra-abc12-image-registry-us-east1-abcdefghijklmnopqrstuvwxy"
	bkt := c.Bucket(name)
	labels := map[string]string{"kubernetes-io-cluster-infra-abc12": "owned", "team": "qa"}
	if err := bkt.Create(ctx, srv.ProjectID, &storage.BucketAttrs{
		Location:                 "us-east1",
		Labels:                   labels,
		UniformBucketLevelAccess: storage.UniformBucketLevelAccess{Enabled: true},
		Encryption:               &storage.BucketEncryption{DefaultKMSKeyName: kmsKey},
	}); err != nil {
		t.Fatal(err)
	}
	attrs, err := bkt.Attrs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// GCS reports locations upper-cased.
	if attrs.Location != "US-EAST1" || attrs.LocationType != "region" {
		t.Errorf("location %q type %q", attrs.Location, attrs.LocationType)
	}
	if len(attrs.Labels) != 2 || attrs.Labels["kubernetes-io-cluster-infra-abc12"] != "owned" || attrs.Labels["team"] != "qa" {
		t.Errorf("labels %v", attrs.Labels)
	}
	if !attrs.UniformBucketLevelAccess.Enabled || attrs.UniformBucketLevelAccess.LockedTime.IsZero() {
		t.Errorf("UBLA %+v", attrs.UniformBucketLevelAccess)
	}
	if attrs.Encryption == nil || attrs.Encryption.DefaultKMSKeyName != kmsKey {
		t.Errorf("encryption %+v", attrs.Encryption)
	}

	var upd storage.BucketAttrsToUpdate
	upd.SetLabel("env", "ci")
	upd.DeleteLabel("team")
	got, err := bkt.Update(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kubernetes-io-cluster-infra-abc12": "owned", "env": "ci"}
	if len(got.Labels) != 2 || got.Labels["env"] != "ci" || got.Labels["kubernetes-io-cluster-infra-abc12"] != "owned" {
		t.Errorf("labels after update %v, want %v", got.Labels, want)
	}
	if got.Location != "US-EAST1" || got.Encryption == nil || !got.UniformBucketLevelAccess.Enabled {
		t.Errorf("update lost other attrs: %+v", got)
	}
	if got.MetaGeneration != 2 {
		t.Errorf("metageneration %d", got.MetaGeneration)
	}

	infos, err := srv.Buckets(ctx)
	if err != nil || len(infos) != 1 {
		t.Fatalf("Buckets %v %+v", err, infos)
	}
	wantSettings := map[string]string{
		"location": "US-EAST1",
		"label:kubernetes-io-cluster-infra-abc12": "owned",
		"label:env":                "ci",
		"uniformBucketLevelAccess": "true",
		"kmsKey":                   kmsKey,
	}
	for k, v := range wantSettings {
		if infos[0].Settings[k] != v {
			t.Errorf("setting %s=%q want %q", k, infos[0].Settings[k], v)
		}
	}
	if len(infos[0].Settings) != len(wantSettings) {
		t.Errorf("settings %v", infos[0].Settings)
	}

	// The project listing carries the same overlay.
	it := c.Buckets(ctx, srv.ProjectID)
	lb, err := it.Next()
	if err != nil || lb.Name != name || lb.Labels["env"] != "ci" || lb.Location != "US-EAST1" {
		t.Fatalf("Buckets list: %v %+v", err, lb)
	}
	if _, err := it.Next(); err != iterator.Done {
		t.Fatalf("second bucket listed: %v", err)
	}

	// Removing CMEK and UBLA.
	got, err = bkt.Update(ctx, storage.BucketAttrsToUpdate{
		Encryption:               &storage.BucketEncryption{},
		UniformBucketLevelAccess: &storage.UniformBucketLevelAccess{Enabled: false},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Encryption != nil || got.UniformBucketLevelAccess.Enabled {
		t.Errorf("after removal: enc %+v ubla %+v", got.Encryption, got.UniformBucketLevelAccess)
	}

	// A second insert of the same name: 409.
	err = bkt.Create(ctx, srv.ProjectID, nil)
	if gerrCode(err) != 409 || gerrReason(err) != "conflict" {
		t.Fatalf("duplicate create: %v", err)
	}
	// Bad labels are refused like GCS does.
	err = c.Bucket("other-bucket").Create(ctx, srv.ProjectID, &storage.BucketAttrs{Labels: map[string]string{"Bad Key": "x"}})
	if gerrCode(err) != 400 {
		t.Fatalf("invalid label: %v", err)
	}
	if n := srv.Faults().Count(fault.OpPutSetting, name); n != 2 {
		t.Errorf("PutSetting count %d", n)
	}
	if n := srv.Faults().Count(fault.OpCreateBucket, ""); n != 3 {
		t.Errorf("CreateBucket count %d", n)
	}
}

func TestObjectsAndDelete(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	bkt := c.Bucket("objects-bucket")
	if err := bkt.Create(ctx, srv.ProjectID, &storage.BucketAttrs{Location: "europe-west1", Labels: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"docker/registry/v2/x", "docker/registry/v2/y"} {
		w := bkt.Object(n).NewWriter(ctx)
		if _, err := io.WriteString(w, "content of "+n); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	r, err := bkt.Object("docker/registry/v2/x").NewReader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(r)
	r.Close()
	if string(data) != "content of docker/registry/v2/x" {
		t.Fatalf("read back %q", data)
	}
	var names []string
	it := bkt.Objects(ctx, &storage.Query{Prefix: "docker/"})
	for {
		oa, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, oa.Name)
	}
	if len(names) != 2 {
		t.Fatalf("listed %v", names)
	}
	// Non-empty delete: the real JSON API answers 409 conflict.
	err = bkt.Delete(ctx)
	if gerrCode(err) != 409 || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("delete non-empty: %v", err)
	}
	for _, n := range names {
		if err := bkt.Object(n).Delete(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := bkt.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := bkt.Attrs(ctx); !errors.Is(err, storage.ErrBucketNotExist) {
		t.Fatalf("Attrs after delete: %v", err)
	}
	if err := bkt.Delete(ctx); gerrCode(err) != 404 {
		t.Fatalf("delete missing: %v", err)
	}
	// Re-created under the same name: nothing of the old bucket survives.
	if err := bkt.Create(ctx, srv.ProjectID, nil); err != nil {
		t.Fatal(err)
	}
	attrs, err := bkt.Attrs(ctx)
	if err != nil || len(attrs.Labels) != 0 || attrs.Location != "US" {
		t.Fatalf("re-created attrs: %v %+v", err, attrs)
	}
	f := srv.Faults()
	if f.Count(fault.OpPutObject, "objects-bucket") != 2 || f.Count(fault.OpGetObject, "objects-bucket") != 1 ||
		f.Count(fault.OpDeleteObject, "objects-bucket") != 2 || f.Count(fault.OpListObjects, "objects-bucket") != 1 ||
		f.Count(fault.OpDeleteBucket, "objects-bucket") != 3 {
		for _, c := range f.Calls() {
			t.Logf("%s %s %s %d", c.Op, c.Bucket, c.Object, c.Injected)
		}
		t.Fatal("unexpected call counts")
	}
}

func TestFaults(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	f := srv.Faults()

	f.Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503, Times: 2})
	for range 2 {
		err := c.Bucket("flaky").Create(ctx, srv.ProjectID, nil)
		if gerrCode(err) != 503 || gerrReason(err) != "backendError" {
			t.Fatalf("create under 503: %v", err)
		}
	}
	if err := c.Bucket("flaky").Create(ctx, srv.ProjectID, nil); err != nil {
		t.Fatalf("third create: %v", err)
	}
	calls := f.Calls()
	if len(calls) != 3 || calls[0].Injected != 503 || calls[1].Injected != 503 || calls[2].Injected != 0 || calls[0].Bucket != "flaky" {
		t.Fatalf("call log %+v", calls)
	}

	// The client's own retry survives two 503s in one call.
	f.Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503, Times: 2})
	rc, err := srv.NewClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rc.SetRetry(storage.WithPolicy(storage.RetryAlways), storage.WithBackoff(gax.Backoff{Initial: time.Millisecond, Max: time.Millisecond}))
	if err := rc.Bucket("retried").Create(ctx, srv.ProjectID, nil); err != nil {
		t.Fatalf("create with retries: %v", err)
	}
	if n := f.Count(fault.OpCreateBucket, "retried"); n != 3 {
		t.Fatalf("retried attempts %d", n)
	}

	f.Inject(fault.Rule{Op: fault.Any, Bucket: "flaky", Status: 403})
	_, err = c.Bucket("flaky").Attrs(ctx)
	if gerrCode(err) != 403 || gerrReason(err) != "forbidden" {
		t.Fatalf("Attrs denied: %v", err)
	}
	if _, err := c.Bucket("retried").Attrs(ctx); err != nil {
		t.Fatalf("other bucket affected: %v", err)
	}
	f.Clear()

	f.Inject(fault.Rule{Op: fault.OpHeadBucket, Latency: 150 * time.Millisecond, Times: 1})
	t0 := time.Now()
	if _, err := c.Bucket("flaky").Attrs(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Fatalf("latency: %v", d)
	}
	if n := f.Count(fault.OpHeadBucket, ""); n != 3 {
		t.Fatalf("HeadBucket count %d", n)
	}
}

func TestForeignBucket(t *testing.T) {
	srv, c := start(t, WithForeignBuckets("taken"))
	ctx := context.Background()
	if err := c.Bucket("taken").Create(ctx, srv.ProjectID, nil); gerrCode(err) != 409 {
		t.Fatalf("create foreign: %v", err)
	}
	if _, err := c.Bucket("taken").Attrs(ctx); gerrCode(err) != 403 {
		t.Fatalf("attrs foreign: %v", err)
	}
	if infos, _ := srv.Buckets(ctx); len(infos) != 0 {
		t.Fatalf("foreign listed: %+v", infos)
	}
}

// A client built from KeyfileJSON (as the operator builds one from its secret) works too.
func TestKeyfileAndSeed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kf map[string]string
	if err := json.Unmarshal(srv.KeyfileJSON, &kf); err != nil || kf["type"] != "service_account" ||
		kf["project_id"] != srv.ProjectID || !strings.HasPrefix(kf["private_key"], "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("keyfile: %v %v", err, kf)
	}
	if err := srv.Seed(ctx, "user-bucket", 4); err != nil {
		t.Fatal(err)
	}
	if len(srv.Faults().Calls()) != 0 {
		t.Fatal("Seed logged calls")
	}
	infos, err := srv.Buckets(ctx)
	if err != nil || len(infos) != 1 || infos[0].Objects != 4 || infos[0].Settings["location"] != "US" {
		t.Fatalf("Buckets %v %+v", err, infos)
	}
	c, err := storage.NewClient(ctx, option.WithEndpoint(srv.Endpoint+"/storage/v1/"),
		option.WithAuthCredentialsJSON(option.ServiceAccount, srv.KeyfileJSON))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Bucket("user-bucket").Attrs(ctx); err != nil {
		t.Fatalf("Attrs with keyfile credentials: %v", err)
	}
	c.Close()
	// The keyfile's token_uri is this fake: the token exchange shows up in the call log.
	if n := srv.Faults().Count(fault.OpAuth, ""); n != 1 {
		t.Fatalf("Auth calls %d", n)
	}
	if !strings.Contains(srv.Describe(), srv.Endpoint) {
		t.Fatal("Describe")
	}
	cancel()
	select {
	case <-srv.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("not stopped on ctx cancel")
	}
	if resp, err := http.Get(srv.Endpoint + "/storage/v1/b"); err == nil {
		resp.Body.Close()
		t.Fatal("still serving")
	}
}
