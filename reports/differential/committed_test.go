package differential

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irconform/irconform/reports/catalogue"
)

// maxHarnessShare: fewer than this share of the catalogue may be left as "harness" (what
// envtest or the fakes lack) in a committed summary.
const maxHarnessShare = 0.10

// repoRoot is the folder holding go.mod above the test.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestCommittedSummariesClassifyTheCatalogue: every committed upstream differential
// (reports/upstream/<commit>.json) classifies every catalogue ID, agrees with the catalogue
// on which behaviours diverge, leaves under 10% as harness, and its Markdown page is what
// the summary renders to. A new catalogue ID fails here until it is run against the pinned
// upstream operator and, where it differs, classified.
func TestCommittedSummariesClassifyTheCatalogue(t *testing.T) {
	root := repoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "reports", "upstream", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no committed upstream differential in reports/upstream/*.json: run make upstream-conformance UPSTREAM_SRC=<checkout>")
	}
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	manual, err := ReadClassifications(filepath.Join(root, "reports", "upstream", "classifications.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		s, err := ReadSummary(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		if problems := Check(s, cat, maxHarnessShare); len(problems) > 0 {
			commit := s.Upstream.Commit
			if commit == "" {
				commit = s.Upstream.Key
			}
			ids := newIDs(s, cat)
			focus := strings.Join(ids, " || ")
			if focus == "" {
				focus = "<the IDs above>"
			}
			t.Errorf("%s:\n  %s\nTo classify new IDs: run them against the pinned upstream operator,\n"+
				"  make upstream-conformance UPSTREAM_SRC=<checkout of %s at %s> FOCUS='%s'\n"+
				"(it updates only the specs it runs in %s and docs/upstream-differential.md), then give every ID that does not\n"+
				"agree a reviewed reason in reports/upstream/classifications.yaml and run the target again.",
				rel, strings.Join(problems, "\n  "), s.Upstream.Repository, commit, focus, rel)
		}
		// Reviewed reasons and the summary agree (a reason edited without regenerating).
		byID := map[string]Behavior{}
		for _, b := range s.Behaviors {
			byID[b.ID] = b
		}
		for _, m := range manual.Classifications {
			if b, ok := byID[m.ID]; ok && (b.Class != m.Class || b.Reason != m.Reason) {
				t.Errorf("%s: %s is %q in the summary but %q in classifications.yaml: regenerate with `irconform differential` (make upstream-conformance)", rel, m.ID, b.Class, m.Class)
			}
		}
		md, err := os.ReadFile(filepath.Join(root, "docs", "upstream-differential.md"))
		if err != nil {
			t.Fatal(err)
		}
		if want := Markdown(s, cat); string(md) != want {
			t.Errorf("docs/upstream-differential.md is not what %s renders to: regenerate it (irconform differential, or make upstream-conformance)", rel)
		}
	}
}

// newIDs are the catalogue IDs a summary has no row for, or leaves unclassified.
func newIDs(s Summary, cat catalogue.Catalogue) []string {
	have := map[string]Class{}
	for _, b := range s.Behaviors {
		have[b.ID] = b.Class
	}
	var out []string
	for _, id := range cat.IDs() {
		if c, ok := have[id]; !ok || c == Unclassified {
			out = append(out, id)
		}
	}
	return out
}
