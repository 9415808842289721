package runner

import (
	"context"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// applyAction creates an object, or merges it into the existing one (as oc apply).
type applyAction struct{}

func (applyAction) Key() string                 { return "apply" }
func (applyAction) Used(st *v1alpha1.Step) bool { return st.Apply != nil }
func (applyAction) Describe(st *v1alpha1.Step) string {
	return "apply " + st.Apply.Kind + " " + st.Apply.Name
}

// Validate checks the manifest: kind, name, namespace, and its body against the kind's API.
func (applyAction) Validate(c *lint.Checker, st *v1alpha1.Step) { c.Object(st.Apply, false) }

func (applyAction) Do(ctx context.Context, r *run, st *v1alpha1.Step, _ time.Duration) error {
	return r.apply(ctx, st.Apply, true)
}
