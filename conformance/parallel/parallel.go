// Package parallel runs the conformance suite in several processes, each with its own envtest
// (kube-apiserver + etcd), storage fakes and reference operator — the Config is a
// cluster-scoped singleton, so two specs can never share a cluster — and merges their reports
// into the one run a serial run would have written.
//
// Each process is `irconform run` with the same selection and random seed and a shared claims
// folder: it walks the specs in the same order and runs a spec only if it is the first to
// claim it (conformance/specs.claim), so work is shared as it goes. Specs labelled `serial`
// then run in one process on their own.
package parallel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/irconform/irconform/reports"
)

// SerialLabel marks specs that must not run beside others (timing-sensitive under a loaded
// CPU): they run after the parallel phase, in a process of their own.
const SerialLabel = "serial"

// Options say what to run and how.
type Options struct {
	// Procs is the number of processes of the parallel phase (≥ 1).
	Procs int
	// Exe is the irconform binary the processes run (`Exe run ...`).
	Exe string
	// LabelFilter and Focus are the user's selection, as given to `irconform run`.
	LabelFilter string
	Focus       string
	// Extra are more `run` flags every process gets (--scenarios, --operator-logs).
	Extra []string
	// Seed is Ginkgo's random seed, the same for every process (one spec order).
	Seed int64
	// WorkDir receives the processes' reports, logs and claims.
	WorkDir string
	// Progress receives the processes' progress lines (their stderr).
	Progress io.Writer
}

// Process is what one process left.
type Process struct {
	Phase, Number int
	// Report is its report.json ("" when it wrote none: nothing selected, or it failed).
	Report string
	// Log holds its Ginkgo output.
	Log string
	// Err is its exit error, if any (a failed spec is exit 1 and no error here).
	Err error
	// Empty: its selection matched no spec (exit 0, no report).
	Empty bool
}

// Run runs the selection in opts.Procs processes, then the `serial` specs in one, and returns
// every process's outcome. It does not merge (see Merge).
func Run(ctx context.Context, o Options) ([]Process, error) {
	if o.Procs < 1 {
		return nil, fmt.Errorf("parallel: %d processes", o.Procs)
	}
	phases := []struct {
		filter string
		procs  int
	}{
		{and(o.LabelFilter, "!"+SerialLabel), o.Procs},
		{and(o.LabelFilter, SerialLabel), 1},
	}
	var all []Process
	for i, ph := range phases {
		if ctx.Err() != nil {
			break // interrupted: the serial phase does not start
		}
		claims := filepath.Join(o.WorkDir, fmt.Sprintf("claims-%d", i+1))
		if err := os.MkdirAll(claims, 0o755); err != nil {
			return nil, err
		}
		done := make(chan Process, ph.procs)
		for p := 1; p <= ph.procs; p++ {
			go func(p int) { done <- runOne(ctx, o, i+1, p, ph.filter, claims) }(p)
		}
		for range ph.procs {
			all = append(all, <-done)
		}
	}
	return all, ctx.Err()
}

func runOne(ctx context.Context, o Options, phase, n int, filter, claims string) Process {
	dir := filepath.Join(o.WorkDir, fmt.Sprintf("p%d-%d", phase, n))
	pr := Process{Phase: phase, Number: n, Log: filepath.Join(o.WorkDir, fmt.Sprintf("p%d-%d.log", phase, n))}
	args := []string{"run", "--report-dir", dir, "--claims", claims, "--process", strconv.Itoa(n),
		"--seed", strconv.FormatInt(o.Seed, 10), "--empty-ok", "--label-filter", filter}
	if o.Focus != "" {
		args = append(args, "--focus", o.Focus)
	}
	args = append(args, o.Extra...)
	log, err := os.Create(pr.Log)
	if err != nil {
		pr.Err = err
		return pr
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, o.Exe, args...)
	// Interrupted, a process gets what Ctrl-C gives it (Ginkgo then stops its envtest and
	// writes a partial report), not a kill that would leave kube-apiserver and etcd behind.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.Stdout, cmd.Stderr = log, o.Progress
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil, errors.As(err, &exit) && exit.ExitCode() == 1: // passed, or specs failed
	case ctx.Err() != nil && errors.As(err, &exit) && exit.ExitCode() == 130: // interrupted as asked
	default:
		pr.Err = fmt.Errorf("process %d of phase %d: %w (its output: %s)", n, phase, err, pr.Log)
	}
	if _, serr := os.Stat(filepath.Join(dir, reports.FileJSON)); serr == nil {
		pr.Report = filepath.Join(dir, reports.FileJSON)
	} else if err == nil {
		pr.Empty = true
	}
	return pr
}

// and joins two label filters.
func and(a, b string) string {
	if a == "" {
		return b
	}
	return "(" + a + ") && " + b
}
