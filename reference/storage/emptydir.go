package storage

import (
	"context"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"

	"github.com/irconform/irconform/reference/render"
)

// EmptyDir is ephemeral pod storage: nothing to create or remove.
type EmptyDir struct{}

// NewEmptyDir is the Factory for "emptyDir".
func NewEmptyDir(Deps, *imageregistryv1.ImageRegistryConfigStorage) Driver { return &EmptyDir{} }

func (*EmptyDir) Kind() string { return "EmptyDir" }

func (*EmptyDir) Configure(context.Context, *imageregistryv1.Config) (render.StorageConfig, error) {
	return render.EmptyDirStorage(), nil
}

// Implements EMPTY-001 (upstream STOR-EMPTY-02).
func (*EmptyDir) Sync(_ context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = Managed
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
	return Exists(operatorv1.ConditionTrue, "Creation Successful", "EmptyDir storage successfully created"), nil
}

func (*EmptyDir) Remove(context.Context, *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	return nil, nil
}
