package render

import (
	corev1 "k8s.io/api/core/v1"
)

// Storage kinds.
const (
	StorageS3       = "s3"
	StorageAzure    = "azure"
	StorageGCS      = "gcs"
	StorageSwift    = "swift"
	StoragePVC      = "pvc"
	StorageEmptyDir = "emptydir"
	StorageIBMCOS   = "ibmcos"
)

// StorageConfig is what a storage driver contributes (drivers live in
// reference/storage and import this).
type StorageConfig struct {
	Kind    string // "s3","azure","gcs","swift","pvc","emptydir"
	Env     []EnvVar
	Volumes []corev1.Volume
	Mounts  []corev1.VolumeMount
	// SecretData holds extra keys for image-registry-private-configuration
	// (e.g. "credentials"); stored verbatim.
	SecretData map[string]string
	// ForceRecreate forces the Recreate rollout strategy (PVC).
	ForceRecreate bool
}

func filesystemEnv() []EnvVar {
	return []EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "filesystem"},
		{Name: "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", Value: RegistryStorageRootDirectory},
	}
}

// EmptyDirStorage is STOR-EMPTY-01: filesystem at /registry on an emptyDir
// volume "registry-storage".
//
// Implements EMPTY-001.
func EmptyDirStorage() StorageConfig {
	return StorageConfig{
		Kind: StorageEmptyDir,
		Env:  filesystemEnv(),
		Volumes: []corev1.Volume{{
			Name:         RegistryStorageVolumeName,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
		}},
		Mounts: []corev1.VolumeMount{{Name: RegistryStorageVolumeName, MountPath: RegistryStorageRootDirectory}},
	}
}

// PVCStorage is STOR-PVC-01: filesystem at /registry on the claim, mounted as
// volume "registry-storage"; forces the Recreate strategy (PVC-005). An empty
// claim means the operator's default claim "image-registry-storage".
//
// Implements PVC-005.
func PVCStorage(claim string) StorageConfig {
	if claim == "" {
		claim = DefaultPVCName
	}
	return StorageConfig{
		Kind: StoragePVC,
		Env:  filesystemEnv(),
		Volumes: []corev1.Volume{{
			Name: RegistryStorageVolumeName,
			VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
				ClaimName: claim,
			}},
		}},
		Mounts:        []corev1.VolumeMount{{Name: RegistryStorageVolumeName, MountPath: RegistryStorageRootDirectory}},
		ForceRecreate: true,
	}
}
