package gcs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"github.com/googleapis/gax-go/v2"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/status"
	regstorage "github.com/irconform/irconform/reference/storage"
)

// Bounds on cloud I/O (see the S3 driver): a few SDK attempts, then the controller's backoff.
const (
	maxAttempts = 3
	syncTimeout = 45 * time.Second
)

// Driver is the GCS backend.
type Driver struct {
	deps regstorage.Deps
	st   *imageregistryv1.ImageRegistryConfigStorage
	// rnd is the random source of generated names (nil: math/rand; tests replace it).
	rnd func(n int) int
}

// New is the storage.Factory for "gcs" (wired in reference/operator).
func New(deps regstorage.Deps, st *imageregistryv1.ImageRegistryConfigStorage) regstorage.Driver {
	return &Driver{deps: deps, st: st}
}

func (*Driver) Kind() string { return "GCS" }

// keyfile is STOR-GCS-01 / CRED-01..03: the user secret's REGISTRY_STORAGE_GCS_KEYFILE, else
// installer-cloud-credentials' service_account.json.
//
// Implements CRED-001, CRED-002, CRED-003.
func (d *Driver) keyfile(ctx context.Context) ([]byte, error) {
	c := d.deps.Client
	var user corev1.Secret
	err := c.Get(ctx, types.NamespacedName{Namespace: regstorage.Namespace, Name: regstorage.UserSecretName}, &user)
	switch {
	case err == nil:
		k, ok := user.Data[KeyfileKey]
		if !ok {
			return nil, fmt.Errorf("secret %q does not contain required key %q", regstorage.Namespace+"/"+regstorage.UserSecretName, KeyfileKey)
		}
		return k, nil
	case !apierrors.IsNotFound(err):
		return nil, fmt.Errorf("unable to get user provided secret %q: %w", regstorage.Namespace+"/"+regstorage.UserSecretName, err)
	}
	var minted corev1.Secret
	if err := c.Get(ctx, types.NamespacedName{Namespace: regstorage.Namespace, Name: regstorage.ClusterCredentialsName}, &minted); err != nil {
		return nil, fmt.Errorf("unable to get cluster minted credentials %q: %w", regstorage.Namespace+"/"+regstorage.ClusterCredentialsName, err)
	}
	k, ok := minted.Data[MintedKeyfileKey]
	if !ok || len(k) == 0 {
		return nil, fmt.Errorf("secret %q does not contain required key %q", regstorage.Namespace+"/"+regstorage.ClusterCredentialsName, MintedKeyfileKey)
	}
	return k, nil
}

// connect is the SDK client with the operator's credentials (close it after use).
func (d *Driver) connect(ctx context.Context) (*storage.Client, error) {
	keyfile, err := d.keyfile(ctx)
	if err != nil {
		return nil, err
	}
	return d.client(ctx, keyfile)
}

// client builds the SDK client; an endpoint override (fakes, mirrors) is a transport detail.
func (d *Driver) client(ctx context.Context, keyfile []byte) (*storage.Client, error) {
	opts := []option.ClientOption{option.WithAuthCredentialsJSON(option.ServiceAccount, keyfile),
		option.WithUserAgent("openshift.io cluster-image-registry-operator")}
	if ep := d.deps.Endpoints["gcs"]; ep != "" {
		opts = append(opts, option.WithEndpoint(ep+"/storage/v1/"))
	}
	cl, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("unable to build the GCS client: %w", err)
	}
	limits := d.deps.Calls.WithDefaults()
	cl.SetRetry(storage.WithMaxAttempts(maxAttempts),
		storage.WithBackoff(gax.Backoff{Initial: min(100*time.Millisecond, limits.MaxBackoff), Max: limits.MaxBackoff, Multiplier: 2}))
	return cl, nil
}

// describeErr renders a cloud error stably ("<code>: <message>") so that repeating a failure
// does not rewrite status.
func describeErr(err error) string {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		msg := ge.Message
		if msg == "" {
			msg = ge.Body
		}
		return strconv.Itoa(ge.Code) + ": " + msg
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "request timed out"
	}
	return err.Error()
}

// callFailed wraps the failure of a GCS call with what was being done (format, args).
func callFailed(err error, format string, args ...any) error {
	reason := ""
	if code := httpCode(err); code != 0 {
		reason = strconv.Itoa(code)
	}
	return regstorage.Failed(err, reason, describeErr(err), format, args...)
}

