package render

import (
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Alert names and texts.
const (
	AlertRegistryRemoved       = "ImageRegistryRemoved"
	AlertStorageReadOnly       = "ImageRegistryStorageReadOnly"
	AlertStorageFull           = "ImageRegistryStorageFull"
	AlertRegistryRemovedGroup  = "ImageRegistryOperator"
	AlertStorageGroup          = "pvc-problem-detector.rules"
	AlertRegistryRemovedExpr   = `cluster_operator_conditions{name="image-registry",condition="Available",reason="Removed"} > 0`
	AlertStorageReadOnlyExpr   = `sum without(instance,pod,operation)(rate(imageregistry_storage_errors_total{code="READ_ONLY_FILESYSTEM"}[5m])) > 0`
	AlertStorageFullExpr       = `sum without(instance,pod,operation)(rate(imageregistry_storage_errors_total{code="DEVICE_OUT_OF_SPACE"}[5m])) > 0`
	AlertRegistryRemovedFor    = "5m"
	AlertStorageFor            = "10m"
	AlertRegistryRemovedDocMsg = "Image Registry has been removed. ImageStreamTags, BuildConfigs and DeploymentConfigs which reference ImageStreamTags may not work as expected. Please configure storage and update the config to Managed state by editing configs.imageregistry.operator.openshift.io."
)

// PrometheusRules is ALERT-001 + ALERT-002: PrometheusRule
// openshift-image-registry/image-registry-operator-alerts with
//   - group "ImageRegistryOperator": ImageRegistryRemoved (the documented alert
//     and message; DIVERGES from current upstream, which no longer ships it);
//   - group "pvc-problem-detector.rules": ImageRegistryStorageReadOnly and
//     ImageRegistryStorageFull (for 10m, severity warning,
//     kubernetes_operator_part_of=image-registry).
//
// Annotation texts of the storage alerts are the reference's own wording.
//
// Implements ALERT-001, ALERT-002 (upstream ALERT-01).
func PrometheusRules() []*monitoringv1.PrometheusRule {
	dur := func(s string) *monitoringv1.Duration { d := monitoringv1.Duration(s); return &d }
	storageLabels := func() map[string]string {
		return map[string]string{"severity": "warning", "kubernetes_operator_part_of": "image-registry"}
	}
	return []*monitoringv1.PrometheusRule{{
		TypeMeta: metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        AlertsRuleName,
			Namespace:   Namespace,
			Annotations: map[string]string{CapabilityAnnotation: Capability},
		},
		Spec: monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{
			{
				Name: AlertRegistryRemovedGroup,
				Rules: []monitoringv1.Rule{{
					Alert:       AlertRegistryRemoved,
					Expr:        intstr.FromString(AlertRegistryRemovedExpr),
					For:         dur(AlertRegistryRemovedFor),
					Labels:      map[string]string{"severity": "warning"},
					Annotations: map[string]string{"message": AlertRegistryRemovedDocMsg},
				}},
			},
			{
				Name: AlertStorageGroup,
				Rules: []monitoringv1.Rule{
					{
						Alert:  AlertStorageReadOnly,
						Expr:   intstr.FromString(AlertStorageReadOnlyExpr),
						For:    dur(AlertStorageFor),
						Labels: storageLabels(),
						Annotations: map[string]string{
							"summary":     "The image registry storage is read-only.",
							"description": "The image registry keeps failing to write to its storage because the file system is read-only; pushes fail. Check the volume backing the registry.",
						},
					},
					{
						Alert:  AlertStorageFull,
						Expr:   intstr.FromString(AlertStorageFullExpr),
						For:    dur(AlertStorageFor),
						Labels: storageLabels(),
						Annotations: map[string]string{
							"summary":     "The image registry storage is full.",
							"description": "The image registry keeps failing to write to its storage because no space is left on the device; pushes fail. Free space or grow the volume backing the registry.",
						},
					},
				},
			},
		}},
	}}
}
