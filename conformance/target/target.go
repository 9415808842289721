// Package target is where a conformance run points: the embedded envtest control plane
// (the default) or, later, a live cluster through a kubeconfig. Specs only see the Target.
package target

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Kinds of target.
const (
	KindEnvtest = "envtest"
	KindLive    = "live"
)

// Target is a cluster the suite runs against.
type Target interface {
	Kind() string
	RESTConfig() *rest.Config
	Client() client.Client
	Scheme() *runtime.Scheme
	// Server is the API server URL with credentials stripped.
	Server() string
	Stop() error
}

// tuneRESTConfig raises client-side rate limits: with client-go's defaults (5 QPS, burst
// 10) a create+get costs ~400 ms of throttling; the API work itself is ~3 ms.
func tuneRESTConfig(cfg *rest.Config) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS = 300
	cfg.Burst = 300
	return cfg
}
