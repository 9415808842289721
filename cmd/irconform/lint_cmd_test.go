package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lintRun runs `irconform lint args...` in-process and returns its output and exit code.
func lintRun(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := newLintCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	var ee *exitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.code
	}
	t.Fatalf("lint: %v", err)
	return "", -1
}

// A file linted on its own may not reuse a shipped scenario's name: the suite runs both.
func TestLintSingleFileNameClashWithShipped(t *testing.T) {
	f := filepath.Join(t.TempDir(), "mine.yaml")
	scenario := `apiVersion: irconform.io/v1alpha1
kind: Scenario
metadata:
  name: bootstrap-removed-baremetal
behaviors: [BOOT-003]
platform: BareMetal
steps:
  - expect: [{kind: Config, exists: true}]
`
	if err := os.WriteFile(f, []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := lintRun(t, f)
	if code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", code, out)
	}
	want := f + `:4:9: scenario name "bootstrap-removed-baremetal" is already used at `
	if !strings.Contains(out, want) || !strings.Contains(out, "scenarios/bootstrap-removed-baremetal.yaml:7") {
		t.Errorf("want a clash with the shipped scenario, got:\n%s", out)
	}
}

// The shipped set does not clash with itself, and lints clean with the same command.
func TestLintShippedSetClean(t *testing.T) {
	out, code := lintRun(t, "../../scenarios")
	if code != 0 || !strings.Contains(out, "no findings") {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
}
