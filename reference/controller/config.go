// Package controller holds the reference operator's reconcilers. They read the cluster,
// call the pure render/status/bootstrap functions and write the results; all decisions
// about what objects look like live in those packages.
package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/bootstrap"
	"github.com/irconform/irconform/reference/metrics"
	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/status"
	"github.com/irconform/irconform/reference/storage"
)

// Settings are the operator's own inputs (upstream reads them from its env).
type Settings struct {
	Image          string // registry image (env IMAGE)
	PrunerImage    string // pruner image (env IMAGE_PRUNER)
	OperatorImage  string // the operator's own image (env OPERATOR_IMAGE): node-ca runs it
	ReleaseVersion string // env RELEASE_VERSION
	// StorageEndpoints overrides cloud endpoints per backend (fakes, mirrors).
	StorageEndpoints map[string]string
	// StorageEndpointCAs are PEM bundles trusted for those endpoints (a fake's certificate).
	StorageEndpointCAs map[string][]byte
	// SwiftProbe tells whether the OpenStack cloud has an object-store endpoint (bootstrap
	// picks Swift only then). Nil: no Swift.
	SwiftProbe func(ctx context.Context, c client.Client, infra *configv1.Infrastructure) bool
	// Clock is the operator's one notion of now (nil: time.Now): condition transition times,
	// the 5-minute unavailable window. The suite moves it forward to reach time-based rules
	// such as Degraded after 5 minutes unavailable.
	Clock func() time.Time
	// RetryBackoff spaces the config controller's retries after a failed sync (a storage
	// error, a missing input). Zero fields take upstream's values.
	RetryBackoff Backoff
	// Metrics records the operator's own metrics (nil: none).
	Metrics *metrics.Recorder
	// CloudCalls bounds each cloud SDK call: its own retry pauses and request timeout (zero
	// fields: 1 s and 10 s, the values for real clouds).
	CloudCalls storage.CallLimits
}

// Backoff is a per-item exponential retry delay: Base after the first failure, doubling up
// to Cap.
type Backoff struct {
	Base, Cap time.Duration
}

// Upstream's retry delays (client-go's default controller rate limiter): 5 ms doubling to
// 1000 s.
const (
	DefaultRetryBase = 5 * time.Millisecond
	DefaultRetryCap  = 1000 * time.Second
)

// WithDefaults fills zero fields with upstream's values.
func (b Backoff) WithDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = DefaultRetryBase
	}
	if b.Cap <= 0 {
		b.Cap = DefaultRetryCap
	}
	return b
}

// Now is the operator's clock.
func (s Settings) Now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// ConfigReconciler reconciles configs.imageregistry.operator.openshift.io/cluster and
// everything the registry needs.
type ConfigReconciler struct {
	Client client.Client
	// Live, when set, is where a sync reads the Config when the cache's copy may predate the
	// controller's own last write (see readConfig). Why: a sync acts irreversibly on what it
	// reads (it creates a bucket under a generated name and records the name); on a cached
	// copy from before its own last write it would generate a second name and leak a bucket.
	Live client.Reader
	// floor keeps a sync off cached copies older than its own last write (readConfig).
	floor rvFloor
	// Board holds the node-ca and certificates controllers' conditions; this controller is
	// the Config status's only writer (see ConditionBoard). nil: no side conditions.
	Board    *ConditionBoard
	Events   events.EventRecorder
	Settings Settings
	// Drivers are the storage backends the operator can run (reference/operator wires them).
	Drivers storage.Drivers
	// applier skips Updates that would change nothing (see applier).
	applier applier
}

var configKey = types.NamespacedName{Name: render.ConfigName}

