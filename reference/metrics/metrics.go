// Package metrics holds the reference operator's own Prometheus metrics, under the names the
// upstream operator serves on its metrics port (60000, Service image-registry-operator):
// which storage backend is in use, how often the storage was reconfigured, and the image
// pruner's install status. One Recorder per operator instance (no process-wide registry),
// so several operators in one process never collide.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names.
const (
	StorageTypeName         = "image_registry_storage_type"
	StorageReconfiguredName = "image_registry_operator_storage_reconfigured_total"
	PrunerInstallStatusName = "image_registry_operator_image_pruner_install_status"
	PrunerNotInstalled      = 0
	PrunerSuspended         = 1
	PrunerEnabled           = 2
	storageTypeLabel        = "storage"
	storageTypeHelp         = "Holds the storage in use for the image registry"
	storageReconfiguredHelp = "Total times the image registry's storage was reconfigured."
	prunerInstallStatusHelp = "Installation status code related to the automatic image pruning feature. 0 = not installed, 1 = suspended, 2 = enabled"
)

// Recorder records the operator's metrics. A nil Recorder records nothing.
type Recorder struct {
	registry            *prometheus.Registry
	storageType         *prometheus.GaugeVec
	storageReconfigured prometheus.Counter
	prunerInstallStatus prometheus.Gauge
}

// New returns a Recorder with its own registry.
func New() *Recorder {
	r := &Recorder{
		registry:            prometheus.NewRegistry(),
		storageType:         prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: StorageTypeName, Help: storageTypeHelp}, []string{storageTypeLabel}),
		storageReconfigured: prometheus.NewCounter(prometheus.CounterOpts{Name: StorageReconfiguredName, Help: storageReconfiguredHelp}),
		prunerInstallStatus: prometheus.NewGauge(prometheus.GaugeOpts{Name: PrunerInstallStatusName, Help: prunerInstallStatusHelp}),
	}
	r.registry.MustRegister(r.storageType, r.storageReconfigured, r.prunerInstallStatus)
	return r
}

// StorageType marks backend (upstream's driver name: EmptyDir, S3, Swift, GCS, IBMCOS, PVC,
// Azure) as in use. Backends used earlier keep their mark, as upstream's gauge does.
// Implements METRICS-003.
func (r *Recorder) StorageType(backend string) {
	if r == nil {
		return
	}
	r.storageType.WithLabelValues(backend).Set(1)
}

// StorageReconfigured counts a change of the storage in use (another backend, or another
// bucket/container/claim of the same one).
// Implements METRICS-003.
func (r *Recorder) StorageReconfigured() {
	if r == nil {
		return
	}
	r.storageReconfigured.Inc()
}

// PrunerInstallStatus is 0 when the pruner CronJob is not installed, 1 when it is suspended,
// 2 when it is enabled.
// Implements METRICS-003.
func (r *Recorder) PrunerInstallStatus(installed, enabled bool) {
	if r == nil {
		return
	}
	switch {
	case !installed:
		r.prunerInstallStatus.Set(PrunerNotInstalled)
	case !enabled:
		r.prunerInstallStatus.Set(PrunerSuspended)
	default:
		r.prunerInstallStatus.Set(PrunerEnabled)
	}
}

// Handler serves the metrics in the Prometheus text format, together with extra gatherers
// (e.g. controller-runtime's own).
func (r *Recorder) Handler(extra ...prometheus.Gatherer) http.Handler {
	gs := prometheus.Gatherers{r.registry}
	gs = append(gs, extra...)
	return promhttp.HandlerFor(gs, promhttp.HandlerOpts{})
}
