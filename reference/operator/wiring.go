package operator

import (
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	routev1 "github.com/openshift/api/route/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"golang.org/x/time/rate"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/irconform/irconform/reference/controller"
	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
	"github.com/irconform/irconform/reference/storage/azure"
	"github.com/irconform/irconform/reference/storage/gcs"
	"github.com/irconform/irconform/reference/storage/ibmcos"
	"github.com/irconform/irconform/reference/storage/s3"
	"github.com/irconform/irconform/reference/storage/swift"
)

// Drivers are the storage backends the operator runs, by the name storage.Configured gives
// them. A backend without an entry (oss) is refused with "storage
// backend X is not supported by the reference operator". A new backend is one line here.
func Drivers() storage.Drivers {
	return storage.Drivers{
		"emptyDir": storage.NewEmptyDir,
		"pvc":      storage.NewPVC,
		"s3":       s3.New,
		"gcs":      gcs.New,
		"azure":    azure.New,
		"swift":    swift.New,
		"ibmcos":   ibmcos.New,
	}
}

// Controllers are every controller the operator runs, in registration order, each with the
// kinds that wake it. A new controller is one entry here.
func Controllers(c client.Client, live client.Reader, rec events.EventRecorder, settings controller.Settings, drivers storage.Drivers) []Controller {
	// Every controller also watches the Infrastructure and the Config: their events start it
	// (and the Config's state decides what most of them do).
	watching := func(objs ...client.Object) []client.Object {
		return append([]client.Object{&configv1.Infrastructure{}, &imageregistryv1.Config{}}, objs...)
	}
	// The node-ca and certificates controllers report through it; the Config controller
	// writes the Config's status alone.
	board := controller.NewConditionBoard()
	return []Controller{
		{
			// The registry itself: storage, Deployment, Service, routes, RBAC, the Config's status.
			Name: "imageregistry-config", Key: render.ConfigName,
			// Also spec.observedConfig from the API server's TLS security profile (TLS-002),
			// and the board's conditions (its own work item, BoardKey).
			Reconciler: &controller.ConfigReconciler{Client: c, Live: live, Board: board, Events: rec, Settings: settings, Drivers: drivers},
			Watches: watching(append([]client.Object{&configv1.Proxy{}, &appsv1.Deployment{}, &corev1.Service{}, &corev1.Secret{},
				&corev1.ServiceAccount{}, &corev1.ConfigMap{}, &corev1.PersistentVolumeClaim{},
				&policyv1.PodDisruptionBudget{}, &networkingv1.NetworkPolicy{}, &routev1.Route{}, &rbacv1.ClusterRole{}, &rbacv1.ClusterRoleBinding{}},
				servedKinds(c, &configv1.APIServer{})...)...),
			Sources: []source.Source{source.Channel(board.Wakes(), singleton(controller.BoardKey))},
			Backoff: settings.RetryBackoff,
		},
		{
			// clusteroperators/image-registry: the union of the Config's and the pruner's conditions.
			Name: "clusteroperator", Key: render.ClusterOperatorName,
			Reconciler: &controller.ClusterOperatorReconciler{Client: c, Live: live, Settings: settings},
			Watches:    []client.Object{&imageregistryv1.Config{}, &imageregistryv1.ImagePruner{}, &configv1.ClusterOperator{}, &appsv1.Deployment{}},
		},
		{
			// imagepruners/cluster and its CronJob.
			Name: "imagepruner", Key: render.PrunerName,
			Reconciler: &controller.PrunerReconciler{Client: c, Live: live, Settings: settings},
			Watches:    []client.Object{&imageregistryv1.ImagePruner{}, &imageregistryv1.Config{}, &batchv1.CronJob{}, &batchv1.Job{}, &networkingv1.NetworkPolicy{}},
		},
		{
			// images.config.openshift.io/cluster status (upstream CO-12's image config controller).
			Name: "imageconfig", Key: "imageconfig",
			Reconciler: &controller.ImageConfigReconciler{Client: c, ReleaseVersion: settings.ReleaseVersion},
			// The import mode follows the FeatureGate and the ClusterVersion, where the cluster serves them.
			Watches: watching(append([]client.Object{&configv1.Image{}, &corev1.Service{}, &routev1.Route{}},
				servedKinds(c, &configv1.FeatureGate{}, &configv1.ClusterVersion{})...)...),
		},
		{
			// The registry's trusted CAs: image-registry-certificates and image-registry-ca.
			Name: "imageregistrycertificates", Key: "imageregistrycertificates",
			Reconciler: &controller.CertificatesReconciler{Client: c, Settings: settings, Board: board},
			Watches:    watching(&configv1.Image{}, &corev1.ConfigMap{}, &corev1.Service{}),
		},
		{
			// DaemonSet node-ca (whatever the registry's state) and its NodeCADaemon* conditions.
			Name: "nodecadaemon", Key: "nodecadaemon",
			Reconciler: &controller.NodeCAReconciler{Client: c, Settings: settings, Board: board},
			Watches:    watching(&appsv1.DaemonSet{}),
		},
		{
			// The operator's PrometheusRule.
			Name: "alerts", Key: "alerts",
			Reconciler: &controller.AlertsReconciler{Client: c},
			Watches:    watching(&monitoringv1.PrometheusRule{}),
		},
		{
			// What upstream ships as release manifests: the namespace's NetworkPolicies, the
			// operator's metrics Service and the ServiceMonitors (NETPOL-003, METRICS-001/002).
			Name: "releasemanifests", Key: "releasemanifests",
			Reconciler: &controller.ReleaseManifestsReconciler{Client: c},
			Watches:    watching(append([]client.Object{&networkingv1.NetworkPolicy{}, &corev1.Service{}}, servedKinds(c, serviceMonitor())...)...),
		},
	}
}

// serviceMonitor is an empty ServiceMonitor to watch (unstructured: the cluster's CRD
// version decides its fields, not the Go types of the day).
func serviceMonitor() client.Object {
	sm := &unstructured.Unstructured{}
	sm.SetGroupVersionKind(schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"})
	return sm
}

// servedKinds keeps the objects whose kinds the cluster serves: a watch on a kind without a
// CRD would keep the controller from starting.
func servedKinds(c client.Client, objs ...client.Object) []client.Object {
	if c == nil {
		return objs // no cluster to ask (a test of the wiring itself)
	}
	var out []client.Object
	for _, o := range objs {
		gvk, err := c.GroupVersionKindFor(o)
		if err != nil {
			continue
		}
		if _, err := c.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
			out = append(out, o)
		}
	}
	return out
}

// rateLimiter is upstream's controller rate limiter (client-go's default: per-item
// exponential backoff, and 10 retries per second overall with bursts of 100) with b's delays.
func rateLimiter(b controller.Backoff) workqueue.TypedRateLimiter[reconcile.Request] {
	b = b.WithDefaults()
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](b.Base, b.Cap),
		&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}