// permanentError is an error retrying cannot fix; it is reported as Degraded with its reason
// and not requeued.
type permanentError struct {
	reason string
	err    error
}

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Reconcile is the whole sync loop for the singleton Config.
//
// Implements MGMT-002, MGMT-003, MGMT-004, MGMT-005, MGMT-006, BOOT-008 (upstream CTRL-02, CTRL-03).
func (r *ConfigReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if req.Name == BoardKey {
		return r.writeBoard(ctx)
	}
	logger := log.FromContext(ctx)
	var cfg imageregistryv1.Config
	if err := r.readConfig(ctx, &cfg); err != nil {
		if apierrors.IsNotFound(err) {
			return r.bootstrap(ctx)
		}
		return reconcile.Result{}, fmt.Errorf("reading Config: %w", err)
	}
	infra, err := r.infrastructure(ctx)
	if err != nil && !apierrors.IsNotFound(err) {
		return reconcile.Result{}, err
	}
	if cfg.DeletionTimestamp != nil {
		return r.finalize(ctx, &cfg, infra)
	}
	if infra != nil && infraUnfilled(infra) {
		// Created, status not written yet (the installer writes it separately): storage is
		// named after the infrastructure name, so acting now would create cloud resources
		// named "-image-registry" that the next sync no longer recognises. The Infrastructure
		// watch wakes the operator when the status lands.
		logger.Info("waiting for infrastructures.config.openshift.io/cluster to report its status")
		return reconcile.Result{}, errors.New("infrastructures.config.openshift.io/cluster has no status yet")
	}

	orig := cfg.DeepCopy()
	controllerutil.AddFinalizer(&cfg, render.Finalizer)
	// spec.observedConfig follows the API server's TLS security profile (upstream's config
	// observer), in every managementState. Why here and not in a controller of its own: its
	// write then raced this sync's on every start (a 409, and a sync whose outcome was read as
	// overtaken by a spec change); here it joins the sync's own spec write-back, and the
	// registry is rendered with it in the same sync.
	apiServer, err := r.apiServer(ctx)
	if err != nil {
		return reconcile.Result{}, err
	}
	observed, err := render.ObservedConfig(apiServer)
	if err != nil {
		return reconcile.Result{}, err
	}
	if !sameJSON(cfg.Spec.ObservedConfig.Raw, observed) {
		cfg.Spec.ObservedConfig = runtime.RawExtension{Raw: observed}
	}
	if cfg.Spec.HTTPSecret == "" {
		if cfg.Spec.HTTPSecret, err = bootstrap.NewHTTPSecret(); err != nil {
			return reconcile.Result{}, err
		}
	}

	var applyErr error
	var storageConds []operatorv1.OperatorCondition
	state := cfg.Spec.ManagementState
	switch state {
	case operatorv1.Managed:
		storageConds, applyErr = r.applyManaged(ctx, &cfg, infra)
	case operatorv1.Removed:
		storageConds, applyErr = r.removeAll(ctx, &cfg, infra)
	case operatorv1.Unmanaged:
		// The user owns everything now: change nothing.
	default:
		logger.Info("unknown managementState, nothing done", "managementState", state)
	}

	// A write that met this operator's own cache lagging behind (see cacheLagError) is not a
	// failure to report: the sync's outcome is written without it, and the next sync redoes
	// the write on the fresh copy.
	var lag *cacheLagError
	cacheLagged := errors.As(applyErr, &lag)
	if cacheLagged {
		logger.Info("a write met the cache lagging behind; syncing again", "reason", applyErr.Error())
		applyErr = nil
	}
	replaced, err := r.writeBack(ctx, &cfg, orig, applyErr, storageConds)
	if err != nil {
		if apierrors.IsConflict(err) || errors.Is(err, errSpecMoved) {
			// The next sync acts on the fresh object; what this sync did is not reported.
			logger.Info("the Config's write-back did not land; syncing again", "reason", err.Error())
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, err
	}
	// Counted once the move is recorded, against the status the write replaced (not the one
	// this sync read: a sync that read a stale copy and redid its write on the fresh object
	// would count a move an earlier sync already recorded).
	if storageReconfigured(replaced.Status.Storage, cfg.Status.Storage) {
		r.Settings.Metrics.StorageReconfigured()
	}
	if cacheLagged {
		return reconcile.Result{Requeue: true}, nil
	}
	var perm *permanentError
	if applyErr != nil && !errors.As(applyErr, &perm) {
		// Transient (a cloud error, a missing input): retry with backoff.
		return reconcile.Result{}, applyErr
	}
	return r.resyncForDegraded(&cfg), nil
}

// infraUnfilled tells an Infrastructure whose status nobody has written yet.
func infraUnfilled(infra *configv1.Infrastructure) bool {
	return infra.Status.PlatformStatus == nil && infra.Status.Platform == "" && infra.Status.InfrastructureName == "" //nolint:staticcheck // the deprecated field counts too
}

// errSpecMoved: the Config's spec changed while a sync acted on the older one; the sync's
// outcome belongs to a spec that is gone, and the next sync acts on the new one.
var errSpecMoved = errors.New("the Config's spec changed during the sync")

// writeBack writes what a sync made of the Config: the spec write-back (defaults, generated
// names, the finalizer), then the status. managementState is the user's: it was read from
// the live object and never assigned.
//
// Why retry a conflict here instead of requeueing the whole sync: a conflict is often not
// about the spec at all (someone else wrote the status or the metadata), while the sync's
// work is done and cannot be redone: a bucket this sync deleted reads as "did not exist" to
// the next sync, and the outcome the user should see ("has been removed") would be lost. So
// the writes are redone on the fresh object, its latest conditions kept, as long as its spec
// (generation) is the one this sync acted on; when the user changed the spec meanwhile, the
// next sync acts on it.
//
// It returns the object the successful write replaced.
func (r *ConfigReconciler) writeBack(ctx context.Context, cfg, orig *imageregistryv1.Config, applyErr error, storageConds []operatorv1.OperatorCondition) (*imageregistryv1.Config, error) {
	synced := cfg.DeepCopy()
	written := orig // the object as the API server holds it, as far as this sync knows
	// actedOn is the generation of the spec this sync acted on: the one it read, then the one
	// its own spec write-back made. Why follow its own write: a status write that conflicts
	// after it (a user's write of the status) must not read the generation the sync itself
	// moved as the user's change, or the sync's outcome ("Creation Successful") is lost.
	actedOn := orig.Generation
	attempt := 0
	err := retry.RetryOnConflict(writeBackRetry, func() error {
		attempt++
		if attempt > 1 {
			var fresh imageregistryv1.Config
			if err := r.readLive(ctx, &fresh); err != nil {
				return err
			}
			if fresh.Generation != actedOn {
				return errSpecMoved
			}
			*cfg = *fresh.DeepCopy()
			cfg.Spec = *synced.Spec.DeepCopy()
			controllerutil.AddFinalizer(cfg, render.Finalizer)
			st := *synced.Status.DeepCopy()
			st.Conditions = fresh.Status.Conditions
			cfg.Status = st
			written = &fresh
		}
		if !equality.Semantic.DeepEqual(written.Spec, cfg.Spec) || !equality.Semantic.DeepEqual(written.Finalizers, cfg.Finalizers) {
			st := cfg.Status
			if err := r.Client.Update(ctx, cfg); err != nil {
				if apierrors.IsConflict(err) {
					return err
				}
				return fmt.Errorf("unable to update config spec: %w", err)
			}
			r.wrote(cfg)
			actedOn = cfg.Generation
			cfg.Status = st
		}
		return r.writeStatus(ctx, cfg, written, applyErr, storageConds)
	})
	return written, err
}

// writeBackRetry bounds writeBack's redos. Why more than client-go's DefaultBackoff (4 tries):
// giving up loses the sync's outcome, and a try only fails when someone else wrote in
// between, so more tries cost nothing on a quiet cluster. (This operator's own controllers
// no longer race it: the Config's status has one writer, see ConditionBoard.)
var writeBackRetry = wait.Backoff{Steps: 12, Duration: 5 * time.Millisecond, Factor: 1.5, Jitter: 0.5, Cap: 250 * time.Millisecond}

// resyncForDegraded schedules a look when the 5-minute "unavailable" window will close, so
// Degraded=Unavailable appears on time without polling.
//
// Implements STATUS-006 (upstream COND-DG-02).
func (r *ConfigReconciler) resyncForDegraded(cfg *imageregistryv1.Config) reconcile.Result {
	av := status.Find(cfg.Status.Conditions, status.TypeAvailable)
	if av == nil || av.Status == operatorv1.ConditionTrue {
		return reconcile.Result{}
	}
	left := av.LastTransitionTime.Add(status.UnavailableGrace).Sub(r.Settings.Now())
	if left < 0 {
		return reconcile.Result{}
	}
	return reconcile.Result{RequeueAfter: left + time.Second}
}

func (r *ConfigReconciler) infrastructure(ctx context.Context) (*configv1.Infrastructure, error) {
	var infra configv1.Infrastructure
	if err := r.Client.Get(ctx, types.NamespacedName{Name: "cluster"}, &infra); err != nil {
		return nil, err
	}
	return &infra, nil
}

// bootstrap creates the default Config from the Infrastructure. Without an Infrastructure
// the operator does not guess: it says why and retries with backoff (the Infrastructure
// watch also wakes it as soon as the object appears).
//
// Implements BOOT-001, BOOT-002 (upstream BOOT-01).
func (r *ConfigReconciler) bootstrap(ctx context.Context) (reconcile.Result, error) {
	infra, err := r.infrastructure(ctx)
	if apierrors.IsNotFound(err) {
		msg := "waiting for infrastructures.config.openshift.io/cluster to decide the registry's default storage"
		log.FromContext(ctx).Info(msg)
		r.event(ctx, corev1.EventTypeWarning, "WaitingForInfrastructure", msg)
		return reconcile.Result{}, errors.New("infrastructures.config.openshift.io/cluster not found")
	}
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("reading Infrastructure: %w", err)
	}
	if infra.Status.PlatformStatus == nil && infra.Status.Platform == "" { //nolint:staticcheck // the deprecated field counts too
		// Created but not filled in yet (the installer writes status separately): the
		// platform decides the storage, so wait instead of guessing emptyDir.
		msg := "waiting for infrastructures.config.openshift.io/cluster to report its platform (status.platformStatus is empty)"
		log.FromContext(ctx).Info(msg)
		r.event(ctx, corev1.EventTypeWarning, "WaitingForInfrastructure", msg)
		return reconcile.Result{}, errors.New("infrastructures.config.openshift.io/cluster has no platform status yet")
	}
	facts := bootstrap.Facts{}
	if facts.APIServer, err = r.apiServer(ctx); err != nil {
		return reconcile.Result{}, err
	}
	if r.Settings.SwiftProbe != nil {
		facts.SwiftAvailable = r.Settings.SwiftProbe(ctx, r.Client, infra)
	}
	cfg, err := bootstrap.Config(infra, facts)
	if err != nil {
		return reconcile.Result{}, err
	}
	if pvc := cfg.Spec.Storage.PVC; pvc != nil {
		// The claim comes first, so the Config never names a claim that is not there.
		claim := bootstrap.BootstrapClaim(infra, pvc.Claim)
		if err := r.Client.Create(ctx, claim); err != nil && !apierrors.IsAlreadyExists(err) {
			return reconcile.Result{}, fmt.Errorf("creating the bootstrap claim %s: %w", claim.Name, err)
		}
	}
	if err := r.Client.Create(ctx, cfg); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return reconcile.Result{Requeue: true}, nil // never overwrite an existing Config
		}
		return reconcile.Result{}, fmt.Errorf("creating default Config: %w", err)
	}
	r.wrote(cfg)
	log.FromContext(ctx).Info("bootstrapped image registry Config", "managementState", cfg.Spec.ManagementState,
		"storage", storage.Configured(cfg.Spec.Storage), "replicas", cfg.Spec.Replicas)
	return reconcile.Result{}, nil
}

