package behaviorindex

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func scanFixture(t *testing.T) *Index {
	t.Helper()
	idx, err := Scan(filepath.Join("testdata", "tree"))
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func TestCitations(t *testing.T) {
	idx := scanFixture(t)
	var got []string
	for _, c := range idx.Citations {
		got = append(got, string(c.Role)+" "+c.ID+" "+c.Where())
	}
	want := []string{
		"models S3-003 fakes/s3/s3.go:3 type Settings",
		"implements CA-006 reference/render/ca.go:5 TrustTarget",
		"implements S3-003 reference/render/ca.go:10 (*Driver).Sync",
		"implements S3-004 reference/render/ca.go:10 (*Driver).Sync",
		"implements STOR-002 reference/render/ca.go:10 (*Driver).Sync",
		"implements S3-005 reference/render/ca.go:12 (*Driver).Sync",
		"implements S3-006 reference/render/ca.go:17 const LifecycleRuleID",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("citations\n got: %q\nwant: %q", got, want)
	}
	if len(idx.For("S3-003", Implements)) != 1 || len(idx.For("S3-003", Models)) != 1 {
		t.Errorf("For S3-003: %v / %v", idx.For("S3-003", Implements), idx.For("S3-003", Models))
	}
}

func TestProblems(t *testing.T) {
	var got []string
	for _, p := range scanFixture(t).Problems {
		got = append(got, p.String())
	}
	for _, want := range []string{
		"reference/render/ca.go:22: \"Implements STOR-S3-11.\": cite catalogue IDs",
		"conformance/specs/a.go:22: Label argument is not a string literal",
		"scenarios/broken.yaml:1: not YAML",
		"conformance/livecheck/checks.go:21: live check IDs is not a []string literal",
	} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no problem %q in %q", want, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d problems, want 4: %q", len(got), got)
	}
}

func TestSpecChecks(t *testing.T) {
	idx := scanFixture(t)
	byName := map[string]Check{}
	for _, c := range idx.Checks {
		byName[c.Name] = c
	}
	tests := []struct {
		name       string
		ids        []string
		labels     []string
		asserts    []string // must be among Asserted
		notAsserts []string
	}{
		{"Outer checks the key", []string{"CA-003"}, []string{"CA-003", "storage"},
			[]string{"example", "5000", "copied", "havekey"}, []string{"ignoredsetupword"}},
		{"Outer inner rolls on a change", []string{"CRED-005"}, []string{"CRED-005", "S3-03", "platform:aws", "storage"},
			[]string{"checksum", "dependencies-checksum", "storageencrypted", "available"}, nil},
		{"Outer bootstraps PowerVS", []string{"BOOT-006"}, []string{"BOOT-006", "storage"},
			[]string{"powerv", "ibmco", "storage"}, nil},
		{"Outer bootstraps x", nil, []string{"storage"}, nil, nil},
		// Title and labels named through a package-level struct literal.
		{"Disruptive toggles the route", []string{"ROUTE-002"}, []string{"ROUTE-002", "disruptive"},
			[]string{"default-route"}, nil},
		// A live check: title and labels from the table, asserted words from its judge.
		{"Observed pruner flag while Unmanaged", []string{"PRUNE-005"}, []string{"PRUNE-005", "divergence", "live"},
			[]string{"prune-registry", "hasarg"}, nil},
	}
	for _, tt := range tests {
		c, ok := byName[tt.name]
		if !ok {
			t.Errorf("no check %q among %v", tt.name, idx.Checks)
			continue
		}
		if c.Kind != GoSpec || !reflect.DeepEqual(c.IDs, tt.ids) || !reflect.DeepEqual(c.Labels, tt.labels) {
			t.Errorf("%s: kind %s ids %v labels %v, want ids %v labels %v", tt.name, c.Kind, c.IDs, c.Labels, tt.ids, tt.labels)
		}
		for _, w := range tt.asserts {
			if !slices.Contains(c.Asserted, w) {
				t.Errorf("%s: asserts on %q not found in %v", tt.name, w, c.Asserted)
			}
		}
		for _, w := range tt.notAsserts {
			if slices.Contains(c.Asserted, w) {
				t.Errorf("%s: %q is set-up, not asserted, yet in %v", tt.name, w, c.Asserted)
			}
		}
	}
}

