package s3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/status"
	"github.com/irconform/irconform/reference/storage"
)

// Bounds on cloud I/O: the SDK retries a failed call a little (3 attempts, pauses up to
// Deps.Calls.MaxBackoff, no retry quota that would change error texts), each HTTP request
// gives up after Deps.Calls.RequestTimeout, and one Sync/Remove as a whole after
// syncTimeout. Anything longer is the controller's business: it requeues with exponential
// backoff on the returned error.
const (
	maxAttempts = 3
	syncTimeout = 45 * time.Second
)

// Driver is the S3 backend.
type Driver struct {
	deps storage.Deps
	// st is the storage the driver was built from: the spec on Sync/Configure, the recorded
	// status on Remove (the controller's choice).
	st *imageregistryv1.ImageRegistryConfigStorage
}

// New is the storage.Factory for "s3" (wired in reference/operator).
func New(deps storage.Deps, st *imageregistryv1.ImageRegistryConfigStorage) storage.Driver {
	return &Driver{deps: deps, st: st}
}

func (*Driver) Kind() string { return "S3" }

// credentials is STOR-S3-05 / CRED-01..03: the user secret, else the minted secret. It
// returns the ini file for the registry and the static keys for the operator's own client.
//
// Implements CRED-001, CRED-002, CRED-003.
func (d *Driver) credentials(ctx context.Context) (file, accessKey, secretKey string, err error) {
	c := d.deps.Client
	var user corev1.Secret
	err = c.Get(ctx, types.NamespacedName{Namespace: storage.Namespace, Name: storage.UserSecretName}, &user)
	switch {
	case err == nil:
		for _, k := range []string{UserAccessKey, UserSecretKey} {
			if _, ok := user.Data[k]; !ok {
				return "", "", "", fmt.Errorf("secret %q does not contain required key %q", storage.Namespace+"/"+storage.UserSecretName, k)
			}
		}
		accessKey, secretKey = string(user.Data[UserAccessKey]), string(user.Data[UserSecretKey])
		return CredentialsFile(accessKey, secretKey), accessKey, secretKey, nil
	case !apierrors.IsNotFound(err):
		return "", "", "", fmt.Errorf("unable to get user provided secret %q: %w", storage.Namespace+"/"+storage.UserSecretName, err)
	}
	var minted corev1.Secret
	if err := c.Get(ctx, types.NamespacedName{Namespace: storage.Namespace, Name: storage.ClusterCredentialsName}, &minted); err != nil {
		return "", "", "", fmt.Errorf("unable to get cluster minted credentials %q: %w", storage.Namespace+"/"+storage.ClusterCredentialsName, err)
	}
	if f, ok := minted.Data[MintedCredentialsKey]; ok && len(f) > 0 {
		accessKey, secretKey, _ = ParseCredentialsFile(string(f))
		return string(f), accessKey, secretKey, nil
	}
	accessKey, secretKey = string(minted.Data[MintedAccessKeyID]), string(minted.Data[MintedSecretKey])
	if accessKey == "" || secretKey == "" {
		return "", "", "", errors.New("invalid secret for aws credentials")
	}
	return CredentialsFile(accessKey, secretKey), accessKey, secretKey, nil
}

// caPool is STOR-S3-06: spec.storage.s3.trustedCA names a config map in openshift-config
// whose "ca-bundle.crt" is the only trust (no system pool); without it, the cloud config's
// "ca-bundle.pem" is added to the system pool when present. nil means the system pool.
//
// Implements S3-009.
func (d *Driver) caPool(ctx context.Context, c imageregistryv1.ImageRegistryConfigStorageS3) (*x509.CertPool, error) {
	if name := c.TrustedCA.Name; name != "" {
		var cm corev1.ConfigMap
		if err := d.deps.Client.Get(ctx, types.NamespacedName{Namespace: render.ConfigNamespace, Name: name}, &cm); err != nil {
			return nil, fmt.Errorf("unable to get trusted CA config map %s/%s: %w", render.ConfigNamespace, name, err)
		}
		bundle, ok := cm.Data[TrustedCAKey]
		if !ok {
			return nil, fmt.Errorf("config map %s/%s does not contain required key %q", render.ConfigNamespace, name, TrustedCAKey)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(bundle)) {
			return nil, fmt.Errorf("config map %s/%s key %q holds no PEM certificate", render.ConfigNamespace, name, TrustedCAKey)
		}
		return pool, nil
	}
	var cm corev1.ConfigMap
	err := d.deps.Client.Get(ctx, types.NamespacedName{Namespace: render.ConfigManagedNamespace, Name: CloudConfigName}, &cm)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to get config map %s/%s: %w", render.ConfigManagedNamespace, CloudConfigName, err)
	}
	bundle := cm.Data[CloudConfigCAKey]
	if bundle == "" {
		return nil, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM([]byte(bundle))
	return pool, nil
}

