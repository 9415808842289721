package expect

import (
	"fmt"
	"regexp"
	"strings"
)

// ConditionWant is what a condition must look like; empty fields are not checked.
type ConditionWant struct {
	Type            string
	Status          string
	Reason          string
	Message         string
	MessageContains string
}

func (w ConditionWant) String() string {
	parts := []string{"type=" + w.Type}
	if w.Status != "" {
		parts = append(parts, "status="+w.Status)
	}
	if w.Reason != "" {
		parts = append(parts, "reason="+w.Reason)
	}
	if w.Message != "" {
		parts = append(parts, fmt.Sprintf("message=%q", w.Message))
	}
	if w.MessageContains != "" {
		parts = append(parts, fmt.Sprintf("message contains %q", w.MessageContains))
	}
	return strings.Join(parts, " ")
}

// Conditions returns status.conditions of an object map (Config, ImagePruner, ClusterOperator
// or anything else with the usual shape).
func Conditions(obj map[string]any) []map[string]any {
	st, _ := obj["status"].(map[string]any)
	l, _ := st["conditions"].([]any)
	out := make([]map[string]any, 0, len(l))
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// CheckCondition checks that obj has a condition matching want.
func CheckCondition(obj map[string]any, want ConditionWant) error {
	conds := Conditions(obj)
	for _, c := range conds {
		if c["type"] != want.Type {
			continue
		}
		status, _ := c["status"].(string)
		reason, _ := c["reason"].(string)
		msg, _ := c["message"].(string)
		var bad []string
		if want.Status != "" && status != want.Status {
			bad = append(bad, fmt.Sprintf("status is %q, want %q", status, want.Status))
		}
		if want.Reason != "" && reason != want.Reason {
			bad = append(bad, fmt.Sprintf("reason is %q, want %q", reason, want.Reason))
		}
		if want.Message != "" && msg != want.Message {
			bad = append(bad, fmt.Sprintf("message is %q, want %q", msg, want.Message))
		}
		if want.MessageContains != "" && !strings.Contains(msg, want.MessageContains) {
			bad = append(bad, fmt.Sprintf("message %q does not contain %q", msg, want.MessageContains))
		}
		if len(bad) > 0 {
			return fmt.Errorf("condition %s: %s", want.Type, strings.Join(bad, "; "))
		}
		return nil
	}
	types := make([]string, 0, len(conds))
	for _, c := range conds {
		types = append(types, fmt.Sprint(c["type"]))
	}
	return fmt.Errorf("no condition %s (conditions present: %s)", want.Type, strings.Join(types, ", "))
}

// PodSpec returns the pod spec inside a Deployment, Job, CronJob, DaemonSet, StatefulSet or
// Pod object map (nil when there is none).
func PodSpec(obj map[string]any) map[string]any {
	dig := func(m map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			n, ok := m[k].(map[string]any)
			if !ok {
				return nil
			}
			m = n
		}
		return m
	}
	switch obj["kind"] {
	case "Pod":
		return dig(obj, "spec")
	case "CronJob":
		return dig(obj, "spec", "jobTemplate", "spec", "template", "spec")
	default:
		return dig(obj, "spec", "template", "spec")
	}
}

// Containers lists the containers (init containers included) of an object's pod spec.
func Containers(obj map[string]any) []map[string]any {
	ps := PodSpec(obj)
	var out []map[string]any
	for _, k := range []string{"initContainers", "containers"} {
		l, _ := ps[k].([]any)
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// EnvVar is one environment variable as found in a pod template.
type EnvVar struct {
	Container string
	Name      string
	Value     string
	HasValue  bool
	// SecretName/SecretKey are set when the value comes from valueFrom.secretKeyRef.
	SecretName, SecretKey string
}

// FindEnv returns the first env var called name in any container.
func FindEnv(obj map[string]any, name string) (EnvVar, bool) {
	for _, c := range Containers(obj) {
		l, _ := c["env"].([]any)
		for _, e := range l {
			m, _ := e.(map[string]any)
			if m["name"] != name {
				continue
			}
			ev := EnvVar{Name: name}
			ev.Container, _ = c["name"].(string)
			if v, ok := m["value"].(string); ok {
				ev.Value, ev.HasValue = v, true
			}
			if vf, ok := m["valueFrom"].(map[string]any); ok {
				if sk, ok := vf["secretKeyRef"].(map[string]any); ok {
					ev.SecretName, _ = sk["name"].(string)
					ev.SecretKey, _ = sk["key"].(string)
				}
			}
			return ev, true
		}
	}
	return EnvVar{}, false
}

// EnvWant is what an env var must look like; nil/empty fields are not checked.
type EnvWant struct {
	Name    string
	Value   *string
	Matches *regexp.Regexp
	// SecretName/SecretKey: the value must come from this secret key.
	SecretName, SecretKey string
	Absent                bool
}

// CheckEnv checks an env var of obj's pod template. Values of secret-looking variables are
// redacted in the error.
func CheckEnv(obj map[string]any, want EnvWant) error {
	ev, found := FindEnv(obj, want.Name)
	show := func(v string) string {
		if IsSecretName(want.Name) {
			return Redacted
		}
		return fmt.Sprintf("%q", v)
	}
	if want.Absent {
		if found {
			return fmt.Errorf("env %s should be absent, but is set (value %s)", want.Name, show(ev.Value))
		}
		return nil
	}
	if !found {
		return fmt.Errorf("env %s is not set", want.Name)
	}
	if want.Value != nil && (!ev.HasValue || ev.Value != *want.Value) {
		if !ev.HasValue {
			return fmt.Errorf("env %s has no literal value (valueFrom secret %q key %q), want %s", want.Name, ev.SecretName, ev.SecretKey, show(*want.Value))
		}
		return fmt.Errorf("env %s is %s, want %s", want.Name, show(ev.Value), show(*want.Value))
	}
	if want.Matches != nil && !want.Matches.MatchString(ev.Value) {
		return fmt.Errorf("env %s is %s, which does not match /%s/", want.Name, show(ev.Value), want.Matches)
	}
	if want.SecretName != "" && (ev.SecretName != want.SecretName || ev.SecretKey != want.SecretKey) {
		return fmt.Errorf("env %s comes from secret %q key %q, want secret %q key %q", want.Name, ev.SecretName, ev.SecretKey, want.SecretName, want.SecretKey)
	}
	return nil
}

// Args returns every command and args entry of every container of obj's pod template.
func Args(obj map[string]any) []string {
	var out []string
	for _, c := range Containers(obj) {
		for _, k := range []string{"command", "args"} {
			l, _ := c[k].([]any)
			for _, a := range l {
				if s, ok := a.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// CheckArg checks that obj's pod template has (present) or lacks (!present) argument arg.
func CheckArg(obj map[string]any, arg string, present bool) error {
	args := Args(obj)
	has := false
	for _, a := range args {
		if a == arg {
			has = true
			break
		}
	}
	switch {
	case present && !has:
		return fmt.Errorf("argument %s is missing (args: %s)", arg, strings.Join(args, " "))
	case !present && has:
		return fmt.Errorf("argument %s should be absent (args: %s)", arg, strings.Join(args, " "))
	}
	return nil
}
