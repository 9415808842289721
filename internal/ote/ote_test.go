package ote

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestWireShapes(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.FixedZone("x", 3600))
	r := Result{Name: "t", Lifecycle: Blocking, Duration: 12, StartTime: NewDBTime(at), EndTime: NewDBTime(at), Result: Passed}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"t","lifecycle":"blocking","duration":12,"startTime":"2026-01-02 02:04:05.678901 UTC","endTime":"2026-01-02 02:04:05.678901 UTC","result":"passed","output":""}`
	if string(raw) != want {
		t.Errorf("result\n got %s\nwant %s", raw, want)
	}
	var back Result
	if err := json.Unmarshal(raw, &back); err != nil || !time.Time(*back.StartTime).Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("read back: %v %v", err, back.StartTime)
	}
	spec, _ := json.Marshal(Spec{Name: "s", Labels: NewLabels("B", "A"), Source: "p:t:n", Lifecycle: Informing})
	if want := `{"name":"s","labels":{"A":{},"B":{}},"resources":{"isolation":{}},"source":"p:t:n","lifecycle":"informing","environmentSelector":{}}`; string(spec) != want {
		t.Errorf("spec\n got %s\nwant %s", spec, want)
	}
}

func TestSelection(t *testing.T) {
	specs := []Spec{
		{Name: "a [Disruptive]", Labels: NewLabels("disruptive"), Source: "x",
			EnvironmentSelector: EnvironmentSelector{Include: `platform in ["aws"]`}},
		{Name: "b", Labels: NewLabels("live"), Source: "x",
			EnvironmentSelector: EnvironmentSelector{Exclude: `size(optionalCapabilities) > 0 && !optionalCapabilities.exists(c, c == "ImageRegistry")`}},
		{Name: "c", Source: "y"},
	}
	names := func(ss []Spec) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		env  Environment
		want string
	}{
		{Environment{}, "a [Disruptive],b,c"},
		{Environment{Platform: "aws"}, "a [Disruptive],b,c"},
		{Environment{Platform: "gcp"}, "b,c"},
		{Environment{Platform: "aws", OptionalCapabilities: []string{"Build"}}, "a [Disruptive],c"},
		{Environment{Platform: "aws", OptionalCapabilities: []string{"Build", "ImageRegistry"}}, "a [Disruptive],b,c"},
	} {
		got, err := ForEnvironment(specs, tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if names(got) != tc.want {
			t.Errorf("%+v: %s, want %s", tc.env, names(got), tc.want)
		}
	}
	got, err := InSuite(specs, []string{`source == "x" && labels.exists(l, l == "disruptive")`, `name == "c"`})
	if err != nil || names(got) != "a [Disruptive],c" {
		t.Errorf("suite: %s %v", names(got), err)
	}
	if _, err := InSuite(specs, []string{`nonsense ==`}); err == nil {
		t.Error("a bad qualifier went unnoticed")
	}
}
