package reports

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/irconform/irconform/reports/catalogue"
)

func testCatalogue(t *testing.T) catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func statusOf(rep CoverageReport, id string) CoverageStatus {
	for _, b := range rep.Behaviors {
		if b.ID == id {
			return b.Status
		}
	}
	return "absent"
}

func TestCoverage(t *testing.T) {
	cat := testCatalogue(t)
	tests := []struct {
		name string
		runs []Run
		want map[string]CoverageStatus
	}{
		{"envtest", []Run{fixtureRun("envtest")}, map[string]CoverageStatus{
			"BOOT-003": CoveredPassing, "BOOT-004": CoverageFailing, "BOOT-005": CoverageFailing,
			"PRUNE-005": CoverageFailing, // envtest: a divergence failure is a real failure
			"S3-003":    CoverageNotRun, "MGMT-002": CoverageNotRun, "BOOT-001": CoverageGap,
		}},
		{"live", []Run{fixtureRun("live")}, map[string]CoverageStatus{
			"PRUNE-005": DivergenceNotHonoured, "BOOT-004": CoverageFailing, "ALERT-001": CoverageGap,
		}},
		{"envtest+live", []Run{passAll(fixtureRun("envtest")), fixtureRun("live")}, map[string]CoverageStatus{
			"PRUNE-005": DivergenceNotHonoured, "BOOT-004": CoverageFailing, "S3-003": CoverageNotRun,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Coverage(cat, tt.runs...)
			for id, want := range tt.want {
				if got := statusOf(rep, id); got != want {
					t.Errorf("%s: %s, want %s", id, got, want)
				}
			}
			if len(rep.Behaviors) != len(cat.Behaviors) {
				t.Errorf("%d rows for %d IDs", len(rep.Behaviors), len(cat.Behaviors))
			}
			sum := 0
			for _, n := range rep.Totals {
				sum += n
			}
			if sum != len(rep.Behaviors) || len(rep.Gaps) != rep.Totals[CoverageGap] {
				t.Errorf("totals %v, gaps %d", rep.Totals, len(rep.Gaps))
			}
			if !slices.Contains(rep.Gaps, "BOOT-001") {
				t.Error("BOOT-001 not a gap")
			}
			if len(rep.Divergences) != len(tt.runs) {
				t.Errorf("%d divergence entries", len(rep.Divergences))
			}
		})
	}
}

func passAll(r Run) Run {
	r.Specs = append([]Spec(nil), r.Specs...)
	for i := range r.Specs {
		if r.Specs[i].Result == Failed {
			r.Specs[i].Result, r.Specs[i].Failure = Passed, ""
		}
	}
	return r
}

func TestCoverageDivergenceMeaning(t *testing.T) {
	cat := testCatalogue(t)
	live := Coverage(cat, fixtureRun("live"))
	env := Coverage(cat, fixtureRun("envtest"))
	if len(live.Divergences) != 1 || len(env.Divergences) != 1 {
		t.Fatal("one divergence spec expected")
	}
	if m := live.Divergences[0].Meaning; m != "documented behaviour not honoured by this cluster" {
		t.Errorf("live meaning %q", m)
	}
	if m := env.Divergences[0].Meaning; m != "failed against the reference operator (a real failure)" {
		t.Errorf("envtest meaning %q", m)
	}
	if live.Divergences[0].Note == "" {
		t.Error("no catalogue note on PRUNE-005 divergence")
	}
}

func TestCoverageUnknownAndEmpty(t *testing.T) {
	cat := testCatalogue(t)
	run := Run{Target: Target{Kind: "envtest"}, Specs: []Spec{{Name: "x", Area: "ZZZ", Behaviors: []string{"ZZZ-001"}, Result: Passed}}}
	rep := Coverage(cat, run)
	if !slices.Equal(rep.Unknown, []string{"ZZZ-001"}) || statusOf(rep, "ZZZ-001") != CoveredPassing {
		t.Fatalf("unknown %v", rep.Unknown)
	}
	empty := Coverage(catalogue.Catalogue{})
	if len(empty.Behaviors) != 0 {
		t.Fatal("rows from nothing")
	}
}

func TestWriteCoverageJSON(t *testing.T) {
	path := tempPath(t, "coverage.json")
	if err := WriteCoverageJSON(path, Coverage(testCatalogue(t), fixtureRun("live"))); err != nil {
		t.Fatal(err)
	}
	raw := readFile(t, path)
	assertNoSecrets(t, "coverage.json", raw)
	var back CoverageReport
	if err := json.Unmarshal([]byte(raw), &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != CoverageSchema || statusOf(back, "PRUNE-005") != DivergenceNotHonoured || back.Totals[CoverageGap] == 0 {
		t.Fatalf("coverage.json: schema=%s totals=%v", back.Schema, back.Totals)
	}
}

func TestDivergenceFromLabel(t *testing.T) {
	run := fixtureRun("live")
	run.Specs[2].Divergence = false // only the label remains
	if !IsNotHonoured(run, run.Specs[2]) || statusOf(Coverage(testCatalogue(t), run), "PRUNE-005") != DivergenceNotHonoured {
		t.Fatal("divergence label not honoured")
	}
}
