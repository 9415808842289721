// Package status computes the operator's status conditions: the Config's
// Available/Progressing/Degraded/Removed (upstream reasons and messages) and the
// ClusterOperator union. Pure functions: the controller reads state and writes results.
package status

import (
	"fmt"
	"strings"
	"time"

	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// Condition types on the Config.
const (
	TypeAvailable   = "Available"
	TypeProgressing = "Progressing"
	TypeDegraded    = "Degraded"
	TypeRemoved     = "Removed"
)

// Reasons for permanent errors: no requeue, Degraded True.
const (
	ReasonStorageNotConfigured = "StorageNotConfigured"
	ReasonVerificationFailed   = "VerificationFailed"
)

// UnavailableGrace is how long Available may be non-True before Degraded turns True.
//
// Implements STATUS-006 (upstream COND-DG-02).
const UnavailableGrace = 5 * time.Minute

// Inputs is what the condition logic looks at.
type Inputs struct {
	State operatorv1.ManagementState
	// Deployment is the registry Deployment, nil when absent.
	Deployment *appsv1.Deployment
	// ApplyErr is the error from applying resources (nil on success).
	ApplyErr error
	// PermanentReason is set when ApplyErr is permanent (StorageNotConfigured / VerificationFailed).
	PermanentReason string
	// Previous conditions (for the time Available has been non-True).
	Previous []operatorv1.OperatorCondition
	// Routes are the operator's routes (default-route and spec.routes) as they exist.
	Routes []routev1.Route
	Now    time.Time
}

// Conditions returns the four conditions in upstream order.
//
// Implements STATUS-002, STATUS-003, STATUS-004, STATUS-005, STATUS-006.
func Conditions(in Inputs) []operatorv1.OperatorCondition {
	av := available(in)
	pr := progressing(in)
	dg := degraded(in, av)
	rm := removed(in)
	return []operatorv1.OperatorCondition{av, pr, dg, rm}
}

// Cond builds a condition; every condition the operator writes (its own, the storage
// drivers', the pruner's) is made here.
func Cond(t string, s operatorv1.ConditionStatus, reason, msg string) operatorv1.OperatorCondition {
	return operatorv1.OperatorCondition{Type: t, Status: s, Reason: reason, Message: msg}
}

const unmanagedMsg = "The registry configuration is set to unmanaged mode"

// Implements STATUS-002, STATUS-003, STATUS-004, STATUS-005 (upstream COND-AV-01..05).
func available(in Inputs) operatorv1.OperatorCondition {
	if in.State == operatorv1.Unmanaged {
		return Cond(TypeAvailable, operatorv1.ConditionTrue, "Unmanaged", unmanagedMsg)
	}
	d := in.Deployment
	if d == nil {
		switch {
		case in.PermanentReason != "":
			return Cond(TypeAvailable, operatorv1.ConditionFalse, in.PermanentReason, "Error: "+in.ApplyErr.Error())
		case in.State == operatorv1.Removed:
			return Cond(TypeAvailable, operatorv1.ConditionTrue, "Removed", "The registry is removed")
		default:
			return Cond(TypeAvailable, operatorv1.ConditionFalse, "DeploymentNotFound", "The deployment does not exist")
		}
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	switch {
	case d.DeletionTimestamp != nil:
		return Cond(TypeAvailable, operatorv1.ConditionFalse, "DeploymentDeleted", "The deployment is being deleted")
	case d.Status.AvailableReplicas == 0:
		return Cond(TypeAvailable, operatorv1.ConditionFalse, "NoReplicasAvailable", "The deployment does not have available replicas")
	case d.Status.AvailableReplicas != replicas:
		return Cond(TypeAvailable, operatorv1.ConditionTrue, "MinimumAvailability", "The registry has minimum availability")
	default:
		return Cond(TypeAvailable, operatorv1.ConditionTrue, "Ready", "The registry is ready")
	}
}

// Implements STATUS-002, STATUS-003, STATUS-004 (upstream COND-PR-01..03).
func progressing(in Inputs) operatorv1.OperatorCondition {
	d := in.Deployment
	switch in.State {
	case operatorv1.Unmanaged:
		return Cond(TypeProgressing, operatorv1.ConditionFalse, "Unmanaged", unmanagedMsg)
	case operatorv1.Removed:
		if d != nil {
			return Cond(TypeProgressing, operatorv1.ConditionTrue, "DeletingDeployment", "The deployment is being removed")
		}
		return Cond(TypeProgressing, operatorv1.ConditionFalse, "Removed", "All registry resources are removed")
	}
	if in.ApplyErr != nil {
		s := operatorv1.ConditionTrue
		if in.PermanentReason != "" {
			s = operatorv1.ConditionFalse
		}
		return Cond(TypeProgressing, s, "Error", "Unable to apply resources: "+in.ApplyErr.Error())
	}
	switch {
	case d == nil:
		return Cond(TypeProgressing, operatorv1.ConditionTrue, "WaitingForDeployment", "All resources are successfully applied, but the deployment does not exist")
	case d.DeletionTimestamp != nil:
		return Cond(TypeProgressing, operatorv1.ConditionTrue, "FinalizingDeployment", "The deployment is being deleted")
	case !rolloutComplete(d):
		return Cond(TypeProgressing, operatorv1.ConditionTrue, "DeploymentNotCompleted", "The deployment has not completed")
	default:
		return Cond(TypeProgressing, operatorv1.ConditionFalse, "Ready", "The registry is ready")
	}
}

// rolloutComplete follows the Deployment controller's own signal: Progressing True with
// reason NewReplicaSetAvailable.
func rolloutComplete(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing {
			return c.Status == corev1.ConditionTrue && c.Reason == "NewReplicaSetAvailable"
		}
	}
	return false
}

// Implements STATUS-002, STATUS-003, STATUS-005, STATUS-006 (upstream COND-DG-01..03).
func degraded(in Inputs, av operatorv1.OperatorCondition) operatorv1.OperatorCondition {
	switch {
	case in.State == operatorv1.Unmanaged:
		return Cond(TypeDegraded, operatorv1.ConditionFalse, "Unmanaged", unmanagedMsg)
	case in.PermanentReason != "":
		return Cond(TypeDegraded, operatorv1.ConditionTrue, in.PermanentReason, "Error: "+in.ApplyErr.Error())
	case in.State == operatorv1.Removed:
		return Cond(TypeDegraded, operatorv1.ConditionFalse, "Removed", "The registry is removed")
	}
	if av.Status != operatorv1.ConditionTrue {
		// Unavailable wins over a stalled rollout (STATUS-006): with no replica available
		// only the 5-minute rule can make the registry Degraded.
		// Measure from when Available last left True; a new non-True streak starts now.
		since := in.Now
		if prev := Find(in.Previous, TypeAvailable); prev != nil && prev.Status != operatorv1.ConditionTrue {
			since = prev.LastTransitionTime.Time
		}
		if in.Now.Sub(since) > UnavailableGrace {
			return Cond(TypeDegraded, operatorv1.ConditionTrue, "Unavailable", av.Message)
		}
		return Cond(TypeDegraded, operatorv1.ConditionFalse, "", "")
	}
	if d := in.Deployment; d != nil && !rolloutComplete(d) {
		// A rollout that timed out while the registry is still available.
		for _, c := range d.Status.Conditions {
			if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
				return Cond(TypeDegraded, operatorv1.ConditionTrue, "ProgressDeadlineExceeded", "Registry deployment has timed out progressing: "+c.Message)
			}
		}
	}
	if in.Deployment != nil && rolloutComplete(in.Deployment) {
		if msg := RoutesNotAdmitted(in.Routes); msg != "" {
			return Cond(TypeDegraded, operatorv1.ConditionTrue, "RouteDegraded", msg)
		}
	}
	return Cond(TypeDegraded, operatorv1.ConditionFalse, "", "")
}

