// Package specs holds the conformance specs: Ginkgo containers registered at package load,
// run by `go test ./conformance` and by `irconform run` alike. Each It carries the
// behaviour IDs it checks as labels (BOOT-003, ...) plus traits (divergence, disruptive).
// Expectations are literal values from the behaviour catalogue; nothing here imports the
// reference operator's render code.
package specs

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/fakes/cluster"
	"github.com/irconform/irconform/internal/redact"
	"github.com/irconform/irconform/reports"
)

// Options are the run's settings, set before RunSpecs.
type Options struct {
	// ReportBase is where timestamped run folders go (reports/out); "latest" points at the last
	// full run, "latest-partial" at the last partial or interrupted one.
	ReportBase string
	// ReportDir, when set, is the exact folder to write to instead.
	ReportDir string
	// OperatorLogs shows the in-process operator's logs (noisy; for debugging).
	OperatorLogs bool
	// Kubeconfig selects a live cluster instead of the embedded envtest ("" = envtest).
	Kubeconfig string
	Context    string
	// Disruptive allows the mutating live specs (they snapshot and restore what they touch).
	Disruptive bool
	// Operator is the operator under test (default: the reference, in-process).
	Operator harness.OperatorOptions
	// Progress prints "[n/N] elapsed result spec" to stderr as specs finish: one updating line
	// on a terminal, plain lines otherwise (CI logs).
	Progress bool
	// Live is a live target already probed by the caller (the CLI probes before it asks for
	// confirmation; in a pod it is the ServiceAccount's); nil: the suite probes Kubeconfig itself.
	Live *target.Live
	// NoSummary leaves the terminal summary out (the reports are still written): callers whose
	// standard output is machine-read, such as the openshift-tests extension.
	NoSummary bool
	// Focus is the focus as the user gave it, when the caller rewrote it for Ginkgo
	// (FocusOnNames): the report's selection and the no-match message show it, not the
	// rewritten patterns.
	Focus []string
	// ScenarioPaths are scenario files or folders run beside the shipped ones (recorded in
	// the report's selection; IRCONFORM_SCENARIOS when not set).
	ScenarioPaths []string
	// Loaded says which scenarios were registered (runner.Registered.String()), for the
	// message of a selection that matches nothing.
	Loaded string
	// FrameworkOut is where Ginkgo's own output goes (stdout when nil; the CLI sends it to
	// ginkgo.log on a quiet live run). It always goes through the redactor.
	FrameworkOut io.Writer

	// NothingSelected, when set, is called with the explanation when the selection matches no
	// spec, instead of printing it and ending the process with ExitNothingSelected (callers
	// that must answer in their own format, such as the openshift-tests extension). Nothing
	// is written either way.
	NothingSelected func(message string)

	// Claims, when set, makes this process one of several running the same selection in
	// parallel (`irconform run --parallel N`): a spec runs here only if this process is the
	// first to claim it in that shared folder, and is skipped with ClaimedElsewhere otherwise.
	// The parent merges the processes' reports (conformance/parallel).
	Claims string
	// Process numbers this process among the parallel ones (progress lines), 0 alone.
	Process int

	// exit ends the process (os.Exit; replaced in tests).
	exit func(int)
}

// The run's state: Ginkgo nodes are registered at package load, so they share it through
// package variables; Run hands what the caller needs back in a Result.
var (
	suiteOpts Options
	// setupErr: BeforeSuite could not build the world (setupLive: the live target's fault).
	setupErr  error
	setupLive bool
	// selected of totalSpecs specs were selected; partial: the selection left specs out.
	selected, totalSpecs int
	partial              bool
	// writtenDir is where the reports went.
	writtenDir string
	env        *harness.Env
	// suiteCtx lives for the whole suite.
	suiteCtx    context.Context
	suiteCancel context.CancelFunc
	// envStartTook is reported by the benchmark.
	envStartTook time.Duration
)

var _ = BeforeSuite(func() {
	suiteCtx, suiteCancel = context.WithCancel(context.Background())
	logger := logr.Discard()
	if suiteOpts.OperatorLogs || os.Getenv("IRCONFORM_OPERATOR_LOGS") != "" {
		// Millisecond timestamps: spec timing questions are about milliseconds.
		// Through the redactor: a log line is an output like any other.
		w := redact.Writer(GinkgoWriter, redact.Default(), repoRoot()+string(filepath.Separator))
		logger = zap.New(zap.WriteTo(w), zap.UseDevMode(true), func(o *zap.Options) { o.TimeEncoder = zapcore.RFC3339NanoTimeEncoder })
	}
	ctrllog.SetLogger(logger)
	start := time.Now()
	var err error
	if suiteOpts.Kubeconfig != "" || suiteOpts.Live != nil {
		live := suiteOpts.Live
		if live == nil {
			live, err = target.NewLive(suiteCtx, suiteOpts.Kubeconfig, suiteOpts.Context, suiteOpts.Disruptive)
		}
		if err == nil {
			env, err = harness.NewLiveEnv(suiteCtx, live)
		}
		if err != nil {
			setupErr, setupLive = err, true
			Fail(redact.Default().Redact(err.Error()))
		}
		liveTarget = live
	} else {
		env, err = harness.StartEnvtestWith(suiteCtx, logger, suiteOpts.Operator)
		if err != nil {
			// One clear line naming the fix (the error says which command makes the binaries).
			setupErr = err
			Fail(err.Error())
		}
	}
	startLearning(suiteCtx, env)
	envStartTook = time.Since(start)
	GinkgoWriter.Printf("%s target ready in %s at %s\n", env.Target.Kind(), envStartTook.Round(time.Millisecond), env.Target.Server())
	if log := env.OperatorLog(); log != "" {
		GinkgoWriter.Printf("operator %s (%s), its log: %s\n", suiteOpts.Operator.Kind, suiteOpts.Operator.Binary, log)
	}
})

