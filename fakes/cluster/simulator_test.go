package cluster_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/cluster"
)

// rollout is the part of a Deployment's status the simulator promises, in a form that
// compares with == and prints readably.
type rollout struct {
	ObservedGeneration                               int64
	Replicas, Updated, Ready, Available, Unavailable int32
	AvailableCondition, ProgressingCondition         string // "Status/Reason"
}

func rolloutOf(d *appsv1.Deployment) rollout {
	r := rollout{
		ObservedGeneration: d.Status.ObservedGeneration,
		Replicas:           d.Status.Replicas,
		Updated:            d.Status.UpdatedReplicas,
		Ready:              d.Status.ReadyReplicas,
		Available:          d.Status.AvailableReplicas,
		Unavailable:        d.Status.UnavailableReplicas,
	}
	for _, c := range d.Status.Conditions {
		switch c.Type {
		case appsv1.DeploymentAvailable:
			r.AvailableCondition = string(c.Status) + "/" + c.Reason
		case appsv1.DeploymentProgressing:
			r.ProgressingCondition = string(c.Status) + "/" + c.Reason
		}
	}
	return r
}

// completeRollout is a finished rollout of replicas at generation.
func completeRollout(generation int64, replicas int32) rollout {
	return rollout{ObservedGeneration: generation, Replicas: replicas, Updated: replicas, Ready: replicas, Available: replicas,
		AvailableCondition: "True/MinimumReplicasAvailable", ProgressingCondition: "True/NewReplicaSetAvailable"}
}

// noneRollout is a rollout of replicas at generation with no replica available yet.
func noneRollout(generation int64, replicas int32) rollout {
	return rollout{ObservedGeneration: generation, Replicas: replicas, Unavailable: replicas,
		AvailableCondition: "False/MinimumReplicasUnavailable", ProgressingCondition: "True/ReplicaSetUpdated"}
}

func newDeployment(namespace, name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "registry", Image: "registry:test"}}},
			},
		},
	}
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := kube.Create(testCtx, obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

// waitForRollout waits until the Deployment's status is exactly want.
func waitForRollout(t *testing.T, d *appsv1.Deployment, want rollout) {
	t.Helper()
	eventually(t, fmt.Sprintf("Deployment %s rollout %+v", d.Name, want), func() error {
		var got appsv1.Deployment
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(d), &got); err != nil {
			return err
		}
		if r := rolloutOf(&got); r != want {
			return fmt.Errorf("status is %+v", r)
		}
		return nil
	})
}

func TestDeploymentRollsOutByDefault(t *testing.T) {
	d := newDeployment(newNamespace(t), "registry", 3)
	create(t, d)
	waitForRollout(t, d, completeRollout(1, 3))
}

func TestSetRolloutModes(t *testing.T) {
	ns := newNamespace(t)
	tests := []struct {
		name     string
		mode     cluster.RolloutMode
		replicas int32
		want     rollout
	}{
		{"complete", cluster.RolloutComplete, 3, completeRollout(1, 3)},
		{"partial", cluster.RolloutPartial, 3, rollout{ObservedGeneration: 1, Replicas: 3, Updated: 3, Ready: 1, Available: 1, Unavailable: 2,
			AvailableCondition: "True/MinimumReplicasAvailable", ProgressingCondition: "True/ReplicaSetUpdated"}},
		{"partial of one replica", cluster.RolloutPartial, 1, rollout{ObservedGeneration: 1, Replicas: 1, Updated: 1, Ready: 1, Available: 1,
			AvailableCondition: "True/MinimumReplicasAvailable", ProgressingCondition: "True/ReplicaSetUpdated"}},
		{"none", cluster.RolloutNone, 3, noneRollout(1, 3)},
		{"deadline exceeded", cluster.RolloutDeadlineExceeded, 3, rollout{ObservedGeneration: 1, Replicas: 3, Unavailable: 3,
			AvailableCondition: "False/MinimumReplicasUnavailable", ProgressingCondition: "False/ProgressDeadlineExceeded"}},
		{"stalled", cluster.RolloutStalled, 3, rollout{ObservedGeneration: 1, Replicas: 3, Updated: 3, Ready: 1, Available: 1, Unavailable: 2,
			AvailableCondition: "True/MinimumReplicasAvailable", ProgressingCondition: "False/ProgressDeadlineExceeded"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeployment(ns, fmt.Sprintf("registry-%d", i), tt.replicas)
			// Set before the Deployment exists: the mode holds "from now on", so its very
			// first rollout already follows it.
			if err := sim.SetRollout(testCtx, ns, d.Name, tt.mode); err != nil {
				t.Fatalf("SetRollout before the Deployment exists: %v", err)
			}
			create(t, d)
			waitForRollout(t, d, tt.want)
		})
	}
}

