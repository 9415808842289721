package operator

import (
	"fmt"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	routev1 "github.com/openshift/api/route/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/controller"
)

// The operator's other controllers (upstream CO-12): image config status, trusted CAs and
// the alert rules. Each reconciles one singleton; every watched event maps to it. The
// Infrastructure and Config watches give each an initial event at start, also when none of
// its own objects exist yet.
func init() {
	ExtraControllers = append(ExtraControllers, addImageConfig, addCertificates, addAlerts)
}

func addSingleton(mgr manager.Manager, name string, r reconcile.Reconciler, watches ...client.Object) error {
	b := ctrl.NewControllerManagedBy(mgr).Named(name)
	for _, o := range append([]client.Object{&configv1.Infrastructure{}, &imageregistryv1.Config{}}, watches...) {
		b = b.Watches(o, singleton(name))
	}
	if err := b.Complete(r); err != nil {
		return fmt.Errorf("registering %s controller: %w", name, err)
	}
	return nil
}

func addImageConfig(mgr manager.Manager, _ controller.Settings) error {
	return addSingleton(mgr, "imageconfig", &controller.ImageConfigReconciler{Client: mgr.GetClient()},
		&configv1.Image{}, &corev1.Service{}, &routev1.Route{})
}

func addCertificates(mgr manager.Manager, settings controller.Settings) error {
	return addSingleton(mgr, "imageregistrycertificates", &controller.CertificatesReconciler{Client: mgr.GetClient(), Settings: settings},
		&configv1.Image{}, &corev1.ConfigMap{}, &corev1.Service{})
}

func addAlerts(mgr manager.Manager, _ controller.Settings) error {
	return addSingleton(mgr, "alerts", &controller.AlertsReconciler{Client: mgr.GetClient()}, &monitoringv1.PrometheusRule{})
}
