// Package v1alpha1 is the irconform QA scenario format, apiVersion irconform.io/v1alpha1,
// kind Scenario. The JSON Schema in scenarios/schema/scenario.schema.json is generated from
// these types and their field comments (go generate ./scenarios/schema), so every comment
// on an exported field here is user documentation: write it for a QA engineer.
package v1alpha1

import (
	"encoding/json"

	"go.yaml.in/yaml/v3"
)

// Group, version and kind of the format.
const (
	APIVersion = "irconform.io/v1alpha1"
	Kind       = "Scenario"
)

// Scenario is one QA scenario: a starting world (given) and ordered steps, each with
// expectations that must all hold (eventually, within the step's timeout).
type Scenario struct {
	// Must be irconform.io/v1alpha1.
	APIVersion string `json:"apiVersion" yaml:"apiVersion" required:"true" schemaEnum:"irconform.io/v1alpha1"`
	// Must be Scenario.
	Kind string `json:"kind" yaml:"kind" required:"true" schemaEnum:"Scenario"`
	// Name and description of the scenario.
	Metadata Metadata `json:"metadata" yaml:"metadata" required:"true"`
	// Behaviour IDs from the catalogue (reports/catalogue/behaviors.yaml) this scenario checks, e.g. [BOOT-003].
	// They become Ginkgo labels, so `irconform run --label-filter BOOT-003` selects the scenario.
	Behaviors []string `json:"behaviors" yaml:"behaviors" required:"true" minItems:"1" format:"behaviorID"`
	// Extra labels (traits): disruptive, divergence (the catalogue line says DIVERGES), slow,
	// pending-feature (fails only because the reference operator lacks the feature yet), or your own.
	Labels []string `json:"labels,omitempty" yaml:"labels,omitempty"`
	// Infrastructure platform type the cluster reports: AWS, Azure, GCP, OpenStack, BareMetal, VSphere,
	// None, Libvirt, IBMCloud, PowerVS, KubeVirt, Nutanix, EquinixMetal, AlibabaCloud, External, oVirt.
	Platform string `json:"platform" yaml:"platform" required:"true" enum:"AWS,Azure,GCP,OpenStack,BareMetal,VSphere,None,Libvirt,IBMCloud,PowerVS,KubeVirt,Nutanix,EquinixMetal,AlibabaCloud,External,oVirt"`
	// The world before the operator starts.
	Given Given `json:"given,omitempty" yaml:"given,omitempty"`
	// Ordered steps; each runs its action (if any) then waits for its expectations.
	Steps []Step `json:"steps" yaml:"steps" required:"true" minItems:"1"`

	// Src is where the scenario was read from (not part of the format).
	Src Source `json:"-" yaml:"-"`
}

