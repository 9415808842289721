package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irconform/irconform/reports"
)

func TestDiffStrict(t *testing.T) {
	dir := t.TempDir()
	spec := func(name string, r reports.Result) reports.Spec {
		return reports.Spec{Name: name, Area: "MGMT", Behaviors: []string{"MGMT-001"}, Result: r}
	}
	write := func(name string, run reports.Run) string {
		p := filepath.Join(dir, name)
		if err := reports.WriteJSON(p, run); err != nil {
			t.Fatal(err)
		}
		return p
	}
	full := write("full.json", reports.Run{Target: reports.Target{Kind: "envtest"}, Specs: []reports.Spec{spec("a", reports.Passed), spec("b", reports.Passed)}})
	partial := write("partial.json", reports.Run{Target: reports.Target{Kind: "envtest"},
		Selection: &reports.Selection{LabelFilter: "a", Selected: 1, Total: 2, Partial: true},
		Specs:     []reports.Spec{spec("a", reports.Passed), spec("b", reports.Skipped)}})
	empty := write("empty.json", reports.Run{Target: reports.Target{Kind: "envtest"},
		Selection: &reports.Selection{LabelFilter: "NOPE-999", Selected: 0, Total: 2, Partial: true},
		Specs:     []reports.Spec{spec("a", reports.Skipped), spec("b", reports.Skipped)}})
	failing := write("failing.json", reports.Run{Target: reports.Target{Kind: "envtest"}, Specs: []reports.Spec{spec("a", reports.Failed)}})
	tests := []struct {
		name     string
		old, new string
		strict   bool
		code     int
		warn     bool
	}{
		{"same", full, full, true, diffExitOK, false},
		{"partial warns", full, partial, false, diffExitOK, true},
		{"partial strict", full, partial, true, diffExitIncomplete, true},
		{"empty strict", full, empty, true, diffExitIncomplete, true},
		{"new failure wins", full, failing, true, diffExitNewFailures, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := runDiff(&out, &errb, []string{tt.old, tt.new}, 0.5, "text", tt.strict)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out.String(), errb.String())
			}
			warned := strings.Contains(errb.String(), "did not run") && strings.Contains(out.String(), "did not run")
			if warned != tt.warn {
				t.Errorf("warned=%v, want %v\nstdout:\n%s\nstderr:\n%s", warned, tt.warn, out.String(), errb.String())
			}
		})
	}
}
