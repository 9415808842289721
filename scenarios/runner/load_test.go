package runner

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeScenario(t *testing.T, path, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(scenarioHeader, "metadata: {name: unit}", "metadata: {name: "+name+"}", 1) +
		"steps:\n  - expect: [{kind: Config, exists: true}]\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run finds what lint finds: the shipped set with its subfolders, plus --scenarios paths
// (directories walked too), each file once.
func TestLoadFindsSubfoldersAndPaths(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, filepath.Join(dir, "qa", "top.yaml"), "qa-top")
	writeScenario(t, filepath.Join(dir, "qa", "deeper", "sub.yml"), "qa-sub")
	writeScenario(t, filepath.Join(dir, "qa", "testdata", "ignored.yaml"), "qa-ignored")
	t.Setenv(EnvVar, "")
	loaded, err := Load([]string{filepath.Join(dir, "qa"), filepath.Join(dir, "qa", "top.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range loaded.Scenarios {
		names = append(names, s.Metadata.Name)
	}
	for _, want := range []string{"bootstrap-removed-baremetal", "qa-top", "qa-sub"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s not loaded; loaded %v", want, names)
		}
	}
	if slices.Contains(names, "qa-ignored") {
		t.Error("testdata directories are not scenarios")
	}
	n := 0
	for _, f := range loaded.Files {
		if strings.HasSuffix(f, "top.yaml") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("top.yaml read %d times, want once (a clash with itself otherwise)", n)
	}
	for f, fs := range loaded.Findings {
		t.Errorf("%s: unexpected findings %v", f, fs)
	}
}
