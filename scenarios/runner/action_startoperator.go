package runner

import (
	"context"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// startOperatorAction starts the reference operator (after given.operator: stopped).
type startOperatorAction struct{}

func (startOperatorAction) Key() string                            { return "startOperator" }
func (startOperatorAction) Used(st *v1alpha1.Step) bool            { return st.StartOperator }
func (startOperatorAction) Describe(*v1alpha1.Step) string         { return "start the operator" }
func (startOperatorAction) Validate(*lint.Checker, *v1alpha1.Step) {}

func (startOperatorAction) Do(ctx context.Context, r *run, _ *v1alpha1.Step, _ time.Duration) error {
	return r.cluster.StartOperator(ctx)
}
