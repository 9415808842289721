// Package behaviorindex maps behaviour IDs to the code that concerns them, read from the
// source tree: the reference functions that implement an ID (`// Implements S3-003.`), the
// fakes that model it (`// Models S3-003.`), the Ginkgo specs and the YAML scenarios that
// check it (their labels and behaviors lists), and, for each spec, what it asserts on. It
// reads files only (go/parser, YAML); it never builds or runs anything.
package behaviorindex

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Module is the Go module path of the tree Scan reads.
const Module = "github.com/irconform/irconform"

// The folders Scan reads, relative to the module root.
const (
	ReferenceDir = "reference"
	FakesDir     = "fakes"
	SpecsDir     = "conformance/specs"
	// LiveChecksDir holds the live checks, a table the live specs range over.
	LiveChecksDir = "conformance/livecheck"
	ScenariosDir  = "scenarios"
)

// Role of a citation: what the cited code does for the behaviour.
type Role string

const (
	// Implements: reference operator code that makes the behaviour happen.
	Implements Role = "implements"
	// Models: fake code that plays the cloud or cluster side the behaviour depends on.
	Models Role = "models"
)

// Citation is one `// Implements ID.` or `// Models ID.` comment.
type Citation struct {
	ID   string `json:"id"`
	Role Role   `json:"role"`
	// File is slash-separated and relative to the module root; Line is the comment's line.
	File string `json:"file"`
	Line int    `json:"line"`
	// Decl is the declaration the comment documents or sits in ("CAKeyToHost",
	// "(*Driver).Sync", "const MsgOwnedByOther"); empty for a comment outside any declaration.
	Decl string `json:"decl,omitempty"`
}

// Where renders "file:line Decl".
func (c Citation) Where() string {
	if c.Decl == "" {
		return fmt.Sprintf("%s:%d", c.File, c.Line)
	}
	return fmt.Sprintf("%s:%d %s", c.File, c.Line, c.Decl)
}

// SpecKind says where a check comes from.
type SpecKind string

const (
	// GoSpec is a Ginkgo It (or a DescribeTable Entry) in conformance/specs.
	GoSpec SpecKind = "spec"
	// Scenario is one YAML scenario document.
	Scenario SpecKind = "scenario"
)

// Check is one spec or scenario and the behaviour IDs it carries.
type Check struct {
	Kind SpecKind `json:"kind"`
	// Name is the spec's full text (containers, It or table and entry) or the scenario's name.
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`
	// IDs are the labels (scenario: behaviors) that are behaviour IDs, including inherited ones.
	IDs []string `json:"ids"`
	// Labels are every label, IDs and traits.
	Labels []string `json:"labels"`
	// Asserted are the normalised words the check asserts on (see Terms): what its Expect
	// calls, matchers, assertion helpers and table entries name; for a scenario, what its
	// expectations name.
	Asserted []string `json:"-"`
}

// Has reports whether the check carries label l.
func (c Check) Has(l string) bool {
	for _, x := range c.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// Problem is something in the tree the index cannot read reliably (a label built at run
// time, a malformed citation): the integrity tests fail on any.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Index is everything Scan found.
type Index struct {
	Root      string
	Citations []Citation
	Checks    []Check
	Problems  []Problem
}

// Scan reads the tree at root (the module root).
func Scan(root string) (*Index, error) {
	idx := &Index{Root: root}
	var errs []error
	for _, d := range []struct {
		dir  string
		role Role
	}{{ReferenceDir, Implements}, {FakesDir, Models}} {
		if err := idx.scanCitations(d.dir, d.role); err != nil {
			errs = append(errs, err)
		}
	}
	if err := idx.scanSpecs(SpecsDir, LiveChecksDir); err != nil {
		errs = append(errs, err)
	}
	if err := idx.scanScenarios(ScenariosDir); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("indexing %s: %w", root, err)
	}
	sort.SliceStable(idx.Citations, func(i, j int) bool {
		a, b := idx.Citations[i], idx.Citations[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return idx, nil
}

// For returns the citations with that role for id, in file order.
func (x *Index) For(id string, role Role) []Citation {
	var out []Citation
	for _, c := range x.Citations {
		if c.ID == id && c.Role == role {
			out = append(out, c)
		}
	}
	return out
}

// ChecksOf returns the specs and scenarios carrying id, of that kind.
func (x *Index) ChecksOf(id string, kind SpecKind) []Check {
	var out []Check
	for _, c := range x.Checks {
		if c.Kind != kind {
			continue
		}
		for _, l := range c.IDs {
			if l == id {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// FindRoot walks up from dir to the folder whose go.mod declares Module.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && declaresModule(data) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no irconform source tree (go.mod of %s) at or above %s", Module, abs)
		}
	}
}

func declaresModule(gomod []byte) bool {
	for _, line := range bytes.Split(gomod, []byte("\n")) {
		f := bytes.Fields(line)
		if len(f) == 2 && string(f[0]) == "module" && string(f[1]) == Module {
			return true
		}
	}
	return false
}

// rel makes path relative to root, slash-separated.
func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}

// Code is what the tree says about one behaviour ID.
type Code struct {
	// Implements and Models are the citations in reference/ and fakes/.
	Implements []Citation `json:"implements,omitempty"`
	Models     []Citation `json:"models,omitempty"`
	// Specs and Scenarios carry the ID as a label (scenario: in behaviors).
	Specs     []Check `json:"specs,omitempty"`
	Scenarios []Check `json:"scenarios,omitempty"`
}

// Code returns everything the index has for id.
func (x *Index) Code(id string) Code {
	return Code{
		Implements: x.For(id, Implements),
		Models:     x.For(id, Models),
		Specs:      x.ChecksOf(id, GoSpec),
		Scenarios:  x.ChecksOf(id, Scenario),
	}
}
