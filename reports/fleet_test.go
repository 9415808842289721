package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func liveRun(version, platform string, specs ...Spec) Run {
	return Run{Schema: SchemaVersion, Target: Target{Kind: "live", Version: version, Platform: platform, Mode: "read-only", Server: "https://api.example:6443"}, Specs: specs}
}

func liveSpec(area, id string, r Result, failure string) Spec {
	return Spec{Name: area + " check", Area: area, Behaviors: []string{id}, Labels: []string{"live", id}, Result: r, Failure: failure}
}

// TestFleetMatrix: a row per cluster, a column per area; an area where one cluster differs
// from the others is drift, and so is that cluster's cell; envtest-only skips of a live run
// do not count; names are escaped.
func TestFleetMatrix(t *testing.T) {
	envtestOnly := Spec{Name: "Bootstrap x", Area: "BOOT", Behaviors: []string{"BOOT-001"}, Labels: []string{"BOOT-001"}, Result: Skipped, SkipReason: "envtest only"}
	clusters := []Cluster{
		{Name: "a", Run: liveRun("4.18.1", "AWS", liveSpec("MGMT", "MGMT-002", Passed, ""), liveSpec("STOR", "STOR-007", Passed, ""), envtestOnly)},
		{Name: "b<script>", Run: liveRun("4.12.4", "GCP", liveSpec("MGMT", "MGMT-002", Passed, ""), liveSpec("STOR", "STOR-007", Failed, "configs.imageregistry.operator.openshift.io/cluster spec.storage: is pvc and s3, want exactly one backend (STOR-007)\n  fix: oc patch"))},
		{Name: "c", Run: liveRun("4.16.2", "BareMetal", liveSpec("MGMT", "MGMT-002", Passed, ""), liveSpec("STOR", "STOR-007", Passed, ""))},
	}
	page, err := Fleet(clusters)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "<script>") || !strings.Contains(s, "b&lt;script&gt;") {
		t.Error("cluster name not escaped")
	}
	if strings.Contains(s, `data-area="BOOT"`) {
		t.Error("an envtest-only area counted in a live fleet")
	}
	for _, want := range []string{
		`data-area="MGMT" data-drifted="false"`, `data-area="STOR" data-drifted="true"`, `data-drifted="1"`,
		`<td class="cell fail odd" data-state="fail" data-majority="false"`,
		"spec.storage: is pvc and s3, want exactly one backend (STOR-007)", "4.12.4", "BareMetal",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(s, "fix: oc patch") {
		t.Error("the findings list shows more than each failure's first line")
	}
	if n := len(regexp.MustCompile(`class="cluster-row"`).FindAllString(s, -1)); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}
	for _, bad := range []string{`src="http`, `href="http`, "<link", "@import"} {
		if strings.Contains(s, bad) {
			t.Errorf("external asset %q", bad)
		}
	}
}

// TestReadClusterNames: NAME=PATH names a cluster; else its report's folder does, unless
// the folder is "latest" or a timestamp (then the API server's host).
func TestReadClusterNames(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"east", "latest"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(filepath.Join(dir, sub, FileJSON), liveRun("4.18.1", "AWS")); err != nil {
			t.Fatal(err)
		}
	}
	for arg, want := range map[string]string{
		filepath.Join(dir, "east", FileJSON):           "east",
		filepath.Join(dir, "latest", FileJSON):         "api.example:6443",
		"prod=" + filepath.Join(dir, "east", FileJSON): "prod",
	} {
		c, err := ReadCluster(arg)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != want {
			t.Errorf("%s: name %q, want %q", arg, c.Name, want)
		}
	}
	if _, err := ReadCluster(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing report read without error")
	}
}