// apiServer is apiservers.config.openshift.io/cluster, nil where the cluster has none or
// does not serve the kind (the default TLS profile, Intermediate, then applies).
//
// Implements TLS-002.
func (r *ConfigReconciler) apiServer(ctx context.Context) (*configv1.APIServer, error) {
	var as configv1.APIServer
	switch err := r.Client.Get(ctx, types.NamespacedName{Name: "cluster"}, &as); {
	case err == nil:
		return &as, nil
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
		return nil, nil
	default:
		return nil, fmt.Errorf("reading apiservers.config.openshift.io/cluster: %w", err)
	}
}

func (r *ConfigReconciler) event(_ context.Context, typ, reason, msg string) {
	if r.Events == nil {
		return
	}
	// Events about the operator regard its own Deployment, so they land in its namespace
	// (a cluster-scoped object's events would go to "default").
	self := &corev1.ObjectReference{Kind: "Deployment", APIVersion: "apps/v1", Namespace: render.Namespace, Name: "cluster-image-registry-operator"}
	r.Events.Eventf(self, nil, typ, reason, "Reconcile", "%s", msg)
}

func (r *ConfigReconciler) storageDeps(infra *configv1.Infrastructure) storage.Deps {
	return storage.Deps{Client: r.Client, Infra: infra, Endpoints: r.Settings.StorageEndpoints, EndpointCAs: r.Settings.StorageEndpointCAs, Calls: r.Settings.CloudCalls}
}

