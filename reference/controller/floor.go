package controller

import (
	"context"
	"reflect"
	"sync"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// rvFloor is the newest resourceVersion of one object that a controller has written or read
// from the API server. A cached copy older than it predates the controller's own last write:
// acting on it could redo what that write recorded (a second generated bucket name), and
// writing it back only meets a 409 Conflict.
type rvFloor struct {
	mu sync.Mutex
	rv string
	// copy is the object at rv, as written or read (nil when not kept).
	copy client.Object
}

// seen records obj (as the API server answered a write or a read) when it is newer than the
// floor, and keeps a copy of it.
func (f *rvFloor) seen(obj client.Object) {
	rv := obj.GetResourceVersion()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rv != "" {
		if c, err := resourceversion.CompareResourceVersion(rv, f.rv); err != nil || c <= 0 {
			return
		}
	}
	f.rv, f.copy = rv, obj.DeepCopyObject().(client.Object)
}

// copyInto fills obj with the kept object at the floor; false when there is none (or it is
// of another type).
func (f *rvFloor) copyInto(obj client.Object) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.copy == nil {
		return false
	}
	dst, src := reflect.ValueOf(obj), reflect.ValueOf(f.copy.DeepCopyObject())
	if dst.Type() != src.Type() || dst.Kind() != reflect.Pointer {
		return false
	}
	dst.Elem().Set(src.Elem())
	return true
}

// compare compares rv with the floor; ok is false when either does not compare (not an
// integer: an API server that does not promise ordering), and such a copy is never taken
// for fresh. An unset floor is reached by any rv.
func (f *rvFloor) compare(rv string) (c int, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rv == "" {
		return 1, true
	}
	c, err := resourceversion.CompareResourceVersion(rv, f.rv)
	return c, err == nil
}

// set tells whether the floor holds a resourceVersion.
func (f *rvFloor) set() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rv != ""
}

// readFresh reads key into obj from cache when the cached copy is at the floor or newer
// (resourceVersions are ordered integers, KEP-5504's comparison). A cached copy older than
// the floor is replaced by the copy kept at the floor (the controller's own last write: what
// the cache will hold once it catches up), else read from live. A NotFound from the cache is
// confirmed by live when confirmMissing, or when the floor is set (the controller has seen
// the object: the cache may lag its creation).
func readFresh(ctx context.Context, cache, live client.Reader, floor *rvFloor, key client.ObjectKey, obj client.Object, confirmMissing bool) error {
	err := cache.Get(ctx, key, obj)
	if live == nil {
		return err
	}
	if err == nil {
		if c, ok := floor.compare(obj.GetResourceVersion()); ok && (c >= 0 || floor.copyInto(obj)) {
			return nil
		}
	}
	if err != nil && (!apierrors.IsNotFound(err) || (!confirmMissing && !floor.set())) {
		return err
	}
	return readLive(ctx, live, floor, key, obj)
}

// readLive reads key into obj from the API server and raises the floor to it.
func readLive(ctx context.Context, live client.Reader, floor *rvFloor, key client.ObjectKey, obj client.Object) error {
	if err := live.Get(ctx, key, obj); err != nil {
		return err
	}
	floor.seen(obj)
	return nil
}

// readConfig reads the Config a sync acts on: from the cache when it holds the controller's
// own last write or newer, else from the API server (Live). A Config the cache does not have
// is confirmed there too: bootstrap creates storage (a claim) for a Config it is about to
// create.
//
// Why not always from the API server: one GET per sync was about 6 of a registry start's
// 80 requests, and the cache nearly always holds the latest copy already (the controller's
// own write is what woke it).
func (r *ConfigReconciler) readConfig(ctx context.Context, cfg *imageregistryv1.Config) error {
	return readFresh(ctx, r.Client, r.Live, &r.floor, configKey, cfg, true)
}

// readLive reads the Config from the API server (Live when set, else the cache) and raises
// the floor to it.
func (r *ConfigReconciler) readLive(ctx context.Context, cfg *imageregistryv1.Config) error {
	if r.Live == nil {
		return r.Client.Get(ctx, configKey, cfg)
	}
	return readLive(ctx, r.Live, &r.floor, configKey, cfg)
}

// wrote raises the floor to the controller's own write.
func (r *ConfigReconciler) wrote(cfg *imageregistryv1.Config) {
	r.floor.seen(cfg)
}