var _ = AfterSuite(func() {
	if env != nil {
		Expect(env.StopOperator()).To(Succeed(), "stop the operator")
	}
	// Close the simulator's and the watch cache's watches first: kube-apiserver waits for
	// open watches before it stops.
	if suiteCancel != nil {
		suiteCancel()
	}
	if env != nil {
		Expect(env.Target.Stop()).To(Succeed(), "stop envtest")
	}
})

// Each spec starts from an empty cluster (the reset runs before, so a failed spec's state
// stays inspectable until the next one).
var _ = BeforeEach(func() {
	if suiteOpts.Claims != "" && !claim(suiteOpts.Claims, CurrentSpecReport()) {
		Skip(ClaimedElsewhere)
	}
	if env.Live {
		skipOnLive(CurrentSpecReport().Labels())
		return
	}
	// What the spec needs from the operator under test: an operator process has no simulated
	// clock and no in-process hooks.
	why, err := env.Unavailable(CurrentSpecReport().Labels())
	Expect(err).NotTo(HaveOccurred(), "spec labels")
	if why != "" {
		Skip(why)
	}
	env.SpecName = CurrentSpecReport().FullText()
	Expect(env.Reset(suiteCtx)).To(Succeed(), "reset the cluster")
})

// An operator process is stopped when its spec ends, so that a crash (it exited on its own)
// fails the spec it happened in, with the end of its log, not the next one.
var _ = AfterEach(func() {
	if env == nil || env.Live || env.Operator.InProcess() {
		return
	}
	Expect(env.StopOperator()).To(Succeed(), "operator process")
})

// liveTarget is set on live runs (for the report's target line).
var liveTarget *target.Live

// skipOnLive decides, per spec, whether it can run on the live cluster, and says why not.
func skipOnLive(labels []string) {
	has := func(l string) bool {
		for _, x := range labels {
			if x == l {
				return true
			}
		}
		return false
	}
	switch {
	case !has("live"):
		Skip("envtest only: builds its own cluster state (Infrastructure, in-process operator, storage fakes, simulated time)")
	case has("disruptive") && !env.Disruptive:
		Skip("disruptive: changes the cluster (restored afterwards); pass --disruptive to run")
	}
}

var _ = ReportAfterSuite("irconform reports", func(r Report) {
	if setupErr != nil || selected == 0 {
		return // the setup error was printed; an empty report must not pass for a result
	}
	learnSecrets()
	root := repoRoot()
	run := convert(r, root)
	run.Selection = selection(r)
	partial = run.Selection.Partial
	if env != nil {
		run.Target.Server = env.Target.Server()
		run.Target.Kind = env.Target.Kind()
		if !env.Live {
			run.Target.Operator = operatorLine(env.Operator)
			if env.Operator.Manifests != "" {
				run.Simulated = append(run.Simulated, "the cluster-version operator's part for the operator's own manifests (the PrometheusRules in "+
					env.Operator.Manifests+"): created while the operator runs, and put back when edited")
			}
		}
	}
	if liveTarget != nil {
		run.Target.Platform, run.Target.Version = liveTarget.Platform, liveTarget.Version
		run.Target.Mode = "read-only"
		if liveTarget.Disruptive {
			run.Target.Mode = "disruptive"
		}
		run.Simulated = nil
	}
	annotateRun(&run, r)
	if dir, err := writeRun(run, suiteOpts); err == nil {
		writtenDir = dir
	}
})

// writeRun writes a run's reports where the options say (ReportDir, else a timestamped folder
// under ReportBase moving latest or latest-partial), then prints the summary. A serial run
// and the merge of parallel processes (conformance/parallel) both end here.
func writeRun(run reports.Run, o Options) (string, error) {
	root := repoRoot()
	dir := o.ReportDir
	if dir == "" {
		base := o.ReportBase
		if base == "" {
			base = filepath.Join(root, "reports", "out")
		}
		dir = filepath.Join(base, run.StartedAt.UTC().Format("20060102T150405Z"))
		// A partial run says nothing about the specs it left out: it gets its own pointer,
		// and `latest` keeps pointing at the last full run.
		// An interrupted run is incomplete the same way.
		pointer := reports.LatestLink
		if (run.Selection != nil && run.Selection.Partial) || run.Interrupted {
			pointer = reports.LatestPartialLink
		}
		defer func() {
			if err := reports.UpdateLink(base, pointer, dir); err != nil {
				fmt.Fprintf(os.Stderr, "irconform: updating %s/%s: %v\n", base, pointer, err)
			}
		}()
	}
	if err := reports.WriteAll(dir, run); err != nil {
		fmt.Fprintf(os.Stderr, "irconform: writing reports to %s: %v\n", dir, err)
		return "", err
	}
	if !o.NoSummary {
		printSummary(run, relTo(root, dir))
	}
	return dir, nil
}

