// Package render holds the pure render functions of the irconform reference
// operator: API objects in, API objects out, no client calls. Names, keys,
// env vars and values follow /work/shared/spec/upstream-facts.md; where the
// product documents and upstream disagree, the document wins (see
// behaviors.md DIVERGES notes).
package render

import "fmt"

// Namespaces and object names (BOOT-08 and friends).
const (
	Namespace              = "openshift-image-registry"
	ConfigNamespace        = "openshift-config"
	ConfigManagedNamespace = "openshift-config-managed"

	// ConfigName is the name of the singleton Config and ImagePruner objects.
	ConfigName          = "cluster"
	PrunerName          = "cluster"
	ClusterOperatorName = "image-registry"
	ClusterProxyName    = "cluster"
	ImageConfigName     = "cluster"

	ImageRegistryName  = "image-registry"
	DeploymentName     = ImageRegistryName
	ServiceName        = ImageRegistryName
	PDBName            = ImageRegistryName
	ContainerName      = "registry"
	ServiceAccountName = "registry"
	ContainerPort      = 5000
	ServicePortName    = "5000-tcp"
	HealthzPath        = "/healthz"
	HealthzTimeout     = 5

	DefaultRouteName = "default-route"
	// DefaultRouteHostPrefix is how the router names the default route's host
	// (default-route-openshift-image-registry.<ingress domain>).
	DefaultRouteHostPrefix = DefaultRouteName + "-" + Namespace

	PrivateConfigurationSecretName = "image-registry-private-configuration"
	UserConfigurationSecretName    = "image-registry-private-configuration-user"
	CloudCredentialsSecretName     = "installer-cloud-credentials"
	TLSSecretName                  = "image-registry-tls"
	InstallationPullSecretName     = "installation-pull-secrets"
	ClusterPullSecretName          = "pull-secret" // in openshift-config

	ImageRegistryCertificatesName = "image-registry-certificates"
	ImageRegistryCAName           = "image-registry-ca" // in openshift-config-managed
	TrustedCAName                 = "trusted-ca"
	ServiceCAName                 = "serviceca"
	ServiceCAKey                  = "service-ca.crt"
	TrustedCAKey                  = "ca-bundle.crt"
	StorageCABundleKey            = "storage-ca-bundle.pem"

	DefaultPVCName = "image-registry-storage"

	ClusterRoleName        = "system:registry"
	ClusterRoleBindingName = "registry-registry-role"

	PrunerCronJobName            = "image-pruner"
	PrunerContainerName          = "image-pruner"
	PrunerServiceAccountName     = "pruner"
	PrunerClusterRoleName        = "system:image-pruner"
	PrunerClusterRoleBindingName = "openshift-image-registry-pruner"

	RegistryNetworkPolicyName = "image-registry-networkpolicy"
	PrunerNetworkPolicyName   = "image-pruner-networkpolicy"

	AlertsRuleName = "image-registry-operator-alerts"

	Finalizer = "imageregistry.operator.openshift.io/finalizer"
)

// Annotations.
const (
	ChecksumAnnotation             = "imageregistry.operator.openshift.io/checksum"
	DependenciesChecksumAnnotation = "imageregistry.operator.openshift.io/dependencies-checksum"
	VersionAnnotation              = "release.openshift.io/version"
	// OwnerAnnotation marks routes and PVCs made by the operator (value "true").
	OwnerAnnotation               = "imageregistry.openshift.io"
	SupplementalGroupsAnnotation  = "openshift.io/sa.scc.supplemental-groups"
	RequiredSCCAnnotation         = "openshift.io/required-scc"
	RequiredSCC                   = "restricted-v2"
	WorkloadManagementAnnotation  = "target.workload.openshift.io/management"
	WorkloadManagementValue       = `{"effect": "PreferredDuringScheduling"}`
	ServingCertSecretAnnotation   = "service.alpha.openshift.io/serving-cert-secret-name"
	InjectCABundleAnnotation      = "service.beta.openshift.io/inject-cabundle"
	OwningComponentAnnotation     = "openshift.io/owning-component"
	OwningComponent               = "Image Registry"
	CapabilityAnnotation          = "capability.openshift.io/name"
	Capability                    = "ImageRegistry"
	InjectTrustedCABundleLabel    = "config.openshift.io/inject-trusted-cabundle"
	PriorityClassName             = "system-cluster-critical"
	DeploymentLabelKey            = "docker-registry"
	DeploymentLabelValue          = "default"
	PrunerPodLabelKey             = "app"
	PrunerPodLabelValue           = "image-pruner"
	PrunerJobLabelKey             = "created-by"
	PrunerJobLabelValue           = "image-pruner"
	OSNodeSelectorKey             = "kubernetes.io/os"
	OSNodeSelectorValue           = "linux"
	KubeletPullSecretMountPath    = "/var/lib/kubelet/"
	CloudCredentialsMountPath     = "/var/run/secrets/cloud"
	RegistryStorageVolumeName     = "registry-storage"
	RegistryStorageRootDirectory  = "/registry"
	ServiceCAMountPath            = "/var/run/configmaps/serviceca"
	BoundSATokenMountPath         = "/var/run/secrets/openshift/serviceaccount"
	TLSMountPath                  = "/etc/secrets"
	CATrustExtractedMountPath     = "/etc/pki/ca-trust/extracted"
	RegistryCertificatesMountPath = "/etc/pki/ca-trust/source/anchors"
	TrustedCAMountPath            = "/usr/share/pki/ca-trust-source"
)

// ServiceHostname is the in-cluster name of the registry Service.
const ServiceHostname = ServiceName + "." + Namespace + ".svc"

// InternalRegistryHostname is image.config status.internalRegistryHostname
// while the Service exists (IMGCFG-01): "image-registry.openshift-image-registry.svc:5000".
//
// Implements IMGCFG-001.
var InternalRegistryHostname = HostWithPort(ServiceHostname, ContainerPort)

// HostWithPort renders host[:port], leaving the port off when it is 443 (IMGCFG-01, CA-02).
func HostWithPort(host string, port int32) string {
	if port == 443 {
		return host
	}
	return fmt.Sprintf("%s:%d", host, port)
}

// DeploymentLabels are the labels of the registry Deployment, its pods and
// the selector of Service, PDB and NetworkPolicy: docker-registry=default.
//
// Implements MGMT-008 (upstream BOOT-08).
func DeploymentLabels() map[string]string {
	return map[string]string{DeploymentLabelKey: DeploymentLabelValue}
}

// OwnedAnnotations is the annotation set marking routes/PVCs as operator-made.
//
// Implements ROUTE-004.
func OwnedAnnotations() map[string]string {
	return map[string]string{OwnerAnnotation: "true"}
}
