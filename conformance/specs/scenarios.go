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
	"github.com/irconform/irconform/fakes/swift"
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

// StartFakes starts the storage fakes when the scenario uses any backend (all four start
// together, in milliseconds) and mints the platform's credentials from them when the
// scenario uses that platform's storage: AWS and GCP with s3 or gcs, Azure with azure or
// swift, OpenStack with swift. An OpenStack scenario without swift still gets minted
// credentials, for a Keystone whose catalog lists no object store (as such a cloud has).
func (ScenarioCluster) StartFakes(ctx context.Context, backends []string, credentials configv1.PlatformType) (map[string]fault.Inspector, func(), error) {
	fakes := map[string]fault.Inspector{}
	var opts []swift.Option
	if len(backends) == 0 {
		if credentials != configv1.OpenStackPlatformType {
			return fakes, nil, nil
		}
		// An OpenStack cluster always has minted credentials; a scenario that uses no swift
		// storage runs on a cloud whose Keystone catalog has no object store.
		opts = append(opts, swift.WithoutObjectStore())
		backends = []string{"keystone"}
	}
	f, err := env.StartStorageFakes(ctx, opts...)
	if err != nil {
		return nil, nil, err
	}
	stop := func() { _ = f.Stop() }
	fakes["s3"], fakes["gcs"], fakes["azure"], fakes["swift"] = f.S3, f.GCS, f.Azure, f.Swift
	want := func(bs ...string) bool {
		return slices.ContainsFunc(bs, func(b string) bool { return slices.Contains(backends, b) })
	}
	mint := false
	switch credentials {
	case configv1.AWSPlatformType, configv1.GCPPlatformType:
		mint = want("s3", "gcs")
	case configv1.AzurePlatformType:
		mint = want("azure", "swift")
	case configv1.OpenStackPlatformType:
		mint = want("swift", "keystone")
	}
	if mint {
		err = f.CreateCloudCredentials(ctx, credentials)
	}
	return fakes, stop, err
}
