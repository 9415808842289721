package lint_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/irconform/irconform/scenarios/lint"
	"github.com/irconform/irconform/scenarios/runner"
)

// Every fixture in testdata/bad lists the findings it must produce, exactly, as trailing
// comments "# want: LINE:COL class". All fixtures go through one Linter in name order, so
// duplicate-name-b.yaml sees the name used by duplicate-name-a.yaml.
func TestBadFixtures(t *testing.T) {
	files, err := filepath.Glob("../testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	sort.Strings(files)
	l, err := runner.NewLinter()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := wants(data)
		res := l.LintBytes(f, data)
		var got []string
		for _, x := range res.Findings {
			got = append(got, fmt.Sprintf("%d:%d %s", x.Line, x.Col, x.Class))
			seen[x.Class] = true
			if !strings.HasPrefix(x.String(), fmt.Sprintf("%s:%d:%d: ", f, x.Line, x.Col)) {
				t.Errorf("finding not in file:line:col form: %s", x)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got  %q\n want %q\nfindings:\n%s", f, got, want, show(res.Findings))
		}
	}
	for _, c := range allClasses {
		if !seen[c] {
			t.Errorf("no fixture produces a %s finding", c)
		}
	}
}

var allClasses = []string{
	lint.ClassYAMLSyntax, lint.ClassUnknownField, lint.ClassDuplicateField, lint.ClassWrongType, lint.ClassMissingField,
	lint.ClassBadValue, lint.ClassBadAPIVersion, lint.ClassBadName, lint.ClassDuplicateName, lint.ClassUnknownBehavior,
	lint.ClassDivergenceLabel, lint.ClassBadLabel, lint.ClassUnknownPlatform, lint.ClassUnknownKind, lint.ClassBadObject,
	lint.ClassBadPath, lint.ClassBadRegexp, lint.ClassBadDuration, lint.ClassUnknownBackend, lint.ClassUnknownOp,
	lint.ClassBadStep, lint.ClassBadPatch, lint.ClassBadFault, lint.ClassEmptyExpectation, lint.ClassMisplaced,
	lint.ClassImpossible, lint.ClassNotInAPI,
}

func wants(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if w, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "# want: "); ok {
			out = append(out, w)
		}
	}
	return out
}

func show(fs []lint.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

func TestFindingFormat(t *testing.T) {
	f := lint.Finding{File: "scenarios/x.yaml", Line: 3, Col: 7, Message: "unknown field \"nam\"", Hint: "did you mean \"name\"?"}
	if got, want := f.String(), `scenarios/x.yaml:3:7: unknown field "nam" (hint: did you mean "name"?)`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestGoodFixtures(t *testing.T) {
	l, err := runner.NewLinter()
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.LintPaths([]string{"../testdata/good"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) == 0 {
		t.Fatal("no good fixtures")
	}
	if len(res.Findings) > 0 {
		t.Fatalf("good fixtures have findings:\n%s", show(res.Findings))
	}
}

func TestMissingPathCannotRun(t *testing.T) {
	l, _ := runner.NewLinter()
	if _, err := l.LintPaths([]string{"../testdata/does-not-exist"}); err == nil {
		t.Fatal("a missing path must be an error (exit code 2), not findings")
	}
}
