package reports

import (
	"fmt"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	cat := testCatalogue(t)
	cases := []struct {
		name    string
		run     Run
		want    []string
		notWant []string
	}{
		{"envtest", fixtureRun("envtest"), []string{
			"## ❌ irconform: FAILED",
			"**2 passed, 2 failed, 2 skipped** of 6 specs",
			"**Target:** envtest, server https://api.example:6443, platform AWS, version v1.33.0, mode read-only",
			"**Simulated (not real controllers):** Deployment rollout status, PVC binding",
			"| BOOT | 1 | **1** ❌ | 0 | 2 |",
			"| PRUNE | 0 | **1** ❌ | 0 | 1 |",
			"### ❌ Failures (2)",
			"**[BOOT-004, BOOT-005] bootstrap on AWS configures S3 storage** — `specs/boot_test.go:77`",
			"Deployment image-registry does not match the Config",
			"### ⚠️ Divergences",
			"ordinary results",
			"Coverage gaps (",
			"| BOOT-001 | doc | doc A§cloud |",
			"Not run (all specs skipped) (2):",
			"needs platform AWS; target platform is BareMetal",
			"### Storage fault matrix",
			"| backend | fault | condition |",
			`StorageExists=False \| Unknown`,
		}, nil},
		{"live", fixtureRun("live"), []string{
			"## ❌ irconform: FAILED",
			"**2 passed, 1 failed, 2 skipped** of 6 specs, **1 documented behaviours not honoured**",
			"| PRUNE | 0 | 0 (+1 ⚠️) | 0 | 1 |",
			"### ❌ Failures (1)",
			"**not honoured** by the real operator",
			"⚠️ not honoured",
			"**Documented, not honoured (1):** PRUNE-005",
		}, []string{"pruner while Unmanaged sets --prune-registry=false** _(divergence spec)_"}},
		{"live only divergence", passBut(fixtureRun("live"), "pruner"), []string{"## ⚠️ irconform: PASSED WITH DIVERGENCES"}, []string{"### ❌ Failures"}},
		{"all passed", passAll(fixtureRun("envtest")), []string{"## ✅ irconform: PASSED"}, []string{"### ❌ Failures"}},
		{"empty", Run{}, []string{"NO SPECS", "unknown target"}, nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			md := Markdown(tt.run, Coverage(cat, tt.run))
			assertNoSecrets(t, "markdown", md)
			for _, w := range tt.want {
				if !strings.Contains(md, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(md, w) {
					t.Errorf("unexpected %q", w)
				}
			}
			if t.Failed() {
				t.Log(md)
			}
		})
	}
}

// passBut passes every failed spec except those whose name contains keep.
func passBut(r Run, keep string) Run {
	r.Specs = append([]Spec(nil), r.Specs...)
	for i := range r.Specs {
		if r.Specs[i].Result == Failed && !strings.Contains(r.Specs[i].Name, keep) {
			r.Specs[i].Result, r.Specs[i].Failure = Passed, ""
		}
	}
	return r
}

func TestMarkdownLimits(t *testing.T) {
	// Realistic: many failures with several statements each and long dumps. Every statement
	// is shown, before any dump; dumps are cut to fit.
	run := Run{Target: Target{Kind: "envtest"}}
	dump := strings.Repeat("      - name: REGISTRY_X\n        value: line with ``` fence\n", 200)
	var statements []string
	for i := 0; i < 40; i++ {
		var msg strings.Builder
		for j := 0; j < 10; j++ {
			st := fmt.Sprintf("Deployment image-registry env REGISTRY_%d_%d: is \"a\", want \"b\" (DEPLOY-%03d)", i, j, i)
			statements = append(statements, st)
			msg.WriteString(st + "\n" + dump)
		}
		run.Specs = append(run.Specs, Spec{Name: fmt.Sprintf("spec %d", i), Area: "DEPLOY", Result: Failed, Failure: msg.String()})
	}
	md := Markdown(run, CoverageReport{})
	if len(md) > mdMaxLen+len(mdTruncatedFooter) {
		t.Fatalf("markdown %d bytes", len(md))
	}
	firstDump := strings.Index(md, "- name: REGISTRY_X")
	for _, st := range statements {
		i := strings.Index(md, st)
		if i < 0 {
			t.Fatalf("statement %q missing", st)
		}
		if firstDump >= 0 && i > firstDump {
			t.Fatalf("statement %q after a dump", st)
		}
	}
	if !strings.Contains(md, "report truncated") {
		t.Error("no truncation note")
	}
	if firstDump >= 0 && !strings.Contains(md, "````text") {
		t.Error("fence not lengthened around ```")
	}

	// Pathological: messages of thousands of unindented lines still end somewhere.
	run = Run{Target: Target{Kind: "envtest"}}
	long := strings.Repeat("line with ``` fence\n", 200)
	for i := 0; i < 300; i++ {
		run.Specs = append(run.Specs, Spec{Name: "spec " + strings.Repeat("x", i%7), Area: "BOOT", Result: Failed, Failure: long})
	}
	if md := Markdown(run, CoverageReport{}); len(md) > mdHardMax+len(mdTruncatedFooter) {
		t.Fatalf("markdown %d bytes", len(md))
	}
}

func TestMarkdownTable(t *testing.T) {
	got := MarkdownTable(Table{Columns: []string{"a"}, Rows: [][]string{{"1", "2"}, {"x|y"}}}, 0)
	want := "| a |  |\n|---|---|\n| 1 | 2 |\n| x\\|y |  |\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
