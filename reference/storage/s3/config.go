// Package s3 is the reference operator's S3 storage driver (upstream-facts §2 STOR-S3-*,
// §3 CRED-*). This file holds the pure parts: the effective configuration, the bucket name,
// the registry env/volumes, the credentials file and the default bucket settings. s3.go does
// the I/O over aws-sdk-go-v2.
package s3

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

// Names from upstream (STOR-S3-02/04/05/12, CRED-02).
const (
	// CredentialsKey is the private-configuration secret key holding the AWS ini file.
	CredentialsKey = "credentials"
	// CredentialsMountPath is where the private-configuration secret is mounted.
	CredentialsMountPath = "/var/run/secrets/cloud"
	// CredentialsVolumeName is the volume (and secret) name of the mount.
	CredentialsVolumeName = render.PrivateConfigurationSecretName

	UserAccessKey = "REGISTRY_STORAGE_S3_ACCESSKEY"
	UserSecretKey = "REGISTRY_STORAGE_S3_SECRETKEY"

	// Minted secret keys (CRED-03).
	MintedCredentialsKey = "credentials"
	MintedAccessKeyID    = "aws_access_key_id"
	MintedSecretKey      = "aws_secret_access_key"

	// LifecycleRuleID is the ID of the abort-incomplete-multipart rule (STOR-S3-12).
	LifecycleRuleID = "cleanup-incomplete-multipart-registry-uploads"

	// TrustedCAKey is the required key of spec.storage.s3.trustedCA's config map (STOR-S3-06).
	TrustedCAKey = "ca-bundle.crt"
	// CloudConfigName / CloudConfigCAKey: the fallback CA bundle (STOR-S3-06).
	CloudConfigName  = "kube-cloud-config"
	CloudConfigCAKey = "ca-bundle.pem"
)

// Condition reasons and messages (STOR-S3-07..14, STOR-COMMON-03).
const (
	ReasonChanged         = "S3 Configuration Changed"
	MsgChanged            = "S3 storage is in an unknown state"
	ReasonExists          = "S3 Bucket Exists"
	MsgUserBucketExists   = "User supplied S3 bucket exists and is accessible"
	ReasonCreated         = "Creation Successful"
	MsgCreated            = "S3 bucket was successfully created"
	ReasonUnableToAccess  = "Unable to Access Bucket"
	ReasonUnknown         = "Unknown Error Occurred"
	ReasonPABlocked       = "Public Access Block Successful"
	MsgPABlocked          = "Public access to the S3 bucket and its contents have been successfully blocked."
	ReasonTagged          = "Tagging Successful"
	MsgTagged             = "Tags were successfully applied to the S3 bucket"
	ReasonEncrypted       = "Encryption Successful"
	ReasonCleanupEnabled  = "Enable Cleanup Successful"
	MsgCleanupEnabled     = "Default cleanup of incomplete multipart uploads after one (1) day was successfully enabled"
	ReasonDeleted         = "S3 Bucket Deleted"
	MsgDeleted            = "The S3 bucket has been removed."
	MsgDeletedNotExisting = "The S3 bucket did not exist."
)

// MsgEncrypted is the StorageEncrypted message for an algorithm ("AES256" or "aws:kms").
func MsgEncrypted(alg string) string {
	return fmt.Sprintf("Default %s encryption was successfully enabled on the S3 bucket", alg)
}

// MsgOwnedByOther is the "Unable to Access Bucket" message (STOR-S3-08).
//
// Implements S3-002.
func MsgOwnedByOther(bucket string) string {
	return fmt.Sprintf("The bucket %s exists, but is owned by another account", bucket)
}

// Effective is STOR-S3-01: when both region and regionEndpoint are unset, they come from the
// Infrastructure's platformStatus.aws (region, and the "s3" service endpoint, which also turns
// on virtual-hosted style). Everything else is the spec as given.
// Implements S3-001, S3-012.
func Effective(spec imageregistryv1.ImageRegistryConfigStorageS3, infra *configv1.Infrastructure) imageregistryv1.ImageRegistryConfigStorageS3 {
	out := *spec.DeepCopy()
	if out.Region != "" || out.RegionEndpoint != "" {
		return out
	}
	aws := awsStatus(infra)
	if aws == nil {
		return out
	}
	out.Region = aws.Region
	for _, ep := range aws.ServiceEndpoints {
		if ep.Name == "s3" && ep.URL != "" {
			out.RegionEndpoint = ep.URL
			out.VirtualHostedStyle = true
		}
	}
	return out
}

func awsStatus(infra *configv1.Infrastructure) *configv1.AWSPlatformStatus {
	if infra == nil || infra.Status.PlatformStatus == nil {
		return nil
	}
	return infra.Status.PlatformStatus.AWS
}

var dashes = regexp.MustCompile(`-+`)

