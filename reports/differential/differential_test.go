package differential

import (
	"strings"
	"testing"

	"github.com/irconform/irconform/reports"
	"github.com/irconform/irconform/reports/catalogue"
)

func testCatalogue(t *testing.T) catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Unmarshal([]byte(`
source: test
documents: []
behaviors:
  - {id: A-001, area: A, group: A, tier: doc, source: doc, rule: one}
  - {id: A-002, area: A, group: A, tier: doc, source: doc, rule: "two. **DIVERGES** upstream does not", divergence: true, divergenceNote: upstream does not}
  - {id: A-003, area: A, group: A, tier: doc, source: doc, rule: three}
  - {id: A-004, area: A, group: A, tier: doc, source: doc, rule: four}
  - {id: A-005, area: A, group: A, tier: doc, source: doc, rule: five}
`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func spec(name string, res reports.Result, ids ...string) reports.Spec {
	return reports.Spec{Name: name, Behaviors: ids, Result: res}
}

func rowOf(t *testing.T, s Summary, id string) Behavior {
	t.Helper()
	for _, b := range s.Behaviors {
		if b.ID == id {
			return b
		}
	}
	t.Fatalf("no row %s", id)
	return Behavior{}
}

// TestBuildClassifies: agreeing rows, known divergences and all-skipped rows are classified
// on their own; other differences stay unclassified until a reviewed reason names them.
func TestBuildClassifies(t *testing.T) {
	cat := testCatalogue(t)
	div := spec("a2 documents", reports.Failed, "A-002")
	div.Divergence = true
	div.Failure = "Expected rule\nmore"
	skip := spec("a4 clock", reports.Skipped, "A-004")
	skip.SkipReason = "operator upstream: needs simulated time"
	ref := reports.Run{Specs: []reports.Spec{
		spec("a1 x", reports.Passed, "A-001"), spec("a1 y", reports.Passed, "A-001", "A-003"),
		func() reports.Spec { s := spec("a2 documents", reports.Passed, "A-002"); s.Divergence = true; return s }(),
		spec("a3 z", reports.Passed, "A-003"), spec("a4 clock", reports.Passed, "A-004"), spec("a5 w", reports.Passed, "A-005"),
	}}
	up := reports.Run{Specs: []reports.Spec{
		spec("a1 x", reports.Passed, "A-001"), spec("a1 y", reports.Passed, "A-001", "A-003"),
		div, spec("a3 z", reports.Failed, "A-003"), skip, spec("a5 w", reports.Failed, "A-005"),
	}}
	manual := Classifications{Classifications: []Manual{{ID: "A-005", Class: UpstreamDiffers, Reason: "upstream does w differently", Evidence: "spec a5 w"}}}
	s, err := Build(cat, ref, up, manual, Upstream{Key: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]Class{"A-001": Agrees, "A-002": Divergence, "A-003": Unclassified, "A-004": Harness, "A-005": UpstreamDiffers} {
		if got := rowOf(t, s, id).Class; got != want {
			t.Errorf("%s: class %q, want %q", id, got, want)
		}
	}
	if r := rowOf(t, s, "A-004"); r.Upstream != Skipped || !strings.Contains(r.Lacks, "simulated time") {
		t.Errorf("A-004: upstream %s lacks %q, want skipped naming the skip reason", r.Upstream, r.Lacks)
	}
	if r := rowOf(t, s, "A-003"); r.Reference != Passed || r.Upstream != Failed || len(r.Specs) != 2 {
		t.Errorf("A-003: %+v", r)
	}
	if n := rowOf(t, s, "A-002").Specs[0].Note; n != "Expected rule" {
		t.Errorf("failure note %q, want its first line", n)
	}
	if s.Counts[Agrees] != 1 || s.Counts[Unclassified] != 1 {
		t.Errorf("counts %v", s.Counts)
	}
	problems := Check(s, cat, 0.5)
	if len(problems) != 2 || !strings.Contains(problems[0], "A-005") || !strings.Contains(problems[1], "A-003") {
		t.Errorf("Check: %q, want A-005 (upstream differs, not DIVERGES in the catalogue) and A-003 (unclassified)", problems)
	}
}

// TestBuildRefusesBadClassifications: unknown IDs, duplicates, missing reasons, harness
// without what it lacks, and automatic classes are refused.
func TestBuildRefusesBadClassifications(t *testing.T) {
	cat := testCatalogue(t)
	for _, m := range [][]Manual{
		{{ID: "Z-001", Class: Harness, Reason: "r", Lacks: "l"}},
		{{ID: "A-001", Class: Catalogue, Reason: "r"}, {ID: "A-001", Class: Catalogue, Reason: "r"}},
		{{ID: "A-001", Class: Catalogue}},
		{{ID: "A-001", Class: Harness, Reason: "r"}},
		{{ID: "A-001", Class: Agrees, Reason: "r"}},
	} {
		if _, err := Build(cat, reports.Run{}, reports.Run{}, Classifications{Classifications: m}, Upstream{}); err == nil {
			t.Errorf("Build accepted %+v", m)
		}
	}
}

// notSelected is a spec a focused run lists but did not run.
func notSelected(name string, ids ...string) reports.Spec {
	return reports.Spec{Name: name, Behaviors: ids, Result: reports.Skipped, SkipReason: "not selected by the focus or label filter"}
}

// TestBuildOntoKeepsWhatAPartialRunDidNotRun: a focused re-run replaces only the specs it
// ran; IDs it did not touch keep their rows.
func TestBuildOntoKeepsWhatAPartialRunDidNotRun(t *testing.T) {
	cat := testCatalogue(t)
	all := reports.Run{Specs: []reports.Spec{spec("a1", reports.Passed, "A-001"), spec("a3", reports.Passed, "A-003")}}
	base, err := Build(cat, all, all, Classifications{}, Upstream{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	focusedRef := reports.Run{Specs: []reports.Spec{notSelected("a1", "A-001"), spec("a3", reports.Passed, "A-003")}}
	focusedUp := reports.Run{Specs: []reports.Spec{notSelected("a1", "A-001"), spec("a3", reports.Failed, "A-003")}}
	m, err := BuildOnto(base, cat, focusedRef, focusedUp, Classifications{Classifications: []Manual{{ID: "A-003", Class: Harness, Reason: "r", Lacks: "x"}}}, Upstream{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, m, "A-001"); r.Class != Agrees || r.Upstream != Passed || r.Reference != Passed {
		t.Errorf("A-001 after merge: %+v, want the base row", r)
	}
	if r := rowOf(t, m, "A-003"); r.Class != Harness || r.Upstream != Failed {
		t.Errorf("A-003 after merge: %+v, want the fresh row", r)
	}
	if m.Counts[Agrees] != 1 || m.Counts[Harness] != 1 {
		t.Errorf("counts %v", m.Counts)
	}
}

// TestBuildOntoMergesSharedIDsSpecBySpec: a focused run that runs one spec of an ID it
// shares with specs it did not select updates that spec only; a base spec the new runs do
// not list at all (removed since) is dropped.
func TestBuildOntoMergesSharedIDsSpecBySpec(t *testing.T) {
	cat := testCatalogue(t)
	all := reports.Run{Specs: []reports.Spec{spec("x1", reports.Passed, "A-001"), spec("x2", reports.Passed, "A-001"),
		spec("gone", reports.Passed, "A-001"), spec("y", reports.Passed, "A-004")}}
	base, err := Build(cat, all, all, Classifications{}, Upstream{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	// The focused run selects x2 (labelled) and not x1; "gone" no longer exists.
	ref := reports.Run{Specs: []reports.Spec{notSelected("x1", "A-001"), spec("x2", reports.Passed, "A-001", "A-005"), notSelected("y", "A-004")}}
	up := reports.Run{Specs: []reports.Spec{notSelected("x1", "A-001"), spec("x2", reports.Skipped, "A-001", "A-005"), notSelected("y", "A-004")}}
	up.Specs[1].SkipReason = "operator upstream: lacks z"
	m, err := BuildOnto(base, cat, ref, up, Classifications{}, Upstream{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	r := rowOf(t, m, "A-001")
	if len(r.Specs) != 2 || r.Specs[0].Name != "x1" || r.Specs[0].Upstream != Passed || r.Specs[1].Name != "x2" || r.Specs[1].Upstream != Skipped {
		t.Errorf("A-001 specs after merge: %+v, want x1 passed (kept) and x2 skipped (fresh), no 'gone'", r.Specs)
	}
	if r.Upstream != Partial || r.Class != Agrees {
		t.Errorf("A-001 after merge: upstream %s class %s, want partial, agrees", r.Upstream, r.Class)
	}
	if r := rowOf(t, m, "A-005"); r.Upstream != Skipped || r.Class != Harness {
		t.Errorf("A-005 after merge: %+v, want skipped, harness", r)
	}
	if r := rowOf(t, m, "A-004"); r.Upstream != Passed || r.Class != Agrees {
		t.Errorf("A-004 after merge: %+v, want the base row", r)
	}
}

// TestCheckHarnessShare: the harness share is bounded.
func TestCheckHarnessShare(t *testing.T) {
	cat := testCatalogue(t)
	s := Summary{}
	for _, id := range cat.IDs() {
		s.Behaviors = append(s.Behaviors, Behavior{ID: id, Class: Harness})
	}
	if p := Check(s, cat, 0.10); len(p) != 1 || !strings.Contains(p[0], "harness") {
		t.Errorf("Check: %q, want one harness-share problem", p)
	}
}

// TestMarkdownRows: one row per behaviour, pipes escaped, counts per class.
func TestMarkdownRows(t *testing.T) {
	cat := testCatalogue(t)
	s := Summary{Upstream: Upstream{Repository: "github.com/x/y", Commit: "0123456789abcdef", Key: "0123456789abcdef"},
		Counts: map[Class]int{Agrees: 1},
		Behaviors: []Behavior{{ID: "A-001", Reference: Passed, Upstream: Failed, Class: Catalogue, Reason: "a | b",
			Specs: []Spec{{Name: "x", Reference: Passed, Upstream: Failed}}}}}
	md := Markdown(s, cat)
	for _, want := range []string{"`0123456789ab`", "| A-001 | passed 1/1 | failed 0/1 | catalogue | a \\| b |", "| agrees | 1 |", "reports/upstream/0123456789ab.json"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestDivergenceSpecOfAnotherID: a behaviour whose only upstream failure is a divergence
// spec it shares with a catalogue divergence agrees; a plain failure does not.
func TestDivergenceSpecOfAnotherID(t *testing.T) {
	cat := testCatalogue(t)
	shared := func(res reports.Result) reports.Spec {
		s := spec("shared", res, "A-001", "A-002")
		s.Divergence = true
		return s
	}
	ref := reports.Run{Specs: []reports.Spec{shared(reports.Passed), spec("own", reports.Passed, "A-001")}}
	up := reports.Run{Specs: []reports.Spec{shared(reports.Failed), spec("own", reports.Passed, "A-001")}}
	s, err := Build(cat, ref, up, Classifications{}, Upstream{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if r := rowOf(t, s, "A-001"); r.Class != Agrees || !strings.Contains(r.Reason, "A-002") {
		t.Errorf("A-001: %s %q, want agrees naming A-002", r.Class, r.Reason)
	}
	if r := rowOf(t, s, "A-002"); r.Class != Divergence {
		t.Errorf("A-002: %s, want divergence", r.Class)
	}
	up.Specs[1].Result = reports.Failed
	s, _ = Build(cat, ref, up, Classifications{}, Upstream{Key: "k"})
	if r := rowOf(t, s, "A-001"); r.Class != Unclassified {
		t.Errorf("A-001 with its own spec failing: %s, want unclassified", r.Class)
	}
}
