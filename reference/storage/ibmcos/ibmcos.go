package ibmcos

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/ibm-cos-sdk-go/aws"
	"github.com/IBM/ibm-cos-sdk-go/aws/awserr"
	"github.com/IBM/ibm-cos-sdk-go/aws/request"
	"github.com/IBM/ibm-cos-sdk-go/service/s3"
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

// EndpointOverrideKey is the key of storage.Deps.Endpoints that reroutes every IBM Cloud
// call (IAM, Resource Controller/Manager, COS) to one base URL.
const EndpointOverrideKey = "ibmcos"

// syncTimeout bounds one Sync/Configure/Remove; the controller retries with backoff.
const syncTimeout = 45 * time.Second

// Driver is the IBM COS backend.
type Driver struct {
	deps storage.Deps
	// st is the storage the driver was built from: the spec on Sync/Configure, the recorded
	// status on Remove.
	st *imageregistryv1.ImageRegistryConfigStorage
	// cl is kept from Sync to Configure within one reconcile (one IAM exchange).
	cl *cloud
}

// New is the storage.Factory for "ibmcos".
func New(deps storage.Deps, st *imageregistryv1.ImageRegistryConfigStorage) storage.Driver {
	return &Driver{deps: deps, st: st}
}

func (*Driver) Kind() string { return "IBMCOS" }

func cond(s operatorv1.ConditionStatus, reason, msg string) operatorv1.OperatorCondition {
	return status.Cond(storage.CondStorageExists, s, reason, msg)
}

// apiKey is the IAM API key: key REGISTRY_STORAGE_IBMCOS_IAMAPIKEY of the user secret when
// that secret exists, else key ibmcloud_api_key of the minted secret.
//
// Implements IBMCOS-002.
func (d *Driver) apiKey(ctx context.Context) (string, error) {
	c := d.deps.Client
	var user corev1.Secret
	err := c.Get(ctx, types.NamespacedName{Namespace: storage.Namespace, Name: storage.UserSecretName}, &user)
	switch {
	case err == nil:
		v, ok := user.Data[UserAPIKeyKey]
		if !ok {
			return "", fmt.Errorf("secret %q does not contain required key %q", storage.Namespace+"/"+storage.UserSecretName, UserAPIKeyKey)
		}
		return string(v), nil
	case !apierrors.IsNotFound(err):
		return "", fmt.Errorf("unable to get user provided secret %q: %w", storage.Namespace+"/"+storage.UserSecretName, err)
	}
	var minted corev1.Secret
	if err := c.Get(ctx, types.NamespacedName{Namespace: storage.Namespace, Name: storage.ClusterCredentialsName}, &minted); err != nil {
		return "", fmt.Errorf("unable to get cluster minted credentials %q: %w", storage.Namespace+"/"+storage.ClusterCredentialsName, err)
	}
	v, ok := minted.Data[MintedAPIKeyKey]
	if !ok {
		return "", fmt.Errorf("secret %q does not contain required key %q", storage.Namespace+"/"+storage.ClusterCredentialsName, MintedAPIKeyKey)
	}
	return string(v), nil
}