// BucketName is STOR-COMMON-07 (GenerateDeterministicStorageName) for S3:
// "<infraName>-image-registry-<region>", runs of dashes collapsed, at most 62 characters, a
// trailing "-" replaced by "s", lowercased. No random part: the same cluster always asks for
// the same bucket, which is what lets a restarted operator adopt the bucket it created.
//
// Implements S3-002.
func BucketName(infraName, region string) string {
	name := strings.Join([]string{infraName, "image-registry", region}, "-")
	name = dashes.ReplaceAllString(name, "-")
	if len(name) > 62 {
		name = name[:62]
	}
	if strings.HasSuffix(name, "-") {
		name = name[:len(name)-1] + "s"
	}
	return strings.ToLower(name)
}

// Tags are the bucket tags of STOR-S3-10: kubernetes.io/cluster/<infraName>=owned,
// Name=<infraName>-image-registry, plus the Infrastructure's AWS resourceTags.
//
// Implements S3-005.
func Tags(infra *configv1.Infrastructure) map[string]string {
	name := storage.InfraName(infra)
	tags := map[string]string{
		"kubernetes.io/cluster/" + name: "owned",
		"Name":                          name + "-image-registry",
	}
	if aws := awsStatus(infra); aws != nil {
		for _, t := range aws.ResourceTags {
			if t.Key == "" {
				continue
			}
			tags[t.Key] = t.Value
		}
	}
	return tags
}

// SortedKeys returns m's keys in order (stable requests and tests).
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// EncryptionAlgorithm is STOR-S3-11: aws:kms when a keyID is set, else AES256.
//
// Implements S3-003.
func EncryptionAlgorithm(c imageregistryv1.ImageRegistryConfigStorageS3) string {
	if c.KeyID != "" {
		return "aws:kms"
	}
	return "AES256"
}

// CredentialsFile is the AWS shared-credentials file the registry reads (STOR-S3-05).
//
// Implements CRED-004.
func CredentialsFile(accessKey, secretKey string) string {
	return fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", accessKey, secretKey)
}

// ParseCredentialsFile reads the static keys of the [default] profile (or the only profile)
// of an AWS shared-credentials file. ok is false when the file has no static keys (e.g. an
// STS web-identity profile), which the reference operator cannot use itself.
func ParseCredentialsFile(file string) (accessKey, secretKey string, ok bool) {
	profiles := map[string]map[string]string{}
	section := "default"
	for _, line := range strings.Split(file, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(strings.TrimPrefix(line[1:len(line)-1], "profile "))
			continue
		}
		k, v, found := strings.Cut(line, "=")
		if !found {
			continue
		}
		if profiles[section] == nil {
			profiles[section] = map[string]string{}
		}
		profiles[section][strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	p := profiles["default"]
	if p == nil && len(profiles) == 1 {
		for _, only := range profiles {
			p = only
		}
	}
	accessKey, secretKey = p[MintedAccessKeyID], p[MintedSecretKey]
	return accessKey, secretKey, accessKey != "" && secretKey != ""
}

// The AWS SDK's partitions without a dual-stack S3 endpoint (the US and EU isolated
// regions): the SDK resolves none there. A valid region that matches no partition falls
// back to the standard partition, which has one.
var noDualStackPartition = regexp.MustCompile(`^(us-iso|us-isob|us-isof|eu-isoe)-\w+-\d+$`)

// validRegion is the SDK's check of a region identifier before it resolves an endpoint.
var validRegion = regexp.MustCompile(`^[[:alnum:]]([[:alnum:]\-]*[[:alnum:]])?$`)

// DualStack tells whether the registry is told to use S3's dual-stack endpoints: always with
// a regionEndpoint, else when the AWS SDK resolves a dual-stack S3 endpoint for the region
// (not for an empty region, nor in the isolated partitions). A region the SDK refuses is an
// error.
// Implements S3-013.
func DualStack(c imageregistryv1.ImageRegistryConfigStorageS3) (bool, error) {
	switch {
	case c.RegionEndpoint != "":
		return true, nil
	case c.Region == "":
		return false, nil
	case !validRegion.MatchString(c.Region):
		return false, fmt.Errorf("failed to determine if region %s has dual stack S3: invalid region identifier format provided", c.Region)
	}
	return !noDualStackPartition.MatchString(c.Region), nil
}

// Env is STOR-S3-02: the registry's storage env for the effective config c, in upstream order.
// Values are YAML-encoded by the renderer (bool → "true"), like upstream's envvar package.
// REGISTRY_STORAGE_S3_CHUNKSIZE is chunkSizeMiB in bytes, only for 4 < chunkSizeMiB < 5121;
// REGISTRY_STORAGE_S3_FORCEPATHSTYLE is !virtualHostedStyle (there is no VIRTUALHOSTEDSTYLE env).
// Implements S3-011, S3-012, S3-008.
func Env(c imageregistryv1.ImageRegistryConfigStorageS3) ([]render.EnvVar, error) {
	env := []render.EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "s3"},
		{Name: "REGISTRY_STORAGE_S3_BUCKET", Value: c.Bucket},
		{Name: "REGISTRY_STORAGE_S3_REGION", Value: c.Region},
	}
	if c.RegionEndpoint != "" {
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_S3_REGIONENDPOINT", Value: c.RegionEndpoint})
	}
	if c.ChunkSizeMiB > 4 && c.ChunkSizeMiB < 5121 {
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_S3_CHUNKSIZE", Value: int64(c.ChunkSizeMiB) * 1024 * 1024})
	}
	env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_S3_ENCRYPT", Value: c.Encrypt})
	if c.KeyID != "" {
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_S3_KEYID", Value: c.KeyID})
	}
	env = append(env,
		render.EnvVar{Name: "REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", Value: CredentialsMountPath + "/" + CredentialsKey},
		render.EnvVar{Name: "REGISTRY_STORAGE_S3_FORCEPATHSTYLE", Value: !c.VirtualHostedStyle},
	)
	dual, err := DualStack(c)
	if err != nil {
		return nil, err
	}
	if dual {
		env = append(env, render.EnvVar{Name: "REGISTRY_STORAGE_S3_USEDUALSTACK", Value: true})
	}
	if cf := c.CloudFront; cf != nil {
		env = append(env, render.EnvVar{Name: "REGISTRY_MIDDLEWARE_STORAGE", Value: cloudFrontMiddleware(cf)})
	}
	return env, nil
}

