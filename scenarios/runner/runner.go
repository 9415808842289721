// Package runner turns QA scenarios into Ginkgo specs at tree-building time, in the same
// suite as the Go specs: each scenario is one It, labelled with its behaviour IDs, its labels,
// platform:<platform> and `scenario`, named `scenario <name> (<file>)`, with its code location
// pointing at the YAML file. What a step may do and expect is the operations table
// (operations.go; one file per action and per expectation), shared with the linter. Waits go
// through conformance/expect (the watch-driven Until shared with the Go specs). A failure's
// first line is `object field: is X, want Y (IDs)`, and its location is the scenario file:
// line:col of the expect item (report entry expect.FailureLocationEntry); objects are shown with
// secret values redacted.
//
// Registration is explicit: the suite's entry points (conformance/conformance_test.go and
// `irconform run`) call Register with the Cluster the specs run against.
package runner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// ScenarioLabel is the label every scenario spec carries.
const ScenarioLabel = "scenario"

// Options say which scenarios to register.
type Options struct {
	// Paths are scenario files or directories to run besides the shipped set.
	Paths []string
}

// Registered says what Register added to the suite.
type Registered struct {
	// Specs are the scenario specs' names (`scenario <name> (<file>)`), in order.
	Specs []string
	// Files are the scenario files read.
	Files []string
	// Err is set when the scenarios could not be loaded at all (one failing spec says so).
	Err error
}

// String lists what was loaded, for a "nothing matched" message.
func (r Registered) String() string {
	if r.Err != nil {
		return "scenarios could not be loaded: " + r.Err.Error()
	}
	if len(r.Specs) == 0 {
		return fmt.Sprintf("no scenarios (%d files read)", len(r.Files))
	}
	return fmt.Sprintf("%d scenario specs from %d files:\n  %s", len(r.Specs), len(r.Files), strings.Join(r.Specs, "\n  "))
}

// Register adds one Ginkgo spec per scenario to the tree being built (call it before
// RunSpecs). cluster is used only when a spec runs.
func Register(opts Options, cluster Cluster) Registered {
	loaded, err := Load(opts.Paths)
	if err != nil {
		ginkgo.It("scenario files could not be loaded", ginkgo.Label(ScenarioLabel), func() { ginkgo.Fail(err.Error()) })
		return Registered{Err: err, Specs: []string{"scenario files could not be loaded"}}
	}
	ops := DefaultOperations()
	reg := Registered{Files: loaded.Files}
	decoded := map[string]bool{}
	for _, s := range loaded.Scenarios {
		file := s.Src.File
		decoded[file] = true
		text := fmt.Sprintf("scenario %s (%s)", s.Metadata.Name, loaded.Display[file])
		reg.Specs = append(reg.Specs, text)
		loc := codeLocation(loaded.Location[file], s.Src.Line())
		if findings := loaded.Findings[file]; len(findings) > 0 {
			ginkgo.It(text, loc, Labels(s), func() { failFindings("the scenario file has lint findings", findings) })
			continue
		}
		r := &run{ops: ops, s: s, display: loaded.Display[file], cluster: cluster}
		ginkgo.It(text, loc, Labels(s), func(ctx ginkgo.SpecContext) {
			if err := cluster.Ready(); err != nil {
				ginkgo.Fail("the suite's environment is not set up: " + err.Error())
			}
			r.run(ctx)
		})
	}
	files := make([]string, 0, len(loaded.Findings))
	for file := range loaded.Findings {
		if !decoded[file] {
			files = append(files, file)
		}
	}
	sort.Strings(files)
	for _, file := range files {
		text := fmt.Sprintf("scenario file %s", loaded.Display[file])
		reg.Specs = append(reg.Specs, text)
		findings := loaded.Findings[file]
		ginkgo.It(text, codeLocation(loaded.Location[file], 1), ginkgo.Label(ScenarioLabel), func() {
			failFindings("the scenario file cannot be read", findings)
		})
	}
	return reg
}

func codeLocation(file string, line int) types.CodeLocation {
	loc := types.NewCodeLocation(0)
	loc.FileName, loc.LineNumber, loc.FullStackTrace = file, line, ""
	return loc
}

// failFindings fails a spec with lint findings: the first finding is the first line.
func failFindings(what string, findings []lint.Finding) {
	first := findings[0]
	pos := fmt.Sprintf("%s:%d:%d", first.File, first.Line, first.Col)
	ginkgo.AddReportEntry(expect.FailureLocationEntry, pos, types.NewCustomCodeLocation(pos), ginkgo.ReportEntryVisibilityNever)
	ginkgo.Fail(fmt.Sprintf("%s\n  %s (%d finding(s); `irconform lint %s`):\n%s", first.String(), what, len(findings), first.File, findingsText(findings)))
}

// Labels are a scenario's Ginkgo labels.
func Labels(s *v1alpha1.Scenario) ginkgo.Labels {
	out := ginkgo.Labels{ScenarioLabel}
	out = append(out, s.Behaviors...)
	out = append(out, s.Labels...)
	if s.Platform != "" {
		out = append(out, "platform:"+strings.ToLower(s.Platform))
	}
	seen := map[string]bool{}
	uniq := out[:0]
	for _, l := range out {
		if !seen[l] {
			seen[l] = true
			uniq = append(uniq, l)
		}
	}
	return uniq
}

func findingsText(findings []lint.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString("    " + f.String() + "\n")
	}
	return b.String()
}
