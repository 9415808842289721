package controller

import (
	"context"
	"sync/atomic"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

var nodeCAUp = operatorv1.OperatorCondition{Type: NodeCAAvailableType, Status: T, Reason: "AsExpected", Message: nodeCAMsgAvailable}

// TestBoardWakesOnlyOnChange: posting what is already there wakes nobody; a change wakes
// the writer once however many posts pile up before it runs.
func TestBoardWakesOnlyOnChange(t *testing.T) {
	b := NewConditionBoard()
	b.Post(nodeCAUp)
	if len(b.wake) != 1 {
		t.Fatalf("pending wakes after a first post: %d, want 1", len(b.wake))
	}
	<-b.wake
	b.Post(nodeCAUp)
	if len(b.wake) != 0 {
		t.Errorf("pending wakes after posting the same condition: %d, want 0", len(b.wake))
	}
	down := nodeCAUp
	down.Status, down.Message = F, nodeCAMsgUnavailable
	b.Post(down)
	b.Post(nodeCAUp)
	if len(b.wake) != 1 {
		t.Errorf("pending wakes after two changes: %d, want 1", len(b.wake))
	}
	if got := b.Conditions(); len(got) != 1 || got[0] != nodeCAUp {
		t.Errorf("board holds %+v, want only the latest %s", got, NodeCAAvailableType)
	}
}

// TestBoardItemWritesOnlyTheBoard: the BoardKey work item writes the board's conditions
// into the Config's status, keeps the sync's, and touches neither storage nor the spec.
func TestBoardItemWritesOnlyTheBoard(t *testing.T) {
	cfg := configWith(operatorv1.Managed, func(c *imageregistryv1.Config) {
		c.Status.Conditions = []operatorv1.OperatorCondition{{Type: "Available", Status: T, Reason: "Ready"}}
	})
	var specWrites atomic.Int32
	c := interceptor.NewClient(world(t, infraOn(configv1.AWSPlatformType), cfg).(client.WithWatch), interceptor.Funcs{
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			specWrites.Add(1)
			return c.Update(ctx, obj, opts...)
		},
	})
	board := NewConditionBoard()
	board.Post(nodeCAUp)
	d := fakeDriver{}
	r := &ConfigReconciler{Client: c, Board: board, Drivers: d.drivers()}
	if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Name: BoardKey}}); err != nil {
		t.Fatalf("board item: %v", err)
	}
	expectConds(t, "configs/cluster", getConfig(t, c).Status.Conditions, map[string]cond{
		NodeCAAvailableType: {T, "AsExpected", nodeCAMsgAvailable},
		"Available":         {T, "Ready", ""},
	})
	if len(d.calls) != 0 || specWrites.Load() != 0 {
		t.Errorf("board item: storage calls %v and %d spec writes, want none", d.calls, specWrites.Load())
	}
}

// TestSyncWritesTheBoardWithItsOwn: a sync's status write carries the board's conditions,
// so the board item that follows finds nothing left to write.
func TestSyncWritesTheBoardWithItsOwn(t *testing.T) {
	var statusWrites atomic.Int32
	c := interceptor.NewClient(world(t, infraOn(configv1.AWSPlatformType), append(registryObjects(), configWith(operatorv1.Managed))...).(client.WithWatch), interceptor.Funcs{
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			statusWrites.Add(1)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	})
	board := NewConditionBoard()
	board.Post(nodeCAUp)
	d := fakeDriver{}
	r := &ConfigReconciler{Client: c, Board: board, Drivers: d.drivers()}
	if _, err := reconcileOnce(t, r); err != nil {
		t.Fatalf("sync: %v", err)
	}
	expectConds(t, "configs/cluster", getConfig(t, c).Status.Conditions, map[string]cond{
		NodeCAAvailableType: {T, "AsExpected", nodeCAMsgAvailable},
	})
	before := statusWrites.Load()
	if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Name: BoardKey}}); err != nil {
		t.Fatalf("board item: %v", err)
	}
	if n := statusWrites.Load() - before; n != 0 {
		t.Errorf("board item after a sync: %d status writes, want 0 (the sync wrote the board)", n)
	}
}
