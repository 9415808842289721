package target

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/internal/scheme"
)

// Problem classes of a live target, each with its own exit code, so scripts can tell an
// unreachable server from missing permissions.
var (
	ErrKubeconfig   = errors.New("kubeconfig unusable")
	ErrUnreachable  = errors.New("API server unreachable")
	ErrUnauthorized = errors.New("credentials rejected")
	ErrNotOpenShift = errors.New("not an OpenShift cluster")
	ErrForbidden    = errors.New("no read access")
)

// ExitCode maps a live-target error to the CLI's exit code (0 when err is nil).
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrKubeconfig):
		return 3
	case errors.Is(err, ErrUnreachable):
		return 4
	case errors.Is(err, ErrUnauthorized):
		return 5
	case errors.Is(err, ErrNotOpenShift):
		return 6
	case errors.Is(err, ErrForbidden):
		return 7
	}
	return 2
}

// Live is a real cluster reached through a kubeconfig.
type Live struct {
	cfg        *rest.Config
	client     client.Client
	raw        client.Client
	scheme     *runtime.Scheme
	Disruptive bool
	Platform   string
	Version    string
}

// NewLive loads the kubeconfig (path "" means $KUBECONFIG / ~/.kube/config), checks that the
// cluster is reachable, accepts the credentials, is OpenShift with the image registry
// operator's API, and that this user can read the Config. Unless disruptive, the client
// refuses every write.
func NewLive(ctx context.Context, kubeconfig, kubecontext string, disruptive bool) (*Live, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubecontext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKubeconfig, err)
	}
	cfg = tuneRESTConfig(cfg)
	cfg.Timeout = 15 * time.Second
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKubeconfig, err)
	}
	if _, err := dc.ServerVersion(); err != nil {
		if apierrors.IsUnauthorized(err) {
			return nil, fmt.Errorf("%w by %s (expired token or certificate?)", ErrUnauthorized, stripCredentials(cfg.Host))
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, stripCredentials(cfg.Host), err)
	}
	if _, err := dc.ServerResourcesForGroupVersion(imageregistryv1.GroupVersion.String()); err != nil {
		if apierrors.IsUnauthorized(err) {
			return nil, fmt.Errorf("%w by %s", ErrUnauthorized, stripCredentials(cfg.Host))
		}
		return nil, fmt.Errorf("%w: %s serves no %s API (is it OpenShift with the image registry operator?)", ErrNotOpenShift, stripCredentials(cfg.Host), imageregistryv1.GroupVersion)
	}
	raw, err := client.New(rest.CopyConfig(cfg), client.Options{Scheme: s})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKubeconfig, err)
	}
	l := &Live{cfg: cfg, raw: raw, scheme: s, Disruptive: disruptive, client: raw}
	if !disruptive {
		l.client = ReadOnly(raw)
	}
	var cfgObj imageregistryv1.Config
	if err := raw.Get(ctx, client.ObjectKey{Name: "cluster"}, &cfgObj); err != nil && !apierrors.IsNotFound(err) {
		if apierrors.IsForbidden(err) {
			return nil, fmt.Errorf("%w: this user cannot read configs.imageregistry.operator.openshift.io/cluster", ErrForbidden)
		}
		return nil, fmt.Errorf("%w: reading the registry Config: %v", ErrUnreachable, err)
	}
	var infra configv1.Infrastructure
	if err := raw.Get(ctx, client.ObjectKey{Name: "cluster"}, &infra); err == nil {
		if infra.Status.PlatformStatus != nil {
			l.Platform = string(infra.Status.PlatformStatus.Type)
		}
	}
	var cv configv1.ClusterVersion
	if err := raw.Get(ctx, client.ObjectKey{Name: "version"}, &cv); err == nil {
		l.Version = cv.Status.Desired.Version
	}
	return l, nil
}

func (l *Live) Kind() string             { return KindLive }
func (l *Live) RESTConfig() *rest.Config { return rest.CopyConfig(l.cfg) }
func (l *Live) Client() client.Client    { return l.client }
func (l *Live) Scheme() *runtime.Scheme  { return l.scheme }
func (l *Live) Server() string           { return stripCredentials(l.cfg.Host) }
func (l *Live) Stop() error              { return nil }

// stripCredentials removes user:password@ from a URL before it is printed or reported.
func stripCredentials(host string) string {
	u, err := url.Parse(host)
	if err != nil || u.User == nil {
		return host
	}
	u.User = nil
	return u.String()
}
