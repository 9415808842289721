package catalogue

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// specPath finds ../shared/spec/behaviors.md relative to the repository root (the
// directory holding go.mod).
func specPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "spec", "behaviors.md")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func TestEmbeddedInSyncWithBehaviorsMD(t *testing.T) {
	path := specPath(t)
	md, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("%s absent: cannot check the catalogue is in sync", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := Parse(md)
	if err != nil {
		t.Fatal(err)
	}
	rows := RowIDs(md)
	if len(rows) == 0 {
		t.Fatal("no | XXX-NNN | rows found in behaviors.md")
	}
	if got := parsed.IDs(); len(got) != len(rows) {
		t.Fatalf("parser found %d behaviours, behaviors.md has %d rows", len(got), len(rows))
	}
	for i, id := range rows {
		if parsed.Behaviors[i].ID != id {
			t.Fatalf("row %d: parser has %s, file has %s", i, parsed.Behaviors[i].ID, id)
		}
	}
	want, err := Marshal(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, embedded) {
		t.Fatalf("reports/catalogue/behaviors.yaml is out of date with %s: run `go generate ./reports/catalogue`", path)
	}
}

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.IDs()) < 50 {
		t.Fatalf("only %d IDs", len(c.IDs()))
	}
	tests := []struct {
		id         string
		area       string
		tier       Tier
		refs       []string
		divergence bool
	}{
		{"BOOT-003", "BOOT", TierDoc, []string{"doc A§baremetal"}, false},
		{"S3-002", "S3", TierUp, []string{"up STOR-S3-08"}, false},
		{"S3-003", "S3", TierDoc, []string{"doc A§storage", "up S3-11"}, false},
		{"STATUS-003", "STATUS", TierUp, []string{"up COND-AV-03", "up PR-02", "up DG-01", "up RM-01"}, false},
		{"CRED-006", "CRED", TierOwn, nil, false},
		{"PRUNE-005", "PRUNE", TierDoc, []string{"doc A§pruner"}, true},
		{"ALERT-001", "ALERT", TierDoc, []string{"doc A§baremetal"}, true},
		{"MGMT-008", "MGMT", TierDoc, []string{"doc B§baremetal"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			b, ok := c.Lookup(tt.id)
			if !ok {
				t.Fatalf("%s not found", tt.id)
			}
			if b.Area != tt.area || b.Tier != tt.tier || b.Divergence != tt.divergence {
				t.Errorf("got area=%s tier=%s divergence=%v", b.Area, b.Tier, b.Divergence)
			}
			var refs []string
			for _, r := range b.Refs {
				refs = append(refs, r.String())
			}
			if len(refs) != len(tt.refs) {
				t.Fatalf("refs %v, want %v", refs, tt.refs)
			}
			for i := range refs {
				if refs[i] != tt.refs[i] {
					t.Errorf("refs %v, want %v", refs, tt.refs)
				}
			}
			if b.Rule == "" || b.Group == "" {
				t.Errorf("empty rule or group: %+v", b)
			}
			if tt.divergence && b.DivergenceNote == "" {
				t.Errorf("no divergence note")
			}
		})
	}
	if _, ok := c.Lookup("NOPE-001"); ok {
		t.Error("Lookup found an unknown ID")
	}
	if d, ok := c.Document("A"); !ok || d.File != "image-registry-operator.txt" {
		t.Errorf("document A: %+v", d)
	}
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		src     string
		tier    Tier
		n       int
		wantErr bool
	}{
		{"doc A§cloud", TierDoc, 1, false},
		{"up BOOT-04/05", TierUp, 1, false},
		{"up DEP-POD-03/04, E2E-config-*", TierUp, 2, false},
		{"own", TierOwn, 0, false},
		{"doc Acloud", "", 0, true},
		{"A§cloud", "", 0, true},
		{"", "", 0, true},
	}
	for _, tt := range tests {
		refs, tier, err := parseSource(tt.src)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err=%v", tt.src, err)
			continue
		}
		if tier != tt.tier || len(refs) != tt.n {
			t.Errorf("%q: tier=%s refs=%v", tt.src, tier, refs)
		}
	}
}

func TestParseRowWithPipeInRule(t *testing.T) {
	md := []byte("## X: test\n| ID | tier | rule |\n|---|---|---|\n| X-001 | own | a `a|b` rule. **DIVERGES**: because. |\n")
	c, err := Parse(md)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Lookup("X-001")
	if b.Rule != "a `a|b` rule. **DIVERGES**: because." || !b.Divergence || b.DivergenceNote != "because." || b.Group != "X: test" {
		t.Fatalf("%+v", b)
	}
}
