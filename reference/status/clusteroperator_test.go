package status

import (
	"errors"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
)

// Healthy pruner status as upstream writes it (upstream-facts PRUNE-08).
func healthyPruner(ltt time.Time) []operatorv1.OperatorCondition {
	return []operatorv1.OperatorCondition{
		oc("Available", T, "AsExpected", "Pruner CronJob has been created", ltt),
		oc("Scheduled", T, "Scheduled", "The pruner job has been scheduled", ltt),
		oc("Failed", F, "Complete", "Pruner completed successfully", ltt),
		oc("Degraded", F, "AsExpected", "", ltt),
	}
}

type wco struct {
	Status  configv1.ConditionStatus
	Reason  string
	Message string
}

func checkCO(t *testing.T, got []configv1.ClusterOperatorStatusCondition, want map[configv1.ClusterStatusConditionType]wco) {
	t.Helper()
	if len(got) != 3 {
		t.Errorf("got %d ClusterOperator conditions, want 3 (Available, Progressing, Degraded): %+v", len(got), got)
	}
	seen := map[configv1.ClusterStatusConditionType]int{}
	for _, c := range got {
		seen[c.Type]++
	}
	for typ, w := range want {
		if seen[typ] != 1 {
			t.Errorf("%s appears %d times, want once", typ, seen[typ])
			continue
		}
		for _, c := range got {
			if c.Type != typ {
				continue
			}
			if c.Status != w.Status || c.Reason != w.Reason || c.Message != w.Message {
				t.Errorf("%s:\n got  status=%q reason=%q message=%q\n want status=%q reason=%q message=%q",
					typ, c.Status, c.Reason, c.Message, w.Status, w.Reason, w.Message)
			}
		}
	}
}

const (
	coT = configv1.ConditionTrue
	coF = configv1.ConditionFalse
	coU = configv1.ConditionUnknown
)

