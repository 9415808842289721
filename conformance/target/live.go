package target

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/livecheck"
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
	ErrTLS          = errors.New("TLS verification failed")
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
	case errors.Is(err, ErrTLS):
		return 8
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
	// Version is the cluster's version as ClusterVersion states it (else the image registry
	// operator's own, from its ClusterOperator); "" when neither can be read.
	Version string
	// Release is the release whose shapes the live checks expect (zero when unknown), and
	// ReleaseFrom the object it was read from.
	Release     livecheck.Release
	ReleaseFrom string
	// Access is what this account may read, asked before anything runs.
	Access livecheck.Access
}

// NewLive loads the kubeconfig (path "" means $KUBECONFIG / ~/.kube/config), checks that the
// cluster is reachable over verified TLS, accepts the credentials, is OpenShift with the
// image registry operator's API, and that this account may read the Config; then asks what
// else it may read and which release it runs. Every failure is one line with its class
// (ExitCode). Unless disruptive, the client refuses every write.
func NewLive(ctx context.Context, kubeconfig, kubecontext string, disruptive bool) (*Live, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubecontext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKubeconfig, firstLine(err.Error()))
	}
	return NewLiveFromConfig(ctx, cfg, disruptive)
}

// NewLiveFromConfig is NewLive for a client configuration already loaded (a kubeconfig, or
// a pod's ServiceAccount: InClusterConfig).
func NewLiveFromConfig(ctx context.Context, cfg *rest.Config, disruptive bool) (*Live, error) {
	cfg = tuneRESTConfig(cfg)
	cfg.Timeout = 15 * time.Second
	server := stripCredentials(cfg.Host)
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKubeconfig, err)
	}
	if _, err := dc.ServerVersion(); err != nil {
		return nil, classify(server, err)
	}
	if _, err := dc.ServerResourcesForGroupVersion(imageregistryv1.GroupVersion.String()); err != nil {
		if apierrors.IsUnauthorized(err) {
			return nil, fmt.Errorf("%w by %s", ErrUnauthorized, server)
		}
		if !apierrors.IsNotFound(err) {
			return nil, classify(server, err)
		}
		return nil, fmt.Errorf("%w: %s serves no %s API (is it OpenShift with the image registry operator?)", ErrNotOpenShift, server, imageregistryv1.GroupVersion)
	}
	access, err := livecheck.PlanAccess(ctx, cfg)
	if err != nil {
		return nil, classify(server, err)
	}
	if !access.CanRead(livecheck.InConfig) {
		return nil, fmt.Errorf("%w: this account may not get configs.imageregistry.operator.openshift.io/cluster on %s (a cluster-reader binding is enough for read-only runs)", ErrForbidden, server)
	}
	raw, err := client.New(rest.CopyConfig(cfg), client.Options{Scheme: s})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKubeconfig, err)
	}
	l := &Live{cfg: cfg, raw: raw, scheme: s, Disruptive: disruptive, client: raw, Access: access}
	if !disruptive {
		l.client = ReadOnly(raw)
	}
	var cfgObj imageregistryv1.Config
	if err := raw.Get(ctx, client.ObjectKey{Name: "cluster"}, &cfgObj); err != nil && !apierrors.IsNotFound(err) {
		if apierrors.IsForbidden(err) {
			return nil, fmt.Errorf("%w: this account cannot read configs.imageregistry.operator.openshift.io/cluster on %s", ErrForbidden, server)
		}
		return nil, classify(server, fmt.Errorf("reading the registry Config: %w", err))
	}
	if access.CanRead(livecheck.InInfrastructure) {
		var infra configv1.Infrastructure
		if err := raw.Get(ctx, client.ObjectKey{Name: "cluster"}, &infra); err == nil && infra.Status.PlatformStatus != nil {
			l.Platform = string(infra.Status.PlatformStatus.Type)
		}
	}
	if access.CanRead(livecheck.InClusterVersion) {
		var cv configv1.ClusterVersion
		if err := raw.Get(ctx, client.ObjectKey{Name: "version"}, &cv); err == nil {
			l.Version = cv.Status.Desired.Version
		}
	}
	reader, err := livecheck.NewReader(cfg)
	if err != nil {
		return nil, err
	}
	var operatorVersion string
	l.Release, operatorVersion, l.ReleaseFrom = livecheck.DetectRelease(ctx, reader, access)
	if l.Version == "" {
		l.Version = operatorVersion
	}
	return l, nil
}

// classify turns a transport or API error into one line of the right class: a certificate
// the kubeconfig's CA does not vouch for is a TLS failure, not an unreachable server.
func classify(server string, err error) error {
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
	)
	msg := err.Error()
	if strings.HasPrefix(server, "http://") && speaksTLS(server) {
		return fmt.Errorf("%w: %s: plain http to a port that speaks https: use https:// in the kubeconfig's server URL", ErrKubeconfig, server)
	}
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("%w by %s (expired token or certificate?)", ErrUnauthorized, server)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("%w on %s: %s", ErrForbidden, server, firstLine(msg))
	case errors.As(err, &unknownCA) || (errors.As(err, &verifyErr) && strings.Contains(msg, "unknown authority")):
		return fmt.Errorf("%w: %s presents a certificate the kubeconfig's certificate-authority does not vouch for (wrong CA data, or a proxy in between)", ErrTLS, server)
	case errors.As(err, &hostnameErr):
		return fmt.Errorf("%w: %s presents a certificate for another name: %s", ErrTLS, server, hostnameErr.Error())
	case errors.As(err, &invalidErr) || errors.As(err, &verifyErr):
		return fmt.Errorf("%w: %s: %s", ErrTLS, server, firstLine(msg))
	case strings.Contains(msg, "Client sent an HTTP request to an HTTPS server") ||
		strings.Contains(msg, "server gave HTTP response to HTTPS client") || errors.As(err, &recordErr):
		return fmt.Errorf("%w: %s: the scheme does not match the port (this port speaks %s): fix the server URL in the kubeconfig", ErrKubeconfig, server, otherScheme(server))
	}
	return fmt.Errorf("%w: %s: %s", ErrUnreachable, server, firstLine(msg))
}

// speaksTLS reports whether the server's port answers a TLS handshake (certificate not
// checked: only the protocol is in question).
func speaksTLS(server string) bool {
	u, err := url.Parse(server)
	if err != nil {
		return false
	}
	host := u.Host
	if u.Port() == "" {
		host += ":80"
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", host, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // protocol probe only, nothing is sent
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

func otherScheme(server string) string {
	if strings.HasPrefix(server, "http://") {
		return "https"
	}
	return "plain http"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
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
