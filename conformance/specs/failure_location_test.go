package specs

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/irconform/irconform/conformance/expect"
)

// A scenario records where it failed in its YAML file; the report shows that, not the
// runner's Go code.
func TestFailureLocation(t *testing.T) {
	goLoc := types.CodeLocation{FileName: "/src/scenarios/runner/run.go", LineNumber: 42}
	s := types.SpecReport{Failure: types.Failure{Location: goLoc}}
	if got := failureLocation("/src", s); got != "scenarios/runner/run.go:42" {
		t.Errorf("a Go spec's failure location is Ginkgo's, relative to the repository: got %s", got)
	}
	if got := failureLocation("/elsewhere", s); got != "/src/scenarios/runner/run.go:42" {
		t.Errorf("outside the repository the path stays as it is: got %s", got)
	}
	s.ReportEntries = types.ReportEntries{
		{Name: "other", Location: types.NewCustomCodeLocation("nope")},
		{Name: expect.FailureLocationEntry, Location: types.NewCustomCodeLocation("scenarios/x.yaml:12:9")},
	}
	if got := failureLocation("/src", s); got != "scenarios/x.yaml:12:9" {
		t.Errorf("got %s, want the scenario's file:line:col", got)
	}
}