// TestClusterOperatorConditions: upstream-facts §8b CO-01..04, CO-06, CO-13; behaviors STATUS-007.
func TestClusterOperatorConditions(t *testing.T) {
	tests := []struct {
		name   string
		config []operatorv1.OperatorCondition
		pruner []operatorv1.OperatorCondition
		want   map[configv1.ClusterStatusConditionType]wco
	}{
		{
			// CO-02/03: no matching inputs → normal status, reason AsExpected.
			name: "no inputs at all",
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "AsExpected", ""},
				"Progressing": {coF, "AsExpected", ""},
				"Degraded":    {coF, "AsExpected", ""},
			},
		},
		{
			// CO-04 example: "Available: The registry is ready\nImagePrunerAvailable: Pruner CronJob has been created".
			name: "Managed and rolled out, pruner healthy",
			config: []operatorv1.OperatorCondition{
				oc("Available", T, "Ready", "The registry is ready", t0),
				oc("Progressing", F, "Ready", "The registry is ready", t0),
				oc("Degraded", F, "", "", t0),
				oc("Removed", F, "", "", t0),
			},
			pruner: healthyPruner(t0),
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "Ready", "Available: The registry is ready\nImagePrunerAvailable: Pruner CronJob has been created"},
				"Progressing": {coF, "Ready", "Progressing: The registry is ready"},
				"Degraded":    {coF, "AsExpected", ""},
			},
		},
		{
			// CO-06, literally.
			name: "Removed, pruner healthy (CO-06)",
			config: []operatorv1.OperatorCondition{
				oc("Available", T, "Removed", "The registry is removed", t0),
				oc("Progressing", F, "Removed", "All registry resources are removed", t0),
				oc("Degraded", F, "Removed", "The registry is removed", t0),
				oc("Removed", T, "Removed", "The registry is removed", t0),
			},
			pruner: healthyPruner(t0),
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "Removed", "Available: The registry is removed\nImagePrunerAvailable: Pruner CronJob has been created"},
				"Progressing": {coF, "Removed", "Progressing: All registry resources are removed"},
				"Degraded":    {coF, "Removed", "Degraded: The registry is removed"},
			},
		},
		{
			// CO-13: every config condition whose type ends with the word feeds the union, in
			// the config's list order, then the pruner's.
			name: "Removed with node-ca conditions (CO-13 example)",
			config: []operatorv1.OperatorCondition{
				oc("Available", T, "Removed", "The registry is removed", t0),
				oc("Progressing", F, "Removed", "All registry resources are removed", t0),
				oc("Degraded", F, "Removed", "The registry is removed", t0),
				oc("Removed", T, "Removed", "The registry is removed", t0),
				oc("NodeCADaemonAvailable", T, "AsExpected", "The daemon set node-ca has available replicas", t0),
				oc("NodeCADaemonProgressing", F, "AsExpected", "The daemon set node-ca is deployed", t0),
			},
			pruner: healthyPruner(t0),
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available": {coT, "Removed", "Available: The registry is removed\n" +
					"NodeCADaemonAvailable: The daemon set node-ca has available replicas\n" +
					"ImagePrunerAvailable: Pruner CronJob has been created"},
				"Progressing": {coF, "Removed", "Progressing: All registry resources are removed\n" +
					"NodeCADaemonProgressing: The daemon set node-ca is deployed"},
				"Degraded": {coF, "Removed", "Degraded: The registry is removed"},
			},
		},
		{
			// PRUNE-007 / CO-03 example "ImagePrunerJobFailed"; empty messages contribute no line.
			name: "pruner job failed",
			config: []operatorv1.OperatorCondition{
				oc("Available", T, "Ready", "The registry is ready", t0),
				oc("Progressing", F, "Ready", "The registry is ready", t0),
				oc("Degraded", F, "", "", t0),
			},
			pruner: []operatorv1.OperatorCondition{
				oc("Available", T, "AsExpected", "Pruner CronJob has been created", t0),
				oc("Failed", T, "BackoffLimitExceeded", "Job has reached the specified backoff limit", t0),
				oc("Degraded", T, "JobFailed", "Job has reached the specified backoff limit", t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "Ready", "Available: The registry is ready\nImagePrunerAvailable: Pruner CronJob has been created"},
				"Progressing": {coF, "Ready", "Progressing: The registry is ready"},
				"Degraded":    {coT, "ImagePrunerJobFailed", "ImagePrunerDegraded: Job has reached the specified backoff limit"},
			},
		},
		{
			// CO-03: reasons sorted, joined with "::".
			name: "config unavailable and pruner sync error",
			config: []operatorv1.OperatorCondition{
				oc("Available", F, "NoReplicasAvailable", "The deployment does not have available replicas", t0),
				oc("Progressing", T, "DeploymentNotCompleted", "The deployment has not completed", t0),
				oc("Degraded", T, "Unavailable", "The deployment does not have available replicas", t0),
			},
			pruner: []operatorv1.OperatorCondition{
				oc("Available", F, "Error", "Pruner CronJob does not exist", t0),
				oc("Degraded", T, "SyncError", "Error: cronjobs.batch \"image-pruner\" is forbidden", t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available": {coF, "ImagePrunerError::NoReplicasAvailable",
					"Available: The deployment does not have available replicas\nImagePrunerAvailable: Pruner CronJob does not exist"},
				"Progressing": {coT, "DeploymentNotCompleted", "Progressing: The deployment has not completed"},
				"Degraded": {coT, "ImagePrunerSyncError::Unavailable",
					"Degraded: The deployment does not have available replicas\nImagePrunerDegraded: Error: cronjobs.batch \"image-pruner\" is forbidden"},
			},
		},
		{
			// CA-04: ImageRegistryCertificatesControllerDegraded feeds Degraded with union reason
			// "ImageRegistryCertificatesControllerError". Pruner missing → only config (CO-01).
			name: "certificates controller degraded, no pruner",
			config: []operatorv1.OperatorCondition{
				oc("Available", T, "Ready", "The registry is ready", t0),
				oc("Degraded", F, "", "", t0),
				oc("ImageRegistryCertificatesControllerDegraded", T, "Error", `configmap "user-ca" not found`, t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "Ready", "Available: The registry is ready"},
				"Progressing": {coF, "AsExpected", ""},
				"Degraded": {coT, "ImageRegistryCertificatesControllerError",
					`ImageRegistryCertificatesControllerDegraded: configmap "user-ca" not found`},
			},
		},
		{
			// Surprise 12 / CO-02: types not ending with the word never feed the union
			// (Removed, StorageExists, ImagePrunerScheduled, ImagePrunerFailed).
			name: "non-matching types are ignored",
			config: []operatorv1.OperatorCondition{
				oc("StorageExists", F, "PVC does not exist", "PVC image-registry-storage does not exist", t0),
				oc("Removed", T, "Removed", "The registry is removed", t0),
			},
			pruner: []operatorv1.OperatorCondition{
				oc("Scheduled", F, "Suspended", "The pruner job has been suspended", t0),
				oc("Failed", T, "BackoffLimitExceeded", "Job has reached the specified backoff limit", t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "AsExpected", ""},
				"Progressing": {coF, "AsExpected", ""},
				"Degraded":    {coF, "AsExpected", ""},
			},
		},
		{
			// CO-02: Unknown only when nothing is abnormal.
			name: "Unknown input with the rest normal → Unknown",
			config: []operatorv1.OperatorCondition{
				oc("Available", T, "Ready", "The registry is ready", t0),
				oc("NodeCADaemonAvailable", U, "", "", t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coU, "Ready", "Available: The registry is ready"},
				"Progressing": {coF, "AsExpected", ""},
				"Degraded":    {coF, "AsExpected", ""},
			},
		},
		{
			// CO-02: an abnormal status wins over an Unknown seen before it.
			name: "Unknown then abnormal → abnormal",
			config: []operatorv1.OperatorCondition{
				oc("NodeCADaemonAvailable", U, "", "", t0),
				oc("Available", F, "DeploymentNotFound", "The deployment does not exist", t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coF, "DeploymentNotFound", "Available: The deployment does not exist"},
				"Progressing": {coF, "AsExpected", ""},
				"Degraded":    {coF, "AsExpected", ""},
			},
		},
		{
			// CO-03: "AsExpected" only when the status is the normal one; an abnormal status
			// with no reasons keeps an empty reason.
			name: "abnormal status without any reason",
			config: []operatorv1.OperatorCondition{
				oc("Degraded", T, "", "", t0),
				oc("NodeCADaemonControllerDegraded", F, "AsExpected", "", t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "AsExpected", ""},
				"Progressing": {coF, "AsExpected", ""},
				"Degraded":    {coT, "", ""},
			},
		},
		{
			// CO-04: every line of a multi-line message is prefixed with the input type.
			name: "multi-line message",
			config: []operatorv1.OperatorCondition{
				oc("Degraded", T, "RouteDegraded", "route a not admitted\nroute b not admitted", t0),
			},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "AsExpected", ""},
				"Progressing": {coF, "AsExpected", ""},
				"Degraded":    {coT, "RouteDegraded", "Degraded: route a not admitted\nDegraded: route b not admitted"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prunerTypes := make([]string, len(tc.pruner))
			for i, c := range tc.pruner {
				prunerTypes[i] = c.Type
			}
			checkCO(t, ClusterOperatorConditions(tc.config, tc.pruner), tc.want)
			for i, c := range tc.pruner {
				if c.Type != prunerTypes[i] {
					t.Errorf("pruner input %d modified: type %q, was %q", i, c.Type, prunerTypes[i])
				}
			}
		})
	}
}