// applyManaged syncs storage and applies every registry object.
//
// Implements STOR-007, STOR-009, STOR-011, STATUS-005, STATUS-011, BOOT-010 (upstream GEN-01, GEN-02, CTRL-05).
func (r *ConfigReconciler) applyManaged(ctx context.Context, cfg *imageregistryv1.Config, infra *configv1.Infrastructure) ([]operatorv1.OperatorCondition, error) {
	// Only the spec checks are permanent (DEP-DEF-03); negative request limits are an apply
	// error, reported by the render below, as upstream does (DEP-ENV-06).
	if err := render.ValidateSpec(cfg); err != nil {
		return nil, &permanentError{status.ReasonVerificationFailed, fmt.Errorf("unable to complete resource: %w", err)}
	}
	if bootstrap.IsEmpty(cfg.Spec.Storage) {
		// Managed with no storage: take the platform default, if it has one (GEN-02).
		st, _ := bootstrap.PlatformStorage(infra, bootstrap.Facts{SwiftAvailable: r.Settings.SwiftProbe != nil && infra != nil && r.Settings.SwiftProbe(ctx, r.Client, infra)})
		st.ManagementState = cfg.Spec.Storage.ManagementState
		cfg.Spec.Storage = st
	}
	driver, err := r.Drivers.For(r.storageDeps(infra), &cfg.Spec.Storage)
	if err != nil {
		if errors.Is(err, storage.ErrNotConfigured) {
			return nil, &permanentError{status.ReasonStorageNotConfigured, err}
		}
		// More than one backend is an ordinary error, as in the upstream operator (STOR-007):
		// Progressing "Error", retried, not Degraded.
		return nil, err
	}
	r.Settings.Metrics.StorageType(driver.Kind())
	conds, err := driver.Sync(ctx, cfg)
	if err == nil && cfg.Spec.Storage.ManagementState == "" {
		// Older releases left it empty: derive it from what status says (GEN-01).
		if cfg.Status.StorageManaged {
			cfg.Spec.Storage.ManagementState = storage.Managed
		} else {
			cfg.Spec.Storage.ManagementState = storage.Unmanaged
		}
	}
	cfg.Status.StorageManaged = cfg.Spec.Storage.ManagementState == storage.Managed
	cfg.Status.Storage.ManagementState = cfg.Spec.Storage.ManagementState
	if err != nil {
		return conds, fmt.Errorf("unable to sync storage configuration: %w", err)
	}
	sc, err := driver.Configure(ctx, cfg)
	if err != nil {
		return conds, fmt.Errorf("unable to configure storage: %w", err)
	}
	return conds, r.applyObjects(ctx, cfg, sc)
}

