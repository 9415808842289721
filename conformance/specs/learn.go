package specs

import (
	"context"
	"sync"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/internal/redact"
)

// The suite learns the secret values of what it sees (Secret data, Route TLS keys,
// httpSecret, secret-named env values; see redact.SecretValues), so that the redactor masks
// them in any text: a Gomega message comparing a credentials file, a Go struct print, a log
// line. Values come from two places: every object the specs and scenarios read or write
// through env.Client, and the watch cache (informer events, plus a full pass over the cache
// before a failure is printed, in case an event is still on its way).

// learnedKinds are the kinds that carry secrets.
func learnedKinds() []client.ObjectList {
	return []client.ObjectList{&corev1.SecretList{}, &routev1.RouteList{}, &imageregistryv1.ConfigList{}, &appsv1.DeploymentList{}}
}

var learning struct {
	mu  sync.Mutex
	ctx context.Context
	r   client.Reader // the watch cache
}

// startLearning wraps env.Client and, on envtest, hooks the watch cache's informers. On a
// live cluster the watch cache (if any) covers only what the disruptive specs wait on and must
// never start a watch of its own (Secrets least of all): there the client alone learns, from
// what the specs read.
func startLearning(ctx context.Context, e *harness.Env) {
	if e == nil {
		return
	}
	e.Client = learningClient{Client: e.Client}
	if e.Live || e.Watch == nil {
		return
	}
	learning.mu.Lock()
	learning.ctx, learning.r = ctx, e.Watch.Reader()
	learning.mu.Unlock()
	for _, obj := range []client.Object{&corev1.Secret{}, &routev1.Route{}, &imageregistryv1.Config{}, &appsv1.Deployment{}} {
		inf, err := e.Watch.Cache().GetInformer(ctx, obj)
		if err != nil {
			continue // not served by this cluster; the pass before a failure covers the rest
		}
		_, _ = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    func(o any) { learnFrom(o) },
			UpdateFunc: func(_, o any) { learnFrom(o) },
		})
	}
}

// learnSecrets reads every secret-carrying object in the watch cache (memory only).
func learnSecrets() {
	learning.mu.Lock()
	ctx, r := learning.ctx, learning.r
	learning.mu.Unlock()
	if r == nil {
		return
	}
	for _, l := range learnedKinds() {
		if err := r.List(ctx, l); err != nil {
			continue
		}
		items, err := meta.ExtractList(l)
		if err != nil {
			continue
		}
		for _, o := range items {
			learnFrom(o)
		}
	}
}

// learnFrom registers the secret values of a typed object with the process-wide redactor.
func learnFrom(o any) {
	ro, ok := o.(runtime.Object)
	if !ok {
		return
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ro)
	if err != nil {
		return
	}
	if _, isSecret := ro.(*corev1.Secret); isSecret {
		m["kind"] = "Secret" // typed objects read from a cache have no TypeMeta
	}
	redact.Default().Learn(redact.SecretValues(m)...)
}

// learningClient learns from every object that passes through it, read or written.
type learningClient struct{ client.Client }

func (c learningClient) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	err := c.Client.Get(ctx, key, obj, opts...)
	if err == nil {
		learnFrom(obj)
	}
	return err
}

func (c learningClient) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	err := c.Client.List(ctx, list, opts...)
	if err == nil {
		if items, err := meta.ExtractList(list); err == nil {
			for _, o := range items {
				learnFrom(o)
			}
		}
	}
	return err
}

func (c learningClient) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	learnFrom(obj)
	return c.Client.Create(ctx, obj, opts...)
}

func (c learningClient) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	learnFrom(obj)
	return c.Client.Update(ctx, obj, opts...)
}

func (c learningClient) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	err := c.Client.Patch(ctx, obj, patch, opts...)
	learnFrom(obj) // the patched object, as the API server returned it
	return err
}
