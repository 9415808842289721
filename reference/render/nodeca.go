package render

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// Names of the node-ca DaemonSet (upstream bindata/nodecadaemon.yaml).
const (
	NodeCAName = "node-ca"
	// NodeCACommand and NodeCAArgs run the operator's own image as the node program that
	// mirrors image-registry-certificates into each node's trust directory.
	NodeCACommand = "cluster-image-registry-operator"
	NodeCAArgs    = "node-ca-sync"
	// NodeCASourceDir is where the ConfigMap is mounted; NodeCATrustDir is the node's
	// directory of per-registry CAs (hostPath, mounted at the same path).
	NodeCASourceDir = "/tmp/serviceca"
	NodeCATrustDir  = "/etc/docker/certs.d"
)

// NodeCADaemonSet is the DaemonSet openshift-image-registry/node-ca (NODECA-001): on every
// Linux node, tolerating every taint, on the host network, privileged, it runs the
// operator's image (image) as `cluster-image-registry-operator node-ca-sync` with ConfigMap
// image-registry-certificates at /tmp/serviceca and the host's /etc/docker/certs.d.
//
// Implements NODECA-001.
func NodeCADaemonSet(image string) *appsv1.DaemonSet {
	labels := map[string]string{"name": NodeCAName}
	maxUnavailable := intstr.FromString("10%")
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: NodeCAName, Namespace: Namespace},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
				Type:          appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &maxUnavailable},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels: labels,
					Annotations: map[string]string{
						"target.workload.openshift.io/management": `{"effect": "PreferredDuringScheduling"}`,
						"openshift.io/required-scc":               "privileged",
					},
				},
				Spec: corev1.PodSpec{
					NodeSelector:       map[string]string{"kubernetes.io/os": "linux"},
					PriorityClassName:  "system-cluster-critical",
					Tolerations:        []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					HostNetwork:        true,
					ServiceAccountName: NodeCAName,
					Containers: []corev1.Container{{
						Name:  NodeCAName,
						Image: image,
						SecurityContext: &corev1.SecurityContext{
							ReadOnlyRootFilesystem: ptr.To(true),
							Privileged:             ptr.To(true),
							RunAsUser:              ptr.To(int64(1001)),
							RunAsGroup:             ptr.To(int64(0)),
						},
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU:    resource.MustParse("10m"),
							corev1.ResourceMemory: resource.MustParse("10Mi"),
						}},
						Command:                  []string{NodeCACommand},
						Args:                     []string{NodeCAArgs},
						TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
						VolumeMounts: []corev1.VolumeMount{
							{Name: "serviceca", MountPath: NodeCASourceDir},
							{Name: "host", MountPath: NodeCATrustDir},
						},
					}},
					Volumes: []corev1.Volume{
						{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: NodeCATrustDir}}},
						{Name: "serviceca", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: ImageRegistryCertificatesName},
						}}},
					},
				},
			},
		},
	}
}
