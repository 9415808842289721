package scenarios_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/irconform/irconform/scenarios"
	"github.com/irconform/irconform/scenarios/lint"
	"github.com/irconform/irconform/scenarios/runner"
)

// The shipped set must be lint-clean (what `irconform lint scenarios` checks).
func TestShippedScenariosLintClean(t *testing.T) {
	l, err := runner.NewLinter()
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.LintFS(scenarios.Shipped, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scenarios) == 0 {
		t.Fatal("no shipped scenarios")
	}
	for _, f := range res.Findings {
		t.Error(f.String())
	}
}

// The README's complete examples must be valid scenarios: a QA engineer copies them.
func TestReadmeExamplesLintClean(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	n := 0
	l, _ := runner.NewLinter()
	for i, b := range blocks {
		if !strings.HasPrefix(b[1], "apiVersion: irconform.io/v1alpha1") {
			continue
		}
		n++
		res := l.LintBytes("README.md#example"+string(rune('1'+i)), []byte(b[1]))
		for _, f := range res.Findings {
			t.Errorf("README example %d: %s", i+1, f)
		}
	}
	if n == 0 {
		t.Fatal("README.md has no complete example")
	}
}

// Every shipped scenario carries the labels the runner gives it.
func TestLabels(t *testing.T) {
	l, _ := runner.NewLinter()
	res, _ := l.LintFS(scenarios.Shipped, "scenarios")
	for _, s := range res.Scenarios {
		labels := runner.Labels(s)
		if labels[0] != "scenario" {
			t.Errorf("%s: first label %q", s.Metadata.Name, labels[0])
		}
		for _, id := range s.Behaviors {
			found := false
			for _, lb := range labels {
				found = found || lb == id
			}
			if !found {
				t.Errorf("%s: no label %s", s.Metadata.Name, id)
			}
		}
	}
}

// The binary embeds the shipped set for runs outside the checkout; a scenario in a
// subdirectory must be embedded too (add its directory to the go:embed line in doc.go), or
// `irconform run` from an installed binary would silently not run it.
func TestEmbedHoldsEveryShippedScenario(t *testing.T) {
	onDisk, err := lint.Discover([]string{"."})
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := lint.DiscoverFS(scenarios.Shipped)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range onDisk {
		if !slices.Contains(embedded, f) {
			t.Errorf("%s is not embedded: add its directory to the go:embed line in scenarios/doc.go", f)
		}
	}
	if len(embedded) == 0 {
		t.Fatal("nothing embedded")
	}
}
