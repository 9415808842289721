package mutate

import (
	"context"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/irconform/irconform/internal/behaviorindex"
	"github.com/irconform/irconform/reports"
	"github.com/irconform/irconform/reports/catalogue"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRefusesBadEntries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.yaml")
	writeFile(t, path, `mutations:
  - {name: Bad Name, file: /abs.go, find: x, replace: x, ids: [S3-03], why: ""}
  - {name: ok, file: a.go, find: x, replace: y, ids: [S3-003], why: w}
  - {name: ok, file: a.go, find: x, replace: y, ids: [], why: w}
`)
	_, err := Load(path)
	if err == nil {
		t.Fatal("bad list loaded")
	}
	for _, want := range []string{`name "Bad Name"`, `file "/abs.go"`, "find must be non-empty and differ", `id "S3-03"`, "why is empty", "name used twice", "no ids"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	writeFile(t, path, "mutations:\n  - {name: a, file: a.go, find: x, replace: y, ids: [S3-003], why: w, extra: 1}\n")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("unknown field accepted: %v", err)
	}
}

// TestLoadFolder reads every *.yaml of a folder in name order, and a name used in two
// files is refused with both in the message.
func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	entry := func(name string) string {
		return "mutations:\n  - name: " + name + "\n    file: a.go\n    find: x\n    replace: y\n    ids: [BOOT-001]\n    why: w\n"
	}
	writeFile(t, filepath.Join(dir, "b.yaml"), entry("second"))
	writeFile(t, filepath.Join(dir, "a.yaml"), entry("first"))
	writeFile(t, filepath.Join(dir, "README.md"), "not a list")
	muts, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(muts) != 2 || muts[0].Name != "first" || muts[1].Name != "second" {
		t.Fatalf("Load(folder) = %+v, want first (a.yaml) then second (b.yaml)", muts)
	}
	writeFile(t, filepath.Join(dir, "c.yaml"), entry("first"))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "c.yaml") || !strings.Contains(err.Error(), "name used twice") {
		t.Errorf("a name in a.yaml and c.yaml: err %v, want name used twice in c.yaml", err)
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("an empty folder must be refused")
	}
}

func TestMutatedAndOverlay(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "p", "a.go"), "package p\n\nfunc F() int { return 1 }\nfunc G() int { return 2 }\n")
	m := Mutation{Name: "f-returns-3", File: "p/a.go", Find: "return 1", Replace: "return 3", IDs: []string{"S3-003"}, Why: "w"}
	work := t.TempDir()
	overlay, err := m.WriteOverlay(root, work)
	if err != nil {
		t.Fatal(err)
	}
	var o struct{ Replace map[string]string }
	data, _ := os.ReadFile(overlay)
	if err := json.Unmarshal(data, &o); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join(root, "p", "a.go"))
	if strings.HasSuffix(o.Replace[abs], ".go") {
		t.Errorf("mutated copy %s has a .go name: go test ./... would build it", o.Replace[abs])
	}
	got, _ := os.ReadFile(o.Replace[abs])
	if !strings.Contains(string(got), "return 3") || strings.Contains(string(got), "return 1") {
		t.Errorf("overlay content:\n%s", got)
	}
	orig, _ := os.ReadFile(filepath.Join(root, "p", "a.go"))
	if !strings.Contains(string(orig), "return 1") {
		t.Error("the working tree was edited")
	}
	for find, want := range map[string]string{"return 9": "not found", "return": "occurs 2 times"} {
		m.Find = find
		if _, err := m.Mutated(root); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("find %q: %v, want %q", find, err, want)
		}
	}
}

// fakeRunner answers per label filter, as the suite would with the given mutation.
type fakeRunner struct {
	results map[string][]reports.Spec // by label filter ("" overlay: baseline)
	errs    map[string]error
	calls   []string
}

func (f *fakeRunner) Run(_ context.Context, overlay, filter, _ string) (reports.Run, error) {
	key := filter
	if overlay == "" {
		key = "baseline"
	}
	f.calls = append(f.calls, key)
	if err := f.errs[key]; err != nil {
		return reports.Run{}, err
	}
	return reports.Run{Specs: f.results[key]}, nil
}

func spec(name string, r reports.Result) reports.Spec { return reports.Spec{Name: name, Result: r} }

