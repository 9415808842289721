package target

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
)

// ServiceAccountDirEnv names the variable that moves the folder holding the pod's
// ServiceAccount token and CA (default DefaultServiceAccountDir). Tests point it at a token
// minted for the shipped RBAC; in a pod it stays unset.
const ServiceAccountDirEnv = "IRCONFORM_SERVICEACCOUNT_DIR"

// DefaultServiceAccountDir is where the kubelet mounts a pod's ServiceAccount credentials.
const DefaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// InClusterConfig is the client configuration of a pod: the API server from
// KUBERNETES_SERVICE_HOST/PORT, the ServiceAccount's token (re-read as the kubelet rotates it)
// and CA from the mounted folder. An error says which of them is missing, so a run outside a
// pod explains itself in one line.
func InClusterConfig() (*rest.Config, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, fmt.Errorf("%w: not running in a pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set); use --kubeconfig", ErrKubeconfig)
	}
	dir := os.Getenv(ServiceAccountDirEnv)
	if dir == "" {
		dir = DefaultServiceAccountDir
	}
	token := filepath.Join(dir, "token")
	if _, err := os.Stat(token); err != nil {
		return nil, fmt.Errorf("%w: no ServiceAccount token at %s (automountServiceAccountToken off?)", ErrKubeconfig, token)
	}
	ca := filepath.Join(dir, "ca.crt")
	if _, err := os.Stat(ca); err != nil {
		return nil, fmt.Errorf("%w: no ServiceAccount CA at %s", ErrKubeconfig, ca)
	}
	return &rest.Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		BearerTokenFile: token,
		TLSClientConfig: rest.TLSClientConfig{CAFile: ca},
	}, nil
}

// NewLiveInCluster is NewLive for a pod's own ServiceAccount (InClusterConfig).
func NewLiveInCluster(ctx context.Context, disruptive bool) (*Live, error) {
	cfg, err := InClusterConfig()
	if err != nil {
		return nil, err
	}
	return NewLiveFromConfig(ctx, cfg, disruptive)
}
