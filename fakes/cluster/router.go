package cluster

import (
	"context"
	"sync"

	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// The default ingress router: it admits every Route in the registry namespace and reports
// the host it serves in status.ingress: spec.host, or <name>-<namespace>.<ingress domain>
// when spec.host is empty (default-route → default-route-openshift-image-registry.apps.irconform.example).
const (
	IngressDomain     = "apps.irconform.example"
	RouterName        = "default"
	routerNamespace   = "openshift-image-registry"
	routerCanonicalHN = "router-default." + IngressDomain
)

// RouteHost is the host the simulated router gives a route.
func RouteHost(rt *routev1.Route) string {
	if rt.Spec.Host != "" {
		return rt.Spec.Host
	}
	return rt.Name + "-" + rt.Namespace + "." + IngressDomain
}

// Rejection is what the router says of a host it will not serve (e.g. another namespace
// already claims it): Admitted False with this reason and message.
type Rejection struct{ Reason, Message string }

type router struct {
	client client.Client

	mu       sync.Mutex
	rejected map[string]Rejection // host → why
}

func (ro *router) rejection(host string) (Rejection, bool) {
	ro.mu.Lock()
	defer ro.mu.Unlock()
	r, ok := ro.rejected[host]
	return r, ok
}

func (ro *router) register(mgr manager.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).Named("sim-router").For(&routev1.Route{}).Complete(ro)
}

// Models ROUTE-002, ROUTE-003, IMGCFG-001.
func (ro *router) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if req.Namespace != routerNamespace {
		return reconcile.Result{}, nil
	}
	var rt routev1.Route
	if err := ro.client.Get(ctx, req.NamespacedName, &rt); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if rt.DeletionTimestamp != nil {
		return reconcile.Result{}, nil
	}
	host := RouteHost(&rt)
	want := routev1.RouteIngressCondition{Type: routev1.RouteAdmitted, Status: corev1.ConditionTrue}
	if r, ok := ro.rejection(host); ok {
		want.Status, want.Reason, want.Message = corev1.ConditionFalse, r.Reason, r.Message
	}
	if len(rt.Status.Ingress) == 1 {
		in := rt.Status.Ingress[0]
		if in.Host == host && in.RouterName == RouterName && len(in.Conditions) == 1 &&
			in.Conditions[0].Type == want.Type && in.Conditions[0].Status == want.Status &&
			in.Conditions[0].Reason == want.Reason && in.Conditions[0].Message == want.Message {
			return reconcile.Result{}, nil
		}
	}
	now := metav1.Now()
	want.LastTransitionTime = &now
	rt.Status.Ingress = []routev1.RouteIngress{{
		Host:                    host,
		RouterName:              RouterName,
		WildcardPolicy:          routev1.WildcardPolicyNone,
		RouterCanonicalHostname: routerCanonicalHN,
		Conditions:              []routev1.RouteIngressCondition{want},
	}}
	if err := ro.client.Status().Update(ctx, &rt); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	return reconcile.Result{}, nil
}
