package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/irconform/irconform/conformance/bench"
	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/reports"
)

// benchResult is what `irconform bench` writes.
type benchResult struct {
	At      time.Time `json:"at"`
	Machine string    `json:"machine"`
	// Load and LoadEnd are the 1-minute load averages when the bench started and ended (the
	// machine is shared: figures under load are not quiet figures).
	Load     string `json:"load"`
	LoadEnd  string `json:"load_end"`
	Parallel int    `json:"parallel"`
	// Suite is the parallel run with the median wall time; SuiteRuns every parallel run.
	Suite     bench.SuiteRun   `json:"suite"`
	SuiteRuns []bench.SuiteRun `json:"suite_runs"`
	// Serial is one run in one process, for comparison (absent with --serial-runs 0): the last
	// one that did not count requests, else the counting one (SerialCounted says which).
	Serial *bench.SuiteRun `json:"serial,omitempty"`
	// SerialCounted: Serial is the run that counted each spec's API requests (two scrapes of
	// kube-apiserver's metrics per spec slow it by about a third): its times are not the
	// one-process suite's own.
	SerialCounted bool `json:"serial_counted,omitempty"`
	// SerialFailures are the specs that failed in the one-process run, with their failure's
	// first line (the flake count compares the parallel runs only).
	SerialFailures []bench.FlakySpec `json:"serial_failures,omitempty"`
	// Requests: kube-apiserver requests per spec in the one-process run (load-independent).
	Requests *bench.SpecRequests `json:"requests,omitempty"`
	// Flakes: specs whose result differed across the parallel runs.
	Flakes    bench.Flakes  `json:"flakes"`
	Reconcile bench.Latency `json:"reconcile"`
	// Chainsaw: the same create+assert steps through chainsaw on the same envtest.
	Chainsaw bench.Chainsaw `json:"chainsaw"`
	// StorageReady: Config create → StorageExists True, per backend (median of --storage-n).
	StorageReady bench.StorageReady `json:"storage_ready"`
	FakesMemory  bench.FakesMemory  `json:"fakes_memory"`
}

