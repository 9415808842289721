package catalogue

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/internal/behaviorid"
)

// seedEntry is one line of the frozen seed (testdata/seed.yaml).
type seedEntry struct {
	ID   string `yaml:"id"`
	Tier Tier   `yaml:"tier"`
	Rule string `yaml:"rule"`
}

func loadSeed(t *testing.T) []seedEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Seed []seedEntry `yaml:"seed"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("testdata/seed.yaml: %v", err)
	}
	if len(doc.Seed) != 102 {
		t.Fatalf("testdata/seed.yaml has %d entries; the seed had 102 (the file is frozen)", len(doc.Seed))
	}
	return doc.Seed
}

// TestSeedKept: the catalogue grew out of shared/spec/behaviors.md and keeps every seed ID
// with its tier and rule text.
func TestSeedKept(t *testing.T) {
	c := MustLoad()
	for _, s := range loadSeed(t) {
		b, ok := c.Lookup(s.ID)
		if !ok {
			t.Errorf("%s: seed ID missing from behaviors.yaml", s.ID)
			continue
		}
		if b.Tier != s.Tier {
			t.Errorf("%s: tier want %s (seed), seen %s", s.ID, s.Tier, b.Tier)
		}
		// A seed rule may gain words after it (a correction learnt from the upstream
		// differential, docs/upstream-differential.md), never lose or change its own.
		if b.Rule != s.Rule && !strings.HasPrefix(b.Rule, s.Rule+" ") {
			t.Errorf("%s: rule changed from the seed (only words after it may be added)\nwant: %s\nseen: %s", s.ID, s.Rule, b.Rule)
		}
	}
}

// TestSeedMatchesShared: while ../shared/spec/behaviors.md is around (not in CI clones), the
// frozen seed has exactly its IDs and tiers.
func TestSeedMatchesShared(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "spec", "behaviors.md")
	md, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("%s absent (a clone outside the workspace): nothing to compare", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	shared := map[string]Tier{}
	for _, line := range strings.Split(string(md), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !behaviorid.Valid(strings.TrimSpace(cells[1])) {
			continue
		}
		shared[strings.TrimSpace(cells[1])] = Tier(strings.Fields(cells[2])[0])
	}
	seed := loadSeed(t)
	if len(shared) != len(seed) {
		t.Errorf("%s has %d IDs, the frozen seed %d", path, len(shared), len(seed))
	}
	for _, s := range seed {
		if tier, ok := shared[s.ID]; !ok || tier != s.Tier {
			t.Errorf("%s: seed tier %s, %s has %q", s.ID, s.Tier, path, tier)
		}
	}
}

func TestValidateRefusesBadEdits(t *testing.T) {
	good := Behavior{ID: "X-001", Area: "X", Group: "X: test", Tier: TierUp, Source: "up X-01",
		Refs: []Ref{{Kind: TierUp, Key: "X-01"}}, Upstream: []string{"pkg/x/x.go"}, Rule: "a rule"}
	tests := []struct {
		name string
		edit func(b *Behavior)
		want string
	}{
		{"ok", func(*Behavior) {}, ""},
		{"bad id", func(b *Behavior) { b.ID = "X-01" }, "not a behaviour ID"},
		{"area", func(b *Behavior) { b.Area = "Y" }, `area "Y", want "X"`},
		{"tier", func(b *Behavior) { b.Tier = TierDoc }, `tier "doc", but source "up X-01" does not start with it`},
		{"unknown tier", func(b *Behavior) { b.Tier = "maybe"; b.Source = "maybe" }, `tier "maybe": want doc, up or own`},
		{"doc ref", func(b *Behavior) { b.Refs = []Ref{{Kind: TierDoc, Document: "A"}} }, "needs document and section"},
		{"up ref", func(b *Behavior) { b.Refs = []Ref{{Kind: TierUp}} }, "up ref needs a key"},
		{"rule", func(b *Behavior) { b.Rule = " " }, "rule and group"},
		{"upstream", func(b *Behavior) { b.Upstream = []string{"/abs/x.go"} }, "relative"},
		{"divergence", func(b *Behavior) { b.Rule = "x **DIVERGES**: y" }, "divergence is false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := good
			tt.edit(&b)
			err := Catalogue{Behaviors: []Behavior{b}}.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	dup := Catalogue{Behaviors: []Behavior{good, good}}
	if err := dup.Validate(); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("duplicate IDs: %v", err)
	}
}