// TestClusterOperatorFromConfigConditions chains Conditions → Merge → ClusterOperatorConditions
// for the two worked examples in upstream-facts (CO-06 Removed, CO-07 storage not configured).
func TestClusterOperatorFromConfigConditions(t *testing.T) {
	tests := []struct {
		name string
		in   Inputs
		want map[configv1.ClusterStatusConditionType]wco
	}{
		{
			name: "Removed (CO-06)",
			in:   Inputs{State: operatorv1.Removed, Now: t0},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "Removed", "Available: The registry is removed\nImagePrunerAvailable: Pruner CronJob has been created"},
				"Progressing": {coF, "Removed", "Progressing: All registry resources are removed"},
				"Degraded":    {coF, "Removed", "Degraded: The registry is removed"},
			},
		},
		{
			name: "Managed, storage not configured (CO-07)",
			in: Inputs{State: operatorv1.Managed, ApplyErr: errors.New("storage backend not configured"),
				PermanentReason: "StorageNotConfigured", Now: t0},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available": {coF, "StorageNotConfigured",
					"Available: Error: storage backend not configured\nImagePrunerAvailable: Pruner CronJob has been created"},
				"Progressing": {coF, "Error", "Progressing: Unable to apply resources: storage backend not configured"},
				"Degraded":    {coT, "StorageNotConfigured", "Degraded: Error: storage backend not configured"},
			},
		},
		{
			// STATUS-010: Managed with storage set and rolled out → CO normal.
			name: "Managed, rolled out",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(2, 2, depAvailable, depRolledOut), Now: t0},
			want: map[configv1.ClusterStatusConditionType]wco{
				"Available":   {coT, "Ready", "Available: The registry is ready\nImagePrunerAvailable: Pruner CronJob has been created"},
				"Progressing": {coF, "Ready", "Progressing: The registry is ready"},
				"Degraded":    {coF, "AsExpected", ""},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			config := Merge(nil, Conditions(tc.in), t0)
			checkCO(t, ClusterOperatorConditions(config, healthyPruner(t0)), tc.want)
		})
	}
}

