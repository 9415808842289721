// Package lint checks QA scenario files (scenarios/**/*.yaml) before anything runs: YAML
// syntax (exact line and column), structure against the format's Go types (unknown fields,
// wrong types, missing fields), behaviour IDs against the catalogue, unique names (also
// against the shipped set), kinds, and, through the operations table it is given (the
// runner's), each step action and expectation: field paths, merge patches, JSON patches and
// manifests against the API schemas of the kinds, durations, regular expressions, storage
// backends and operations, and expectations that can never all hold. Every finding has the
// file, line and column it is about and a hint.
package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/reports/catalogue"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/apischema"
)

// Classes of findings (stable identifiers, used by tests and --format).
const (
	ClassYAMLSyntax       = "yaml-syntax"
	ClassUnknownField     = "unknown-field"
	ClassDuplicateField   = "duplicate-field"
	ClassWrongType        = "wrong-type"
	ClassMissingField     = "missing-field"
	ClassBadValue         = "bad-value"
	ClassBadAPIVersion    = "bad-apiversion"
	ClassBadName          = "bad-name"
	ClassDuplicateName    = "duplicate-name"
	ClassUnknownBehavior  = "unknown-behavior"
	ClassDivergenceLabel  = "missing-divergence-label"
	ClassBadLabel         = "bad-label"
	ClassUnknownPlatform  = "unknown-platform"
	ClassUnknownKind      = "unknown-kind"
	ClassBadObject        = "bad-object"
	ClassBadPath          = "bad-path"
	ClassBadRegexp        = "bad-regexp"
	ClassBadDuration      = "bad-duration"
	ClassUnknownBackend   = "unknown-backend"
	ClassUnknownOp        = "unknown-op"
	ClassBadStep          = "bad-step"
	ClassBadPatch         = "bad-patch"
	ClassBadFault         = "bad-fault"
	ClassEmptyExpectation = "empty-expectation"
	ClassMisplaced        = "misplaced-assertion"
	ClassImpossible       = "impossible-expectation"
	// ClassNotInAPI: a field path, patch or manifest names a field the kind's API schema
	// does not have, or gives a field a value it cannot take.
	ClassNotInAPI = "not-in-api"
)

// Finding is one problem in a scenario file.
type Finding struct {
	File      string
	Line, Col int
	Class     string
	Message   string
	Hint      string
}

// String is the one-line form: file:line:col: message (hint: ...).
func (f Finding) String() string {
	s := fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Col, f.Message)
	if f.Hint != "" {
		s += " (hint: " + f.Hint + ")"
	}
	return s
}

// Config is what a Linter checks with.
type Config struct {
	// Actions and Checks are the step actions and expectation checks a scenario may use (the
	// runner's operations table: lint and runner share it).
	Actions []Action
	Checks  []Check
	// API holds the schemas field paths, patches and manifests are checked against (nil: not
	// checked).
	API *apischema.Set
}

// Linter lints files; one Linter also catches duplicate scenario names across files. It is
// not safe for concurrent use.
type Linter struct {
	cfg   Config
	cat   catalogue.Catalogue
	names map[string]nameUse // scenario name → where first seen
	// patterns caches the compiled `pattern` tags of the format's types.
	patterns map[string]*regexp.Regexp
}

type nameUse struct {
	file string // absolute when it could be made so
	at   string // file:line as shown
	line int
}

// New returns a linter using the embedded behaviour catalogue.
func New(cfg Config) (*Linter, error) {
	c, err := catalogue.Load()
	if err != nil {
		return nil, err
	}
	return &Linter{cfg: cfg, cat: c, names: map[string]nameUse{}, patterns: map[string]*regexp.Regexp{}}, nil
}

// Reserve records the scenario names in r (e.g. the shipped set) so that other files linted
// afterwards may not reuse them; r's own files may.
func (l *Linter) Reserve(r Result) {
	for _, s := range r.Scenarios {
		n := v1alpha1.FieldNode(s.Src.Field("metadata"), "name")
		if s.Metadata.Name == "" || n == nil {
			continue
		}
		if _, taken := l.names[s.Metadata.Name]; !taken {
			l.names[s.Metadata.Name] = nameUse{file: absPath(s.Src.File), at: fmt.Sprintf("%s:%d", relPath(s.Src.File), n.Line), line: n.Line}
		}
	}
}

// relPath shows f relative to the working directory when it is below it.
func relPath(f string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(f) {
		return f
	}
	if rel, err := filepath.Rel(wd, f); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return f
}

func absPath(f string) string {
	if a, err := filepath.Abs(f); err == nil {
		return a
	}
	return f
}

// Result is the outcome of linting some files.
type Result struct {
	Findings  []Finding
	Scenarios []*v1alpha1.Scenario // decoded scenarios (also those with findings, when decodable)
	Files     []string
}

func (r *Result) add(o Result) {
	r.Findings = append(r.Findings, o.Findings...)
	r.Scenarios = append(r.Scenarios, o.Scenarios...)
	r.Files = append(r.Files, o.Files...)
}

// LintPaths lints files and directories (Discover). The error is for "could not run"
// (unreadable paths); problems in the files are findings.
func (l *Linter) LintPaths(paths []string) (Result, error) {
	files, err := Discover(paths)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return res, err
		}
		res.add(l.LintBytes(f, data))
	}
	return res, nil
}

// LintBytes lints one file's content.
func (l *Linter) LintBytes(file string, data []byte) Result {
	fl := &fileLinter{Linter: l, file: file}
	docs, err := v1alpha1.ParseDocuments(file, data)
	if err != nil {
		e := syntaxError(data, err)
		fl.addAt(e.line, e.col, ClassYAMLSyntax, "YAML syntax error: "+e.msg, e.hint)
	}
	var res Result
	if len(docs) == 0 && err == nil {
		fl.addAt(1, 1, ClassMissingField, "the file holds no scenario", "start with apiVersion: irconform.io/v1alpha1 and kind: Scenario")
	}
	for _, d := range docs {
		before := len(fl.findings)
		fl.structure(d.Node, reflect.TypeOf(v1alpha1.Scenario{}), "scenario", nil)
		if hasWrongType(fl.findings[before:]) {
			continue
		}
		s, err := v1alpha1.DecodeDocument(d)
		if err != nil {
			fl.add(d.Node, ClassWrongType, err.Error(), "")
			continue
		}
		fl.semantic(s)
		res.Scenarios = append(res.Scenarios, s)
	}
	sortFindings(fl.findings)
	res.Findings = fl.findings
	res.Files = []string{file}
	return res
}

// hasWrongType: findings after which the document cannot be decoded.
func hasWrongType(fs []Finding) bool {
	for _, f := range fs {
		if f.Class == ClassWrongType || f.Class == ClassDuplicateField {
			return true
		}
	}
	return false
}

type fileLinter struct {
	*Linter
	file     string
	findings []Finding
}

func (l *fileLinter) add(n *yaml.Node, class, msg, hint string) {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	l.addAt(line, col, class, msg, hint)
}

func (l *fileLinter) addAt(line, col int, class, msg, hint string) {
	l.findings = append(l.findings, Finding{File: l.file, Line: line, Col: col, Class: class, Message: msg, Hint: hint})
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Line != fs[j].Line {
			return fs[i].Line < fs[j].Line
		}
		return fs[i].Col < fs[j].Col
	})
}
