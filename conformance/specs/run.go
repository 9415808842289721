package specs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"
	"github.com/onsi/gomega/format"

	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/internal/failure"
	"github.com/irconform/irconform/internal/redact"
)

// Result is what a run tells its caller (the CLI, go test, the benchmark).
type Result struct {
	// Passed: every selected spec passed (Ginkgo's verdict).
	Passed bool
	// SetupErr is set when the suite could not start (no envtest binaries, a live target
	// that cannot be used). No report was written then.
	SetupErr error
	// Live is true when SetupErr comes from the live target (the CLI maps it to an exit code).
	Live bool
	// Selected of Total specs were selected by the focus and label filter.
	Selected, Total int
	// Partial: the selection left specs out.
	Partial bool
	// Interrupted: the run was stopped before its end (Ctrl-C); its report says so.
	Interrupted bool
	// ReportDir is where the reports were written ("" when none were).
	ReportDir string
}

// ExitNothingSelected is the exit status of a run whose selection matches no spec: it ends
// before any verdict and writes nothing.
const ExitNothingSelected = 2

// Run runs the suite once with Ginkgo's suite and reporter configuration, as both entry points
// (`irconform run` and `go test ./conformance`) do, so that both get the same outputs:
//   - every Gomega failure is rewritten failure first ("desc: is X, want Y (ID)", see
//     internal/failure) and redacted before Ginkgo records or prints it;
//   - everything Ginkgo prints goes through the redactor, with file paths relative to the
//     repository, and without colours when NO_COLOR is set or stdout is not a terminal;
//   - a selection that matches nothing ends the process with ExitNothingSelected before any
//     verdict is printed and without writing or moving any report.
//
// It can be called once per process (a Ginkgo limit).
func Run(t ginkgo.GinkgoTestingT, o Options, suite types.SuiteConfig, reporter types.ReporterConfig) Result {
	suiteOpts = o
	if suiteOpts.exit == nil {
		suiteOpts.exit = os.Exit
	}
	root := repoRoot()
	out := io.Writer(os.Stdout)
	if o.FrameworkOut != nil {
		out = o.FrameworkOut
	}
	term := redact.Writer(os.Stdout, redact.Default(), root+string(filepath.Separator))
	// Outermost the scenarios' own failure locations (Ginkgo prints absolute Go paths, which
	// the redactor's writer then makes relative).
	framework := io.Writer(newLocationWriter(redact.Writer(out, redact.Default(), root+string(filepath.Separator)), &relocations))
	// Ginkgo's default reporter writes to formatter.ColorableStdOut, read when RunSpecs starts:
	// the only place where every line Ginkgo prints (failures, their locations, captured
	// output) can be redacted, for `go test` as for the CLI.
	prevOut := formatter.ColorableStdOut
	formatter.ColorableStdOut = framework
	defer func() { formatter.ColorableStdOut = prevOut }()
	terminal = term
	if f, ok := out.(*os.File); !ok || NoColor(f) {
		reporter.NoColor = true
	}
	// In verbose mode Ginkgo streams GinkgoWriter (logs, spec output) straight to the stdout
	// it captured at start-up, past any redactor. Stream it through the redactor instead,
	// and let the reporter print spec by spec as in normal mode.
	if reporter.Verbose || reporter.VeryVerbose {
		reporter.Verbose, reporter.VeryVerbose = false, false
		ginkgo.GinkgoWriter.TeeTo(framework)
		defer ginkgo.GinkgoWriter.ClearTeeWriters()
	}
	// Whole values in failure messages: Gomega's truncated diff of two long strings shows a
	// fragment of each ("...id = KANARI..."), which no redactor recognises as a secret and
	// which hides where the values differ; the statement line cuts long values itself.
	format.TruncatedDiff = false
	gomega.RegisterFailHandler(failHandler)
	passed := ginkgo.RunSpecs(t, SuiteName, suite, reporter)
	return Result{Passed: passed, SetupErr: setupErr, Live: setupLive, Selected: selected, Total: totalSpecs,
		Partial: partial, Interrupted: interrupted, ReportDir: writtenDir}
}

// NoColor tells whether output to f must carry no ANSI colour codes: NO_COLOR is set (to
// anything but "", https://no-color.org), or f is not a terminal (a file, a pipe, a CI log).
func NoColor(f *os.File) bool {
	return os.Getenv("NO_COLOR") != "" || !isTerminal(f)
}

// terminal is where the suite's own lines (the summary) go: stdout through the redactor.
var terminal io.Writer = os.Stdout

// failHandler is Gomega's fail handler for the suite: failure first, with the spec's
// behaviour IDs, redacted (with what the suite has learned of the cluster's secrets so far),
// then handed to Ginkgo at the caller's location.
func failHandler(message string, callerSkip ...int) {
	skip := 0
	if len(callerSkip) > 0 {
		skip = callerSkip[0]
	}
	learnSecrets()
	msg := failure.Rewrite(message, behaviorIDs(ginkgo.CurrentSpecReport().Labels()))
	ginkgo.Fail(redact.Default().Redact(msg), skip+1)
}

// behaviorIDs are the catalogue IDs among labels, sorted.
func behaviorIDs(labels []string) []string {
	return sortedCopy(behaviorid.Filter(labels))
}

// nothingSelected explains an empty selection and what there was to select.
func nothingSelected(r types.Report) string {
	c := r.SuiteConfig
	var sel []string
	if c.LabelFilter != "" {
		sel = append(sel, fmt.Sprintf("label filter %q", c.LabelFilter))
	}
	if focus := focusAsGiven(c); len(focus) > 0 {
		sel = append(sel, fmt.Sprintf("focus %q", strings.Join(focus, ",")))
	}
	if len(c.SkipStrings) > 0 {
		sel = append(sel, fmt.Sprintf("skip %q", strings.Join(c.SkipStrings, ",")))
	}
	if len(c.FocusFiles) > 0 {
		sel = append(sel, fmt.Sprintf("focus files %q", strings.Join(c.FocusFiles, ",")))
	}
	what := "the selection"
	if len(sel) > 0 {
		what = strings.Join(sel, ", ")
	}
	loaded := ""
	if suiteOpts.Loaded != "" {
		loaded = "\nScenarios loaded: " + suiteOpts.Loaded
	}
	return fmt.Sprintf("irconform: no spec matched %s: nothing was run and no report was written.\n"+
		"Loaded %d specs (scenarios carry the label %q). Labels are behaviour IDs (BOOT-003, '/^S3-/' for an area) and\n"+
		"traits (divergence, disruptive, live, platform:aws); focus matches spec names. Every spec with its labels:\n"+
		"the spec table of reports/out/latest/report.html, or `jq '.specs[] | [.name, .labels]' reports/out/latest/report.json`.%s",
		what, r.PreRunStats.TotalSpecs, "scenario", loaded)
}
