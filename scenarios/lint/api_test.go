package lint_test

import (
	"os"
	"strings"
	"testing"

	"github.com/irconform/irconform/scenarios/lint"
	"github.com/irconform/irconform/scenarios/runner"
)

const header = `apiVersion: irconform.io/v1alpha1
kind: Scenario
metadata: {name: api-check}
behaviors: [BOOT-003]
platform: BareMetal
steps:
`

// lintSteps lints header + steps and returns the findings as lines.
func lintSteps(t *testing.T, steps string) []string {
	t.Helper()
	l, err := runner.NewLinter()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range l.LintBytes("x.yaml", []byte(header+steps)).Findings {
		out = append(out, f.String())
	}
	return out
}

// What the issue asked for, word for word: lint rejects a mis-indented merge patch and a
// path to a field that does not exist, at file:line:col, with a suggestion.
func TestAPIFindings(t *testing.T) {
	cases := []struct {
		name, steps string
		want        string // the whole finding
	}{
		{
			name: "mis-indented merge patch",
			steps: `  - patch:
      kind: Config
      merge:
        spec:
        managementState: Removed
`,
			want: `x.yaml:11:9: Config has no field "managementState" (hint: managementState is a field of spec, which is empty here: indent managementState (line 11) under spec (line 10))`,
		},
		{
			name:  "field path to a field that does not exist",
			steps: "  - expect: [{kind: Config, path: spec.managmentState, equals: Removed}]\n",
			want:  `x.yaml:7:40: Config spec has no field "managmentState" (hint: did you mean "managementState"?)`,
		},
		{
			name:  "field path that skips a level",
			steps: "  - expect: [{kind: Config, path: managementState, equals: Removed}]\n",
			want:  `x.yaml:7:35: Config has no field "managementState" (hint: did you mean spec.managementState?)`,
		},
		{
			name:  "JSON patch path",
			steps: "  - patch: {kind: Config, json: [{op: replace, path: /spec/replica, value: 2}]}\n",
			want:  `x.yaml:7:60: Config spec has no field "replica" (hint: did you mean "replicas"?)`,
		},
		{
			name:  "JSON patch value of the wrong type",
			steps: "  - patch: {kind: Config, json: [{op: replace, path: /spec/replicas, value: two}]}\n",
			want:  `x.yaml:7:77: Config spec.replicas must be a whole number, not str "two"`,
		},
		{
			name:  "merge patch value not allowed",
			steps: "  - patch: {kind: Config, merge: {spec: {managementState: Remove}}}\n",
			want:  `x.yaml:7:59: Config spec.managementState cannot be "Remove": it is one of Managed, Unmanaged, Force, Removed (hint: did you mean "Removed"?)`,
		},
		{
			name:  "an expected value the field never has",
			steps: "  - expect: [{kind: Config, path: spec.managementState, equals: Remove}]\n",
			want:  `x.yaml:7:65: Config spec.managementState is never "Remove": it is one of Managed, Unmanaged, Force, Removed (hint: did you mean "Removed"?)`,
		},
		{
			name:  "a built-in kind from its Go type",
			steps: "  - expect: [{kind: CronJob, path: spec.suspended, equals: true}]\n",
			want:  `x.yaml:7:41: CronJob spec has no field "suspended" (hint: did you mean "suspend"?)`,
		},
		{
			name:  "a manifest field",
			steps: "  - apply: {kind: Route, name: r, spec: {to: {kind: Service, nme: x}}}\n",
			want:  `x.yaml:7:62: Route spec.to has no field "nme" (hint: did you mean "name"?)`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := lintSteps(t, tc.steps)
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// What the API accepts lints clean: quantities, maps, list filters, JSONPath, null in a
// merge patch, appending to a list, Secret data.
func TestAPIAccepts(t *testing.T) {
	steps := `  - patch: {kind: Config, merge: {spec: {replicas: 2, proxy: null, nodeSelector: {a: b}, resources: {limits: {cpu: 1, memory: 1Gi}}}}}
  - patch: {kind: Config, json: [{op: add, path: /spec/routes/-, value: {name: r, hostname: h}}, {op: remove, path: /spec/storage/s3}]}
  - apply: {kind: Secret, name: s, stringData: {a: b}, metadata: {labels: {x: y}}}
    expect:
      - {kind: Config, path: 'status.conditions[type=Available].status', equals: "True"}
      - {kind: Config, path: '{.status.conditions[?(@.type=="Available")].reason}', equals: x}
      - {kind: Secret, name: s, path: data.anything, equals: b}
      - {kind: Deployment, path: 'spec.template.spec.containers[0].resources.limits.cpu', equals: 1}
      - {kind: Config, path: metadata.annotations.x, missing: true}
`
	if got := lintSteps(t, steps); len(got) > 0 {
		t.Fatalf("findings on valid input:\n%s", strings.Join(got, "\n"))
	}
}

// Hints say the fix: a duration needs a unit, not quotes.
func TestDurationHints(t *testing.T) {
	for _, tc := range []struct{ steps, hint string }{
		{"  - timeout: 30\n    expect: [{kind: Config, exists: true}]\n", "(hint: give it a unit: 30s"},
		{"  - timeout: \"30\"\n    expect: [{kind: Config, exists: true}]\n", "(hint: give it a unit: 30s"},
		{"  - wait: 1.5\n", "(hint: give it a unit: 1.5s"},
	} {
		got := lintSteps(t, tc.steps)
		if len(got) != 1 || !strings.Contains(got[0], tc.hint) {
			t.Errorf("%q: got %q, want a hint %q", tc.steps, got, tc.hint)
		}
		if len(got) == 1 && strings.Contains(got[0], "quote it") {
			t.Errorf("%q: quoting a number does not make it a duration: %s", tc.steps, got[0])
		}
	}
}

// A YAML syntax error is placed at its exact line and column, with what to do.
func TestYAMLSyntaxPositions(t *testing.T) {
	for _, tc := range []struct{ steps, want string }{
		{"  - expect:\n      - {kind: Config, exists: true\n", "x.yaml:8:9: YAML syntax error: this { is never closed"},
		{"  - name: x\n     expect: []\n", "x.yaml:8:12: YAML syntax error: a key: value here"},
		{"  - name: \"x\n  - wait: 1s\n", "x.yaml:7:11: YAML syntax error: this quoted text is never closed"},
		{"  - wait: 1s\n\t- wait: 2s\n", "x.yaml:8:1: YAML syntax error: a tab character"},
	} {
		got := lintSteps(t, tc.steps)
		if len(got) == 0 || !strings.HasPrefix(got[0], tc.want) {
			t.Errorf("%q:\n got %q\nwant %q...", tc.steps, got, tc.want)
		}
	}
}

func TestDiscover(t *testing.T) {
	files, err := lint.Discover([]string{"../testdata"})
	if err != nil {
		t.Fatal(err)
	}
	// testdata directories are skipped below a given directory, as the go tool does; the
	// directory given itself is walked.
	if len(files) == 0 {
		t.Fatal("a directory given by name is walked even when it is called testdata")
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".yaml") && !strings.HasSuffix(f, ".yml") {
			t.Errorf("not a scenario file: %s", f)
		}
	}
	files, err = lint.Discover([]string{".."})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(f, "testdata") {
			t.Errorf("testdata below a directory is skipped: %s", f)
		}
	}
}

// No input makes the linter panic (the seeds are every fixture; `go test -fuzz FuzzLint`
// explores further).
func FuzzLint(f *testing.F) {
	files, _ := lint.Discover([]string{"../testdata"})
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	l, err := runner.NewLinter()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l.LintBytes("fuzz.yaml", data)
	})
}
