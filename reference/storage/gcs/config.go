// Package gcs is the reference operator's Google Cloud Storage driver (upstream-facts §2
// STOR-GCS-*, §3 CRED-*). This file holds the pure parts (effective config, generated bucket
// name, labels, env/volumes); gcs.go does the I/O over cloud.google.com/go/storage.
package gcs

import (
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/irconform/irconform/reference/render"
	regstorage "github.com/irconform/irconform/reference/storage"
)

// Names from upstream (STOR-GCS-01/02, CRED-02/03).
const (
	// KeyfileKey is the user-secret key and the private-configuration key of the keyfile.
	KeyfileKey = "REGISTRY_STORAGE_GCS_KEYFILE"
	// MintedKeyfileKey is the keyfile's key in installer-cloud-credentials.
	MintedKeyfileKey = "service_account.json"
	KeyfileVolume    = "registry-storage-keyfile"
	KeyfileMountPath = "/gcs"
	KeyfilePath      = KeyfileMountPath + "/keyfile"
)

// Condition reasons and messages (STOR-GCS-03..05, STOR-COMMON-03).
const (
	ReasonChanged       = "GCS Configuration Changed"
	MsgChanged          = "GCS storage is in an unknown state"
	ReasonExists        = "GCS Bucket Exists"
	MsgUserBucketExists = "User supplied GCS bucket exists and is accessible"
	ReasonNotExist      = "Bucket does not exist"
	ReasonCreated       = "Creation Successful"
	MsgCreated          = "GCS bucket was successfully created"
	ReasonLabeled       = "Bucket Labeled Successfully"
	ReasonEncrypted     = "Encryption Successful"
	MsgEncrypted        = "KMS encryption was successfully enabled on the GCS bucket"
	ReasonTagging       = "SuccessTaggingBucket"
	MsgNoTags           = "user did not define any tags"
	ReasonTaggingFailed = "ErrorTaggingBucket"
	ReasonUnknown       = "Unknown Error Occurred"
	ReasonDeleted       = "GCS Bucket Deleted"
	MsgDeleted          = "The GCS bucket has been removed."
	MsgTagsNotSupported = "resource manager tags are not applied by the reference operator"
	labelOwnedKeyPrefix = "kubernetes-io-cluster-"
)

// MsgLabeled is the StorageLabeled message.
func MsgLabeled(bucket string) string {
	return "Successfully added user-defined labels to " + bucket + " storage bucket"
}

func gcpStatus(infra *configv1.Infrastructure) *configv1.GCPPlatformStatus {
	if infra == nil || infra.Status.PlatformStatus == nil {
		return nil
	}
	return infra.Status.PlatformStatus.GCP
}

// Effective is STOR-GCS-01: region and projectID from platformStatus.gcp when the spec leaves
// them empty.
//
// Implements GCS-001.
func Effective(spec imageregistryv1.ImageRegistryConfigStorageGCS, infra *configv1.Infrastructure) imageregistryv1.ImageRegistryConfigStorageGCS {
	out := spec
	if g := gcpStatus(infra); g != nil {
		if out.Region == "" {
			out.Region = g.Region
		}
		if out.ProjectID == "" {
			out.ProjectID = g.ProjectID
		}
	}
	return out
}

// Labels are STOR-GCS-03's bucket labels: kubernetes-io-cluster-<infraName>=owned plus the
// Infrastructure's GCP resourceLabels.
//
// Implements GCS-001.
func Labels(infra *configv1.Infrastructure) map[string]string {
	labels := map[string]string{labelOwnedKeyPrefix + regstorage.InfraName(infra): "owned"}
	if g := gcpStatus(infra); g != nil {
		for _, l := range g.ResourceLabels {
			if l.Key != "" {
				labels[l.Key] = l.Value
			}
		}
	}
	return labels
}

// StorageConfig is STOR-GCS-02: env, the keyfile volume and the private-secret keyfile.
//
// Implements GCS-002, CRED-004.
func StorageConfig(c imageregistryv1.ImageRegistryConfigStorageGCS, keyfile string) render.StorageConfig {
	return render.StorageConfig{
		Kind: render.StorageGCS,
		Env: []render.EnvVar{
			{Name: "REGISTRY_STORAGE", Value: "gcs"},
			{Name: "REGISTRY_STORAGE_GCS_BUCKET", Value: c.Bucket},
			{Name: "REGISTRY_STORAGE_GCS_KEYFILE", Value: KeyfilePath},
		},
		Volumes: []corev1.Volume{{
			Name: KeyfileVolume,
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: render.PrivateConfigurationSecretName,
				Items:      []corev1.KeyToPath{{Key: KeyfileKey, Path: "keyfile"}},
			}},
		}},
		Mounts:     []corev1.VolumeMount{{Name: KeyfileVolume, MountPath: KeyfileMountPath, ReadOnly: true}},
		SecretData: map[string]string{KeyfileKey: keyfile},
	}
}