func TestScenarioChecks(t *testing.T) {
	idx := scanFixture(t)
	got := idx.ChecksOf("PRUNE-004", Scenario)
	if len(got) != 1 || got[0].Name != "first" || got[0].Line != 1 || !got[0].Has("divergence") {
		t.Fatalf("PRUNE-004 scenarios: %+v", got)
	}
	if !slices.Contains(got[0].Asserted, "prune-registry") || slices.Contains(got[0].Asserted, "managementstate") {
		t.Errorf("first asserts on %v: want its expect words only (not given:)", got[0].Asserted)
	}
	if got := idx.ChecksOf("MGMT-004", Scenario); len(got) != 1 || got[0].File != "scenarios/sub/third.yml" {
		t.Errorf("a scenario in a subfolder: %+v", got)
	}
	if got := idx.ChecksOf("MGMT-005", Scenario); len(got) != 0 {
		t.Errorf("scenarios under testdata are not shipped: %+v", got)
	}
	second := idx.ChecksOf("BOOT-003", Scenario)
	if len(second) != 1 || second[0].Line != 12 || !slices.Contains(second[0].Asserted, "managementstate") {
		t.Errorf("BOOT-003 scenarios: %+v", second)
	}
}

func TestRuleTermsAndLink(t *testing.T) {
	terms := RuleTerms("Unknown platform types (e.g. Libvirt) → Managed with `storage.emptyDir`, 1 replica; IBMCloud/PowerVS → `storage.ibmcos`. Deployment \"PVC does not exist\" in NS.")
	want := []string{"deployment", "doe", "emptydir", "exist", "ibmcloud", "ibmco", "libvirt", "managed", "powerv", "pvc", "replica", "storage"}
	if !reflect.DeepEqual(terms, want) {
		t.Errorf("RuleTerms = %v, want %v", terms, want)
	}
	if got := Link([]string{"managementstate"}, codeWords("ManagementState LogLevel")); !reflect.DeepEqual(got, []string{"managementstate"}) {
		t.Errorf("Link = %v", got)
	}
	if got := Link([]string{"managementstate"}, codeWords("HTTPSecret LogLevel Debug")); got != nil {
		t.Errorf("Link = %v, want none", got)
	}
	if got := identWords("PowerVSPlatformType"); !reflect.DeepEqual(got, []string{"power", "powerv", "powervsplatform", "powervsplatformtype"}) {
		t.Errorf("identWords = %v", got)
	}
}

func TestCitedIDs(t *testing.T) {
	for line, want := range map[string][]string{
		"// Implements S3-003.":                            {"S3-003"},
		"// Implements S3-003, S3-004 and CA-006 (CA-06).": {"S3-003", "S3-004", "CA-006"},
		"// Foo does x. Implements BOOT-006.":              {"BOOT-006"},
		"// Sync implements the Driver interface.":         nil,
		"// Implements the Driver interface.":              nil,
		"// what upstream Implements S3-003 is":            nil,
	} {
		got, _ := citedIDs(line)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("citedIDs(%q) = %v, want %v", line, got, want)
		}
	}
	if ids, ok := citedIDs("// Implements STOR-S3-11."); !ok || ids != nil {
		t.Errorf("a malformed citation must be reported: %v %v", ids, ok)
	}
}

func TestFindRoot(t *testing.T) {
	root, err := FindRoot(filepath.Join("testdata", "tree", "conformance"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(root) == "tree" || !strings.HasSuffix(filepath.ToSlash(root), "") {
		t.Errorf("FindRoot stopped at the fixture: %s", root)
	}
	if _, err := FindRoot(t.TempDir()); err == nil {
		t.Error("FindRoot outside the module found one")
	}
}
