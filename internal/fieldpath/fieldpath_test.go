package fieldpath

import (
	"errors"
	"regexp"
	"testing"
)

func testObj() map[string]any {
	return map[string]any{
		"kind": "Secret",
		"spec": map[string]any{"replicas": int64(2), "storage": map[string]any{"s3": map[string]any{"bucket": "b"}}, "suspend": false},
		"data": map[string]any{"registry.example.com..5000": "PEM", "a.b": "x"},
		"status": map[string]any{"conditions": []any{
			map[string]any{"type": "Available", "status": "True", "reason": "Ready", "message": "The registry is ready"},
			map[string]any{"type": "Degraded", "status": "False"},
		}},
	}
}

func TestGet(t *testing.T) {
	o := testObj()
	for path, want := range map[string]any{
		"spec.replicas":                                      int64(2),
		".spec.storage.s3.bucket":                            "b",
		`data["registry.example.com..5000"]`:                 "PEM",
		`data['a.b']`:                                        "x",
		`data.a\.b`:                                          "x",
		"status.conditions[1].type":                          "Degraded",
		"status.conditions[type=Available].reason":           "Ready",
		"{.spec.replicas}":                                   int64(2),
		`{.status.conditions[?(@.type=="Degraded")].status}`: "False",
	} {
		p, err := Parse(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, found, err := p.Get(o)
		if err != nil || !found || !Equal(got, want) {
			t.Errorf("%s = %v (found %v, err %v), want %v", path, got, found, err, want)
		}
	}
	for _, path := range []string{"spec.nope", "status.conditions[5].type", "status.conditions[type=Nope].status", "{.spec.nope}"} {
		if _, found, err := MustParse(path).Get(o); found || err != nil {
			t.Errorf("%s: found %v err %v, want missing", path, found, err)
		}
	}
}

func TestSyntaxErrorOffsets(t *testing.T) {
	for path, off := range map[string]int{"spec..x": 5, "spec.": 5, "a[x]": 2, `a["x`: 2, "a[0]b": 4} {
		_, err := Parse(path)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != off {
			t.Errorf("%s: err %v, want offset %d", path, err, off)
		}
	}
}

// Segments carry their offsets, so that a linter can point at the exact segment.
func TestSegments(t *testing.T) {
	segs := MustParse(`status.conditions[type=Available].reason`).Segments()
	want := []Segment{
		{Kind: Key, Key: "status", Offset: 0},
		{Kind: Key, Key: "conditions", Offset: 7},
		{Kind: Filter, Key: "type", Value: "Available", Offset: 17},
		{Kind: Key, Key: "reason", Offset: 34},
	}
	if len(segs) != len(want) {
		t.Fatalf("got %+v", segs)
	}
	for i := range want {
		if segs[i] != want[i] {
			t.Errorf("segment %d: got %+v, want %+v", i, segs[i], want[i])
		}
	}
	if segs := MustParse(`data["a.b"][2]`).Segments(); segs[1].Key != "a.b" || segs[1].Offset != 4 || segs[2].Kind != Index || segs[2].Index != 2 {
		t.Errorf("got %+v", segs)
	}
	if p := MustParse("{.spec}"); !p.IsJSONPath() || p.Segments() != nil {
		t.Error("a JSONPath has no segments")
	}
}

func TestCheck(t *testing.T) {
	o := testObj()
	cases := []struct {
		name, path string
		want       Want
		// mismatch is the whole Error() text; "" means the check holds.
		mismatch string
	}{
		{"equals number", "spec.replicas", Want{Equals: 2, HasEquals: true}, ""},
		{"equals text of a number", "spec.replicas", Want{Equals: "2", HasEquals: true}, ""},
		{"equals differs", "spec.replicas", Want{Equals: 3, HasEquals: true}, "spec.replicas: is 2, want 3"},
		{"equals text differs", "status.conditions[0].reason", Want{Equals: "Removed", HasEquals: true}, "status.conditions[0].reason: is Ready, want Removed"},
		{"equals unset", "spec.nope", Want{Equals: "x", HasEquals: true}, "spec.nope: is not set, want x"},
		{"equals false on unset", "spec.nope", Want{Equals: false, HasEquals: true}, ""},
		{"equals 0 on unset", "spec.nope", Want{Equals: 0, HasEquals: true}, ""},
		{"equals true on unset", "spec.nope", Want{Equals: true, HasEquals: true}, "spec.nope: is not set, want true"},
		{"equals null on unset", "spec.nope", Want{HasEquals: true}, ""},
		{"equals null on set", "spec.replicas", Want{HasEquals: true}, "spec.replicas: is 2, want null"},
		{"no equals checks nothing but presence", "spec.nope", Want{}, "spec.nope: is not set, want set"},
		{"contains key", "data", Want{Contains: "a.b"}, ""},
		{"contains substring", "status.conditions[0].message", Want{Contains: "ready"}, ""},
		{"contains differs", "status.conditions[0].message", Want{Contains: "gone"}, `status.conditions[0].message: is The registry is ready, want a value containing gone`},
		{"matches", "status.conditions[0].message", Want{Matches: regexp.MustCompile("^The")}, ""},
		{"matches differs", "spec.storage.s3.bucket", Want{Matches: regexp.MustCompile("^x")}, "spec.storage.s3.bucket: is b, want a match for /^x/"},
		{"missing", "spec.nope", Want{Missing: true}, ""},
		{"missing but set", "spec.storage.s3.bucket", Want{Missing: true}, "spec.storage.s3.bucket: is b, want not set"},
		// Text that would read as a number or a bool is quoted, so "2" and 2 are told apart.
		{"show quotes ambiguous text", "status.conditions[1].status", Want{Equals: "True", HasEquals: true}, `status.conditions[1].status: is False, want True`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(o, MustParse(tc.path), tc.want)
			got := ""
			if err != nil {
				var m *Mismatch
				if !errors.As(err, &m) {
					t.Fatalf("want a *Mismatch, got %T %v", err, err)
				}
				got = err.Error()
			}
			if got != tc.mismatch {
				t.Fatalf("got %q, want %q", got, tc.mismatch)
			}
		})
	}
}

func TestMismatchLine(t *testing.T) {
	m := &Mismatch{Field: "spec.replicas", Is: "1", Want: "2"}
	if got, want := m.Line("Config cluster", "BOOT-003"), "Config cluster spec.replicas: is 1, want 2 (BOOT-003)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := m.Line("", "A-001", "B-002"), "spec.replicas: is 1, want 2 (A-001, B-002)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestShow(t *testing.T) {
	for in, want := range map[any]string{"Managed": "Managed", "": `""`, "2": `"2"`, "true": `"true"`, " x": `" x"`, "a\nb": `"a\nb"`, 2: "2", true: "true"} {
		if got := Show(in); got != want {
			t.Errorf("Show(%#v) = %s, want %s", in, got, want)
		}
	}
	if got := Show(map[string]any{"a": 1}); got != `{"a":1}` {
		t.Errorf("map: %s", got)
	}
}
