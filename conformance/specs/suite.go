// Package specs holds the conformance specs: Ginkgo containers registered at package load,
// run by `go test ./conformance` and by `irconform run` alike. Each It carries the
// behaviour IDs it checks as labels (BOOT-003, ...) plus traits (divergence, disruptive).
// Expectations are literal values from the behaviour catalogue; nothing here imports the
// reference operator's render code.
package specs

import (
	"context"
	"fmt"
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
	"github.com/irconform/irconform/reports"
)

// Options are the run's settings, set before RunSpecs.
type Options struct {
	// ReportBase is where timestamped run folders go (reports/out); "latest" points at the newest.
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
	// Progress prints "[n/N] elapsed result spec" to stderr as specs finish: one updating line
	// on a terminal, plain lines otherwise (CI logs).
	Progress bool
	// Live is a live target already probed by the caller (the CLI probes before it asks for
	// confirmation; in a pod it is the ServiceAccount's); nil: the suite probes Kubeconfig itself.
	Live *target.Live
	// NoSummary leaves the terminal summary out (the reports are still written): callers whose
	// standard output is machine-read, such as the openshift-tests extension.
	NoSummary bool
}

// LiveSetupError is set when the live target could not be used; the CLI maps it to an exit code.
var LiveSetupError error

var (
	suiteOpts Options
	env       *harness.Env
	// suiteCtx lives for the whole suite.
	suiteCtx    context.Context
	suiteCancel context.CancelFunc
	// envStartTook is reported by the benchmark.
	envStartTook time.Duration
)

// Configure sets the options for the next RunSpecs.
func Configure(o Options) { suiteOpts = o }

var _ = BeforeSuite(func() {
	suiteCtx, suiteCancel = context.WithCancel(context.Background())
	logger := logr.Discard()
	if suiteOpts.OperatorLogs || os.Getenv("IRCONFORM_OPERATOR_LOGS") != "" {
		// Millisecond timestamps: spec timing questions are about milliseconds.
		logger = zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true), func(o *zap.Options) { o.TimeEncoder = zapcore.RFC3339NanoTimeEncoder })
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
			LiveSetupError = err
			Fail(err.Error())
		}
		liveTarget = live
	} else {
		env, err = harness.StartEnvtest(suiteCtx, logger)
		if err != nil {
			// One clear line naming the fix (the error says which command makes the binaries).
			Fail(err.Error())
		}
	}
	envStartTook = time.Since(start)
	GinkgoWriter.Printf("%s target ready in %s at %s\n", env.Target.Kind(), envStartTook.Round(time.Millisecond), env.Target.Server())
})

var _ = AfterSuite(func() {
	if env != nil {
		Expect(env.StopOperator()).To(Succeed())
	}
	// Close the simulator's and the watch cache's watches first: kube-apiserver waits for
	// open watches before it stops.
	if suiteCancel != nil {
		suiteCancel()
	}
	if env != nil {
		Expect(env.Target.Stop()).To(Succeed())
	}
})

// Each spec starts from an empty cluster (the reset runs before, so a failed spec's state
// stays inspectable until the next one).
var _ = BeforeEach(func() {
	if env.Live {
		skipOnLive(CurrentSpecReport().Labels())
		return
	}
	Expect(env.Reset(suiteCtx)).To(Succeed())
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
	if LiveSetupError != nil {
		return // the live target was unusable: one line and an exit code, no report of nothing
	}
	run := convert(r)
	if env != nil {
		run.Target.Server = env.Target.Server()
		run.Target.Kind = env.Target.Kind()
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
	dir := suiteOpts.ReportDir
	if dir == "" {
		base := suiteOpts.ReportBase
		if base == "" {
			base = filepath.Join(repoRoot(), "reports", "out")
		}
		dir = filepath.Join(base, run.StartedAt.UTC().Format("20060102T150405Z"))
		defer func() {
			if err := reports.UpdateLatest(base, dir); err != nil {
				fmt.Fprintf(os.Stderr, "irconform: updating %s/latest: %v\n", base, err)
			}
		}()
	}
	if err := reports.WriteAll(dir, run); err != nil {
		fmt.Fprintf(os.Stderr, "irconform: writing reports to %s: %v\n", dir, err)
		return
	}
	printSummary(run, dir)
})

var (
	progressDone  int
	progressStart time.Time
)

// SelectedSpecs is how many specs the last run's focus and label filter selected.
var SelectedSpecs int

var _ = ReportBeforeSuite(func(r Report) {
	SelectedSpecs = r.PreRunStats.SpecsThatWillRun
	progressStart = time.Now()
})

var _ = ReportAfterEach(func(r SpecReport) {
	if !suiteOpts.Progress || r.LeafNodeType != types.NodeTypeIt {
		return
	}
	if r.State.Is(types.SpecStateSkipped) && r.Failure.Message == "" {
		return // filtered out, not run
	}
	if liveTarget != nil && !hasLabel(r.Labels(), "live") {
		return // on a live run only the live specs are news; the rest are envtest-only skips
	}
	progressDone++
	line := fmt.Sprintf("[%d/%d] %s %-7s %s", progressDone, SelectedSpecs, time.Since(progressStart).Round(time.Second), r.State, r.FullText())
	if liveTarget != nil {
		line = fmt.Sprintf("[%d] %s %-7s %s", progressDone, time.Since(progressStart).Round(time.Second), r.State, r.FullText())
	}
	if isTerminal(os.Stderr) {
		if len(line) > 118 {
			line = line[:117] + "…"
		}
		fmt.Fprintf(os.Stderr, "\r\033[K%s", line)
		if progressDone == SelectedSpecs || liveTarget != nil {
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

// simulated is what the report lists as played by the simulator.
func simulated() []string { return cluster.Simulated }
