// Package livecheck judges a real cluster's image registry from what it can read: each
// check declares the objects it reads (its inputs), reads them with a GET of their names
// (never a list or watch, never a Secret's values), and says pass, fail or skip. An input
// that is absent or unreadable makes a check skip with a sentence a person understands; it
// never makes it fail. Expectations are literal values from the behaviour catalogue, keyed
// by release where the upstream operator changed between releases (release.go).
//
// The same checks run on envtest (against the reference operator, judged as the current
// release) and on a live cluster; the conformance specs wrap each check in one Ginkgo spec.
package livecheck

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Check is one live check.
type Check struct {
	// Name is the check's stable key (captures' expectations and reports use it).
	Name string
	// Title is the spec text.
	Title string
	// IDs are the behaviour IDs it checks (spec labels).
	IDs []string
	// Traits are extra spec labels ("divergence").
	Traits []string
	// Topic names what is skipped when a required input cannot be read
	// ("cannot read Secrets: credential checks skipped").
	Topic string
	// Inputs are every object the check reads; Required are those without which it cannot
	// say anything (a forbidden or failed read of one is a skip).
	Inputs   []Input
	Required []Input
	judge    func(o *Observation) Verdict
}

// Judge applies the check to an observation gathered for (at least) its inputs.
func (c Check) Judge(o *Observation) Verdict {
	for _, in := range c.Required {
		if s := o.Get(in); s.State == Forbidden || s.State == Unreadable {
			return skipped(describeState(s) + ": " + c.Topic + " skipped")
		}
	}
	return c.judge(o)
}

// Checks is every live check, in the order they are reported.
func Checks() []Check {
	return []Check{
		registryWorkload(),
		configConditions(),
		storageOneBackend(),
		storageStatus(),
		registryEnv(),
		registryPodLabel(),
		credentialsThroughSecret(),
		defaultRoute(),
		prunerFlag(),
		prunerFlagUnmanaged(),
		coConditions(),
		coFollowsConfig(),
		coRelatedObjects(),
		coVersion(),
		trustedCA(),
		storageAlerts(),
		removedAlert(),
	}
}

// ByName returns the check named name.
func ByName(name string) (Check, bool) {
	for _, c := range Checks() {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// ---- reading unstructured objects --------------------------------------------------------

func str(u *unstructured.Unstructured, path ...string) string {
	if u == nil {
		return ""
	}
	v, _, _ := unstructured.NestedFieldNoCopy(u.Object, path...)
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	default:
		return fmt.Sprint(t)
	}
}

func boolean(u *unstructured.Unstructured, path ...string) bool {
	v, _, _ := unstructured.NestedBool(u.Object, path...)
	return v
}

func has(u *unstructured.Unstructured, path ...string) bool {
	_, found, _ := unstructured.NestedFieldNoCopy(u.Object, path...)
	return found
}

// condition is an operator or ClusterOperator condition.
type condition struct{ Type, Status, Reason, Message string }

func conditions(u *unstructured.Unstructured) []condition {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	var out []condition
	for _, item := range list {
		m, _ := item.(map[string]any)
		s := func(k string) string { v, _ := m[k].(string); return v }
		out = append(out, condition{Type: s("type"), Status: s("status"), Reason: s("reason"), Message: s("message")})
	}
	return out
}

func findCondition(cs []condition, t string) (condition, bool) {
	for _, c := range cs {
		if c.Type == t {
			return c, true
		}
	}
	return condition{}, false
}

// show renders a condition for a finding: "True (Ready: The registry is ready)".
func (c condition) show() string {
	out := c.Status
	if out == "" {
		out = "absent"
	}
	if c.Reason != "" || c.Message != "" {
		out += " (" + c.Reason
		if c.Message != "" {
			if c.Reason != "" {
				out += ": "
			}
			out += firstLine(c.Message)
		}
		out += ")"
	}
	return out
}

const (
	objConfig     = "configs.imageregistry.operator.openshift.io/cluster"
	objClusterOp  = "clusteroperators.config.openshift.io/image-registry"
	objDeployment = "deployments.apps/image-registry -n openshift-image-registry"
	objCronJob    = "cronjobs.batch/image-pruner -n openshift-image-registry"
)

// registryState reads the Config's spec.managementState, or returns the skip that says
// there is no Config to read.
func registryState(o *Observation) (state string, cfg *unstructured.Unstructured, skip *Verdict) {
	s := o.Get(InConfig)
	if s.State != Present {
		v := skipped(configAbsent(s))
		return "", nil, &v
	}
	return str(s.Obj, "spec", "managementState"), s.Obj, nil
}

// configAbsent is the one reason every check that compares with the Config gives when there
// is none (so a report can say it once for all of them).
func configAbsent(s *Seen) string {
	return describeState(s) + ": nothing says what the registry should be"
}

// operatorSays is the Config's own account of a problem, for a failure's detail line.
func operatorSays(cfg *unstructured.Unstructured) string {
	if cfg == nil {
		return ""
	}
	var parts []string
	for _, t := range []string{"Available", "Progressing", "Degraded"} {
		if c, ok := findCondition(conditions(cfg), t); ok && (c.Message != "" || c.Reason != "") {
			if (t == "Available" && c.Status == "True") || (t != "Available" && c.Status == "False") {
				continue
			}
			parts = append(parts, t+" "+c.show())
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "the operator says: " + strings.Join(parts, "; ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