func TestExecuteClassifies(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.go"), "package a\nvar x = 1\nvar y = 2\n")
	mut := func(name, find, id string) Mutation {
		return Mutation{Name: name, File: "a.go", Find: find, Replace: "z", IDs: []string{id}, Why: "w"}
	}
	muts := []Mutation{mut("caught", "x = 1", "BOOT-001"), mut("survives", "y = 2", "BOOT-002"),
		mut("stale", "q = 3", "BOOT-003"), mut("no-build", "var x", "BOOT-004"), mut("nothing-ran", "var y", "BOOT-005")}
	r := &fakeRunner{
		results: map[string][]reports.Spec{
			"baseline": {spec("flaky", reports.Failed), spec("one", reports.Passed)},
			"BOOT-001": {spec("flaky", reports.Failed), spec("one", reports.Failed), spec("two", reports.Passed)},
			"BOOT-002": {spec("three", reports.Passed), spec("skipped", reports.Skipped)},
			"BOOT-005": {spec("skipped", reports.Skipped)},
		},
		errs: map[string]error{"BOOT-004": &BuildError{Output: "a.go:2: syntax error"}},
	}
	rep, err := Execute(context.Background(), root, t.TempDir(), muts, r, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"baseline", "BOOT-001", "BOOT-002", "BOOT-004", "BOOT-005"}; !reflect.DeepEqual(r.calls, want) {
		t.Errorf("runs %v, want %v (a stale mutation is not run)", r.calls, want)
	}
	if r.calls[0] != "baseline" || !reflect.DeepEqual(rep.BaselineFailed, []string{"flaky"}) {
		t.Errorf("baseline failures %v", rep.BaselineFailed)
	}
	got := map[string]Outcome{}
	for _, o := range rep.Outcomes {
		got[o.Mutation.Name] = o
	}
	if o := got["caught"]; o.Status != Caught || !reflect.DeepEqual(o.CaughtBy, []string{"one"}) || o.Ran != 3 {
		t.Errorf("caught: %+v (a spec failing at baseline catches nothing)", o)
	}
	if o := got["survives"]; o.Status != Survived || o.Ran != 1 {
		t.Errorf("survives: %+v", o)
	}
	if o := got["stale"]; o.Status != Broken || !strings.Contains(o.Err, "find text not found") {
		t.Errorf("stale: %+v", o)
	}
	if o := got["no-build"]; o.Status != Broken || !strings.Contains(o.Err, "does not compile") {
		t.Errorf("no-build: %+v", o)
	}
	if o := got["nothing-ran"]; o.Status != NoSpecs {
		t.Errorf("nothing-ran: %+v", o)
	}
	table := Table(rep)
	for _, want := range []string{"caught by 1 of 3 specs", "✗ one", "SURVIVED: all 1 specs passed", "5 mutations: 1 caught, 1 survived, 1 no specs, 2 broken", "failing without any break (they prove nothing): flaky"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	r.errs["baseline"] = errors.New("envtest failed")
	if _, err := Execute(context.Background(), root, t.TempDir(), muts, r, io.Discard); err == nil {
		t.Error("a failed baseline must stop the run")
	}
}

// TestShippedMutationsApply keeps hack/mutate/mutations/ current: every break applies
// to today's code (its find text is there once), still parses as Go, and names catalogue
// IDs that have specs to run.
func TestShippedMutationsApply(t *testing.T) {
	root, err := behaviorindex.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	muts, err := Load(filepath.Join(root, "hack", "mutate", "mutations"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := behaviorindex.Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.MustLoad()
	for _, m := range muts {
		content, err := m.Mutated(root)
		if err != nil {
			t.Error(err)
			continue
		}
		if strings.HasSuffix(m.File, ".go") {
			if _, err := parser.ParseFile(token.NewFileSet(), m.File, content, parser.SkipObjectResolution); err != nil {
				t.Errorf("mutation %s: the broken file does not parse: %v", m.Name, err)
			}
		}
		for _, id := range m.IDs {
			if _, ok := cat.Lookup(id); !ok {
				t.Errorf("mutation %s: %s is not in the catalogue", m.Name, id)
			} else if len(idx.ChecksOf(id, behaviorindex.GoSpec))+len(idx.ChecksOf(id, behaviorindex.Scenario)) == 0 {
				t.Errorf("mutation %s: no spec carries %s, nothing would run", m.Name, id)
			}
		}
	}
	for _, name := range []string{"bootstrap-forgets-powervs", "ca-trust-target-keeps-dots"} {
		if !containsName(muts, name) {
			t.Errorf("mutation %s is gone: it proves the BOOT-006 PowerVS row and the CA-006 mapping can fail", name)
		}
	}
}

func containsName(ms []Mutation, name string) bool {
	for _, m := range ms {
		if m.Name == name {
			return true
		}
	}
	return false
}

// TestMergeLastWinsAndCurrent: a break run twice counts by its last result; a result for a
// break whose text changed since, or that is no longer listed, is dropped; listed breaks
// with no result and catalogue IDs with no caught break are named.
func TestMergeLastWinsAndCurrent(t *testing.T) {
	m := func(name, find, id string) Mutation {
		return Mutation{Name: name, File: "a.go", Find: find, Replace: "y", IDs: []string{id}, Why: "w"}
	}
	first := Report{Outcomes: []Outcome{
		{Mutation: m("strengthened", "x", "S3-003"), Status: Survived},
		{Mutation: m("edited-since", "old", "S3-004"), Status: Caught},
		{Mutation: m("dropped", "x", "S3-005"), Status: Caught},
	}}
	second := Report{Outcomes: []Outcome{{Mutation: m("strengthened", "x", "S3-003"), Status: Caught}}}
	merged := Merge(first, second)
	if len(merged.Outcomes) != 3 || merged.Outcomes[0].Status != Caught {
		t.Fatalf("Merge: %+v, want strengthened counted by its last result (caught)", merged.Outcomes)
	}
	listed := []Mutation{m("strengthened", "x", "S3-003"), m("edited-since", "new", "S3-004"), m("new-one", "x", "S3-006")}
	cur := Current(merged, listed, []string{"S3-003", "S3-004", "S3-006"})
	if len(cur.Outcomes) != 1 || cur.Outcomes[0].Mutation.Name != "strengthened" {
		t.Errorf("Current outcomes: %+v, want only strengthened", cur.Outcomes)
	}
	var notRun []string
	for _, m := range cur.NotRun {
		notRun = append(notRun, m.Name)
	}
	if !reflect.DeepEqual(notRun, []string{"edited-since", "new-one"}) {
		t.Errorf("NotRun = %v, want [edited-since new-one]", notRun)
	}
	if !reflect.DeepEqual(cur.Uncaught, []string{"S3-004", "S3-006"}) {
		t.Errorf("Uncaught = %v, want [S3-004 S3-006]", cur.Uncaught)
	}
	md := Markdown(cur)
	for _, want := range []string{"## Catalogue IDs with no caught break (2)\n\nS3-004, S3-006", "(2)\n\n`edited-since`, `new-one`"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}

func TestMarkdownAndMerge(t *testing.T) {
	m := func(name, id string) Mutation {
		return Mutation{Name: name, IDs: []string{id}, Why: "the | bug"}
	}
	a := Report{BaselineFailed: []string{"flaky"}, Outcomes: []Outcome{
		{Mutation: m("caught-one", "S3-003"), Status: Caught, CaughtBy: []string{"spec A", "spec B"}, Ran: 3},
	}}
	b := Report{BaselineFailed: []string{"flaky"}, Outcomes: []Outcome{
		{Mutation: m("lives", "S3-004"), Status: Survived, Ran: 2},
		{Mutation: m("stale", "S3-005"), Status: Broken, Err: "find text not found\nmore"},
	}}
	rep := Merge(a, b)
	if len(rep.Outcomes) != 3 || !reflect.DeepEqual(rep.BaselineFailed, []string{"flaky"}) {
		t.Fatalf("merged: %+v", rep)
	}
	md := Markdown(rep)
	for _, want := range []string{
		"3 breaks: 1 caught, 1 survived, 0 no specs, 1 broken. 1 behaviour IDs have a caught break.",
		"| `caught-one` | S3-003 | the \\| bug | caught (2 of 3 specs) | spec A; spec B |",
		"| `lives` | S3-004 | the \\| bug | SURVIVED |  |",
		"| `stale` | S3-005 | the \\| bug | broken: find text not found |  |",
		"## IDs with a caught break (1)\n\nS3-003\n",
		"they prove nothing)\n\nflaky",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}
