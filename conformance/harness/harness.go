// Package harness is what a conformance spec stands on: a Target (envtest by default), the
// cluster simulator, the reference operator run in-process (started and stopped per spec so
// each spec sees a fresh operator, as after a restart), a watch cache for expectations, and
// a reset that deletes what the last spec made.
package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/fakes/cluster"
	"github.com/irconform/irconform/reference/controller"
	"github.com/irconform/irconform/reference/nodeca"
	"github.com/irconform/irconform/reference/operator"
	"github.com/irconform/irconform/reference/storage"

	"github.com/irconform/irconform/internal/restmapper"
)

// Namespaces used throughout.
const (
	NS       = "openshift-image-registry"
	ConfigNS = "openshift-config"
)

// ReleaseVersion is the version the in-process operator reports.
const ReleaseVersion = "4.99.0-irconform"

// Env is one suite's world.
type Env struct {
	Target target.Target
	// Live is true on a real cluster: no simulator, no fakes, no in-process operator, no reset.
	Live bool
	// Disruptive: the user opted into mutating specs on the live cluster.
	Disruptive bool
	Client     client.Client
	Watch      *expect.Watcher
	Simulator  *cluster.Simulator
	Settings   controller.Settings
	Logger     logr.Logger
	// StartPhases is where StartEnvtest's time went (zero on a live cluster).
	StartPhases StartPhases

	// Operator is the operator under test: in-process (the default) or a process.
	Operator OperatorOptions
	// SpecName names the running spec in an operator process's log.
	SpecName string

	opMu       sync.Mutex
	opCancel   context.CancelFunc
	opDone     chan error
	metricsURL string
	process    *processWorld

	clockMu sync.Mutex
	skew    time.Duration

	hookMu      sync.Mutex
	beforeWrite *writeHook

	// stopWatches ends the simulator's and the watch cache's watches (Stop).
	stopWatches context.CancelFunc

	// savedRetries are the operator's retry timings before UseFastRetries; Reset restores them.
	savedRetries *retryTimings

	// mapper is the in-process operator's REST mapper, kept across its restarts (StartOperator).
	mapper meta.RESTMapper

	// profile records where each spec's time and API requests go (ProfileEnv; nil when unset).
	profile *specProfiler
	// wiper deletes what Reset removes by etcd key (envtest; nil elsewhere): see storageWiper.
	wiper *storageWiper
	// lastReset counts how the last Reset deleted what it found.
	lastReset resetDeletes
}

type retryTimings struct {
	backoff controller.Backoff
	calls   storage.CallLimits
}

// The retry timings fault specs run the operator with (UseFastRetries). The controller's
// backoff starts at FastRetryBase and doubles up to FastRetryCap (upstream: 5 ms doubling up
// to 1000 s): a spec sees seven tries within about a third of a second, still doubling,
// and the next try after a fault clears comes within FastRetryCap. A cloud SDK pauses at
// most FastCallBackoff before re-sending a failed request (real clouds: 1 s; at that length
// the SDK's pauses, not the controller's backoff, would set the pace) and gives up on one
// request after FastRequestTimeout (real clouds: 10 s), so a spec can make a request time
// out with a fault of about a second.
const (
	FastRetryBase      = 5 * time.Millisecond
	FastRetryCap       = 160 * time.Millisecond
	FastCallBackoff    = 5 * time.Millisecond
	FastRequestTimeout = time.Second
)

// UseFastRetries makes the next operator retry on the fast timings above, until Reset.
func (e *Env) UseFastRetries() {
	if e.savedRetries == nil {
		e.savedRetries = &retryTimings{backoff: e.Settings.RetryBackoff, calls: e.Settings.CloudCalls}
	}
	e.Settings.RetryBackoff = controller.Backoff{Base: FastRetryBase, Cap: FastRetryCap}
	e.Settings.CloudCalls = storage.CallLimits{MaxBackoff: FastCallBackoff, RequestTimeout: FastRequestTimeout}
}

