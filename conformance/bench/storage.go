package bench

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/go-logr/logr"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
)

// StorageReady is, per backend, the time from starting the operator on a new Config to it
// reporting StorageExists True with the storage recorded in status (operator start included,
// a few ms on the harness's synced cache).
type StorageReady map[string]Stats

// FakesMemory is the Go heap the four storage fakes take once started and holding one bucket
// each (measured as the heap delta in this process).
type FakesMemory struct {
	HeapBytes uint64 `json:"heap_bytes"`
}

type backendCase struct {
	name     string
	platform configv1.PlatformType
	storage  imageregistryv1.ImageRegistryConfigStorage
	strategy string
}

var backendCases = []backendCase{
	{"s3", configv1.AWSPlatformType, imageregistryv1.ImageRegistryConfigStorage{S3: &imageregistryv1.ImageRegistryConfigStorageS3{}}, ""},
	{"gcs", configv1.GCPPlatformType, imageregistryv1.ImageRegistryConfigStorage{GCS: &imageregistryv1.ImageRegistryConfigStorageGCS{}}, ""},
	{"azure", configv1.AzurePlatformType, imageregistryv1.ImageRegistryConfigStorage{Azure: &imageregistryv1.ImageRegistryConfigStorageAzure{}}, ""},
	{"swift", configv1.OpenStackPlatformType, imageregistryv1.ImageRegistryConfigStorage{Swift: &imageregistryv1.ImageRegistryConfigStorageSwift{}}, ""},
	{"pvc", configv1.BareMetalPlatformType, imageregistryv1.ImageRegistryConfigStorage{PVC: &imageregistryv1.ImageRegistryConfigStoragePVC{}}, "Recreate"},
	{"emptydir", configv1.LibvirtPlatformType, imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}, ""},
}

// MeasureStorage runs n Config creations per backend against fresh fakes.
func MeasureStorage(ctx context.Context, n int) (StorageReady, FakesMemory, error) {
	out := StorageReady{}
	var mem FakesMemory
	env, err := harness.StartEnvtest(ctx, logr.Discard())
	if err != nil {
		return nil, mem, err
	}
	defer func() { _ = env.Stop() }()

	// Memory: heap before and after starting every fake with one bucket each.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fakes, err := env.StartStorageFakes(ctx)
	if err != nil {
		return nil, mem, err
	}
	for _, s := range []interface {
		Seed(context.Context, string, int) error
	}{fakes.S3, fakes.GCS, fakes.Azure, fakes.Swift} {
		if err := s.Seed(ctx, "bench-bucket", 1); err != nil {
			return nil, mem, err
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc {
		mem.HeapBytes = after.HeapAlloc - before.HeapAlloc
	}
	if err := fakes.Stop(); err != nil {
		return nil, mem, err
	}

	for _, bc := range backendCases {
		var ds []time.Duration
		for i := 0; i < n; i++ {
			d, err := storageOnce(ctx, env, bc)
			if err != nil {
				return nil, mem, fmt.Errorf("%s: %w", bc.name, err)
			}
			ds = append(ds, d)
		}
		out[bc.name] = Summarize(ds)
	}
	return out, mem, nil
}

func storageOnce(ctx context.Context, env *harness.Env, bc backendCase) (time.Duration, error) {
	if err := env.Reset(ctx); err != nil {
		return 0, err
	}
	fakes, err := env.StartStorageFakes(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = fakes.Stop() }()
	if err := env.CreateInfrastructure(ctx, harness.Platform{Type: bc.platform, Region: "us-east-1"}); err != nil {
		return 0, err
	}
	switch bc.platform {
	case configv1.AWSPlatformType, configv1.GCPPlatformType, configv1.AzurePlatformType, configv1.OpenStackPlatformType:
		if err := fakes.CreateCloudCredentials(ctx, bc.platform); err != nil {
			return 0, err
		}
	}
	// The Config exists before the operator starts: a running operator bootstraps a default
	// Config when there is none, which races a create (and, under load, wins it).
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}, Spec: imageregistryv1.ImageRegistrySpec{
		OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed}, Replicas: 1,
		Storage: *bc.storage.DeepCopy(), RolloutStrategy: bc.strategy}}
	if err := env.Client.Create(ctx, cfg); err != nil {
		return 0, err
	}
	start := time.Now()
	if err := env.StartOperator(ctx); err != nil {
		return 0, err
	}
	err = env.Watch.Until(ctx, 30*time.Second, func(ctx context.Context, r client.Reader) error {
		var c imageregistryv1.Config
		if err := r.Get(ctx, client.ObjectKey{Name: "cluster"}, &c); err != nil {
			return err
		}
		for _, cond := range c.Status.Conditions {
			if cond.Type == "StorageExists" && cond.Status == operatorv1.ConditionTrue && c.Status.Storage.ManagementState != "" {
				return nil
			}
		}
		return fmt.Errorf("storage not ready")
	})
	return time.Since(start), err
}
