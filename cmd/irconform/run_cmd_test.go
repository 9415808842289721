package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irconform/irconform/reports"
)

// checkout makes a folder that looks like a checkout to the suite (a go.mod: reports go to
// reports/out below it) with a previous full run that latest points at.
func checkout(t *testing.T) (root, base string) {
	t.Helper()
	root = t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base = filepath.Join(root, "reports", "out")
	if err := os.MkdirAll(filepath.Join(base, "20260101T000000Z"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := reports.UpdateLatest(base, filepath.Join(base, "20260101T000000Z")); err != nil {
		t.Fatal(err)
	}
	return root, base
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestRunNothingSelected: a selection that matches no spec ends with exit 2 and one
// explanation, prints no verdict, and writes or moves nothing.
func TestRunNothingSelected(t *testing.T) {
	bin := buildCLI(t, "")
	root, base := checkout(t)
	before := entries(t, base)
	cmd := exec.Command(bin, "run", "--label-filter", "NOPE-999")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want 2\n%s", err, out)
	}
	s := string(out)
	for _, bad := range []string{"PASSED", "SUCCESS", "FAIL!", "Ran 0 of"} {
		if strings.Contains(s, bad) {
			t.Errorf("output shows a verdict (%q):\n%s", bad, s)
		}
	}
	if !strings.Contains(s, `no spec matched label filter "NOPE-999"`) {
		t.Errorf("no explanation:\n%s", s)
	}
	if after := entries(t, base); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Errorf("reports/out changed: %v → %v", before, after)
	}
	if target, _ := os.Readlink(filepath.Join(base, "latest")); target != "20260101T000000Z" {
		t.Errorf("latest → %q", target)
	}
}

// TestRunPartial: a focused run records its selection, says it is partial, and moves
// latest-partial, never latest.
func TestRunPartial(t *testing.T) {
	if testing.Short() {
		t.Skip("starts envtest")
	}
	bin := buildCLI(t, "")
	root, base := checkout(t)
	cmd := exec.Command(bin, "run", "--label-filter", "MGMT-001")
	cmd.Dir = root
	// Without NO_COLOR: output to a pipe alone must carry no colour codes.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NO_COLOR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "\x1b[") {
		t.Errorf("ANSI codes in output written to a pipe:\n%q", out)
	}
	if !strings.Contains(string(out), "Partial run: 1 of ") {
		t.Errorf("no partial banner:\n%s", out)
	}
	if target, _ := os.Readlink(filepath.Join(base, "latest")); target != "20260101T000000Z" {
		t.Errorf("a partial run moved latest → %q", target)
	}
	run, err := reports.ReadJSON(filepath.Join(base, reports.LatestPartialLink, reports.FileJSON))
	if err != nil {
		t.Fatalf("latest-partial: %v", err)
	}
	sel := run.Selection
	if sel == nil || !sel.Partial || sel.LabelFilter != "MGMT-001" || sel.Selected != 1 || sel.Total < 200 {
		t.Fatalf("selection: %+v", sel)
	}
	for _, f := range []string{reports.FileMarkdown, reports.FileHTML} {
		b, err := os.ReadFile(filepath.Join(base, reports.LatestPartialLink, f))
		if err != nil || !strings.Contains(string(b), "Partial run: 1 of") {
			t.Errorf("%s has no partial banner (%v)", f, err)
		}
	}
}

// TestRunParallelNothingSelected: with --parallel, an empty selection still ends with exit 2
// and one explanation before any envtest starts, writing or moving nothing; a live target is
// refused (one shared cluster).
func TestRunParallelNothingSelected(t *testing.T) {
	bin := buildCLI(t, "")
	root, base := checkout(t)
	before := entries(t, base)
	cmd := exec.Command(bin, "run", "--parallel", "2", "--label-filter", "NOPE-999")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want 2\n%s", err, out)
	}
	if !strings.Contains(string(out), `no spec matched label filter "NOPE-999"`) {
		t.Errorf("output does not say what matched nothing:\n%s", out)
	}
	if after := entries(t, base); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("reports/out changed: %v → %v", before, after)
	}
	cmd = exec.Command(bin, "run", "--parallel", "2", "--kubeconfig", filepath.Join(root, "kubeconfig"))
	cmd.Dir = root
	out, err = cmd.CombinedOutput()
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "one shared cluster") {
		t.Errorf("--parallel with a live target: %v, want exit 2 saying why\n%s", err, out)
	}
}
