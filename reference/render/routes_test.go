package render

import (
	"reflect"
	"strings"
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRoutes(t *testing.T) {
	tlsSecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Data: map[string][]byte{
		"tls.crt": []byte("CERT"), "tls.key": []byte("KEY"), "tls.cacrt": []byte("CA"),
	}}
	noCA := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "noca"}, StringData: map[string]string{"tls.crt": "C2", "tls.key": "K2"}}
	noKey := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "nokey"}, Data: map[string][]byte{"tls.crt": []byte("C")}}
	caOnlyWrongName := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cacrt"}, Data: map[string][]byte{"tls.key": []byte("K"), "ca.crt": []byte("CA")}}
	secrets := map[string]*corev1.Secret{"tls": tlsSecret, "noca": noCA, "nokey": noKey, "cacrt": caOnlyWrongName}

	type want struct{ name, host, cert, key, ca string }
	cases := []struct {
		name    string
		mut     func(*imageregistryv1.Config)
		want    []want
		wantErr string
	}{
		{"no routes by default", func(*imageregistryv1.Config) {}, nil, ""},
		{"default route", func(c *imageregistryv1.Config) { c.Spec.DefaultRoute = true }, []want{{name: "default-route"}}, ""},
		{"default + custom without secret", func(c *imageregistryv1.Config) {
			c.Spec.DefaultRoute = true
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "testroute", Hostname: "test.example.com"}}
		}, []want{{name: "default-route"}, {name: "testroute", host: "test.example.com"}}, ""},
		{"custom with secret", func(c *imageregistryv1.Config) {
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{
				{Name: "a", Hostname: "a.example.com", SecretName: "tls"},
				{Name: "b", Hostname: "b.example.com", SecretName: "noca"},
			}
		}, []want{{"a", "a.example.com", "CERT", "KEY", "CA"}, {"b", "b.example.com", "C2", "K2", ""}}, ""},
		{"missing secret", func(c *imageregistryv1.Config) {
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "a", SecretName: "ghost"}}
		}, nil, `route a: secrets "ghost" not found`},
		// ROUTE-003: what the Secret lacks is left out (ca.crt is not a key the operator reads).
		{"secret without tls.key", func(c *imageregistryv1.Config) {
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "a", SecretName: "nokey"}}
		}, []want{{"a", "", "C", "", ""}}, ""},
		{"secret with ca.crt but no tls.crt", func(c *imageregistryv1.Config) {
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "a", SecretName: "cacrt"}}
		}, []want{{"a", "", "", "K", ""}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			routes, err := Routes(testConfig(tc.mut), secrets)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(routes) != len(tc.want) {
				t.Fatalf("got %d routes, want %d", len(routes), len(tc.want))
			}
			for i, w := range tc.want {
				r := routes[i]
				if r.Name != w.name || r.Namespace != "openshift-image-registry" || r.Spec.Host != w.host {
					t.Errorf("route %d: %s/%s host %q", i, r.Namespace, r.Name, r.Spec.Host)
				}
				if r.Annotations["imageregistry.openshift.io"] != "true" {
					t.Errorf("route %s not annotated", r.Name)
				}
				if r.Spec.To.Kind != "Service" || r.Spec.To.Name != "image-registry" || r.Spec.TLS.Termination != routev1.TLSTerminationReencrypt {
					t.Errorf("route %s target/tls %+v %+v", r.Name, r.Spec.To, r.Spec.TLS)
				}
				if r.Spec.TLS.Certificate != w.cert || r.Spec.TLS.Key != w.key || r.Spec.TLS.CACertificate != w.ca {
					t.Errorf("route %s tls material %+v", r.Name, r.Spec.TLS)
				}
			}
		})
	}
	if _, err := Routes(nil, nil); err == nil {
		t.Fatal("nil config")
	}
}

func route(name string, owned bool, hosts ...string) routev1.Route {
	r := routev1.Route{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: Namespace}}
	if owned {
		r.Annotations = map[string]string{"imageregistry.openshift.io": "true"}
	}
	for _, h := range hosts {
		r.Status.Ingress = append(r.Status.Ingress, routev1.RouteIngress{Host: h})
	}
	return r
}

func TestExternalHostnames(t *testing.T) {
	cases := []struct {
		name   string
		routes []routev1.Route
		want   []string
	}{
		{"none", nil, nil},
		{"default first", []routev1.Route{
			route("z", true, "a.example.com"),
			route("default-route", true, "default-route-openshift-image-registry.apps.example.com"),
		}, []string{"default-route-openshift-image-registry.apps.example.com", "a.example.com"}},
		{"sorted and deduped", []routev1.Route{
			route("b", true, "c.example.com", "b.example.com"),
			route("a", true, "b.example.com", ""),
		}, []string{"b.example.com", "c.example.com"}},
		{"foreign routes ignored", []routev1.Route{
			route("user", false, "user.example.com"),
			route("mine", true, "mine.example.com"),
		}, []string{"mine.example.com"}},
		{"not admitted yet", []routev1.Route{route("default-route", true)}, nil},
		{"two routers for default route", []routev1.Route{
			route("default-route", true, "default-route-openshift-image-registry.b", "default-route-openshift-image-registry.a"),
			route("x", true, "0.example.com"),
		}, []string{"default-route-openshift-image-registry.a", "default-route-openshift-image-registry.b", "0.example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExternalHostnames(tc.routes); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v want %v", got, tc.want)
			}
		})
	}
}

func TestObsoleteRoutes(t *testing.T) {
	wanted, _ := Routes(testConfig(func(c *imageregistryv1.Config) {
		c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "keep"}}
	}), nil)
	existing := []routev1.Route{
		route("default-route", true), route("keep", true), route("gone", true), route("user", false),
	}
	other := route("elsewhere", true)
	other.Namespace = "other"
	existing = append(existing, other)
	if got := ObsoleteRoutes(existing, wanted); !reflect.DeepEqual(got, []string{"default-route", "gone"}) {
		t.Fatalf("got %v", got)
	}
}
