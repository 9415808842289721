package status

import (
	"errors"
	"testing"
	"time"

	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
)

const (
	T = operatorv1.ConditionTrue
	F = operatorv1.ConditionFalse
	U = operatorv1.ConditionUnknown
)

// TestConditions: the Config's Available/Progressing/Degraded/Removed for each input
// situation (upstream-facts §8 COND-AV/PR/DG/RM, CTRL-05; behaviors STATUS-002..006, 011).
// No previous conditions are given, so the 5-minute Unavailable rule never fires here
// (see TestDegradedUnavailableGrace).
func TestConditions(t *testing.T) {
	storageErr := errors.New("storage backend not configured")
	verifyErr := errors.New("unable to complete resource: replicas must be greater than or equal to 0")
	transientErr := errors.New(`services "image-registry" is forbidden: etcdserver: request timed out`)

	tests := []struct {
		name string
		in   Inputs
		want map[string]wc
	}{
		{
			// STATUS-004, COND-AV-05 "Ready", COND-PR-03 "Ready", COND-DG-05, COND-RM-01.
			name: "Managed, rolled out",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(2, 2, depAvailable, depRolledOut)},
			want: map[string]wc{
				"Available":   {T, "Ready", "The registry is ready"},
				"Progressing": {F, "Ready", "The registry is ready"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// STATUS-004: partly rolled out → MinimumAvailability; rollout pending → DeploymentNotCompleted.
			name: "Managed, rolling out with one of two replicas available",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(2, 1, depAvailable, depRollingOut)},
			want: map[string]wc{
				"Available":   {T, "MinimumAvailability", "The registry has minimum availability"},
				"Progressing": {T, "DeploymentNotCompleted", "The deployment has not completed"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// COND-AV-05 compares available with replicas; COND-PR-03 only looks at the
			// Deployment's Progressing=True/NewReplicaSetAvailable signal.
			name: "Managed, rollout complete but a replica lost",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(2, 1, depAvailable, depRolledOut)},
			want: map[string]wc{
				"Available":   {T, "MinimumAvailability", "The registry has minimum availability"},
				"Progressing": {F, "Ready", "The registry is ready"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// COND-PR-03: "no Progressing=True reason NewReplicaSetAvailable" → not complete.
			name: "Managed, all replicas available but Deployment has no Progressing condition yet",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(1, 1)},
			want: map[string]wc{
				"Available":   {T, "Ready", "The registry is ready"},
				"Progressing": {T, "DeploymentNotCompleted", "The deployment has not completed"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// STATUS-004: none available → Available False NoReplicasAvailable.
			name: "Managed, no replicas available",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(2, 0, depRollingOut)},
			want: map[string]wc{
				"Available":   {F, "NoReplicasAvailable", "The deployment does not have available replicas"},
				"Progressing": {T, "DeploymentNotCompleted", "The deployment has not completed"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// STATUS-006, COND-DG-03.
			name: "Managed, deployment progress deadline exceeded",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(2, 1, depAvailable, depDeadline)},
			want: map[string]wc{
				"Available":   {T, "MinimumAvailability", "The registry has minimum availability"},
				"Progressing": {T, "DeploymentNotCompleted", "The deployment has not completed"},
				"Degraded": {T, "ProgressDeadlineExceeded",
					`Registry deployment has timed out progressing: ReplicaSet "image-registry-7c9b" has timed out progressing.`},
				"Removed": {F, "", ""},
			},
		},
		{
			// STATUS-006: with no replica available a timed-out rollout is not Degraded
			// before the 5-minute Unavailable rule says so.
			name: "Managed, deadline exceeded with no replica available",
			in:   Inputs{State: operatorv1.Managed, Deployment: deployment(2, 0, depDeadline)},
			want: map[string]wc{
				"Available":   {F, "NoReplicasAvailable", "The deployment does not have available replicas"},
				"Progressing": {T, "DeploymentNotCompleted", "The deployment has not completed"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// COND-AV-04, COND-PR-03 WaitingForDeployment.
			name: "Managed, resources applied but no deployment",
			in:   Inputs{State: operatorv1.Managed},
			want: map[string]wc{
				"Available":   {F, "DeploymentNotFound", "The deployment does not exist"},
				"Progressing": {T, "WaitingForDeployment", "All resources are successfully applied, but the deployment does not exist"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// COND-AV-05 DeploymentDeleted, COND-PR-03 FinalizingDeployment.
			name: "Managed, deployment being deleted",
			in:   Inputs{State: operatorv1.Managed, Deployment: deleting(deployment(2, 2, depAvailable, depRolledOut))},
			want: map[string]wc{
				"Available":   {F, "DeploymentDeleted", "The deployment is being deleted"},
				"Progressing": {T, "FinalizingDeployment", "The deployment is being deleted"},
				"Degraded":    {F, "", ""},
				"Removed":     {F, "", ""},
			},
		},
		{
			// COND-PR-03: apply error → Progressing True "Error"; not permanent → not Degraded.
			name: "Managed, transient apply error with a rolled-out deployment",
			in: Inputs{State: operatorv1.Managed, Deployment: deployment(2, 2, depAvailable, depRolledOut),
				ApplyErr: transientErr},
			want: map[string]wc{
				"Available": {T, "Ready", "The registry is ready"},
				"Progressing": {T, "Error",
					`Unable to apply resources: services "image-registry" is forbidden: etcdserver: request timed out`},
				"Degraded": {F, "", ""},
				"Removed":  {F, "", ""},
			},
		},
		{
			// STATUS-005, CTRL-05, COND-AV-02, COND-PR-03 (False when permanent), COND-DG-01;
			// upstream-facts CO-07 spells out the resulting messages.
			name: "Managed, storage not configured (permanent), no deployment",
			in: Inputs{State: operatorv1.Managed, ApplyErr: storageErr,
				PermanentReason: "StorageNotConfigured"},
			want: map[string]wc{
				"Available":   {F, "StorageNotConfigured", "Error: storage backend not configured"},
				"Progressing": {F, "Error", "Unable to apply resources: storage backend not configured"},
				"Degraded":    {T, "StorageNotConfigured", "Error: storage backend not configured"},
				"Removed":     {F, "", ""},
			},
		},
		{
			// STATUS-005/011, CTRL-05 VerificationFailed "Error: unable to complete resource: <validation error>".
			name: "Managed, invalid spec (VerificationFailed), no deployment",
			in: Inputs{State: operatorv1.Managed, ApplyErr: verifyErr,
				PermanentReason: "VerificationFailed"},
			want: map[string]wc{
				"Available": {F, "VerificationFailed",
					"Error: unable to complete resource: replicas must be greater than or equal to 0"},
				"Progressing": {F, "Error",
					"Unable to apply resources: unable to complete resource: replicas must be greater than or equal to 0"},
				"Degraded": {T, "VerificationFailed",
					"Error: unable to complete resource: replicas must be greater than or equal to 0"},
				"Removed": {F, "", ""},
			},
		},
		{
			// COND-AV-02 applies only without a deployment; with one, Available comes from it
			// (COND-AV-05). Degraded still carries the permanent reason (COND-DG-01).
			name: "Managed, invalid spec (VerificationFailed) while an old deployment still serves",
			in: Inputs{State: operatorv1.Managed, Deployment: deployment(2, 2, depAvailable, depRolledOut),
				ApplyErr: verifyErr, PermanentReason: "VerificationFailed"},
			want: map[string]wc{
				"Available": {T, "Ready", "The registry is ready"},
				"Progressing": {F, "Error",
					"Unable to apply resources: unable to complete resource: replicas must be greater than or equal to 0"},
				"Degraded": {T, "VerificationFailed",
					"Error: unable to complete resource: replicas must be greater than or equal to 0"},
				"Removed": {F, "", ""},
			},
		},
		{
			// STATUS-003, COND-AV-03, COND-PR-02, COND-DG-01, COND-RM-01.
			name: "Removed, everything gone",
			in:   Inputs{State: operatorv1.Removed},
			want: map[string]wc{
				"Available":   {T, "Removed", "The registry is removed"},
				"Progressing": {F, "Removed", "All registry resources are removed"},
				"Degraded":    {F, "Removed", "The registry is removed"},
				"Removed":     {T, "Removed", "The registry is removed"},
			},
		},
		{
			// Surprise 14 / COND-AV-05 note: Removed with a leftover deployment → Available from
			// the deployment, Progressing True DeletingDeployment until it is gone.
			name: "Removed, deployment still present",
			in:   Inputs{State: operatorv1.Removed, Deployment: deployment(2, 2, depAvailable, depRolledOut)},
			want: map[string]wc{
				"Available":   {T, "Ready", "The registry is ready"},
				"Progressing": {T, "DeletingDeployment", "The deployment is being removed"},
				"Degraded":    {F, "Removed", "The registry is removed"},
				"Removed":     {T, "Removed", "The registry is removed"},
			},
		},
		{
			// STATUS-002, COND-AV-01, COND-PR-01, COND-DG-01.
			name: "Unmanaged, no deployment",
			in:   Inputs{State: operatorv1.Unmanaged},
			want: map[string]wc{
				"Available":   {T, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Progressing": {F, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Degraded":    {F, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Removed":     {F, "", ""},
			},
		},
		{
			// Unmanaged wins over everything the deployment or a long unavailability would say.
			name: "Unmanaged, broken deployment, long unavailable",
			in: Inputs{State: operatorv1.Unmanaged, Deployment: deployment(2, 0, depDeadline),
				Previous: []operatorv1.OperatorCondition{
					oc("Available", F, "NoReplicasAvailable", "The deployment does not have available replicas", t0.Add(-time.Hour)),
				},
				Now: t0},
			want: map[string]wc{
				"Available":   {T, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Progressing": {F, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Degraded":    {F, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Removed":     {F, "", ""},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.in.Now.IsZero() {
				tc.in.Now = t0
			}
			checkConditions(t, Conditions(tc.in), tc.want)
		})
	}
}

// TestDegradedUnavailableGrace: COND-DG-02 / STATUS-006 with an injected clock. Degraded turns
// True "Unavailable" (message = Available's message) once Available has been non-True for MORE
// than 5 minutes, measured from Available's lastTransitionTime; before that it is False with an
// empty reason and message (COND-DG-05).
func TestDegradedUnavailableGrace(t *testing.T) {
	noReplicas := deployment(2, 0, depRollingOut)
	prevAv := func(s operatorv1.ConditionStatus, ago time.Duration) []operatorv1.OperatorCondition {
		return []operatorv1.OperatorCondition{
			oc("Available", s, "x", "y", t0.Add(-ago)),
			oc("Degraded", F, "", "", t0.Add(-2*time.Hour)),
		}
	}
	notDegraded := wc{F, "", ""}
	tests := []struct {
		name     string
		deploy   *appsv1.Deployment
		previous []operatorv1.OperatorCondition
		want     wc
	}{
		{"no previous conditions: the non-True streak starts now", noReplicas, nil, notDegraded},
		{"unavailable for 4m", noReplicas, prevAv(F, 4*time.Minute), notDegraded},
		{"unavailable for exactly 5m is not more than 5m", noReplicas, prevAv(F, 5*time.Minute), notDegraded},
		{"unavailable for 5m01s", noReplicas, prevAv(F, 5*time.Minute+time.Second),
			wc{T, "Unavailable", "The deployment does not have available replicas"}},
		{"unavailable for 1h", noReplicas, prevAv(F, time.Hour),
			wc{T, "Unavailable", "The deployment does not have available replicas"}},
		{"Available Unknown (not True) for 10m", noReplicas, prevAv(U, 10*time.Minute),
			wc{T, "Unavailable", "The deployment does not have available replicas"}},
		{"was True for an hour, just went False", noReplicas, prevAv(T, time.Hour), notDegraded},
		{"deployment missing for 10m: message is Available's", nil, prevAv(F, 10*time.Minute),
			wc{T, "Unavailable", "The deployment does not exist"}},
		{"deployment being deleted for 10m", deleting(deployment(2, 2, depRolledOut)), prevAv(F, 10*time.Minute),
			wc{T, "Unavailable", "The deployment is being deleted"}},
		{"available again after 10m down", deployment(2, 2, depRolledOut), prevAv(F, 10*time.Minute), notDegraded},
		{"minimum availability counts as available", deployment(2, 1, depRollingOut), prevAv(F, 10*time.Minute), notDegraded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Conditions(Inputs{State: operatorv1.Managed, Deployment: tc.deploy, Previous: tc.previous, Now: t0})
			d := Find(got, "Degraded")
			if d == nil {
				t.Fatalf("no Degraded condition in %+v", got)
			}
			if d.Status != tc.want.Status || d.Reason != tc.want.Reason || d.Message != tc.want.Message {
				t.Errorf("Degraded: got status=%q reason=%q message=%q, want status=%q reason=%q message=%q",
					d.Status, d.Reason, d.Message, tc.want.Status, tc.want.Reason, tc.want.Message)
			}
		})
	}
}

// TestConditionsOverTime drives Conditions + Merge the way the controller does (Previous = the
// stored conditions, then merge at the same instant) across a clock, checking both the
// 5-minute rule and that lastTransitionTime only moves when a status changes.
func TestConditionsOverTime(t *testing.T) {
	var stored []operatorv1.OperatorCondition
	step := func(now time.Time, d *appsv1.Deployment) {
		stored = Merge(stored, Conditions(Inputs{State: operatorv1.Managed, Deployment: d, Previous: stored, Now: now}), now)
	}
	expect := func(when string, typ string, w wc, lt time.Time) {
		t.Helper()
		c := Find(stored, typ)
		if c == nil {
			t.Fatalf("%s: no %s condition", when, typ)
		}
		if c.Status != w.Status || c.Reason != w.Reason || c.Message != w.Message {
			t.Errorf("%s: %s got %q/%q/%q, want %q/%q/%q", when, typ, c.Status, c.Reason, c.Message, w.Status, w.Reason, w.Message)
		}
		if !c.LastTransitionTime.Time.Equal(lt) {
			t.Errorf("%s: %s lastTransitionTime %v, want %v", when, typ, c.LastTransitionTime.Time, lt)
		}
	}
	healthy := deployment(2, 2, depAvailable, depRolledOut)
	down := deployment(2, 0, depRollingOut)

	step(t0, healthy)
	expect("t0", "Available", wc{T, "Ready", "The registry is ready"}, t0)
	expect("t0", "Degraded", wc{F, "", ""}, t0)

	t1 := t0.Add(time.Hour)
	step(t1, down)
	expect("t1 down", "Available", wc{F, "NoReplicasAvailable", "The deployment does not have available replicas"}, t1)
	expect("t1 down", "Progressing", wc{T, "DeploymentNotCompleted", "The deployment has not completed"}, t1)
	expect("t1 down", "Degraded", wc{F, "", ""}, t0)
	expect("t1 down", "Removed", wc{F, "", ""}, t0)

	step(t1.Add(3*time.Minute), down)
	expect("t1+3m", "Available", wc{F, "NoReplicasAvailable", "The deployment does not have available replicas"}, t1)
	expect("t1+3m", "Degraded", wc{F, "", ""}, t0)

	t3 := t1.Add(5*time.Minute + time.Second)
	step(t3, down)
	expect("t1+5m01s", "Available", wc{F, "NoReplicasAvailable", "The deployment does not have available replicas"}, t1)
	expect("t1+5m01s", "Degraded", wc{T, "Unavailable", "The deployment does not have available replicas"}, t3)

	// Reason/message change while status stays False: Available keeps t1, and the
	// unavailability clock keeps running from t1.
	t4 := t3.Add(time.Minute)
	step(t4, nil)
	expect("t4 deployment gone", "Available", wc{F, "DeploymentNotFound", "The deployment does not exist"}, t1)
	expect("t4 deployment gone", "Progressing", wc{T, "WaitingForDeployment", "All resources are successfully applied, but the deployment does not exist"}, t1)
	expect("t4 deployment gone", "Degraded", wc{T, "Unavailable", "The deployment does not exist"}, t3)

	t5 := t4.Add(time.Minute)
	step(t5, healthy)
	expect("t5 healthy", "Available", wc{T, "Ready", "The registry is ready"}, t5)
	expect("t5 healthy", "Progressing", wc{F, "Ready", "The registry is ready"}, t5)
	expect("t5 healthy", "Degraded", wc{F, "", ""}, t5)
	expect("t5 healthy", "Removed", wc{F, "", ""}, t0)
}

// TestMerge: STOR-COMMON-02 — lastTransitionTime changes only when the status changes;
// reason and message are overwritten in place; new conditions are appended; others kept.
func TestMerge(t *testing.T) {
	t1 := t0.Add(time.Hour)
	existing := []operatorv1.OperatorCondition{
		oc("StorageExists", T, "Creation Successful", "EmptyDir storage successfully created", t0.Add(-time.Hour)),
		oc("Available", T, "Ready", "The registry is ready", t0),
		oc("Progressing", F, "Ready", "The registry is ready", t0),
	}
	orig := append([]operatorv1.OperatorCondition(nil), existing...)
	updates := []operatorv1.OperatorCondition{
		// same status, new reason/message → time kept
		{Type: "Available", Status: T, Reason: "MinimumAvailability", Message: "The registry has minimum availability"},
		// status change → time = now
		{Type: "Progressing", Status: T, Reason: "DeploymentNotCompleted", Message: "The deployment has not completed"},
		// new type → appended with time = now
		{Type: "Degraded", Status: F},
	}
	got := Merge(existing, updates, t1)

	wantTypes := []string{"StorageExists", "Available", "Progressing", "Degraded"}
	if len(got) != len(wantTypes) {
		t.Fatalf("got %d conditions, want %d: %+v", len(got), len(wantTypes), got)
	}
	for i, typ := range wantTypes {
		if got[i].Type != typ {
			t.Errorf("position %d: type %q, want %q (existing order kept, new appended)", i, got[i].Type, typ)
		}
	}
	type full struct {
		wc
		ltt time.Time
	}
	want := map[string]full{
		"StorageExists": {wc{T, "Creation Successful", "EmptyDir storage successfully created"}, t0.Add(-time.Hour)},
		"Available":     {wc{T, "MinimumAvailability", "The registry has minimum availability"}, t0},
		"Progressing":   {wc{T, "DeploymentNotCompleted", "The deployment has not completed"}, t1},
		"Degraded":      {wc{F, "", ""}, t1},
	}
	for typ, w := range want {
		c := Find(got, typ)
		if c.Status != w.Status || c.Reason != w.Reason || c.Message != w.Message {
			t.Errorf("%s: got %q/%q/%q, want %q/%q/%q", typ, c.Status, c.Reason, c.Message, w.Status, w.Reason, w.Message)
		}
		if !c.LastTransitionTime.Time.Equal(w.ltt) {
			t.Errorf("%s: lastTransitionTime %v, want %v", typ, c.LastTransitionTime.Time, w.ltt)
		}
	}

	// Pure function: the caller's slice is left as it was.
	for i := range orig {
		if existing[i] != orig[i] {
			t.Errorf("Merge modified its input at %d: %+v, was %+v", i, existing[i], orig[i])
		}
	}

	// Re-applying identical conditions later changes nothing.
	again := Merge(got, updates, t1.Add(time.Hour))
	for i := range got {
		if again[i] != got[i] {
			t.Errorf("identical update changed %s: %+v → %+v", got[i].Type, got[i], again[i])
		}
	}
}

func TestFind(t *testing.T) {
	conds := []operatorv1.OperatorCondition{
		oc("Available", T, "Ready", "The registry is ready", t0),
		oc("Degraded", F, "", "", t0),
	}
	if c := Find(conds, "Degraded"); c == nil || c != &conds[1] {
		t.Errorf("Find(Degraded) = %v, want pointer to element 1", c)
	}
	if c := Find(conds, "Progressing"); c != nil {
		t.Errorf("Find(Progressing) = %+v, want nil", c)
	}
	if c := Find(nil, "Available"); c != nil {
		t.Errorf("Find on nil = %+v, want nil", c)
	}
}
