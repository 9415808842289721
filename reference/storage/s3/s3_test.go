package s3

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/irconform/irconform/fakes/fault"
	s3fake "github.com/irconform/irconform/fakes/s3"
	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/reference/storage"
)

func setup(t *testing.T, secrets ...*corev1.Secret) (*s3fake.Server, storage.Deps) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := s3fake.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheme.New()
	if err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(s)
	for _, sec := range secrets {
		b = b.WithObjects(sec)
	}
	return srv, storage.Deps{Client: b.Build(), Infra: awsInfra("us-east-1"), Endpoints: map[string]string{"s3": srv.Endpoint}}
}

func minted(srv *s3fake.Server) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: storage.Namespace, Name: storage.ClusterCredentialsName},
		Data: map[string][]byte{"aws_access_key_id": []byte(srv.AccessKey), "aws_secret_access_key": []byte(srv.SecretKey)}}
}

func find(conds []operatorv1.OperatorCondition, t string) *operatorv1.OperatorCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

func TestSyncCreatesManagedBucketWithDefaults(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	if err := deps.Client.Create(ctx, minted(srv)); err != nil {
		t.Fatal(err)
	}
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{S3: &imageregistryv1.ImageRegistryConfigStorageS3{}}}}
	d := New(deps, &cfg.Spec.Storage)
	conds, err := d.Sync(ctx, cfg)
	if err != nil {
		t.Fatalf("Sync: %v (%+v)", err, conds)
	}
	if cfg.Spec.Storage.S3.Bucket != "infra-1-image-registry-us-east-1" || cfg.Spec.Storage.ManagementState != "Managed" || !cfg.Spec.Storage.S3.Encrypt {
		t.Errorf("spec = %+v", cfg.Spec.Storage)
	}
	if cfg.Status.Storage.S3 == nil || *cfg.Status.Storage.S3 != *cfg.Spec.Storage.S3 {
		t.Errorf("status = %+v", cfg.Status.Storage)
	}
	for _, want := range []struct{ t, reason string }{
		{"StorageExists", "Creation Successful"}, {"StoragePublicAccessBlocked", "Public Access Block Successful"},
		{"StorageTagged", "Tagging Successful"}, {"StorageEncrypted", "Encryption Successful"},
		{"StorageIncompleteUploadCleanupEnabled", "Enable Cleanup Successful"},
	} {
		if c := find(conds, want.t); c == nil || c.Status != operatorv1.ConditionTrue || c.Reason != want.reason {
			t.Errorf("%s = %+v", want.t, c)
		}
	}
	bs, _ := srv.Buckets(ctx)
	if len(bs) != 1 {
		t.Fatalf("buckets = %+v", bs)
	}
	st := bs[0].Settings
	for k, v := range map[string]string{"encryption": "AES256", "bucketKeyEnabled": "true", "publicAccessBlock": "true,true,true,true",
		"tag:kubernetes.io/cluster/infra-1": "owned", "tag:Name": "infra-1-image-registry", "tag:team": "registry",
		"lifecycle:cleanup-incomplete-multipart-registry-uploads": "abort-incomplete-multipart-days=1"} {
		if st[k] != v {
			t.Errorf("setting %s = %q, want %q (all: %v)", k, st[k], v, st)
		}
	}

	// Steady state: one HeadBucket, nothing else.
	cfg.Status.Conditions = conds
	before := len(srv.Faults().Calls())
	conds, err = d.Sync(ctx, cfg)
	if err != nil || len(conds) != 1 || conds[0].Reason != "S3 Bucket Exists" {
		t.Errorf("steady Sync = %+v, %v", conds, err)
	}
	if calls := srv.Faults().Calls()[before:]; len(calls) != 1 || calls[0].Op != fault.OpHeadBucket {
		t.Errorf("steady-state calls = %+v", calls)
	}

	// Configure.
	sc, err := d.Configure(ctx, cfg)
	if err != nil || sc.SecretData["credentials"] != srv.CredentialsFile() {
		t.Errorf("Configure = %+v, %v", sc, err)
	}

	// Remove: objects then bucket.
	if err := srv.Seed(ctx, cfg.Spec.Storage.S3.Bucket, 3); err != nil {
		t.Fatal(err)
	}
	rec := cfg.Status.Storage.DeepCopy()
	conds, err = New(deps, rec).Remove(ctx, cfg)
	if err != nil || len(conds) != 1 || conds[0].Reason != "S3 Bucket Deleted" || conds[0].Message != "The S3 bucket has been removed." {
		t.Errorf("Remove = %+v, %v", conds, err)
	}
	if bs, _ := srv.Buckets(ctx); len(bs) != 0 {
		t.Errorf("buckets after remove = %+v", bs)
	}
	if cfg.Spec.Storage.S3.Bucket != "" {
		t.Errorf("spec bucket not cleared")
	}
}