// client builds the SDK client for the effective config. An endpoint override (fakes,
// mirrors) is a transport detail: path-style against it, never written anywhere.
func (d *Driver) client(ctx context.Context, c imageregistryv1.ImageRegistryConfigStorageS3, accessKey, secretKey string) (*s3.Client, error) {
	if accessKey == "" || secretKey == "" {
		return nil, errors.New("the AWS credentials carry no static access key; the reference operator cannot use them")
	}
	pool, err := d.caPool(ctx, c)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if pool != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	limits := d.deps.Calls.WithDefaults()
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := s3.Options{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient:  &http.Client{Transport: tr, Timeout: limits.RequestTimeout},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = limits.MaxBackoff
			o.RateLimiter = ratelimit.None
		}),
		AppID: "openshift.io_cluster-image-registry-operator",
	}
	switch {
	case d.deps.Endpoints["s3"] != "":
		opts.BaseEndpoint = aws.String(d.deps.Endpoints["s3"])
		opts.UsePathStyle = true
	case c.RegionEndpoint != "":
		ep := c.RegionEndpoint
		if !strings.Contains(ep, "://") {
			ep = "https://" + ep
		}
		opts.BaseEndpoint = aws.String(ep)
		opts.UsePathStyle = !c.VirtualHostedStyle
	default:
		// The operator's own calls go to the dual-stack endpoint where the registry's do
		// (S3-013); with an endpoint of its own, the endpoint is used as given.
		if dual, err := DualStack(c); err != nil {
			return nil, err
		} else if dual {
			opts.EndpointOptions.UseDualStackEndpoint = aws.DualStackEndpointStateEnabled
		}
	}
	return s3.New(opts), nil
}

// describeErr renders a cloud error stably: "<Code>: <Message>" for service errors, without
// request IDs or attempt counts, so that repeating the same failure does not rewrite status
// (which would wake the controller and defeat its backoff).
func describeErr(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if m := ae.ErrorMessage(); m != "" && m != ae.ErrorCode() {
			return ae.ErrorCode() + ": " + m
		}
		return ae.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "request timed out"
	}
	return err.Error()
}

// callFailed wraps the failure of an S3 call with what was being done (format, args).
func callFailed(err error, format string, args ...any) error {
	return storage.Failed(err, errCode(err), describeErr(err), format, args...)
}