// focusAsGiven is the run's focus as the user wrote it.
func focusAsGiven(c types.SuiteConfig) []string {
	if len(suiteOpts.Focus) > 0 && len(c.FocusStrings) > 0 {
		return suiteOpts.Focus
	}
	return c.FocusStrings
}

// selection is what the run selected, from Ginkgo's configuration and counts.
func selection(r Report) *reports.Selection {
	c := r.SuiteConfig
	sel := &reports.Selection{
		Focus: focusAsGiven(c), Skip: c.SkipStrings, LabelFilter: c.LabelFilter,
		FocusFiles: c.FocusFiles, SkipFiles: c.SkipFiles, ScenarioPaths: suiteOpts.ScenarioPaths,
		Selected: r.PreRunStats.SpecsThatWillRun, Total: r.PreRunStats.TotalSpecs,
	}
	if len(sel.ScenarioPaths) == 0 {
		// The runner also reads scenario paths from IRCONFORM_SCENARIOS (not imported: the
		// suite does not depend on the runner).
		if extra := os.Getenv("IRCONFORM_SCENARIOS"); extra != "" {
			sel.ScenarioPaths = filepath.SplitList(extra)
		}
	}
	// Pending specs never run; anything else not run was left out by the selection.
	pending := 0
	for _, s := range r.SpecReports {
		if s.LeafNodeType == types.NodeTypeIt && s.State == types.SpecStatePending {
			pending++
		}
	}
	sel.Partial = sel.Selected+pending < sel.Total
	return sel
}

var (
	progressDone  int
	progressStart time.Time
)

var _ = ReportBeforeSuite(func(r Report) {
	selected, totalSpecs = r.PreRunStats.SpecsThatWillRun, r.PreRunStats.TotalSpecs
	if selected == 0 {
		if suiteOpts.NothingSelected != nil {
			suiteOpts.NothingSelected(nothingSelected(r))
			return
		}
		// Before any verdict, report or link: a typo in a selection must not read as a pass.
		fmt.Fprintln(terminal) // end Ginkgo's "0/N specs" line
		fmt.Fprintln(os.Stderr, nothingSelected(r))
		suiteOpts.exit(ExitNothingSelected)
	}
	progressStart = time.Now()
})

// A failed spec's message may show values the suite saw moments before: learn them before
// Ginkgo's reporter prints the spec (report-after-each nodes run first).
var _ = ReportAfterEach(func(r SpecReport) {
	if r.State.Is(types.SpecStateFailureStates) {
		learnSecrets()
	}
	if !suiteOpts.Progress || r.LeafNodeType != types.NodeTypeIt {
		return
	}
	if r.State.Is(types.SpecStateSkipped) && (r.Failure.Message == "" || r.Failure.Message == ClaimedElsewhere) {
		return // filtered out, or run by another process
	}
	if liveTarget != nil && !hasLabel(r.Labels(), "live") {
		return // on a live run only the live specs are news; the rest are envtest-only skips
	}
	progressDone++
	line := fmt.Sprintf("[%d/%d] %s %-7s %s", progressDone, selected, time.Since(progressStart).Round(time.Second), r.State, r.FullText())
	if suiteOpts.Claims != "" {
		// One of several processes: its count is its own, of a total it does not know.
		line = fmt.Sprintf("[p%d %d] %s %-7s %s", suiteOpts.Process, progressDone, time.Since(progressStart).Round(time.Second), r.State, r.FullText())
	}
	if liveTarget != nil {
		line = fmt.Sprintf("[%d] %s %-7s %s", progressDone, time.Since(progressStart).Round(time.Second), r.State, r.FullText())
	}
	if isTerminal(os.Stderr) {
		if len(line) > 118 {
			line = line[:117] + "…"
		}
		fmt.Fprintf(os.Stderr, "\r\033[K%s", line)
		if progressDone == selected || liveTarget != nil {
			fmt.Fprintln(os.Stderr)
		}
		return
	}
	fmt.Fprintln(os.Stderr, line)
})

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// repoRoot finds the module root (go test runs in the package folder).
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// relTo shows path relative to root when it is inside root.
func relTo(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

// simulated is what the report lists as played by the simulator.
func simulated() []string { return cluster.Simulated }

// operatorLine names the operator under test in the report.
func operatorLine(o harness.OperatorOptions) string {
	if o.InProcess() {
		return "reference (in-process)"
	}
	return fmt.Sprintf("%s (process: %s)", o.Kind, o.Binary)
}