func TestSyncUnmanagedUserBucketMakesNoSettingsCalls(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	_ = deps.Client.Create(ctx, minted(srv))
	if err := srv.Seed(ctx, "team-bucket", 2); err != nil {
		t.Fatal(err)
	}
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{
		S3: &imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "team-bucket"}}}}
	conds, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err != nil || len(conds) != 1 || conds[0].Reason != "S3 Bucket Exists" || conds[0].Message != "User supplied S3 bucket exists and is accessible" {
		t.Fatalf("Sync = %+v, %v", conds, err)
	}
	if cfg.Spec.Storage.ManagementState != "Unmanaged" {
		t.Errorf("managementState = %q", cfg.Spec.Storage.ManagementState)
	}
	if n := srv.Faults().Count(fault.OpPutSetting, ""); n != 0 {
		t.Errorf("%d settings calls", n)
	}
	cfg.Spec.Storage.ManagementState = "Unmanaged"
	if conds, err := New(deps, cfg.Status.Storage.DeepCopy()).Remove(ctx, cfg); err != nil || conds != nil {
		t.Errorf("Remove(Unmanaged) = %+v, %v", conds, err)
	}
	if n := srv.Faults().Count(fault.OpDeleteBucket, "") + srv.Faults().Count(fault.OpDeleteObject, ""); n != 0 {
		t.Errorf("%d delete calls", n)
	}
}

func TestSyncForeignBucketAndCredentials(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{S3: &imageregistryv1.ImageRegistryConfigStorageS3{}}}}
	if _, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg); err == nil || !strings.Contains(err.Error(), `unable to get cluster minted credentials "openshift-image-registry/installer-cloud-credentials"`) {
		t.Errorf("no credentials: %v", err)
	}
	user := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: storage.Namespace, Name: storage.UserSecretName},
		Data: map[string][]byte{"REGISTRY_STORAGE_S3_SECRETKEY": []byte("x")}}
	_ = deps.Client.Create(ctx, user)
	_, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err == nil || err.Error() != `secret "openshift-image-registry/image-registry-private-configuration-user" does not contain required key "REGISTRY_STORAGE_S3_ACCESSKEY"` {
		t.Errorf("partial user secret: %v", err)
	}
	if n := len(srv.Faults().Calls()); n != 0 {
		t.Errorf("%d calls with bad credentials", n)
	}
	user.Data["REGISTRY_STORAGE_S3_ACCESSKEY"] = []byte("y")
	_ = deps.Client.Update(ctx, user)
	srv.Foreign("infra-1-image-registry-us-east-1")
	conds, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err == nil || len(conds) != 1 || conds[0].Reason != "Unable to Access Bucket" ||
		conds[0].Message != "The bucket infra-1-image-registry-us-east-1 exists, but is owned by another account" {
		t.Errorf("foreign: %+v %v", conds, err)
	}
}

