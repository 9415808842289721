package target

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

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

// Envtest is the embedded control plane: a real kube-apiserver and etcd with the OpenShift
// CRDs installed, and nothing else (no controllers, scheduler or kubelet: see fakes/cluster).
type Envtest struct {
	env       *envtest.Environment
	cfg       *rest.Config
	client    client.Client
	scheme    *runtime.Scheme
	StartTook time.Duration
}

// StartEnvtest starts kube-apiserver and etcd, installs the CRDs and creates the namespaces.
func StartEnvtest(ctx context.Context) (*Envtest, error) {
	assets, err := AssetsDir()
	if err != nil {
		return nil, err
	}
	crds, err := CRDPaths()
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
		CRDDirectoryPaths:     crds,
		ErrorIfCRDPathMissing: true,
		Scheme:                s,
	}
	// A throwaway etcd needs no durability: without fsync each write costs a fraction of a
	// millisecond instead of a disk flush, and every spec is a chain of writes.
	env.ControlPlane.Etcd = &envtest.Etcd{}
	env.ControlPlane.Etcd.Configure().Set("unsafe-no-fsync", "true")
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting envtest (kube-apiserver + etcd from %s): %w (if the binaries are corrupt, delete that folder and run `%s`)", assets, err, FixCommand)
	}
	cfg = tuneRESTConfig(cfg)
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("creating client: %w", err)
	}
	for i := range Namespaces {
		ns := Namespaces[i].DeepCopy()
		if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			_ = env.Stop()
			return nil, fmt.Errorf("creating namespace %s: %w", ns.Name, err)
		}
	}
	return &Envtest{env: env, cfg: cfg, client: c, scheme: s, StartTook: time.Since(start)}, nil
}

func (e *Envtest) Kind() string             { return KindEnvtest }
func (e *Envtest) RESTConfig() *rest.Config { return rest.CopyConfig(e.cfg) }
func (e *Envtest) Client() client.Client    { return e.client }
func (e *Envtest) Scheme() *runtime.Scheme  { return e.scheme }
func (e *Envtest) Server() string           { return e.cfg.Host }
func (e *Envtest) Stop() error              { return e.env.Stop() }

// AddUser creates an authenticated user with the given groups (none: no permissions beyond
// discovery) and returns a rest.Config for it.
func (e *Envtest) AddUser(name string, groups []string) (*rest.Config, error) {
	u, err := e.env.ControlPlane.AddUser(envtest.User{Name: name, Groups: groups}, e.cfg)
	if err != nil {
		return nil, fmt.Errorf("adding user %s: %w", name, err)
	}
	return tuneRESTConfig(u.Config()), nil
}
