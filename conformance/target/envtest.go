package target

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/irconform/irconform/internal/restmapper"
	"github.com/irconform/irconform/internal/scheme"
)

// Namespaces every OpenShift cluster has and the operator uses. The registry namespace
// carries the SCC supplemental-groups annotation OpenShift puts on every namespace, from
// which the operator derives the pod fsGroup.
var Namespaces = []corev1.Namespace{
	{ObjectMeta: metav1.ObjectMeta{Name: "openshift-image-registry", Annotations: map[string]string{
		"openshift.io/sa.scc.supplemental-groups": "1000430000/10000",
		"openshift.io/sa.scc.uid-range":           "1000430000/10000",
	}}},
	{ObjectMeta: metav1.ObjectMeta{Name: "openshift-config"}},
	{ObjectMeta: metav1.ObjectMeta{Name: "openshift-config-managed"}},
}

// servedAPIs are kube-apiserver's built-in API groups a run needs: what the operator, the
// simulator and the specs use (core, apps, batch, rbac, policy, networking), CRDs, events,
// leases (leader election), access reviews and token reviews (live-mode checks, an operator
// run as its own process), and what kube-apiserver itself needs to start (apiregistration,
// admissionregistration, discovery, scheduling, storage) and to be ready: node.k8s.io, whose
// RuntimeClass informer the RuntimeClass admission plugin waits for. Without it /readyz
// fails on "informer-sync" forever, and kube-apiserver polls its own /readyz ~20 times a
// second for the whole run (3.5k failed self-requests in one suite).
var servedAPIs = []string{
	"api/all=false", "api/v1=true", "apps/v1=true", "batch/v1=true", "rbac.authorization.k8s.io/v1=true",
	"policy/v1=true", "networking.k8s.io/v1=true", "apiextensions.k8s.io/v1=true", "events.k8s.io/v1=true",
	"coordination.k8s.io/v1=true", "authorization.k8s.io/v1=true", "authentication.k8s.io/v1=true",
	"apiregistration.k8s.io/v1=true", "admissionregistration.k8s.io/v1=true", "discovery.k8s.io/v1=true",
	"scheduling.k8s.io/v1=true", "storage.k8s.io/v1=true", "node.k8s.io/v1=true",
}

// Envtest is the embedded control plane: a real kube-apiserver and etcd with the OpenShift
// CRDs installed, and nothing else (no controllers, scheduler or kubelet: see fakes/cluster).
type Envtest struct {
	env *envtest.Environment
	// cfg is the administrator's config (a bearer token; see adminTokenFile).
	cfg *rest.Config
	// certCfg is envtest's own administrator config (a client certificate): the base AddUser
	// gives each new user's certificate.
	certCfg   *rest.Config
	tokenDir  string
	client    client.Client
	scheme    *runtime.Scheme
	StartTook time.Duration
	// Phases is where StartTook went.
	Phases StartPhases
}

// StartPhases is where the start of the control plane goes (for `irconform bench`).
type StartPhases struct {
	// ControlPlane: etcd and kube-apiserver started and healthy.
	ControlPlane time.Duration
	// CRDs: the CRDs created and their APIs served (in discovery).
	CRDs time.Duration
	// Namespaces: the namespaces every OpenShift cluster has, created.
	Namespaces time.Duration
}

// EnvtestOptions shape the embedded control plane.
type EnvtestOptions struct {
	// OpenShiftAPIVersion is the github.com/openshift/api version whose CRDs are installed
	// ("": the one irconform is built with), e.g. the version an operator under test vendors.
	OpenShiftAPIVersion string
}

// StartEnvtest starts kube-apiserver and etcd, installs the CRDs and creates the namespaces.
func StartEnvtest(ctx context.Context) (*Envtest, error) {
	return StartEnvtestWith(ctx, EnvtestOptions{})
}