func TestSettingsFaultRetriedOnlyWhereMissing(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	_ = deps.Client.Create(ctx, minted(srv))
	srv.Faults().Inject(fault.Rule{Op: fault.OpPutSetting, Status: 503})
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{S3: &imageregistryv1.ImageRegistryConfigStorageS3{}}}}
	d := New(deps, &cfg.Spec.Storage)
	conds, err := d.Sync(ctx, cfg)
	if err == nil {
		t.Fatal("want an error")
	}
	c := find(conds, "StoragePublicAccessBlocked")
	if c == nil || c.Status != operatorv1.ConditionFalse || c.Reason != "SlowDown" || c.Message != "SlowDown: Please reduce your request rate." {
		t.Errorf("StoragePublicAccessBlocked = %+v", c)
	}
	if find(conds, "StorageEncrypted") != nil {
		t.Errorf("a throttled service must not be asked for the next settings in the same sync: %+v", conds)
	}
	again, _ := d.Sync(ctx, withConds(cfg, conds))
	if find(again, "StoragePublicAccessBlocked").Message != c.Message {
		t.Errorf("unstable message: %q vs %q", find(again, "StoragePublicAccessBlocked").Message, c.Message)
	}
	srv.Faults().Clear()
	conds, err = d.Sync(ctx, withConds(cfg, again))
	if err != nil || find(conds, "StorageEncrypted").Status != operatorv1.ConditionTrue {
		t.Errorf("after clear: %+v %v", conds, err)
	}
	if n := srv.Faults().Count(fault.OpCreateBucket, ""); n != 1 {
		t.Errorf("CreateBucket calls = %d", n)
	}
}

func withConds(cfg *imageregistryv1.Config, conds []operatorv1.OperatorCondition) *imageregistryv1.Config {
	cfg.Status.Conditions = conds
	return cfg
}

// TestCallFailureIsAStableStorageError: a failed S3 call comes back as a
// *storage.StorageError whose text is the same on every retry (no request IDs, so status is
// not rewritten and the controller's backoff holds) and whose chain still holds the SDK's
// error for errors.As.
func TestCallFailureIsAStableStorageError(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	_ = deps.Client.Create(ctx, minted(srv))
	// HEAD answers carry no body: the SDK names the error after the status.
	srv.Faults().Inject(fault.Rule{Op: fault.OpHeadBucket, Status: 500})
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{
		S3: &imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "team-bucket"}}}}
	var texts []string
	for range 2 {
		_, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
		var se *storage.StorageError
		if !errors.As(err, &se) {
			t.Fatalf("Sync error %v (%T): want a *storage.StorageError", err, err)
		}
		var api smithy.APIError
		if !errors.As(err, &api) {
			t.Fatalf("Sync error %v: the SDK's API error is not in the chain", err)
		}
		if se.Reason == "" || se.Reason != api.ErrorCode() {
			t.Errorf("StorageError.Reason = %q, want the service's code %q", se.Reason, api.ErrorCode())
		}
		texts = append(texts, err.Error())
	}
	want := "unable to check S3 bucket team-bucket: InternalServerError: Internal Server Error"
	if texts[0] != want || texts[1] != want {
		t.Errorf("error texts %q, want %q both times (no request IDs)", texts, want)
	}
}

// TestCallLimits: the SDK re-sends a throttled request after at most Deps.Calls.MaxBackoff
// and gives up on a request after Deps.Calls.RequestTimeout.
func TestCallLimits(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	if err := deps.Client.Create(ctx, minted(srv)); err != nil {
		t.Fatal(err)
	}
	deps.Calls = storage.CallLimits{MaxBackoff: 5 * time.Millisecond, RequestTimeout: 300 * time.Millisecond}
	srv.Faults().Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503})
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	cfg.Spec.Storage.S3 = &imageregistryv1.ImageRegistryConfigStorageS3{}
	cfg.Spec.Storage.ManagementState = storage.Managed
	start := time.Now()
	if _, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg); err == nil {
		t.Fatal("Sync against a throttling S3 succeeded")
	}
	// Three attempts with two pauses of at most 5 ms; the default would pause 2 × 1 s.
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("a throttled create took %s with MaxBackoff 5ms, want the SDK's pauses to follow it", took)
	}
	if n := srv.Faults().Count(fault.OpCreateBucket, ""); n != maxAttempts {
		t.Errorf("%d CreateBucket requests, want %d (the SDK's attempts)", n, maxAttempts)
	}

	srv.Faults().Reset()
	srv.Faults().Inject(fault.Rule{Op: fault.OpCreateBucket, Latency: 5 * time.Second, Times: 1})
	start = time.Now()
	_, _ = New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a create held 5s by the server took %s with RequestTimeout 300ms, want the request given up", took)
	}
}
