package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// waitAction pauses. Rarely needed: expectations already wait for what they expect.
type waitAction struct{}

func (waitAction) Key() string                            { return "wait" }
func (waitAction) Used(st *v1alpha1.Step) bool            { return st.Wait != "" }
func (waitAction) Describe(st *v1alpha1.Step) string      { return "wait " + st.Wait }
func (waitAction) Validate(*lint.Checker, *v1alpha1.Step) {} // a duration of the format

func (waitAction) Do(ctx context.Context, _ *run, st *v1alpha1.Step, _ time.Duration) error {
	d, err := time.ParseDuration(st.Wait)
	if err != nil {
		return fmt.Errorf("wait %q: %w", st.Wait, err)
	}
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
