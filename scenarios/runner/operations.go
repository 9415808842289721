package runner

import (
	"context"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// The scenario operations, one file each (action_*.go, expect_*.go), as chainsaw keeps one
// per operation. Each has Validate (static checks, run by lint), Describe (what the spec's
// progress shows) and Do (what runs). Lint and the runner both take them from Operations, so
// a new action is one new file plus its line below (and its field in v1alpha1.Step, the
// format): nothing else lists the actions (TestOperationsCoverTheFormat checks both ways).

// Action is a step action: apply, patch, delete, fault, ...
type Action interface {
	lint.Action
	// Describe is the step's title when it has no name.
	Describe(st *v1alpha1.Step) string
	// Do runs the action. timeout is the step's: an action that must wait (a patch waits
	// for its object to exist) waits at most that long.
	Do(ctx context.Context, r *run, st *v1alpha1.Step, timeout time.Duration) error
}

// Check is one kind of expectation: presence, a field, a condition, ...
type Check interface {
	lint.Check
	// Describe says what e expects of its subject, for the progress output.
	Describe(e *v1alpha1.Expectation) string
	// Compile prepares e's check (regular expressions and paths are parsed here, with errors,
	// never panics). The verifier is given what the subject looks like at one moment and
	// returns what does not hold (nil when it holds).
	Compile(r *run, e *v1alpha1.Expectation) (verify, error)
}

// Backends is implemented by operations that need storage fakes started for the scenario.
type Backends interface {
	// StepBackends are the backends a step's action needs.
	StepBackends(st *v1alpha1.Step) []string
}

// ExpectBackends is implemented by checks that read a storage fake.
type ExpectBackends interface {
	ExpectBackends(e *v1alpha1.Expectation) []string
}

// Operations is the table of what a scenario may do and expect, in the order a step's
// action and an item's checks are considered.
type Operations struct {
	Actions []Action
	Checks  []Check
}

// DefaultOperations are the operations of the scenario format irconform.io/v1alpha1.
func DefaultOperations() Operations {
	return Operations{
		Actions: []Action{
			applyAction{}, patchAction{}, deleteAction{}, faultAction{}, clearFaultsAction{},
			waitAction{}, startOperatorAction{}, restartOperatorAction{},
		},
		Checks: []Check{
			presenceCheck{}, fieldCheck{}, conditionCheck{}, envCheck{}, argCheck{},
			bucketCheck{}, neverCalledCheck{},
		},
	}
}

// LintConfig is the linter's view of the operations.
func (o Operations) LintConfig() lint.Config {
	cfg := lint.Config{}
	for _, a := range o.Actions {
		cfg.Actions = append(cfg.Actions, a)
	}
	for _, c := range o.Checks {
		cfg.Checks = append(cfg.Checks, c)
	}
	return cfg
}

// action returns the step's action (nil when it only expects).
func (o Operations) action(st *v1alpha1.Step) Action {
	for _, a := range o.Actions {
		if a.Used(st) {
			return a
		}
	}
	return nil
}
