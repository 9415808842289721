package controller

import (
	"context"
	"fmt"
	"strings"

	configv1 "github.com/openshift/api/config/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/status"
)

// CertificatesConditionType is the Config condition this controller owns (CA-04); by its
// "Degraded" suffix it feeds the ClusterOperator's Degraded.
//
// Implements CA-004.
const CertificatesConditionType = "ImageRegistryCertificatesControllerDegraded"

// Reasons of CertificatesConditionType besides "AsExpected".
const (
	// ReasonCertificatesError: an input could not be read (e.g. the additionalTrustedCA
	// ConfigMap is missing), upstream's reason.
	ReasonCertificatesError = "Error"
	// ReasonInvalidCertificate: additionalTrustedCA holds values that are not PEM
	// certificates; the document's rule (CA-005), upstream copies them blindly.
	ReasonInvalidCertificate = "InvalidCertificate"
)

// CertificatesReconciler keeps ConfigMaps openshift-image-registry/image-registry-certificates
// and openshift-config-managed/image-registry-ca (CA-001..006): the registry Service's own
// hostname keys carrying the service CA, plus (only in the first) the user's additional
// trusted CAs named by images.config.openshift.io/cluster spec.additionalTrustedCA.
//
// Implements CA-001, CA-003, CA-004, CA-005, CA-007 (upstream CA-02, CA-03, CA-04).
type CertificatesReconciler struct {
	Client   client.Client
	Settings Settings
	// Board takes the condition to the Config's status (the Config controller writes it).
	Board *ConditionBoard
	// applier skips Updates that would change nothing (see applier).
	applier applier
}

func (r *CertificatesReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	cond, syncErr := r.sync(ctx)
	if apierrors.IsConflict(syncErr) {
		// A ConfigMap write raced this controller's own earlier write (the cache had not seen
		// it yet): nothing is wrong, so nothing is reported; the retry reads the fresh copy.
		// Reporting it flapped the condition (and the ClusterOperator's Degraded) True and
		// back in about one spec of three.
		return reconcile.Result{Requeue: true}, nil
	}
	r.Board.Post(cond)
	return reconcile.Result{}, syncErr
}

// sync writes both ConfigMaps and returns the condition to report. A missing source
// ConfigMap leaves the copies as they were and is retried (its creation also wakes us).
func (r *CertificatesReconciler) sync(ctx context.Context) (operatorv1.OperatorCondition, error) {
	c := func(s operatorv1.ConditionStatus, reason, msg string) operatorv1.OperatorCondition {
		return status.Cond(CertificatesConditionType, s, reason, msg)
	}
	serviceCA := ""
	var sca corev1.ConfigMap
	if err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: render.ServiceCAName}, &sca); err == nil {
		serviceCA = sca.Data[render.ServiceCAKey]
	} else if !apierrors.IsNotFound(err) {
		return c(operatorv1.ConditionTrue, ReasonCertificatesError, err.Error()), err
	}

	var userCA *corev1.ConfigMap
	var img configv1.Image
	if err := r.Client.Get(ctx, types.NamespacedName{Name: render.ImageConfigName}, &img); err == nil {
		if name := img.Spec.AdditionalTrustedCA.Name; name != "" {
			var cm corev1.ConfigMap
			if err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.ConfigNamespace, Name: name}, &cm); err != nil {
				err = fmt.Errorf("unable to get additionalTrustedCA config map %s/%s: %w", render.ConfigNamespace, name, err)
				return c(operatorv1.ConditionTrue, ReasonCertificatesError, err.Error()), err
			}
			userCA = &cm
		}
	} else if !apierrors.IsNotFound(err) {
		return c(operatorv1.ConditionTrue, ReasonCertificatesError, err.Error()), err
	}

	// The registry's own keys name the Service as it is (its first port; none for 443), and
	// exist only while it does: a Removed registry publishes no hostnames (CA-007).
	port := int32(render.ContainerPort)
	var svc corev1.Service
	switch err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: render.ServiceName}, &svc); {
	case apierrors.IsNotFound(err):
		serviceCA = ""
	case err != nil:
		return c(operatorv1.ConditionTrue, ReasonCertificatesError, err.Error()), err
	case len(svc.Spec.Ports) > 0:
		port = svc.Spec.Ports[0].Port
	}
	certs, problems := render.ImageRegistryCertificates(userCA, serviceCA, port)
	for _, o := range []client.Object{certs, render.ImageRegistryCA(serviceCA, port)} {
		if err := r.applier.apply(ctx, r.Client, o); err != nil {
			return c(operatorv1.ConditionTrue, ReasonCertificatesError, err.Error()), err
		}
	}
	if len(problems) > 0 {
		lines := make([]string, 0, len(problems))
		for _, p := range problems {
			lines = append(lines, fmt.Sprintf("key %q: %s", p.Key, p.Reason))
		}
		msg := fmt.Sprintf("additionalTrustedCA config map %s/%s has values that are not PEM-encoded certificates and were not copied: %s",
			render.ConfigNamespace, userCA.Name, strings.Join(lines, "; "))
		return c(operatorv1.ConditionTrue, ReasonInvalidCertificate, msg), nil
	}
	return c(operatorv1.ConditionFalse, "AsExpected", ""), nil
}
