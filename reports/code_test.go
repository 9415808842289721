package reports

import (
	"strings"
	"testing"

	"github.com/irconform/irconform/internal/behaviorindex"
)

func TestAttachCodeLinksEveryIDInTheHTML(t *testing.T) {
	cat := testCatalogue(t)
	run := fixtureRun("envtest")
	cov := Coverage(cat, run)
	idx := &behaviorindex.Index{
		Citations: []behaviorindex.Citation{
			{ID: "BOOT-004", Role: behaviorindex.Implements, File: "reference/bootstrap/bootstrap.go", Line: 34, Decl: "PlatformStorage"},
			{ID: "BOOT-004", Role: behaviorindex.Models, File: "fakes/cluster/simulator.go", Line: 9, Decl: "type Simulator"},
		},
		Checks: []behaviorindex.Check{{Kind: behaviorindex.Scenario, Name: "bootstrap-storage-aws", File: "scenarios/b.yaml", Line: 1, IDs: []string{"BOOT-004"}}},
	}
	AttachCode(&cov, idx)
	var boot BehaviorCoverage
	for _, b := range cov.Behaviors {
		if b.Code == nil {
			t.Fatalf("%s: no code refs attached", b.ID)
		}
		if b.ID == "BOOT-004" {
			boot = b
		}
	}
	if got := boot.Code.Implements; len(got) != 1 || got[0] != "reference/bootstrap/bootstrap.go:34 PlatformStorage" {
		t.Errorf("BOOT-004 implements %v", got)
	}
	page, err := HTML(run, cov)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{
		`data-id="BOOT-004" id="behavior-BOOT-004">`,
		`<a href="#behavior-BOOT-004"><code>BOOT-004</code></a>`,
		`<code>reference/bootstrap/bootstrap.go:34 PlatformStorage</code>`,
		`<code>fakes/cluster/simulator.go:9 type Simulator</code>`,
		`<code>scenarios/b.yaml:1 bootstrap-storage-aws</code>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	AttachCode(&cov, nil) // no tree: rows unchanged
	if cov.Behaviors[0].Code == nil {
		t.Error("AttachCode(nil) dropped the refs")
	}
}

func TestCoverageCarriesUpstreamFiles(t *testing.T) {
	cat := testCatalogue(t)
	cov := Coverage(cat, fixtureRun("envtest"))
	for _, b := range cov.Behaviors {
		want, _ := cat.Lookup(b.ID)
		if strings.Join(b.Upstream, ",") != strings.Join(want.Upstream, ",") {
			t.Errorf("%s: upstream %v, catalogue %v", b.ID, b.Upstream, want.Upstream)
		}
	}
}
