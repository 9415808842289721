package controller

import (
	"context"
	"slices"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func prunerCronJob(t *testing.T, c client.Client) *batchv1.CronJob {
	t.Helper()
	var cj batchv1.CronJob
	if err := c.Get(context.Background(), types.NamespacedName{Namespace: "openshift-image-registry", Name: "image-pruner"}, &cj); err != nil {
		t.Fatalf("reading cronjobs/image-pruner: %v", err)
	}
	return &cj
}

func getPruner(t *testing.T, c client.Client) *imageregistryv1.ImagePruner {
	t.Helper()
	var p imageregistryv1.ImagePruner
	if err := c.Get(context.Background(), types.NamespacedName{Name: "cluster"}, &p); err != nil {
		t.Fatalf("reading imagepruners/cluster: %v", err)
	}
	return &p
}

// TestPrunerPerManagementState: the pruner runs whatever the registry's state, and prunes
// the registry's storage only while it is Managed (PRUNE-005, the document's rule).
func TestPrunerPerManagementState(t *testing.T) {
	for _, tc := range []struct {
		state operatorv1.ManagementState
		noCfg bool
		want  string
	}{
		{state: operatorv1.Managed, want: "--prune-registry=true"},
		{state: operatorv1.Unmanaged, want: "--prune-registry=false"},
		{state: operatorv1.Removed, want: "--prune-registry=false"},
		{noCfg: true, want: "--prune-registry=false"},
	} {
		name := string(tc.state)
		if tc.noCfg {
			name = "no Config"
		}
		t.Run(name, func(t *testing.T) {
			var objs []client.Object
			if !tc.noCfg {
				objs = append(objs, configWith(tc.state))
			}
			c := world(t, infraOn(configv1.AWSPlatformType), objs...)
			now := t0
			r := &PrunerReconciler{Client: c, Settings: Settings{PrunerImage: "pruner:test", Clock: fixedClock(&now)}}
			// First pass creates imagepruners/cluster with defaults and asks to come back.
			if res, err := reconcileOnce(t, r); err != nil || !res.Requeue {
				t.Fatalf("first Reconcile = %+v, %v; want a requeue after creating the ImagePruner", res, err)
			}
			if _, err := reconcileOnce(t, r); err != nil {
				t.Fatalf("second Reconcile: %v", err)
			}
			cj := prunerCronJob(t, c)
			args := cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args
			if !slices.Contains(args, tc.want) {
				t.Errorf("pruner args %v, want %s", args, tc.want)
			}
			p := getPruner(t, c)
			expectConds(t, "imagepruners/cluster", p.Status.Conditions, map[string]cond{
				"Available": {T, "AsExpected", "Pruner CronJob has been created"},
				"Scheduled": {T, "Scheduled", "The pruner job has been scheduled"},
				"Failed":    {F, "Complete", "Pruner completed successfully"},
				"Degraded":  {F, "AsExpected", ""},
			})
			if lt := p.Status.Conditions[0].LastTransitionTime.Time; !lt.Equal(t0) {
				t.Errorf("lastTransitionTime %v, want the operator clock's %v", lt, t0)
			}
			var sca corev1.ConfigMap
			if err := c.Get(context.Background(), types.NamespacedName{Namespace: "openshift-image-registry", Name: "serviceca"}, &sca); err != nil ||
				sca.Annotations["service.beta.openshift.io/inject-cabundle"] != "true" {
				t.Errorf("configmaps/serviceca: %v, annotations %v; want inject-cabundle=true", err, sca.Annotations)
			}
		})
	}
}

// TestPrunerConditions: suspension and the newest Job's outcome show in the conditions.
func TestPrunerConditions(t *testing.T) {
	suspended := &imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"},
		Spec: imageregistryv1.ImagePrunerSpec{Suspend: ptr(true)}}
	failedJob := func(name string, at metav1.Time, failed bool) *batchv1.Job {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-image-registry", Name: name, CreationTimestamp: at,
			Labels: map[string]string{"created-by": "image-pruner"}}}
		c := batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}
		if failed {
			c = batchv1.JobCondition{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded",
				Message: "Job has reached the specified backoff limit"}
		}
		j.Status.Conditions = []batchv1.JobCondition{c}
		return j
	}
	older, newer := metav1.NewTime(t0), metav1.NewTime(t0.Add(time.Hour))
	for _, tc := range []struct {
		name string
		objs []client.Object
		want map[string]cond
	}{
		{"suspended", []client.Object{suspended}, map[string]cond{
			"Scheduled": {F, "Suspended", "The pruner job has been suspended"},
		}},
		{"newest job failed", []client.Object{failedJob("a", older, false), failedJob("b", newer, true)}, map[string]cond{
			"Failed":   {T, "BackoffLimitExceeded", "Job has reached the specified backoff limit"},
			"Degraded": {T, "JobFailed", "Job has reached the specified backoff limit"},
		}},
		{"newest job succeeded after a failure", []client.Object{failedJob("a", older, true), failedJob("b", newer, false)}, map[string]cond{
			"Failed":   {F, "Complete", "Pruner completed successfully"},
			"Degraded": {F, "AsExpected", ""},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := world(t, infraOn(configv1.AWSPlatformType), append(tc.objs, configWith(operatorv1.Managed))...)
			r := &PrunerReconciler{Client: c}
			for range 2 {
				if _, err := reconcileOnce(t, r); err != nil {
					t.Fatalf("Reconcile: %v", err)
				}
			}
			expectConds(t, "imagepruners/cluster", getPruner(t, c).Status.Conditions, tc.want)
		})
	}
}