// SetRollout on a Deployment that has already rolled out must change its status without
// any further event on the Deployment.
func TestSetRolloutReappliesToExistingDeployment(t *testing.T) {
	ns := newNamespace(t)
	d := newDeployment(ns, "registry", 2)
	create(t, d)
	waitForRollout(t, d, completeRollout(1, 2))

	if err := sim.SetRollout(testCtx, ns, d.Name, cluster.RolloutDeadlineExceeded); err != nil {
		t.Fatalf("SetRollout(RolloutDeadlineExceeded): %v", err)
	}
	waitForRollout(t, d, rollout{ObservedGeneration: 1, Replicas: 2, Unavailable: 2,
		AvailableCondition: "False/MinimumReplicasUnavailable", ProgressingCondition: "False/ProgressDeadlineExceeded"})

	if err := sim.SetRollout(testCtx, ns, d.Name, cluster.RolloutComplete); err != nil {
		t.Fatalf("SetRollout(RolloutComplete): %v", err)
	}
	waitForRollout(t, d, completeRollout(1, 2))
}

func TestNewGenerationRollsAgain(t *testing.T) {
	newImage := func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "registry:next" }
	scale := func(d *appsv1.Deployment) { d.Spec.Replicas = ptrTo(int32(4)) }
	tests := []struct {
		name          string
		mode          cluster.RolloutMode
		change        func(*appsv1.Deployment)
		before, after rollout
	}{
		// Only the generation tells this rollout from the last one.
		{"new image", cluster.RolloutComplete, newImage, completeRollout(1, 2), completeRollout(2, 2)},
		{"scaled", cluster.RolloutComplete, scale, completeRollout(1, 2), completeRollout(2, 4)},
		// A held rollout still observes the new generation: "not yet available", not "stale".
		{"new image, held back", cluster.RolloutNone, newImage, noneRollout(1, 2), noneRollout(2, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := newNamespace(t)
			d := newDeployment(ns, "registry", 2)
			if err := sim.SetRollout(testCtx, ns, d.Name, tt.mode); err != nil {
				t.Fatalf("SetRollout: %v", err)
			}
			create(t, d)
			waitForRollout(t, d, tt.before)

			update(t, d, func() { tt.change(d) })
			if d.Generation != 2 {
				t.Fatalf("generation after the spec change is %d, want 2", d.Generation)
			}
			waitForRollout(t, d, tt.after)
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func newClaim(namespace, name string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse("100Gi"),
			}},
		},
	}
}

// waitForClaimPhase waits until the claim is in phase, and returns it as then stored.
func waitForClaimPhase(t *testing.T, pvc *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
	t.Helper()
	var got corev1.PersistentVolumeClaim
	eventually(t, fmt.Sprintf("claim %s %s", pvc.Name, phase), func() error {
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(pvc), &got); err != nil {
			return err
		}
		if got.Status.Phase != phase {
			return fmt.Errorf("phase is %q", got.Status.Phase)
		}
		return nil
	})
	return &got
}

