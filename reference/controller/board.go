package controller

import (
	"slices"
	"sync"

	operatorv1 "github.com/openshift/api/operator/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"
)

// BoardKey is the Config controller's work item that writes the board's conditions into the
// Config's status, apart from a sync (its own key: a sync's failure backoff is not held up
// by it, and it touches no storage).
const BoardKey = "condition-board"

// ConditionBoard is where the operator's side controllers (node-ca, certificates) leave the
// conditions they report in the Config's status. The Config controller writes them: in its
// sync's status write, and in a BoardKey work item when only they changed.
//
// Why one writer: when each controller wrote the Config's status itself, their writes and
// the sync's raced, about three 409 Conflicts per start of the registry, each redone with a
// GET and a second write (and a sync's spec write that lost one redid its whole write-back).
// One controller has one worker, so its writes never race each other.
type ConditionBoard struct {
	mu    sync.Mutex
	conds []operatorv1.OperatorCondition
	wake  chan event.GenericEvent
}

// NewConditionBoard returns an empty board.
func NewConditionBoard() *ConditionBoard {
	// One pending wake is enough: the work item reads the board as it is when it runs.
	return &ConditionBoard{wake: make(chan event.GenericEvent, 1)}
}

// Post records conds (by type; other types stay) and wakes the writer when any changed.
func (b *ConditionBoard) Post(conds ...operatorv1.OperatorCondition) {
	b.mu.Lock()
	changed := false
	for _, c := range conds {
		// The board keeps no times: the writer stamps a transition when it merges the
		// condition into the Config (status.Merge).
		c.LastTransitionTime = metav1.Time{}
		i := slices.IndexFunc(b.conds, func(o operatorv1.OperatorCondition) bool { return o.Type == c.Type })
		switch {
		case i < 0:
			b.conds = append(b.conds, c)
			changed = true
		case b.conds[i] != c:
			b.conds[i] = c
			changed = true
		}
	}
	b.mu.Unlock()
	if !changed {
		return
	}
	select {
	case b.wake <- event.GenericEvent{}:
	default: // a wake is already pending
	}
}

// Conditions are the posted conditions (nil on a nil board: a Config controller without
// side controllers, as in unit tests).
func (b *ConditionBoard) Conditions() []operatorv1.OperatorCondition {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.conds)
}

// Wakes delivers an event when a posted condition changed: the source of the Config
// controller's BoardKey work item.
func (b *ConditionBoard) Wakes() <-chan event.GenericEvent {
	return b.wake
}
