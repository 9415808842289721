package runner

import (
	"context"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// clearFaultsAction removes every fault rule of one storage fake, or of all.
type clearFaultsAction struct{}

func (clearFaultsAction) Key() string                            { return "clearFaults" }
func (clearFaultsAction) Used(st *v1alpha1.Step) bool            { return st.ClearFaults != "" }
func (clearFaultsAction) Describe(st *v1alpha1.Step) string      { return "clear faults " + st.ClearFaults }
func (clearFaultsAction) Validate(*lint.Checker, *v1alpha1.Step) {} // the value is an enum of the format

// StepBackends: clearing one backend needs its fake; "all" clears whatever runs.
func (clearFaultsAction) StepBackends(st *v1alpha1.Step) []string {
	if st.ClearFaults == "all" {
		return nil
	}
	return []string{st.ClearFaults}
}

func (clearFaultsAction) Do(_ context.Context, r *run, st *v1alpha1.Step, _ time.Duration) error {
	for _, b := range v1alpha1.Backends {
		if st.ClearFaults != "all" && st.ClearFaults != b {
			continue
		}
		ins, err := r.inspector(b)
		if err != nil {
			if st.ClearFaults == "all" {
				continue
			}
			return err
		}
		ins.Faults().Clear()
	}
	return nil
}
