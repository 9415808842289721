package s3fake

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/irconform/irconform/fakes/fault"
)

func start(t *testing.T, opts ...Option) (*Server, *s3.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Close() })
	// No retries: each SDK call is exactly one request, so call-log counts are exact.
	return srv, srv.NewClient(func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func mustCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: want %s (%d), got success", what, code, status)
	}
	if got := apiCode(err); got != code {
		t.Fatalf("%s: want code %s, got %q (%v)", what, code, got, err)
	}
	if got := httpStatus(err); got != status {
		t.Fatalf("%s: want status %d, got %d", what, status, got)
	}
}

func TestBucketAndObjectLifecycle(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	b := aws.String("infra-abc12-image-registry-us-east-1")

	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); err == nil {
		t.Fatal("HeadBucket on a missing bucket succeeded")
	} else {
		var nf *types.NotFound
		if !errors.As(err, &nf) || httpStatus(err) != 404 {
			t.Fatalf("HeadBucket missing: want NotFound 404, got %v", err)
		}
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b})
	var owned *types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) || httpStatus(err) != 409 {
		t.Fatalf("second CreateBucket: want BucketAlreadyOwnedByYou 409, got %v", err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"docker/registry/v2/a", "docker/registry/v2/b", "c"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(k), Body: strings.NewReader("body of " + k)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(data) != "body of c" {
		t.Fatalf("GetObject body %q", data)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	if err != nil || len(list.Contents) != 3 {
		t.Fatalf("ListObjectsV2: %v, %d objects", err, len(list.Contents))
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	mustCode(t, "DeleteBucket non-empty", err, "BucketNotEmpty", 409)

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("docker/registry/v2/a")}, {Key: aws.String("docker/registry/v2/b")},
	}}})
	if err != nil || len(del.Deleted) != 2 || len(del.Errors) != 0 {
		t.Fatalf("DeleteObjects: %v %+v", err, del)
	}
	infos, _ := srv.Buckets(ctx)
	if len(infos) != 1 || infos[0].Objects != 0 {
		t.Fatalf("Buckets after object deletes: %+v", infos)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); httpStatus(err) != 404 {
		t.Fatalf("HeadBucket after delete: want 404, got %v", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	mustCode(t, "DeleteBucket missing", err, "NoSuchBucket", 404)

	f := srv.Faults()
	if n := f.Count(fault.OpCreateBucket, *b); n != 2 {
		t.Fatalf("CreateBucket count %d", n)
	}
	if n := f.Count(fault.OpDeleteObject, ""); n != 2 { // one DeleteObject, one DeleteObjects batch
		t.Fatalf("DeleteObject count %d", n)
	}
	if n := f.Count(fault.OpPutObject, *b); n != 3 {
		t.Fatalf("PutObject count %d", n)
	}
}

// The operator's exact writes (S3-003..006) must read back as written through the real SDK.
func TestSettingsRoundTrip(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	b := aws.String("settings-bucket")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}

	// Nothing configured yet: S3's own not-found codes, never an empty success.
	_, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	mustCode(t, "GetBucketEncryption unset", err, "ServerSideEncryptionConfigurationNotFoundError", 404)
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	mustCode(t, "GetBucketTagging unset", err, "NoSuchTagSet", 404)
	_, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	mustCode(t, "GetPublicAccessBlock unset", err, "NoSuchPublicAccessBlockConfiguration", 404)
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	mustCode(t, "GetBucketLifecycleConfiguration unset", err, "NoSuchLifecycleConfiguration", 404)

	// AES256 first, then aws:kms replacing it.
	for _, tc := range []struct {
		alg types.ServerSideEncryption
		key string
	}{
		{types.ServerSideEncryptionAes256, ""},
		{types.ServerSideEncryptionAwsKms, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
	} {
		def := &types.ServerSideEncryptionByDefault{SSEAlgorithm: tc.alg}
		if tc.key != "" {
			def.KMSMasterKeyID = aws.String(tc.key)
		}
		if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
				{ApplyServerSideEncryptionByDefault: def, BucketKeyEnabled: aws.Bool(true)},
			}}}); err != nil {
			t.Fatalf("PutBucketEncryption %s: %v", tc.alg, err)
		}
		enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		rules := enc.ServerSideEncryptionConfiguration.Rules
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != tc.alg ||
			aws.ToString(rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != tc.key ||
			!aws.ToBool(rules[0].BucketKeyEnabled) {
			t.Fatalf("encryption read back wrong: %+v", rules)
		}
	}

	tags := []types.Tag{
		{Key: aws.String("kubernetes.io/cluster/infra-abc12"), Value: aws.String("owned")},
		{Key: aws.String("Name"), Value: aws.String("infra-abc12-image-registry")},
		{Key: aws.String("team"), Value: aws.String("qa")},
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tags}}); err != nil {
		t.Fatal(err)
	}
	tg, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	if err != nil || len(tg.TagSet) != 3 {
		t.Fatalf("GetBucketTagging: %v %+v", err, tg)
	}
	for i, tag := range tg.TagSet {
		if *tag.Key != *tags[i].Key || *tag.Value != *tags[i].Value {
			t.Fatalf("tag %d: %s=%s", i, *tag.Key, *tag.Value)
		}
	}

	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
		}}); err != nil {
		t.Fatal(err)
	}
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	p := pab.PublicAccessBlockConfiguration
	if !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.IgnorePublicAcls) || !aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.RestrictPublicBuckets) {
		t.Fatalf("public access block read back wrong: %+v", p)
	}

	const ruleID = "cleanup-incomplete-multipart-registry-uploads"
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID:                             aws.String(ruleID),
			Status:                         types.ExpirationStatusEnabled,
			Filter:                         &types.LifecycleRuleFilter{Prefix: aws.String("")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)},
		}}}}); err != nil {
		t.Fatal(err)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	if err != nil || len(lc.Rules) != 1 {
		t.Fatalf("GetBucketLifecycleConfiguration: %v %+v", err, lc)
	}
	r := lc.Rules[0]
	if aws.ToString(r.ID) != ruleID || r.Status != types.ExpirationStatusEnabled || r.Filter == nil ||
		r.Filter.Prefix == nil || *r.Filter.Prefix != "" || aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 1 {
		t.Fatalf("lifecycle read back wrong: %+v", r)
	}

	infos, err := srv.Buckets(ctx)
	if err != nil || len(infos) != 1 {
		t.Fatalf("Buckets: %v %+v", err, infos)
	}
	want := map[string]string{
		"encryption":                            "aws:kms",
		"kmsKeyID":                              "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"bucketKeyEnabled":                      "true",
		"tag:kubernetes.io/cluster/infra-abc12": "owned",
		"tag:Name":                              "infra-abc12-image-registry",
		"tag:team":                              "qa",
		"publicAccessBlock":                     "true,true,true,true",
		"lifecycle:" + ruleID:                   "abort-incomplete-multipart-days=1",
	}
	for k, v := range want {
		if infos[0].Settings[k] != v {
			t.Errorf("setting %s = %q, want %q", k, infos[0].Settings[k], v)
		}
	}
	if len(infos[0].Settings) != len(want) {
		t.Errorf("settings: %v", infos[0].Settings)
	}

	// Sub-resource deletes, then the bucket's delete clears whatever is left.
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	mustCode(t, "GetBucketTagging after delete", err, "NoSuchTagSet", 404)
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	mustCode(t, "GetBucketEncryption deleted bucket", err, "NoSuchBucket", 404)
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tags}})
	mustCode(t, "PutBucketTagging deleted bucket", err, "NoSuchBucket", 404)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	mustCode(t, "GetBucketEncryption re-created bucket", err, "ServerSideEncryptionConfigurationNotFoundError", 404)
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	mustCode(t, "GetBucketLifecycle re-created bucket", err, "NoSuchLifecycleConfiguration", 404)

	f := srv.Faults()
	if f.Count(fault.OpPutSetting, *b) != 7 || f.Count(fault.OpGetSetting, *b) != 13 {
		t.Fatalf("setting call counts put=%d get=%d", f.Count(fault.OpPutSetting, *b), f.Count(fault.OpGetSetting, *b))
	}
}

