package render

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testCertPEM(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestCheckPEMCertificates(t *testing.T) {
	a, b := testCertPEM(t, "a"), testCertPEM(t, "b")
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
	garbage := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not der")}))
	cases := []struct {
		name   string
		value  string
		reason string // "" = valid
	}{
		{"one cert", a, ""},
		{"bundle", a + b, ""},
		{"comment around", "# my registry\n" + a + "\n", ""},
		{"empty", "", "not a PEM-encoded certificate"},
		{"plain text", "hello", "not a PEM-encoded certificate"},
		{"base64 DER without armour", "MIIBszCCAVmgAwIBAgIBATAKBggqhkjOPQQDAjAMMQowCAYDVQQDEwFh", "not a PEM-encoded certificate"},
		{"private key", keyPEM, `type "PRIVATE KEY"`},
		{"cert then key", a + keyPEM, `PEM block 2 has type "PRIVATE KEY"`},
		{"bad DER", garbage, "not a valid certificate"},
		{"truncated", a[:len(a)/2], "not a PEM-encoded certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckPEMCertificates([]byte(tc.value))
			if tc.reason == "" && got != "" || tc.reason != "" && !strings.Contains(got, tc.reason) {
				t.Fatalf("got %q, want %q", got, tc.reason)
			}
		})
	}
}

