// Package mutate is mutation testing for the reference operator: a list of small deliberate
// breaks (hack/mutate/mutations/*.yaml, one file per area), each applied alone through a Go build overlay (the
// working tree is never edited), and the specs labelled with the break's behaviour IDs run
// against the broken operator. A break some spec fails on is caught; one every spec passes
// on survived: those specs cannot fail on that bug.
package mutate

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/internal/behaviorid"
)

// Mutation is one deliberate break.
type Mutation struct {
	Name    string   `yaml:"name" json:"name"`
	File    string   `yaml:"file" json:"file"`
	Find    string   `yaml:"find" json:"find"`
	Replace string   `yaml:"replace" json:"replace"`
	IDs     []string `yaml:"ids" json:"ids"`
	Why     string   `yaml:"why" json:"why"`
}

// LabelFilter selects the specs of the mutation's IDs (a Ginkgo label filter).
func (m Mutation) LabelFilter() string { return strings.Join(m.IDs, " || ") }

var nameRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads the mutations of a file, or of every *.yaml in a folder (in name order, so
// areas can keep their breaks apart), and checks each entry's own fields; names are unique
// across all the files.
func Load(path string) ([]Mutation, error) {
	files := []string{path}
	if fi, err := os.Stat(path); err != nil {
		return nil, err
	} else if fi.IsDir() {
		files, err = filepath.Glob(filepath.Join(path, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no *.yaml mutation files", path)
		}
	}
	var all []Mutation
	var where []string
	for _, f := range files {
		ms, err := loadFile(f)
		if err != nil {
			return nil, err
		}
		for range ms {
			where = append(where, f)
		}
		all = append(all, ms...)
	}
	if err := check(all, where); err != nil {
		return nil, err
	}
	return all, nil
}

// loadFile decodes one mutations file, unknown fields refused.
func loadFile(path string) ([]Mutation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Mutations []Mutation `yaml:"mutations"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Mutations) == 0 {
		return nil, fmt.Errorf("%s: no mutations", path)
	}
	return doc.Mutations, nil
}

// check validates each mutation's fields; where[i] is the file mutation i came from.
func check(muts []Mutation, where []string) error {
	var errs []error
	seen := map[string]bool{}
	for i, m := range muts {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: mutation %s: %s", where[i], m.Name, fmt.Sprintf(format, args...)))
		}
		if !nameRE.MatchString(m.Name) {
			bad("name %q: want lowercase words joined by dashes", m.Name)
		}
		if seen[m.Name] {
			bad("name used twice")
		}
		seen[m.Name] = true
		if m.File == "" || filepath.IsAbs(m.File) || !filepath.IsLocal(m.File) {
			bad("file %q: want a path relative to the repository root", m.File)
		}
		if m.Find == "" || m.Find == m.Replace {
			bad("find must be non-empty and differ from replace")
		}
		if len(m.IDs) == 0 {
			bad("no ids: name the behaviours whose specs should catch it")
		}
		for _, id := range m.IDs {
			if !behaviorid.Valid(id) {
				bad("id %q is not a behaviour ID", id)
			}
		}
		if strings.TrimSpace(m.Why) == "" {
			bad("why is empty: say what the bug is")
		}
	}
	return errors.Join(errs...)
}

// Mutated returns the content of m.File under root with the break applied; an error when
// the find text is not there exactly once (the code moved: update the list).
func (m Mutation) Mutated(root string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(root, m.File))
	if err != nil {
		return nil, fmt.Errorf("mutation %s: %w", m.Name, err)
	}
	switch n := strings.Count(string(data), m.Find); n {
	case 1:
		return []byte(strings.Replace(string(data), m.Find, m.Replace, 1)), nil
	case 0:
		return nil, fmt.Errorf("mutation %s: %s: find text not found (the code changed: update its hack/mutate/mutations file):\n%s", m.Name, m.File, m.Find)
	default:
		return nil, fmt.Errorf("mutation %s: %s: find text occurs %d times, want once (make it longer):\n%s", m.Name, m.File, n, m.Find)
	}
}

// WriteOverlay writes the mutated file and a `go build -overlay` file into dir and returns
// the overlay file's path.
func (m Mutation) WriteOverlay(root, dir string) (string, error) {
	content, err := m.Mutated(root)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(filepath.Join(root, m.File))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Not a .go name: the work folder may sit inside the module (reports/out/mutate), where
	// `go test ./...` would take a .go file for a package.
	mutated := filepath.Join(dir, filepath.Base(m.File)+".mutated")
	if err := os.WriteFile(mutated, content, 0o644); err != nil {
		return "", err
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {abs: mutated}})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	return path, os.WriteFile(path, overlay, 0o644)
}
