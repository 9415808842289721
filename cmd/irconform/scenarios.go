package main

import (
	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/scenarios/runner"
)

// registerScenarios adds the QA scenarios (the shipped set and paths) to the suite about to
// run, against the suite's environment.
func registerScenarios(paths []string) runner.Registered {
	return runner.Register(runner.Options{Paths: paths}, specs.ScenarioCluster{})
}
