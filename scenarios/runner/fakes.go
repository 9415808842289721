package runner

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/onsi/ginkgo/v2"
	configv1 "github.com/openshift/api/config/v1"

	"github.com/irconform/irconform/fakes/fault"
)

// CloudCredentialsSecret is the cluster-minted credentials Secret (given.cloudCredentials).
const CloudCredentialsSecret = "installer-cloud-credentials"

// usedBackends are the storage fakes a scenario needs: its platform's, and every backend it
// names in given buckets, in step actions (those that implement Backends) and as the subject
// of an expectation.
func (r *run) usedBackends() []string {
	s := r.s
	used := map[string]bool{}
	switch s.Platform {
	case "AWS":
		used["s3"] = true
	case "GCP":
		used["gcs"] = true
	case "Azure":
		used["azure"] = true
	}
	for _, b := range s.Given.Buckets {
		used[b.Backend] = true
	}
	for i := range s.Steps {
		st := &s.Steps[i]
		if a, ok := r.ops.action(st).(Backends); ok {
			for _, b := range a.StepBackends(st) {
				used[b] = true
			}
		}
		for _, e := range st.Expect {
			if e.Bucket != nil {
				used[e.Bucket.Backend] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(used))
}

// startFakes starts the storage fakes the scenario needs (before the operator, so that it is
// pointed at them) and stops them, after the operator, when the spec ends. It has the
// cloud credentials minted unless the scenario says not to or brings its own Secret.
func (r *run) startFakes(ctx context.Context) {
	s := r.s
	mint := configv1.PlatformType(s.Platform)
	if s.Given.CloudCredentials != nil && !*s.Given.CloudCredentials {
		mint = ""
	}
	for _, o := range s.Given.Objects {
		if o.Kind == "Secret" && o.Name == CloudCredentialsSecret {
			mint = "" // the scenario brings its own
		}
	}
	fakes, stop, err := r.cluster.StartFakes(ctx, r.usedBackends(), mint)
	if stop != nil {
		ginkgo.DeferCleanup(func() {
			// The operator goes first so that it does not talk to closed fakes.
			_ = r.cluster.StopOperator()
			stop()
		})
	}
	if err != nil {
		r.failAction(s.Src, "the storage fakes: %v", err)
	}
	r.fakes = fakes
}

// inspector returns the storage fake for backend, started for this scenario.
func (r *run) inspector(backend string) (fault.Inspector, error) {
	if ins, ok := r.fakes[backend]; ok && ins != nil {
		return ins, nil
	}
	return nil, fmt.Errorf("the %s storage fake is not running for this scenario", backend)
}
