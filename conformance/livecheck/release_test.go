package livecheck

import "testing"

func TestParseRelease(t *testing.T) {
	cases := []struct {
		in    string
		want  Release
		known bool
	}{
		{"4.7.16", Release{4, 7}, true},
		{"4.4.0-0.nightly-2020-03-18-092817", Release{4, 4}, true},
		{"4.18", Release{4, 18}, true},
		{"v4.12.3", Release{4, 12}, true},
		{"4.99.0-irconform", Release{4, 99}, false},
		{"3.11.0", Release{3, 11}, false},
	}
	for _, c := range cases {
		got, ok := ParseRelease(c.in)
		if !ok || got != c.want || got.Known() != c.known {
			t.Errorf("ParseRelease(%q) = %v, %v (known %v); want %v known %v", c.in, got, ok, got.Known(), c.want, c.known)
		}
	}
	if _, ok := ParseRelease("nightly"); ok {
		t.Error("a version without major.minor parsed")
	}
	if (Release{4, 99}).JudgedAs() != (Release{4, 23}) || (Release{6, 2}).JudgedAs() != Newest || (Release{3, 11}).JudgedAs() != Oldest || (Release{}).JudgedAs() != Newest {
		t.Error("unknown releases are judged by the nearest known shapes")
	}
}

func TestFindingLine(t *testing.T) {
	f := Finding{Object: "configs.imageregistry.operator.openshift.io/cluster", Field: "spec.managementState", Seen: "Removed", Want: "Managed", Behaviour: "MGMT-002"}
	if got, want := f.Line(), "configs.imageregistry.operator.openshift.io/cluster spec.managementState: is Removed, want Managed (MGMT-002)"; got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
	f.Field = ""
	if got := f.Line(); got != "configs.imageregistry.operator.openshift.io/cluster: is Removed, want Managed (MGMT-002)" {
		t.Errorf("Line() without field = %q", got)
	}
	v := failed(f).fix(RemedyManaged).detail("the operator says: x")
	if lines := len(splitLines(v.Message())); lines != 3 {
		t.Errorf("Message() has %d lines: %q", lines, v.Message())
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range s {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
