package render

import (
	"fmt"
	"strings"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Pruner defaults (PRUNE-01, PRUNE-03, PRUNE-05).
const (
	DefaultPrunerSchedule        = "0 0 * * *"
	DefaultPrunerKeepYoungerThan = "60m"
	DefaultPrunerKeepTagRevision = 3
	DefaultPrunerHistoryLimit    = int32(3)
	PrunerStartingDeadline       = int64(3600)
	PrunerRetries                = 5
)

// PrunerRetryScript runs "$0" "$@" (the args of the container) and on
// failure tries again up to PrunerRetries times, waiting 30s × attempt in
// between (PRUNE-04).
const PrunerRetryScript = `attempt=0
until "$0" "$@"; do
  attempt=$((attempt + 1))
  if [ "$attempt" -gt 5 ]; then
    echo "image pruning failed after $attempt attempts" >&2
    exit 1
  fi
  echo "image pruning failed, attempt $attempt of 5 retries; waiting $((30 * attempt))s" >&2
  sleep $((30 * attempt))
done`

// PrunerDefaults is the spec of a freshly created ImagePruner "cluster"
// (PRUNE-01): schedule, keepYoungerThan*, logLevel, resources and placement unset.
//
// Implements PRUNE-002.
func PrunerDefaults() imageregistryv1.ImagePrunerSpec {
	suspend := false
	keep := DefaultPrunerKeepTagRevision
	ok, failed := DefaultPrunerHistoryLimit, DefaultPrunerHistoryLimit
	return imageregistryv1.ImagePrunerSpec{
		Suspend:                      &suspend,
		KeepTagRevisions:             &keep,
		SuccessfulJobsHistoryLimit:   &ok,
		FailedJobsHistoryLimit:       &failed,
		IgnoreInvalidImageReferences: true,
	}
}

// PrunerLogLevel is PRUNE-06: Normal (or empty/unknown) → 1, Debug → 4, Trace → 6, TraceAll → 8.
//
// Implements PRUNE-006.
func PrunerLogLevel(l operatorv1.LogLevel) int {
	switch l {
	case operatorv1.Debug:
		return 4
	case operatorv1.Trace:
		return 6
	case operatorv1.TraceAll:
		return 8
	}
	return 1
}

// PrunerKeepYoungerThan is PRUNE-05: keepYoungerThanDuration (Go duration
// string) over the deprecated keepYoungerThan over the literal "60m".
//
// Implements PRUNE-006.
func PrunerKeepYoungerThan(spec imageregistryv1.ImagePrunerSpec) string {
	if spec.KeepYoungerThanDuration != nil {
		return spec.KeepYoungerThanDuration.Duration.String()
	}
	if spec.KeepYoungerThan != nil {
		return spec.KeepYoungerThan.String()
	}
	return DefaultPrunerKeepYoungerThan
}

// PrunerArgs is the argument list of the pruner container (PRUNE-04), in
// order. registryURL is used only when pruneRegistry is true; a bare host
// gets "https://" in front.
//
// Implements PRUNE-003, PRUNE-004, PRUNE-006.
func PrunerArgs(spec imageregistryv1.ImagePrunerSpec, pruneRegistry bool, registryURL string) []string {
	keep := DefaultPrunerKeepTagRevision
	if spec.KeepTagRevisions != nil {
		keep = *spec.KeepTagRevisions
	}
	args := []string{
		"oc", "adm", "prune", "images",
		"--confirm=true",
		"--certificate-authority=" + ServiceCAMountPath + "/" + ServiceCAKey,
		fmt.Sprintf("--keep-tag-revisions=%d", keep),
		"--keep-younger-than=" + PrunerKeepYoungerThan(spec),
		fmt.Sprintf("--ignore-invalid-refs=%t", spec.IgnoreInvalidImageReferences),
		fmt.Sprintf("--loglevel=%d", PrunerLogLevel(spec.LogLevel)),
	}
	if !pruneRegistry {
		return append(args, "--prune-registry=false")
	}
	args = append(args, "--prune-registry=true")
	if registryURL != "" {
		if !strings.Contains(registryURL, "://") {
			registryURL = "https://" + registryURL
		}
		args = append(args, "--registry-url="+registryURL)
	}
	return args
}

// PrunerCronJob renders openshift-image-registry/image-pruner (PRUNE-03..06).
// The caller decides pruneRegistry by the document's rule (true only when the
// Config is Managed: PRUNE-003..005) and passes the internal registry
// hostname or URL as registryURL.
//
// Implements PRUNE-006.
func PrunerCronJob(p *imageregistryv1.ImagePruner, pruneRegistry bool, registryURL string, image string) *batchv1.CronJob {
	var spec imageregistryv1.ImagePrunerSpec
	if p != nil {
		spec = *p.Spec.DeepCopy()
	}
	schedule := spec.Schedule
	if schedule == "" {
		schedule = DefaultPrunerSchedule
	}
	suspend := false
	if spec.Suspend != nil {
		suspend = *spec.Suspend
	}
	okLimit, failLimit := DefaultPrunerHistoryLimit, DefaultPrunerHistoryLimit
	if spec.SuccessfulJobsHistoryLimit != nil {
		okLimit = *spec.SuccessfulJobsHistoryLimit
	}
	if spec.FailedJobsHistoryLimit != nil {
		failLimit = *spec.FailedJobsHistoryLimit
	}
	affinity := spec.Affinity
	if affinity == nil {
		affinity = &corev1.Affinity{}
	}
	nodeSelector := spec.NodeSelector
	if nodeSelector == nil {
		nodeSelector = map[string]string{}
	}
	tolerations := spec.Tolerations
	if tolerations == nil {
		tolerations = []corev1.Toleration{}
	}
	resources := corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("256Mi"),
	}}
	if spec.Resources != nil {
		resources = *spec.Resources
	}
	deadline := PrunerStartingDeadline
	backoff := int32(0)
	readOnlyRoot := true

	return &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: metav1.ObjectMeta{Name: PrunerCronJobName, Namespace: Namespace},
		Spec: batchv1.CronJobSpec{
			Schedule:                   schedule,
			Suspend:                    &suspend,
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			SuccessfulJobsHistoryLimit: &okLimit,
			FailedJobsHistoryLimit:     &failLimit,
			StartingDeadlineSeconds:    &deadline,
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{PrunerJobLabelKey: PrunerJobLabelValue}},
				Spec: batchv1.JobSpec{
					BackoffLimit: &backoff,
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{
							Labels:      map[string]string{PrunerPodLabelKey: PrunerPodLabelValue},
							Annotations: map[string]string{RequiredSCCAnnotation: RequiredSCC},
						},
						Spec: corev1.PodSpec{
							RestartPolicy:      corev1.RestartPolicyNever,
							ServiceAccountName: PrunerServiceAccountName,
							PriorityClassName:  PriorityClassName,
							Affinity:           affinity,
							NodeSelector:       nodeSelector,
							Tolerations:        tolerations,
							Volumes: []corev1.Volume{{
								Name: ServiceCAName,
								VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
									LocalObjectReference: corev1.LocalObjectReference{Name: ServiceCAName},
								}},
							}},
							Containers: []corev1.Container{{
								Name:                     PrunerContainerName,
								Image:                    image,
								Resources:                resources,
								TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
								SecurityContext:          &corev1.SecurityContext{ReadOnlyRootFilesystem: &readOnlyRoot},
								Command:                  []string{"/bin/sh", "-c", PrunerRetryScript},
								Args:                     PrunerArgs(spec, pruneRegistry, registryURL),
								VolumeMounts: []corev1.VolumeMount{{
									Name: ServiceCAName, MountPath: ServiceCAMountPath, ReadOnly: true,
								}},
							}},
						},
					},
				},
			},
		},
	}
}