// serviceTrouble tells a throttled or failing service (5xx, SlowDown, timeouts) from a
// refusal of the request itself.
func serviceTrouble(err error) bool {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	switch errCode(err) {
	case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "ServiceUnavailable", "InternalError":
		return true
	}
	return errCode(err) == ""
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// failure is the condition for a failed call: the service's code as reason when there is one.
func failure(t string, err error) operatorv1.OperatorCondition {
	if code := errCode(err); code != "" {
		return status.Cond(t, operatorv1.ConditionFalse, code, describeErr(err))
	}
	return status.Cond(t, operatorv1.ConditionUnknown, ReasonUnknown, describeErr(err))
}

func conditionTrue(conds []operatorv1.OperatorCondition, t string) bool {
	for _, c := range conds {
		if c.Type == t {
			return c.Status == operatorv1.ConditionTrue
		}
	}
	return false
}

// Sync is STOR-S3-07/08 (create or adopt) and STOR-S3-09..12 (Managed-only defaults).
//
// Implements BOOT-005, S3-002, S3-007, STOR-001, STOR-002, STOR-003, STOR-006, STOR-008, STOR-010 (upstream STOR-S3-08, STOR-COMMON-03).
func (d *Driver) Sync(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	if cfg.Spec.Storage.S3 == nil {
		cfg.Spec.Storage.S3 = &imageregistryv1.ImageRegistryConfigStorageS3{}
	}
	eff := Effective(*cfg.Spec.Storage.S3, d.deps.Infra)
	changed := cfg.Status.Storage.S3 == nil || !equality.Semantic.DeepEqual(*cfg.Status.Storage.S3, eff)

	_, accessKey, secretKey, err := d.credentials(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := d.client(ctx, eff, accessKey, secretKey)
	if err != nil {
		return nil, err
	}

	exists := false
	var conds []operatorv1.OperatorCondition
	if eff.Bucket != "" {
		_, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(eff.Bucket)})
		switch code := errCode(err); {
		case err == nil:
			exists = true
		case code == "NoSuchBucket" || code == "NotFound" || code == "Forbidden" || code == "AccessDenied":
			// Missing or not ours to see: try to create it (STOR-S3-07).
			conds = append(conds, status.Cond(storage.CondStorageExists, operatorv1.ConditionFalse, code, describeErr(err)))
		case changed:
			c := status.Cond(storage.CondStorageExists, operatorv1.ConditionUnknown, ReasonChanged, MsgChanged)
			return []operatorv1.OperatorCondition{c}, callFailed(err, "unable to check S3 bucket %s", eff.Bucket)
		default:
			c := status.Cond(storage.CondStorageExists, operatorv1.ConditionUnknown, ReasonUnknown, describeErr(err))
			return []operatorv1.OperatorCondition{c}, callFailed(err, "unable to check S3 bucket %s", eff.Bucket)
		}
	}

	managed := func() bool { return cfg.Spec.Storage.ManagementState == storage.Managed }
	if exists && !changed {
		// Steady state: the bucket is there as recorded. Only defaults that did not take
		// (a failed call earlier) are tried again.
		conds = []operatorv1.OperatorCondition{status.Cond(storage.CondStorageExists, operatorv1.ConditionTrue, ReasonExists, "")}
		if !managed() {
			return conds, nil
		}
		dc, err := d.applyDefaults(ctx, cl, cfg, true, func(t string) bool { return !conditionTrue(cfg.Status.Conditions, t) })
		conds = append(conds, dc...)
		d.record(cfg)
		return conds, err
	}

	if exists {
		if cfg.Spec.Storage.ManagementState == "" {
			cfg.Spec.Storage.ManagementState = storage.Unmanaged
		}
		conds = []operatorv1.OperatorCondition{status.Cond(storage.CondStorageExists, operatorv1.ConditionTrue, ReasonExists, MsgUserBucketExists)}
	} else {
		if eff.Bucket == "" {
			name := storage.InfraName(d.deps.Infra)
			if name == "" || eff.Region == "" {
				return nil, errors.New("unable to generate an S3 bucket name: the Infrastructure gives no infrastructure name or AWS region")
			}
			eff.Bucket = BucketName(name, eff.Region)
			// The name is deterministic: a bucket of ours under it (made by a sync whose
			// spec write was lost, or by an operator that crashed) is simply adopted.
			if _, err := cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(eff.Bucket)}); err == nil {
				exists = true
			}
		}
		c := status.Cond(storage.CondStorageExists, operatorv1.ConditionTrue, ReasonCreated, MsgCreated)
		var err error
		if !exists {
			c, err = d.create(ctx, cl, eff)
		}
		if err != nil {
			return []operatorv1.OperatorCondition{c}, err
		}
		if cfg.Spec.Storage.ManagementState == "" {
			cfg.Spec.Storage.ManagementState = storage.Managed
		}
		// Record the generated name (and the effective region/endpoint) in spec.
		*cfg.Spec.Storage.S3 = eff
		conds = []operatorv1.OperatorCondition{c}
	}

	var errs error
	if managed() {
		// A bucket this sync did not create may have its settings already (it is ours from
		// an earlier sync, or the Config read was stale): read before writing.
		dc, err := d.applyDefaults(ctx, cl, cfg, exists, func(string) bool { return true })
		conds = append(conds, dc...)
		errs = err
	}
	d.record(cfg)
	return conds, errs
}