// Now is the operator's clock: real time plus whatever the spec advanced.
func (e *Env) Now() time.Time {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	return time.Now().Add(e.skew)
}

// Advance moves the operator's clock forward (simulated time). Only the in-process operator
// has this clock: a spec that advances it carries the label needs:clock, and is skipped
// against an operator process before it gets here.
func (e *Env) Advance(d time.Duration) {
	if !e.Operator.InProcess() {
		panic(fmt.Sprintf("Env.Advance with operator %s: label the spec %s", e.Operator.Kind, NeedsClock))
	}
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	e.skew += d
}

// BeforeOperatorWrite runs hook once, just before the operator's next write request that
// matches (method, and a path ending in pathSuffix: "/configs/cluster" is the spec write,
// not ".../cluster/status"), on the operator's own HTTP transport, or in front of an
// operator process. Specs use it to land a user's edit between the operator's read and its
// write: a real 409 Conflict, made deterministic.
func (e *Env) BeforeOperatorWrite(method, pathSuffix string, hook func()) {
	e.hookMu.Lock()
	defer e.hookMu.Unlock()
	e.beforeWrite = &writeHook{method: method, pathSuffix: pathSuffix, run: hook}
}

// writeHook is a pending BeforeOperatorWrite: which request triggers it, and what it runs.
type writeHook struct {
	method, pathSuffix string
	run                func()
}

type hookTransport struct {
	env  *Env
	next http.RoundTripper
}

func (t *hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	// The hook runs outside the lock: it talks to the API server itself, and a hook that
	// panics (a failed assertion on the operator's goroutine, recovered by controller-runtime)
	// must not leave every later request of the operator, and Reset, waiting on the lock.
	if hook := t.env.takeHook(r); hook != nil {
		hook()
	}
	return t.next.RoundTrip(r)
}

// takeHook returns the BeforeOperatorWrite hook that r triggers, once; nil when r does not.
func (e *Env) takeHook(r *http.Request) func() {
	e.hookMu.Lock()
	defer e.hookMu.Unlock()
	h := e.beforeWrite
	if h == nil || r.Method != h.method || !strings.HasSuffix(r.URL.Path, h.pathSuffix) {
		return nil
	}
	e.beforeWrite = nil
	return h.run
}

// WatchedKinds are the kinds expectations look at on envtest.
func WatchedKinds() []client.Object {
	return []client.Object{
		&imageregistryv1.Config{}, &imageregistryv1.ImagePruner{}, &configv1.ClusterOperator{},
		&configv1.Infrastructure{}, &configv1.Image{}, &configv1.Proxy{},
		&appsv1.Deployment{}, &corev1.Service{}, &corev1.Secret{}, &corev1.ServiceAccount{}, &corev1.ConfigMap{},
		&corev1.PersistentVolumeClaim{}, &corev1.Event{}, &policyv1.PodDisruptionBudget{}, &rbacv1.ClusterRole{},
		&rbacv1.ClusterRoleBinding{}, &routev1.Route{}, &batchv1.CronJob{}, &batchv1.Job{},
		&monitoringv1.PrometheusRule{},
	}
}

// StartEnvtest builds the embedded world: envtest, simulator, watch cache, for the
// in-process reference operator.
func StartEnvtest(ctx context.Context, logger logr.Logger) (*Env, error) {
	return StartEnvtestWith(ctx, logger, OperatorOptions{})
}

