package v1alpha1

import (
	"sort"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// KindInfo describes a kind a scenario may create or expect.
type KindInfo struct {
	GVK        schema.GroupVersionKind
	Namespaced bool
	// DefaultName is used when a scenario gives no name (singletons).
	DefaultName string
	// Conditions: status.conditions can be checked with condition.
	Conditions bool
	// Workload: has a pod template (env, arg, noArg).
	Workload bool
}

// DefaultNamespace is used for namespaced kinds when a scenario gives no namespace.
const DefaultNamespace = "openshift-image-registry"

func gvk(g, v, k string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: g, Version: v, Kind: k}
}

// Kinds are the kinds scenarios know: those the conformance watch cache observes.
var Kinds = map[string]KindInfo{
	"Config":                {GVK: gvk("imageregistry.operator.openshift.io", "v1", "Config"), DefaultName: "cluster", Conditions: true},
	"ImagePruner":           {GVK: gvk("imageregistry.operator.openshift.io", "v1", "ImagePruner"), DefaultName: "cluster", Conditions: true},
	"ClusterOperator":       {GVK: gvk("config.openshift.io", "v1", "ClusterOperator"), DefaultName: "image-registry", Conditions: true},
	"Image":                 {GVK: gvk("config.openshift.io", "v1", "Image"), DefaultName: "cluster"},
	"Infrastructure":        {GVK: gvk("config.openshift.io", "v1", "Infrastructure"), DefaultName: "cluster"},
	"Proxy":                 {GVK: gvk("config.openshift.io", "v1", "Proxy"), DefaultName: "cluster"},
	"Deployment":            {GVK: gvk("apps", "v1", "Deployment"), Namespaced: true, DefaultName: "image-registry", Workload: true, Conditions: true},
	"Service":               {GVK: gvk("", "v1", "Service"), Namespaced: true, DefaultName: "image-registry"},
	"Secret":                {GVK: gvk("", "v1", "Secret"), Namespaced: true},
	"ServiceAccount":        {GVK: gvk("", "v1", "ServiceAccount"), Namespaced: true},
	"ConfigMap":             {GVK: gvk("", "v1", "ConfigMap"), Namespaced: true},
	"PersistentVolumeClaim": {GVK: gvk("", "v1", "PersistentVolumeClaim"), Namespaced: true},
	"Event":                 {GVK: gvk("", "v1", "Event"), Namespaced: true},
	"PodDisruptionBudget":   {GVK: gvk("policy", "v1", "PodDisruptionBudget"), Namespaced: true, DefaultName: "image-registry"},
	"Route":                 {GVK: gvk("route.openshift.io", "v1", "Route"), Namespaced: true},
	"CronJob":               {GVK: gvk("batch", "v1", "CronJob"), Namespaced: true, DefaultName: "image-pruner", Workload: true},
	"Job":                   {GVK: gvk("batch", "v1", "Job"), Namespaced: true, Workload: true, Conditions: true},
	"PrometheusRule":        {GVK: gvk("monitoring.coreos.com", "v1", "PrometheusRule"), Namespaced: true},
	"ClusterRole":           {GVK: gvk("rbac.authorization.k8s.io", "v1", "ClusterRole")},
	"ClusterRoleBinding":    {GVK: gvk("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding")},
}

// KindNames lists the known kinds, sorted.
func KindNames() []string {
	out := make([]string, 0, len(Kinds))
	for k := range Kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Backends are the storage fakes.
var Backends = []string{"s3", "gcs", "swift", "azure"}

// Ops are the fault/call-log operation names (fakes/fault).
var Ops = []string{"CreateBucket", "HeadBucket", "DeleteBucket", "ListBuckets", "PutObject", "GetObject",
	"DeleteObject", "ListObjects", "PutSetting", "GetSetting", "Auth"}

// Resolve fills in the default name and namespace of a kind; ok is false for an unknown kind.
func Resolve(kind, name, namespace string) (info KindInfo, outName, outNamespace string, ok bool) {
	info, ok = Kinds[kind]
	if !ok {
		return info, name, namespace, false
	}
	if name == "" {
		name = info.DefaultName
	}
	if info.Namespaced && namespace == "" {
		namespace = DefaultNamespace
	}
	return info, name, namespace, true
}
