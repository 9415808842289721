// Package ibmcos is the reference operator's IBM Cloud Object Storage driver (IBMCloud and
// PowerVS platforms). This file holds the pure parts: where the cluster is (location,
// resource group, service endpoint overrides from the Infrastructure), names, the registry
// env and volumes, and the credentials file. ibmcos.go does the I/O: IAM token exchange,
// Resource Controller / Manager calls (resources.go) and COS over IBM's S3-compatible SDK.
package ibmcos

import (
	"fmt"
	"path"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/irconform/irconform/reference/render"
)

// Names from upstream (pkg/storage/ibmcos).
const (
	// UserAPIKeyKey is the key of the user secret image-registry-private-configuration-user.
	UserAPIKeyKey = "REGISTRY_STORAGE_IBMCOS_IAMAPIKEY"
	// MintedAPIKeyKey is the key of the minted secret installer-cloud-credentials.
	MintedAPIKeyKey = "ibmcloud_api_key"
	// CredentialsKey is the private-configuration secret key holding the HMAC ini file.
	CredentialsKey = "credentials"
	// CredentialsMountPath is where the private-configuration secret is mounted.
	CredentialsMountPath = "/var/run/secrets/cloud"

	// IAMTokenPath is the token exchange below an IAM endpoint.
	IAMTokenPath = "/identity/token"
	// Public endpoints, used unless the Infrastructure overrides them.
	DefaultIAMEndpoint                = "https://iam.cloud.ibm.com"
	DefaultResourceControllerEndpoint = "https://resource-controller.cloud.ibm.com"
	DefaultResourceManagerEndpoint    = "https://resource-controller.cloud.ibm.com"
	cosEndpointTemplate               = "s3.%s.cloud-object-storage.appdomain.cloud"

	// StandardPlanID is the COS plan of instances the operator provisions.
	StandardPlanID = "744bfc56-d12c-4866-88d5-dac9139e0e5d"
	// ServiceTarget is where instances are provisioned.
	ServiceTarget = "bluemix-global"
	// WriterRole is the role of the resource key the operator creates; ManagerRole is the
	// other role a user-supplied key may have.
	WriterRole  = "crn:v1:bluemix:public:iam::::serviceRole:Writer"
	ManagerRole = "crn:v1:bluemix:public:iam::::serviceRole:Manager"
)

// Service endpoint override names (Infrastructure platformStatus serviceEndpoints).
const (
	EndpointCOS                = string(configv1.IBMCloudServiceCOS)
	EndpointIAM                = string(configv1.IBMCloudServiceIAM)
	EndpointResourceController = string(configv1.IBMCloudServiceResourceController)
	EndpointResourceManager    = string(configv1.IBMCloudServiceResourceManager)
)

// Condition reasons and messages (StorageExists).
const (
	ReasonChanged            = "IBMCOS Configuration Changed"
	MsgChanged               = "IBMCOS storage is in an unknown state"
	ReasonInstanceActive     = "IBM COS Instance Active"
	MsgInstanceActive        = "IBM COS service instance is active"
	ReasonInstanceProvision  = "IBM COS Instance Provisioning"
	MsgInstanceProvision     = "IBM COS service instance is provisioning"
	ReasonInstanceGone       = "IBM COS Instance Gone"
	MsgInstanceGone          = "IBM COS service instance is inactive or has been removed."
	ReasonInstanceCreated    = "IBM COS Instance Creation Successful"
	MsgInstanceCreated       = "IBM COS service instance was successfully created"
	ReasonKeyCreated         = "IBM COS Resource Key Creation Successful"
	MsgKeyCreated            = "IBM COS resource key was successfully created"
	ReasonKeyValid           = "IBM COS Resource Key Valid"
	MsgKeyValid              = "IBM COS resource key exists and is valid"
	ReasonBucketExists       = "IBM COS Bucket Exists"
	MsgUserBucketExists      = "User supplied IBM COS bucket exists and is accessible"
	ReasonCreated            = "Creation Successful"
	MsgCreated               = "IBM COS bucket was successfully created"
	ReasonUnknown            = "Unknown Error Occurred"
	ReasonDeleted            = "IBM COS Bucket Deleted"
	MsgDeleted               = "IBM COS bucket has been removed."
	MsgDeletedNotExisting    = "IBM COS bucket did not exist."
	MsgWaitingProvisioning   = "waiting for IBM COS service instance to finish provisioning"
	MsgResourceKeyNotSet     = "resource key has not been set"
	MsgKeyNotForInstance     = "specified resource key is not valid for service instance"
	MsgKeyWithoutHMAC        = "specified resource key credentials does not contain HMAC keys"
	MsgKeyBadRole            = "specified resource key's IAM role is not valid"
	MsgKeyWithoutCredentials = "specified resource key does not have any attached credentials"
)

// cosRegionForPowerVS maps a PowerVS region to the COS region that serves it (upstream
// uses the PowerVS utilities' table; Madrid has no COS and is served from eu-de).
var cosRegionForPowerVS = map[string]string{
	"dal":      "us-south",
	"eu-de":    "eu-de",
	"lon":      "eu-gb",
	"mad":      "eu-de",
	"mon":      "ca-tor",
	"osa":      "jp-osa",
	"sao":      "br-sao",
	"syd":      "au-syd",
	"tok":      "jp-tok",
	"tor":      "ca-tor",
	"us-east":  "us-east",
	"us-south": "us-south",
	"wdc":      "us-east",
}

// COSRegionForPowerVS returns the COS region of a PowerVS region.
//
// Implements IBMCOS-008.
func COSRegionForPowerVS(region string) (string, error) {
	if r, ok := cosRegionForPowerVS[region]; ok {
		return r, nil
	}
	return "", fmt.Errorf("COS region corresponding to a PowerVS region %s not found", region)
}

