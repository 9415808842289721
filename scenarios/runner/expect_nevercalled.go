package runner

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// neverCalledCheck: a storage fake never received these calls for the bucket, during the
// whole scenario (checked with the step, and again when the scenario ends).
type neverCalledCheck struct{}

func (neverCalledCheck) Keys() []string                    { return []string{"neverCalled"} }
func (neverCalledCheck) About() lint.Subject               { return lint.AboutBucket }
func (neverCalledCheck) Used(e *v1alpha1.Expectation) bool { return len(e.NeverCalled) > 0 }
func (neverCalledCheck) Describe(e *v1alpha1.Expectation) string {
	return "never called " + strings.Join(e.NeverCalled, ", ")
}

func (neverCalledCheck) Validate(c *lint.Checker, e *v1alpha1.Expectation) {
	seq := e.Src.Field("neverCalled")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for _, n := range seq.Content {
		if !slices.Contains(v1alpha1.Ops, n.Value) {
			c.Add(n, lint.ClassUnknownOp, fmt.Sprintf("unknown operation %q", n.Value), lint.Suggest(n.Value, v1alpha1.Ops, "operations"))
		}
	}
}

func (neverCalledCheck) Compile(_ *run, e *v1alpha1.Expectation) (verify, error) {
	bucket := e.Bucket.Name
	if bucket == "*" {
		bucket = ""
	}
	return func(s *seen) *failure {
		for _, op := range e.NeverCalled {
			if n := s.fake.Faults().Count(op, bucket); n > 0 {
				return &failure{field: op + " calls", is: fmt.Sprint(n), want: "0", detail: callLog(s.fake.Faults().Calls(), bucket)}
			}
		}
		return nil
	}, nil
}

func callLog(calls []fault.Call, bucket string) string {
	var b strings.Builder
	b.WriteString("calls received:")
	n := 0
	for _, c := range calls {
		if bucket != "" && c.Bucket != bucket {
			continue
		}
		n++
		if n > 30 {
			b.WriteString("\n...")
			break
		}
		fmt.Fprintf(&b, "\n%s %s %s", c.At.Format("15:04:05.000"), c.Op, c.Bucket)
		if c.Injected != 0 {
			fmt.Fprintf(&b, " (injected %d)", c.Injected)
		}
	}
	return b.String()
}
