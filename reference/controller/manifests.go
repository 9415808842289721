package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
)

// ReleaseManifestsReconciler keeps the objects the upstream operator ships as release
// manifests (the cluster-version operator applies them there; the reference operator,
// which has no release payload, applies them itself): the namespace's default-deny-all and
// the operator's own NetworkPolicy (NETPOL-003), the operator's metrics Service and the two
// ServiceMonitors (METRICS-001, METRICS-002). Hand edits are reverted, deleted objects come
// back, whatever the registry's managementState.
type ReleaseManifestsReconciler struct {
	Client client.Client
	// applier skips Updates that would change nothing (see applier).
	applier applier
}

// ReleaseManifests are the objects, in apply order.
func ReleaseManifests() []client.Object {
	return []client.Object{
		render.DefaultDenyAllNetworkPolicy(),
		render.OperatorNetworkPolicy(),
		render.OperatorMetricsService(),
		render.OperatorServiceMonitor(),
		render.OperandServiceMonitor(),
	}
}

func (r *ReleaseManifestsReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	for _, o := range ReleaseManifests() {
		err := r.applier.apply(ctx, r.Client, o)
		if meta.IsNoMatchError(err) {
			// A cluster without the monitoring stack serves no ServiceMonitor: nothing to scrape it.
			log.FromContext(ctx).V(1).Info("kind not served, skipped", "object", o.GetName())
			continue
		}
		if err != nil {
			return reconcile.Result{}, err
		}
	}
	return reconcile.Result{}, nil
}
