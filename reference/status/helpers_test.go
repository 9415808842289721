package status

import (
	"testing"
	"time"

	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Fixed clock for every test: nothing here reads the wall clock.
var t0 = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// Deployment Progressing conditions as the Deployment controller writes them.
var (
	depRolledOut = appsv1.DeploymentCondition{
		Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue,
		Reason: "NewReplicaSetAvailable", Message: `ReplicaSet "image-registry-5d4f" has successfully progressed.`,
	}
	depRollingOut = appsv1.DeploymentCondition{
		Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue,
		Reason: "ReplicaSetUpdated", Message: `ReplicaSet "image-registry-7c9b" is progressing.`,
	}
	depDeadline = appsv1.DeploymentCondition{
		Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse,
		Reason: "ProgressDeadlineExceeded", Message: `ReplicaSet "image-registry-7c9b" has timed out progressing.`,
	}
	depAvailable = appsv1.DeploymentCondition{
		Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue,
		Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability.",
	}
)

// deployment builds the registry Deployment with spec.replicas = replicas and
// status.availableReplicas = available.
func deployment(replicas, available int32, conds ...appsv1.DeploymentCondition) *appsv1.Deployment {
	r := replicas
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "image-registry", Namespace: "openshift-image-registry", Generation: 1},
		Spec:       appsv1.DeploymentSpec{Replicas: &r},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration: 1,
			Replicas:           replicas,
			UpdatedReplicas:    replicas,
			ReadyReplicas:      available,
			AvailableReplicas:  available,
			Conditions:         conds,
		},
	}
}

func deleting(d *appsv1.Deployment) *appsv1.Deployment {
	ts := metav1.NewTime(t0.Add(-time.Minute))
	d.DeletionTimestamp = &ts
	d.Finalizers = []string{"foregroundDeletion"}
	return d
}

// wc is an expected condition: status, reason, message (literal strings from the catalogue).
type wc struct {
	Status  operatorv1.ConditionStatus
	Reason  string
	Message string
}

// checkConditions asserts that got holds exactly the types in want, once each, with the
// expected status, reason and message.
func checkConditions(t *testing.T, got []operatorv1.OperatorCondition, want map[string]wc) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d conditions, want %d: %+v", len(got), len(want), got)
	}
	seen := map[string]int{}
	for _, c := range got {
		seen[c.Type]++
	}
	for typ, w := range want {
		if seen[typ] != 1 {
			t.Errorf("condition %s appears %d times, want once", typ, seen[typ])
			continue
		}
		c := Find(got, typ)
		if c.Status != w.Status || c.Reason != w.Reason || c.Message != w.Message {
			t.Errorf("%s:\n got  status=%q reason=%q message=%q\n want status=%q reason=%q message=%q",
				typ, c.Status, c.Reason, c.Message, w.Status, w.Reason, w.Message)
		}
	}
}

func oc(typ string, s operatorv1.ConditionStatus, reason, msg string, ltt time.Time) operatorv1.OperatorCondition {
	return operatorv1.OperatorCondition{Type: typ, Status: s, Reason: reason, Message: msg, LastTransitionTime: metav1.NewTime(ltt)}
}