// TestClusterOperatorPerManagementState: the ClusterOperator is the union of the Config's
// and the pruner's conditions; its version is the release's unless Managed, where it waits
// for the rollout.
func TestClusterOperatorPerManagementState(t *testing.T) {
	rolledOut := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-image-registry", Name: "image-registry",
		Annotations: map[string]string{"release.openshift.io/version": "4.99.1"}},
		Spec:   appsv1.DeploymentSpec{Replicas: ptr(int32(1))},
		Status: appsv1.DeploymentStatus{AvailableReplicas: 1, UpdatedReplicas: 1}}
	for _, tc := range []struct {
		name    string
		state   operatorv1.ManagementState
		conds   []operatorv1.OperatorCondition
		deploy  *appsv1.Deployment
		version string // "" : no versions
		want    map[configv1.ClusterStatusConditionType]cond
	}{
		{name: "Managed, rolling out", state: operatorv1.Managed, conds: []operatorv1.OperatorCondition{
			{Type: "Available", Status: F, Reason: "NoReplicasAvailable", Message: "The deployment does not have available replicas"},
			{Type: "Progressing", Status: T, Reason: "DeploymentNotCompleted", Message: "The deployment has not completed"},
			{Type: "Degraded", Status: F},
		}, want: map[configv1.ClusterStatusConditionType]cond{
			"Available":   {F, "NoReplicasAvailable", "Available: The deployment does not have available replicas"},
			"Progressing": {T, "DeploymentNotCompleted", "Progressing: The deployment has not completed"},
		}},
		{name: "Managed, rolled out: the Deployment's version", state: operatorv1.Managed, deploy: rolledOut, version: "4.99.1",
			conds: []operatorv1.OperatorCondition{{Type: "Available", Status: T, Reason: "Ready", Message: "The registry is ready"}},
			want:  map[configv1.ClusterStatusConditionType]cond{"Available": {T, "Ready", "Available: The registry is ready"}}},
		{name: "Removed: the release's version", state: operatorv1.Removed, version: "4.99.0-test",
			conds: []operatorv1.OperatorCondition{{Type: "Available", Status: T, Reason: "Removed", Message: "The registry is removed"}},
			want:  map[configv1.ClusterStatusConditionType]cond{"Available": {T, "Removed", "Available: The registry is removed"}}},
		{name: "Unmanaged: the release's version", state: operatorv1.Unmanaged, version: "4.99.0-test",
			conds: []operatorv1.OperatorCondition{{Type: "Degraded", Status: F, Reason: "Unmanaged", Message: "The registry configuration is set to unmanaged mode"}},
			want:  map[configv1.ClusterStatusConditionType]cond{"Degraded": {F, "Unmanaged", "Degraded: The registry configuration is set to unmanaged mode"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := configWith(tc.state)
			cfg.Status.Conditions = tc.conds
			objs := []client.Object{cfg}
			if tc.deploy != nil {
				objs = append(objs, tc.deploy.DeepCopy())
			}
			c := world(t, infraOn(configv1.AWSPlatformType), objs...)
			now := t0
			r := &ClusterOperatorReconciler{Client: c, Settings: Settings{ReleaseVersion: "4.99.0-test", Clock: fixedClock(&now)}}
			if _, err := reconcileOnce(t, r); err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			var co configv1.ClusterOperator
			if err := c.Get(context.Background(), types.NamespacedName{Name: "image-registry"}, &co); err != nil {
				t.Fatalf("reading clusteroperators/image-registry: %v", err)
			}
			for typ, w := range tc.want {
				var got *configv1.ClusterOperatorStatusCondition
				for i := range co.Status.Conditions {
					if co.Status.Conditions[i].Type == typ {
						got = &co.Status.Conditions[i]
					}
				}
				switch {
				case got == nil:
					t.Errorf("clusteroperators/image-registry condition %s: want %s/%s, seen none", typ, w.status, w.reason)
				case string(got.Status) != string(w.status) || got.Reason != w.reason || got.Message != w.message:
					t.Errorf("clusteroperators/image-registry condition %s: want %s/%s %q, seen %s/%s %q", typ, w.status, w.reason, w.message,
						got.Status, got.Reason, got.Message)
				case !got.LastTransitionTime.Time.Equal(t0):
					t.Errorf("condition %s lastTransitionTime %v, want the operator clock's %v", typ, got.LastTransitionTime, t0)
				}
			}
			var gotVersion string
			for _, v := range co.Status.Versions {
				if v.Name == "operator" {
					gotVersion = v.Version
				}
			}
			if gotVersion != tc.version {
				t.Errorf("operator version %q, want %q", gotVersion, tc.version)
			}
		})
	}
}
