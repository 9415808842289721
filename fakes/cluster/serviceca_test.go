package cluster_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/cluster"
)

func newConfigMap(namespace, name, inject string, data map[string]string) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Data: data}
	if inject != "" {
		cm.Annotations = map[string]string{cluster.InjectCABundleAnnotation: inject}
	}
	return cm
}

func configMapData(t *testing.T, cm *corev1.ConfigMap) map[string]string {
	t.Helper()
	var got corev1.ConfigMap
	if err := kube.Get(testCtx, client.ObjectKeyFromObject(cm), &got); err != nil {
		t.Fatalf("reading ConfigMap %s: %v", cm.Name, err)
	}
	return got.Data
}

func waitForInjection(t *testing.T, cm *corev1.ConfigMap) {
	t.Helper()
	eventually(t, fmt.Sprintf("service CA in ConfigMap %s", cm.Name), func() error {
		var got corev1.ConfigMap
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(cm), &got); err != nil {
			return err
		}
		if got.Data["service-ca.crt"] != sim.ServiceCAPEM() {
			return fmt.Errorf("service-ca.crt is %q", got.Data["service-ca.crt"])
		}
		return nil
	})
}

// The injected bundle must be usable as what it stands for: one PEM CA certificate, valid now.
func TestServiceCAPEMIsACACertificate(t *testing.T) {
	block, rest := pem.Decode([]byte(sim.ServiceCAPEM()))
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
		t.Fatalf("ServiceCAPEM is not exactly one PEM certificate: %q", sim.ServiceCAPEM())
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parsing the service CA: %v", err)
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("service CA: IsCA=%v, key usage %b: want a CA that signs certificates", cert.IsCA, cert.KeyUsage)
	}
	if now := time.Now(); now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		t.Errorf("service CA valid %s to %s, not now", cert.NotBefore, cert.NotAfter)
	}
	// Self-signed, as a root the trust bundle can hold.
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Errorf("service CA is not self-signed: %v", err)
	}
}

func TestServiceCAInjectsAnnotatedConfigMaps(t *testing.T) {
	cm := newConfigMap(newNamespace(t), "trusted-ca", "true", map[string]string{"keep": "me"})
	create(t, cm)
	waitForInjection(t, cm)
	if got := configMapData(t, cm)["keep"]; got != "me" {
		t.Errorf("other key after injection is %q, want it kept as %q", got, "me")
	}

	// Someone overwrites the bundle: it is injected again, as the operator would restore it.
	update(t, cm, func() { cm.Data["service-ca.crt"] = "not a certificate" })
	waitForInjection(t, cm)
}

func TestServiceCALeavesOtherConfigMapsAlone(t *testing.T) {
	ns := newNamespace(t)
	plain := newConfigMap(ns, "plain", "", nil)
	optedOut := newConfigMap(ns, "opted-out", "false", map[string]string{"keep": "me"})
	create(t, plain)
	create(t, optedOut)
	// The injector works through one ConfigMap at a time in the order they came: once one
	// created later is injected, the earlier ones have been seen.
	witness := newConfigMap(ns, "witness", "true", nil)
	create(t, witness)
	waitForInjection(t, witness)
	for _, cm := range []*corev1.ConfigMap{plain, optedOut} {
		if got, ok := configMapData(t, cm)["service-ca.crt"]; ok {
			t.Errorf("ConfigMap %s (annotation %q) got service-ca.crt %q, want none", cm.Name, cm.Annotations[cluster.InjectCABundleAnnotation], got)
		}
	}

	// Annotating later opts in.
	update(t, plain, func() { plain.Annotations = map[string]string{cluster.InjectCABundleAnnotation: "true"} })
	waitForInjection(t, plain)
}
