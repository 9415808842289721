package runner

import (
	"context"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// restartOperatorAction stops the operator and starts it again (a restart).
type restartOperatorAction struct{}

func (restartOperatorAction) Key() string                            { return "restartOperator" }
func (restartOperatorAction) Used(st *v1alpha1.Step) bool            { return st.RestartOperator }
func (restartOperatorAction) Describe(*v1alpha1.Step) string         { return "restart the operator" }
func (restartOperatorAction) Validate(*lint.Checker, *v1alpha1.Step) {}

func (restartOperatorAction) Do(ctx context.Context, r *run, _ *v1alpha1.Step, _ time.Duration) error {
	if err := r.cluster.StopOperator(); err != nil {
		return err
	}
	return r.cluster.StartOperator(ctx)
}
