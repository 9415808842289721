package render

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Keys of a route's TLS secret (ROUTE-02; the CA key is "tls.cacrt").
const (
	RouteSecretCertKey = "tls.crt"
	RouteSecretKeyKey  = "tls.key"
	RouteSecretCAKey   = "tls.cacrt"
)

func newRoute(name, host string) *routev1.Route {
	return &routev1.Route{
		TypeMeta: metav1.TypeMeta{APIVersion: "route.openshift.io/v1", Kind: "Route"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   Namespace,
			Annotations: OwnedAnnotations(),
		},
		Spec: routev1.RouteSpec{
			Host: host,
			To:   routev1.RouteTargetReference{Kind: "Service", Name: ServiceName},
			TLS:  &routev1.TLSConfig{Termination: routev1.TLSTerminationReencrypt},
		},
	}
}

func secretValue(s *corev1.Secret, key string) (string, bool) {
	if v, ok := s.Data[key]; ok {
		return string(v), true
	}
	v, ok := s.StringData[key]
	return v, ok
}

// Routes renders the wanted routes (ROUTE-01/02): "default-route" (no host)
// when spec.defaultRoute, then one per spec.routes[] with its hostname; all
// reencrypt to Service image-registry and annotated imageregistry.openshift.io="true".
// A route's secretName is looked up in secrets (Secrets of
// openshift-image-registry by name); a missing Secret is an error naming it. Each of
// tls.crt, tls.key and tls.cacrt the Secret lacks is left out of the Route, as upstream
// does (ROUTE-003; a router then refuses a certificate without its key).
//
// Implements ROUTE-001, ROUTE-002, ROUTE-003 (upstream ROUTE-02).
func Routes(cfg *imageregistryv1.Config, secrets map[string]*corev1.Secret) ([]*routev1.Route, error) {
	if cfg == nil {
		return nil, errors.New("config is nil")
	}
	var out []*routev1.Route
	if cfg.Spec.DefaultRoute {
		out = append(out, newRoute(DefaultRouteName, ""))
	}
	for _, r := range cfg.Spec.Routes {
		rt := newRoute(r.Name, r.Hostname)
		if r.SecretName != "" {
			s := secrets[r.SecretName]
			if s == nil {
				return nil, fmt.Errorf("route %s: secrets %q not found", r.Name, r.SecretName)
			}
			rt.Spec.TLS.Certificate, _ = secretValue(s, RouteSecretCertKey)
			rt.Spec.TLS.Key, _ = secretValue(s, RouteSecretKeyKey)
			rt.Spec.TLS.CACertificate, _ = secretValue(s, RouteSecretCAKey)
		}
		out = append(out, rt)
	}
	return out, nil
}

// IsOperatorRoute reports whether the route carries the operator's
// imageregistry.openshift.io annotation (ROUTE-03: only those are ever deleted).
//
// Implements ROUTE-004.
func IsOperatorRoute(r *routev1.Route) bool {
	_, ok := r.Annotations[OwnerAnnotation]
	return ok
}

// ObsoleteRoutes returns the names of existing operator routes that are not
// wanted any more (ROUTE-03); routes without the annotation are never listed.
//
// Implements ROUTE-004.
func ObsoleteRoutes(existing []routev1.Route, wanted []*routev1.Route) []string {
	keep := map[string]bool{}
	for _, w := range wanted {
		keep[w.Name] = true
	}
	var out []string
	for i := range existing {
		r := &existing[i]
		if r.Namespace != "" && r.Namespace != Namespace {
			continue
		}
		if IsOperatorRoute(r) && !keep[r.Name] {
			out = append(out, r.Name)
		}
	}
	slices.Sort(out)
	return out
}

// ExternalHostnames is IMGCFG-01: the admitted ingress hosts
// (status.ingress[].host) of operator routes; hosts starting with
// "default-route-openshift-image-registry" first, then the rest, each group
// sorted, no duplicates.
//
// Implements IMGCFG-001.
func ExternalHostnames(routes []routev1.Route) []string {
	var defaults, others []string
	for i := range routes {
		r := &routes[i]
		if !IsOperatorRoute(r) {
			continue
		}
		for _, ing := range r.Status.Ingress {
			if ing.Host == "" {
				continue
			}
			if strings.HasPrefix(ing.Host, DefaultRouteHostPrefix) {
				defaults = append(defaults, ing.Host)
			} else {
				others = append(others, ing.Host)
			}
		}
	}
	slices.Sort(defaults)
	slices.Sort(others)
	seen := map[string]bool{}
	var out []string
	for _, h := range append(defaults, others...) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}
