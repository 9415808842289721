package parallel

import (
	"testing"
	"time"

	"github.com/irconform/irconform/reports"
)

const (
	claimed     = "run by another process"
	notSelected = "not selected"
	lost        = "its process died"
)

func spec(name string, r reports.Result, reason string) reports.Spec {
	return reports.Spec{Name: name, Source: name + ".go:1", Result: r, SkipReason: reason}
}

// Each spec takes the result of the process that ran it; the selection counts as a serial
// run's would; tables keep every process's rows; a spec only ever claimed by a process that
// left no report is failed, not silently skipped.
func TestMerge(t *testing.T) {
	p1 := reports.Run{Schema: "1", Specs: []reports.Spec{
		spec("a", reports.Passed, ""), spec("b", reports.Skipped, claimed), spec("c", reports.Skipped, notSelected),
		spec("d", reports.Skipped, claimed), spec("e", reports.Skipped, "needs a live cluster"), spec("f", reports.Skipped, notSelected),
	}, Extra: map[string]reports.Table{"faults": {Title: "T", Columns: []string{"x"}, Rows: [][]string{{"1"}}}}}
	p2 := reports.Run{Schema: "1", Specs: []reports.Spec{
		spec("a", reports.Skipped, claimed), spec("b", reports.Failed, ""), spec("c", reports.Skipped, notSelected),
		spec("d", reports.Skipped, claimed), spec("e", reports.Skipped, claimed), spec("f", reports.Skipped, notSelected),
	}, Extra: map[string]reports.Table{"faults": {Title: "T", Columns: []string{"x"}, Rows: [][]string{{"2"}}}}}
	serial := reports.Run{Schema: "1", Specs: []reports.Spec{ // the serial phase: only c ran
		spec("a", reports.Skipped, notSelected), spec("b", reports.Skipped, notSelected), spec("c", reports.Passed, ""),
		spec("d", reports.Skipped, notSelected), spec("e", reports.Skipped, notSelected), spec("f", reports.Skipped, notSelected),
	}}
	got, err := Merge([]reports.Run{p1, p2, serial}, reports.Selection{LabelFilter: "x"}, time.Unix(0, 0), time.Second, claimed, notSelected, lost)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "passed", "b": "failed", "c": "passed", "d": "failed " + lost, "e": "skipped needs a live cluster", "f": "skipped " + notSelected}
	if len(got.Specs) != len(want) {
		t.Fatalf("specs: %d, want %d", len(got.Specs), len(want))
	}
	for i, s := range got.Specs {
		if s.Name != string(rune('a'+i)) {
			t.Errorf("spec %d is %s: the order is the processes' (one seed)", i, s.Name)
		}
		desc := string(s.Result)
		if s.SkipReason != "" {
			desc += " " + s.SkipReason
		}
		if s.Failure != "" {
			desc += " " + s.Failure
		}
		if desc != want[s.Name] {
			t.Errorf("spec %s: %q, want %q", s.Name, desc, want[s.Name])
		}
	}
	if sel := got.Selection; sel.Selected != 5 || sel.Total != 6 || !sel.Partial || sel.LabelFilter != "x" {
		t.Errorf("selection %+v, want 5 of 6 selected, partial, label filter x", *sel)
	}
	if rows := got.Extra["faults"].Rows; len(rows) != 2 {
		t.Errorf("fault table rows %v, want both processes'", rows)
	}
	if _, err := Merge(nil, reports.Selection{}, time.Time{}, 0, claimed, notSelected, lost); err == nil {
		t.Error("no runs: want an error")
	}
}

func TestAnd(t *testing.T) {
	if got := and("", "!serial"); got != "!serial" {
		t.Errorf("got %q", got)
	}
	if got := and("A || B", "serial"); got != "(A || B) && serial" {
		t.Errorf("got %q", got)
	}
}