func newBenchCmd() *cobra.Command {
	var out, labels, chainsawBin string
	var n, storageN, runs, procs, serialRuns int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure suite time, fault matrix, spec time, reconcile latency, harness overhead, flakes and chainsaw's step",
		Long: `Runs the conformance suite --runs times with --parallel processes (each run as
'irconform run --parallel', reports to a temporary folder) for the suite's wall time, the fault
matrix's time, spec times, time per behaviour ID and the flake count (specs whose result
differs between runs), plus --serial-runs runs in one process for comparison. Then it starts a
fresh envtest world and changes the Config --n times to measure the operator's reconcile
latency (Config update → Deployment write seen on a raw watch) and the harness's step
(update + watch-driven wait) and overhead (step minus latency); runs the same steps as a
chainsaw test on the same envtest (--chainsaw, built by 'make chainsaw') for the ratio per
create+assert step; and times storage readiness per backend. Prints the figures and writes
them as JSON. Speed targets live here, never in timed tests.`,
		Example: `  irconform bench
  irconform bench --runs 1 --serial-runs 0 --out /tmp/bench.json
  irconform bench --parallel 3 --runs 5`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctrllog.SetLogger(logr.Discard()) // the benchmarks' operators and clients log nothing
			w := cmd.OutOrStdout()
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "irconform-bench-")
			if err != nil {
				return err
			}
			// The runs' reports and logs are kept when a run had a failure (the bench prints
			// each failure's first line; the rest is in there), else removed.
			keep := false
			defer func() {
				if keep {
					fmt.Fprintf(w, "  reports and logs of the runs kept in %s\n", dir)
					return
				}
				_ = os.RemoveAll(dir)
			}()
			res := benchResult{At: time.Now().UTC(), Parallel: procs, Load: loadAverage(),
				Machine: fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())}
			fmt.Fprintf(w, "irconform bench (%s, load %s)\n", res.Machine, res.Load)
			// First, while no envtest world has run in this process (see MeasureFakesMemory).
			if res.FakesMemory, err = bench.MeasureFakesMemory(cmd.Context()); err != nil {
				return fmt.Errorf("measuring the storage fakes' heap: %w", err)
			}
			var reps []reports.Run
			for i := 1; i <= runs; i++ {
				f, run, err := benchSuiteRun(exe, filepath.Join(dir, fmt.Sprintf("par-%d", i)), procs, labels)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "  suite run %d/%d (--parallel %d)  %6.1f s   %d specs, %d failed\n", i, runs, procs, f.WallSeconds, f.Specs, f.Failed)
				res.SuiteRuns = append(res.SuiteRuns, f)
				reps = append(reps, run)
			}
			for i := 1; i <= serialRuns; i++ {
				ser := filepath.Join(dir, fmt.Sprintf("ser-%d", i))
				// The first one-process run counts each spec's API requests (ProfileEnv: the
				// harness reads kube-apiserver's metrics before and after each spec); counting
				// slows it, so the times come from a later run when there is one.
				counted := i == 1
				var extraEnv []string
				if counted {
					_ = os.Remove(ser + ".profile.jsonl")
					extraEnv = append(extraEnv, harness.ProfileEnv+"="+ser+".profile.jsonl")
				}
				f, run, err := benchSuiteRun(exe, ser, 1, labels, extraEnv...)
				if err != nil {
					return err
				}
				res.SerialFailures = append(res.SerialFailures, bench.FindFlakes([]reports.Run{run}).AlwaysFailed...)
				how := ""
				if counted {
					how = " (counting requests)"
					if r, err := bench.ReadSpecRequests(ser + ".profile.jsonl"); err == nil {
						res.Requests = &r
					} else {
						fmt.Fprintf(w, "  spec requests not measured: %v\n", err)
					}
				}
				fmt.Fprintf(w, "  suite run, one process   %6.1f s   %d specs, %d failed%s\n", f.WallSeconds, f.Specs, f.Failed, how)
				res.Serial, res.SerialCounted = &f, counted
			}
			if len(res.SuiteRuns) > 0 {
				byWall := append([]bench.SuiteRun(nil), res.SuiteRuns...)
				sort.Slice(byWall, func(i, j int) bool { return byWall[i].WallSeconds < byWall[j].WallSeconds })
				res.Suite = byWall[len(byWall)/2]
			}
			res.Flakes = bench.FindFlakes(reps)
			keep = res.Flakes.FailedRuns > 0 || len(res.SerialFailures) > 0
			res.Reconcile, res.Chainsaw, err = bench.MeasureReconcile(cmd.Context(), n, chainsawBin)
			if err != nil {
				return fmt.Errorf("measuring reconcile latency: %w", err)
			}
			res.StorageReady, err = bench.MeasureStorage(cmd.Context(), storageN)
			if err != nil {
				return fmt.Errorf("measuring storage readiness: %w", err)
			}
			res.LoadEnd = loadAverage()
			printBench(w, res, n)
			data, _ := json.MarshalIndent(res, "", "  ")
			if out != "" {
				if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
					return err
				}
				fmt.Fprintf(w, "  written to %s\n", out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "write the figures as JSON here")
	f.StringVar(&labels, "label-filter", "", "restrict the suite runs to these labels")
	f.IntVar(&n, "n", 50, "number of Config changes for the latency figures (and chainsaw steps)")
	f.IntVar(&storageN, "storage-n", 20, "Config creations per storage backend")
	f.IntVar(&runs, "runs", 5, "parallel suite runs (the flake count compares them)")
	f.IntVar(&procs, "parallel", runtime.NumCPU(), "processes per suite run")
	f.IntVar(&serialRuns, "serial-runs", 2, "suite runs in one process: the first counts each spec's API requests, the others time the one-process suite")
	f.StringVar(&chainsawBin, "chainsaw", "", "the chainsaw binary for the side-by-side (make chainsaw builds it); a file chainsaw.err beside it says why it could not be built")
	return cmd
}

