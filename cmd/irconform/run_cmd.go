package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/conformance/target"
)

// ginkgoT is the minimal testing.T Ginkgo needs to run in-process, outside `go test`.
type ginkgoT struct{ failed bool }

func (t *ginkgoT) Fail() { t.failed = true }

func newRunCmd() *cobra.Command {
	var focus, labels, reportDir string
	var parallel, process int
	var claims string
	var seed int64
	var emptyOK bool
	var verbose, operatorLogs, disruptive, yes bool
	var kubeconfig, kubecontext string
	var inCluster bool
	var resultsDir string
	var scenarioPaths []string
	var op harness.OperatorOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the conformance suite (embedded envtest by default) and write reports",
		Long: `Runs every Go spec and YAML scenario against the embedded control plane (kube-apiserver and
etcd built by 'make envtest-bins', the reference operator and the cluster simulator), then writes
report.json, junit.xml, report.md, report.html and coverage.json to
reports/out/<timestamp>/ and points reports/out/latest at it (or writes to --report-dir and
moves no pointer). A run narrowed by --focus or --label-filter is partial: its reports say
so, and it moves reports/out/latest-partial instead (as does a run stopped with Ctrl-C), so
that latest always is the last full run. A selection that matches no spec exits 2 before
running anything and writes nothing.

Exit status: 0 passed, 1 specs failed, 2 no spec selected or any other problem,
3-8 a live target that cannot be used (see README), 130 interrupted.`,
		Example: `  irconform run
  irconform run --label-filter 'BOOT-003 || MGMT-004'
  irconform run --focus 'bootstrap' --report-dir /tmp/run1
  irconform run --kubeconfig ~/.kube/config                  # live cluster, read-only
  irconform run --kubeconfig ~/.kube/config --disruptive     # also mutating specs (asks first)
  irconform run --in-cluster --results-dir /tmp/results      # in a pod (sonobuoy plugin, Job)`,
		RunE: func(cmd *cobra.Command, _ []string) (retErr error) {
			// In a pod, results are collected from a folder (sonobuoy: $SONOBUOY_RESULTS_DIR).
			pod, err := newPodRun(cmd, resultsDir)
			if err != nil {
				return err
			}
			written := "" // where the run's reports went, once it ran
			if pod != nil {
				defer func() { retErr = pod.finish(written, retErr) }()
				if reportDir == "" {
					reportDir = pod.reportDir()
				}
				if labels == "" && focus == "" && (inCluster || kubeconfig != "") {
					labels = "live" // the envtest-only specs would be 200-odd skips in the collector
					pod.liveOnly = true
				}
				pod.watchSpecs(cmd.Context())
			}
			if parallel > 1 && (kubeconfig != "" || inCluster) {
				return &exitError{code: 2, err: fmt.Errorf("--parallel %d: a live cluster is one shared cluster; its specs run one at a time (drop --parallel)", parallel)}
			}
			suite, reporter := ginkgo.GinkgoConfiguration()
			if cmd.Flags().Changed("seed") {
				suite.RandomSeed = seed
			}
			if parallel > 1 {
				var extra []string
				for _, p := range scenarioPaths {
					extra = append(extra, "--scenarios", p)
				}
				if operatorLogs {
					extra = append(extra, "--operator-logs")
				}
				dir, err := runParallel(cmd, parallelRun{procs: parallel, labels: labels, focus: focus,
					reportDir: reportDir, extra: extra, seed: suite.RandomSeed})
				written = dir
				return err
			}
			suite.LabelFilter = labels
			if focus != "" {
				var err error
				if suite.FocusStrings, err = specs.FocusOnNames(specs.SuiteName, strings.Split(focus, ",")); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--focus: %w", err)}
				}
			}
			suite.Timeout = 60 * time.Minute
			reporter.Verbose = verbose
			reporter.Succinct = !verbose
			if kubeconfig == "" && cmd.Flags().Changed("context") {
				kubeconfig = os.Getenv("KUBECONFIG")
			}
			if inCluster && kubeconfig != "" {
				return &exitError{code: 2, err: fmt.Errorf("--in-cluster and --kubeconfig: choose one")}
			}
			if disruptive && kubeconfig == "" && !inCluster {
				return &exitError{code: 2, err: fmt.Errorf("--disruptive only applies to a live cluster (--kubeconfig)")}
			}
			if (kubeconfig != "" || inCluster) && op.Kind != "" {
				return &exitError{code: 2, err: fmt.Errorf("--operator chooses the operator the embedded envtest runs; a live cluster runs its own")}
			}
			var live *target.Live
			if kubeconfig != "" || inCluster {
				var err error
				if live, err = probeLive(cmd, kubeconfig, kubecontext, inCluster, disruptive, yes); err != nil {
					return err
				}
			}
			if op.Kind == harness.OperatorReference && op.Binary == "" {
				// The reference as a process is this very program, run as `irconform operator`.
				self, err := os.Executable()
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--operator reference: locating irconform: %w", err)}
				}
				op.Binary = self
			}
			if op.LogDir == "" && reportDir != "" && op.Kind != "" && op.Kind != harness.OperatorInProcess {
				op.LogDir = reportDir
			}
			if err := op.Validate(); err != nil {
				return &exitError{code: 2, err: err}
			}
			t := &ginkgoT{}
			loaded := registerScenarios(scenarioPaths)
			opts := specs.Options{ReportDir: reportDir, OperatorLogs: operatorLogs, Progress: true, Claims: claims, Process: process,
				Kubeconfig: kubeconfig, Context: kubecontext, Disruptive: disruptive, Live: live, Operator: op,
				ScenarioPaths: scenarioPaths, Loaded: loaded.String()}
			if focus != "" {
				opts.Focus = strings.Split(focus, ",")
			}
			finish := func(string) {}
			if live != nil && !verbose {
				opts.FrameworkOut, finish = quietFramework()
			}
			if emptyOK {
				// One process of a parallel run: a phase with nothing to run is not an error.
				opts.NothingSelected = func(string) {}
				opts.NoSummary = true
			}
			// A selection that matches nothing ends the process inside Run (exit 2, before any
			// verdict, nothing written, with what was loaded).
			res := specs.Run(t, opts, suite, reporter)
			written = res.ReportDir
			finish(res.ReportDir)
			if res.Interrupted {
				return &exitError{code: 130, err: fmt.Errorf("interrupted: partial report in %s", res.ReportDir)}
			}
			if res.SetupErr != nil {
				// One clear line and a distinct exit code; no report passes for a result.
				code := 2
				if res.Live {
					code = target.ExitCode(res.SetupErr)
				}
				return &exitError{code: code, err: res.SetupErr}
			}
			if !res.Passed || t.failed {
				return &exitError{code: 1, err: fmt.Errorf("conformance run failed")}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&focus, "focus", "", "run only specs whose text matches (comma-separated regexps)")
	f.StringVar(&labels, "label-filter", "", "Ginkgo label filter, e.g. 'BOOT-003 || MGMT-004', '/^S3-/' (a whole area), 'scenario && !divergence'")
	f.StringVar(&reportDir, "report-dir", "", "write reports here instead of reports/out/<timestamp>")
	f.IntVar(&parallel, "parallel", 1, "run in N processes, each with its own envtest and operator (envtest only; `make conformance` uses the CPU count); reports are merged into one")
	// The parallel processes' own flags (set by the parent, not by people).
	f.StringVar(&claims, "claims", "", "parallel process: folder where processes claim specs")
	f.IntVar(&process, "process", 0, "parallel process: its number")
	f.Int64Var(&seed, "seed", 0, "Ginkgo random seed (spec order)")
	f.BoolVar(&emptyOK, "empty-ok", false, "parallel process: an empty selection exits 0 and writes nothing")
	for _, h := range []string{"claims", "process", "empty-ok"} {
		_ = f.MarkHidden(h)
	}
	f.BoolVarP(&verbose, "verbose", "v", false, "print every spec as it runs")
	f.BoolVar(&operatorLogs, "operator-logs", false, "show the in-process operator's logs")
	f.StringVar(&kubeconfig, "kubeconfig", "", "run against the live cluster of this kubeconfig (read-only unless --disruptive)")
	f.StringVar(&kubecontext, "context", "", "kubeconfig context (with --kubeconfig, or $KUBECONFIG)")
	f.BoolVar(&disruptive, "disruptive", false, "live: also run specs that change the cluster (each restores what it changed)")
	f.BoolVar(&yes, "yes", false, "live: do not ask for confirmation before disruptive specs")
	f.BoolVar(&inCluster, "in-cluster", false, "run against the cluster this pod runs in, as its ServiceAccount (read-only unless --disruptive)")
	f.StringVar(&resultsDir, "results-dir", "", "write reports to DIR/irconform and then DIR/done naming them (sonobuoy's contract; default $SONOBUOY_RESULTS_DIR)")
	f.StringVar(&op.Kind, "operator", "", "operator under test on envtest: in-process (default: the reference in this process), reference (irconform operator as a process) or upstream (a cluster-image-registry-operator binary as a process)")
	f.StringVar(&op.Binary, "operator-binary", "", "the operator process's executable (upstream: required; reference: this irconform)")
	f.StringVar(&op.Manifests, "operator-manifests", "", "upstream: the operator's manifests folder; its PrometheusRules are applied before each start, as the cluster-version operator does")
	f.StringVar(&op.LogDir, "operator-log-dir", "", "where the operator process's log (operator.log) goes (default: --report-dir when given, else a temporary folder)")
	f.StringSliceVar(&scenarioPaths, "scenarios", nil, "more QA scenario files or directories to run besides the shipped set (repeat or comma-separate)")
	return cmd
}
