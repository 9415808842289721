package runner

import (
	"fmt"
	"strings"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/internal/fieldpath"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// conditionCheck: a condition in status.conditions, matched by type.
type conditionCheck struct{}

func (conditionCheck) Keys() []string                    { return []string{"condition"} }
func (conditionCheck) About() lint.Subject               { return lint.AboutObject }
func (conditionCheck) Used(e *v1alpha1.Expectation) bool { return e.Condition != nil }
func (conditionCheck) Describe(e *v1alpha1.Expectation) string {
	return "condition " + e.Condition.Type + " " + conditionWant(e.Condition)
}

func (conditionCheck) Validate(c *lint.Checker, e *v1alpha1.Expectation) {
	c.NeedsSubject()
	cond := e.Condition
	if !c.Info().Conditions {
		c.Add(c.KeyNode(e.Src, "condition"), lint.ClassMisplaced, fmt.Sprintf("%s has no status conditions", e.Kind), "conditions are on Config, ImagePruner and ClusterOperator (and Deployment/Job)")
	}
	if cond.Status != "" {
		c.Claim("condition", cond.Type, cond.Status, c.KeyNode(e.Src, "condition"), fmt.Sprintf("condition %s status %s", cond.Type, cond.Status))
	}
	if cond.Message != "" && cond.MessageContains != "" && !strings.Contains(cond.Message, cond.MessageContains) {
		c.Add(v1alpha1.KeyNode(e.Src.Field("condition"), "messageContains"), lint.ClassImpossible, "message and messageContains disagree", "keep one")
	}
}

func (conditionCheck) Compile(_ *run, e *v1alpha1.Expectation) (verify, error) {
	want := e.Condition
	field := "status.conditions[type=" + want.Type + "]"
	return func(s *seen) *failure {
		conds := conditions(s.obj)
		status := expect.Dump(map[string]any{"status": s.obj["status"]})
		for _, c := range conds {
			if c["type"] != want.Type {
				continue
			}
			text := func(k string) string { v, _ := c[k].(string); return v }
			var is, wanted []string
			differ := func(key, got, w string) {
				is = append(is, key+": "+fieldpath.Show(got))
				wanted = append(wanted, key+": "+fieldpath.Show(w))
			}
			if want.Status != "" && text("status") != want.Status {
				differ("status", text("status"), want.Status)
			}
			if want.Reason != "" && text("reason") != want.Reason {
				differ("reason", text("reason"), want.Reason)
			}
			if want.Message != "" && text("message") != want.Message {
				differ("message", text("message"), want.Message)
			}
			if want.MessageContains != "" && !strings.Contains(text("message"), want.MessageContains) {
				is = append(is, "message: "+fieldpath.Show(text("message")))
				wanted = append(wanted, "message containing "+fieldpath.Show(want.MessageContains))
			}
			if len(is) == 0 {
				return nil
			}
			return &failure{field: field, is: "{" + strings.Join(is, ", ") + "}", want: "{" + strings.Join(wanted, ", ") + "}", detail: status}
		}
		types := make([]string, 0, len(conds))
		for _, c := range conds {
			types = append(types, fmt.Sprint(c["type"]))
		}
		return &failure{field: field, is: fieldpath.NotSet, want: conditionWant(want),
			detail: fmt.Sprintf("conditions present: %s\n%s", strings.Join(types, ", "), status)}
	}, nil
}

// conditionWant shows what a condition expectation wants.
func conditionWant(c *v1alpha1.ConditionExpect) string {
	var parts []string
	for _, kv := range [][2]string{{"status", c.Status}, {"reason", c.Reason}, {"message", c.Message}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+fieldpath.Show(kv[1]))
		}
	}
	if c.MessageContains != "" {
		parts = append(parts, "message containing "+fieldpath.Show(c.MessageContains))
	}
	if len(parts) == 0 {
		return "set"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// conditions returns status.conditions of an object map.
func conditions(obj map[string]any) []map[string]any {
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