// cloud returns this reconcile's IBM Cloud clients for location.
//
// Implements IBMCOS-010.
func (d *Driver) cloud(ctx context.Context, p Platform, location string) (*cloud, error) {
	if d.cl != nil && d.cl.location == location {
		return d.cl, nil
	}
	key, err := d.apiKey(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := newCloud(key, p, location, d.deps.Endpoints[EndpointOverrideKey])
	if err != nil {
		return nil, err
	}
	d.cl = cl
	return cl, nil
}

func awsCode(err error) string {
	var ae awserr.Error
	if errors.As(err, &ae) {
		return ae.Code()
	}
	return ""
}

// describeErr renders a COS error without request IDs, so a repeated failure does not
// rewrite status.
func describeErr(err error) string {
	var ae awserr.Error
	if errors.As(err, &ae) {
		if ae.Message() != "" {
			return ae.Code() + ": " + ae.Message()
		}
		return ae.Code()
	}
	return err.Error()
}

// cosFailed wraps the failure of a COS call (the S3 API) with what was being done (format,
// args): its text stable across retries (describeErr), its reason COS's error code.
func cosFailed(err error, format string, args ...any) error {
	return storage.Failed(err, awsCode(err), describeErr(err), format, args...)
}

// platformFailed wraps the failure of an IBM Cloud platform call (Resource Controller,
// Resource Manager) in upstream's words, "<what>: <error> with resp code: <code>"; its reason
// is the HTTP status ("" when there was no answer).
func platformFailed(err error, code int, what string) error {
	return &storage.StorageError{Reason: httpReason(code), Message: fmt.Sprintf("%s: %v with resp code: %d", what, err, code), Err: err}
}

func httpReason(code int) string {
	if code == 0 {
		return ""
	}
	return strconv.Itoa(code)
}

func missingBucket(code string) bool {
	return code == s3.ErrCodeNoSuchBucket || code == "Forbidden" || code == "NotFound"
}

func headBucket(ctx context.Context, cl *cloud, instanceCRN, bucket string) error {
	c, err := cl.cosClient(instanceCRN)
	if err != nil {
		return err
	}
	_, err = c.HeadBucketWithContext(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	return err
}

// Sync creates or adopts the storage: a COS service instance, a resource key with HMAC
// credentials, and a bucket, as upstream does, recording each in spec.storage.ibmcos.
//
// Implements IBMCOS-006, STOR-001, STOR-006.
func (d *Driver) Sync(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	if cfg.Spec.Storage.IBMCOS == nil {
		cfg.Spec.Storage.IBMCOS = &imageregistryv1.ImageRegistryConfigStorageIBMCOS{}
	}
	p, err := PlatformFacts(d.deps.Infra)
	if err != nil {
		return nil, err
	}
	spec := cfg.Spec.Storage.IBMCOS
	changed := cfg.Status.Storage.IBMCOS == nil || !equality.Semantic.DeepEqual(*cfg.Status.Storage.IBMCOS, *spec)

	var conds []operatorv1.OperatorCondition
	if changed {
		conds = []operatorv1.OperatorCondition{cond(operatorv1.ConditionUnknown, ReasonChanged, MsgChanged)}
	} else if spec.Bucket != "" && spec.ServiceInstanceCRN != "" {
		// Steady state: the recorded bucket is checked, nothing else.
		cl, err := d.cloud(ctx, p, Effective(*spec, p).Location)
		if err != nil {
			return nil, err
		}
		err = headBucket(ctx, cl, spec.ServiceInstanceCRN, spec.Bucket)
		switch code := awsCode(err); {
		case err == nil:
			return []operatorv1.OperatorCondition{cond(operatorv1.ConditionTrue, ReasonBucketExists, "")}, nil
		case missingBucket(code):
			conds = []operatorv1.OperatorCondition{cond(operatorv1.ConditionFalse, code, describeErr(err))}
		default:
			return []operatorv1.OperatorCondition{cond(operatorv1.ConditionUnknown, ReasonUnknown, describeErr(err))},
				cosFailed(err, "unable to check IBM COS bucket %s", spec.Bucket)
		}
	}
	c, err := d.create(ctx, cfg, p)
	if c != nil {
		conds = []operatorv1.OperatorCondition{*c}
	}
	return conds, err
}

// create is upstream's CreateStorage. It returns the last StorageExists it reached (nil if
// none) and the error that stopped it.
//
// Implements IBMCOS-003, IBMCOS-004, IBMCOS-005, IBMCOS-009.
func (d *Driver) create(ctx context.Context, cfg *imageregistryv1.Config, p Platform) (*operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.IBMCOS
	// The cluster's location and resource group win where it gives them.
	if p.Location != "" {
		spec.Location = p.Location
	}
	if p.ResourceGroup != "" {
		spec.ResourceGroupName = p.ResourceGroup
	}
	cl, err := d.cloud(ctx, p, spec.Location)
	if err != nil {
		return nil, err
	}
	var last *operatorv1.OperatorCondition
	set := func(s operatorv1.ConditionStatus, reason, msg string) {
		c := cond(s, reason, msg)
		last = &c
	}

	if spec.ServiceInstanceCRN != "" {
		in, code, err := cl.getInstance(ctx, spec.ServiceInstanceCRN)
		if err != nil {
			return last, platformFailed(err, code, "unable to get resource instance")
		}
		switch in.State {
		case "active":
			if in.ResourceGroupID != "" {
				rg, code, err := cl.getResourceGroup(ctx, in.ResourceGroupID)
				if err != nil {
					return last, platformFailed(err, code, "unable to get resource group")
				}
				spec.ResourceGroupName = rg.Name
			}
			set(operatorv1.ConditionFalse, ReasonInstanceActive, MsgInstanceActive)
		case "provisioning":
			set(operatorv1.ConditionFalse, ReasonInstanceProvision, MsgInstanceProvision)
			return last, errors.New(MsgWaitingProvisioning)
		default:
			spec.ServiceInstanceCRN = ""
			set(operatorv1.ConditionFalse, ReasonInstanceGone, MsgInstanceGone)
		}
	}

	if spec.ServiceInstanceCRN == "" {
		account, err := cl.accountID()
		if err != nil {
			return last, storage.Failed(err, "", err.Error(), "unable to determine account ID")
		}
		groups, code, err := cl.listResourceGroups(ctx, account, spec.ResourceGroupName)
		if err != nil {
			return last, platformFailed(err, code, "unable to get resource groups")
		}
		if len(groups) == 0 {
			return last, &storage.StorageError{Reason: httpReason(code), Message: fmt.Sprintf("unable to find any resource groups with resp code: %d", code)}
		}
		name := ResourceName(p.InfraName)
		found, code, err := cl.listInstances(ctx, name, groups[0].ID, StandardPlanID)
		if err != nil {
			return last, platformFailed(err, code, "unable to get resource instances")
		}
		var in instance
		if len(found) > 0 {
			in = found[0]
		} else {
			// Upstream also sets managementState Managed here, when it had to create the
			// instance, even for a user's existing bucket, which Removed would then delete.
			// The reference decides by the bucket alone (STOR-006: a user's bucket is
			// Unmanaged), so that it never deletes storage it did not create.
			in, code, err = cl.createInstance(ctx, name, groups[0].ID, []string{OwnedTag(p.InfraName)})
			if err != nil {
				return last, platformFailed(err, code, "unable to create resource instance")
			}
		}
		spec.ServiceInstanceCRN = in.CRN
		set(operatorv1.ConditionFalse, ReasonInstanceCreated, MsgInstanceCreated)
	}

	keyChecked := false
	if spec.ResourceKeyCRN == "" {
		// A key of ours for this instance may exist already (a sync whose spec write was
		// lost made it): reuse it rather than mint a second one. Upstream does not look.
		keys, code, err := cl.listKeys(ctx, ResourceName(p.InfraName))
		if err != nil {
			return last, platformFailed(err, code, "unable to list resource keys")
		}
		for _, k := range keys {
			if validKey(k, spec.ServiceInstanceCRN) == nil {
				spec.ResourceKeyCRN, keyChecked = k.CRN, true
				set(operatorv1.ConditionFalse, ReasonKeyValid, MsgKeyValid)
				break
			}
		}
	}
	switch {
	case spec.ResourceKeyCRN == "":
		key, code, err := cl.createKey(ctx, ResourceName(p.InfraName), spec.ServiceInstanceCRN)
		if err != nil {
			return last, platformFailed(err, code, "unable to create resource key for service instance")
		}
		spec.ResourceKeyCRN = key.CRN
		set(operatorv1.ConditionFalse, ReasonKeyCreated, MsgKeyCreated)
	case !keyChecked:
		key, code, err := cl.getKey(ctx, spec.ResourceKeyCRN)
		if err != nil {
			return last, platformFailed(err, code, "unable to get resource key for service instance")
		}
		if err := validKey(key, spec.ServiceInstanceCRN); err != nil {
			return last, err
		}
		set(operatorv1.ConditionFalse, ReasonKeyValid, MsgKeyValid)
	}

	exists := false
	if spec.Bucket != "" {
		err := headBucket(ctx, cl, spec.ServiceInstanceCRN, spec.Bucket)
		switch code := awsCode(err); {
		case err == nil:
			exists = true
		case missingBucket(code):
			// Missing (or not visible to us): it is created below.
			set(operatorv1.ConditionFalse, code, describeErr(err))
		default:
			set(operatorv1.ConditionUnknown, ReasonUnknown, describeErr(err))
			return last, cosFailed(err, "unable to check IBM COS bucket %s", spec.Bucket)
		}
	}
	if exists {
		if cfg.Spec.Storage.ManagementState == "" {
			cfg.Spec.Storage.ManagementState = storage.Unmanaged
		}
		d.record(cfg)
		set(operatorv1.ConditionTrue, ReasonBucketExists, MsgUserBucketExists)
		return last, nil
	}
	c, err := cl.cosClient(spec.ServiceInstanceCRN)
	if err != nil {
		return last, err
	}
	if spec.Bucket == "" {
		// Generated names are random: a bucket of ours that a lost spec write forgot is
		// found by its prefix among the instance's buckets, and adopted.
		name, err := ownBucket(ctx, c, spec.ServiceInstanceCRN, p.InfraName, spec.Location)
		if err != nil {
			return last, err
		}
		if name != "" {
			spec.Bucket = name
			if cfg.Spec.Storage.ManagementState == "" {
				cfg.Spec.Storage.ManagementState = storage.Managed
			}
			d.record(cfg)
			set(operatorv1.ConditionTrue, ReasonCreated, MsgCreated)
			return last, nil
		}
		spec.Bucket = storage.GenerateName(nil, p.InfraName, "image-registry", spec.Location)
	}
	_, err = c.CreateBucketWithContext(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(spec.Bucket),
		CreateBucketConfiguration: &s3.CreateBucketConfiguration{LocationConstraint: aws.String(LocationConstraint(spec.Location))},
	})
	if err != nil {
		if code := awsCode(err); code != "" {
			set(operatorv1.ConditionFalse, code, describeErr(err))
		}
		return last, cosFailed(err, "unable to create IBM COS bucket %s", spec.Bucket)
	}
	if err := c.WaitUntilBucketExistsWithContext(ctx, &s3.HeadBucketInput{Bucket: aws.String(spec.Bucket)},
		request.WithWaiterDelay(request.ConstantWaiterDelay(200*time.Millisecond)), request.WithWaiterMaxAttempts(10)); err != nil {
		if code := awsCode(err); code != "" {
			set(operatorv1.ConditionFalse, code, describeErr(err))
		}
		return last, cosFailed(err, "waiting for IBM COS bucket %s", spec.Bucket)
	}
	if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = storage.Managed
	}
	d.record(cfg)
	set(operatorv1.ConditionTrue, ReasonCreated, MsgCreated)
	return last, nil
}

