package failure

import (
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	tests := []struct {
		name, in string
		ids      []string
		want     string // the whole result, or its first line when wantFirst
		first    bool
	}{
		{"equal", "Config cluster spec.replicas\nExpected\n    <int32>: 1\nto equal\n    <int32>: 3", []string{"MGMT-002"},
			"Config cluster spec.replicas: is 1, want 3 (MGMT-002)", false},
		{"string", "Deployment image-registry env REGISTRY_STORAGE\nExpected\n    <string>: s3\nto equal\n    <string>: gcs", nil,
			`Deployment image-registry env REGISTRY_STORAGE: is "s3", want "gcs"`, false},
		{"empty string", "x\nExpected\n    <string>: \nto equal\n    <string>: a", nil, `x: is "", want "a"`, false},
		{"be true", "flag\nExpected\n    <bool>: false\nto be true", []string{"A-001", "B-002"}, "flag: is false, want true (A-001, B-002)", false},
		{"not equal", "not\nExpected\n    <int>: 2\nnot to equal\n    <int>: 2", nil, "not: is 2, want not 2", false},
		{"length", "len\nExpected\n    <[]int | len:1, cap:1>: [1]\nto have length 2", nil, "len: is [1], want have length 2", false},
		{"numerically", "num\nExpected\n    <int>: 3\nto be >\n    <int>: 4", nil, "num: is 3, want > 4", false},
		{"contain", "args\nExpected\n    <[]string | len:2, cap:2>: [\"a\", \"b\"]\nto contain element matching\n    <string>: c", nil,
			`args: is ["a", "b"], want contain element matching "c"`, false},
		{"no description", "Expected\n    <int>: 1\nto equal\n    <int>: 2", []string{"X-001"}, "value: is 1, want 2 (X-001)", false},
		{"multi-line description", "Deployment image-registry\nspec.replicas\nExpected\n    <int>: 1\nto equal\n    <int>: 2", nil,
			"Deployment image-registry spec.replicas: is 1, want 2", false},
		{"succeed", "create Config cluster\nExpected success, but got an error:\n    <*errors.errorString | 0x1>: \n    denied: spec.replicas must be >= 0\n    {s: \"denied: spec.replicas must be >= 0\"}", []string{"MGMT-001"},
			`create Config cluster: is error "denied: spec.replicas must be >= 0", want success (MGMT-001)`, false},
		{"unexpected error", "get it\nUnexpected error:\n    <*errors.errorString | 0x1>: \n    boom\n    {s: \"boom\"}\noccurred", nil,
			`get it: is error "boom", want no error`, false},
		{"no error", "delete\nExpected an error to have occurred.  Got:\n    <nil>: nil", nil, "delete: is no error, want an error", false},
		{"eventually", "Timed out after 10.002s.\nConfig spec.replicas\nExpected\n    <int>: 1\nto equal\n    <int>: 2", []string{"M-001"},
			"Config spec.replicas: is 1, want 2 (M-001)\n    timed out after 10.002s", false},
		{"wait wraps a statement", "registry ready\nExpected success, but got an error:\n    <*fmt.wrapError | 0x1>: \n    still not true after 10s: Config cluster condition Available status: is \"False\", want \"True\"\n        detail line\n    {\n        msg: \"still…\",\n        err: <*errors.errorString | 0x2>{s: \"x\"},\n    }", []string{"MGMT-002"},
			"Config cluster condition Available status: is \"False\", want \"True\" (MGMT-002)\n    still not true after 10s\n    while: registry ready\n        detail line", false},
		{"function passed to eventually", "Timed out after 1.000s.\nThe function passed to Eventually failed at /x/y.go:12 with:\nConfig spec.replicas\nExpected\n    <int>: 1\nto equal\n    <int>: 2", nil,
			"Config spec.replicas: is 1, want 2\n    timed out after 1.000s", false},
		{"long value keeps evidence", "obj\nExpected\n    <string>: " + strings.Repeat("x", 200) + "\nto equal\n    <string>: y", nil,
			`obj: is "` + strings.Repeat("x", MaxValue) + `…", want "y"`, true},
		{"not gomega", "objects written to the bucket by the operator\n  dump", []string{"S3-001"}, "objects written to the bucket by the operator (S3-001)\n  dump", false},
		{"ids already there", "a: is 1, want 2 (S3-001)", []string{"S3-001"}, "a: is 1, want 2 (S3-001)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Rewrite(tt.in, tt.ids)
			if tt.first {
				got = strings.SplitN(got, "\n", 2)[0]
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLongValueEvidence(t *testing.T) {
	got := Rewrite("obj\nExpected\n    <string>: "+strings.Repeat("x", 200)+"\nto equal\n    <string>: y", nil)
	hs := Headlines(got)
	if len(hs) != 1 || !strings.Contains(got, strings.Repeat("x", 200)) {
		t.Fatalf("headlines %q; evidence must keep the whole value:\n%s", hs, got)
	}
}

func TestHeadlines(t *testing.T) {
	msg := "scenarios/a.yaml:3:5: step 1: not true after 10s:\nscenarios/a.yaml:9:9: Config cluster: spec.x is 1, want 2\n      kind: Config\n      - item\n\nscenarios/a.yaml:12:9: Secret s: absent, want present\n      dump"
	got := Headlines(msg)
	want := []string{"scenarios/a.yaml:3:5: step 1: not true after 10s:", "scenarios/a.yaml:9:9: Config cluster: spec.x is 1, want 2", "scenarios/a.yaml:12:9: Secret s: absent, want present"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q", got)
	}
	if got := Headlines("Deployment does not match (-want +got):\n  []v1.EnvVar{\n- \t{Name: \"A\"},\n+ \t{Name: \"B\"},\n  }\n- item: yaml\n{Key: x}"); len(got) != 1 {
		t.Fatalf("diff, YAML and struct lines taken for statements: %q", got)
	}
	if !HasEvidence(msg) || HasEvidence("a\nb") {
		t.Fatal("HasEvidence")
	}
}

func TestMultiLineValue(t *testing.T) {
	got := Rewrite("Secret s data\nExpected\n    <map[string][]uint8 | len:1>: {\n        \"token\": \"abc\",\n    }\nto have {key: value}\n    <map[interface {}]interface {} | len:1>: {\n        <string>\"token\": <[]uint8 | len:1, cap:1>\"x\",\n    }", nil)
	first := strings.SplitN(got, "\n", 2)[0]
	if first != `Secret s data: is {"token": "abc"}, want have {key: value} {<string>"token": <[]uint8 | len:1, cap:1>"x"}` {
		t.Fatalf("got %q", first)
	}
}
