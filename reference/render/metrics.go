package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Metrics endpoint names (upstream manifests 07-operator-service and 0000_90_*servicemonitor*).
const (
	OperatorServiceName        = "image-registry-operator"
	OperatorServiceLabelValue  = "image-registry-operator"
	OperatorTLSSecretName      = "image-registry-operator-tls"
	OperatorServiceMonitorName = "image-registry-operator"
	OperandServiceMonitorName  = ImageRegistryName
	// OperandMetricsPath is where the registry serves its metrics (behind a bearer token).
	OperandMetricsPath = "/extensions/v2/metrics"
	// OperatorMetricsPath is where the operator serves its own.
	OperatorMetricsPath = "/metrics"
	// ServingCertsCAFile is where the cluster's Prometheus finds the service CA.
	ServingCertsCAFile = "/etc/prometheus/configmaps/serving-certs-ca-bundle/service-ca.crt"
)

// monitoringAnnotations are the release-manifest annotations of the metrics objects (they
// are shipped to every cluster profile, HyperShift and IBM Cloud managed included).
func monitoringAnnotations() map[string]string {
	return map[string]string{
		CapabilityAnnotation:                                          Capability,
		"include.release.openshift.io/hypershift":                     "true",
		"include.release.openshift.io/ibm-cloud-managed":              "true",
		"include.release.openshift.io/self-managed-high-availability": "true",
		"include.release.openshift.io/single-node-developer":          "true",
	}
}

// OperatorMetricsService is the headless Service in front of the operator's metrics port:
// image-registry-operator, port 60000/TCP, selector name=cluster-image-registry-operator,
// serving certificate in secret image-registry-operator-tls.
// Implements METRICS-001.
func OperatorMetricsService() *corev1.Service {
	ann := monitoringAnnotations()
	ann[ServingCertSecretAnnotation] = OperatorTLSSecretName
	return &corev1.Service{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        OperatorServiceName,
			Namespace:   Namespace,
			Labels:      map[string]string{"name": OperatorServiceLabelValue},
			Annotations: ann,
		},
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  map[string]string{"name": OperatorPodLabelValue},
			Ports: []corev1.ServicePort{{
				Port:       OperatorMetricsPort,
				Protocol:   corev1.ProtocolTCP,
				TargetPort: intstr.FromInt32(OperatorMetricsPort),
			}},
		},
	}
}

func serviceMonitor(name string, spec map[string]any) *unstructured.Unstructured {
	ann := map[string]any{}
	for k, v := range monitoringAnnotations() {
		ann[k] = v
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "monitoring.coreos.com/v1",
		"kind":       "ServiceMonitor",
		"metadata":   map[string]any{"name": name, "namespace": Namespace, "annotations": ann},
		"spec":       spec,
	}}
}

// OperatorServiceMonitor scrapes the operator: https on target port 60000, path /metrics,
// every 60s, services labelled name=image-registry-operator.
// Implements METRICS-001.
func OperatorServiceMonitor() *unstructured.Unstructured {
	return serviceMonitor(OperatorServiceMonitorName, map[string]any{
		"endpoints": []any{map[string]any{
			"targetPort": int64(OperatorMetricsPort),
			"interval":   "60s",
			"scheme":     "https",
			"path":       OperatorMetricsPath,
			"tlsConfig": map[string]any{
				"caFile":     ServingCertsCAFile,
				"serverName": OperatorServiceName + "." + Namespace + ".svc",
			},
		}},
		"selector": map[string]any{"matchLabels": map[string]any{"name": OperatorServiceLabelValue}},
	})
}

// OperandServiceMonitor scrapes the registry: https on port "5000-tcp", path
// /extensions/v2/metrics with the scraper's service account token, every 30s, server name
// image-registry.openshift-image-registry.svc.
// Implements METRICS-002.
func OperandServiceMonitor() *unstructured.Unstructured {
	return serviceMonitor(OperandServiceMonitorName, map[string]any{
		"endpoints": []any{map[string]any{
			"bearerTokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token",
			"interval":        "30s",
			"port":            ServicePortName,
			"scheme":          "https",
			"path":            OperandMetricsPath,
			"targetPort":      int64(ContainerPort),
			"tlsConfig": map[string]any{
				"caFile":     ServingCertsCAFile,
				"serverName": ServiceHostname,
			},
		}},
		"namespaceSelector": map[string]any{"matchNames": []any{Namespace}},
		"selector":          map[string]any{},
	})
}
