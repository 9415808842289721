package status

import (
	"sort"
	"strings"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PrunerPrefix prefixes the image pruner's condition types when they feed the ClusterOperator.
const PrunerPrefix = "ImagePruner"

// ClusterOperatorConditions is the union of the inputs (the Config's conditions, then the
// pruner's with types prefixed "ImagePruner") for Available, Progressing and Degraded,
// matched by type suffix.
//
// Implements STATUS-007, STATUS-010, PRUNE-007 (upstream CO-01..04).
func ClusterOperatorConditions(config, pruner []operatorv1.OperatorCondition) []configv1.ClusterOperatorStatusCondition {
	inputs := append([]operatorv1.OperatorCondition(nil), config...)
	for _, c := range pruner {
		c.Type = PrunerPrefix + c.Type
		inputs = append(inputs, c)
	}
	return []configv1.ClusterOperatorStatusCondition{
		union(inputs, configv1.OperatorAvailable, operatorv1.ConditionTrue),
		union(inputs, configv1.OperatorProgressing, operatorv1.ConditionFalse),
		union(inputs, configv1.OperatorDegraded, operatorv1.ConditionFalse),
	}
}

func union(inputs []operatorv1.OperatorCondition, t configv1.ClusterStatusConditionType, normal operatorv1.ConditionStatus) configv1.ClusterOperatorStatusCondition {
	var matching []operatorv1.OperatorCondition
	for _, c := range inputs {
		if strings.HasSuffix(c.Type, string(t)) {
			matching = append(matching, c)
		}
	}
	// Status: the first abnormal (non-normal, non-Unknown) status; else Unknown if any; else normal.
	st := normal
	unknown := false
	for _, c := range matching {
		if c.Status == operatorv1.ConditionUnknown {
			unknown = true
			continue
		}
		if c.Status != normal {
			st = c.Status
			unknown = false
			break
		}
	}
	if unknown {
		st = operatorv1.ConditionUnknown
	}
	var reasons []string
	var lines []string
	var latest time.Time
	for _, c := range matching {
		prefix := strings.TrimSuffix(c.Type, string(t))
		if c.Reason != "" && c.Reason != "AsExpected" {
			reasons = append(reasons, prefix+c.Reason)
		}
		if c.Message != "" {
			for _, l := range strings.Split(c.Message, "\n") {
				lines = append(lines, c.Type+": "+l)
			}
		}
		if c.LastTransitionTime.After(latest) {
			latest = c.LastTransitionTime.Time
		}
	}
	sort.Strings(reasons)
	reason := strings.Join(reasons, "::")
	if reason == "" && st == normal {
		reason = "AsExpected"
	}
	return configv1.ClusterOperatorStatusCondition{
		Type:               t,
		Status:             configv1.ConditionStatus(st),
		Reason:             reason,
		Message:            strings.Join(lines, "\n"),
		LastTransitionTime: metav1.NewTime(latest),
	}
}

// RelatedObjects are the six objects upstream lists, in its order.
//
// Implements STATUS-008 (upstream CO-09).
func RelatedObjects() []configv1.ObjectReference {
	return []configv1.ObjectReference{
		{Group: "imageregistry.operator.openshift.io", Resource: "configs", Name: "cluster"},
		{Group: "imageregistry.operator.openshift.io", Resource: "imagepruners", Name: "cluster"},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: "system:registry"},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Name: "registry-registry-role"},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Name: "openshift-image-registry-pruner"},
		{Group: "", Resource: "namespaces", Name: "openshift-image-registry"},
	}
}
