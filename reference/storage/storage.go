// Package storage holds the registry's storage drivers, one per backend, behind one
// interface. A driver creates or adopts storage, checks it, removes what it manages, and
// says what the registry needs (env, volumes, private-secret data). It never writes
// conditions itself: it returns them, and the controller alone writes status.
package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/status"
)

// Storage management states (spec.storage.managementState).
const (
	Managed   = "Managed"
	Unmanaged = "Unmanaged"
)

// Condition types set by drivers.
const (
	CondStorageExists     = "StorageExists"
	CondStorageTagged     = "StorageTagged"
	CondStorageLabeled    = "StorageLabeled"
	CondStorageEncrypted  = "StorageEncrypted"
	CondPublicAccessBlock = "StoragePublicAccessBlocked"
	CondIncompleteCleanup = "StorageIncompleteUploadCleanupEnabled"
	// The secrets drivers read their credentials from, in the registry's namespace: the
	// user's, else the cluster-minted one (CRED-001..003).
	UserSecretName         = render.UserConfigurationSecretName
	ClusterCredentialsName = render.CloudCredentialsSecretName
	Namespace              = render.Namespace
)

// Driver is one storage backend.
type Driver interface {
	// Kind is the backend name used in messages ("S3", "PVC", "EmptyDir", ...).
	Kind() string
	// Configure returns what the registry Deployment needs from this backend.
	Configure(ctx context.Context, cfg *imageregistryv1.Config) (render.StorageConfig, error)
	// Sync creates or adopts the storage: it fills spec.storage (generated names,
	// managementState when empty) and status.storage, and returns the conditions to set.
	Sync(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error)
	// Remove deletes the storage when, and only when, spec.storage.managementState is
	// Managed and a name is set: the operator never deletes storage it did not create.
	Remove(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error)
}

// Deps are what drivers may use.
type Deps struct {
	Client client.Client
	Infra  *configv1.Infrastructure
	// Endpoints overrides cloud endpoints by backend ("s3", "gcs", "azure"), for fakes and
	// air-gapped mirrors; empty means the cloud's public endpoint.
	Endpoints map[string]string
	// EndpointCAs are PEM bundles trusted for an overridden endpoint, by the same keys.
	EndpointCAs map[string][]byte
	// Calls bounds each cloud call (zero fields: the defaults for real clouds).
	Calls CallLimits
}

// CallLimits bound one cloud SDK call: the longest pause the SDK takes before re-sending a
// failed request, and how long one HTTP request may take. Past those, retrying is the
// controller's business (its backoff). Zero fields take the defaults, the values for real
// clouds; the conformance harness shortens them where a spec watches the controller's
// backoff and the SDK's pauses would only blur it.
type CallLimits struct {
	MaxBackoff     time.Duration
	RequestTimeout time.Duration
}

// Defaults of CallLimits.
const (
	DefaultCallMaxBackoff     = time.Second
	DefaultCallRequestTimeout = 10 * time.Second
)

// WithDefaults fills zero fields with the defaults.
func (l CallLimits) WithDefaults() CallLimits {
	if l.MaxBackoff <= 0 {
		l.MaxBackoff = DefaultCallMaxBackoff
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = DefaultCallRequestTimeout
	}
	return l
}

// ErrNotConfigured is the permanent "no storage" error.
//
// Implements STOR-007, BOOT-010 (upstream BOOT-07).
var ErrNotConfigured = errors.New("storage backend not configured")

// Factory builds one backend's driver for st: the spec on Sync/Configure, the storage
// recorded in status on Remove (the controller's choice).
type Factory func(deps Deps, st *imageregistryv1.ImageRegistryConfigStorage) Driver

// Drivers maps a backend name, as Configured spells it ("s3", "pvc", ...), to its factory.
// The operator builds the one map it runs with (reference/operator), so which backends
// exist is written in one place; a backend without an entry is refused with a clear error.
type Drivers map[string]Factory

// Configured lists the backends set in st, in the upstream check order: emptyDir, s3, swift,
// gcs, ibmcos, pvc, azure.
//
// Implements STOR-007 (upstream STOR-COMMON-01).
func Configured(st imageregistryv1.ImageRegistryConfigStorage) []string {
	var names []string
	if st.EmptyDir != nil {
		names = append(names, "emptyDir")
	}
	if st.S3 != nil {
		names = append(names, "s3")
	}
	if st.Swift != nil {
		names = append(names, "swift")
	}
	if st.GCS != nil {
		names = append(names, "gcs")
	}
	if st.IBMCOS != nil {
		names = append(names, "ibmcos")
	}
	if st.PVC != nil {
		names = append(names, "pvc")
	}
	if st.Azure != nil {
		names = append(names, "azure")
	}
	// spec.storage.oss (Alibaba Cloud OSS) is still in the API but its driver was removed
	// upstream: it counts as no backend at all, so a Config with only oss is "storage backend
	// not configured" and one with oss beside another backend uses the other.
	// Implements STOR-012.
	return names
}

// For picks the driver for the one backend configured in st.
//
// Implements STOR-007 (upstream BOOT-07).
func (d Drivers) For(deps Deps, st *imageregistryv1.ImageRegistryConfigStorage) (Driver, error) {
	names := Configured(*st)
	switch len(names) {
	case 0:
		return nil, ErrNotConfigured
	case 1:
	default:
		return nil, &MultipleError{Names: names}
	}
	if f, ok := d[names[0]]; ok && f != nil {
		return f(deps, st), nil
	}
	return nil, fmt.Errorf("storage backend %s is not supported by the reference operator", names[0])
}

// MultipleError is the error for more than one backend.
type MultipleError struct{ Names []string }

func (e *MultipleError) Error() string {
	return fmt.Sprintf("exactly one storage type should be configured at the same time, got %d: [%s]", len(e.Names), strings.Join(e.Names, " "))
}

// Exists is the StorageExists condition alone: what most outcomes report.
func Exists(s operatorv1.ConditionStatus, reason, msg string) []operatorv1.OperatorCondition {
	return []operatorv1.OperatorCondition{status.Cond(CondStorageExists, s, reason, msg)}
}

// StorageError is a failed call to a storage backend. Its text (Message) is what status
// shows, so it must be stable across retries of the same failure: the backend's code and
// message, never request IDs or attempt counts, or each retry would rewrite status, wake the
// controller and defeat its backoff. The cause stays reachable (errors.Is/As) through Err.
type StorageError struct {
	// Reason is the backend's error code ("NoSuchBucket", "403"), "" when it gave none.
	Reason string
	// Message is the whole stable text: what was being done, then the cause.
	Message string
	Err     error
}

func (e *StorageError) Error() string { return e.Message }
func (e *StorageError) Unwrap() error { return e.Err }

// Failed wraps err, the failure of a backend call: the message is what was being done
// (format, args), ": ", then cause, err rendered stably by the driver; reason is the
// backend's code ("" for none).
func Failed(err error, reason, cause, format string, args ...any) *StorageError {
	return &StorageError{Reason: reason, Message: fmt.Sprintf(format, args...) + ": " + cause, Err: err}
}

// SecretData reads Secret name in the registry namespace: nil when it does not exist, an
// empty map when it has no data.
func SecretData(ctx context.Context, c client.Reader, name string) (map[string][]byte, error) {
	var s corev1.Secret
	err := c.Get(ctx, types.NamespacedName{Namespace: Namespace, Name: name}, &s)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading secret %s/%s: %w", Namespace, name, err)
	}
	if s.Data == nil {
		return map[string][]byte{}, nil
	}
	return s.Data, nil
}
