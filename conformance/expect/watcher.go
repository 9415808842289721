// Package expect is the one implementation of "eventually matches" shared by the Go specs
// and the YAML scenarios. Waits are watch-driven: a check is re-evaluated whenever an
// informer sees a change to any watched kind, so a wait ends within milliseconds of the
// operator's write, with no fixed sleeps and no busy polling of the API server.
package expect

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/internal/restmapper"
)

// DefaultTimeout bounds a wait unless a spec says otherwise.
const DefaultTimeout = 10 * time.Second

// fallbackPoll re-checks even without events, in case a check reads something unwatched.
const fallbackPoll = 250 * time.Millisecond

// Watcher is an informer cache over the kinds specs look at, with change notification.
type Watcher struct {
	cache cache.Cache
	// stop ends a bounded watcher's informers (nil: they end with the context they got).
	stop context.CancelFunc

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every event
	// log holds the last changeLogSize changes, oldest first from logNext on.
	log     [changeLogSize]Change
	logNext int
	logLen  int
}

// changeLogSize bounds the change log: far more than one spec makes.
const changeLogSize = 4096

// Change is one event the watch cache saw.
type Change struct {
	At time.Time
	// Kind is the object's Go type name ("Config", "ConfigMap"); Namespace/Name its key.
	Kind, Namespace, Name string
	// Type is "added", "updated" or "deleted".
	Type string
}

func (c Change) String() string {
	key := c.Name
	if c.Namespace != "" {
		key = c.Namespace + "/" + c.Name
	}
	return fmt.Sprintf("%s %s %s", c.Kind, key, c.Type)
}

// NewWatcher starts informers for kinds and returns once they are synced.
func NewWatcher(ctx context.Context, cfg *rest.Config, s *runtime.Scheme, kinds []client.Object) (*Watcher, error) {
	// Only the namespaces the operator works in (cluster-scoped kinds are unaffected): on a
	// live cluster, caching every Secret in every namespace would be heavy and intrusive.
	mapper, err := restmapper.ForConfig(cfg)
	if err != nil {
		return nil, err
	}
	c, err := cache.New(cfg, cache.Options{Scheme: s, Mapper: mapper, DefaultNamespaces: map[string]cache.Config{
		"openshift-image-registry": {}, "openshift-config": {}, "openshift-config-managed": {},
	}})
	if err != nil {
		return nil, fmt.Errorf("creating watch cache: %w", err)
	}
	w := &Watcher{cache: c, changed: make(chan struct{})}
	if _, err := w.addInformers(ctx, kinds); err != nil {
		return nil, err
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("watch cache did not sync")
	}
	return w, nil
}

// addInformers starts an informer per kind the cluster serves, each notifying w on change.
func (w *Watcher) addInformers(ctx context.Context, kinds []client.Object) (map[client.Object]cache.Informer, error) {
	out := map[client.Object]cache.Informer{}
	for _, k := range kinds {
		inf, err := w.cache.GetInformer(ctx, k)
		if meta.IsNoMatchError(err) {
			continue // the cluster does not serve this kind (e.g. no PrometheusRule CRD)
		}
		if err != nil {
			return nil, fmt.Errorf("informer for %T: %w", k, err)
		}
		if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    func(o any) { w.record(o, "added") },
			UpdateFunc: func(_, o any) { w.record(o, "updated") },
			DeleteFunc: func(o any) { w.record(o, "deleted") },
		}); err != nil {
			return nil, err
		}
		out[k] = inf
	}
	return out, nil
}

// record logs one event and wakes every waiter.
func (w *Watcher) record(o any, typ string) {
	c := Change{At: time.Now(), Type: typ}
	if d, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
		o = d.Obj
	}
	if obj, ok := o.(client.Object); ok {
		c.Kind = reflect.TypeOf(obj).Elem().Name()
		c.Namespace, c.Name = obj.GetNamespace(), obj.GetName()
	}
	w.mu.Lock()
	w.log[w.logNext] = c
	w.logNext = (w.logNext + 1) % changeLogSize
	w.logLen = min(w.logLen+1, changeLogSize)
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
}

// Settle waits until the watch cache has seen no change for quiet, or until timeout passes
// (then it returns false): for a step that needs the cluster to have stopped moving, such
// as the operator's start-up writes having run their course.
func (w *Watcher) Settle(ctx context.Context, quiet, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		t := time.NewTimer(quiet)
		select {
		case <-t.C:
			return true
		case <-w.next():
			t.Stop()
		case <-deadline.C:
			t.Stop()
			return false
		case <-ctx.Done():
			t.Stop()
			return false
		}
	}
}

// ChangesBetween lists the changes the watch cache saw at or after from and before to:
// what may have woken a controller watching the same kinds in that time.
func (w *Watcher) ChangesBetween(from, to time.Time) []Change {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Change
	for i := 0; i < w.logLen; i++ {
		c := w.log[(w.logNext-w.logLen+i+changeLogSize)%changeLogSize]
		if !c.At.Before(from) && c.At.Before(to) {
			out = append(out, c)
		}
	}
	return out
}

func (w *Watcher) next() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

// Cache is the underlying informer cache (the harness shares it with the in-process operator).
func (w *Watcher) Cache() cache.Cache { return w.cache }

// Reader reads from the watch cache.
func (w *Watcher) Reader() client.Reader { return w.cache }

// Until re-runs check on every change until it returns nil, or the timeout passes; then it
// returns check's last error (what was still wrong).
func (w *Watcher) Until(ctx context.Context, timeout time.Duration, check func(ctx context.Context, r client.Reader) error) error {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(fallbackPoll)
	defer ticker.Stop()
	for {
		// Take the channel before checking, so a change during the check is not missed.
		ch := w.next()
		err := check(ctx, w.cache)
		if err == nil {
			return nil
		}
		select {
		case <-ch:
		case <-ticker.C:
		case <-ctx.Done():
			if err2 := check(context.WithoutCancel(ctx), w.cache); err2 == nil {
				return nil
			} else {
				return fmt.Errorf("still not true after %s: %w", timeout, err2)
			}
		}
	}
}
