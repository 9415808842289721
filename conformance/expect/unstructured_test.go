package expect

import (
	"strings"
	"testing"
)

// Dump never shows a Secret's data, spec.httpSecret or a secret-named env var's value.
func TestDumpRedacts(t *testing.T) {
	d := map[string]any{"kind": "Deployment", "spec": map[string]any{"httpSecret": "s3cr3t", "template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "registry", "env": []any{
			map[string]any{"name": "REGISTRY_STORAGE", "value": "s3"},
			map[string]any{"name": "REGISTRY_HTTP_SECRET", "value": "topsecret"},
		}}},
	}}}}
	secret := map[string]any{"kind": "Secret", "data": map[string]any{"k": "UEVN"}, "stringData": map[string]any{"k": "v"}}
	dump := Dump(d) + Dump(secret)
	for _, s := range []string{"topsecret", "s3cr3t", "UEVN", ": v\n"} {
		if strings.Contains(dump, s) {
			t.Errorf("dump leaks %q:\n%s", s, dump)
		}
	}
	for _, s := range []string{"REGISTRY_STORAGE", "value: s3", "k: " + Redacted} {
		if !strings.Contains(dump, s) {
			t.Errorf("dump lost %q:\n%s", s, dump)
		}
	}
}