// storageReconfigured tells whether the registry moved to other storage: status.storage named
// a backend and now names another backend, or another bucket/container/claim of it
// (METRICS-003). Storage removed (nothing named now) is not a move.
func storageReconfigured(previous, current imageregistryv1.ImageRegistryConfigStorage) bool {
	pb, pid := storageIdentity(previous)
	cb, cid := storageIdentity(current)
	return pb != "" && cb != "" && (pb != cb || pid != cid)
}

func storageIdentity(st imageregistryv1.ImageRegistryConfigStorage) (backend, id string) {
	names := storage.Configured(st)
	if len(names) != 1 {
		return "", ""
	}
	switch {
	case st.S3 != nil:
		id = st.S3.Bucket
	case st.GCS != nil:
		id = st.GCS.Bucket
	case st.Azure != nil:
		id = st.Azure.AccountName + "/" + st.Azure.Container
	case st.Swift != nil:
		id = st.Swift.Container
	case st.PVC != nil:
		id = st.PVC.Claim
	case st.IBMCOS != nil:
		id = st.IBMCOS.Bucket
	}
	return names[0], id
}

// Implements MGMT-001, MGMT-002, MGMT-007.
func (r *ConfigReconciler) applyObjects(ctx context.Context, cfg *imageregistryv1.Config, sc render.StorageConfig) error {
	var proxy configv1.Proxy
	var clusterProxy *configv1.Proxy
	if err := r.Client.Get(ctx, types.NamespacedName{Name: "cluster"}, &proxy); err == nil {
		clusterProxy = &proxy
	} else if !apierrors.IsNotFound(err) {
		return fmt.Errorf("reading cluster Proxy: %w", err)
	}
	in := render.RegistryInputs{Config: cfg, ClusterProxy: clusterProxy, Storage: sc,
		Image: r.Settings.Image, ReleaseVersion: r.Settings.ReleaseVersion}
	var ns corev1.Namespace
	if err := r.Client.Get(ctx, types.NamespacedName{Name: render.Namespace}, &ns); err != nil {
		return fmt.Errorf("reading namespace %s: %w", render.Namespace, err)
	}
	fsGroup, err := render.ParseSupplementalGroups(&ns)
	if err != nil {
		return err
	}
	in.FSGroup = &fsGroup
	if in.NodesHaveZoneLabel, err = r.nodesHaveZoneLabel(ctx); err != nil {
		return err
	}

	secret, err := render.PrivateConfigurationSecret(in)
	if err != nil {
		return err
	}
	deps, err := r.dependencies(ctx, sc, secret)
	if err != nil {
		return err
	}
	in.DependenciesChecksum = deps
	deploy, err := r.renderDeployment(in)
	if err != nil {
		return err
	}
	routeSecrets, err := r.routeSecrets(ctx, cfg)
	if err != nil {
		return err
	}
	routes, err := render.Routes(cfg, routeSecrets)
	if err != nil {
		return err
	}
	objs := []client.Object{render.ClusterRole(), render.ClusterRoleBinding(), render.ServiceAccount(), secret,
		render.Service(), deploy, render.PodDisruptionBudget(cfg.Spec.Replicas), render.RegistryNetworkPolicy()}
	for _, rt := range routes {
		objs = append(objs, rt)
	}
	if err := r.applier.applyAll(ctx, r.Client, objs); err != nil {
		return err
	}
	return r.removeObsoleteRoutes(ctx, routes)
}

