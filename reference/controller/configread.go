package controller

import (
	"context"
	"sync"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/resourceversion"
)

// configFloor is the newest resourceVersion of the Config the Config controller has written
// or read from the API server. A cached copy older than it predates the controller's own last
// write: acting on it could redo what that write recorded (a second generated bucket name).
type configFloor struct {
	mu sync.Mutex
	rv string
}

// raise records rv when it is newer than the floor.
func (f *configFloor) raise(rv string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rv == "" {
		f.rv = rv
		return
	}
	if c, err := resourceversion.CompareResourceVersion(rv, f.rv); err == nil && c > 0 {
		f.rv = rv
	}
}

// reached tells whether rv is at the floor or newer. A resourceVersion that does not compare
// (not an integer: an API server that does not promise ordering) never counts as reached, so
// the sync reads from the API server as it always did.
func (f *configFloor) reached(rv string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rv == "" {
		return true
	}
	c, err := resourceversion.CompareResourceVersion(rv, f.rv)
	return err == nil && c >= 0
}

// readConfig reads the Config a sync acts on: from the cache when it holds the controller's
// own last write or newer (resourceVersions are ordered integers, KEP-5504's comparison),
// else from the API server (Live). A Config the cache does not have is confirmed there too:
// bootstrap creates storage (a claim) for a Config it is about to create.
//
// Why not always from the API server: one GET per sync was about 6 of a registry start's
// 80 requests, and the cache nearly always holds the latest copy already (the controller's
// own write is what woke it).
func (r *ConfigReconciler) readConfig(ctx context.Context, cfg *imageregistryv1.Config) error {
	if r.Live == nil {
		return r.Client.Get(ctx, configKey, cfg)
	}
	err := r.Client.Get(ctx, configKey, cfg)
	if err == nil && r.floor.reached(cfg.ResourceVersion) {
		return nil
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return r.readLive(ctx, cfg)
}

// readLive reads the Config from the API server (Live when set, else the cache) and raises
// the floor to it.
func (r *ConfigReconciler) readLive(ctx context.Context, cfg *imageregistryv1.Config) error {
	reader := r.Live
	if reader == nil {
		return r.Client.Get(ctx, configKey, cfg)
	}
	if err := reader.Get(ctx, configKey, cfg); err != nil {
		return err
	}
	r.floor.raise(cfg.ResourceVersion)
	return nil
}

// wrote raises the floor to the controller's own write.
func (r *ConfigReconciler) wrote(cfg *imageregistryv1.Config) {
	r.floor.raise(cfg.ResourceVersion)
}
