package mutate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/irconform/irconform/reports"
)

// GoRunner builds cmd/irconform with the overlay and runs `irconform run --label-filter`
// with its reports in the work folder (reports/out is left alone).
type GoRunner struct {
	Root string
	// Verbose passes the suite's output through.
	Verbose bool
	Stdout  *os.File
}

// Run implements Runner.
func (g GoRunner) Run(ctx context.Context, overlay, labelFilter, workDir string) (reports.Run, error) {
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return reports.Run{}, err
	}
	bin := filepath.Join(workDir, "irconform")
	// No symbol table or DWARF: the binary runs once and is deleted, and linking the
	// debug info of a ~150 MB binary is much of a break's build time.
	args := []string{"build", "-ldflags=-s -w", "-o", bin}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	defer os.Remove(bin) // ~30 MB per break; the report stays
	build := exec.CommandContext(ctx, "go", append(args, "./cmd/irconform")...)
	build.Dir = g.Root
	if out, err := build.CombinedOutput(); err != nil {
		return reports.Run{}, &BuildError{Output: string(bytes.TrimSpace(out))}
	}
	reportDir := filepath.Join(workDir, "report")
	run := exec.CommandContext(ctx, bin, "run", "--label-filter", labelFilter, "--report-dir", reportDir)
	run.Dir = g.Root
	var out bytes.Buffer
	run.Stdout, run.Stderr = &out, &out
	if g.Verbose && g.Stdout != nil {
		run.Stdout, run.Stderr = g.Stdout, g.Stdout
	}
	err := run.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: specs failed
		return reports.Run{}, fmt.Errorf("irconform run: %w\n%s", err, tail(out.String(), 2000))
	}
	return reports.ReadJSON(filepath.Join(reportDir, reports.FileJSON))
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
