package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Service CA injection, as the service-ca operator does it: every ConfigMap annotated
// service.beta.openshift.io/inject-cabundle=true gets key service-ca.crt holding the
// cluster's service CA certificate (PEM). The CA is generated once per simulator.
const (
	InjectCABundleAnnotation = "service.beta.openshift.io/inject-cabundle"
	ServiceCAKey             = "service-ca.crt"
)

type serviceCA struct {
	client client.Client
	pem    string
}

// ServiceCAPEM is the service CA certificate the simulator injects.
func (s *Simulator) ServiceCAPEM() string { return s.serviceCA.pem }

func newServiceCA(c client.Client) (*serviceCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: fmt.Sprintf("openshift-service-serving-signer@%d", now.Unix())},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &serviceCA{client: c, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}, nil
}

func (sc *serviceCA) register(mgr manager.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).Named("sim-service-ca").For(&corev1.ConfigMap{}).Complete(sc)
}

// Models CA-003.
func (sc *serviceCA) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var cm corev1.ConfigMap
	if err := sc.client.Get(ctx, req.NamespacedName, &cm); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if cm.Annotations[InjectCABundleAnnotation] != "true" || cm.DeletionTimestamp != nil || cm.Data[ServiceCAKey] == sc.pem {
		return reconcile.Result{}, nil
	}
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	cm.Data[ServiceCAKey] = sc.pem
	if err := sc.client.Update(ctx, &cm); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	return reconcile.Result{}, nil
}