// TestClusterOperatorLastTransitionTime: CO-05 — the union's lastTransitionTime is the latest
// transition among the inputs that feed it.
func TestClusterOperatorLastTransitionTime(t *testing.T) {
	config := []operatorv1.OperatorCondition{
		oc("Available", T, "Ready", "The registry is ready", t0.Add(-3*time.Hour)),
		oc("Progressing", F, "Ready", "The registry is ready", t0.Add(-time.Hour)),
		oc("Degraded", F, "", "", t0.Add(-2*time.Hour)),
		oc("NodeCADaemonProgressing", F, "AsExpected", "The daemon set node-ca is deployed", t0.Add(-30*time.Minute)),
	}
	pruner := []operatorv1.OperatorCondition{
		oc("Available", T, "AsExpected", "Pruner CronJob has been created", t0.Add(-10*time.Minute)),
		oc("Degraded", F, "AsExpected", "", t0.Add(-5*time.Hour)),
	}
	want := map[configv1.ClusterStatusConditionType]time.Time{
		"Available":   t0.Add(-10 * time.Minute),
		"Progressing": t0.Add(-30 * time.Minute),
		"Degraded":    t0.Add(-2 * time.Hour),
	}
	got := ClusterOperatorConditions(config, pruner)
	if len(got) != len(want) {
		t.Fatalf("got %d conditions, want %d", len(got), len(want))
	}
	for _, c := range got {
		w, ok := want[c.Type]
		if !ok {
			t.Errorf("unexpected type %q", c.Type)
			continue
		}
		if !c.LastTransitionTime.Time.Equal(w) {
			t.Errorf("%s: lastTransitionTime %v, want %v", c.Type, c.LastTransitionTime.Time, w)
		}
	}
}

// TestRelatedObjects: CO-09 / STATUS-008 — exactly six objects in upstream order.
func TestRelatedObjects(t *testing.T) {
	want := []configv1.ObjectReference{
		{Group: "imageregistry.operator.openshift.io", Resource: "configs", Name: "cluster"},
		{Group: "imageregistry.operator.openshift.io", Resource: "imagepruners", Name: "cluster"},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Name: "system:registry"},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Name: "registry-registry-role"},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings", Name: "openshift-image-registry-pruner"},
		{Group: "", Resource: "namespaces", Name: "openshift-image-registry"},
	}
	got := RelatedObjects()
	if len(got) != len(want) {
		t.Fatalf("got %d related objects, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("relatedObjects[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