// StartEnvtestWith builds the embedded world for the operator op. An operator process gets
// the CRDs of the openshift/api it was built with, an API front and a TLS front (see
// processWorld).
func StartEnvtestWith(ctx context.Context, logger logr.Logger, op OperatorOptions) (*Env, error) {
	if err := op.Validate(); err != nil {
		return nil, err
	}
	apiVersion := op.OpenShiftAPIVersion
	if apiVersion == "" && !op.InProcess() {
		v, err := builtWithOpenShiftAPI(op.Binary)
		if err != nil {
			return nil, err
		}
		apiVersion = v
	}
	// This process runs the operator, the simulator, the fakes and the specs' watches: the
	// same trade as the control plane's (see target.controlPlaneGOGC), ~10% of its CPU.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	t, err := target.StartEnvtestWith(ctx, target.EnvtestOptions{OpenShiftAPIVersion: apiVersion})
	if err != nil {
		return nil, err
	}
	// The simulator's and the watch cache's watches end with the world (Stop), not only with
	// the caller's ctx: kube-apiserver waits for open watches before it stops.
	ctx, cancel := context.WithCancel(ctx)
	var (
		sim    *cluster.Simulator
		w      *expect.Watcher
		phases = StartPhases{StartPhases: t.Phases}
	)
	timed := func(d *time.Duration, f func() error) func() error {
		return func() error {
			start := time.Now()
			defer func() { *d = time.Since(start) }()
			return f()
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(timed(&phases.WarmUp, func() error { return warmUpCRDs(gctx, t.Client()) }))
	// The simulator reads through the watch cache once it is synced (one watch per kind
	// instead of two: see cluster.StartOn).
	g.Go(func() error {
		if err := timed(&phases.WatchSync, func() (err error) {
			w, err = expect.NewWatcher(ctx, t.RESTConfig(), t.Scheme(), envtestWatchedKinds())
			return err
		})(); err != nil {
			return err
		}
		return timed(&phases.Simulator, func() (err error) {
			sim, err = cluster.StartOn(ctx, t.RESTConfig(), newSharedCache(w.Cache()))
			return err
		})()
	})
	if err := g.Wait(); err != nil {
		cancel()
		_ = t.Stop()
		return nil, err
	}
	// The operator's image, run by the node-ca pods, is the reference's node program.
	sim.SetNodeProgram(nodeca.CommandLine, func(_ context.Context, mounts map[string]string) error { return nodeca.Run(mounts) })
	e := &Env{Target: t, Client: t.Client(), Watch: w, Simulator: sim, Logger: logger, Operator: op, StartPhases: phases, stopWatches: cancel,
		Settings: controller.Settings{Image: "quay.io/openshift/origin-docker-registry:irconform",
			PrunerImage: "quay.io/openshift/origin-cli:irconform", ReleaseVersion: ReleaseVersion,
			OperatorImage: "quay.io/openshift/origin-cluster-image-registry-operator:irconform"}}
	if e.profile, err = newSpecProfiler(t.RESTConfig()); err != nil {
		_ = t.Stop()
		return nil, err
	}
	e.wiper = newStorageWiper(t, &http.Client{Timeout: 20 * time.Second})
	if !op.InProcess() {
		if err := e.startProcessWorld(ctx); err != nil {
			_ = t.Stop()
			return nil, fmt.Errorf("preparing the operator process: %w", err)
		}
	}
	return e, nil
}

// StartPhases is where the start of the embedded world goes: the control plane's phases,
// then three steps that run side by side.
type StartPhases struct {
	target.StartPhases
	// WarmUp: one dry-run create per custom resource kind (see warmUpCRDs).
	WarmUp time.Duration
	// Simulator: the cluster simulator's watches synced.
	Simulator time.Duration
	// WatchSync: the specs' watch cache synced.
	WatchSync time.Duration
}

// warmUpCRDs sends one dry-run create per custom resource kind. Why: kube-apiserver builds a
// CRD's validators (the Config CRD's schema and CEL rules among them) on the first request
// for it, ~2 s on two cores; without this the suite's first spec pays for it and its timing
// says nothing about the operator. A dry run stores nothing.
func warmUpCRDs(ctx context.Context, c client.Client) error {
	objs := []client.Object{
		&imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}, Spec: imageregistryv1.ImageRegistrySpec{
			OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Removed}, Replicas: 1}},
		&imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.ClusterOperator{ObjectMeta: metav1.ObjectMeta{Name: "image-registry"}},
		&configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.Proxy{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&routev1.Route{ObjectMeta: metav1.ObjectMeta{Name: "warm-up", Namespace: NS},
			Spec: routev1.RouteSpec{To: routev1.RouteTargetReference{Kind: "Service", Name: "image-registry"}}},
		&monitoringv1.PrometheusRule{ObjectMeta: metav1.ObjectMeta{Name: "warm-up", Namespace: NS}},
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, o := range objs {
		g.Go(func() error {
			// Only the side effect matters: an object the API refuses warmed it up just the same.
			_ = c.Create(gctx, o, client.DryRunAll)
			return nil
		})
	}
	return g.Wait()
}

// NewLiveEnv wraps a live target. Read-only runs watch nothing: the live checks read named
// objects one GET at a time (conformance/livecheck), so an account that may not list a kind
// loses only the checks that need it, and no Secret is ever listed or watched. Disruptive
// runs wait for the operator's reaction, so they watch the few kinds those specs change,
// never Secrets, and give up with the kinds' names if the account cannot list them.
func NewLiveEnv(ctx context.Context, t *target.Live) (*Env, error) {
	e := &Env{Target: t, Client: t.Client(), Live: true, Disruptive: t.Disruptive}
	if !t.Disruptive {
		return e, nil
	}
	w, err := expect.NewBoundedWatcher(ctx, t.RESTConfig(), t.Scheme(), liveWatchedKinds(), 20*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", target.ErrForbidden, err)
	}
	e.Watch = w
	return e, nil
}

// liveWatchedKinds are what the disruptive specs wait on.
func liveWatchedKinds() []client.Object {
	return []client.Object{&imageregistryv1.Config{}, &imageregistryv1.ImagePruner{}, &configv1.ClusterOperator{},
		&routev1.Route{}, &batchv1.CronJob{}, &appsv1.Deployment{}}
}

// StartOperator runs a fresh operator: the reference in-process, or the operator process.
func (e *Env) StartOperator(ctx context.Context) error {
	if !e.Operator.InProcess() {
		return e.startProcess(ctx)
	}
	defer func(start time.Time) { e.profile.addOperatorStart(time.Since(start)) }(time.Now())
	e.opMu.Lock()
	defer e.opMu.Unlock()
	if e.opCancel != nil {
		return errors.New("operator already running")
	}
	cfg := e.Target.RESTConfig()
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { return &hookTransport{env: e, next: rt} }
	settings := e.Settings
	settings.Clock = e.Now
	shared := newSharedCache(e.Watch.Cache())
	metricsAddr, err := freeLocalAddr()
	if err != nil {
		return err
	}
	if e.mapper == nil {
		// One mapper for every operator start. Why: a new one reads discovery (/api, /apis:
		// the aggregated document of every group) on each start, and the API groups never
		// change within a run. What the operator maps is the same as with a fresh one.
		var err error
		if e.mapper, err = restmapper.ForConfig(e.Target.RESTConfig()); err != nil {
			return fmt.Errorf("the operator's REST mapper: %w", err)
		}
	}
	mapper := e.mapper
	mgr, err := operator.New(cfg, operator.Options{Settings: settings, Logger: e.Logger, MetricsAddr: metricsAddr,
		NewCache:      func(*rest.Config, cache.Options) (cache.Cache, error) { return shared, nil },
		NewRESTMapper: func(*rest.Config, *http.Client) (meta.RESTMapper, error) { return mapper, nil }})
	if err != nil {
		return err
	}
	opCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- mgr.Start(opCtx) }()
	e.opCancel, e.opDone = cancel, done
	e.metricsURL = "http://" + metricsAddr + "/metrics"
	return nil
}