// ownBucket returns a bucket of the instance whose name is one the operator generates for
// this cluster and location ("" if none).
func ownBucket(ctx context.Context, c *s3.S3, instanceCRN, infraName, location string) (string, error) {
	out, err := c.ListBucketsWithContext(ctx, &s3.ListBucketsInput{IBMServiceInstanceId: aws.String(instanceCRN)})
	if err != nil {
		return "", cosFailed(err, "unable to list the buckets of IBM COS service instance")
	}
	prefix := storage.GeneratedPrefix(infraName, "image-registry", location)
	for _, b := range out.Buckets {
		if n := aws.StringValue(b.Name); strings.HasPrefix(n, prefix) && len(n) == storage.MaxNameLength {
			return n, nil
		}
	}
	return "", nil
}

// validKey checks a user-supplied resource key: it belongs to the instance, carries HMAC
// credentials and a Writer or Manager role.
func validKey(k resourceKey, instanceCRN string) error {
	if k.SourceCRN != instanceCRN {
		return errors.New(MsgKeyNotForInstance)
	}
	if k.Credentials == nil {
		return errors.New(MsgKeyWithoutCredentials)
	}
	if k.Credentials.HMAC == nil {
		return errors.New(MsgKeyWithoutHMAC)
	}
	if k.Credentials.IAMRoleCRN != WriterRole && k.Credentials.IAMRoleCRN != ManagerRole {
		return errors.New(MsgKeyBadRole)
	}
	return nil
}

