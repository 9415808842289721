package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/bench"
	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/reports"
)

// benchResult is what `irconform bench` writes.
type benchResult struct {
	At      time.Time    `json:"at"`
	Machine string       `json:"machine"`
	Suite   suiteFigures `json:"suite"`
	// Spine: the BOOT-, MGMT- and STATUS- specs (the core's own budget: under 20 s together,
	// median under 200 ms), measured inside the same run.
	Spine     suiteFigures  `json:"spine"`
	Reconcile bench.Latency `json:"reconcile"`
	// StorageReady: Config create → StorageExists True, per backend (median of --storage-n).
	StorageReady bench.StorageReady `json:"storage_ready"`
	FakesMemory  bench.FakesMemory  `json:"fakes_memory"`
}

type suiteFigures struct {
	Specs       int     `json:"specs"`
	Passed      int     `json:"passed"`
	WallSeconds float64 `json:"wall_seconds"`
	// SpecSeconds is the sum of the specs' own times (setup and teardown of each included).
	SpecSeconds  float64     `json:"spec_seconds"`
	SpecDuration bench.Stats `json:"spec_duration"`
}

func newBenchCmd() *cobra.Command {
	var out, labels string
	var n, storageN int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure suite time, spec time, reconcile latency and harness overhead",
		Long: `Runs the conformance suite once (reports to a temporary folder) for suite wall time and the
median/p95 spec time, then starts a fresh envtest world and changes the Config N times to measure
the operator's reconcile latency (Config update → Deployment write seen on a raw watch) and the
harness's own overhead (update + watch-driven wait, minus that latency). Prints the figures and
writes them as JSON. Speed targets live here, never in timed tests.`,
		Example: `  irconform bench
  irconform bench --n 100 --out /tmp/bench.json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := os.MkdirTemp("", "irconform-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			suite, reporter := ginkgo.GinkgoConfiguration()
			suite.LabelFilter = labels
			reporter.Succinct = true
			registerScenarios(nil)
			start := time.Now()
			specs.Run(&ginkgoT{}, specs.Options{ReportDir: dir}, suite, reporter)
			wall := time.Since(start)
			run, err := reports.ReadJSON(filepath.Join(dir, "report.json"))
			if err != nil {
				return fmt.Errorf("reading the suite's report: %w", err)
			}
			var durs, spineDurs []time.Duration
			res := benchResult{At: time.Now().UTC(), Machine: fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())}
			for _, s := range run.Specs {
				if s.Result != reports.Passed && s.Result != reports.Failed {
					continue // not run
				}
				d, passed := s.Duration.Std(), s.Result == reports.Passed
				res.Suite.add(d, passed)
				durs = append(durs, d)
				if isSpine(s.Behaviors) {
					res.Spine.add(d, passed)
					spineDurs = append(spineDurs, d)
				}
			}
			res.Spine.SpecDuration = bench.Summarize(spineDurs)
			res.Suite.WallSeconds = wall.Seconds()
			res.Suite.SpecDuration = bench.Summarize(durs)
			res.Reconcile, err = bench.MeasureReconcile(cmd.Context(), n)
			if err != nil {
				return fmt.Errorf("measuring reconcile latency: %w", err)
			}
			res.StorageReady, res.FakesMemory, err = bench.MeasureStorage(cmd.Context(), storageN)
			if err != nil {
				return fmt.Errorf("measuring storage readiness: %w", err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "\nirconform bench (%s)\n", res.Machine)
			fmt.Fprintf(w, "  envtest start            %8.0f ms\n", res.Reconcile.EnvtestStartMs)
			fmt.Fprintf(w, "  suite wall time          %8.1f s   (%d specs, %d passed)\n", res.Suite.WallSeconds, res.Suite.Specs, res.Suite.Passed)
			fmt.Fprintf(w, "  spec time                p50 %6.0f ms   p95 %6.0f ms\n", res.Suite.SpecDuration.P50Ms, res.Suite.SpecDuration.P95Ms)
			fmt.Fprintf(w, "  spine specs (BOOT/MGMT/STATUS) %5.1f s   p50 %6.0f ms   p95 %6.0f ms   (%d specs, %d passed)\n",
				res.Spine.SpecSeconds, res.Spine.SpecDuration.P50Ms, res.Spine.SpecDuration.P95Ms, res.Spine.Specs, res.Spine.Passed)
			fmt.Fprintf(w, "  reconcile latency        p50 %6.1f ms   p95 %6.1f ms   (n=%d)\n", res.Reconcile.Reconcile.P50Ms, res.Reconcile.Reconcile.P95Ms, n)
			fmt.Fprintf(w, "  harness step (upd+wait)  p50 %6.1f ms   p95 %6.1f ms\n", res.Reconcile.Step.P50Ms, res.Reconcile.Step.P95Ms)
			fmt.Fprintf(w, "  harness overhead         p50 %6.1f ms   p95 %6.1f ms\n", res.Reconcile.Overhead.P50Ms, res.Reconcile.Overhead.P95Ms)
			for _, b := range []string{"s3", "gcs", "azure", "swift", "pvc", "emptydir"} {
				st := res.StorageReady[b]
				fmt.Fprintf(w, "  storage ready %-9s  p50 %6.1f ms   p95 %6.1f ms   (n=%d)\n", b, st.P50Ms, st.P95Ms, st.N)
			}
			fmt.Fprintf(w, "  storage fakes heap       %8.1f MiB (S3, GCS, Azure, Swift, one bucket each)\n", float64(res.FakesMemory.HeapBytes)/(1<<20))
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
	cmd.Flags().StringVar(&out, "out", "", "write the figures as JSON here")
	cmd.Flags().StringVar(&labels, "label-filter", "", "restrict the suite part to these labels")
	cmd.Flags().IntVar(&n, "n", 50, "number of Config changes for the latency figures")
	cmd.Flags().IntVar(&storageN, "storage-n", 20, "Config creations per storage backend")
	return cmd
}

// add counts one spec that ran.
func (f *suiteFigures) add(d time.Duration, passed bool) {
	f.Specs++
	f.SpecSeconds += d.Seconds()
	if passed {
		f.Passed++
	}
}

// isSpine: the spec checks a BOOT-, MGMT- or STATUS- behaviour.
func isSpine(ids []string) bool {
	for _, id := range ids {
		if strings.HasPrefix(id, "BOOT-") || strings.HasPrefix(id, "MGMT-") || strings.HasPrefix(id, "STATUS-") {
			return true
		}
	}
	return false
}