// ServiceCAConfigMap is CA-01: openshift-image-registry/serviceca, filled with
// service-ca.crt by the service-ca operator.
func ServiceCAConfigMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        ServiceCAName,
			Namespace:   Namespace,
			Annotations: map[string]string{InjectCABundleAnnotation: "true"},
		},
	}
}

// TrustedCAConfigMap is CA-05: openshift-image-registry/trusted-ca, labelled
// for the cluster trust bundle injection (create-only).
func TrustedCAConfigMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      TrustedCAName,
			Namespace: Namespace,
			Labels:    map[string]string{InjectTrustedCABundleLabel: "true"},
		},
	}
}

// PrunerServiceAccount is the pruner's service account "pruner" (PRUNE-02).
func PrunerServiceAccount() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Name: PrunerServiceAccountName, Namespace: Namespace},
	}
}

// PrunerClusterRole is "system:image-pruner": read what references images,
// delete images, update image stream status.
func PrunerClusterRole() *rbacv1.ClusterRole {
	list := []string{"get", "list", "watch"}
	return &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: PrunerClusterRoleName},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"pods", "replicationcontrollers", "limitranges"}, Verbs: list},
			{APIGroups: []string{"apps"}, Resources: []string{"daemonsets", "deployments", "replicasets", "statefulsets"}, Verbs: list},
			{APIGroups: []string{"batch"}, Resources: []string{"jobs", "cronjobs"}, Verbs: list},
			{APIGroups: []string{"build.openshift.io"}, Resources: []string{"buildconfigs", "builds"}, Verbs: list},
			{APIGroups: []string{"apps.openshift.io"}, Resources: []string{"deploymentconfigs"}, Verbs: list},
			{APIGroups: []string{"image.openshift.io"}, Resources: []string{"imagestreams"}, Verbs: list},
			{APIGroups: []string{"image.openshift.io"}, Resources: []string{"imagestreams/status"}, Verbs: []string{"update"}},
			{APIGroups: []string{"image.openshift.io"}, Resources: []string{"images"}, Verbs: []string{"get", "list", "watch", "delete"}},
		},
	}
}

// PrunerClusterRoleBinding is MISC-01 "openshift-image-registry-pruner":
// system:image-pruner to openshift-image-registry/pruner.
func PrunerClusterRoleBinding() *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: PrunerClusterRoleBindingName},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: PrunerClusterRoleName},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: PrunerServiceAccountName, Namespace: Namespace}},
	}
}