// record writes status.storage: only IBM COS, as in spec now.
func (d *Driver) record(cfg *imageregistryv1.Config) {
	c := *cfg.Spec.Storage.IBMCOS
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{IBMCOS: &c, ManagementState: cfg.Status.Storage.ManagementState}
}

// Configure is the registry's part; the credentials file holds the HMAC keys of the
// resource key, read from the Resource Controller.
//
// Implements IBMCOS-001, IBMCOS-004.
func (d *Driver) Configure(ctx context.Context, cfg *imageregistryv1.Config) (render.StorageConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	p, err := PlatformFacts(d.deps.Infra)
	if err != nil {
		return render.StorageConfig{}, err
	}
	eff := Effective(*cfg.Spec.Storage.IBMCOS, p)
	if eff.ResourceKeyCRN == "" {
		return render.StorageConfig{}, errors.New(MsgResourceKeyNotSet)
	}
	cl, err := d.cloud(ctx, p, eff.Location)
	if err != nil {
		return render.StorageConfig{}, err
	}
	key, code, err := cl.getKey(ctx, eff.ResourceKeyCRN)
	if err != nil {
		return render.StorageConfig{}, platformFailed(err, code, "unable to get resource key for service instance")
	}
	switch {
	case key.Credentials == nil:
		return render.StorageConfig{}, errors.New(MsgKeyWithoutCredentials)
	case key.Credentials.HMAC == nil:
		return render.StorageConfig{}, errors.New(MsgKeyWithoutHMAC)
	case key.Credentials.HMAC.AccessKeyID == "" || key.Credentials.HMAC.SecretAccessKey == "":
		return render.StorageConfig{}, errors.New("unknown error occurred setting HMAC credentials")
	}
	return StorageConfig(eff, p, CredentialsFile(key.Credentials.HMAC.AccessKeyID, key.Credentials.HMAC.SecretAccessKey)), nil
}

