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
	azurefake "github.com/irconform/irconform/fakes/azure"
	gcsfake "github.com/irconform/irconform/fakes/gcs"
	s3fake "github.com/irconform/irconform/fakes/s3"
	swiftfake "github.com/irconform/irconform/fakes/swift"
)

// StorageReady is, per backend, the time from starting the operator on a new Config to it
// reporting StorageExists True with the storage recorded in status (operator start included,
// a few ms on the harness's synced cache).
type StorageReady map[string]Stats

// FakesMemory is the Go heap the four storage fakes take once started and holding one bucket
// each (the live heap's growth in this process, measured before any envtest world starts).
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
func MeasureStorage(ctx context.Context, n int) (StorageReady, error) {
	out := StorageReady{}
	env, err := harness.StartEnvtest(ctx, logr.Discard())
	if err != nil {
		return nil, err
	}
	defer func() { _ = env.Stop() }()

	for _, bc := range backendCases {
		var ds []time.Duration
		for i := 0; i < n; i++ {
			d, err := storageOnce(ctx, env, bc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", bc.name, err)
			}
			ds = append(ds, d)
		}
		out[bc.name] = Summarize(ds)
	}
	return out, nil
}

// MeasureFakesMemory is the heap the S3, GCS, Azure Blob and Swift fakes hold once started
// with one bucket (container) of one object each: the live heap after a collection, with
// them and without them (two collections each time). Call it before any envtest world runs in
// this process: a world's caches, or one winding down, move the heap by more than the fakes
// take. 0 when the heap did not grow (noise).
func MeasureFakesMemory(ctx context.Context) (FakesMemory, error) {
	var mem FakesMemory
	liveHeap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	before := liveHeap()
	type seeded interface {
		Seed(context.Context, string, int) error
		Close() error
	}
	fakes := []struct {
		name  string
		start func(context.Context) (seeded, error)
	}{
		{"S3", func(ctx context.Context) (seeded, error) { return s3fake.Start(ctx) }},
		{"GCS", func(ctx context.Context) (seeded, error) { return gcsfake.Start(ctx) }},
		{"Azure Blob", func(ctx context.Context) (seeded, error) { return azurefake.Start(ctx) }},
		{"Swift", func(ctx context.Context) (seeded, error) { return swiftfake.Start(ctx) }},
	}
	var started []seeded
	defer func() {
		for _, f := range started {
			_ = f.Close()
		}
	}()
	for _, fk := range fakes {
		f, err := fk.start(fctx)
		if err != nil {
			return mem, fmt.Errorf("starting the %s fake: %w", fk.name, err)
		}
		started = append(started, f)
	}
	for _, f := range started {
		if err := f.Seed(fctx, "bench-bucket", 1); err != nil {
			return mem, err
		}
	}
	if after := liveHeap(); after > before {
		mem.HeapBytes = after - before
	}
	return mem, nil
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
