package behaviorindex

// The integrity of the behaviour vocabulary across the repository: the catalogue, the
// specs' labels, the scenarios' behaviors and the reference's citations must agree. These
// run in `make test` (plain go test); they read files only.

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/reports/catalogue"
)

// indirectLinks are the IDs whose specs may assert on nothing the rule's words name, each
// with why the link is real though indirect. Keep it small: a new entry needs a reason a
// reviewer can check against the spec.
var indirectLinks = map[string]string{
	"BOOT-002": "the rule names no field (any user edit must survive bootstrap and restarts); the specs assert the fields they edited (logLevel, replicas, httpSecret, storage) kept their values",
	"CA-006":   "the rule states the mapping with placeholders (host..port → host:port); the node-ca specs assert concrete keys against the concrete trust paths on every node (/etc/docker/certs.d/registry-with-port.example.com:5000/ca.crt)",
	"MGMT-001": "the rule's only name is NS (openshift-image-registry), a stop word because every spec names it; the spec asserts the namespace of every operator-made object",
}

var (
	repoOnce sync.Once
	repoIdx  *Index
	repoErr  error
)

func repoIndex(t *testing.T) *Index {
	t.Helper()
	repoOnce.Do(func() {
		root, err := FindRoot(".")
		if err != nil {
			repoErr = err
			return
		}
		repoIdx, repoErr = Scan(root)
	})
	if repoErr != nil {
		t.Fatal(repoErr)
	}
	return repoIdx
}

func TestIndexHasNoProblems(t *testing.T) {
	for _, p := range repoIndex(t).Problems {
		t.Errorf("%s", p)
	}
}

// idShaped is a label someone meant as an ID: letters, a dash, digits ("S3-03", "boot-003").
var idShaped = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*-[0-9]+$`)

func TestEveryIDLabelIsACatalogueID(t *testing.T) {
	cat := catalogue.MustLoad()
	for _, c := range repoIndex(t).Checks {
		for _, l := range c.Labels {
			if !idShaped.MatchString(l) && !behaviorid.Valid(l) {
				continue
			}
			if !behaviorid.Valid(l) {
				t.Errorf("%s:%d %s %q: label %q looks like a behaviour ID but is not one (want AREA-NNN, e.g. S3-003)", c.File, c.Line, c.Kind, c.Name, l)
				continue
			}
			if _, ok := cat.Lookup(l); !ok {
				t.Errorf("%s:%d %s %q: label %s is not in reports/catalogue/behaviors.yaml", c.File, c.Line, c.Kind, c.Name, l)
			}
		}
	}
}

func TestEveryCatalogueIDHasASpec(t *testing.T) {
	idx := repoIndex(t)
	for _, id := range catalogue.MustLoad().IDs() {
		if len(idx.ChecksOf(id, GoSpec))+len(idx.ChecksOf(id, Scenario)) == 0 {
			t.Errorf("%s: no spec or scenario is labelled with it (add a spec with Label(%q) to conformance/specs, or a scenario listing it under behaviors:)", id, id)
		}
	}
}

// TestSpecsAssertOnTheirRule: a spec labelled with an ID asserts on at least one thing the
// ID's rule names. A label that passes this is not proof the spec checks the rule, but a
// label that fails it inflates coverage.
func TestSpecsAssertOnTheirRule(t *testing.T) {
	cat := catalogue.MustLoad()
	used := map[string]bool{}
	for _, c := range repoIndex(t).Checks {
		for _, id := range c.IDs {
			b, ok := cat.Lookup(id)
			if !ok {
				continue // TestEveryIDLabelIsACatalogueID reports it
			}
			terms := RuleTerms(b.Rule)
			if len(Link(terms, c.Asserted)) > 0 {
				continue
			}
			if _, ok := indirectLinks[id]; ok {
				used[id] = true
				continue
			}
			t.Errorf("%s:%d %s %q is labelled %s but asserts on nothing its rule names\n  rule: %s\n  rule terms: %s\n  either the label is wrong, or the spec does not check the rule yet, or (rarely) the link is indirect: then add %s to indirectLinks with the reason",
				c.File, c.Line, c.Kind, c.Name, id, b.Rule, strings.Join(terms, " "), id)
		}
	}
	for id, reason := range indirectLinks {
		switch {
		case strings.TrimSpace(reason) == "":
			t.Errorf("indirectLinks[%s] has no reason", id)
		case !used[id]:
			t.Errorf("indirectLinks[%s] is not needed any more (every spec of it asserts on its rule): remove it", id)
		}
	}
}

// TestDivergenceSpecsAreLabelled: a spec of a behaviour that DIVERGES carries `divergence`,
// so a live failure is reported as "documented behaviour not honoured".
func TestDivergenceSpecsAreLabelled(t *testing.T) {
	cat := catalogue.MustLoad()
	for _, c := range repoIndex(t).Checks {
		for _, id := range c.IDs {
			if b, ok := cat.Lookup(id); ok && b.Divergence && !c.Has("divergence") {
				t.Errorf("%s:%d %s %q checks %s, which DIVERGES, but has no divergence label", c.File, c.Line, c.Kind, c.Name, id)
			}
		}
	}
}

func TestCitationsAreCatalogueIDs(t *testing.T) {
	cat := catalogue.MustLoad()
	for _, c := range repoIndex(t).Citations {
		if _, ok := cat.Lookup(c.ID); !ok {
			t.Errorf("%s: cites %s, which is not in the catalogue", c.Where(), c.ID)
		}
	}
}

// TestCoverageFigures logs how far the vocabulary reaches (no thresholds: figures for the
// report, `go test -v -run TestCoverageFigures ./internal/behaviorindex`).
func TestCoverageFigures(t *testing.T) {
	idx := repoIndex(t)
	cat := catalogue.MustLoad()
	var cited, modelled []string
	for _, id := range cat.IDs() {
		if len(idx.For(id, Implements)) > 0 {
			cited = append(cited, id)
		}
		if len(idx.For(id, Models)) > 0 {
			modelled = append(modelled, id)
		}
	}
	sort.Strings(cited)
	t.Log(fmt.Sprintf("%d IDs; %d checks; %d IDs cited by reference code, %d by fakes", len(cat.IDs()), len(idx.Checks), len(cited), len(modelled)))
}

// idRegexCopy is what a second definition of the ID looks like: "-[0-9]{3}" or "-\d{3}".
var idRegexCopy = regexp.MustCompile(`-(\[0-9\]|\\d)\{3\}`)

// TestOneIDRegex: the ID is defined once, in internal/behaviorid; anything else that needs it
// (a label filter, a schema pattern, a linter) calls that package.
func TestOneIDRegex(t *testing.T) {
	root := repoIndex(t).Root
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "node_modules", ".git", "out":
				return filepath.SkipDir
			}
			if rel(root, path) == "internal/behaviorid" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "integrity_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if idRegexCopy.MatchString(line) {
				t.Errorf("%s:%d: a copy of the behaviour ID pattern: use internal/behaviorid (Valid, Filter, Area, FindAll, Pattern, Expr)\n  %s", rel(root, path), i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