// Implements STATUS-003 (upstream COND-RM-01).
func removed(in Inputs) operatorv1.OperatorCondition {
	if in.State == operatorv1.Removed {
		return Cond(TypeRemoved, operatorv1.ConditionTrue, "Removed", "The registry is removed")
	}
	return Cond(TypeRemoved, operatorv1.ConditionFalse, "", "")
}

// Find returns the condition of type t, or nil.
func Find(conds []operatorv1.OperatorCondition, t string) *operatorv1.OperatorCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// Merge writes updates into existing conditions the way upstream does: lastTransitionTime
// changes only when the status changes, reason and message are overwritten in place, new
// types are appended. Existing conditions of other types are kept.
func Merge(existing []operatorv1.OperatorCondition, updates []operatorv1.OperatorCondition, now time.Time) []operatorv1.OperatorCondition {
	out := append([]operatorv1.OperatorCondition(nil), existing...)
	for _, u := range updates {
		if c := Find(out, u.Type); c != nil {
			if c.Status != u.Status {
				c.LastTransitionTime.Time = now
			}
			c.Status, c.Reason, c.Message = u.Status, u.Reason, u.Message
			continue
		}
		u.LastTransitionTime.Time = now
		out = append(out, u)
	}
	return out
}

// RoutesNotAdmitted names every router that has not admitted one of routes: "route <name>
// (host <host>, router <router>) not admitted: <message>", joined with ",". Empty when all
// are admitted (or not yet seen by any router). A registry that is otherwise healthy is
// Degraded with reason RouteDegraded and this message.
// Implements STATUS-012.
func RoutesNotAdmitted(routes []routev1.Route) string {
	var out []string
	for _, rt := range routes {
		for _, in := range rt.Status.Ingress {
			for _, c := range in.Conditions {
				if c.Type == routev1.RouteAdmitted && c.Status != corev1.ConditionTrue {
					out = append(out, fmt.Sprintf("route %s (host %s, router %s) not admitted: %s", rt.Name, in.Host, in.RouterName, c.Message))
				}
			}
		}
	}
	return strings.Join(out, ",")
}
