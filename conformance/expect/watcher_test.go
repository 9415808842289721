package expect

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func newTestWatcher() *Watcher { return &Watcher{changed: make(chan struct{})} }

// TestChangesBetween: every event is logged with its kind and key; the log answers by time
// and keeps the newest changeLogSize events.
func TestChangesBetween(t *testing.T) {
	w := newTestWatcher()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "a"}}
	start := time.Now()
	w.record(cm, "added")
	mid := time.Now()
	w.record(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "b"}}, "updated")
	got := w.ChangesBetween(start, time.Now().Add(time.Millisecond))
	if len(got) != 2 || got[0].String() != "ConfigMap ns/a added" || got[1].String() != "Secret ns/b updated" {
		t.Fatalf("changes %v, want ConfigMap ns/a added, Secret ns/b updated", got)
	}
	if later := w.ChangesBetween(time.Now().Add(time.Millisecond), time.Now().Add(time.Hour)); len(later) != 0 {
		t.Errorf("changes after the last event: %v, want none", later)
	}
	if first := w.ChangesBetween(start, mid); len(first) != 1 {
		t.Errorf("changes before the second event: %v, want only the first", first)
	}
	for range changeLogSize {
		w.record(cm, "updated")
	}
	all := w.ChangesBetween(start, time.Now().Add(time.Millisecond))
	if len(all) != changeLogSize || all[0].Type != "updated" {
		t.Errorf("after %d more events the log holds %d, first %v; want the newest %d", changeLogSize, len(all), all[0], changeLogSize)
	}
}

// TestSettle: Settle returns once nothing changed for the quiet time, and gives up at the
// timeout while changes keep coming.
func TestSettle(t *testing.T) {
	w := newTestWatcher()
	if !w.Settle(context.Background(), 10*time.Millisecond, time.Second) {
		t.Error("Settle on a still cluster: false, want true")
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				w.record(&corev1.ConfigMap{}, "updated")
			}
		}
	}()
	// The quiet window is far longer than the timeout, so the answer cannot depend on how the
	// scheduler spaces the changes on a loaded machine (a 50 ms window once saw a 100 ms gap).
	start := time.Now()
	if w.Settle(context.Background(), time.Hour, 200*time.Millisecond) {
		t.Error("Settle while changes keep coming: true, want false at the timeout")
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("Settle gave up after %s, want the 200ms timeout", took)
	}
}
