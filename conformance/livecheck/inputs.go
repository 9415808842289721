package livecheck

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Input is one named object a check reads. Every input is read with a GET of that one
// name: live checks never list or watch, so an account that may read only some kinds
// still gets a verdict on the rest, and no Secret is ever listed.
type Input string

// The inputs, by what they are to the registry.
const (
	InConfig         Input = "config"
	InPruner         Input = "pruner"
	InClusterOp      Input = "clusteroperator"
	InClusterVersion Input = "clusterversion"
	InInfrastructure Input = "infrastructure"
	InImageConfig    Input = "imageconfig"
	InDeployment     Input = "deployment"
	InPrunerCronJob  Input = "cronjob"
	InAlertRule      Input = "alertrule"
	InDefaultRoute   Input = "defaultroute"
	InCertificates   Input = "certificates"
	// InTrustedCA is the ConfigMap the image config names in spec.additionalTrustedCA; its
	// name is known only once the image config is read.
	InTrustedCA Input = "trustedca"
	// InPrivateSecret is read for its keys only; the values are dropped as soon as the
	// object arrives.
	InPrivateSecret Input = "privatesecret"
)

// Namespaces and names from the behaviour catalogue ("Names used throughout").
const (
	RegistryNS = "openshift-image-registry"
	ConfigNS   = "openshift-config"
)

// Source says where an input lives.
type Source struct {
	GVR       schema.GroupVersionResource
	Namespace string
	Name      string
	// Secret inputs need "get secrets" and are read for their keys only.
	Secret bool
}

// Object names the input as a person types it: "configs.imageregistry.operator.openshift.io/cluster",
// "deployments.apps/image-registry -n openshift-image-registry".
func (s Source) Object() string {
	res := s.GVR.Resource
	if s.GVR.Group != "" {
		res += "." + s.GVR.Group
	}
	out := res + "/" + s.Name
	if s.Namespace != "" {
		out += " -n " + s.Namespace
	}
	return out
}

var (
	gvrConfig         = schema.GroupVersionResource{Group: "imageregistry.operator.openshift.io", Version: "v1", Resource: "configs"}
	gvrPruner         = schema.GroupVersionResource{Group: "imageregistry.operator.openshift.io", Version: "v1", Resource: "imagepruners"}
	gvrClusterOp      = schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "clusteroperators"}
	gvrClusterVersion = schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "clusterversions"}
	gvrInfrastructure = schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "infrastructures"}
	gvrImage          = schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "images"}
	gvrDeployment     = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	gvrCronJob        = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}
	gvrPrometheusRule = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "prometheusrules"}
	gvrRoute          = schema.GroupVersionResource{Group: "route.openshift.io", Version: "v1", Resource: "routes"}
	gvrConfigMap      = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	gvrSecret         = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
)

// fixedSources are the inputs whose names are known up front.
var fixedSources = map[Input]Source{
	InConfig:         {GVR: gvrConfig, Name: "cluster"},
	InPruner:         {GVR: gvrPruner, Name: "cluster"},
	InClusterOp:      {GVR: gvrClusterOp, Name: "image-registry"},
	InClusterVersion: {GVR: gvrClusterVersion, Name: "version"},
	InInfrastructure: {GVR: gvrInfrastructure, Name: "cluster"},
	InImageConfig:    {GVR: gvrImage, Name: "cluster"},
	InDeployment:     {GVR: gvrDeployment, Namespace: RegistryNS, Name: "image-registry"},
	InPrunerCronJob:  {GVR: gvrCronJob, Namespace: RegistryNS, Name: "image-pruner"},
	InAlertRule:      {GVR: gvrPrometheusRule, Namespace: RegistryNS, Name: "image-registry-operator-alerts"},
	InDefaultRoute:   {GVR: gvrRoute, Namespace: RegistryNS, Name: "default-route"},
	InCertificates:   {GVR: gvrConfigMap, Namespace: RegistryNS, Name: "image-registry-certificates"},
	InPrivateSecret:  {GVR: gvrSecret, Namespace: RegistryNS, Name: "image-registry-private-configuration", Secret: true},
}

// trustedCASource is the additionalTrustedCA ConfigMap once its name is known. For access
// planning the name is left empty: "may get configmaps in openshift-config".
func trustedCASource(name string) Source {
	return Source{GVR: gvrConfigMap, Namespace: ConfigNS, Name: name}
}

// SourceOf returns where a fixed input lives (InTrustedCA: the namespace and kind only).
func SourceOf(in Input) Source {
	if in == InTrustedCA {
		return trustedCASource("")
	}
	return fixedSources[in]
}

// AllInputs lists every input in a stable order (access planning, reports).
func AllInputs() []Input {
	return []Input{InConfig, InPruner, InClusterOp, InClusterVersion, InInfrastructure, InImageConfig,
		InDeployment, InPrunerCronJob, InAlertRule, InDefaultRoute, InCertificates, InTrustedCA, InPrivateSecret}
}

// kindWords names an input's kind for sentences ("cannot read Secrets").
func kindWords(in Input) string {
	switch SourceOf(in).GVR.Resource {
	case "secrets":
		return "Secrets"
	case "configmaps":
		return "ConfigMaps"
	case "configs":
		return "the registry Config"
	case "imagepruners":
		return "the ImagePruner"
	case "clusteroperators":
		return "ClusterOperators"
	case "clusterversions":
		return "the ClusterVersion"
	case "infrastructures":
		return "the Infrastructure"
	case "images":
		return "the image config"
	case "deployments":
		return "Deployments"
	case "cronjobs":
		return "CronJobs"
	case "prometheusrules":
		return "PrometheusRules"
	case "routes":
		return "Routes"
	}
	return string(in)
}
