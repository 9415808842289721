package controller

import (
	"context"
	"fmt"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/status"
)

// ClusterOperatorReconciler keeps clusteroperators.config.openshift.io/image-registry's
// status: the union of the Config's and the pruner's conditions, relatedObjects, versions.
//
// Implements STATUS-007, STATUS-008, STATUS-009, STATUS-010 (upstream CO-01..04, CO-08, CO-09).
type ClusterOperatorReconciler struct {
	Client client.Client
	// Live, when set, is where the ClusterOperator is read when the cache's copy predates
	// this controller's own last write (or is missing right after its create): a write based
	// on it would only meet a 409 Conflict (about one per registry start before).
	Live     client.Reader
	Settings Settings
	floor    rvFloor
}

func (r *ClusterOperatorReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	var cfg imageregistryv1.Config
	if err := r.Client.Get(ctx, configKey, &cfg); err != nil {
		// Only synced while the Config exists; its creation wakes this controller.
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	var prunerConds []operatorv1.OperatorCondition
	var pruner imageregistryv1.ImagePruner
	if err := r.Client.Get(ctx, types.NamespacedName{Name: render.PrunerName}, &pruner); err == nil {
		prunerConds = pruner.Status.Conditions
	} else if !apierrors.IsNotFound(err) {
		return reconcile.Result{}, err
	}

	var co configv1.ClusterOperator
	key := types.NamespacedName{Name: render.ClusterOperatorName}
	err := readFresh(ctx, r.Client, r.Live, &r.floor, key, &co, false)
	if apierrors.IsNotFound(err) {
		co = configv1.ClusterOperator{ObjectMeta: metav1.ObjectMeta{Name: render.ClusterOperatorName}}
		switch err := r.Client.Create(ctx, &co); {
		case err == nil:
			r.floor.seen(&co)
		case apierrors.IsAlreadyExists(err):
			// Created meanwhile (by the cluster-version operator, or our own create the cache
			// has not seen yet): read what is there.
			if err := readFresh(ctx, r.Client, r.Live, &r.floor, key, &co, true); err != nil {
				return reconcile.Result{}, err
			}
		default:
			return reconcile.Result{}, fmt.Errorf("creating ClusterOperator: %w", err)
		}
	} else if err != nil {
		return reconcile.Result{}, err
	}
	orig := co.DeepCopy()

	for _, u := range status.ClusterOperatorConditions(cfg.Status.Conditions, prunerConds) {
		setCOCondition(&co.Status.Conditions, u, metav1.NewTime(r.Settings.Now()))
	}
	co.Status.RelatedObjects = status.RelatedObjects()
	if v, err := r.version(ctx, &cfg); err != nil {
		return reconcile.Result{}, err
	} else if v != "" {
		co.Status.Versions = []configv1.OperandVersion{{Name: "operator", Version: v}}
	}
	if equality.Semantic.DeepEqual(orig.Status, co.Status) {
		return reconcile.Result{}, nil
	}
	if err := r.Client.Status().Update(ctx, &co); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, fmt.Errorf("updating ClusterOperator status: %w", err)
	}
	r.floor.seen(&co)
	return reconcile.Result{}, nil
}

// setCOCondition keeps the old lastTransitionTime when the status did not change.
func setCOCondition(conds *[]configv1.ClusterOperatorStatusCondition, u configv1.ClusterOperatorStatusCondition, now metav1.Time) {
	for i := range *conds {
		c := &(*conds)[i]
		if c.Type != u.Type {
			continue
		}
		if c.Status == u.Status {
			u.LastTransitionTime = c.LastTransitionTime
		}
		if u.LastTransitionTime.IsZero() {
			u.LastTransitionTime = now
		}
		*c = u
		return
	}
	if u.LastTransitionTime.IsZero() {
		u.LastTransitionTime = now
	}
	*conds = append(*conds, u)
}

// version follows upstream: not Managed → the operator's release version; Managed → the
// Deployment's version annotation, only once the rollout is complete.
//
// Implements STATUS-009 (upstream CO-08).
func (r *ClusterOperatorReconciler) version(ctx context.Context, cfg *imageregistryv1.Config) (string, error) {
	if cfg.Spec.ManagementState != operatorv1.Managed {
		return r.Settings.ReleaseVersion, nil
	}
	var d appsv1.Deployment
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: render.DeploymentName}, &d); err != nil {
		return "", client.IgnoreNotFound(err)
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	if d.Status.AvailableReplicas > 0 && d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == replicas {
		return d.Annotations[render.VersionAnnotation], nil
	}
	return "", nil
}
