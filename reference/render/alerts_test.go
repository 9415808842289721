package render

import (
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"strings"
)

func TestPrometheusRules(t *testing.T) {
	rules := PrometheusRules()
	if len(rules) != 1 {
		t.Fatalf("%d rules", len(rules))
	}
	pr := rules[0]
	if pr.Name != "image-registry-operator-alerts" || pr.Namespace != "openshift-image-registry" || pr.Annotations["capability.openshift.io/name"] != "ImageRegistry" {
		t.Fatalf("meta %+v", pr.ObjectMeta)
	}
	byName := map[string]monitoringv1.Rule{}
	group := map[string]string{}
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			byName[r.Alert] = r
			group[r.Alert] = g.Name
		}
	}
	cases := []struct {
		alert, group, expr, forDur string
		labels                     map[string]string
	}{
		{"ImageRegistryRemoved", "ImageRegistryOperator",
			`cluster_operator_conditions{name="image-registry",condition="Available",reason="Removed"} > 0`, "5m",
			map[string]string{"severity": "warning"}},
		{"ImageRegistryStorageReadOnly", "pvc-problem-detector.rules",
			`sum without(instance,pod,operation)(rate(imageregistry_storage_errors_total{code="READ_ONLY_FILESYSTEM"}[5m])) > 0`, "10m",
			map[string]string{"severity": "warning", "kubernetes_operator_part_of": "image-registry"}},
		{"ImageRegistryStorageFull", "pvc-problem-detector.rules",
			`sum without(instance,pod,operation)(rate(imageregistry_storage_errors_total{code="DEVICE_OUT_OF_SPACE"}[5m])) > 0`, "10m",
			map[string]string{"severity": "warning", "kubernetes_operator_part_of": "image-registry"}},
	}
	if len(byName) != len(cases) {
		t.Fatalf("alerts %v", byName)
	}
	for _, tc := range cases {
		r, ok := byName[tc.alert]
		if !ok {
			t.Fatalf("missing %s", tc.alert)
		}
		if group[tc.alert] != tc.group || r.Expr.String() != tc.expr || r.For == nil || string(*r.For) != tc.forDur {
			t.Errorf("%s: group %q expr %q for %v", tc.alert, group[tc.alert], r.Expr.String(), r.For)
		}
		for k, v := range tc.labels {
			if r.Labels[k] != v {
				t.Errorf("%s: label %s=%q", tc.alert, k, r.Labels[k])
			}
		}
		if len(r.Annotations) == 0 {
			t.Errorf("%s: no annotations", tc.alert)
		}
		if e := r.Expr.String(); strings.Count(e, "(") != strings.Count(e, ")") || strings.Count(e, "{") != strings.Count(e, "}") {
			t.Errorf("%s: unbalanced expr", tc.alert)
		}
	}
	msg := byName["ImageRegistryRemoved"].Annotations["message"]
	want := "Image Registry has been removed. ImageStreamTags, BuildConfigs and DeploymentConfigs which reference ImageStreamTags may not work as expected. Please configure storage and update the config to Managed state by editing configs.imageregistry.operator.openshift.io."
	if msg != want {
		t.Fatalf("message %q", msg)
	}
}
