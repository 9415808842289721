package controller

import (
	"context"
	"fmt"
	"sort"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/status"
)

// PrunerReconciler keeps imagepruners.imageregistry.operator.openshift.io/cluster and its
// CronJob, whatever the registry's managementState.
//
// Implements PRUNE-001, PRUNE-002, PRUNE-003, PRUNE-004, PRUNE-005 (upstream PRUNE-01).
type PrunerReconciler struct {
	Client client.Client
	// Live, when set, is where the ImagePruner is read when the cache's copy predates this
	// controller's own last write (see readFresh).
	Live     client.Reader
	Settings Settings
	// applier skips Updates that would change nothing (see applier).
	applier applier
	floor   rvFloor
}

func (r *PrunerReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	var p imageregistryv1.ImagePruner
	err := readFresh(ctx, r.Client, r.Live, &r.floor, types.NamespacedName{Name: render.PrunerName}, &p, false)
	if apierrors.IsNotFound(err) {
		p = imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: render.PrunerName}, Spec: render.PrunerDefaults()}
		switch err := r.Client.Create(ctx, &p); {
		case err == nil:
			r.floor.seen(&p)
		case !apierrors.IsAlreadyExists(err):
			return reconcile.Result{}, fmt.Errorf("creating ImagePruner: %w", err)
		}
		return reconcile.Result{Requeue: true}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	orig := p.DeepCopy()

	// The document's rule: the registry is pruned only while the registry is Managed
	// (Removed and Unmanaged prune metadata only). Upstream keys it off the internal
	// hostname instead, which stays set while Unmanaged (PRUNE-005 divergence).
	pruneRegistry := false
	var cfg imageregistryv1.Config
	if err := r.Client.Get(ctx, configKey, &cfg); err == nil {
		pruneRegistry = cfg.Spec.ManagementState == operatorv1.Managed
	} else if !apierrors.IsNotFound(err) {
		return reconcile.Result{}, err
	}
	var applyErr error
	cj := render.PrunerCronJob(&p, pruneRegistry, "https://"+render.InternalRegistryHostname, r.Settings.PrunerImage)
	// The pruner's NetworkPolicy goes with the pruner, whatever the registry's state (NETPOL-002).
	for _, o := range []client.Object{render.PrunerClusterRoleBinding(), render.PrunerServiceAccount(), render.PrunerNetworkPolicy(), cj} {
		if applyErr = r.applier.apply(ctx, r.Client, o); applyErr != nil {
			break
		}
	}
	if applyErr == nil {
		applyErr = r.ensureServiceCA(ctx)
	}

	conds, err := r.conditions(ctx, &p, applyErr)
	if err != nil {
		return reconcile.Result{}, err
	}
	installed := status.Find(conds, "Available").Status == operatorv1.ConditionTrue
	r.Settings.Metrics.PrunerInstallStatus(installed, p.Spec.Suspend == nil || !*p.Spec.Suspend)
	p.Status.Conditions = status.Merge(p.Status.Conditions, conds, r.Settings.Now())
	p.Status.ObservedGeneration = p.Generation
	if !equality.Semantic.DeepEqual(orig.Status, p.Status) {
		if err := r.Client.Status().Update(ctx, &p); err != nil {
			if apierrors.IsConflict(err) {
				return reconcile.Result{Requeue: true}, nil
			}
			return reconcile.Result{}, fmt.Errorf("updating ImagePruner status: %w", err)
		}
		r.floor.seen(&p)
	}
	return reconcile.Result{}, applyErr
}

// Implements PRUNE-007 (upstream PRUNE-08).
func (r *PrunerReconciler) conditions(ctx context.Context, p *imageregistryv1.ImagePruner, applyErr error) ([]operatorv1.OperatorCondition, error) {
	c := status.Cond
	var out []operatorv1.OperatorCondition
	var cj batchv1.CronJob
	err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: render.PrunerCronJobName}, &cj)
	switch {
	case apierrors.IsNotFound(err):
		out = append(out, c("Available", operatorv1.ConditionFalse, "Error", "Pruner CronJob does not exist"))
	case err != nil:
		return nil, err
	default:
		out = append(out, c("Available", operatorv1.ConditionTrue, "AsExpected", "Pruner CronJob has been created"))
	}
	failed, err := r.latestJobFailure(ctx)
	if err != nil {
		return nil, err
	}
	if failed != nil {
		out = append(out, c("Failed", operatorv1.ConditionTrue, failed.Reason, failed.Message))
	} else {
		out = append(out, c("Failed", operatorv1.ConditionFalse, "Complete", "Pruner completed successfully"))
	}
	if p.Spec.Suspend != nil && *p.Spec.Suspend {
		out = append(out, c("Scheduled", operatorv1.ConditionFalse, "Suspended", "The pruner job has been suspended"))
	} else {
		out = append(out, c("Scheduled", operatorv1.ConditionTrue, "Scheduled", "The pruner job has been scheduled"))
	}
	switch {
	case applyErr != nil:
		out = append(out, c("Degraded", operatorv1.ConditionTrue, "SyncError", "Error: "+applyErr.Error()))
	case failed != nil:
		out = append(out, c("Degraded", operatorv1.ConditionTrue, "JobFailed", failed.Message))
	default:
		out = append(out, c("Degraded", operatorv1.ConditionFalse, "AsExpected", ""))
	}
	return out, nil
}

// latestJobFailure returns the Failed condition of the newest pruner Job that has any
// conditions, if that Job failed.
func (r *PrunerReconciler) latestJobFailure(ctx context.Context) (*batchv1.JobCondition, error) {
	var jobs batchv1.JobList
	if err := r.Client.List(ctx, &jobs, client.InNamespace(render.Namespace), client.MatchingLabels{"created-by": "image-pruner"}); err != nil {
		return nil, fmt.Errorf("listing pruner jobs: %w", err)
	}
	var withConds []batchv1.Job
	for _, j := range jobs.Items {
		if len(j.Status.Conditions) > 0 {
			withConds = append(withConds, j)
		}
	}
	if len(withConds) == 0 {
		return nil, nil
	}
	sort.Slice(withConds, func(i, j int) bool {
		return withConds[i].CreationTimestamp.After(withConds[j].CreationTimestamp.Time)
	})
	for _, jc := range withConds[0].Status.Conditions {
		if jc.Type == batchv1.JobFailed && jc.Status == corev1.ConditionTrue {
			cc := jc
			return &cc, nil
		}
	}
	return nil, nil
}

// ensureServiceCA creates ConfigMap serviceca with the inject-cabundle annotation, or puts
// the annotation back, but never touches its data: the service-ca operator writes
// service-ca.crt there, and wiping it would make every CA consumer flap.
func (r *PrunerReconciler) ensureServiceCA(ctx context.Context) error {
	want := render.ServiceCAConfigMap()
	var cm corev1.ConfigMap
	err := r.Client.Get(ctx, client.ObjectKeyFromObject(want), &cm)
	if apierrors.IsNotFound(err) {
		if err := r.Client.Create(ctx, want); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating ConfigMap %s: %w", want.Name, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading ConfigMap %s: %w", want.Name, err)
	}
	if cm.Annotations[render.InjectCABundleAnnotation] == "true" {
		return nil
	}
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[render.InjectCABundleAnnotation] = "true"
	if err := r.Client.Update(ctx, &cm); err != nil {
		return fmt.Errorf("updating ConfigMap %s: %w", want.Name, err)
	}
	return nil
}