func claimPhase(t *testing.T, pvc *corev1.PersistentVolumeClaim) corev1.PersistentVolumeClaimPhase {
	t.Helper()
	var got corev1.PersistentVolumeClaim
	if err := kube.Get(testCtx, client.ObjectKeyFromObject(pvc), &got); err != nil {
		t.Fatalf("reading claim %s: %v", pvc.Name, err)
	}
	return got.Status.Phase
}

// A bound claim reports the access modes and capacity it asked for, as after a
// provisioner made a volume to measure.
func TestClaimIsBound(t *testing.T) {
	pvc := newClaim(newNamespace(t), "image-registry-storage")
	create(t, pvc)
	got := waitForClaimPhase(t, pvc, corev1.ClaimBound)
	if !equality.Semantic.DeepEqual(got.Status.AccessModes, pvc.Spec.AccessModes) {
		t.Errorf("bound access modes %v, want %v", got.Status.AccessModes, pvc.Spec.AccessModes)
	}
	if !equality.Semantic.DeepEqual(got.Status.Capacity, pvc.Spec.Resources.Requests) {
		t.Errorf("bound capacity %v, want %v", got.Status.Capacity, pvc.Spec.Resources.Requests)
	}
}

func TestLeavePendingKeepsClaimPending(t *testing.T) {
	ns := newNamespace(t)
	held := newClaim(ns, "held")
	sim.LeavePending(ns, held.Name)
	create(t, held)
	expectStillPending(t, held, "bound-after-held")

	// An update to the held claim is reconciled again, and it stays Pending.
	touch(t, held)
	expectStillPending(t, held, "bound-after-touch")
}

// expectStillPending checks held is Pending once the simulator has seen its latest change.
// The simulator's claim controller works through one claim at a time in the order they
// came: once a claim (named marker) created after that change is Bound, held has been seen.
func expectStillPending(t *testing.T, held *corev1.PersistentVolumeClaim, marker string) {
	t.Helper()
	later := newClaim(held.Namespace, marker)
	create(t, later)
	waitForClaimPhase(t, later, corev1.ClaimBound)
	if phase := claimPhase(t, held); phase != corev1.ClaimPending {
		t.Fatalf("held claim is %q after the simulator saw it (%s Bound), want Pending", phase, marker)
	}
}

// Reset forgets holds; what it promises is a healthy cluster for what comes next, so the
// held objects get healthy on their next reconcile (here, an update).
func TestResetForgetsHolds(t *testing.T) {
	ns := newNamespace(t)
	pvc := newClaim(ns, "held")
	sim.LeavePending(ns, pvc.Name)
	create(t, pvc)
	d := newDeployment(ns, "held", 2)
	if err := sim.SetRollout(testCtx, ns, d.Name, cluster.RolloutNone); err != nil {
		t.Fatalf("SetRollout: %v", err)
	}
	create(t, d)
	waitForRollout(t, d, noneRollout(1, 2))
	waitForClaimPhase(t, pvc, corev1.ClaimPending)

	sim.Reset()
	touch(t, pvc)
	touch(t, d)
	waitForClaimPhase(t, pvc, corev1.ClaimBound)
	waitForRollout(t, d, completeRollout(1, 2))
}

