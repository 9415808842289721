package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/extension"
	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/internal/ote"
)

// ArtifactDirEnv is where openshift-tests wants a test's artifacts.
const ArtifactDirEnv = "EXTENSION_ARTIFACT_DIR"

func newRunTestCmd() *cobra.Command {
	var component, output string
	var names []string
	var timeout time.Duration
	var concurrency int
	cmd := &cobra.Command{
		Use:   "run-test [-n NAME...] [NAME]",
		Short: "Run tests by name against the cluster of $KUBECONFIG (or the pod's ServiceAccount)",
		Example: `  irconform-tests-ext run-test -o jsonl -n "$(irconform-tests-ext list -o names | head -1)"
  irconform-tests-ext list -o names --suite irconform/readonly | irconform-tests-ext run-test -o jsonl`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkComponent(component); err != nil {
				return err
			}
			names = append(names, args...)
			piped, err := namesFromPipe(os.Stdin)
			if err != nil {
				return err
			}
			names = append(names, piped...)
			if len(names) == 0 {
				return errors.New("must specify at least one test")
			}
			tests, err := findTests(names)
			if err != nil {
				return err
			}
			return runAndWrite(cmd, tests, output, timeout)
		},
	}
	componentFlag(cmd, &component)
	f := cmd.Flags()
	f.StringArrayVarP(&names, "names", "n", nil, "a test name (repeatable)")
	f.StringVarP(&output, "output", "o", "json", "output: json or jsonl")
	f.DurationVar(&timeout, "timeout", 0, "give up after this long (0: the suite's default, 60m)")
	f.IntVarP(&concurrency, "max-concurrency", "c", 10, "accepted for compatibility: the tests of one call run one after another")
	return cmd
}

func newRunSuiteCmd() *cobra.Command {
	var component, output, junitPath string
	var timeout time.Duration
	var concurrency int
	cmd := &cobra.Command{
		Use:   "run-suite NAME",
		Short: "Run every test of a suite (for local use; openshift-tests runs tests one by one)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkComponent(component); err != nil {
				return err
			}
			suite, err := findSuite(args[0])
			if err != nil {
				return err
			}
			var tests []extension.Test
			for _, t := range extension.Tests() {
				in, err := ote.InSuite([]ote.Spec{t.Spec}, suite.Qualifiers)
				if err != nil {
					return err
				}
				if len(in) == 1 {
					tests = append(tests, t)
				}
			}
			if junitPath != "" {
				cmd.SetContext(context.WithValue(cmd.Context(), junitKey{}, junitPath))
			}
			return runAndWrite(cmd, tests, output, timeout)
		},
	}
	componentFlag(cmd, &component)
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "json", "output: json or jsonl")
	f.StringVarP(&junitPath, "junit-path", "j", "", "also write the results as JUnit XML here")
	f.DurationVar(&timeout, "timeout", 0, "give up after this long (0: 60m)")
	f.IntVarP(&concurrency, "max-concurrency", "c", 10, "accepted for compatibility: tests run one after another")
	return cmd
}

type junitKey struct{}

// namesFromPipe reads test names, one per line, when standard input is a pipe or a file.
func namesFromPipe(in *os.File) ([]string, error) {
	st, err := in.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice != 0 || st.Mode()&(os.ModeNamedPipe|os.ModeType) == 0 && st.Size() == 0 {
		return nil, nil
	}
	var out []string
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading test names from standard input: %w", err)
	}
	return out, nil
}