// OperatorMetricsURL is where the running in-process operator serves its metrics (plain
// HTTP on 127.0.0.1: the port's TLS is the platform's service-CA business, not the operator's).
func (e *Env) OperatorMetricsURL() string {
	e.opMu.Lock()
	defer e.opMu.Unlock()
	return e.metricsURL
}

// freeLocalAddr picks a free port on 127.0.0.1 for the operator's metrics server.
func freeLocalAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("picking a port for the operator's metrics: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// StopOperator stops the running operator (a crash or restart, as far as the cluster can tell)
// and waits for it to exit.
func (e *Env) StopOperator() error {
	if !e.Operator.InProcess() {
		return e.stopProcess()
	}
	e.opMu.Lock()
	defer e.opMu.Unlock()
	if e.opCancel == nil {
		return nil
	}
	e.opCancel()
	err := <-e.opDone
	e.opCancel, e.opDone = nil, nil
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("operator exited with: %w", err)
	}
	return nil
}

// Stop tears everything down.
func (e *Env) Stop() error {
	if e.Live {
		return nil
	}
	_ = e.StopOperator()
	if e.stopWatches != nil {
		e.stopWatches()
	}
	e.closeProcessWorld()
	return e.Target.Stop()
}

// awaitSeen waits until the watch cache, which the in-process operator reads too, holds obj
// at the resourceVersion the write returned or later. Why: a spec sets the world up and then
// starts the operator; an operator started on a cache that has not seen the last write acts
// on the world before it (an Infrastructure without its status names cloud resources after
// an empty infrastructure name; a Secret not yet seen means other credentials), which no
// real cluster start looks like.
func (e *Env) awaitSeen(ctx context.Context, obj client.Object) error {
	if e.Watch == nil {
		return nil // live: no shared cache
	}
	want, err := strconv.ParseUint(obj.GetResourceVersion(), 10, 64)
	if err != nil {
		return nil // not a number: nothing to compare
	}
	seen, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return nil
	}
	return e.Watch.Until(ctx, 10*time.Second, func(ctx context.Context, r client.Reader) error {
		if err := r.Get(ctx, client.ObjectKeyFromObject(obj), seen); err != nil {
			return err
		}
		if got, _ := strconv.ParseUint(seen.GetResourceVersion(), 10, 64); got < want {
			return fmt.Errorf("watch cache has %s at resourceVersion %d, the write made %d", obj.GetName(), got, want)
		}
		return nil
	})
}

