package specs

import (
	"strings"
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

// Ginkgo's own output names a failed scenario's file:line:col, not the runner's Go line:
// in the spec's block and in the final summary, each spec its own.
func TestLocationWriter(t *testing.T) {
	var rl relocated
	for _, sc := range []struct{ name, at string }{{"scenario a (s/a.yaml)", "s/a.yaml:12:9"}, {"scenario b (s/b.yaml)", "s/b.yaml:3:5"}} {
		rl.record(types.SpecReport{
			LeafNodeText: sc.name, State: types.SpecStateFailed,
			Failure:       types.Failure{Location: types.CodeLocation{FileName: "/src/scenarios/runner/run.go", LineNumber: 84}},
			ReportEntries: types.ReportEntries{{Name: expect.FailureLocationEntry, Location: types.NewCustomCodeLocation(sc.at)}},
		})
	}
	// A Go spec keeps its location; a passed spec is not recorded.
	rl.record(types.SpecReport{LeafNodeText: "scenario c (s/c.yaml)", State: types.SpecStatePassed,
		ReportEntries: types.ReportEntries{{Name: expect.FailureLocationEntry, Location: types.NewCustomCodeLocation("s/c.yaml:1:1")}}})
	var out strings.Builder
	w := newLocationWriter(&out, &rl)
	for _, chunk := range []string{
		"• [FAILED] [3.0 seconds]\n[It] scenario a (s/a.yaml) [scenario]\n",
		"  [FAILED] in [It] - /src/scenarios/runner/run.go:84 @ 12/01/26\n  In [It] at: /src/scenarios/runner/run.go:84 @ 12/01/26\n",
		"Summarizing 3 Failures:\n  [FAIL] [It] scenario a (s/a.yaml) [scenario]\n  /src/scenarios/runner/run.go:84\n",
		"  [FAIL] [It] scenario b (s/b.yaml) [scenario]\n  /src/scenarios/runner/run.go:84\n",
		"  [FAIL] [It] a Go spec [BOOT-001]\n  /src/conformance/specs/boot.go:40\n",
	} {
		if n, err := w.Write([]byte(chunk)); err != nil || n != len(chunk) {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	got := out.String()
	if strings.Contains(got, "run.go") {
		t.Errorf("the runner's Go location is left:\n%s", got)
	}
	for _, want := range []string{
		"In [It] at: s/a.yaml:12:9 @", "[FAILED] in [It] - s/a.yaml:12:9 @",
		"scenario a (s/a.yaml) [scenario]\n  s/a.yaml:12:9\n", "scenario b (s/b.yaml) [scenario]\n  s/b.yaml:3:5\n",
		"/src/conformance/specs/boot.go:40",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}
