// Package expect is the one implementation of "eventually matches" shared by the Go specs
// and the YAML scenarios. Waits are watch-driven: a check is re-evaluated whenever an
// informer sees a change to any watched kind, so a wait ends within milliseconds of the
// operator's write, with no fixed sleeps and no busy polling of the API server.
package expect

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
}

// NewWatcher starts informers for kinds and returns once they are synced.
func NewWatcher(ctx context.Context, cfg *rest.Config, s *runtime.Scheme, kinds []client.Object) (*Watcher, error) {
	// Only the namespaces the operator works in (cluster-scoped kinds are unaffected): on a
	// live cluster, caching every Secret in every namespace would be heavy and intrusive.
	c, err := cache.New(cfg, cache.Options{Scheme: s, DefaultNamespaces: map[string]cache.Config{
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
			AddFunc:    func(any) { w.notify() },
			UpdateFunc: func(any, any) { w.notify() },
			DeleteFunc: func(any) { w.notify() },
		}); err != nil {
			return nil, err
		}
		out[k] = inf
	}
	return out, nil
}

func (w *Watcher) notify() {
	w.mu.Lock()
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
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
