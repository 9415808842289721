package expect

import (
	"regexp"
	"strings"
	"testing"
)

func testObj() map[string]any {
	return map[string]any{
		"kind": "Secret",
		"spec": map[string]any{"replicas": int64(2), "storage": map[string]any{"s3": map[string]any{"bucket": "b"}}},
		"data": map[string]any{"registry.example.com..5000": "PEM", "a.b": "x"},
		"status": map[string]any{"conditions": []any{
			map[string]any{"type": "Available", "status": "True", "reason": "Ready", "message": "The registry is ready"},
			map[string]any{"type": "Degraded", "status": "False"},
		}},
		"stringData": map[string]any{"k": "v"},
	}
}

func TestFieldPaths(t *testing.T) {
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
		p, err := ParseFieldPath(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, found, err := p.Get(o)
		if err != nil || !found || !ValuesEqual(got, want) {
			t.Errorf("%s = %v (found %v, err %v), want %v", path, got, found, err, want)
		}
	}
	for _, path := range []string{"spec.nope", "status.conditions[5].type", "status.conditions[type=Nope].status", "{.spec.nope}"} {
		p := MustParseFieldPath(path)
		if _, found, err := p.Get(o); found || err != nil {
			t.Errorf("%s: found %v err %v, want missing", path, found, err)
		}
	}
	for path, off := range map[string]int{"spec..x": 5, "spec.": 5, "a[x]": 2, `a["x`: 2, "a[0]b": 4} {
		_, err := ParseFieldPath(path)
		pe, ok := err.(*PathError)
		if !ok || pe.Offset != off {
			t.Errorf("%s: err %v, want offset %d", path, err, off)
		}
	}
}

func TestCheckField(t *testing.T) {
	o := testObj()
	p := MustParseFieldPath("spec.replicas")
	if err := CheckField(o, p, 2, nil, nil, false); err != nil {
		t.Error(err)
	}
	if err := CheckField(o, p, "2", nil, nil, false); err != nil {
		t.Error("a string equals a number with the same text:", err)
	}
	if err := CheckField(o, p, 3, nil, nil, false); err == nil || !strings.Contains(err.Error(), "is 2, want 3") {
		t.Error(err)
	}
	if err := CheckField(o, MustParseFieldPath("data"), nil, "a.b", nil, false); err != nil {
		t.Error("map contains key:", err)
	}
	if err := CheckField(o, MustParseFieldPath("status.conditions[0].message"), nil, "ready", regexp.MustCompile("^The"), false); err != nil {
		t.Error(err)
	}
	if err := CheckField(o, MustParseFieldPath("spec.nope"), nil, nil, nil, true); err != nil {
		t.Error(err)
	}
	if err := CheckCondition(o, ConditionWant{Type: "Available", Status: "True", Reason: "Ready"}); err != nil {
		t.Error(err)
	}
	if err := CheckCondition(o, ConditionWant{Type: "Available", Reason: "Removed"}); err == nil {
		t.Error("reason mismatch not caught")
	}
}

func TestEnvArgsRedact(t *testing.T) {
	d := map[string]any{"kind": "Deployment", "spec": map[string]any{"httpSecret": "s3cr3t", "template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "registry", "args": []any{"--a=1"}, "env": []any{
			map[string]any{"name": "REGISTRY_STORAGE", "value": "s3"},
			map[string]any{"name": "REGISTRY_HTTP_SECRET", "value": "topsecret"},
			map[string]any{"name": "REGISTRY_STORAGE_S3_ACCESSKEY", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "p", "key": "k"}}},
		}}},
	}}}}
	v := "s3"
	if err := CheckEnv(d, EnvWant{Name: "REGISTRY_STORAGE", Value: &v}); err != nil {
		t.Error(err)
	}
	if err := CheckEnv(d, EnvWant{Name: "REGISTRY_STORAGE_S3_ACCESSKEY", SecretName: "p", SecretKey: "k"}); err != nil {
		t.Error(err)
	}
	w := "other"
	if err := CheckEnv(d, EnvWant{Name: "REGISTRY_HTTP_SECRET", Value: &w}); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("secret value leaked or not caught: %v", err)
	}
	if err := CheckArg(d, "--a=1", true); err != nil {
		t.Error(err)
	}
	if err := CheckArg(d, "--a=1", false); err == nil {
		t.Error("noArg not caught")
	}
	dump := Dump(d) + Dump(testObj())
	for _, s := range []string{"topsecret", "s3cr3t", "PEM", ": v"} {
		if strings.Contains(dump, s) {
			t.Errorf("dump leaks %q:\n%s", s, dump)
		}
	}
}