func TestValidationAndUnsupported(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	b := aws.String("valid")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("a"), Value: aws.String("2")},
	}}})
	mustCode(t, "duplicate tag keys", err, "InvalidTag", 400)
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
			{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256, KMSMasterKeyID: aws.String("k")}},
		}}})
	mustCode(t, "AES256 with a KMS key", err, "InvalidArgument", 400)
	// gofakes3 would route this to ListObjects and "succeed"; the fake refuses loudly.
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	mustCode(t, "GetBucketPolicy", err, "NotImplemented", 501)
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("x")})
	mustCode(t, "GetObjectTagging", err, "NotImplemented", 501)
}

func TestForeignBucket(t *testing.T) {
	srv, c := start(t, WithForeignBuckets("someone-elses"))
	ctx := context.Background()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("someone-elses")})
	var exists *types.BucketAlreadyExists
	if !errors.As(err, &exists) || httpStatus(err) != 409 {
		t.Fatalf("CreateBucket foreign: want BucketAlreadyExists 409, got %v", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("someone-elses")})
	if httpStatus(err) != 403 || apiCode(err) != "Forbidden" {
		t.Fatalf("HeadBucket foreign: want 403 Forbidden, got %q %v", apiCode(err), err)
	}
	srv.Foreign("later")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("later"), Key: aws.String("k"), Body: strings.NewReader("x")})
	mustCode(t, "PutObject foreign", err, "AccessDenied", 403)
	if infos, _ := srv.Buckets(ctx); len(infos) != 0 {
		t.Fatalf("foreign buckets listed: %+v", infos)
	}
}