// Platform describes the Infrastructure a spec starts from.
type Platform struct {
	Type               configv1.PlatformType
	InfrastructureName string
	Topology           configv1.TopologyMode
	// AWSRegion etc. fill platformStatus where the type has one.
	Region string
	// Location is IBMCloud's location (default us-south) or PowerVS's region (default dal).
	Location string
	// ServiceEndpoints are IBMCloud/PowerVS service endpoint overrides by name (COS, IAM, ...).
	ServiceEndpoints map[string]string
}

// CreateInfrastructure creates infrastructures.config.openshift.io/cluster for p.
func (e *Env) CreateInfrastructure(ctx context.Context, p Platform) error {
	if p.InfrastructureName == "" {
		p.InfrastructureName = "irconform-x7k2p"
	}
	if p.Topology == "" {
		p.Topology = configv1.HighlyAvailableTopologyMode
	}
	infra := &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	if err := e.Client.Create(ctx, infra); err != nil {
		return fmt.Errorf("creating Infrastructure: %w", err)
	}
	ps := &configv1.PlatformStatus{Type: p.Type}
	switch p.Type {
	case configv1.AWSPlatformType:
		ps.AWS = &configv1.AWSPlatformStatus{Region: p.Region}
	case configv1.GCPPlatformType:
		ps.GCP = &configv1.GCPPlatformStatus{Region: p.Region, ProjectID: "irconform-project"}
	case configv1.AzurePlatformType:
		ps.Azure = &configv1.AzurePlatformStatus{ResourceGroupName: "irconform-rg"}
	case configv1.OpenStackPlatformType:
		ps.OpenStack = &configv1.OpenStackPlatformStatus{}
	case configv1.IBMCloudPlatformType, configv1.PowerVSPlatformType:
		ibmPlatformStatus(ps, p)
	}
	infra.Status = configv1.InfrastructureStatus{
		InfrastructureName:     p.InfrastructureName,
		Platform:               p.Type, //nolint:staticcheck // older clusters read the deprecated field too
		PlatformStatus:         ps,
		ControlPlaneTopology:   configv1.HighlyAvailableTopologyMode,
		InfrastructureTopology: p.Topology,
		CPUPartitioning:        configv1.CPUPartitioningNone,
		APIServerURL:           "https://api.irconform.example:6443",
		APIServerInternalURL:   "https://api-int.irconform.example:6443",
		EtcdDiscoveryDomain:    "",
	}
	if err := e.Client.Status().Update(ctx, infra); err != nil {
		return fmt.Errorf("setting Infrastructure status: %w", err)
	}
	return e.awaitSeen(ctx, infra)
}

