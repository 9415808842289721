package reports

import (
	"encoding/json"
	"html/template"
	"strings"
	"testing"
)

// A failure in shape: two statements, each followed by an indented YAML dump.
const shapedFailure = `Config cluster spec.replicas: is 1, want 3 (MGMT-002)
    apiVersion: imageregistry.operator.openshift.io/v1
    kind: Config
    spec:
      - name: first-item
Deployment image-registry env REGISTRY_STORAGE: is "s3", want "gcs" (MGMT-002)
    env:
    - name: REGISTRY_STORAGE
      value: s3`

func partialRun() Run {
	return Run{
		Schema: SchemaVersion, Target: Target{Kind: "envtest"},
		Selection: &Selection{LabelFilter: "MGMT-002 || MGMT-003", Selected: 2, Total: 251, Partial: true},
		Specs: []Spec{
			{Name: "Management state installs the registry", Area: "MGMT", Behaviors: []string{"MGMT-002"}, Labels: []string{"MGMT-002"},
				Source: "conformance/specs/mgmt.go:50", Result: Failed, Failure: shapedFailure, FailureLocation: "conformance/specs/mgmt.go:61"},
			{Name: "Management state changes nothing", Area: "MGMT", Behaviors: []string{"MGMT-003"}, Labels: []string{"MGMT-003"},
				Source: "conformance/specs/mgmt.go:70", Result: Passed},
		},
	}
}

const banner = "Partial run: 2 of 251 specs selected (label filter 'MGMT-002 || MGMT-003')"

// before fails unless every a occurs in s, and before every b.
func before(t *testing.T, what, s string, a, b []string) {
	t.Helper()
	last := -1
	for _, x := range a {
		i := strings.Index(s, x)
		if i < 0 {
			t.Fatalf("%s lacks %q:\n%s", what, x, s)
		}
		last = max(last, i)
	}
	for _, y := range b {
		if i := strings.Index(s, y); i >= 0 && i < last {
			t.Fatalf("%s: %q comes before a statement:\n%s", what, y, s)
		}
	}
}

var (
	statementsWant = []string{"Config cluster spec.replicas: is 1, want 3 (MGMT-002)", `Deployment image-registry env REGISTRY_STORAGE: is "s3", want "gcs" (MGMT-002)`}
	dumpLines      = []string{"apiVersion: imageregistry", "name: first-item", "value: s3"}
)

func TestFailureFirstSummary(t *testing.T) {
	s := Summary(partialRun(), "/tmp/run")
	before(t, "summary", s, append([]string{banner}, statementsWant...), nil)
	for _, d := range dumpLines {
		if strings.Contains(s, d) {
			t.Errorf("summary shows a dump line %q", d)
		}
	}
	if !strings.Contains(s, "at conformance/specs/mgmt.go:61") {
		t.Errorf("no location:\n%s", s)
	}
}

func TestFailureFirstMarkdown(t *testing.T) {
	md := Markdown(partialRun(), CoverageReport{})
	before(t, "report.md", md, append([]string{banner}, statementsWant...), dumpLines)
	for _, d := range dumpLines {
		if !strings.Contains(md, d) {
			t.Errorf("report.md lacks the dump line %q", d)
		}
	}
}

func TestFailureFirstHTML(t *testing.T) {
	page, err := HTML(partialRun(), CoverageReport{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if !strings.Contains(s, `id="partial">`+template.HTMLEscapeString(banner)) {
		t.Errorf("no partial banner")
	}
	fail := s[strings.Index(s, `id="failures"`):]
	before(t, "report.html failures", fail, []string{"<li>Config cluster spec.replicas: is 1, want 3 (MGMT-002)</li>"}, []string{"apiVersion: imageregistry"})
	// YAML list items are not diff deletions.
	if strings.Contains(s, `class="del">    - name`) || strings.Contains(s, `class="del">      - name`) || strings.Contains(s, `class="del">    - name: REGISTRY_STORAGE`) {
		t.Errorf("a YAML list item is coloured as a deletion")
	}
	for _, l := range diffLines(shapedFailure) {
		if l.Class != "" {
			t.Errorf("line %q classed %q", l.Text, l.Class)
		}
	}
	// A real cmp diff still is.
	got := diffLines("env (-want +got):\n  []v1.EnvVar{\n- \t{Name: \"A\"},\n+ \t{Name: \"B\"},\n  }\n@@ -1 +1 @@\n-old\n+new\nthe object:\n- name: yaml")
	want := []string{"", "", "del", "add", "", "hunk", "del", "add", "", ""}
	for i, w := range want {
		if got[i].Class != w {
			t.Errorf("line %q: class %q, want %q", got[i].Text, got[i].Class, w)
		}
	}
}

func TestFailureFirstJUnitAndJSON(t *testing.T) {
	x, err := JUnit(partialRun())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(x), `message="Config cluster spec.replicas: is 1, want 3 (MGMT-002)"`) ||
		!strings.Contains(string(x), `name="selection.partial" value="true"`) {
		t.Errorf("junit:\n%s", x)
	}
	raw, err := MarshalRun(partialRun())
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Selection Selection `json:"selection"`
	}
	if err := json.Unmarshal(raw, &back); err != nil || !back.Selection.Partial || back.Selection.LabelFilter != "MGMT-002 || MGMT-003" || back.Selection.Total != 251 {
		t.Fatalf("report.json selection: %+v %v", back.Selection, err)
	}
}

func TestDiffNotRun(t *testing.T) {
	old := Run{Schema: SchemaVersion, Target: Target{Kind: "envtest"}, Specs: []Spec{
		spec("a", Passed, 1, "MGMT-002"), spec("b", Failed, 1, "MGMT-003"), spec("c", Passed, 1, "BOOT-001"),
	}}
	nw := partialRun()
	nw.Specs = []Spec{spec("a", Passed, 1, "MGMT-002"), spec("b", Skipped, 0, "MGMT-003")}
	d := Diff(old, nw, 0)
	if strings.Join(d.NotRun, ",") != "b,c" || d.HasNewFailures() || !d.Incomplete() {
		t.Fatalf("notRun %v", d.NotRun)
	}
	for _, out := range []string{d.Text(), d.Markdown()} {
		if !strings.Contains(out, "did not run 2 specs that the old run ran") || !strings.Contains(out, "partial: 2 of 251 specs selected, label filter 'MGMT-002 || MGMT-003'") {
			t.Errorf("no warning:\n%s", out)
		}
	}
	if d := Diff(old, old, 0); d.Incomplete() || d.Warning() != "" {
		t.Fatal("a run compared with itself is incomplete")
	}
	// New failures list every statement before any dump.
	nw.Specs = append(nw.Specs, Spec{Name: "z", Result: Failed, Failure: shapedFailure})
	d = Diff(old, nw, 0)
	for _, out := range []string{d.Text(), d.Markdown()} {
		before(t, "diff", out, statementsWant, []string{"apiVersion: imageregistry"})
	}
}
