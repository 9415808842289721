package runner

import (
	"context"

	configv1 "github.com/openshift/api/config/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/fakes/fault"
)

// Cluster is what a scenario runs against: the suite's environment, seen through the few
// operations the runner needs. The suite provides it (conformance/specs.ScenarioCluster);
// the runner never imports the harness. Its methods take only types from outside this
// package, so that a provider needs no import of the runner either.
type Cluster interface {
	// Ready says why the environment cannot be used (nil when it can), e.g. the suite's
	// setup failed.
	Ready() error
	// Client writes to the cluster (create, patch, delete).
	Client() client.Client
	// Watcher is the suite's watch cache: reads, and waits driven by its events.
	Watcher() *expect.Watcher
	// CreateInfrastructure creates infrastructures.config.openshift.io/cluster for platform;
	// empty name, region and topology take the harness defaults.
	CreateInfrastructure(ctx context.Context, platform configv1.PlatformType, name, region string, topology configv1.TopologyMode) error
	// StartFakes starts fresh storage fakes for backends (s3, gcs, azure, swift) and points
	// the operator started next at them. When credentials is set it also creates
	// installer-cloud-credentials for that platform from the fakes, as the cloud-credential
	// operator would mint it. stop closes the fakes (stop the operator first).
	StartFakes(ctx context.Context, backends []string, credentials configv1.PlatformType) (fakes map[string]fault.Inspector, stop func(), err error)
	StartOperator(ctx context.Context) error
	StopOperator() error
}