// resetClusterScoped are the cluster-scoped objects a spec or the operator may make; every
// other cluster-scoped object (the API server's own roles) stays.
func resetClusterScoped() []client.Object {
	return []client.Object{
		&imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.ClusterOperator{ObjectMeta: metav1.ObjectMeta{Name: "image-registry"}},
		&configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.Proxy{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "system:registry"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "system:image-pruner"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "registry-registry-role"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "openshift-image-registry-pruner"}},
		&configv1.APIServer{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.FeatureGate{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.ClusterVersion{ObjectMeta: metav1.ObjectMeta{Name: "version"}},
	}
}

// resetNamespaces are emptied of every namespaced kind the watch cache holds.
var resetNamespaces = []string{NS, ConfigNS, "openshift-config-managed"}

// envtestWatchedKinds adds what only Reset looks at (on a live cluster the user may not be
// allowed to list it, and an informer that cannot list never syncs).
func envtestWatchedKinds() []client.Object {
	return append(WatchedKinds(), &networkingv1.NetworkPolicy{}, &appsv1.DaemonSet{}, &monitoringv1.ServiceMonitor{},
		&configv1.APIServer{}, &configv1.FeatureGate{}, &configv1.ClusterVersion{}, &corev1.Node{})
}

// Reset stops the operator and deletes everything a spec may have made, then waits until the
// watch cache shows it gone, so the next spec cannot see leftovers.
//
// What exists is read from the watch cache, not listed from the API server: ~40 lists per
// spec cost ~100 ms on two cores, the cache answers in microseconds. An object the cache
// has not seen yet (an operator write just before it stopped) arrives as an event while the
// barrier waits, and is deleted then. On envtest the objects are deleted by etcd key in one
// transaction (storageWiper); the wait for the cache to see them go is then most of Reset.
func (e *Env) Reset(ctx context.Context) error {
	if e.Live {
		return nil // a live cluster is never wiped; disruptive specs restore what they change
	}
	e.profile.begin(ctx, e.SpecName)
	defer func(start time.Time) { e.profile.addReset(time.Since(start)) }(time.Now())
	stopStart := time.Now()
	if err := e.StopOperator(); err != nil {
		return err
	}
	e.profile.addResetStop(time.Since(stopStart))
	e.Simulator.Reset()
	e.clockMu.Lock()
	e.skew = 0
	e.clockMu.Unlock()
	e.hookMu.Lock()
	e.beforeWrite = nil
	e.hookMu.Unlock()
	if e.savedRetries != nil {
		e.Settings.RetryBackoff, e.Settings.CloudCalls = e.savedRetries.backoff, e.savedRetries.calls
		e.savedRetries = nil
	}

	lists, err := e.namespacedListKinds()
	if err != nil {
		return err
	}
	// deleted: a delete was sent (an object with finalizers is sent again until the cache
	// sees it go); gone: deleted by etcd key, finalizers and all.
	deleted, gone := map[types.UID]bool{}, map[types.UID]bool{}
	e.lastReset = resetDeletes{}
	defer func() { e.profile.addResetDeletes(e.lastReset) }()
	err = e.Watch.Until(ctx, 20*time.Second, func(ctx context.Context, r client.Reader) error {
		left, err := e.leftovers(ctx, r, lists)
		if err != nil {
			return err
		}
		var pending []client.Object
		for _, o := range left {
			if gone[o.GetUID()] || deleted[o.GetUID()] && len(o.GetFinalizers()) == 0 {
				continue // deletion sent; waiting for the cache to see it
			}
			deleted[o.GetUID()] = true
			pending = append(pending, o)
		}
		wiped, err := e.deleteAll(ctx, pending)
		if err != nil {
			return err
		}
		for _, o := range wiped {
			gone[o.GetUID()] = true
		}
		e.lastReset.byKey += len(wiped)
		e.lastReset.byAPI += len(pending) - len(wiped)
		if len(left) > 0 {
			return fmt.Errorf("%d objects still present, e.g. %s", len(left), expect.Describe(left[0]))
		}
		return nil
	})
	if err != nil || e.process == nil {
		return err
	}
	// An operator process stands on a cluster's static objects; they are there before the
	// spec begins, like on any cluster.
	return e.ensureStaticObjects(ctx)
}

// resetDeletes counts the objects a Reset deleted by etcd key and through the API.
type resetDeletes struct{ byKey, byAPI int }

// deleteAll deletes objs: by etcd key where the wiper can (envtest), the others through the
// API side by side with it, and those the wiper found no key for through the API after. It
// returns those deleted by key: gone for good, whatever finalizers they had.
func (e *Env) deleteAll(ctx context.Context, objs []client.Object) (wiped []client.Object, err error) {
	if e.wiper == nil {
		return nil, e.deleteThroughAPI(ctx, objs)
	}
	byKey, rest := e.wiper.Split(objs)
	var unreachable error
	g, gctx := errgroup.WithContext(ctx)
	if len(byKey) > 0 {
		g.Go(func() error {
			var missed []client.Object
			var err error
			wiped, missed, err = e.wiper.Delete(gctx, byKey)
			if errors.Is(err, errStorageUnreachable) {
				// etcd's JSON gateway did not answer as expected: the API can still do it.
				unreachable = err
				missed = nil
				for _, o := range byKey {
					missed = append(missed, o.obj)
				}
			} else if err != nil {
				return err
			}
			return e.deleteThroughAPI(gctx, missed)
		})
	}
	g.Go(func() error { return e.deleteThroughAPI(gctx, rest) })
	err = g.Wait()
	if unreachable != nil {
		// Once is enough to know: later resets go through the API from the start (slower,
		// and TestResetDeletesWhatASpecMade fails on it, so it does not go unnoticed).
		e.Logger.Info("reset: deleting by etcd key failed; deleting through the API from now on", "error", unreachable.Error())
		e.wiper = nil
	}
	return wiped, err
}

// deleteThroughAPI deletes objs with API requests, a delete-collection where a namespace holds
// several of a kind (batchDeletes).
func (e *Env) deleteThroughAPI(ctx context.Context, objs []client.Object) error {
	if len(objs) == 0 {
		return nil
	}
	singles, collections, err := batchDeletes(e.Target.Scheme(), objs)
	if err != nil {
		return err
	}
	// All at once (~20 requests): they are independent, and on two cores a bound of 8
	// made the reset wait three round trips instead of one.
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range collections {
		g.Go(func() error { return deleteCollection(gctx, e.Client, c) })
	}
	for _, o := range singles {
		g.Go(func() error { return forceDelete(gctx, e.Client, o) })
	}
	return g.Wait()
}

// namespacedListKinds are the list kinds of the namespaced kinds the watch cache holds: what
// Reset empties in resetNamespaces. Worked out once per Reset, not on every barrier check.
func (e *Env) namespacedListKinds() ([]schema.GroupVersionKind, error) {
	var out []schema.GroupVersionKind
	for _, kind := range envtestWatchedKinds() {
		gvk, err := apiutil.GVKForObject(kind, e.Target.Scheme())
		if err != nil {
			return nil, err
		}
		namespaced, err := e.Client.IsObjectNamespaced(kind)
		if err != nil || !namespaced {
			continue
		}
		out = append(out, gvk.GroupVersion().WithKind(gvk.Kind+"List"))
	}
	return out, nil
}

// leftovers lists, from r, what Reset must delete.
func (e *Env) leftovers(ctx context.Context, r client.Reader, lists []schema.GroupVersionKind) ([]client.Object, error) {
	var out []client.Object
	for _, o := range resetClusterScoped() {
		err := r.Get(ctx, client.ObjectKeyFromObject(o), o)
		switch {
		case err == nil:
			out = append(out, o)
		case !apierrors.IsNotFound(err):
			return nil, fmt.Errorf("reset: reading %s: %w", expect.Describe(o), err)
		}
	}
	for _, listKind := range lists {
		for _, ns := range resetNamespaces {
			// Typed lists: the cache keeps typed and unstructured informers apart.
			ro, err := e.Target.Scheme().New(listKind)
			if err != nil {
				return nil, err
			}
			l := ro.(client.ObjectList)
			if err := r.List(ctx, l, client.InNamespace(ns)); err != nil {
				return nil, fmt.Errorf("reset: listing %s in %s: %w", listKind.Kind, ns, err)
			}
			items, err := itemsOf(l)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
	}
	return out, nil
}

// batchDeletes splits what Reset deletes into single deletes and one delete-collection per
// namespace and kind where that namespace holds two or more of the kind and none has a
// finalizer. Why: a spec leaves ~27 objects, several of one kind in one namespace (the
// NetworkPolicies, ConfigMaps, Secrets); one request each is an API round trip each. A
// delete-collection removes every object of the kind in the namespace, which is what Reset
// wants anyway (the namespaces are emptied of every kind it watches), including one the
// cache has not seen yet.
func batchDeletes(s *runtime.Scheme, objs []client.Object) (singles []client.Object, collections []client.Object, err error) {
	type key struct {
		gvk schema.GroupVersionKind
		ns  string
	}
	groups := map[key][]client.Object{}
	var order []key
	for _, o := range objs {
		if o.GetNamespace() == "" || len(o.GetFinalizers()) > 0 {
			singles = append(singles, o)
			continue
		}
		gvk, err := apiutil.GVKForObject(o, s)
		if err != nil {
			return nil, nil, err
		}
		k := key{gvk, o.GetNamespace()}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], o)
	}
	for _, k := range order {
		if g := groups[k]; len(g) < 2 {
			singles = append(singles, g...)
		} else {
			collections = append(collections, g[0])
		}
	}
	return singles, collections, nil
}

