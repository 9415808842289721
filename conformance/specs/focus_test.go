package specs

import (
	"regexp"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// Ginkgo matches focus against "<description> <spec name>"; FocusOnNames makes a pattern
// mean what it says about the spec name alone.
func TestFocusOnNames(t *testing.T) {
	names := []string{
		"scenario removed-keeps-unmanaged-bucket (scenarios/removed-keeps-unmanaged-bucket.yaml)",
		"BOOT: bootstrap on AWS creates S3 storage",
		"scenario x (scenarios/sub/x.yaml)",
	}
	cases := []struct {
		pattern string
		want    []int // indexes of names that must match
	}{
		{"^scenario removed", []int{0}},
		{"^scenario ", []int{0, 2}},
		{"removed-keeps", []int{0}},
		{"bucket\\.yaml\\)$", []int{0}},
		{"^BOOT:|^scenario x ", []int{1, 2}},
		{"(?i)^boot", []int{1}},
		// The description is not part of the name: these match nothing.
		{"conformance", nil},
		{"^irconform", nil},
		// ^ after the start of the name never matches.
		{"x ^scenario", nil},
		{"", []int{0, 1, 2}},
	}
	for _, tc := range cases {
		got, err := FocusOnNames(SuiteName, []string{tc.pattern})
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		re := regexp.MustCompile(strings.Join(got, "|"))
		for i, n := range names {
			want := false
			for _, w := range tc.want {
				want = want || w == i
			}
			if m := re.MatchString(SuiteName + " " + n); m != want {
				t.Errorf("%q on %q: matched %v, want %v (regexp %s)", tc.pattern, n, m, want, got[0])
			}
		}
	}
	if _, err := FocusOnNames(SuiteName, []string{"a("}); err == nil {
		t.Error("a bad pattern must be an error, not a panic")
	}
}

// The report's selection names the focus the user gave, not its rewritten form.
func TestFocusAsGiven(t *testing.T) {
	prev := suiteOpts
	t.Cleanup(func() { suiteOpts = prev })
	rewritten, err := FocusOnNames(SuiteName, []string{"polish-probe"})
	if err != nil {
		t.Fatal(err)
	}
	c := types.SuiteConfig{FocusStrings: rewritten}
	suiteOpts = Options{Focus: []string{"polish-probe"}}
	if got := focusAsGiven(c); len(got) != 1 || got[0] != "polish-probe" {
		t.Errorf("focus %q, want the user's [polish-probe]", got)
	}
	if got := nothingSelected(types.Report{SuiteConfig: c}); !strings.Contains(got, `focus "polish-probe"`) {
		t.Errorf("no-match message: %s", got)
	}
	// go test -ginkgo.focus: as given to Ginkgo.
	suiteOpts = Options{}
	if got := focusAsGiven(types.SuiteConfig{FocusStrings: []string{"boot"}}); len(got) != 1 || got[0] != "boot" {
		t.Errorf("focus %q, want [boot]", got)
	}
}
