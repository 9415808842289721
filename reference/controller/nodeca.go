package controller

import (
	"context"
	"fmt"
	"sync"
	"time"

	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
)

// Condition types of the node-ca controller (upstream pkg/operator/nodecadaemon.go). By
// their suffixes they feed the ClusterOperator's Available, Progressing and Degraded.
const (
	NodeCAAvailableType  = "NodeCADaemonAvailable"
	NodeCAProgressType   = "NodeCADaemonProgressing"
	NodeCADegradedType   = "NodeCADaemonControllerDegraded"
	nodeCADegradedAfter  = 2 * time.Minute
	nodeCAMsgNotFound    = "The daemon set node-ca does not exist"
	nodeCAMsgAvailable   = "The daemon set node-ca has available replicas"
	nodeCAMsgUnavailable = "The daemon set node-ca does not have available replicas"
	nodeCAMsgUpdating    = "The daemon set node-ca is updating node pods"
	nodeCAMsgDeployed    = "The daemon set node-ca is deployed"
)

// NodeCAReconciler keeps the node-ca DaemonSet as rendered, whatever the registry's
// managementState (its life is not tied to the registry's), and reports its rollout in the
// Config's NodeCADaemon* conditions (NODECA-001..003).
//
// Implements NODECA-001, NODECA-002, NODECA-003.
type NodeCAReconciler struct {
	Client   client.Client
	Settings Settings
	// Board takes the conditions to the Config's status (the Config controller writes it).
	Board *ConditionBoard

	mu           sync.Mutex
	failingSince time.Time
	// applier skips Updates that would change nothing (see applier).
	applier applier
}

func (r *NodeCAReconciler) now() time.Time {
	if r.Settings.Clock != nil {
		return r.Settings.Clock()
	}
	return time.Now()
}

// NodeCAConditions is what the DaemonSet's state says (nil: it does not exist).
//
// Implements NODECA-003.
func NodeCAConditions(ds *appsv1.DaemonSet) (available, progressing operatorv1.OperatorCondition) {
	available = operatorv1.OperatorCondition{Type: NodeCAAvailableType}
	progressing = operatorv1.OperatorCondition{Type: NodeCAProgressType}
	if ds == nil {
		available.Status, available.Reason, available.Message = operatorv1.ConditionFalse, "NotFound", nodeCAMsgNotFound
		progressing.Status, progressing.Reason, progressing.Message = operatorv1.ConditionTrue, "NotFound", nodeCAMsgNotFound
		return available, progressing
	}
	if ds.Status.NumberAvailable > 0 {
		available.Status, available.Reason, available.Message = operatorv1.ConditionTrue, "AsExpected", nodeCAMsgAvailable
	} else {
		available.Status, available.Reason, available.Message = operatorv1.ConditionFalse, "NoAvailableReplicas", nodeCAMsgUnavailable
	}
	if ds.Status.UpdatedNumberScheduled < ds.Status.DesiredNumberScheduled || ds.Status.NumberMisscheduled > 0 {
		progressing.Status, progressing.Reason, progressing.Message = operatorv1.ConditionTrue, "Progressing", nodeCAMsgUpdating
	} else {
		progressing.Status, progressing.Reason, progressing.Message = operatorv1.ConditionFalse, "AsExpected", nodeCAMsgDeployed
	}
	return available, progressing
}

func (r *NodeCAReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	key := types.NamespacedName{Namespace: render.Namespace, Name: render.NodeCAName}
	var live appsv1.DaemonSet
	var current *appsv1.DaemonSet
	if err := r.Client.Get(ctx, key, &live); err == nil {
		current = &live
	} else if !apierrors.IsNotFound(err) {
		return reconcile.Result{}, fmt.Errorf("reading DaemonSet %s: %w", key, err)
	}
	available, progressing := NodeCAConditions(current)

	applyErr := r.applier.apply(ctx, r.Client, render.NodeCADaemonSet(r.Settings.OperatorImage))
	degraded := operatorv1.OperatorCondition{Type: NodeCADegradedType, Status: operatorv1.ConditionFalse, Reason: "AsExpected"}
	conds := []operatorv1.OperatorCondition{available, progressing}
	r.mu.Lock()
	if applyErr != nil {
		if r.failingSince.IsZero() {
			r.failingSince = r.now()
		}
		// Short failures are not reported as Degraded (upstream's 2-minute inertia).
		if r.now().Sub(r.failingSince) >= nodeCADegradedAfter {
			degraded = operatorv1.OperatorCondition{Type: NodeCADegradedType, Status: operatorv1.ConditionTrue, Reason: "Error", Message: applyErr.Error()}
			conds = append(conds, degraded)
		}
	} else {
		r.failingSince = time.Time{}
		conds = append(conds, degraded)
	}
	r.mu.Unlock()

	r.Board.Post(conds...)
	return reconcile.Result{}, applyErr
}
