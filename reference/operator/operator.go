// Package operator wires the reference operator's reconcilers into a controller-runtime
// manager. The same code runs in-process under envtest and as `irconform operator
// --kubeconfig` against any cluster.
//
// All wiring is written out here, in two lists: Drivers (the storage backends) and
// Controllers (every reconciler with what wakes it). Nothing registers itself from init.
// Adding a backend or a controller is one entry in one of those lists.
package operator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	crcontroller "sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/reference/controller"
	"github.com/irconform/irconform/reference/metrics"
	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
	"github.com/irconform/irconform/reference/storage/swift"
)

// Options configure one operator instance.
type Options struct {
	Settings controller.Settings
	// Drivers replaces the storage backends (nil: Drivers()); tests run the operator with
	// fewer or fake ones.
	Drivers storage.Drivers
	// LeaderElection makes several replicas safe against a real cluster.
	LeaderElection bool
	// MetricsAddr serves the operator's metrics (upstream names, plus controller-runtime's) at
	// /metrics; "" or "0" disables them.
	MetricsAddr string
	Logger      logr.Logger
	// NewCache, when set, replaces the manager's informer cache (the test harness shares its
	// already-synced cache across operator restarts).
	NewCache cache.NewCacheFunc
	// NewRESTMapper, when set, replaces the manager's REST mapper (the test harness shares one
	// across operator restarts: a fresh one reads discovery, /api and /apis, on every start).
	NewRESTMapper func(*rest.Config, *http.Client) (meta.RESTMapper, error)
}

// New builds the manager with every controller of Controllers registered; Start it to run.
func New(cfg *rest.Config, opts Options) (manager.Manager, error) {
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	skipNameValidation := true
	mgr, err := ctrl.NewManager(cfg, manager.Options{
		Scheme: s,
		Logger: opts.Logger,
		// The operator serves its metrics itself (metricsServer), controller-runtime's among them.
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		LeaderElection:          opts.LeaderElection,
		LeaderElectionID:        "openshift-master-controllers",
		LeaderElectionNamespace: render.Namespace,
		// The operator only looks at its own namespaces; cluster-scoped objects are unaffected.
		Cache: cache.Options{DefaultNamespaces: map[string]cache.Config{
			render.Namespace: {}, render.ConfigNamespace: {}, render.ConfigManagedNamespace: {},
		}},
		NewCache:       opts.NewCache,
		MapperProvider: opts.NewRESTMapper,
		// The ServiceMonitors are unstructured (their types are the monitoring stack's, not in
		// the scheme) and their controller already watches them: read them from that cache
		// too, instead of a live GET on every sync.
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}},
		// Several operator instances live in one test process over time.
		Controller: config.Controller{SkipNameValidation: &skipNameValidation},
	})
	if err != nil {
		return nil, fmt.Errorf("creating manager: %w", err)
	}
	settings, drivers := opts.withDefaults()
	for _, c := range Controllers(mgr.GetClient(), mgr.GetAPIReader(), mgr.GetEventRecorder("image-registry-operator"), settings, drivers) {
		if err := add(mgr, c); err != nil {
			return nil, err
		}
	}
	if opts.MetricsAddr != "" && opts.MetricsAddr != "0" {
		if err := mgr.Add(metricsServer(opts.MetricsAddr, settings.Metrics)); err != nil {
			return nil, fmt.Errorf("adding the metrics server: %w", err)
		}
	}
	return mgr, nil
}

// withDefaults fills what Options leave open: upstream's Swift probe and every driver.
func (opts Options) withDefaults() (controller.Settings, storage.Drivers) {
	settings := opts.Settings
	if settings.Metrics == nil {
		// One recorder per operator: its metrics are this instance's (METRICS-003).
		settings.Metrics = metrics.New()
	}
	if settings.SwiftProbe == nil {
		// Bootstrap picks Swift on OpenStack only when the cloud's Keystone catalog has an
		// object-store endpoint (SWIFT-004, BOOT-004).
		settings.SwiftProbe = swift.Probe
	}
	drivers := opts.Drivers
	if drivers == nil {
		drivers = Drivers()
	}
	return settings, drivers
}

// Run starts the operator and blocks until ctx ends.
func Run(ctx context.Context, cfg *rest.Config, opts Options) error {
	mgr, err := New(cfg, opts)
	if err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// Controller is one reconciler and what wakes it. Every controller of the operator keeps
// one singleton, so every watched event maps to the same request: the object named Key.
type Controller struct {
	// Name names the controller in logs and metrics (unique in the manager).
	Name       string
	Key        string
	Reconciler reconcile.Reconciler
	// Watches are the kinds whose events wake the controller. The Infrastructure and Config
	// watches also give it an initial event at start, when none of its own objects exist.
	Watches []client.Object
	// Sources are wake-ups from inside the operator (the condition board), each mapping to
	// its own request.
	Sources []source.Source
	// Backoff spaces the retries after a failed reconcile (zero fields: upstream's delays).
	Backoff controller.Backoff
}

// add registers c with mgr.
func add(mgr manager.Manager, c Controller) error {
	b := ctrl.NewControllerManagedBy(mgr).Named(c.Name).
		WithOptions(crcontroller.Options{RateLimiter: rateLimiter(c.Backoff)})
	for _, o := range c.Watches {
		b = b.Watches(o, singleton(c.Key))
	}
	for _, src := range c.Sources {
		b = b.WatchesRawSource(src)
	}
	if err := b.Complete(c.Reconciler); err != nil {
		return fmt.Errorf("registering %s controller: %w", c.Name, err)
	}
	return nil
}

// singleton maps every event to the one object a controller reconciles.
func singleton(name string) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(context.Context, client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: name}}}
	})
}

// metricsServer serves rec (and controller-runtime's registry) at /metrics on addr until the
// manager stops. It runs on every replica, leader or not, as upstream's does.
func metricsServer(addr string, rec *metrics.Recorder) manager.Runnable {
	return manager.RunnableFunc(func(ctx context.Context) error {
		mux := http.NewServeMux()
		mux.Handle(render.OperatorMetricsPath, rec.Handler(ctrlmetrics.Registry))
		srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("metrics server: %w", err)
		}
		go func() {
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdown)
		}()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("metrics server: %w", err)
		}
		return nil
	})
}
