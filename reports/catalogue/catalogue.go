// Package catalogue is irconform's behaviour catalogue: behaviors.yaml, edited by hand, is
// the source of truth (seeded from shared/spec/behaviors.md), embedded and parsed here.
package catalogue

import (
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/internal/behaviorid"
)

// Tier of a behaviour: where the rule comes from.
type Tier string

const (
	// TierDoc rules are stated in the product documents (sources.md).
	TierDoc Tier = "doc"
	// TierUp rules describe how the upstream operator does it (upstream-facts.md keys).
	TierUp Tier = "up"
	// TierOwn rules are irconform's own (e.g. no secret in any report).
	TierOwn Tier = "own"
)

// Ref is one cited source of a behaviour: a document section or an upstream fact key.
type Ref struct {
	Kind     Tier   `yaml:"kind" json:"kind"`                             // doc or up
	Document string `yaml:"document,omitempty" json:"document,omitempty"` // doc: "A" or "B"
	Section  string `yaml:"section,omitempty" json:"section,omitempty"`   // doc: section name, e.g. "cloud"
	Key      string `yaml:"key,omitempty" json:"key,omitempty"`           // up: upstream-facts.md key, e.g. "STOR-S3-08"
}

// String renders the ref as cited in a source ("doc A§cloud", "up STOR-S3-08").
func (r Ref) String() string {
	if r.Kind == TierDoc {
		return fmt.Sprintf("doc %s§%s", r.Document, r.Section)
	}
	return fmt.Sprintf("%s %s", r.Kind, r.Key)
}

// Behavior is one catalogue line.
type Behavior struct {
	ID string `yaml:"id" json:"id"`
	// Area is the ID prefix (BOOT, S3, ...).
	Area string `yaml:"area" json:"area"`
	// Group is the heading the behaviour is listed under ("BOOT: bootstrap").
	Group string `yaml:"group" json:"group"`
	Tier  Tier   `yaml:"tier" json:"tier"`
	// Source is the cited sources as written ("doc A§storage, up S3-11"); Refs, the same parsed.
	Source string `yaml:"source" json:"source"`
	Refs   []Ref  `yaml:"refs,omitempty" json:"refs,omitempty"`
	// Upstream lists the upstream operator's files (paths in its repository) the rule is read from.
	Upstream []string `yaml:"upstream,omitempty" json:"upstream,omitempty"`
	// Rule is the rule as observable behaviour (Markdown).
	Rule string `yaml:"rule" json:"rule"`
	// Divergence is true when the line says DIVERGES: documents and upstream disagree.
	Divergence bool `yaml:"divergence,omitempty" json:"divergence,omitempty"`
	// DivergenceNote is the text after DIVERGES, when there is one.
	DivergenceNote string `yaml:"divergenceNote,omitempty" json:"divergenceNote,omitempty"`
}

// Document is one source document cited as A§… / B§….
type Document struct {
	Key  string `yaml:"key" json:"key"`
	File string `yaml:"file" json:"file"`
	Kind string `yaml:"kind" json:"kind"`
}

// Catalogue is the whole behaviour catalogue.
type Catalogue struct {
	Source    string     `yaml:"source" json:"source"`
	Documents []Document `yaml:"documents" json:"documents"`
	Behaviors []Behavior `yaml:"behaviors" json:"behaviors"`

	index map[string]int
}

//go:embed behaviors.yaml
var embedded []byte

// Embedded returns the raw embedded behaviors.yaml.
func Embedded() []byte { return append([]byte(nil), embedded...) }

// Load parses the embedded catalogue.
func Load() (Catalogue, error) { return Unmarshal(embedded) }

// MustLoad is Load that panics on error (the embedded file is tested).
func MustLoad() Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Unmarshal parses a behaviors.yaml document.
func Unmarshal(data []byte) (Catalogue, error) {
	var c Catalogue
	if err := yaml.Unmarshal(data, &c); err != nil {
		return Catalogue{}, fmt.Errorf("catalogue: %w", err)
	}
	if len(c.Behaviors) == 0 {
		return Catalogue{}, fmt.Errorf("catalogue: no behaviours")
	}
	c.reindex()
	if err := c.Validate(); err != nil {
		return Catalogue{}, fmt.Errorf("catalogue: %w", err)
	}
	return c, nil
}