func httpCode(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// Sync is STOR-GCS-03/05: adopt a user bucket, else create the generated one with location,
// labels and optional CMEK.
//
// Implements GCS-001, STOR-001, STOR-003, STOR-006, STOR-008, STOR-010 (upstream STOR-COMMON-03).
func (d *Driver) Sync(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	if cfg.Spec.Storage.GCS == nil {
		cfg.Spec.Storage.GCS = &imageregistryv1.ImageRegistryConfigStorageGCS{}
	}
	eff := Effective(*cfg.Spec.Storage.GCS, d.deps.Infra)
	changed := cfg.Status.Storage.GCS == nil || !equality.Semantic.DeepEqual(*cfg.Status.Storage.GCS, eff)

	cl, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer cl.Close()

	exists := false
	var conds []operatorv1.OperatorCondition
	if eff.Bucket != "" {
		_, err := cl.Bucket(eff.Bucket).Attrs(ctx)
		switch {
		case err == nil:
			exists = true
		case errors.Is(err, storage.ErrBucketNotExist):
			conds = append(conds, status.Cond(regstorage.CondStorageExists, operatorv1.ConditionFalse, ReasonNotExist, describeErr(err)))
		case changed:
			return []operatorv1.OperatorCondition{status.Cond(regstorage.CondStorageExists, operatorv1.ConditionUnknown, ReasonChanged, MsgChanged)},
				callFailed(err, "unable to check GCS bucket %s", eff.Bucket)
		default:
			return []operatorv1.OperatorCondition{status.Cond(regstorage.CondStorageExists, operatorv1.ConditionUnknown, ReasonUnknown, describeErr(err))},
				callFailed(err, "unable to check GCS bucket %s", eff.Bucket)
		}
	}
	if exists && !changed {
		return []operatorv1.OperatorCondition{status.Cond(regstorage.CondStorageExists, operatorv1.ConditionTrue, ReasonExists, "")}, nil
	}
	if exists {
		if cfg.Spec.Storage.ManagementState == "" {
			cfg.Spec.Storage.ManagementState = regstorage.Unmanaged
		}
		d.record(cfg)
		return []operatorv1.OperatorCondition{status.Cond(regstorage.CondStorageExists, operatorv1.ConditionTrue, ReasonExists, MsgUserBucketExists)}, nil
	}

	if eff.ProjectID == "" {
		return nil, errors.New("unable to create a GCS bucket: no project ID in spec.storage.gcs or the Infrastructure")
	}
	adopted := false
	if eff.Bucket == "" {
		name := regstorage.InfraName(d.deps.Infra)
		if name == "" {
			return nil, errors.New("unable to generate a GCS bucket name: the Infrastructure gives no infrastructure name")
		}
		// Generated names are random: a bucket created by a sync whose spec write was lost
		// (a conflict, a crash) would leak if a new name were drawn. Adopt our own first.
		own, err := d.findOwn(ctx, cl, eff.ProjectID, regstorage.GeneratedPrefix(name, "image-registry", eff.Region))
		if err != nil {
			c := status.Cond(regstorage.CondStorageExists, operatorv1.ConditionUnknown, ReasonUnknown, describeErr(err))
			return []operatorv1.OperatorCondition{c}, callFailed(err, "unable to list GCS buckets")
		}
		if own != "" {
			eff.Bucket, adopted = own, true
		} else {
			eff.Bucket = regstorage.GenerateName(d.rnd, name, "image-registry", eff.Region)
		}
	}
	attrs := &storage.BucketAttrs{Location: eff.Region, Labels: Labels(d.deps.Infra)}
	if eff.KeyID != "" {
		attrs.Encryption = &storage.BucketEncryption{DefaultKMSKeyName: eff.KeyID}
	}
	if adopted {
		// Nothing to create.
	} else if err := cl.Bucket(eff.Bucket).Create(ctx, eff.ProjectID, attrs); err != nil {
		c := status.Cond(regstorage.CondStorageExists, operatorv1.ConditionUnknown, ReasonUnknown, describeErr(err))
		if code := httpCode(err); code != 0 {
			c = status.Cond(regstorage.CondStorageExists, operatorv1.ConditionFalse, strconv.Itoa(code), describeErr(err))
		}
		// No generated name in the error: a new random name per attempt would change status
		// on every retry, and each status write wakes the controller past its backoff.
		what := "GCS bucket " + eff.Bucket
		if cfg.Spec.Storage.GCS.Bucket == "" {
			what = "a generated GCS bucket"
		}
		return append(conds[:0:0], c), callFailed(err, "unable to create %s", what)
	}
	if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = regstorage.Managed
	}
	*cfg.Spec.Storage.GCS = eff
	d.record(cfg)
	conds = []operatorv1.OperatorCondition{
		status.Cond(regstorage.CondStorageExists, operatorv1.ConditionTrue, ReasonCreated, MsgCreated),
		status.Cond(regstorage.CondStorageLabeled, operatorv1.ConditionTrue, ReasonLabeled, MsgLabeled(eff.Bucket)),
	}
	if eff.KeyID != "" {
		conds = append(conds, status.Cond(regstorage.CondStorageEncrypted, operatorv1.ConditionTrue, ReasonEncrypted, MsgEncrypted))
	}
	if g := gcpStatus(d.deps.Infra); g == nil || len(g.ResourceTags) == 0 {
		conds = append(conds, status.Cond(regstorage.CondStorageTagged, operatorv1.ConditionFalse, ReasonTagging, MsgNoTags))
	} else {
		conds = append(conds, status.Cond(regstorage.CondStorageTagged, operatorv1.ConditionFalse, ReasonTaggingFailed, MsgTagsNotSupported))
	}
	return conds, nil
}