func findTests(names []string) ([]extension.Test, error) {
	all := extension.Tests()
	var out []extension.Test
	var missing []string
	for _, n := range names {
		found := false
		for _, t := range all {
			if t.Name == n || (t.OriginalName != "" && t.OriginalName == n) {
				out, found = append(out, t), true
				break
			}
		}
		if !found {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no such tests: %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// runAndWrite runs the tests and writes their results; a failed blocking test makes the exit
// code 1 (informing failures are said on stderr only).
func runAndWrite(cmd *cobra.Command, tests []extension.Test, output string, timeout time.Duration) error {
	if output != "json" && output != "jsonl" {
		return fmt.Errorf("unsupported result format: %s", output)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	results := runTests(ctx, cmd.ErrOrStderr(), tests, timeout)
	if err := marshal(cmd.OutOrStdout(), output, results, nil); err != nil {
		return err
	}
	if path, ok := cmd.Context().Value(junitKey{}).(string); ok {
		if err := writeJUnit(path, results); err != nil {
			return err
		}
	}
	blocking, informing := 0, 0
	for _, r := range results {
		if r.Result == ote.Failed {
			if r.Lifecycle == ote.Informing {
				informing++
			} else {
				blocking++
			}
		}
	}
	if informing > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "%d informing tests failed (not terminal)\n", informing)
	}
	if blocking > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d tests failed", blocking+informing)}
	}
	return nil
}

// runTests runs the tests' specs in one Ginkgo run against the live cluster and turns each
// spec's report into a result. Nothing in the Ginkgo suite is started but the live target:
// envtest-only specs are not selected, and the suite goes live because it is handed one.
func runTests(ctx context.Context, log io.Writer, tests []extension.Test, timeout time.Duration) []*ote.Result {
	start := time.Now()
	disruptive := false
	for _, t := range tests {
		disruptive = disruptive || t.Disruptive
	}
	live, err := connect(ctx, disruptive)
	if err != nil {
		return unrun(tests, start, err)
	}
	fmt.Fprintln(log, specs.LiveHeader(live))

	artifacts, err := artifactDir()
	if err != nil {
		return unrun(tests, start, err)
	}
	var patterns, names []string
	for _, t := range tests {
		patterns = append(patterns, "^"+regexp.QuoteMeta(t.GinkgoSpec.FullText())+"$")
		names = append(names, t.Name)
	}
	suite, reporter := ginkgo.GinkgoConfiguration()
	if suite.FocusStrings, err = specs.FocusOnNames(specs.SuiteName, patterns); err != nil {
		return unrun(tests, start, err)
	}
	suite.LabelFilter = "live"
	suite.Timeout = 60 * time.Minute
	if timeout > 0 {
		suite.Timeout = timeout
	}
	reporter.NoColor, reporter.Succinct = true, true
	seen := map[string]ginkgo.SpecReport{}
	ginkgo.ReportAfterEach(func(r ginkgo.SpecReport) {
		if r.LeafNodeType == types.NodeTypeIt {
			seen[r.FullText()] = r
		}
	})
	// Standard output carries the results; Ginkgo's own output goes to standard error. A test
	// name that selects nothing is answered below, per test ("no spec named … ran").
	// The report's selection names the tests as the caller asked for them, not the patterns
	// they were rewritten to for Ginkgo.
	res := specs.Run(&ginkgoT{}, specs.Options{Live: live, Disruptive: disruptive, ReportDir: artifacts, NoSummary: true, Focus: names,
		FrameworkOut: log, NothingSelected: func(string) {}}, suite, reporter)
	if res.SetupErr != nil {
		return unrun(tests, start, res.SetupErr)
	}
	var out []*ote.Result
	for _, t := range tests {
		r, ok := seen[t.GinkgoSpec.FullText()]
		if !ok {
			res := newResult(t, start, time.Now(), ote.Failed)
			res.Error = fmt.Sprintf("irconform: no spec named %q ran (the extension's test list and the suite disagree)", t.GinkgoSpec.FullText())
			out = append(out, res)
			continue
		}
		out = append(out, fromSpecReport(t, r, artifacts))
	}
	return out
}

// connect reaches the cluster of $KUBECONFIG, or the pod's ServiceAccount when there is no
// kubeconfig and the process runs in a pod.
func connect(ctx context.Context, disruptive bool) (*target.Live, error) {
	if os.Getenv("KUBECONFIG") == "" && os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		return target.NewLiveInCluster(ctx, disruptive)
	}
	return target.NewLive(ctx, os.Getenv("KUBECONFIG"), "", disruptive)
}

// artifactDir is a fresh folder for this run's reports under $EXTENSION_ARTIFACT_DIR (made if
// missing), else under the temporary directory.
func artifactDir() (string, error) {
	base := os.Getenv(ArtifactDirEnv)
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", ArtifactDirEnv, err)
	}
	return os.MkdirTemp(base, "irconform-"+time.Now().UTC().Format("20060102T150405Z")+"-")
}

func newResult(t extension.Test, start, end time.Time, kind ote.ResultKind) *ote.Result {
	return &ote.Result{Name: t.Name, Lifecycle: t.Lifecycle, Result: kind,
		Duration:  end.Sub(start).Milliseconds(),
		StartTime: ote.NewDBTime(start), EndTime: ote.NewDBTime(end),
		Details: []ote.Detail{{Name: "behaviours", Value: t.GinkgoSpec.IDs}}}
}

// unrun is every test's result when the cluster could not be judged at all: a cluster that
// does not serve the image registry's API (ImageRegistry capability disabled) skips them;
// anything else fails them, with the one line that says why.
func unrun(tests []extension.Test, start time.Time, err error) []*ote.Result {
	end := time.Now()
	var out []*ote.Result
	for _, t := range tests {
		if errors.Is(err, target.ErrNotOpenShift) {
			r := newResult(t, start, end, ote.Skipped)
			r.Output = err.Error()
			r.Details = append(r.Details, ote.Detail{Name: "skip reason", Value: err.Error() + " (ImageRegistry capability disabled?)"})
			out = append(out, r)
			continue
		}
		r := newResult(t, start, end, ote.Failed)
		r.Error = err.Error()
		r.Output = err.Error()
		out = append(out, r)
	}
	return out
}

// fromSpecReport turns a spec's report into a result: skips keep their reason, failures
// their message (first line: object, field, want, seen), passes their release note.
func fromSpecReport(t extension.Test, r ginkgo.SpecReport, artifacts string) *ote.Result {
	res := newResult(t, r.StartTime, r.EndTime, ote.Passed)
	res.Duration = r.RunTime.Milliseconds()
	res.Output = r.CapturedGinkgoWriterOutput + r.CapturedStdOutErr
	switch {
	case r.State.Is(types.SpecStateSkipped):
		res.Result = ote.Skipped
		res.Details = append(res.Details, ote.Detail{Name: "skip reason", Value: r.Failure.Message})
		res.Output += r.Failure.Message
	case r.State.Is(types.SpecStateFailureStates):
		res.Result = ote.Failed
		res.Error = r.Failure.Message
		res.Output += r.Failure.Message
	}
	for _, e := range r.ReportEntries {
		if e.Name == "irconform-note" {
			res.Details = append(res.Details, ote.Detail{Name: "note", Value: e.StringRepresentation()})
			res.Output += e.StringRepresentation()
		}
	}
	res.Details = append(res.Details, ote.Detail{Name: "reports", Value: filepath.Join(artifacts, "report.html")})
	return res
}

// ginkgoT is the minimal testing.T Ginkgo needs to run outside `go test`.
type ginkgoT struct{}

func (*ginkgoT) Fail() {}
