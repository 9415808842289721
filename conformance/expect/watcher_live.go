package expect

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// NewBoundedWatcher is NewWatcher for a cluster the suite does not own: it waits at most
// syncTimeout for the informers and then names the kinds that never synced (an account that
// may not list or watch a kind leaves its informer retrying forever, which must not hang a
// run). Reads of kinds it does not watch fail at once instead of starting an informer.
func NewBoundedWatcher(ctx context.Context, cfg *rest.Config, s *runtime.Scheme, kinds []client.Object, syncTimeout time.Duration) (*Watcher, error) {
	c, err := cache.New(cfg, cache.Options{Scheme: s, ReaderFailOnMissingInformer: true, DefaultNamespaces: map[string]cache.Config{
		"openshift-image-registry": {}, "openshift-config": {}, "openshift-config-managed": {},
	}})
	if err != nil {
		return nil, fmt.Errorf("creating watch cache: %w", err)
	}
	// The informers live as long as ctx, or end here when they cannot sync.
	cacheCtx, stop := context.WithCancel(ctx)
	w := &Watcher{cache: c, changed: make(chan struct{}), stop: stop}
	infs, err := w.addInformers(cacheCtx, kinds)
	if err != nil {
		stop()
		return nil, err
	}
	go func() { _ = c.Start(cacheCtx) }()
	deadline := time.Now().Add(syncTimeout)
	for {
		var pending []string
		for k, inf := range infs {
			if !inf.HasSynced() {
				pending = append(pending, fmt.Sprintf("%T", k))
			}
		}
		if len(pending) == 0 {
			return w, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			sort.Strings(pending)
			return nil, fmt.Errorf("could not list and watch %s within %s (does this account lack list/watch on them?)", strings.Join(pending, ", "), syncTimeout)
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}