// benchSuiteRun runs the suite once as `irconform run --parallel procs` in its own process and
// measures it from the outside (wall: process start to exit) and from its report.
func benchSuiteRun(exe, dir string, procs int, labels string, env ...string) (bench.SuiteRun, reports.Run, error) {
	args := []string{"run", "--parallel", strconv.Itoa(procs), "--report-dir", dir}
	if labels != "" {
		args = append(args, "--label-filter", labels)
	}
	log, err := os.Create(dir + ".log")
	if err != nil {
		return bench.SuiteRun{}, reports.Run{}, err
	}
	defer log.Close()
	c := exec.Command(exe, args...)
	c.Stdout, c.Stderr = log, log
	c.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	start := time.Now()
	err = c.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: specs failed, still a run
		tail, _ := os.ReadFile(dir + ".log")
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return bench.SuiteRun{}, reports.Run{}, fmt.Errorf("suite run failed: %w\n%s", err, tail)
	}
	run, err := reports.ReadJSON(filepath.Join(dir, reports.FileJSON))
	if err != nil {
		return bench.SuiteRun{}, reports.Run{}, fmt.Errorf("reading the suite's report: %w", err)
	}
	return bench.Figures(run, wall), run, nil
}

func printBench(w io.Writer, res benchResult, n int) {
	s := res.Suite
	fmt.Fprintf(w, "\nirconform bench (%s, load %s at start, %s at end)\n", res.Machine, res.Load, res.LoadEnd)
	fmt.Fprintf(w, "  envtest start            %8.0f ms\n", res.Reconcile.EnvtestStartMs)
	fmt.Fprintf(w, "  whole suite wall         %8.1f s   (--parallel %d, median of %d runs; %d specs, %d passed)\n", s.WallSeconds, res.Parallel, len(res.SuiteRuns), s.Specs, s.Passed)
	counting := ""
	if res.SerialCounted {
		// Its time includes counting each spec's requests (two scrapes of kube-apiserver's
		// metrics per spec): it is not the one-process suite's own time.
		counting = "   (counting each spec's API requests, which slows it)"
	}
	if res.Serial != nil {
		fmt.Fprintf(w, "  whole suite, one process %8.1f s%s\n", res.Serial.WallSeconds, counting)
	}
	if r := res.Requests; r != nil {
		fmt.Fprintf(w, "  API requests per spec    %8.1f     (one process, %d specs; %s)\n", r.PerSpec, r.Specs, r.VerbLine())
		fmt.Fprintf(w, "  reset per spec           p50 %6.0f ms   p95 %6.0f ms   (%.0f%% of spec time; %.1f objects by etcd key, %.1f through the API)\n",
			r.Reset.P50Ms, r.Reset.P95Ms, 100*r.ResetShare, r.ResetByKey, r.ResetByAPI)
	}
	fmt.Fprintf(w, "  fault matrix             %8.1f s   (%d specs labelled %s)\n", s.FaultSeconds, s.FaultSpecs, bench.FaultLabel)
	fmt.Fprintf(w, "  spec time                p50 %6.0f ms   p95 %6.0f ms\n", s.SpecDuration.P50Ms, s.SpecDuration.P95Ms)
	fmt.Fprintf(w, "  spine specs (BOOT/MGMT/STATUS) %5.1f s   p50 %6.0f ms   p95 %6.0f ms\n", s.SpineSeconds, s.SpineDuration.P50Ms, s.SpineDuration.P95Ms)
	if res.Serial != nil {
		fmt.Fprintf(w, "  spec time, one process   p50 %6.0f ms   p95 %6.0f ms   (fault matrix %.1f s)%s\n", res.Serial.SpecDuration.P50Ms, res.Serial.SpecDuration.P95Ms, res.Serial.FaultSeconds, counting)
	}
	fmt.Fprintf(w, "  reconcile latency        p50 %6.1f ms   p95 %6.1f ms   (n=%d)\n", res.Reconcile.Reconcile.P50Ms, res.Reconcile.Reconcile.P95Ms, n)
	fmt.Fprintf(w, "  harness step (upd+wait)  p50 %6.1f ms   p95 %6.1f ms\n", res.Reconcile.Step.P50Ms, res.Reconcile.Step.P95Ms)
	fmt.Fprintf(w, "  harness overhead/step    p50 %6.1f ms   p95 %6.1f ms   (patch round trip p50 %.1f ms, watch lag p50 %.1f ms)\n",
		res.Reconcile.Overhead.P50Ms, res.Reconcile.Overhead.P95Ms, res.Reconcile.UpdateTrip.P50Ms, res.Reconcile.WatchLag.P50Ms)
	if c := res.Chainsaw; c.Error == "" {
		fmt.Fprintf(w, "  chainsaw %-8s step     p50 %6.1f ms   p95 %6.1f ms   (n=%d, same change on the same envtest)\n", c.Version, c.Step.P50Ms, c.Step.P95Ms, c.Step.N)
		fmt.Fprintf(w, "  chainsaw step / irconform step %.2f   chainsaw step / harness overhead %.1f\n", c.Ratio, c.OverheadRatio)
	} else {
		fmt.Fprintf(w, "  chainsaw                 not measured: %s\n", c.Error)
	}
	fmt.Fprintf(w, "  flakes                   %d flaky spec(s) over %d parallel runs (%d runs with a failure)\n", res.Flakes.Count, res.Flakes.Runs, res.Flakes.FailedRuns)
	for _, f := range res.Flakes.Specs {
		fmt.Fprintf(w, "    %s: failed %d of %d: %s\n", f.Name, f.Failed, f.Failed+f.Passed, f.Failures[0])
	}
	for _, f := range res.Flakes.AlwaysFailed {
		fmt.Fprintf(w, "    failed in every run: %s: %s\n", f.Name, f.Failures[0])
	}
	for _, f := range res.SerialFailures {
		fmt.Fprintf(w, "    failed in the one-process run: %s: %s\n", f.Name, f.Failures[0])
	}
	for _, b := range []string{"s3", "gcs", "azure", "swift", "pvc", "emptydir"} {
		st := res.StorageReady[b]
		fmt.Fprintf(w, "  storage ready %-9s  p50 %6.1f ms   p95 %6.1f ms   (n=%d)\n", b, st.P50Ms, st.P95Ms, st.N)
	}
	if res.FakesMemory.HeapBytes == 0 {
		// The heap is the whole process's: when it shrank more than the fakes grew it, the
		// difference says nothing about the fakes.
		fmt.Fprintf(w, "  storage fakes heap       not measured: the process's heap shrank while the fakes started\n")
	} else {
		fmt.Fprintf(w, "  storage fakes heap       %8.1f KiB (S3, GCS, Azure, Swift, one bucket each)\n", float64(res.FakesMemory.HeapBytes)/(1<<10))
	}
	ids := bench.Slowest(s.PerBehavior, len(s.PerBehavior))
	fmt.Fprintf(w, "  time per behaviour ID (%d IDs; spec seconds, a spec counted for each ID it checks):\n", len(ids))
	var line strings.Builder
	for i, id := range ids {
		fmt.Fprintf(&line, "  %-11s %5.2f", id, s.PerBehavior[id])
		if i%6 == 5 || i == len(ids)-1 {
			fmt.Fprintf(w, "  %s\n", line.String())
			line.Reset()
		}
	}
}

// loadAverage is the 1-minute load average ("?" where /proc/loadavg is not there).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	first, _, _ := strings.Cut(string(b), " ")
	return first
}
