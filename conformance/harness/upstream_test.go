package harness

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCovers(t *testing.T) {
	want := map[string]any{"clusterIP": "None", "ports": []any{map[string]any{"port": int64(60000)}}}
	cases := []struct {
		name string
		live any
		ok   bool
	}{
		{"server defaults added", map[string]any{"clusterIP": "None", "ipFamilies": []any{"IPv4"}, "ports": []any{map[string]any{"port": float64(60000), "protocol": "TCP"}}}, true},
		{"port edited", map[string]any{"clusterIP": "None", "ports": []any{map[string]any{"port": float64(60001)}}}, false},
		{"port added", map[string]any{"clusterIP": "None", "ports": []any{map[string]any{"port": 60000}, map[string]any{"port": 1}}}, false},
		{"field lost", map[string]any{"ports": []any{map[string]any{"port": 60000}}}, false},
		{"no spec", nil, false},
	}
	for _, c := range cases {
		if got := covers(c.live, want); got != c.ok {
			t.Errorf("%s: covers = %v, want %v", c.name, got, c.ok)
		}
	}
}

func TestCVOManifests(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"09-prometheus-rules.yaml": "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r, namespace: ns}\n",
		"07-operator-service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\n",
		"0000_90_x_servicemonitor.yaml": "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m, namespace: ns}\n---\n" +
			"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x, namespace: ns}\n",
		"07-operator.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := cvoManifests(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.GetKind()+"/"+o.GetName())
	}
	want := []string{"ServiceMonitor/m", "Service/s", "PrometheusRule/r"}
	if len(got) != len(want) {
		t.Fatalf("cvoManifests = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("cvoManifests = %v, want %v", got, want)
		}
	}
	if _, err := cvoManifests(t.TempDir()); err == nil {
		t.Error("an empty manifests folder: want an error")
	}
}
