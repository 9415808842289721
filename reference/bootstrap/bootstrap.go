// Package bootstrap decides the default image registry Config from what the cluster shows
// (the Infrastructure object). It is pure: the caller reads the cluster and writes the result.
package bootstrap

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/irconform/irconform/reference/render"
)

// Names fixed by the upstream operator.
const (
	ConfigName = "cluster"
	Finalizer  = "imageregistry.operator.openshift.io/finalizer"
	// DefaultPVCClaim is the claim name used when the platform's default storage is a PVC.
	DefaultPVCClaim = "image-registry-storage"
)

// Facts are what the bootstrap decision depends on besides the Infrastructure.
type Facts struct {
	// SwiftAvailable: on OpenStack, whether the Keystone catalog has an object-store
	// endpoint (the caller probes it).
	SwiftAvailable bool
	// APIServer is apiservers.config.openshift.io/cluster (nil when absent): its TLS security
	// profile is observed into spec.observedConfig from the start, so the registry does not
	// restart once the observer runs (TLS-002).
	APIServer *configv1.APIServer
}

// PlatformStorage returns the default storage stanza and replica count for a platform.
// An empty stanza means the platform has no shareable object storage: the registry
// bootstraps as Removed.
//
// Implements BOOT-003, BOOT-004, BOOT-006, BOOT-007, SWIFT-004 (upstream BOOT-03, BOOT-04).
func PlatformStorage(infra *configv1.Infrastructure, facts Facts) (imageregistryv1.ImageRegistryConfigStorage, int32) {
	var st imageregistryv1.ImageRegistryConfigStorage
	replicas := int32(1)
	switch platformType(infra) {
	case configv1.BareMetalPlatformType, configv1.VSpherePlatformType, configv1.NonePlatformType,
		configv1.NutanixPlatformType, configv1.KubevirtPlatformType, configv1.EquinixMetalPlatformType,
		configv1.AlibabaCloudPlatformType, configv1.ExternalPlatformType:
		// no shareable object storage
	case configv1.AWSPlatformType:
		st.S3, replicas = &imageregistryv1.ImageRegistryConfigStorageS3{}, 2
	case configv1.AzurePlatformType:
		st.Azure, replicas = &imageregistryv1.ImageRegistryConfigStorageAzure{}, 2
	case configv1.GCPPlatformType:
		st.GCS, replicas = &imageregistryv1.ImageRegistryConfigStorageGCS{}, 2
	case configv1.IBMCloudPlatformType, configv1.PowerVSPlatformType:
		st.IBMCOS, replicas = &imageregistryv1.ImageRegistryConfigStorageIBMCOS{}, 2
	case configv1.OpenStackPlatformType:
		if facts.SwiftAvailable {
			st.Swift, replicas = &imageregistryv1.ImageRegistryConfigStorageSwift{}, 2
		} else {
			st.PVC = &imageregistryv1.ImageRegistryConfigStoragePVC{Claim: DefaultPVCClaim}
		}
	case configv1.OvirtPlatformType:
		st.PVC = &imageregistryv1.ImageRegistryConfigStoragePVC{Claim: DefaultPVCClaim}
	default:
		// Libvirt and any platform this operator does not know: ephemeral storage, so the
		// registry still runs.
		st.EmptyDir = &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}
	}
	return st, replicas
}

// IsEmpty reports whether no backend is configured.
func IsEmpty(st imageregistryv1.ImageRegistryConfigStorage) bool {
	return st.EmptyDir == nil && st.S3 == nil && st.GCS == nil && st.Swift == nil && st.PVC == nil &&
		st.Azure == nil && st.IBMCOS == nil && st.OSS == nil
}

func platformType(infra *configv1.Infrastructure) configv1.PlatformType {
	if infra == nil {
		return ""
	}
	if infra.Status.PlatformStatus != nil && infra.Status.PlatformStatus.Type != "" {
		return infra.Status.PlatformStatus.Type
	}
	return infra.Status.Platform //nolint:staticcheck // older clusters only set the deprecated field
}

// Config renders the bootstrapped Config for the cluster.
//
// Implements BOOT-001, BOOT-003, BOOT-007, BOOT-008, BOOT-009 (upstream BOOT-02, BOOT-05).
func Config(infra *configv1.Infrastructure, facts Facts) (*imageregistryv1.Config, error) {
	st, replicas := PlatformStorage(infra, facts)
	if infra != nil && infra.Status.InfrastructureTopology == configv1.SingleReplicaTopologyMode && replicas > 1 {
		replicas = 1
	}
	state := operatorv1.Managed
	if IsEmpty(st) {
		state = operatorv1.Removed
	}
	strategy := "RollingUpdate"
	if st.PVC != nil {
		strategy = "Recreate"
	}
	secret, err := NewHTTPSecret()
	if err != nil {
		return nil, err
	}
	observed, err := render.ObservedConfig(facts.APIServer)
	if err != nil {
		return nil, fmt.Errorf("observing the API server's TLS security profile: %w", err)
	}
	return &imageregistryv1.Config{
		ObjectMeta: metav1.ObjectMeta{Name: ConfigName, Finalizers: []string{Finalizer}},
		Spec: imageregistryv1.ImageRegistrySpec{
			OperatorSpec: operatorv1.OperatorSpec{
				ManagementState:  state,
				LogLevel:         operatorv1.Normal,
				OperatorLogLevel: operatorv1.Normal,
				ObservedConfig:   runtime.RawExtension{Raw: observed},
			},
			Storage:         st,
			Replicas:        replicas,
			RolloutStrategy: strategy,
			HTTPSecret:      secret,
		},
	}, nil
}

// NewHTTPSecret returns 64 random bytes, hex encoded (128 lowercase hex characters).
//
// Implements BOOT-008 (upstream DEP-DEF-01).
func NewHTTPSecret() (string, error) {
	b := make([]byte, 64)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating httpSecret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Bootstrap claim settings (BOOT-06): unlike the claim the PVC driver creates for an empty
// spec.storage.pvc (ReadWriteMany, no class), the one bootstrap makes for a platform whose
// default storage is a PVC is ReadWriteOnce on the platform's CSI storage class.
const (
	BootstrapStorageClass      = "standard-csi"
	BootstrapOvirtStorageClass = "ovirt-csi-sc"
	BootstrapClaimSize         = "100Gi"
	// ClaimOwnerAnnotation marks the claim as the operator's.
	ClaimOwnerAnnotation = "imageregistry.openshift.io"
)

// BootstrapClaim is the claim created (when absent) before the bootstrapped Config, for
// platforms whose default storage is a PVC: openshift-image-registry/<claim>, ReadWriteOnce,
// 100Gi, storage class standard-csi (oVirt: ovirt-csi-sc), annotated as the operator's.
// The Config names the claim, so the storage driver treats it as given: storage Unmanaged.
// Implements BOOT-012.
func BootstrapClaim(infra *configv1.Infrastructure, claim string) *corev1.PersistentVolumeClaim {
	class := BootstrapStorageClass
	if platformType(infra) == configv1.OvirtPlatformType {
		class = BootstrapOvirtStorageClass
	}
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{
			Name:        claim,
			Namespace:   render.Namespace,
			Annotations: map[string]string{ClaimOwnerAnnotation: "true"},
		},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse(BootstrapClaimSize),
			}},
			StorageClassName: &class,
		},
	}
}