// Metadata names the scenario.
type Metadata struct {
	// Unique name: lowercase letters, digits and dashes (used in the spec name).
	Name string `json:"name" yaml:"name" required:"true" pattern:"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"`
	// What the scenario checks, as a sentence a person reads aloud.
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// Given is the starting world, set up in this order: Infrastructure (from platform), buckets
// in the storage fakes, objects, then the operator starts (unless operator is stopped).
type Given struct {
	// Infrastructure details beyond the platform type.
	Infrastructure *Infrastructure `json:"infrastructure,omitempty" yaml:"infrastructure,omitempty"`
	// Buckets (containers) that exist in a storage fake before the operator starts.
	Buckets []GivenBucket `json:"buckets,omitempty" yaml:"buckets,omitempty"`
	// Objects created before the operator starts (inline manifests).
	Objects []Object `json:"objects,omitempty" yaml:"objects,omitempty"`
	// Create installer-cloud-credentials for the storage fake of the platform, as the
	// cloud-credential operator would mint it (AWS, GCP, Azure; OpenStack when the scenario uses
	// the swift fake). Default true; skipped anyway when given.objects has a Secret of that name.
	CloudCredentials *bool `json:"cloudCredentials,omitempty" yaml:"cloudCredentials,omitempty"`
	// Operator: "running" (default) starts the reference operator after the objects are created;
	// "stopped" leaves it stopped until a step says startOperator.
	Operator string `json:"operator,omitempty" yaml:"operator,omitempty" enum:"running,stopped"`

	Src Source `json:"-" yaml:"-"`
}

// Infrastructure tunes infrastructures.config.openshift.io/cluster.
type Infrastructure struct {
	// status.infrastructureName (default irconform-x7k2p).
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Cloud region where the platform has one (default us-east-1).
	Region string `json:"region,omitempty" yaml:"region,omitempty"`
	// status.infrastructureTopology: HighlyAvailable (default) or SingleReplica.
	Topology string `json:"topology,omitempty" yaml:"topology,omitempty" enum:"HighlyAvailable,SingleReplica"`
}

// GivenBucket is a bucket seeded directly in a fake (no call is logged).
type GivenBucket struct {
	// Storage fake: s3, gcs, swift or azure.
	Backend string `json:"backend" yaml:"backend" required:"true" enum:"s3,gcs,swift,azure"`
	// Bucket (container) name.
	Name string `json:"name" yaml:"name" required:"true"`
	// Number of objects to put in it (default 0).
	Objects int `json:"objects,omitempty" yaml:"objects,omitempty" minimum:"0"`

	Src Source `json:"-" yaml:"-"`
}

// Object is an inline manifest. kind is a short kind name (see the README table); apiVersion
// is implied by the kind. name defaults to the kind's singleton (cluster for Config, ImagePruner,
// Image, Infrastructure, Proxy; image-registry for ClusterOperator) and namespace to
// openshift-image-registry for namespaced kinds.
type Object struct {
	// Kind: Config, ImagePruner, ClusterOperator, Image, Infrastructure, Proxy, Deployment, Service,
	// Secret, ServiceAccount, ConfigMap, PersistentVolumeClaim, PodDisruptionBudget, Route, CronJob,
	// Job, PrometheusRule, ClusterRole, ClusterRoleBinding.
	Kind string `json:"kind" yaml:"kind" required:"true" schemaEnum:"ClusterOperator,ClusterRole,ClusterRoleBinding,Config,ConfigMap,CronJob,Deployment,Event,Image,ImagePruner,Infrastructure,Job,PersistentVolumeClaim,PodDisruptionBudget,PrometheusRule,Proxy,Route,Secret,Service,ServiceAccount"`
	// Optional; must match the kind's group/version when given.
	APIVersion string `json:"apiVersion,omitempty" yaml:"apiVersion,omitempty"`
	// metadata.name (defaulted for singletons).
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// metadata.namespace (default openshift-image-registry for namespaced kinds).
	Namespace string `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	// Extra metadata: labels, annotations, finalizers.
	Metadata map[string]any `json:"metadata,omitempty" yaml:"metadata,omitempty"`
	// The object's spec.
	Spec map[string]any `json:"spec,omitempty" yaml:"spec,omitempty"`
	// ConfigMap/Secret data (Secret data is base64, as in Kubernetes; prefer stringData).
	Data map[string]any `json:"data,omitempty" yaml:"data,omitempty"`
	// Secret stringData (plain text).
	StringData map[string]string `json:"stringData,omitempty" yaml:"stringData,omitempty"`
	// Secret type.
	Type string `json:"type,omitempty" yaml:"type,omitempty"`
	// Status, written through the status subresource after the object is created.
	Status map[string]any `json:"status,omitempty" yaml:"status,omitempty"`

	Src Source `json:"-" yaml:"-"`
}

// ObjectRef names an object.
type ObjectRef struct {
	// Kind (as in Object).
	Kind string `json:"kind" yaml:"kind" required:"true" schemaEnum:"ClusterOperator,ClusterRole,ClusterRoleBinding,Config,ConfigMap,CronJob,Deployment,Event,Image,ImagePruner,Infrastructure,Job,PersistentVolumeClaim,PodDisruptionBudget,PrometheusRule,Proxy,Route,Secret,Service,ServiceAccount"`
	// Name (defaulted for singletons).
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Namespace (default openshift-image-registry for namespaced kinds).
	Namespace string `json:"namespace,omitempty" yaml:"namespace,omitempty"`

	Src Source `json:"-" yaml:"-"`
}

// Step is one action (or none) followed by expectations. Give at most one action.
type Step struct {
	// Short description shown in the spec's progress output.
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Create the object, or update it if it exists (as oc apply).
	Apply *Object `json:"apply,omitempty" yaml:"apply,omitempty"`
	// Patch an existing object (merge or JSON patch).
	Patch *Patch `json:"patch,omitempty" yaml:"patch,omitempty"`
	// Delete an object (finalizers are left alone: the operator must handle them).
	Delete *ObjectRef `json:"delete,omitempty" yaml:"delete,omitempty"`
	// Make calls to a storage fake fail or slow down.
	Fault *Fault `json:"fault,omitempty" yaml:"fault,omitempty"`
	// Remove every fault rule of a fake: s3, gcs, swift, azure or all.
	ClearFaults string `json:"clearFaults,omitempty" yaml:"clearFaults,omitempty" enum:"s3,gcs,swift,azure,all"`
	// Pause for a duration (e.g. 2s). Rarely needed: expectations already wait.
	Wait string `json:"wait,omitempty" yaml:"wait,omitempty" format:"duration"`
	// Start the reference operator (when given.operator is stopped).
	StartOperator bool `json:"startOperator,omitempty" yaml:"startOperator,omitempty"`
	// Stop and start the operator again (a restart).
	RestartOperator bool `json:"restartOperator,omitempty" yaml:"restartOperator,omitempty"`
	// How long the expectations may take to hold, e.g. 30s (default 10s).
	Timeout string `json:"timeout,omitempty" yaml:"timeout,omitempty" format:"duration"`
	// Expectations that must all hold at the same time before the timeout.
	Expect []Expectation `json:"expect,omitempty" yaml:"expect,omitempty"`

	Src Source `json:"-" yaml:"-"`
}

// Patch changes an existing object.
type Patch struct {
	// Kind (as in Object).
	Kind string `json:"kind" yaml:"kind" required:"true" schemaEnum:"ClusterOperator,ClusterRole,ClusterRoleBinding,Config,ConfigMap,CronJob,Deployment,Event,Image,ImagePruner,Infrastructure,Job,PersistentVolumeClaim,PodDisruptionBudget,PrometheusRule,Proxy,Route,Secret,Service,ServiceAccount"`
	// Name (defaulted for singletons).
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Namespace (default openshift-image-registry for namespaced kinds).
	Namespace string `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	// JSON merge patch (RFC 7386): the fields to set; null deletes a field.
	Merge map[string]any `json:"merge,omitempty" yaml:"merge,omitempty"`
	// JSON patch (RFC 6902) operations.
	JSON []JSONPatchOp `json:"json,omitempty" yaml:"json,omitempty"`
	// Patch the status subresource instead of the object.
	Status bool `json:"status,omitempty" yaml:"status,omitempty"`

	Src Source `json:"-" yaml:"-"`
}

// JSONPatchOp is one RFC 6902 operation.
type JSONPatchOp struct {
	// add, remove, replace, move, copy or test.
	Op string `json:"op" yaml:"op" required:"true" enum:"add,remove,replace,move,copy,test"`
	// JSON pointer, e.g. /spec/replicas.
	Path string `json:"path" yaml:"path" required:"true" pattern:"^(/.*)?$"`
	// Value for add, replace and test.
	Value any `json:"value,omitempty" yaml:"value,omitempty"`
	// Source pointer for move and copy.
	From string `json:"from,omitempty" yaml:"from,omitempty"`
}

// MarshalJSON writes value for add, replace and test even when it is null (RFC 6902 requires
// the member, and `value: null` is how a user clears a field), and leaves it out elsewhere.
func (o JSONPatchOp) MarshalJSON() ([]byte, error) {
	m := map[string]any{"op": o.Op, "path": o.Path}
	switch o.Op {
	case "add", "replace", "test":
		m["value"] = o.Value
	}
	if o.From != "" {
		m["from"] = o.From
	}
	return json.Marshal(m)
}

// Fault is a fault rule for a storage fake.
type Fault struct {
	// Storage fake: s3, gcs, swift or azure.
	Backend string `json:"backend" yaml:"backend" required:"true" enum:"s3,gcs,swift,azure"`
	// Call to fail: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, PutObject, GetObject,
	// DeleteObject, ListObjects, PutSetting, GetSetting, Auth, or * for any.
	Op string `json:"op" yaml:"op" required:"true" enum:"CreateBucket,HeadBucket,DeleteBucket,ListBuckets,PutObject,GetObject,DeleteObject,ListObjects,PutSetting,GetSetting,Auth,*"`
	// Only calls on this bucket (default: any bucket).
	Bucket string `json:"bucket,omitempty" yaml:"bucket,omitempty"`
	// HTTP status to answer, e.g. 503 (omit for a latency-only fault).
	Status int `json:"status,omitempty" yaml:"status,omitempty" minimum:"100" maximum:"599"`
	// Protocol error code, e.g. SlowDown, AccessDenied, ServerBusy (default: the usual one for status).
	Code string `json:"code,omitempty" yaml:"code,omitempty"`
	// Error message (default: the protocol's usual one).
	Message string `json:"message,omitempty" yaml:"message,omitempty"`
	// Fail only this many calls (default: until cleared).
	Times int `json:"times,omitempty" yaml:"times,omitempty" minimum:"0"`
	// Delay added before answering, e.g. 2s.
	Latency string `json:"latency,omitempty" yaml:"latency,omitempty" format:"duration"`

	Src Source `json:"-" yaml:"-"`
}

// Expectation is one thing that must hold. It is about an object (kind/name/namespace) or
// about a bucket in a storage fake (bucket), and says one or more of the things below.
type Expectation struct {
	// Object kind (as in Object).
	Kind string `json:"kind,omitempty" yaml:"kind,omitempty" schemaEnum:"ClusterOperator,ClusterRole,ClusterRoleBinding,Config,ConfigMap,CronJob,Deployment,Event,Image,ImagePruner,Infrastructure,Job,PersistentVolumeClaim,PodDisruptionBudget,PrometheusRule,Proxy,Route,Secret,Service,ServiceAccount"`
	// Object name (defaulted for singletons).
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Object namespace (default openshift-image-registry for namespaced kinds).
	Namespace string `json:"namespace,omitempty" yaml:"namespace,omitempty"`

	// The object (or bucket) exists.
	Exists bool `json:"exists,omitempty" yaml:"exists,omitempty"`
	// The object (or bucket) does not exist.
	Absent bool `json:"absent,omitempty" yaml:"absent,omitempty"`

	// Field path in the object: dotted (spec.storage.s3.bucket, status.conditions[0].type,
	// status.conditions[type=Available].status, data["host..5000"]) or a kubectl JSONPath in braces
	// ({.spec.replicas}). Used with equals, contains, matches or missing.
	Path string `json:"path,omitempty" yaml:"path,omitempty"`
	// The field equals this value (any YAML value; a map or list must match exactly).
	Equals any `json:"equals,omitempty" yaml:"equals,omitempty"`
	// The field contains this: substring of a string, element of a list, or key of a map.
	Contains any `json:"contains,omitempty" yaml:"contains,omitempty"`
	// The field, as text, matches this regular expression (Go syntax; anchor with ^ and $).
	Matches string `json:"matches,omitempty" yaml:"matches,omitempty" format:"regex"`
	// The field is not set.
	Missing bool `json:"missing,omitempty" yaml:"missing,omitempty"`

	// A condition in status.conditions (Config, ImagePruner, ClusterOperator).
	Condition *ConditionExpect `json:"condition,omitempty" yaml:"condition,omitempty"`
	// An environment variable of the pod template (Deployment, CronJob, Job).
	Env *EnvExpect `json:"env,omitempty" yaml:"env,omitempty"`
	// A container argument the pod template has (CronJob, Job, Deployment), e.g. --prune-registry=false.
	Arg string `json:"arg,omitempty" yaml:"arg,omitempty"`
	// A container argument the pod template must not have.
	NoArg string `json:"noArg,omitempty" yaml:"noArg,omitempty"`

	// A bucket (container) in a storage fake instead of an object.
	Bucket *BucketRef `json:"bucket,omitempty" yaml:"bucket,omitempty"`
	// The bucket holds exactly this many objects.
	Objects *int `json:"objects,omitempty" yaml:"objects,omitempty" minimum:"0"`
	// Bucket settings as the fake reports them, e.g. {encryption: AES256, "tag:Name": x}.
	Settings map[string]string `json:"settings,omitempty" yaml:"settings,omitempty"`
	// Calls the fake must never have received for this bucket during the whole scenario (checked
	// again when the scenario ends), e.g. [DeleteBucket].
	NeverCalled []string `json:"neverCalled,omitempty" yaml:"neverCalled,omitempty"`

	Src Source `json:"-" yaml:"-"`
}

// ConditionExpect matches one condition by type.
type ConditionExpect struct {
	// Condition type, e.g. Available, Degraded, StorageExists.
	Type string `json:"type" yaml:"type" required:"true"`
	// "True", "False" or "Unknown".
	Status string `json:"status,omitempty" yaml:"status,omitempty" enum:"True,False,Unknown"`
	// Exact reason.
	Reason string `json:"reason,omitempty" yaml:"reason,omitempty"`
	// Exact message.
	Message string `json:"message,omitempty" yaml:"message,omitempty"`
	// Substring of the message.
	MessageContains string `json:"messageContains,omitempty" yaml:"messageContains,omitempty"`
}

// EnvExpect matches one environment variable by name (in any container).
type EnvExpect struct {
	// Variable name, e.g. REGISTRY_STORAGE.
	Name string `json:"name" yaml:"name" required:"true"`
	// Exact literal value.
	Value *string `json:"value,omitempty" yaml:"value,omitempty"`
	// Regular expression the literal value matches.
	Matches string `json:"matches,omitempty" yaml:"matches,omitempty" format:"regex"`
	// The value comes from this Secret key (valueFrom.secretKeyRef).
	SecretKeyRef *KeyRef `json:"secretKeyRef,omitempty" yaml:"secretKeyRef,omitempty"`
	// The variable is not set at all.
	Absent bool `json:"absent,omitempty" yaml:"absent,omitempty"`
}

// KeyRef names a key of a Secret.
type KeyRef struct {
	// Secret name.
	Name string `json:"name" yaml:"name" required:"true"`
	// Key in the Secret.
	Key string `json:"key" yaml:"key" required:"true"`
}

// BucketRef names a bucket in a storage fake.
type BucketRef struct {
	// Storage fake: s3, gcs, swift or azure.
	Backend string `json:"backend" yaml:"backend" required:"true" enum:"s3,gcs,swift,azure"`
	// Bucket (container) name. Use a path-free literal, or "*" for "exactly one bucket, any name".
	Name string `json:"name" yaml:"name" required:"true"`
}

// The schemaEnum tags list the allowed values for the JSON Schema only (editors complete
// and check them); the linter checks those fields itself, with did-you-mean hints. The kind
// lists must equal KindNames() (a test checks).

// Source is where something was read from (file and YAML node). Not part of the format.
type Source struct {
	File string
	Node *yaml.Node
}

// Line is the 1-based line of the node (0 when unknown).
func (s Source) Line() int {
	if s.Node == nil {
		return 0
	}
	return s.Node.Line
}

// Column is the 1-based column of the node (0 when unknown).
func (s Source) Column() int {
	if s.Node == nil {
		return 0
	}
	return s.Node.Column
}

// Field returns the value node of key in a mapping node (nil when absent).
func (s Source) Field(key string) *yaml.Node {
	return FieldNode(s.Node, key)
}

// FieldNode returns the value node of key in mapping node n (nil when absent).
func FieldNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// KeyNode returns the key node of key in mapping node n (nil when absent).
func KeyNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}