// nodesHaveZoneLabel tells whether any node carries topology.kubernetes.io/zone: only then is
// the registry spread across zones (DEPLOY-011). Like upstream, nodes are read on each sync,
// not watched (their status changes all the time).
func (r *ConfigReconciler) nodesHaveZoneLabel(ctx context.Context) (bool, error) {
	var nodes corev1.NodeList
	if err := r.Client.List(ctx, &nodes, client.HasLabels{render.ZoneTopologyKey}); err != nil {
		return false, fmt.Errorf("could not check nodes for zone failure domain: %w", err)
	}
	return len(nodes.Items) > 0, nil
}

func (r *ConfigReconciler) renderDeployment(in render.RegistryInputs) (*appsv1.Deployment, error) {
	return render.Deployment(in)
}

// dependencies checksums the secrets and config maps the pod reads, so a change to any of
// them rolls the pods (CRED-005).
//
// Implements CRED-005 (upstream CRED-06).
func (r *ConfigReconciler) dependencies(ctx context.Context, sc render.StorageConfig, private *corev1.Secret) (string, error) {
	cms, secrets := render.DependencyNames(sc)
	var inputs []any
	inputs = append(inputs, private.Data, private.StringData)
	for _, name := range cms {
		var cm corev1.ConfigMap
		if err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: name}, &cm); err == nil {
			inputs = append(inputs, name, cm.Data, cm.BinaryData)
		} else if !apierrors.IsNotFound(err) {
			return "", err
		}
	}
	for _, name := range secrets {
		if name == render.PrivateConfigurationSecretName {
			continue
		}
		var s corev1.Secret
		if err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: name}, &s); err == nil {
			inputs = append(inputs, name, s.Data)
		} else if !apierrors.IsNotFound(err) {
			return "", err
		}
	}
	return render.Checksum(inputs...), nil
}

func (r *ConfigReconciler) routeSecrets(ctx context.Context, cfg *imageregistryv1.Config) (map[string]*corev1.Secret, error) {
	out := map[string]*corev1.Secret{}
	for _, rt := range cfg.Spec.Routes {
		if rt.SecretName == "" {
			continue
		}
		var s corev1.Secret
		err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: rt.SecretName}, &s)
		if apierrors.IsNotFound(err) {
			continue // render.Routes names the missing secret
		}
		if err != nil {
			return nil, err
		}
		out[rt.SecretName] = &s
	}
	return out, nil
}