// Validate checks what a hand edit can get wrong: IDs well formed and unique, area and refs
// consistent with id and source, a known tier, a rule and a group, upstream paths relative.
func (c Catalogue) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, b := range c.Behaviors {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", b.ID, fmt.Sprintf(format, args...)))
		}
		if !behaviorid.Valid(b.ID) {
			bad("not a behaviour ID (want AREA-NNN, e.g. S3-003)")
			continue
		}
		if seen[b.ID] {
			bad("duplicate ID")
		}
		seen[b.ID] = true
		if b.Area != behaviorid.Area(b.ID) {
			bad("area %q, want %q (the ID's prefix)", b.Area, behaviorid.Area(b.ID))
		}
		if strings.TrimSpace(b.Rule) == "" || strings.TrimSpace(b.Group) == "" {
			bad("rule and group must not be empty")
		}
		// source is free text for people; it only has to start with the tier. refs are the
		// structured citations: each one complete.
		switch b.Tier {
		case TierDoc, TierUp, TierOwn:
		default:
			bad("tier %q: want doc, up or own", b.Tier)
		}
		if first := strings.FieldsFunc(b.Source, func(r rune) bool { return r == ' ' || r == ',' }); len(first) == 0 || Tier(first[0]) != b.Tier {
			bad("tier %q, but source %q does not start with it", b.Tier, b.Source)
		}
		for _, r := range b.Refs {
			switch {
			case r.Kind == TierDoc && (r.Document == "" || r.Section == ""):
				bad("doc ref %v needs document and section", r)
			case r.Kind == TierUp && r.Key == "":
				bad("up ref needs a key (an upstream-facts key or an upstream file)")
			case r.Kind != TierDoc && r.Kind != TierUp:
				bad("ref kind %q: want doc or up", r.Kind)
			}
		}
		for _, p := range b.Upstream {
			if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "..") || strings.ContainsAny(p, " ,") {
				bad("upstream %q: want a path relative to the upstream repository root", p)
			}
		}
		if b.Divergence != strings.Contains(b.Rule, "DIVERGES") {
			bad("divergence is %v but the rule %s DIVERGES", b.Divergence, map[bool]string{true: "says", false: "does not say"}[!b.Divergence])
		}
	}
	return errors.Join(errs...)
}

func (c *Catalogue) reindex() {
	c.index = make(map[string]int, len(c.Behaviors))
	for i, b := range c.Behaviors {
		if _, dup := c.index[b.ID]; !dup {
			c.index[b.ID] = i
		}
	}
}

// Lookup returns the behaviour with that ID.
func (c Catalogue) Lookup(id string) (Behavior, bool) {
	if c.index == nil {
		for _, b := range c.Behaviors {
			if b.ID == id {
				return b, true
			}
		}
		return Behavior{}, false
	}
	i, ok := c.index[id]
	if !ok {
		return Behavior{}, false
	}
	return c.Behaviors[i], true
}

// IDs returns every ID in catalogue order.
func (c Catalogue) IDs() []string {
	ids := make([]string, len(c.Behaviors))
	for i, b := range c.Behaviors {
		ids[i] = b.ID
	}
	return ids
}

// Areas returns the distinct areas in catalogue order.
func (c Catalogue) Areas() []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range c.Behaviors {
		if !seen[b.Area] {
			seen[b.Area] = true
			out = append(out, b.Area)
		}
	}
	return out
}

// Document returns the document cited by key ("A", "B").
func (c Catalogue) Document(key string) (Document, bool) {
	for _, d := range c.Documents {
		if d.Key == key {
			return d, true
		}
	}
	return Document{}, false
}

// AreaOf returns the area (prefix before the last '-') of a behaviour ID, also of one that is
// not well formed (reports show unknown labels under their prefix).
func AreaOf(id string) string {
	if i := strings.LastIndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// SortIDs sorts behaviour IDs by catalogue order, unknown IDs last (alphabetically).
func (c Catalogue) SortIDs(ids []string) {
	sort.SliceStable(ids, func(i, j int) bool {
		a, aok := c.index[ids[i]]
		b, bok := c.index[ids[j]]
		switch {
		case aok && bok:
			return a < b
		case aok != bok:
			return aok
		}
		return ids[i] < ids[j]
	})
}