// record writes status.storage: only S3, as effective now (switching backend leaves nothing
// of the old one). managementState is filled by the controller.
//
// Implements STOR-008.
func (d *Driver) record(cfg *imageregistryv1.Config) {
	eff := Effective(*cfg.Spec.Storage.S3, d.deps.Infra)
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{S3: &eff, ManagementState: cfg.Status.Storage.ManagementState}
}

// create is STOR-S3-08: CreateBucket; already owned by us → reuse; owned by another account
// → "Unable to Access Bucket".
//
// Implements S3-002.
func (d *Driver) create(ctx context.Context, cl *s3.Client, c imageregistryv1.ImageRegistryConfigStorageS3) (operatorv1.OperatorCondition, error) {
	in := &s3.CreateBucketInput{Bucket: aws.String(c.Bucket)}
	if c.Region != "" && c.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.Region)}
	}
	_, err := cl.CreateBucket(ctx, in)
	switch code := errCode(err); {
	case err == nil, code == "BucketAlreadyOwnedByYou":
		_, _ = cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(c.Bucket)}) // visible before use
		return status.Cond(storage.CondStorageExists, operatorv1.ConditionTrue, ReasonCreated, MsgCreated), nil
	case code == "BucketAlreadyExists":
		return status.Cond(storage.CondStorageExists, operatorv1.ConditionFalse, ReasonUnableToAccess, MsgOwnedByOther(c.Bucket)),
			errors.New(MsgOwnedByOther(c.Bucket))
	default:
		return failure(storage.CondStorageExists, err), callFailed(err, "unable to create S3 bucket %s", c.Bucket)
	}
}

// applyDefaults puts the Managed-only settings (STOR-S3-09..12) for which want(condition)
// holds. Each failure becomes its condition False; all failures are returned together so the
// controller retries (with backoff) and the next Sync tries only what is still missing.
//
// With verify, each setting is read first and only written when it differs: a retry (or a
// sync that read a stale Config) then costs reads, not writes.
//
// Implements STOR-002, S3-003, S3-004, S3-005, S3-006.
func (d *Driver) applyDefaults(ctx context.Context, cl *s3.Client, cfg *imageregistryv1.Config, verify bool, want func(string) bool) ([]operatorv1.OperatorCondition, error) {
	c := Effective(*cfg.Spec.Storage.S3, d.deps.Infra)
	b := aws.String(c.Bucket)
	var conds []operatorv1.OperatorCondition
	var errs []error
	throttled := false
	step := func(t, reason, msg string, has func() bool, call func() error) {
		if !want(t) || throttled {
			return
		}
		if verify && has() {
			conds = append(conds, status.Cond(t, operatorv1.ConditionTrue, reason, msg))
			return
		}
		if err := call(); err != nil {
			conds = append(conds, failure(t, err))
			errs = append(errs, callFailed(err, "%s", t))
			// A throttled or failing service is not asked for the next settings in this sync
			// (they are tried on the next one); a refusal of one setting (4xx) says nothing
			// about the others.
			throttled = serviceTrouble(err)
			return
		}
		conds = append(conds, status.Cond(t, operatorv1.ConditionTrue, reason, msg))
	}
	step(storage.CondPublicAccessBlock, ReasonPABlocked, MsgPABlocked, func() bool {
		out, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil || out.PublicAccessBlockConfiguration == nil {
			return false
		}
		p := out.PublicAccessBlockConfiguration
		return aws.ToBool(p.BlockPublicAcls) && aws.ToBool(p.BlockPublicPolicy) && aws.ToBool(p.IgnorePublicAcls) && aws.ToBool(p.RestrictPublicBuckets)
	}, func() error {
		_, err := cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true),
				IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
			}})
		return err
	})
	tags := Tags(d.deps.Infra)
	step(storage.CondStorageTagged, ReasonTagged, MsgTagged, func() bool {
		out, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
		if err != nil {
			return false
		}
		have := map[string]string{}
		for _, t := range out.TagSet {
			have[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		for k, v := range tags {
			if have[k] != v {
				return false
			}
		}
		return true
	}, func() error {
		set := make([]s3types.Tag, 0, len(tags))
		for _, k := range SortedKeys(tags) {
			set = append(set, s3types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
		}
		_, err := cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: set}})
		return err
	})
	alg := EncryptionAlgorithm(c)
	step(storage.CondStorageEncrypted, ReasonEncrypted, MsgEncrypted(alg), func() bool {
		out, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil || out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
			return false
		}
		r := out.ServerSideEncryptionConfiguration.Rules[0]
		ok := r.ApplyServerSideEncryptionByDefault != nil && string(r.ApplyServerSideEncryptionByDefault.SSEAlgorithm) == alg &&
			aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) == c.KeyID && aws.ToBool(r.BucketKeyEnabled)
		if ok {
			cfg.Spec.Storage.S3.Encrypt = true
		}
		return ok
	}, func() error {
		def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryption(alg)}
		if c.KeyID != "" {
			def.KMSMasterKeyID = aws.String(c.KeyID)
		}
		_, err := cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: def, BucketKeyEnabled: aws.Bool(true),
			}}}})
		if err == nil {
			cfg.Spec.Storage.S3.Encrypt = true
		}
		return err
	})
	step(storage.CondIncompleteCleanup, ReasonCleanupEnabled, MsgCleanupEnabled, func() bool {
		out, err := cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err != nil {
			return false
		}
		for _, r := range out.Rules {
			if aws.ToString(r.ID) == LifecycleRuleID && r.Status == s3types.ExpirationStatusEnabled &&
				r.AbortIncompleteMultipartUpload != nil && aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) == 1 {
				return true
			}
		}
		return false
	}, func() error {
		_, err := cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
			LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
				ID:                             aws.String(LifecycleRuleID),
				Status:                         s3types.ExpirationStatusEnabled,
				Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
				AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)},
			}}}})
		return err
	})
	return conds, errors.Join(errs...)
}

