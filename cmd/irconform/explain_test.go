package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/irconform/irconform/internal/behaviorindex"
	"github.com/irconform/irconform/reports"
	"github.com/irconform/irconform/reports/catalogue"
)

func runExplain(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"explain"}, args...))
	err := root.Execute()
	return out.String(), err
}

// TestExplainEveryID: `irconform explain` works for every catalogue ID, from this source tree.
func TestExplainEveryID(t *testing.T) {
	cat := catalogue.MustLoad()
	out, err := runExplain(t, "--all", "--report", filepath.Join(t.TempDir(), "none.json"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(out, "\n\n")
	if len(blocks) != len(cat.IDs()) {
		t.Fatalf("%d blocks for %d IDs", len(blocks), len(cat.IDs()))
	}
	for i, id := range cat.IDs() {
		b := blocks[i]
		if !strings.HasPrefix(b, id+"  (tier ") {
			t.Errorf("block %d starts %q, want %s", i, firstLine(b), id)
		}
		for _, want := range []string{"\nRule: ", "\nSources:\n", "\nImplemented by (reference)", "\nModelled by (fakes)", "\nChecked by specs", "\nLast result: none"} {
			if !strings.Contains(b, want) {
				t.Errorf("%s: no %q in\n%s", id, want, b)
			}
		}
		if strings.Contains(b, "Checked by specs: none") && strings.Contains(b, "Checked by scenarios: none") {
			t.Errorf("%s: no spec or scenario shown", id)
		}
	}
}

func TestExplainRefusesUnknownIDs(t *testing.T) {
	for arg, want := range map[string]string{
		"S3-03":    "not a behaviour ID",
		"S3-999":   "S3 IDs are S3-001",
		"NOPE-001": "areas are BOOT, MGMT",
	} {
		_, err := runExplain(t, arg)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), want) {
			t.Errorf("explain %s: %v, want exit 2 and %q", arg, err, want)
		}
	}
	if _, err := runExplain(t); err == nil {
		t.Error("explain with no ID succeeded")
	}
}

// TestExplainText renders from literal inputs: citations, checks and the last result.
func TestExplainText(t *testing.T) {
	cat := catalogue.MustLoad()
	b, _ := cat.Lookup("S3-003")
	code := behaviorindex.Code{
		Implements: []behaviorindex.Citation{{ID: "S3-003", File: "reference/storage/s3/s3.go", Line: 360, Decl: "(*Driver).applyDefaults"}},
		Specs:      []behaviorindex.Check{{Kind: behaviorindex.GoSpec, Name: "S3 storage enables AES256", File: "conformance/specs/storage_s3.go", Line: 128}},
	}
	run := reports.Run{StartedAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Target: reports.Target{Kind: "envtest"}}
	cov := reports.BehaviorCoverage{ID: "S3-003", Status: reports.CoverageFailing, Specs: []reports.SpecRef{{Name: "S3 storage enables AES256", Result: reports.Failed}}}
	got := explainText(cat, b, explanation{code: &code, run: &run, runPath: "r/report.json", coverage: cov})
	for _, want := range []string{
		"S3-003  (tier doc, ",
		"Rule: Managed: default encryption AES256",
		"  doc A§storage: image-registry-operator.txt (product documentation), section \"storage\"\n",
		"  up S3-11: key in shared/spec/upstream-facts.md\n",
		"  upstream file: pkg/storage/s3/s3.go\n",
		"Implemented by (reference):\n  reference/storage/s3/s3.go:360 (*Driver).applyDefaults\n",
		"Modelled by (fakes): no `// Models S3-003.` comment in fakes/\n",
		"Checked by specs:\n  conformance/specs/storage_s3.go:128 S3 storage enables AES256\n",
		"Checked by scenarios: none\n",
		"Last result: failing in r/report.json (envtest run of ",
		"  failed  S3 storage enables AES256\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	noCode := explainText(cat, b, explanation{codeErr: errors.New("no irconform source tree"), runErr: os.ErrNotExist})
	if !strings.Contains(noCode, "Code: not indexed (no irconform source tree)") || !strings.Contains(noCode, "Last result: none (") {
		t.Errorf("without sources:\n%s", noCode)
	}
}

// TestExplainPicksTheLastRunThatRanTheID: a filtered latest run does not hide the result of
// an older run that ran the ID.
func TestExplainPicksTheLastRunThatRanTheID(t *testing.T) {
	cat := catalogue.MustLoad()
	base := t.TempDir()
	write := func(dir string, res reports.Result) {
		run := reports.Run{Schema: reports.SchemaVersion, Target: reports.Target{Kind: "envtest"},
			Specs: []reports.Spec{{Name: "boot", Behaviors: []string{"BOOT-001"}, Result: res, SkipReason: "not selected"}}}
		if err := os.MkdirAll(filepath.Join(base, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := reports.WriteJSON(filepath.Join(base, dir, reports.FileJSON), run); err != nil {
			t.Fatal(err)
		}
	}
	write("20261101T000000Z", reports.Failed)
	write("20261102T000000Z", reports.Passed)
	write("20261103T000000Z", reports.Skipped)
	if err := os.Symlink("20261103T000000Z", filepath.Join(base, "latest")); err != nil {
		t.Fatal(err)
	}
	var s sources
	for _, p := range reportPaths(base) {
		run, err := reports.ReadJSON(p)
		if err != nil {
			t.Fatal(err)
		}
		lr := loadedRun{path: p, run: run, coverage: map[string]reports.BehaviorCoverage{}}
		for _, bc := range reports.Coverage(cat, run).Behaviors {
			lr.coverage[bc.ID] = bc
		}
		s.runs = append(s.runs, lr)
	}
	if len(s.runs) != 3 {
		t.Fatalf("%d runs read, want 3 (latest not twice)", len(s.runs))
	}
	e := s.explanation("BOOT-001")
	if e.coverage.Status != reports.CoveredPassing || !strings.Contains(e.runPath, "20261102") {
		t.Errorf("picked %s (%s), want the 20261102 run (passed)", e.runPath, e.coverage.Status)
	}
	if e := s.explanation("BOOT-002"); !strings.Contains(e.runPath, "latest") {
		t.Errorf("an ID no run ran shows the latest run, got %s", e.runPath)
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
