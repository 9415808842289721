package controller

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
)

// AlertsReconciler keeps PrometheusRule openshift-image-registry/image-registry-operator-alerts
// (ALERT-001, ALERT-002) as rendered; hand edits are reverted.
//
// Implements ALERT-001, ALERT-002.
type AlertsReconciler struct {
	Client client.Client
	// applier skips Updates that would change nothing (see applier).
	applier applier
}

func (r *AlertsReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	for _, pr := range render.PrometheusRules() {
		if err := r.applier.apply(ctx, r.Client, pr); err != nil {
			return reconcile.Result{}, err
		}
	}
	return reconcile.Result{}, nil
}
