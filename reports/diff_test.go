package reports

import (
	"slices"
	"strings"
	"testing"
)

func spec(name string, r Result, dur Duration, ids ...string) Spec {
	s := Spec{Name: name, Area: "OTHER", Result: r, Duration: dur, Behaviors: ids}
	if len(ids) > 0 {
		s.Area = strings.SplitN(ids[0], "-", 2)[0]
	}
	if r == Failed {
		s.Failure = name + " broke: password=hunter22"
	}
	if r == Skipped {
		s.SkipReason = "needs live cluster"
	}
	return s
}

func names(cs []SpecChange) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestDiff(t *testing.T) {
	old := Run{Schema: SchemaVersion, Target: Target{Kind: "envtest"}, Specs: []Spec{
		spec("a passes then fails", Passed, 1, "BOOT-001"),
		spec("b fails then passes", Failed, 1, "BOOT-002"),
		spec("c fails twice", Failed, 1, "BOOT-003"),
		spec("d runs then skipped", Passed, 1, "MGMT-001"),
		spec("e removed", Passed, 1, "MGMT-002"),
		spec("f slower", Passed, 1.0, "S3-001"),
		spec("g slightly slower", Passed, 0.1, "S3-001"),
		spec("h skipped then fails", Skipped, 0, "S3-001"),
		spec("dup", Passed, 1),
		spec("dup", Passed, 1),
	}}
	new := Run{Schema: SchemaVersion, Target: Target{Kind: "envtest"}, Specs: []Spec{
		spec("a passes then fails", Failed, 1, "BOOT-001"),
		spec("b fails then passes", Passed, 1, "BOOT-002"),
		spec("c fails twice", Failed, 1, "BOOT-003"),
		spec("d runs then skipped", Skipped, 0, "MGMT-001"),
		spec("f slower", Passed, 2.0, "S3-001"),
		spec("g slightly slower", Passed, 0.18, "S3-001"), // +80 % but only +80 ms
		spec("h skipped then fails", Failed, 0, "S3-001"),
		spec("i new and failing", Failed, 0.5, "CA-001"),
		spec("j new and passing", Passed, 0.5, "CA-002"),
		spec("dup", Passed, 1),
		spec("dup", Failed, 1),
	}}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"new failures", names(Diff(old, new, 0.5).NewFailures), []string{"a passes then fails", "dup #2", "h skipped then fails", "i new and failing"}},
		{"fixed", names(Diff(old, new, 0.5).Fixed), []string{"b fails then passes"}},
		{"still failing", names(Diff(old, new, 0.5).StillFailing), []string{"c fails twice"}},
		{"newly skipped", names(Diff(old, new, 0.5).NewlySkipped), []string{"d runs then skipped"}},
		{"added specs", Diff(old, new, 0.5).AddedSpecs, []string{"i new and failing", "j new and passing"}},
		{"removed specs", Diff(old, new, 0.5).RemovedSpecs, []string{"e removed"}},
		{"added IDs", Diff(old, new, 0.5).AddedBehaviors, []string{"CA-001", "CA-002"}},
		{"removed IDs", Diff(old, new, 0.5).RemovedBehaviors, []string{"MGMT-002"}},
		{"time", regNames(Diff(old, new, 0.5)), []string{"f slower"}},
		{"time high threshold", regNames(Diff(old, new, 1.5)), nil},
		{"time default threshold", regNames(Diff(old, new, 0)), []string{"f slower"}},
		{"same run", names(Diff(old, old, 0.5).NewFailures), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	d := Diff(old, new, 0.5)
	if !d.HasNewFailures() || Diff(new, new, 0.5).HasNewFailures() || !Diff(new, new, 0.5).Empty() {
		t.Fatal("HasNewFailures/Empty wrong")
	}
	for _, out := range []string{d.Markdown(), d.Text()} {
		if strings.Contains(out, "hunter22") {
			t.Error("secret in diff output")
		}
		for _, w := range []string{"a passes then fails", "b fails then passes", "d runs then skipped", "e removed", "CA-001", "MGMT-002", "f slower"} {
			if !strings.Contains(out, w) {
				t.Errorf("diff output lacks %q:\n%s", w, out)
			}
		}
	}
	if !strings.Contains(d.Markdown(), "## ❌ irconform diff: 4 new failures") || !strings.Contains(Diff(new, new, 0.5).Markdown(), "no new failures") {
		t.Error("markdown headline")
	}
	if !strings.Contains(d.Text(), "[BOOT-001] a passes then fails (was passed)") || !strings.Contains(d.Text(), "i new and failing (was new spec)") {
		t.Errorf("text:\n%s", d.Text())
	}
}

func regNames(d DiffResult) []string {
	var out []string
	for _, r := range d.TimeRegressions {
		out = append(out, r.Name)
	}
	return out
}
