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
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/reference/render"
)

// Storage management states (spec.storage.managementState).
const (
	Managed   = "Managed"
	Unmanaged = "Unmanaged"
)

// Condition types set by drivers.
const (
	CondStorageExists      = "StorageExists"
	CondStorageTagged      = "StorageTagged"
	CondStorageLabeled     = "StorageLabeled"
	CondStorageEncrypted   = "StorageEncrypted"
	CondPublicAccessBlock  = "StoragePublicAccessBlocked"
	CondIncompleteCleanup  = "StorageIncompleteUploadCleanupEnabled"
	UserSecretName         = "image-registry-private-configuration-user"
	ClusterCredentialsName = "installer-cloud-credentials"
	Namespace              = "openshift-image-registry"
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
	// Clock, for tests; nil means time.Now.
	Now func() time.Time
}

// ErrNotConfigured is the permanent "no storage" error.
var ErrNotConfigured = errors.New("storage backend not configured")

// Factory builds cloud drivers; backends register themselves so that this package does not
// import every cloud SDK.
type Factory func(deps Deps, st *imageregistryv1.ImageRegistryConfigStorage) Driver

var factories = map[string]Factory{}

// Register adds a backend factory (called from the backend packages' init).
func Register(kind string, f Factory) { factories[kind] = f }

// Configured lists the backends set in st, in the upstream check order.
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
	if st.OSS != nil {
		names = append(names, "oss")
	}
	return names
}

// New picks the driver for the one backend configured in st.
func New(deps Deps, st *imageregistryv1.ImageRegistryConfigStorage) (Driver, error) {
	names := Configured(*st)
	switch len(names) {
	case 0:
		return nil, ErrNotConfigured
	case 1:
	default:
		return nil, &MultipleError{Names: names}
	}
	switch names[0] {
	case "emptyDir":
		return &EmptyDir{}, nil
	case "pvc":
		return &PVC{deps: deps}, nil
	}
	if f, ok := factories[names[0]]; ok {
		return f(deps, st), nil
	}
	return nil, fmt.Errorf("storage backend %s is not supported by the reference operator", names[0])
}

// MultipleError is the permanent error for more than one backend.
type MultipleError struct{ Names []string }

func (e *MultipleError) Error() string {
	return fmt.Sprintf("exactly one storage type should be configured at the same time, got %d: [%s]", len(e.Names), strings.Join(e.Names, " "))
}

// Cond is shorthand for building a condition.
func Cond(t string, s operatorv1.ConditionStatus, reason, msg string) operatorv1.OperatorCondition {
	return operatorv1.OperatorCondition{Type: t, Status: s, Reason: reason, Message: msg}
}