// Remove deletes a Managed bucket (objects first). The service instance and the resource
// key stay: upstream never deletes them.
//
// Implements IBMCOS-007, STOR-004, STOR-005.
func (d *Driver) Remove(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	if cfg.Spec.Storage.ManagementState != storage.Managed || d.st == nil || d.st.IBMCOS == nil ||
		d.st.IBMCOS.Bucket == "" || d.st.IBMCOS.ServiceInstanceCRN == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	rec := *d.st.IBMCOS
	p, err := PlatformFacts(d.deps.Infra)
	if err != nil {
		return nil, err
	}
	cl, err := d.cloud(ctx, p, Effective(rec, p).Location)
	if err != nil {
		return nil, err
	}
	c, err := cl.cosClient(rec.ServiceInstanceCRN)
	if err != nil {
		return nil, err
	}
	gone := func(msg string) []operatorv1.OperatorCondition {
		if cfg.Spec.Storage.IBMCOS != nil && cfg.Spec.Storage.IBMCOS.Bucket == rec.Bucket {
			cfg.Spec.Storage.IBMCOS.Bucket = ""
		}
		return []operatorv1.OperatorCondition{cond(operatorv1.ConditionFalse, ReasonDeleted, msg)}
	}
	b := aws.String(rec.Bucket)
	var listErr error
	err = c.ListObjectsV2PagesWithContext(ctx, &s3.ListObjectsV2Input{Bucket: b}, func(page *s3.ListObjectsV2Output, _ bool) bool {
		if len(page.Contents) == 0 {
			return true
		}
		ids := make([]*s3.ObjectIdentifier, 0, len(page.Contents))
		for _, o := range page.Contents {
			ids = append(ids, &s3.ObjectIdentifier{Key: o.Key})
		}
		_, listErr = c.DeleteObjectsWithContext(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &s3.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		return listErr == nil
	})
	if awsCode(err) == s3.ErrCodeNoSuchBucket {
		return gone(MsgDeletedNotExisting), nil
	}
	if err == nil {
		err = listErr
	}
	if err != nil {
		return nil, cosFailed(err, "unable to empty IBM COS bucket %s", rec.Bucket)
	}
	_, err = c.DeleteBucketWithContext(ctx, &s3.DeleteBucketInput{Bucket: b})
	switch {
	case awsCode(err) == s3.ErrCodeNoSuchBucket:
		return gone(MsgDeletedNotExisting), nil
	case err != nil:
		reason := awsCode(err)
		if reason == "" {
			reason = ReasonUnknown
		}
		return []operatorv1.OperatorCondition{cond(operatorv1.ConditionUnknown, reason, describeErr(err))},
			cosFailed(err, "unable to delete IBM COS bucket %s", rec.Bucket)
	}
	return gone(MsgDeleted), nil
}
