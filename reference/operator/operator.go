// Package operator wires the reference operator's reconcilers into a controller-runtime
// manager. The same code runs in-process under envtest and as `irconform operator
// --kubeconfig` against any cluster.
package operator

import (
	"context"
	"fmt"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/go-logr/logr"

	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/reference/controller"
	"github.com/irconform/irconform/reference/render"
)

// Options configure one operator instance.
type Options struct {
	Settings controller.Settings
	// LeaderElection makes several replicas safe against a real cluster.
	LeaderElection bool
	// MetricsAddr serves controller-runtime metrics; "" or "0" disables them.
	MetricsAddr string
	Logger      logr.Logger
	// NewCache, when set, replaces the manager's informer cache (the test harness shares its
	// already-synced cache across operator restarts).
	NewCache cache.NewCacheFunc
}

// New builds the manager with every reconciler registered; Start it to run.
func New(cfg *rest.Config, opts Options) (manager.Manager, error) {
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	metricsAddr := opts.MetricsAddr
	if metricsAddr == "" {
		metricsAddr = "0"
	}
	skipNameValidation := true
	mgr, err := ctrl.NewManager(cfg, manager.Options{
		Scheme:                  s,
		Logger:                  opts.Logger,
		Metrics:                 metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress:  "0",
		LeaderElection:          opts.LeaderElection,
		LeaderElectionID:        "openshift-master-controllers",
		LeaderElectionNamespace: render.Namespace,
		// The operator only looks at its own namespaces; cluster-scoped objects are unaffected.
		Cache: cache.Options{DefaultNamespaces: map[string]cache.Config{
			render.Namespace: {}, render.ConfigNamespace: {}, render.ConfigManagedNamespace: {},
		}},
		NewCache: opts.NewCache,
		// Several operator instances live in one test process over time.
		Controller: config.Controller{SkipNameValidation: &skipNameValidation},
	})
	if err != nil {
		return nil, fmt.Errorf("creating manager: %w", err)
	}
	if err := register(mgr, opts.Settings); err != nil {
		return nil, err
	}
	return mgr, nil
}

// Run starts the operator and blocks until ctx ends.
func Run(ctx context.Context, cfg *rest.Config, opts Options) error {
	mgr, err := New(cfg, opts)
	if err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// ExtraControllers are registered after the core ones; controllers in their own files
// (image config status, trusted CAs, alerts) append here from init.
var ExtraControllers []func(mgr manager.Manager, settings controller.Settings) error

// DefaultSwiftProbe is used when Settings.SwiftProbe is nil (set by the Swift backend).
var DefaultSwiftProbe func(ctx context.Context, c client.Client, infra *configv1.Infrastructure) bool

// singleton maps every event to the one object a controller reconciles.
func singleton(name string) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(context.Context, client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: name}}}
	})
}

func register(mgr manager.Manager, settings controller.Settings) error {
	c := mgr.GetClient()
	if settings.SwiftProbe == nil {
		settings.SwiftProbe = DefaultSwiftProbe
	}
	cfgR := &controller.ConfigReconciler{Client: c, Events: mgr.GetEventRecorder("image-registry-operator"), Settings: settings}
	b := ctrl.NewControllerManagedBy(mgr).Named("imageregistry-config").
		Watches(&imageregistryv1.Config{}, singleton(render.ConfigName))
	for _, o := range []client.Object{&configv1.Infrastructure{}, &configv1.Proxy{}, &appsv1.Deployment{}, &corev1.Service{},
		&corev1.Secret{}, &corev1.ServiceAccount{}, &corev1.ConfigMap{}, &corev1.PersistentVolumeClaim{},
		&policyv1.PodDisruptionBudget{}, &routev1.Route{}, &rbacv1.ClusterRole{}, &rbacv1.ClusterRoleBinding{}} {
		b = b.Watches(o, singleton(render.ConfigName))
	}
	if err := b.Complete(cfgR); err != nil {
		return fmt.Errorf("registering config controller: %w", err)
	}

	coR := &controller.ClusterOperatorReconciler{Client: c, Settings: settings}
	b = ctrl.NewControllerManagedBy(mgr).Named("clusteroperator").
		Watches(&imageregistryv1.Config{}, singleton(render.ClusterOperatorName))
	for _, o := range []client.Object{&imageregistryv1.ImagePruner{}, &configv1.ClusterOperator{}, &appsv1.Deployment{}} {
		b = b.Watches(o, singleton(render.ClusterOperatorName))
	}
	if err := b.Complete(coR); err != nil {
		return fmt.Errorf("registering clusteroperator controller: %w", err)
	}

	prR := &controller.PrunerReconciler{Client: c, Settings: settings}
	b = ctrl.NewControllerManagedBy(mgr).Named("imagepruner").
		Watches(&imageregistryv1.ImagePruner{}, singleton(render.PrunerName))
	for _, o := range []client.Object{&imageregistryv1.Config{}, &batchv1.CronJob{}, &batchv1.Job{}} {
		b = b.Watches(o, singleton(render.PrunerName))
	}
	if err := b.Complete(prR); err != nil {
		return fmt.Errorf("registering pruner controller: %w", err)
	}
	for _, add := range ExtraControllers {
		if err := add(mgr, settings); err != nil {
			return err
		}
	}
	return nil
}