func TestFaults(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	f := srv.Faults()

	// 503 SlowDown for the next two CreateBucket calls, then success.
	f.Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503, Times: 2})
	for range 2 {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flaky")})
		mustCode(t, "CreateBucket under SlowDown", err, "SlowDown", 503)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("flaky")}); err != nil {
		t.Fatalf("third CreateBucket: %v", err)
	}
	calls := f.Calls()
	if len(calls) != 3 || calls[0].Injected != 503 || calls[1].Injected != 503 || calls[2].Injected != 0 {
		t.Fatalf("call log: %+v", calls)
	}

	// The SDK's standard retryer treats SlowDown as retryable: one API call survives two.
	f.Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503, Times: 2})
	retrying := srv.NewClient(func(o *s3.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			so.RateLimiter = ratelimit.None
		})
	})
	if _, err := retrying.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("retried")}); err != nil {
		t.Fatalf("CreateBucket with retries: %v", err)
	}
	if n := f.Count(fault.OpCreateBucket, "retried"); n != 3 {
		t.Fatalf("retried attempts %d, want 3", n)
	}

	// 403 AccessDenied on one bucket only, until cleared; HEAD sees the bare status.
	f.Inject(fault.Rule{Op: fault.Any, Bucket: "flaky", Status: 403})
	_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("flaky"), Tagging: &types.Tagging{TagSet: []types.Tag{}}})
	mustCode(t, "PutBucketTagging denied", err, "AccessDenied", 403)
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("flaky")})
	if httpStatus(err) != 403 {
		t.Fatalf("HeadBucket denied: %v", err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("retried")}); err != nil {
		t.Fatalf("other bucket affected: %v", err)
	}
	f.Inject(fault.Rule{Op: fault.OpPutObject, Status: 500, Code: "InternalError", Message: "boom"})
	f.Clear()
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("flaky")}); err != nil {
		t.Fatalf("after Clear: %v", err)
	}

	// Latency only: the call succeeds, late.
	f.Inject(fault.Rule{Op: fault.OpHeadBucket, Latency: 150 * time.Millisecond, Times: 1})
	t0 := time.Now()
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("flaky")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Fatalf("latency rule: call took %v", d)
	}

	if n := f.Count(fault.OpHeadBucket, ""); n != 4 {
		t.Fatalf("HeadBucket count %d", n)
	}
	f.Reset()
	if len(f.Calls()) != 0 {
		t.Fatal("Reset kept calls")
	}
}

func TestSeedInspectAndStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Seed(ctx, "user-bucket", 5); err != nil {
		t.Fatal(err)
	}
	if len(srv.Faults().Calls()) != 0 {
		t.Fatal("Seed wrote to the call log")
	}
	infos, err := srv.Buckets(ctx)
	if err != nil || len(infos) != 1 || infos[0].Name != "user-bucket" || infos[0].Objects != 5 {
		t.Fatalf("Buckets: %v %+v", err, infos)
	}
	c := srv.NewClient()
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("user-bucket")})
	var owned *types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Fatalf("CreateBucket on seeded bucket: %v", err)
	}
	if !strings.Contains(srv.Describe(), srv.Endpoint) || !strings.Contains(srv.CredentialsFile(), srv.AccessKey) {
		t.Fatal("Describe/CredentialsFile")
	}
	cancel()
	select {
	case <-srv.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("server did not stop on ctx cancel")
	}
	if resp, err := http.Get(srv.Endpoint); err == nil {
		resp.Body.Close()
		t.Fatal("server still answering after stop")
	}
}
