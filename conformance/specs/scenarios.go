package specs

import (
	"context"
	"errors"
	"slices"

	configv1 "github.com/openshift/api/config/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/fault"
)

// ScenarioCluster is the suite's environment as the QA scenario runner sees it
// (scenarios/runner.Cluster). The suite's entry points register the scenarios with it
// (runner.Register(opts, specs.ScenarioCluster{})); nothing here imports the runner, and the
// runner does not import the harness. It reads the suite's environment when a spec runs.
type ScenarioCluster struct{}

// Ready says why the environment cannot be used.
func (ScenarioCluster) Ready() error {
	if env == nil {
		return errors.New("the suite's environment is not set up (BeforeSuite failed?)")
	}
	return nil
}

func (ScenarioCluster) Client() client.Client    { return env.Client }
func (ScenarioCluster) Watcher() *expect.Watcher { return env.Watch }
func (ScenarioCluster) StopOperator() error      { return env.StopOperator() }
func (ScenarioCluster) StartOperator(ctx context.Context) error {
	return env.StartOperator(ctx)
}

func (ScenarioCluster) CreateInfrastructure(ctx context.Context, platform configv1.PlatformType, name, region string, topology configv1.TopologyMode) error {
	return env.CreateInfrastructure(ctx, harness.Platform{Type: platform, InfrastructureName: name, Region: region, Topology: topology})
}

// StartFakes starts the S3+GCS fakes when s3 or gcs is wanted and the Azure+Swift fakes when
// azure or swift is (each pair starts together), and mints the platform's credentials from
// them: AWS and GCP from S3/GCS, Azure from Azure, OpenStack from Swift when it runs.
func (ScenarioCluster) StartFakes(ctx context.Context, backends []string, credentials configv1.PlatformType) (map[string]fault.Inspector, func(), error) {
	want := func(bs ...string) bool {
		for _, b := range bs {
			if slices.Contains(backends, b) {
				return true
			}
		}
		return false
	}
	fakes := map[string]fault.Inspector{}
	var s3gcs *harness.StorageFakeSet
	var azsw *harness.AzSwiftFakes
	stop := func() {
		if s3gcs != nil {
			s3gcs.Stop()
		}
		if azsw != nil {
			azsw.Close()
		}
	}
	if want("s3", "gcs") {
		f, err := env.StartStorageFakeSet(ctx)
		if err != nil {
			return nil, stop, err
		}
		s3gcs = f
		fakes["s3"], fakes["gcs"] = f.S3, f.GCS
	}
	if want("azure", "swift") {
		f, err := env.StartAzSwiftFakes(ctx)
		if err != nil {
			return nil, stop, err
		}
		azsw = f
		fakes["azure"], fakes["swift"] = f.Azure, f.Swift
	}
	var err error
	switch {
	case (credentials == configv1.AWSPlatformType || credentials == configv1.GCPPlatformType) && s3gcs != nil:
		err = env.CreateCloudCredentials(ctx, credentials, s3gcs)
	case credentials == configv1.AzurePlatformType && azsw != nil:
		err = azsw.CreateCloudCredentials(ctx, credentials)
	case credentials == configv1.OpenStackPlatformType && azsw != nil && want("swift"):
		err = azsw.CreateCloudCredentials(ctx, credentials)
	}
	return fakes, stop, err
}