func TestRunPrunerJob(t *testing.T) {
	ns := newNamespace(t)
	// The CronJob the operator would have made: the Job must be cut from its template.
	cron := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-pruner"},
		Spec: batchv1.CronJobSpec{
			Schedule: "0 0 * * *",
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "image-pruner"}},
				Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyOnFailure,
					Containers:    []corev1.Container{{Name: "image-pruner", Image: "pruner:test"}},
				}}},
			},
		},
	}
	create(t, cron)
	// RunPrunerJob reads the CronJob from the simulator's cache, which may not hold it yet
	// right after its creation; until it does, Jobs get the placeholder spec. Wait for that
	// once, so that each case below is a single, deterministic run.
	eventually(t, "the simulator cuts Jobs from the new CronJob", func() error {
		job, err := sim.RunPrunerJob(testCtx, ns, cron.Name, true, "")
		if err != nil {
			return err
		}
		if job.Labels["app"] != "image-pruner" {
			return fmt.Errorf("job %s has labels %v", job.Name, job.Labels)
		}
		return nil
	})

	tests := []struct {
		name       string
		cronJob    string
		succeed    bool
		message    string
		wantImage  string
		wantLabels map[string]string
	}{
		{"success from the CronJob", cron.Name, true, "", "pruner:test", map[string]string{"created-by": cron.Name, "app": "image-pruner"}},
		{"failure from the CronJob", cron.Name, false, "pruning failed: registry unreachable", "pruner:test", map[string]string{"created-by": cron.Name, "app": "image-pruner"}},
		// Without a CronJob there is no template to copy: a placeholder pod spec.
		{"success without a CronJob", "no-such-cronjob", true, "", "simulated", map[string]string{"created-by": "no-such-cronjob"}},
		{"failure without a CronJob", "no-such-cronjob", false, "boom", "simulated", map[string]string{"created-by": "no-such-cronjob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			returned, err := sim.RunPrunerJob(testCtx, ns, tt.cronJob, tt.succeed, tt.message)
			if err != nil {
				t.Fatalf("RunPrunerJob: %v", err)
			}
			// What the API server stored, not only what the simulator handed back.
			var job batchv1.Job
			if err := kube.Get(testCtx, client.ObjectKeyFromObject(returned), &job); err != nil {
				t.Fatalf("reading job %s: %v", returned.Name, err)
			}
			if !strings.HasPrefix(job.Name, tt.cronJob+"-") {
				t.Errorf("job name %q, want prefix %q", job.Name, tt.cronJob+"-")
			}
			for k, v := range tt.wantLabels {
				if job.Labels[k] != v {
					t.Errorf("job label %s=%q, want %q (labels %v)", k, job.Labels[k], v, job.Labels)
				}
			}
			if cs := job.Spec.Template.Spec.Containers; len(cs) != 1 || cs[0].Image != tt.wantImage {
				t.Errorf("job containers %+v, want one with image %q", cs, tt.wantImage)
			}
			checkJobOutcome(t, &job, tt.succeed, tt.message)
		})
	}
}

// jobCondition is a Job condition in comparable form.
type jobCondition struct {
	Type            batchv1.JobConditionType
	Status          corev1.ConditionStatus
	Reason, Message string
}

func checkJobOutcome(t *testing.T, job *batchv1.Job, succeed bool, message string) {
	t.Helper()
	var got []jobCondition
	for _, c := range job.Status.Conditions {
		got = append(got, jobCondition{c.Type, c.Status, c.Reason, c.Message})
	}
	var want []jobCondition
	if succeed {
		want = []jobCondition{{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue}, {Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}
	} else {
		want = []jobCondition{
			{batchv1.JobFailureTarget, corev1.ConditionTrue, "BackoffLimitExceeded", message},
			{batchv1.JobFailed, corev1.ConditionTrue, "BackoffLimitExceeded", message},
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("job conditions %+v, want %+v", got, want)
	}
	wantSucceeded, wantFailed := int32(0), int32(1)
	if succeed {
		wantSucceeded, wantFailed = 1, 0
	}
	if job.Status.Succeeded != wantSucceeded || job.Status.Failed != wantFailed {
		t.Errorf("job succeeded=%d failed=%d, want %d and %d", job.Status.Succeeded, job.Status.Failed, wantSucceeded, wantFailed)
	}
	if job.Status.StartTime == nil {
		t.Error("job has no start time")
	}
	if (job.Status.CompletionTime != nil) != succeed {
		t.Errorf("job completion time %v, want one only on success", job.Status.CompletionTime)
	}
}