// removeObsoleteRoutes deletes routes the operator made (owner annotation) that are no
// longer wanted; routes without the annotation are never touched.
//
// Implements ROUTE-001, ROUTE-004 (upstream ROUTE-03).
func (r *ConfigReconciler) removeObsoleteRoutes(ctx context.Context, keep []*routev1.Route) error {
	var list routev1.RouteList
	if err := r.Client.List(ctx, &list, client.InNamespace(render.Namespace)); err != nil {
		return fmt.Errorf("listing routes: %w", err)
	}
	wanted := map[string]bool{}
	for _, rt := range keep {
		wanted[rt.Name] = true
	}
	for i := range list.Items {
		rt := &list.Items[i]
		if _, ours := rt.Annotations[render.OwnerAnnotation]; !ours || wanted[rt.Name] {
			continue
		}
		if err := remove(ctx, r.Client, rt); err != nil {
			return err
		}
	}
	return nil
}

// removeAll deletes the registry objects and the storage the operator manages.
//
// Implements MGMT-004, STOR-004, STOR-005 (upstream GEN-04).
func (r *ConfigReconciler) removeAll(ctx context.Context, cfg *imageregistryv1.Config, infra *configv1.Infrastructure) ([]operatorv1.OperatorCondition, error) {
	ns := render.Namespace
	objs := []client.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.DeploymentName}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.ServiceName}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.PrivateConfigurationSecretName}},
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.PDBName}},
		// The registry's NetworkPolicy lives and dies with the registry (NETPOL-001).
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: render.RegistryNetworkPolicyName}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: render.ClusterRoleBindingName}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: render.ClusterRoleName}},
	}
	for _, o := range objs {
		if err := remove(ctx, r.Client, o); err != nil {
			return nil, err
		}
	}
	if err := r.removeObsoleteRoutes(ctx, nil); err != nil {
		return nil, err
	}
	return r.removeStorage(ctx, cfg, infra)
}

// removeStorage deletes the storage recorded in status (what was actually set up), and only
// when spec says the operator manages it; then clears status.storage.
//
// Implements STOR-004, STOR-005 (upstream STOR-COMMON-05).
func (r *ConfigReconciler) removeStorage(ctx context.Context, cfg *imageregistryv1.Config, infra *configv1.Infrastructure) ([]operatorv1.OperatorCondition, error) {
	recorded := cfg.Status.Storage.DeepCopy()
	if bootstrap.IsEmpty(*recorded) && cfg.Spec.Storage.ManagementState == storage.Managed {
		// Removed can land after the operator created its storage but before it recorded it
		// in status; the spec already names it (and says the operator manages it), so that
		// storage is removed rather than leaked.
		recorded = cfg.Spec.Storage.DeepCopy()
	}
	if bootstrap.IsEmpty(*recorded) {
		return nil, nil
	}
	driver, err := r.Drivers.For(r.storageDeps(infra), recorded)
	if err != nil {
		return nil, fmt.Errorf("unable to remove storage: %w", err)
	}
	// The driver decides from spec (managementState, names) what may be deleted.
	conds, err := driver.Remove(ctx, cfg)
	if err != nil {
		return conds, fmt.Errorf("unable to remove storage: %w", err)
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{}
	cfg.Status.StorageManaged = false
	return conds, nil
}

// finalize runs when the Config is deleted: remove everything, then let it go. The next
// sync bootstraps a fresh default Config.
//
// Implements BOOT-011 (upstream CTRL-01).
func (r *ConfigReconciler) finalize(ctx context.Context, cfg *imageregistryv1.Config, infra *configv1.Infrastructure) (reconcile.Result, error) {
	if !controllerutil.ContainsFinalizer(cfg, render.Finalizer) {
		return reconcile.Result{}, nil
	}
	if _, err := r.removeAll(ctx, cfg, infra); err != nil {
		orig := cfg.DeepCopy()
		cfg.Status.Conditions = status.Merge(cfg.Status.Conditions, []operatorv1.OperatorCondition{
			{Type: status.TypeDegraded, Status: operatorv1.ConditionTrue, Reason: "RemoveFailed", Message: "Unable to remove registry: " + err.Error()},
		}, r.Settings.Now())
		if uerr := r.Client.Status().Patch(ctx, cfg, client.MergeFrom(orig)); uerr != nil {
			log.FromContext(ctx).Error(uerr, "writing RemoveFailed status")
		} else {
			r.wrote(cfg)
		}
		return reconcile.Result{}, err
	}
	controllerutil.RemoveFinalizer(cfg, render.Finalizer)
	if err := r.Client.Update(ctx, cfg); err != nil && !apierrors.IsNotFound(err) {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, fmt.Errorf("removing finalizer: %w", err)
	}
	return reconcile.Result{}, nil
}

// registryRoutes are the routes the Config asks for (default-route, spec.routes) that exist.
func (r *ConfigReconciler) registryRoutes(ctx context.Context, cfg *imageregistryv1.Config) ([]routev1.Route, error) {
	var names []string
	if cfg.Spec.DefaultRoute {
		names = append(names, render.DefaultRouteName)
	}
	for _, rt := range cfg.Spec.Routes {
		names = append(names, rt.Name)
	}
	var out []routev1.Route
	for _, name := range names {
		var rt routev1.Route
		err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: name}, &rt)
		switch {
		case err == nil:
			out = append(out, rt)
		case !apierrors.IsNotFound(err):
			return nil, fmt.Errorf("reading route %s: %w", name, err)
		}
	}
	return out, nil
}

