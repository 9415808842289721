package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/parallel"
	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/reports"
)

type parallelRun struct {
	procs         int
	labels, focus string
	reportDir     string
	extra         []string
	seed          int64
}

// runParallel runs the suite in p.procs processes of this binary (conformance/parallel),
// merges their reports into one run and writes it as a serial run would. It returns where
// the reports went.
func runParallel(cmd *cobra.Command, p parallelRun) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", &exitError{code: 2, err: fmt.Errorf("--parallel: finding this binary: %w", err)}
	}
	work, err := os.MkdirTemp("", "irconform-parallel-")
	if err != nil {
		return "", &exitError{code: 2, err: err}
	}
	keep := false
	defer func() {
		if !keep {
			_ = os.RemoveAll(work)
		}
	}()
	start := time.Now()
	fmt.Fprintf(cmd.ErrOrStderr(), "irconform: %d processes, each with its own envtest and operator; then the %q specs alone\n", p.procs, parallel.SerialLabel)
	// Ctrl-C reaches the processes too (one process group); this one waits for their partial
	// reports and merges them instead of dying first.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	procs, err := parallel.Run(ctx, parallel.Options{Procs: p.procs, Exe: exe, LabelFilter: p.labels, Focus: p.focus,
		Extra: p.extra, Seed: p.seed, WorkDir: work, Progress: cmd.ErrOrStderr()})
	interrupted := err != nil
	var runs []reports.Run
	var broken []string
	empty := 0
	for _, pr := range procs {
		if pr.Err != nil {
			broken = append(broken, pr.Err.Error())
		}
		if pr.Empty {
			empty++
		}
		if pr.Report == "" {
			continue
		}
		r, err := reports.ReadJSON(pr.Report)
		if err != nil {
			broken = append(broken, fmt.Sprintf("process %d of phase %d: reading its report: %v", pr.Number, pr.Phase, err))
			continue
		}
		runs = append(runs, r)
	}
	if len(broken) > 0 {
		keep = true
		fmt.Fprintf(cmd.ErrOrStderr(), "irconform: %s\n", strings.Join(broken, "\nirconform: "))
	}
	if len(runs) == 0 {
		if empty == len(procs) {
			return "", &exitError{code: specs.ExitNothingSelected, err: fmt.Errorf("no spec matched label filter %q, focus %q: nothing was run and no report was written", p.labels, p.focus)}
		}
		return "", &exitError{code: 2, err: fmt.Errorf("no process wrote a report (their output: %s)", work)}
	}
	sel := reports.Selection{}
	if runs[0].Selection != nil {
		sel = *runs[0].Selection // the focus as the processes saw it, scenario paths
	}
	sel.LabelFilter = p.labels
	lost := fmt.Sprintf("its process ended without a report (its output: %s)", work)
	run, err := parallel.Merge(runs, sel, start, time.Since(start), specs.ClaimedElsewhere, specs.NotSelected, lost)
	if err != nil {
		return "", &exitError{code: 2, err: err}
	}
	run.Interrupted = run.Interrupted || interrupted
	dir, err := specs.WriteMerged(run, specs.Options{ReportDir: p.reportDir}, cmd.OutOrStdout())
	if err != nil {
		return "", &exitError{code: 2, err: err}
	}
	if run.Interrupted {
		return dir, &exitError{code: 130, err: fmt.Errorf("interrupted: partial report in %s", dir)}
	}
	if len(broken) > 0 {
		return dir, &exitError{code: 2, err: fmt.Errorf("%d of %d processes failed; reports in %s", len(broken), len(procs), filepath.Clean(dir))}
	}
	for _, s := range run.Specs {
		if s.Result == reports.Failed {
			return dir, &exitError{code: 1, err: fmt.Errorf("conformance run failed")}
		}
	}
	return dir, nil
}
