// Package lint checks QA scenario files (scenarios/*.yaml) before anything runs: structure
// against the format's Go types (unknown fields, wrong types, missing fields), behaviour IDs
// against the catalogue, kinds, field paths, durations, regular expressions, storage fake
// backends and operations, and expectations that can never all hold. Every finding has the
// file, line and column it is about and a hint.
package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/reports/catalogue"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
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

// Linter lints files; one Linter also catches duplicate scenario names across files.
type Linter struct {
	cat   catalogue.Catalogue
	names map[string]string // scenario name → file:line where first seen
}

// New returns a linter using the embedded behaviour catalogue.
func New() (*Linter, error) {
	c, err := catalogue.Load()
	if err != nil {
		return nil, err
	}
	return &Linter{cat: c, names: map[string]string{}}, nil
}

// Result is the outcome of linting some files.
type Result struct {
	Findings  []Finding
	Scenarios []*v1alpha1.Scenario // decoded scenarios (also those with findings, when decodable)
	Files     []string
}

// ExpandPaths turns files and directories into the scenario files to lint: a directory
// contributes its *.yaml and *.yml files (not recursive). A path that does not exist is an
// error (the linter could not run).
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if ext := filepath.Ext(e.Name()); ext == ".yaml" || ext == ".yml" {
				out = append(out, filepath.Join(p, e.Name()))
			}
		}
	}
	return out, nil
}

// LintPaths lints files and directories. The error is for "could not run" (unreadable
// paths); problems in the files are findings.
func (l *Linter) LintPaths(paths []string) (Result, error) {
	files, err := ExpandPaths(paths)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return res, err
		}
		r := l.LintBytes(f, data)
		res.Findings = append(res.Findings, r.Findings...)
		res.Scenarios = append(res.Scenarios, r.Scenarios...)
		res.Files = append(res.Files, f)
	}
	return res, nil
}

// LintFS lints every *.yaml file at the top of fsys (e.g. the embedded shipped set); file
// names are reported as prefix/name.
func (l *Linter) LintFS(fsys fs.FS, prefix string) (Result, error) {
	matches, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return Result{}, err
	}
	var res Result
	for _, m := range matches {
		data, err := fs.ReadFile(fsys, m)
		if err != nil {
			return res, err
		}
		name := m
		if prefix != "" {
			name = prefix + "/" + m
		}
		r := l.LintBytes(name, data)
		res.Findings = append(res.Findings, r.Findings...)
		res.Scenarios = append(res.Scenarios, r.Scenarios...)
		res.Files = append(res.Files, name)
	}
	return res, nil
}

// LintBytes lints one file's content.
func (l *Linter) LintBytes(file string, data []byte) Result {
	fl := &fileLinter{Linter: l, file: file}
	docs, err := v1alpha1.ParseDocuments(file, data)
	if err != nil {
		line, col := yamlErrorPos(err)
		fl.addAt(line, col, ClassYAMLSyntax, "YAML syntax error: "+cleanYAMLError(err), "check the indentation and quoting on this line and the one before it")
	}
	var res Result
	if len(docs) == 0 && err == nil {
		fl.addAt(1, 1, ClassMissingField, "the file holds no scenario", "start with apiVersion: irconform.io/v1alpha1 and kind: Scenario")
	}
	for _, d := range docs {
		before := len(fl.findings)
		fl.structure(d.Node, reflect.TypeOf(v1alpha1.Scenario{}), "scenario", nil)
		structural := hasWrongType(fl.findings[before:])
		if structural {
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
	sort.SliceStable(fl.findings, func(i, j int) bool {
		a, b := fl.findings[i], fl.findings[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
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

// yamlErrorPos digs the line out of a yaml.v3 error ("yaml: line 7: ...").
func yamlErrorPos(err error) (int, int) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 1, 1
	}
	s := err.Error()
	if i := strings.Index(s, "line "); i >= 0 {
		var line int
		if _, e := fmt.Sscanf(s[i:], "line %d", &line); e == nil {
			return line, 1
		}
	}
	return 1, 1
}

func cleanYAMLError(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, "line ") {
		s = s[i+2:]
	}
	return s
}