func TestImageRegistryCertificates(t *testing.T) {
	foo, bar, svc := testCertPEM(t, "foo"), testCertPEM(t, "bar"), testCertPEM(t, "service-ca")
	user := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "registry-config", Namespace: "openshift-config"},
		Data: map[string]string{
			"foo.example.com":       foo,
			"bar.example.com..5000": bar,
			"bad.example.com":       "not a cert",
			"empty.example.com":     "",
		},
		BinaryData: map[string][]byte{
			"bin.example.com":     []byte(foo),
			"bin-bad.example.com": {0xde, 0xad},
		},
	}
	cm, problems := ImageRegistryCertificates(user, svc, 5000)
	if cm.Name != "image-registry-certificates" || cm.Namespace != "openshift-image-registry" || cm.Annotations["openshift.io/owning-component"] != "Image Registry" {
		t.Fatalf("meta %+v", cm.ObjectMeta)
	}
	wantData := map[string]string{
		"image-registry.openshift-image-registry.svc..5000":               svc,
		"image-registry.openshift-image-registry.svc.cluster.local..5000": svc,
		"foo.example.com":       foo,
		"bar.example.com..5000": bar,
	}
	if !reflect.DeepEqual(cm.Data, wantData) {
		t.Fatalf("data keys %v", keys(cm.Data))
	}
	if !reflect.DeepEqual(cm.BinaryData, map[string][]byte{"bin.example.com": []byte(foo)}) {
		t.Fatalf("binaryData %v", cm.BinaryData)
	}
	var pk []string
	for _, p := range problems {
		pk = append(pk, p.Key)
		if p.Reason == "" || !strings.HasPrefix(p.String(), p.Key+": ") {
			t.Errorf("problem %+v", p)
		}
	}
	if !reflect.DeepEqual(pk, []string{"bad.example.com", "bin-bad.example.com", "empty.example.com"}) {
		t.Fatalf("problems %v", pk)
	}
	// The source is not modified.
	if user.Data["bad.example.com"] != "not a cert" || len(user.Data) != 4 {
		t.Fatal("source modified")
	}

	cases := []struct {
		name      string
		user      *corev1.ConfigMap
		serviceCA string
		port      int32
		wantKeys  []string
	}{
		{"no user CA", nil, svc, 5000, []string{"image-registry.openshift-image-registry.svc..5000", "image-registry.openshift-image-registry.svc.cluster.local..5000"}},
		{"port 443 has no suffix", nil, svc, 443, []string{"image-registry.openshift-image-registry.svc", "image-registry.openshift-image-registry.svc.cluster.local"}},
		{"service CA not injected yet", nil, "", 5000, nil},
		{"user key overrides service key", &corev1.ConfigMap{Data: map[string]string{"image-registry.openshift-image-registry.svc..5000": foo}}, svc, 5000,
			[]string{"image-registry.openshift-image-registry.svc..5000", "image-registry.openshift-image-registry.svc.cluster.local..5000"}},
		{"colon key copied verbatim (no rewriting)", &corev1.ConfigMap{Data: map[string]string{"host..8443": foo}}, "", 5000, []string{"host..8443"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cm, problems := ImageRegistryCertificates(tc.user, tc.serviceCA, tc.port)
			if len(problems) != 0 {
				t.Fatalf("problems %v", problems)
			}
			if got := keys(cm.Data); !reflect.DeepEqual(got, sorted(tc.wantKeys)) {
				t.Fatalf("keys %v want %v", got, tc.wantKeys)
			}
		})
	}
	over, _ := ImageRegistryCertificates(&corev1.ConfigMap{Data: map[string]string{"image-registry.openshift-image-registry.svc..5000": foo}}, svc, 5000)
	if over.Data["image-registry.openshift-image-registry.svc..5000"] != foo {
		t.Fatal("user value should win over the service value (upstream copy order)")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestImageRegistryCAAndStorageBundle(t *testing.T) {
	ca := ImageRegistryCA("SVC", 5000)
	if ca.Name != "image-registry-ca" || ca.Namespace != "openshift-config-managed" || len(ca.Data) != 2 || ca.Data["image-registry.openshift-image-registry.svc..5000"] != "SVC" {
		t.Fatalf("%+v", ca)
	}
	cases := []struct {
		name            string
		disableRedirect bool
		withKey         bool
		wantSvc         string
		wantKey         bool
	}{
		{"certificates, redirect", false, true, "SVC\nBUNDLE", true},
		{"certificates, redirect disabled", true, true, "SVC", true},
		{"image-registry-ca", false, false, "SVC\nBUNDLE", false},
	}
	for _, tc := range cases {
		cm := ImageRegistryCA("SVC", 5000)
		AddStorageCABundle(cm, "BUNDLE", tc.disableRedirect, tc.withKey, 5000)
		if cm.Data["image-registry.openshift-image-registry.svc.cluster.local..5000"] != tc.wantSvc {
			t.Errorf("%s: svc value %q", tc.name, cm.Data["image-registry.openshift-image-registry.svc.cluster.local..5000"])
		}
		if _, ok := cm.Data["storage-ca-bundle.pem"]; ok != tc.wantKey {
			t.Errorf("%s: storage-ca-bundle.pem present=%v", tc.name, ok)
		}
	}
	cm := ImageRegistryCA("SVC", 5000)
	AddStorageCABundle(cm, "", false, true, 5000)
	if len(cm.Data) != 2 || cm.Data["image-registry.openshift-image-registry.svc..5000"] != "SVC" {
		t.Fatal("empty bundle changed the map")
	}
	AddStorageCABundle(nil, "B", false, true, 5000) // must not panic
}

func TestCAKeyToHost(t *testing.T) {
	cases := []struct{ key, want string }{
		{"registry.example.com", "registry.example.com"},
		{"registry-with-port.example.com..5000", "registry-with-port.example.com:5000"},
		{"image-registry.openshift-image-registry.svc..5000", "image-registry.openshift-image-registry.svc:5000"},
		{"a..b..5000", "a..b:5000"}, // only the last ".." is the port separator
		{"a..b", "a:b"},             // as the node program does: no check that a port follows
		{"host...5000", "host.:5000"},
		{"10.0.0.1..5000", "10.0.0.1:5000"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := CAKeyToHost(tc.key); got != tc.want {
			t.Errorf("CAKeyToHost(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
}

func TestHostToCAKey(t *testing.T) {
	cases := []struct{ host, want string }{
		{"registry.example.com", "registry.example.com"},
		{"registry.example.com:5000", "registry.example.com..5000"},
		{"[::1]:5000", "[....1]..5000"}, // IPv6 cannot be a ConfigMap key; mechanical rewrite only
		{"", ""},
	}
	for _, tc := range cases {
		if got := HostToCAKey(tc.host); got != tc.want {
			t.Errorf("HostToCAKey(%q) = %q, want %q", tc.host, got, tc.want)
		}
	}
	for _, h := range []string{"registry.example.com", "registry.example.com:5000", "10.0.0.1:443"} {
		if back := CAKeyToHost(HostToCAKey(h)); back != h {
			t.Errorf("round trip %q → %q", h, back)
		}
	}
}