// deleteCollection deletes every object of example's kind in example's namespace.
func deleteCollection(ctx context.Context, c client.Client, example client.Object) error {
	o := example.DeepCopyObject().(client.Object)
	if err := c.DeleteAllOf(ctx, o, client.InNamespace(example.GetNamespace()), client.GracePeriodSeconds(0)); err != nil {
		return fmt.Errorf("reset: deleting every %T in %s: %w", example, example.GetNamespace(), err)
	}
	return nil
}

// forceDelete removes finalizers (nothing in envtest would ever clear them) and deletes. The
// merge patch carries no resourceVersion, so a late write in between cannot make it conflict.
// The two are sent side by side: in either order the object ends up gone (deleted first, it
// waits for its finalizers, which the patch then clears), and the reset waits one round trip
// instead of two for the Config, its slowest object.
func forceDelete(ctx context.Context, c client.Client, o client.Object) error {
	var g errgroup.Group
	if len(o.GetFinalizers()) > 0 {
		patched := o.DeepCopyObject().(client.Object)
		g.Go(func() error {
			patch := client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`))
			if err := c.Patch(ctx, patched, patch); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("reset: clearing finalizers of %s: %w", expect.Describe(o), err)
			}
			return nil
		})
	}
	g.Go(func() error {
		if err := c.Delete(ctx, o, client.GracePeriodSeconds(0)); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("reset: deleting %s: %w", expect.Describe(o), err)
		}
		return nil
	})
	return g.Wait()
}