// Configure is STOR-S3-02..05: env, the credentials volume and the private-secret file.
//
// Implements S3-008, CRED-004.
func (d *Driver) Configure(ctx context.Context, cfg *imageregistryv1.Config) (render.StorageConfig, error) {
	file, _, _, err := d.credentials(ctx)
	if err != nil {
		return render.StorageConfig{}, err
	}
	return StorageConfig(Effective(*cfg.Spec.Storage.S3, d.deps.Infra), file)
}

// Remove is STOR-S3-14 under STOR-COMMON-05: only a Managed bucket with a name is deleted,
// objects first, then the bucket.
//
// Implements STOR-004, STOR-005.
func (d *Driver) Remove(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	if cfg.Spec.Storage.ManagementState != storage.Managed || d.st == nil || d.st.S3 == nil || d.st.S3.Bucket == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	rec := Effective(*d.st.S3, d.deps.Infra)
	_, accessKey, secretKey, err := d.credentials(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := d.client(ctx, rec, accessKey, secretKey)
	if err != nil {
		return nil, err
	}
	gone := func(msg string) []operatorv1.OperatorCondition {
		if cfg.Spec.Storage.S3 != nil && cfg.Spec.Storage.S3.Bucket == rec.Bucket {
			cfg.Spec.Storage.S3.Bucket = ""
		}
		return []operatorv1.OperatorCondition{status.Cond(storage.CondStorageExists, operatorv1.ConditionFalse, ReasonDeleted, msg)}
	}
	b := aws.String(rec.Bucket)
	p := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: b})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if errCode(err) == "NoSuchBucket" {
			return gone(MsgDeletedNotExisting), nil
		}
		if err != nil {
			return nil, callFailed(err, "unable to list objects of S3 bucket %s", rec.Bucket)
		}
		if len(page.Contents) == 0 {
			continue
		}
		ids := make([]s3types.ObjectIdentifier, 0, len(page.Contents))
		for _, o := range page.Contents {
			ids = append(ids, s3types.ObjectIdentifier{Key: o.Key})
		}
		out, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return nil, callFailed(err, "unable to delete objects of S3 bucket %s", rec.Bucket)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return nil, fmt.Errorf("unable to delete object %s of S3 bucket %s: %s: %s", aws.ToString(e.Key), rec.Bucket, aws.ToString(e.Code), aws.ToString(e.Message))
		}
	}
	_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	switch {
	case errCode(err) == "NoSuchBucket":
		return gone(MsgDeletedNotExisting), nil
	case err != nil:
		return nil, callFailed(err, "unable to delete S3 bucket %s", rec.Bucket)
	}
	return gone(MsgDeleted), nil
}
