package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// faultAction makes calls to a storage fake fail or slow down.
type faultAction struct{}

func (faultAction) Key() string                 { return "fault" }
func (faultAction) Used(st *v1alpha1.Step) bool { return st.Fault != nil }
func (faultAction) Describe(st *v1alpha1.Step) string {
	return fmt.Sprintf("fault %s %s %d", st.Fault.Backend, st.Fault.Op, st.Fault.Status)
}
func (faultAction) StepBackends(st *v1alpha1.Step) []string { return []string{st.Fault.Backend} }

// Validate: a fault must fail or slow something (backend, op and latency are checked by the
// format's structure).
func (faultAction) Validate(c *lint.Checker, st *v1alpha1.Step) {
	if f := st.Fault; f.Status == 0 && f.Latency == "" {
		c.Add(f.Src.Node, lint.ClassBadFault, "the fault neither fails (status) nor slows (latency) anything", "add status: 503 (and code: SlowDown) or latency: 2s")
	}
}

func (faultAction) Do(_ context.Context, r *run, st *v1alpha1.Step, _ time.Duration) error {
	f := st.Fault
	ins, err := r.inspector(f.Backend)
	if err != nil {
		return err
	}
	rule := fault.Rule{Op: f.Op, Bucket: f.Bucket, Status: f.Status, Code: f.Code, Message: f.Message, Times: f.Times}
	if f.Latency != "" {
		if rule.Latency, err = time.ParseDuration(f.Latency); err != nil {
			return fmt.Errorf("latency %q: %w", f.Latency, err)
		}
	}
	ins.Faults().Inject(rule)
	return nil
}
