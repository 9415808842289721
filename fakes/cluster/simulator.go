// Package cluster is the cluster simulator: it plays, explicitly and visibly, the parts of a
// cluster that envtest lacks (no kube-controller-manager, scheduler or kubelet there):
// Deployment rollouts, PVC binding and pruner Job outcomes. Specs can hold a rollout back
// or leave a claim Pending to reach the "not yet available" and "degraded" paths.
package cluster

import (
	"context"
	"fmt"
	"os"
	"sync"

	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/internal/scheme"
)

// Simulated lists, for reports, what this simulator plays instead of real components.
var Simulated = []string{
	"Deployment rollout status (kube-controller-manager and kubelet): replicas become ready unless held back",
	"PersistentVolumeClaim binding (a volume provisioner): claims become Bound unless left Pending",
	"pruner Job outcomes (CronJob controller): Jobs are created on request with a chosen result",
	"service CA injection (service-ca operator): ConfigMaps annotated service.beta.openshift.io/inject-cabundle=true get service-ca.crt, a generated CA certificate",
	"route admission (default ingress router): Routes in openshift-image-registry are admitted with status.ingress host spec.host or <name>-<namespace>.apps.irconform.example, unless a spec has the router reject the host",
	"cluster_operator_conditions metric (cluster-version operator): derived from ClusterOperator status when a spec scrapes it",
	"DaemonSets (DaemonSet controller and kubelet): a pod on each of 3 Linux nodes, available unless held back; the node-ca pods run its node program against a per-node directory tree (ConfigMap volumes as files, hostPaths as node directories)",
	"garbage collection (kube-controller-manager's garbage collector and PVC protection): foreground and orphan deletions complete once dependents are handled, dependents whose owners are gone are deleted, a claim being deleted loses kubernetes.io/pvc-protection",
}

// RolloutMode says how the simulator treats a Deployment.
//
// Models STATUS-004, STATUS-006.
type RolloutMode int

const (
	// RolloutComplete: every replica becomes available (the default).
	RolloutComplete RolloutMode = iota
	// RolloutPartial: one replica available, the rest pending (MinimumAvailability).
	RolloutPartial
	// RolloutNone: no replica available, still progressing.
	RolloutNone
	// RolloutDeadlineExceeded: no replica available and the Deployment reports
	// ProgressDeadlineExceeded.
	RolloutDeadlineExceeded
	// RolloutStalled: one replica available, the rest never come, and the Deployment reports
	// ProgressDeadlineExceeded (a rollout that timed out on a registry still serving).
	RolloutStalled
)

// Simulator runs the simulated controllers.
type Simulator struct {
	client client.Client
	// reader reads the API server directly (scrapes must see the latest status).
	reader     client.Reader
	serviceCA  *serviceCA
	daemonSets *daemonSets
	router     *router

	mu         sync.Mutex
	rollout    map[string]RolloutMode // namespace/name → mode
	pendingPVC map[string]bool
}

// Start runs the simulator until ctx ends. It returns once its caches are synced.
func Start(ctx context.Context, cfg *rest.Config) (*Simulator, error) {
	return StartOn(ctx, cfg, nil)
}