// cloudFrontOptions and middleware give REGISTRY_MIDDLEWARE_STORAGE its upstream key order
// (the env value is YAML, keys in field order).
type cloudFrontOptions struct {
	BaseURL      string `yaml:"baseurl"`
	PrivateKey   string `yaml:"privatekey"`
	KeypairID    string `yaml:"keypairid"`
	Duration     string `yaml:"duration"`
	IPFilteredBy string `yaml:"ipfilteredby"`
}

type middleware struct {
	Name    string            `yaml:"name"`
	Options cloudFrontOptions `yaml:"options"`
}

// cloudFrontMiddleware is STOR-S3-03's REGISTRY_MIDDLEWARE_STORAGE value: the cloudfront
// storage middleware, the private key mounted at /etc/docker/cloudfront/private.pem, URLs
// valid 1200s unless spec.storage.s3.cloudFront.duration says otherwise, no IP filtering.
// Implements S3-010.
func cloudFrontMiddleware(cf *imageregistryv1.ImageRegistryConfigStorageS3CloudFront) []middleware {
	duration := "1200s"
	if cf.Duration.Duration != 0 {
		duration = cf.Duration.Duration.String()
	}
	return []middleware{{
		Name: "cloudfront",
		Options: cloudFrontOptions{
			BaseURL:      cf.BaseURL,
			PrivateKey:   "/etc/docker/cloudfront/private.pem",
			KeypairID:    cf.KeypairID,
			Duration:     duration,
			IPFilteredBy: "none",
		},
	}}
}

// Volumes is STOR-S3-04 (and STOR-S3-03 for CloudFront): the private-configuration secret,
// read-only at /var/run/secrets/cloud.
//
// Implements S3-008.
func Volumes(c imageregistryv1.ImageRegistryConfigStorageS3) ([]corev1.Volume, []corev1.VolumeMount) {
	optional := false
	vols := []corev1.Volume{{
		Name: CredentialsVolumeName,
		VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: render.PrivateConfigurationSecretName, Optional: &optional,
		}},
	}}
	mounts := []corev1.VolumeMount{{Name: CredentialsVolumeName, MountPath: CredentialsMountPath, ReadOnly: true}}
	if cf := c.CloudFront; cf != nil {
		vols = append(vols, corev1.Volume{
			Name: "registry-cloudfront",
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: cf.PrivateKey.Name,
				Items:      []corev1.KeyToPath{{Key: cf.PrivateKey.Key, Path: "private.pem"}},
				Optional:   &optional,
			}},
		})
		mounts = append(mounts, corev1.VolumeMount{Name: "registry-cloudfront", MountPath: "/etc/docker/cloudfront", ReadOnly: true})
	}
	return vols, mounts
}

// StorageConfig is what the registry Deployment needs for the effective config c and the
// credentials file.
func StorageConfig(c imageregistryv1.ImageRegistryConfigStorageS3, credentialsFile string) (render.StorageConfig, error) {
	env, err := Env(c)
	if err != nil {
		return render.StorageConfig{}, err
	}
	vols, mounts := Volumes(c)
	return render.StorageConfig{
		Kind:       render.StorageS3,
		Env:        env,
		Volumes:    vols,
		Mounts:     mounts,
		SecretData: map[string]string{CredentialsKey: credentialsFile},
	}, nil
}