// findOwn returns the bucket this cluster's operator generated earlier, if there is exactly
// one: its name starts with the generated prefix (the name before the random part) and it
// carries the kubernetes-io-cluster-<infraName>=owned label.
func (d *Driver) findOwn(ctx context.Context, cl *storage.Client, project, prefix string) (string, error) {
	owned := labelOwnedKeyPrefix + regstorage.InfraName(d.deps.Infra)
	it := cl.Buckets(ctx, project)
	it.Prefix = prefix
	var found []string
	for {
		b, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(b.Name, prefix) && len(b.Name) == regstorage.MaxNameLength && b.Labels[owned] == "owned" {
			found = append(found, b.Name)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return "", nil
}

// record writes status.storage: only GCS, as effective now.
//
// Implements STOR-008.
func (d *Driver) record(cfg *imageregistryv1.Config) {
	eff := Effective(*cfg.Spec.Storage.GCS, d.deps.Infra)
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{GCS: &eff, ManagementState: cfg.Status.Storage.ManagementState}
}

// Configure is STOR-GCS-02.
func (d *Driver) Configure(ctx context.Context, cfg *imageregistryv1.Config) (render.StorageConfig, error) {
	keyfile, err := d.keyfile(ctx)
	if err != nil {
		return render.StorageConfig{}, err
	}
	return StorageConfig(Effective(*cfg.Spec.Storage.GCS, d.deps.Infra), string(keyfile)), nil
}

// Remove is STOR-GCS-05 under STOR-COMMON-05: a Managed bucket with a name loses its objects,
// then itself.
//
// Implements STOR-004, STOR-005.
func (d *Driver) Remove(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	if cfg.Spec.Storage.ManagementState != regstorage.Managed || d.st == nil || d.st.GCS == nil || d.st.GCS.Bucket == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	bucket := d.st.GCS.Bucket
	cl, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	bh := cl.Bucket(bucket)
	it := bh.Objects(ctx, nil)
	for {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if errors.Is(err, storage.ErrBucketNotExist) {
			break
		}
		if err != nil {
			return nil, callFailed(err, "unable to list objects of GCS bucket %s", bucket)
		}
		if err := bh.Object(o.Name).Delete(ctx); err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
			return nil, callFailed(err, "unable to delete object %s of GCS bucket %s", o.Name, bucket)
		}
	}
	if err := bh.Delete(ctx); err != nil && !errors.Is(err, storage.ErrBucketNotExist) && httpCode(err) != 404 {
		return nil, callFailed(err, "unable to delete GCS bucket %s", bucket)
	}
	if cfg.Spec.Storage.GCS != nil && cfg.Spec.Storage.GCS.Bucket == bucket {
		cfg.Spec.Storage.GCS.Bucket = ""
	}
	return []operatorv1.OperatorCondition{status.Cond(regstorage.CondStorageExists, operatorv1.ConditionFalse, ReasonDeleted, MsgDeleted)}, nil
}