// StartOn is Start reading the cluster through shared, an informer cache someone else
// started (nil: its own). Why share: every watch is served by kube-apiserver and decoded
// here once per cache, and in a suite run the simulator's watches duplicated the harness's.
// shared's Start must block until ctx ends without starting anything; the simulator adds the
// informers it lacks, so shared must cover the namespaces the simulator acts in.
func StartOn(ctx context.Context, cfg *rest.Config, shared cache.Cache) (*Simulator, error) {
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	skip := true
	opts := manager.Options{
		Scheme:                 s,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: &skip},
	}
	if shared != nil {
		opts.NewCache = func(*rest.Config, cache.Options) (cache.Cache, error) { return shared, nil }
	}
	mgr, err := ctrl.NewManager(cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("simulator manager: %w", err)
	}
	sim := &Simulator{client: mgr.GetClient(), reader: mgr.GetAPIReader(), rollout: map[string]RolloutMode{}, pendingPVC: map[string]bool{}}
	if sim.serviceCA, err = newServiceCA(mgr.GetClient()); err != nil {
		return nil, fmt.Errorf("simulator service CA: %w", err)
	}
	if err := sim.serviceCA.register(mgr); err != nil {
		return nil, err
	}
	sim.router = &router{client: mgr.GetClient(), rejected: map[string]Rejection{}}
	if err := sim.router.register(mgr); err != nil {
		return nil, err
	}
	if sim.daemonSets, err = newDaemonSets(mgr.GetClient()); err != nil {
		return nil, fmt.Errorf("simulator nodes: %w", err)
	}
	if err := sim.daemonSets.register(mgr); err != nil {
		return nil, err
	}
	go func() {
		<-ctx.Done()
		_ = os.RemoveAll(sim.daemonSets.root)
	}()
	gc, err := newGarbageCollector(mgr)
	if err != nil {
		return nil, err
	}
	if err := gc.register(mgr); err != nil {
		return nil, err
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("sim-deployments").For(&appsv1.Deployment{}).
		Complete(reconcile.Func(sim.reconcileDeployment)); err != nil {
		return nil, err
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("sim-pvcs").For(&corev1.PersistentVolumeClaim{}).
		Complete(reconcile.Func(sim.reconcilePVC)); err != nil {
		return nil, err
	}
	go func() { _ = mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("simulator caches did not sync")
	}
	return sim, nil
}

// SetRollout sets how the Deployment namespace/name rolls out from now on, and re-applies
// it to the current object.
func (s *Simulator) SetRollout(ctx context.Context, namespace, name string, mode RolloutMode) error {
	s.mu.Lock()
	s.rollout[namespace+"/"+name] = mode
	s.mu.Unlock()
	_, err := s.reconcileDeployment(ctx, reconcile.Request{NamespacedName: client.ObjectKey{Namespace: namespace, Name: name}})
	return err
}

// LeavePending keeps the claim namespace/name Pending.
func (s *Simulator) LeavePending(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pendingPVC[namespace+"/"+name] = true
}

// RejectHost makes the router refuse routes for host from now on (Admitted False with the
// rejection's reason and message), and re-evaluates the routes that exist.
func (s *Simulator) RejectHost(ctx context.Context, host string, why Rejection) error {
	s.router.mu.Lock()
	s.router.rejected[host] = why
	s.router.mu.Unlock()
	return s.readmit(ctx)
}

// AdmitHost lifts a rejection.
func (s *Simulator) AdmitHost(ctx context.Context, host string) error {
	s.router.mu.Lock()
	delete(s.router.rejected, host)
	s.router.mu.Unlock()
	return s.readmit(ctx)
}

func (s *Simulator) readmit(ctx context.Context) error {
	var routes routev1.RouteList
	if err := s.client.List(ctx, &routes, client.InNamespace(routerNamespace)); err != nil {
		return err
	}
	for _, rt := range routes.Items {
		if _, err := s.router.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&rt)}); err != nil {
			return err
		}
	}
	return nil
}

// Reset forgets every hold, so the next spec starts from a healthy cluster.
func (s *Simulator) Reset() {
	s.router.mu.Lock()
	s.router.rejected = map[string]Rejection{}
	s.router.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rollout = map[string]RolloutMode{}
	s.pendingPVC = map[string]bool{}
	s.daemonSets.reset()
}

