package harness

import (
	"context"
	"sync"
	"time"

	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// sharedCache hands the in-process operator the harness's long-running, already-synced
// informer cache instead of a new one. Why: a manager's own cache pays client-go's 100 ms
// sync polling several times over (~300-400 ms per start), and the suite restarts the
// operator for every spec. What the operator sees is the same as after a fresh list (the
// cache mirrors the API server); new event handlers get the current objects replayed as
// adds, exactly as after a restart. Handlers the operator registers are removed when it
// stops, so no dead controller keeps listening.
type sharedCache struct {
	cache.Cache

	mu   sync.Mutex
	regs []registration
}

type registration struct {
	h  toolscache.ResourceEventHandlerRegistration
	rm func(toolscache.ResourceEventHandlerRegistration) error
}

func newSharedCache(c cache.Cache) *sharedCache { return &sharedCache{Cache: c} }

// Start does not start the shared cache (the harness owns it); it waits for the operator to
// stop, then unregisters the operator's handlers.
func (s *sharedCache) Start(ctx context.Context) error {
	<-ctx.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.regs {
		_ = r.rm(r.h)
	}
	s.regs = nil
	return nil
}

func (s *sharedCache) GetInformer(ctx context.Context, obj client.Object, opts ...cache.InformerGetOption) (cache.Informer, error) {
	i, err := s.Cache.GetInformer(ctx, obj, opts...)
	if err != nil {
		return nil, err
	}
	return &trackedInformer{Informer: i, owner: s}, nil
}

type trackedInformer struct {
	cache.Informer
	owner *sharedCache
}

func (t *trackedInformer) track(h toolscache.ResourceEventHandlerRegistration, err error) (toolscache.ResourceEventHandlerRegistration, error) {
	if err != nil {
		return h, err
	}
	t.owner.mu.Lock()
	t.owner.regs = append(t.owner.regs, registration{h: h, rm: t.Informer.RemoveEventHandler})
	t.owner.mu.Unlock()
	return syncedSoon{h}, nil
}

// RemoveEventHandler takes the registrations track handed out.
func (t *trackedInformer) RemoveEventHandler(h toolscache.ResourceEventHandlerRegistration) error {
	if s, ok := h.(syncedSoon); ok {
		h = s.ResourceEventHandlerRegistration
	}
	return t.Informer.RemoveEventHandler(h)
}

// syncedSoon is a handler registration whose HasSynced waits a moment for the replay of
// the cache's current objects to the new handler. Why: a controller starting on an
// already-synced cache asks HasSynced at once and, the replay still under way, again only
// 100 ms later (client-go's fixed poll), so every operator start cost ~100 ms of nothing.
// The replay itself takes about a millisecond.
type syncedSoon struct {
	toolscache.ResourceEventHandlerRegistration
}

// syncedSoonWait bounds the wait; past it HasSynced answers as it is, and the caller polls.
const syncedSoonWait = 50 * time.Millisecond

func (s syncedSoon) HasSynced() bool {
	deadline := time.Now().Add(syncedSoonWait)
	for !s.ResourceEventHandlerRegistration.HasSynced() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

func (t *trackedInformer) AddEventHandler(h toolscache.ResourceEventHandler) (toolscache.ResourceEventHandlerRegistration, error) {
	return t.track(t.Informer.AddEventHandler(h))
}

func (t *trackedInformer) AddEventHandlerWithResyncPeriod(h toolscache.ResourceEventHandler, p time.Duration) (toolscache.ResourceEventHandlerRegistration, error) {
	return t.track(t.Informer.AddEventHandlerWithResyncPeriod(h, p))
}

func (t *trackedInformer) AddEventHandlerWithOptions(h toolscache.ResourceEventHandler, o toolscache.HandlerOptions) (toolscache.ResourceEventHandlerRegistration, error) {
	return t.track(t.Informer.AddEventHandlerWithOptions(h, o))
}