// StartEnvtestWith is StartEnvtest with options.
func StartEnvtestWith(ctx context.Context, opts EnvtestOptions) (*Envtest, error) {
	assets, err := AssetsDir()
	if err != nil {
		return nil, err
	}
	crds, err := CRDPathsAt(opts.OpenShiftAPIVersion)
	if err != nil {
		return nil, err
	}
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		Scheme:                s,
	}
	// A throwaway etcd needs no durability: without fsync each write costs a fraction of a
	// millisecond instead of a disk flush, and every spec is a chain of writes.
	env.ControlPlane.Etcd = &envtest.Etcd{}
	env.ControlPlane.Etcd.Configure().Set("unsafe-no-fsync", "true")
	// API priority and fairness queues requests by flow under contention; one suite is the
	// only client, so it buys nothing here, while its bootstrap (flow schemas and priority
	// levels written at start) and per-request classification cost start-up and request time.
	env.ControlPlane.APIServer = &envtest.APIServer{}
	env.ControlPlane.APIServer.Configure().Set("enable-priority-and-fairness", "false")
	// The harness's reset empties a namespace of a kind with one delete-collection; the API
	// server deletes the items one after another unless it has more workers (default 1).
	env.ControlPlane.APIServer.Configure().Set("delete-collection-workers", "4")
	// Only the built-in API groups a run uses are served: kube-apiserver builds storage,
	// handlers and OpenAPI for every group it serves before it reports healthy (~0.5 s of
	// its ~3 s start on two cores go to the groups nothing here uses).
	env.ControlPlane.APIServer.Configure().Set("runtime-config", strings.Join(servedAPIs, ","))
	token, tokenDir, err := adminTokenFile()
	if err != nil {
		return nil, err
	}
	env.ControlPlane.APIServer.Configure().Set("token-auth-file", filepath.Join(tokenDir, tokenFileName))
	restoreGOGC := controlPlaneGOGC()
	certCfg, err := env.Start()
	restoreGOGC()
	if err != nil {
		_ = os.RemoveAll(tokenDir)
		return nil, fmt.Errorf("starting envtest (kube-apiserver + etcd from %s): %w (if the binaries are corrupt, delete that folder and run `%s`)", assets, err, FixCommand)
	}
	// From here a failure stops the control plane and removes the token folder, as Stop does.
	e := &Envtest{env: env, certCfg: certCfg, tokenDir: tokenDir, scheme: s}
	cfg := withToken(certCfg, token)
	var phases StartPhases
	phases.ControlPlane = time.Since(start)
	cfg = tuneRESTConfig(cfg)
	t := time.Now()
	if err := installCRDs(ctx, cfg, crds); err != nil {
		_ = e.Stop()
		return nil, err
	}
	phases.CRDs = time.Since(t)
	mapper, err := restmapper.ForConfig(cfg)
	if err != nil {
		_ = e.Stop()
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: s, Mapper: mapper})
	if err != nil {
		_ = e.Stop()
		return nil, fmt.Errorf("creating client: %w", err)
	}
	t = time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for i := range Namespaces {
		ns := Namespaces[i].DeepCopy()
		g.Go(func() error {
			if err := c.Create(gctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("creating namespace %s: %w", ns.Name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		_ = e.Stop()
		return nil, err
	}
	phases.Namespaces = time.Since(t)
	e.cfg, e.client, e.StartTook, e.Phases = cfg, c, time.Since(start), phases
	return e, nil
}

// tokenFileName is the static token file kube-apiserver reads (--token-auth-file).
const tokenFileName = "admin-token.csv"

// adminTokenFile writes a fresh random token for an administrator (group system:masters) in a
// new private folder, for kube-apiserver's static token authenticator.
//
// Why a token and not envtest's client certificate: kube-apiserver verifies a client
// certificate's chain on every request (crypto/x509 Verify), ~5% of its CPU in a suite run;
// a static token is a map lookup. The token dies with the throwaway control plane.
func adminTokenFile() (token, dir string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("admin token: %w", err)
	}
	token = hex.EncodeToString(raw)
	dir, err = os.MkdirTemp("", "irconform-envtest-auth-")
	if err != nil {
		return "", "", fmt.Errorf("admin token: %w", err)
	}
	line := token + ",irconform-admin,irconform-admin,\"system:masters\"\n"
	if err := os.WriteFile(filepath.Join(dir, tokenFileName), []byte(line), 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", "", fmt.Errorf("admin token: %w", err)
	}
	return token, dir, nil
}

// withToken is cfg authenticating with token instead of a client certificate.
func withToken(cfg *rest.Config, token string) *rest.Config {
	out := rest.CopyConfig(cfg)
	out.CertData, out.KeyData, out.CertFile, out.KeyFile = nil, nil, "", ""
	out.BearerToken = token
	return out
}

// controlPlaneGOGC has kube-apiserver and etcd, started by envtest with this process's
// environment, collect garbage at GOGC=400 unless the user set GOGC: a fifth of
// kube-apiserver's CPU in a suite run went to its garbage collector at Go's default 100, and
// CPU is what limits a suite on two cores (the 2026-12-01 profile: kube-apiserver 93 s of CPU
// at 100, 78 s at 400, for a ~100 s run). The price is a larger heap, a few hundred MB for a
// throwaway control plane. It returns a func that puts the environment back.
func controlPlaneGOGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	_ = os.Setenv("GOGC", "400")
	return func() { _ = os.Unsetenv("GOGC") }
}

// installCRDs creates the CRDs all at once, has the API server build each one's handler, and
// waits until discovery serves them all. Why not envtest's own install: it creates them one
// after another and polls discovery every 100 ms. And why a first list per CRD right after
// its create: kube-apiserver builds a CRD's handler (schema, CEL validators, field manager)
// on the first request for it, one CRD at a time, ~2 s for these on two cores; started as
// each CRD is created, that work overlaps the other creates instead of landing in the first
// spec (or in a warm-up after the install).
func installCRDs(ctx context.Context, cfg *rest.Config, paths []string) error {
	opts := envtest.CRDInstallOptions{Paths: paths, ErrorIfPathMissing: true, PollInterval: 10 * time.Millisecond, MaxTime: time.Minute}
	if err := envtest.ReadCRDFiles(&opts); err != nil {
		return fmt.Errorf("reading the CRDs: %w", err)
	}
	s := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		return err
	}
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return fmt.Errorf("creating client: %w", err)
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return fmt.Errorf("creating HTTP client: %w", err)
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, crd := range opts.CRDs {
		g.Go(func() error {
			if err := c.Create(gctx, crd.DeepCopy()); err != nil {
				return fmt.Errorf("installing CRD %s: %w", crd.Name, err)
			}
			for _, v := range crd.Spec.Versions {
				if !v.Served {
					continue
				}
				url := strings.TrimSuffix(cfg.Host, "/") + "/apis/" + crd.Spec.Group + "/" + v.Name + "/" + crd.Spec.Names.Plural + "?limit=1"
				if err := firstList(gctx, hc, url); err != nil {
					return fmt.Errorf("CRD %s: %w", crd.Name, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := envtest.WaitForCRDs(cfg, opts.CRDs, opts); err != nil {
		return fmt.Errorf("waiting for the CRDs to be served: %w", err)
	}
	return backdateEstablished(ctx, c, opts.CRDs)
}

// backdateEstablished moves each CRD's Established condition a minute into the past. Why:
// kube-apiserver holds every create of a custom resource for 2 s while its CRD was
// established less than 2 s ago, so that in a highly available control plane another API
// server has seen it too. Envtest is one API server; without this the suite's first creates
// (and the warm-up) would each wait those 2 s.
func backdateEstablished(ctx context.Context, c client.Client, crds []*apiextensionsv1.CustomResourceDefinition) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, crd := range crds {
		g.Go(func() error {
			var cur apiextensionsv1.CustomResourceDefinition
			if err := c.Get(gctx, client.ObjectKeyFromObject(crd), &cur); err != nil {
				return fmt.Errorf("reading CRD %s: %w", crd.Name, err)
			}
			for i := range cur.Status.Conditions {
				if cur.Status.Conditions[i].Type == apiextensionsv1.Established {
					cur.Status.Conditions[i].LastTransitionTime = metav1.NewTime(time.Now().Add(-time.Minute))
				}
			}
			if err := c.Status().Update(gctx, &cur); err != nil {
				return fmt.Errorf("updating CRD %s status: %w", crd.Name, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// firstList lists url until the API server answers 200 (a CRD's resource answers 404 until
// it is established), every 10 ms, for at most a minute.
func firstList(ctx context.Context, hc *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not served after a minute (last: %v)", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
func (e *Envtest) Kind() string             { return KindEnvtest }
func (e *Envtest) RESTConfig() *rest.Config { return rest.CopyConfig(e.cfg) }
func (e *Envtest) Client() client.Client    { return e.client }
func (e *Envtest) Scheme() *runtime.Scheme  { return e.scheme }
func (e *Envtest) Server() string           { return e.cfg.Host }

// StorageURL is etcd's client URL (plain HTTP on 127.0.0.1). Only the harness's reset uses
// it, to empty the cluster between specs without one API request per object.
func (e *Envtest) StorageURL() string { return e.env.ControlPlane.Etcd.URL.String() }

func (e *Envtest) Stop() error {
	defer func() { _ = os.RemoveAll(e.tokenDir) }()
	return e.env.Stop()
}

// AddUser creates an authenticated user with the given groups (none: no permissions beyond
// discovery) and returns a rest.Config for it.
func (e *Envtest) AddUser(name string, groups []string) (*rest.Config, error) {
	u, err := e.env.ControlPlane.AddUser(envtest.User{Name: name, Groups: groups}, e.certCfg)
	if err != nil {
		return nil, fmt.Errorf("adding user %s: %w", name, err)
	}
	return tuneRESTConfig(u.Config()), nil
}