// Implements STATUS-001, STATUS-002, STATUS-003, STATUS-004, STATUS-005 (upstream CTRL-04).
func (r *ConfigReconciler) writeStatus(ctx context.Context, cfg, orig *imageregistryv1.Config, applyErr error, storageConds []operatorv1.OperatorCondition) error {
	var deploy *appsv1.Deployment
	var d appsv1.Deployment
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: render.DeploymentName}, &d); err == nil {
		deploy = &d
	} else if !apierrors.IsNotFound(err) {
		return err
	}
	routes, err := r.registryRoutes(ctx, cfg)
	if err != nil {
		return err
	}
	in := status.Inputs{State: cfg.Spec.ManagementState, Deployment: deploy, ApplyErr: applyErr,
		Previous: cfg.Status.Conditions, Now: r.Settings.Now(), Routes: routes}
	var perm *permanentError
	if errors.As(applyErr, &perm) {
		in.PermanentReason = perm.reason
	}
	now := r.Settings.Now()
	conds := status.Merge(cfg.Status.Conditions, status.Conditions(in), now)
	conds = status.Merge(conds, storageConds, now)
	conds = status.Merge(conds, r.Board.Conditions(), now)
	cfg.Status.Conditions = conds
	cfg.Status.ObservedGeneration = cfg.Generation
	cfg.Status.ReadyReplicas = 0
	if deploy != nil {
		cfg.Status.ReadyReplicas = deploy.Status.ReadyReplicas
	}
	if equality.Semantic.DeepEqual(orig.Status, cfg.Status) {
		return nil
	}
	if err := r.Client.Status().Update(ctx, cfg); err != nil {
		return err
	}
	r.wrote(cfg)
	return nil
}

// writeBoard writes the board's conditions into the Config's status when only they changed
// (a sync writes them with its own). It reads the Config as a sync does: a cached copy from
// before this controller's last write would only conflict.
func (r *ConfigReconciler) writeBoard(ctx context.Context) (reconcile.Result, error) {
	var cfg imageregistryv1.Config
	if err := r.readConfig(ctx, &cfg); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	orig := cfg.DeepCopy()
	cfg.Status.Conditions = status.Merge(cfg.Status.Conditions, r.Board.Conditions(), r.Settings.Now())
	if equality.Semantic.DeepEqual(orig.Status, cfg.Status) {
		return reconcile.Result{}, nil
	}
	if err := r.Client.Status().Update(ctx, &cfg); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil // someone else wrote meanwhile: read again
		}
		return reconcile.Result{}, fmt.Errorf("writing the node-ca and certificates conditions into the Config's status: %w", err)
	}
	r.wrote(&cfg)
	return reconcile.Result{}, nil
}

// sameJSON compares two JSON documents as data (key order and spacing aside).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