// Models STATUS-001, STATUS-004, STATUS-009, STATUS-010.
func (s *Simulator) reconcileDeployment(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var d appsv1.Deployment
	if err := s.client.Get(ctx, req.NamespacedName, &d); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	s.mu.Lock()
	mode := s.rollout[req.String()]
	s.mu.Unlock()
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	st := appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: want}
	now := metav1.Now()
	cond := func(t appsv1.DeploymentConditionType, s corev1.ConditionStatus, reason, msg string) appsv1.DeploymentCondition {
		return appsv1.DeploymentCondition{Type: t, Status: s, Reason: reason, Message: msg, LastUpdateTime: now, LastTransitionTime: now}
	}
	switch mode {
	case RolloutComplete:
		st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas = want, want, want
		st.Conditions = []appsv1.DeploymentCondition{
			cond(appsv1.DeploymentAvailable, corev1.ConditionTrue, "MinimumReplicasAvailable", "Deployment has minimum availability."),
			cond(appsv1.DeploymentProgressing, corev1.ConditionTrue, "NewReplicaSetAvailable", fmt.Sprintf("ReplicaSet %q has successfully progressed.", d.Name)),
		}
	case RolloutPartial:
		avail := min(int32(1), want)
		st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas, st.UnavailableReplicas = want, avail, avail, want-avail
		st.Conditions = []appsv1.DeploymentCondition{
			cond(appsv1.DeploymentAvailable, corev1.ConditionTrue, "MinimumReplicasAvailable", "Deployment has minimum availability."),
			cond(appsv1.DeploymentProgressing, corev1.ConditionTrue, "ReplicaSetUpdated", fmt.Sprintf("ReplicaSet %q is progressing.", d.Name)),
		}
	case RolloutNone:
		st.UnavailableReplicas = want
		st.Conditions = []appsv1.DeploymentCondition{
			cond(appsv1.DeploymentAvailable, corev1.ConditionFalse, "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
			cond(appsv1.DeploymentProgressing, corev1.ConditionTrue, "ReplicaSetUpdated", fmt.Sprintf("ReplicaSet %q is progressing.", d.Name)),
		}
	case RolloutStalled:
		avail := min(int32(1), want)
		st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas, st.UnavailableReplicas = want, avail, avail, want-avail
		st.Conditions = []appsv1.DeploymentCondition{
			cond(appsv1.DeploymentAvailable, corev1.ConditionTrue, "MinimumReplicasAvailable", "Deployment has minimum availability."),
			cond(appsv1.DeploymentProgressing, corev1.ConditionFalse, "ProgressDeadlineExceeded", fmt.Sprintf("ReplicaSet %q has timed out progressing.", d.Name)),
		}
	case RolloutDeadlineExceeded:
		st.UnavailableReplicas = want
		st.Conditions = []appsv1.DeploymentCondition{
			cond(appsv1.DeploymentAvailable, corev1.ConditionFalse, "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
			cond(appsv1.DeploymentProgressing, corev1.ConditionFalse, "ProgressDeadlineExceeded", fmt.Sprintf("ReplicaSet %q has timed out progressing.", d.Name)),
		}
	}
	if sameStatus(d.Status, st) {
		return reconcile.Result{}, nil
	}
	d.Status = st
	if err := s.client.Status().Update(ctx, &d); err != nil {
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			return reconcile.Result{Requeue: apierrors.IsConflict(err)}, nil
		}
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, nil
}

// sameStatus ignores condition timestamps, so that an unchanged rollout is not rewritten.
func sameStatus(a, b appsv1.DeploymentStatus) bool {
	if a.ObservedGeneration != b.ObservedGeneration || a.Replicas != b.Replicas || a.UpdatedReplicas != b.UpdatedReplicas ||
		a.ReadyReplicas != b.ReadyReplicas || a.AvailableReplicas != b.AvailableReplicas || len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		x, y := a.Conditions[i], b.Conditions[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason {
			return false
		}
	}
	return true
}

// Models PVC-001.
func (s *Simulator) reconcilePVC(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var pvc corev1.PersistentVolumeClaim
	if err := s.client.Get(ctx, req.NamespacedName, &pvc); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	s.mu.Lock()
	pending := s.pendingPVC[req.String()]
	s.mu.Unlock()
	phase := corev1.ClaimBound
	if pending {
		phase = corev1.ClaimPending
	}
	if pvc.Status.Phase == phase {
		return reconcile.Result{}, nil
	}
	pvc.Status.Phase = phase
	if phase == corev1.ClaimBound {
		pvc.Status.AccessModes = pvc.Spec.AccessModes
		pvc.Status.Capacity = pvc.Spec.Resources.Requests
	}
	return reconcile.Result{}, client.IgnoreNotFound(s.client.Status().Update(ctx, &pvc))
}

// RunPrunerJob plays the CronJob controller firing once: it creates a Job for the CronJob
// namespace/name and gives it the outcome asked for.
//
// Models PRUNE-007.
func (s *Simulator) RunPrunerJob(ctx context.Context, namespace, cronJob string, succeed bool, message string) (*batchv1.Job, error) {
	now := metav1.Now()
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, GenerateName: cronJob + "-",
			Labels: map[string]string{"created-by": cronJob}},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: cronJob, Image: "simulated"}},
		}}},
	}
	var cron batchv1.CronJob
	if err := s.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: cronJob}, &cron); err == nil {
		job.Spec = *cron.Spec.JobTemplate.Spec.DeepCopy()
		for k, v := range cron.Spec.JobTemplate.Labels {
			job.Labels[k] = v
		}
	}
	if err := s.client.Create(ctx, job); err != nil {
		return nil, fmt.Errorf("creating simulated job: %w", err)
	}
	job.Status.StartTime = &now
	if succeed {
		job.Status.Succeeded = 1
		job.Status.CompletionTime = &now
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
		}
	} else {
		job.Status.Failed = 1
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: message, LastTransitionTime: now, LastProbeTime: now},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: message, LastTransitionTime: now, LastProbeTime: now},
		}
	}
	if err := s.client.Status().Update(ctx, job); err != nil {
		return nil, fmt.Errorf("setting simulated job status: %w", err)
	}
	return job, nil
}