// Platform is what the Infrastructure says about IBM Cloud.
type Platform struct {
	// Location is the COS location: IBMCloud's location, or the COS region of PowerVS's
	// region.
	Location string
	// ResourceGroup is the resource group new resources go to.
	ResourceGroup string
	// Endpoints are service endpoint overrides by name (COS, IAM, ResourceController,
	// ResourceManager); other names are ignored.
	Endpoints map[string]string
	// InfraName is status.infrastructureName.
	InfraName string
}

// PlatformFacts reads the Infrastructure. An unknown PowerVS region is an error.
//
// Implements IBMCOS-008.
func PlatformFacts(infra *configv1.Infrastructure) (Platform, error) {
	p := Platform{Endpoints: map[string]string{}}
	if infra == nil {
		return p, nil
	}
	p.InfraName = infra.Status.InfrastructureName
	ps := infra.Status.PlatformStatus
	if ps == nil {
		return p, nil
	}
	keep := func(name, url string) {
		switch name {
		case EndpointCOS, EndpointIAM, EndpointResourceController, EndpointResourceManager:
			p.Endpoints[name] = url
		}
	}
	switch {
	case ps.Type == configv1.IBMCloudPlatformType && ps.IBMCloud != nil:
		p.Location, p.ResourceGroup = ps.IBMCloud.Location, ps.IBMCloud.ResourceGroupName
		for _, ep := range ps.IBMCloud.ServiceEndpoints {
			keep(string(ep.Name), ep.URL)
		}
	case ps.Type == configv1.PowerVSPlatformType && ps.PowerVS != nil:
		loc, err := COSRegionForPowerVS(ps.PowerVS.Region)
		if err != nil {
			return p, err
		}
		p.Location, p.ResourceGroup = loc, ps.PowerVS.ResourceGroup
		for _, ep := range ps.PowerVS.ServiceEndpoints {
			keep(ep.Name, ep.URL)
		}
	}
	return p, nil
}

// Effective is the configuration the registry uses: the spec, with location from the
// cluster where the spec has none.
//
// Implements IBMCOS-008.
func Effective(spec imageregistryv1.ImageRegistryConfigStorageIBMCOS, p Platform) imageregistryv1.ImageRegistryConfigStorageIBMCOS {
	out := spec
	if out.Location == "" {
		out.Location = p.Location
	}
	return out
}

// RegionEndpoint is the COS endpoint of a location, or the COS override verbatim (which
// is region-specific already).
//
// Implements IBMCOS-001, IBMCOS-008.
func RegionEndpoint(location string, p Platform) string {
	if ep := p.Endpoints[EndpointCOS]; ep != "" {
		return ep
	}
	return fmt.Sprintf(cosEndpointTemplate, location)
}

// ResourceName is the name of the service instance and of the resource key the operator
// creates: "<infrastructureName>-image-registry".
//
// Implements IBMCOS-003, IBMCOS-004.
func ResourceName(infraName string) string { return infraName + "-image-registry" }

// OwnedTag is the tag put on an instance the operator creates.
func OwnedTag(infraName string) string {
	return fmt.Sprintf("kubernetes.io_cluster_%s:owned", infraName)
}

// LocationConstraint is the bucket's provisioning code: "<location>-smart".
//
// Implements IBMCOS-005.
func LocationConstraint(location string) string { return location + "-smart" }

// Env is what the registry gets: IBM COS through its S3 driver, path-style, no server-side
// encryption flag, no dual-stack, credentials from the mounted file.
//
// Implements IBMCOS-001.
func Env(c imageregistryv1.ImageRegistryConfigStorageIBMCOS, p Platform) []render.EnvVar {
	return []render.EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "s3"},
		{Name: "REGISTRY_STORAGE_S3_BUCKET", Value: c.Bucket},
		{Name: "REGISTRY_STORAGE_S3_REGION", Value: c.Location},
		{Name: "REGISTRY_STORAGE_S3_REGIONENDPOINT", Value: RegionEndpoint(c.Location, p)},
		{Name: "REGISTRY_STORAGE_S3_ENCRYPT", Value: false},
		{Name: "REGISTRY_STORAGE_S3_FORCEPATHSTYLE", Value: true},
		{Name: "REGISTRY_STORAGE_S3_USEDUALSTACK", Value: false},
		{Name: "REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", Value: path.Join(CredentialsMountPath, CredentialsKey)},
	}
}

// CredentialsFile is the HMAC key pair as an AWS shared-credentials file.
func CredentialsFile(accessKey, secretKey string) string {
	return fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", accessKey, secretKey)
}

// StorageConfig is the registry's part: env, the private-configuration secret mounted
// read-only at /var/run/secrets/cloud, and the credentials file in that secret.
//
// Implements IBMCOS-001, IBMCOS-004.
func StorageConfig(c imageregistryv1.ImageRegistryConfigStorageIBMCOS, p Platform, credentialsFile string) render.StorageConfig {
	optional := false
	return render.StorageConfig{
		Kind: render.StorageIBMCOS,
		Env:  Env(c, p),
		Volumes: []corev1.Volume{{
			Name: render.PrivateConfigurationSecretName,
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: render.PrivateConfigurationSecretName, Optional: &optional,
			}},
		}},
		Mounts:     []corev1.VolumeMount{{Name: render.PrivateConfigurationSecretName, MountPath: CredentialsMountPath, ReadOnly: true}},
		SecretData: map[string]string{CredentialsKey: credentialsFile},
	}
}
