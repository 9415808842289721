package runner

import (
	"context"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// deleteAction deletes an object (its finalizers are left to the operator).
type deleteAction struct{}

func (deleteAction) Key() string                 { return "delete" }
func (deleteAction) Used(st *v1alpha1.Step) bool { return st.Delete != nil }
func (deleteAction) Describe(st *v1alpha1.Step) string {
	return "delete " + st.Delete.Kind + " " + st.Delete.Name
}

func (deleteAction) Validate(c *lint.Checker, st *v1alpha1.Step) {
	d := st.Delete
	c.Ref(d.Src, d.Kind, d.Name, d.Namespace)
}

func (deleteAction) Do(ctx context.Context, r *run, st *v1alpha1.Step, _ time.Duration) error {
	u, err := ref(st.Delete.Kind, st.Delete.Name, st.Delete.Namespace)
	if err != nil {
		return err
	}
	return r.cluster.Client().Delete(ctx, u)
}
