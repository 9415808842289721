package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/irconform/irconform/scenarios"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/apischema"
	"github.com/irconform/irconform/scenarios/lint"
)

// EnvVar names extra scenario files or directories to run (separated like PATH), for
// `go test` runs; `irconform run --scenarios` and `go test ... -args -scenarios` do the same.
const EnvVar = "IRCONFORM_SCENARIOS"

// NewLinter is the scenario linter with the runner's operations and the API schemas of the
// kinds (from the openshift/api CRDs when the module cache has them, else the Go types).
func NewLinter() (*lint.Linter, error) {
	api, _, err := apischema.Default()
	if err != nil {
		return nil, fmt.Errorf("loading the API schemas: %w", err)
	}
	cfg := DefaultOperations().LintConfig()
	cfg.API = api
	return lint.New(cfg)
}

// Loaded is what Load found: scenarios ready to run, and files or scenarios that cannot run.
type Loaded struct {
	Scenarios []*v1alpha1.Scenario
	// Findings by scenario file (a scenario in a file with findings is not run; its spec fails
	// with the findings instead).
	Findings map[string][]lint.Finding
	// Files are every scenario file read, in order.
	Files []string
	// Display maps a file path to how specs show it (scenarios/x.yaml).
	Display map[string]string
	// Location maps a file path to the path put in the spec's code location.
	Location map[string]string
}

// Load reads the shipped scenario set (from the repository's scenarios/ directory, all its
// subdirectories, when the working directory is inside the repository, else the copy
// embedded in the binary), then the files and directories in paths and in IRCONFORM_SCENARIOS
// (a file already read is not read twice), and lints them all with one linter, so a name
// used twice is a finding.
func Load(paths []string) (Loaded, error) {
	l, err := NewLinter()
	if err != nil {
		return Loaded{}, err
	}
	out := Loaded{Findings: map[string][]lint.Finding{}, Display: map[string]string{}, Location: map[string]string{}}
	seen := map[string]bool{}
	add := func(r lint.Result, display, location func(string) string) {
		out.Scenarios = append(out.Scenarios, r.Scenarios...)
		for _, f := range r.Findings {
			out.Findings[f.File] = append(out.Findings[f.File], f)
		}
		for _, f := range r.Files {
			out.Files = append(out.Files, f)
			out.Display[f], out.Location[f] = display(f), location(f)
		}
	}
	if dir := RepoScenarios(); dir != "" {
		files, err := lint.Discover([]string{dir})
		if err != nil {
			return out, err
		}
		r, err := lintFiles(l, files, seen)
		if err != nil {
			return out, err
		}
		root := filepath.Dir(dir)
		add(r, func(f string) string {
			if rel, err := filepath.Rel(root, f); err == nil {
				return filepath.ToSlash(rel)
			}
			return f
		}, func(f string) string { return f })
	} else {
		r, err := l.LintFS(scenarios.Shipped, "scenarios")
		if err != nil {
			return out, err
		}
		add(r, func(f string) string { return f }, func(f string) string { return f })
	}
	extra := append([]string(nil), paths...)
	if env := os.Getenv(EnvVar); env != "" {
		extra = append(extra, filepath.SplitList(env)...)
	}
	if len(extra) > 0 {
		files, err := lint.Discover(extra)
		if err != nil {
			return out, fmt.Errorf("scenario paths: %w", err)
		}
		r, err := lintFiles(l, files, seen)
		if err != nil {
			return out, err
		}
		add(r, func(f string) string { return f }, absPath)
	}
	return out, nil
}

// lintFiles lints files not yet seen (by absolute path).
func lintFiles(l *lint.Linter, files []string, seen map[string]bool) (lint.Result, error) {
	var todo []string
	for _, f := range files {
		if a := absPath(f); !seen[a] {
			seen[a] = true
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return lint.Result{}, nil
	}
	return l.LintPaths(todo)
}

func absPath(f string) string {
	if a, err := filepath.Abs(f); err == nil {
		return a
	}
	return f
}

// RepoScenarios finds <module root>/scenarios from the working directory ("" if none).
func RepoScenarios() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if strings.Contains(string(b), "module github.com/irconform/irconform") {
				if st, err := os.Stat(filepath.Join(d, "scenarios")); err == nil && st.IsDir() {
					return filepath.Join(d, "scenarios")
				}
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
