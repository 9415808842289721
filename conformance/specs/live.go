package specs

import (
	"context"
	"errors"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/livecheck"
)

// Observation specs: one per live check (conformance/livecheck). Each check reads the
// objects it declares, by name, and judges them against the catalogue, keyed by release; an
// object that is absent or unreadable makes it skip with a reason, never fail. On a live
// cluster they judge the cluster as it is; on envtest they judge the reference operator's
// work (as the current release), so the same checks are proven against a known-good
// operator and, in the captures' table test, against real clusters of older releases.
var _ = Describe(observedContainer, Label("live"), func() {
	BeforeEach(func() {
		if env.Live {
			return
		}
		spec := managedEmptyDir(1)
		spec.LogLevel = operatorv1.Debug
		spec.ReadOnly = true
		spec.DefaultRoute = true
		createConfig(spec)
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		// Observation needs the operator's whole picture, not just the registry.
		eventually(func(g Gomega, r client.Reader) {
			var cj batchv1.CronJob
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-pruner"}, &cj)).To(Succeed(), "read CronJob image-pruner")
			var co configv1.ClusterOperator
			g.Expect(r.Get(ctx(), types.NamespacedName{Name: "image-registry"}, &co)).To(Succeed(), "read ClusterOperator image-registry")
			g.Expect(co.Status.Conditions).NotTo(BeEmpty(), "ClusterOperator image-registry status.conditions")
			var pr monitoringv1.PrometheusRule
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry-operator-alerts"}, &pr)).To(Succeed(), "read PrometheusRule image-registry-operator-alerts")
		})
	})

	for _, check := range livecheck.Checks() {
		labels := append(append([]string{}, check.IDs...), check.Traits...)
		It(check.Title, Label(labels...), func(sctx SpecContext) { judgeCheck(sctx, check) })
	}
})

const observedContainer = "Observed consistency"

// LiveCheckSpec names the spec that wraps a live check.
func LiveCheckSpec(c livecheck.Check) LiveSpec {
	return LiveSpec{Container: observedContainer, Title: c.Title, IDs: c.IDs}
}

// liveChecks holds what every check's reading shares: the reader, and on a live cluster the
// account's access and the release (both worked out once, when the target was probed).
var liveChecks struct {
	once   sync.Once
	reader livecheck.Reader
	err    error
}

func checkReader() (livecheck.Reader, error) {
	liveChecks.once.Do(func() {
		liveChecks.reader, liveChecks.err = livecheck.NewReader(env.Target.RESTConfig())
	})
	return liveChecks.reader, liveChecks.err
}

// judgeCheck gathers the check's inputs and turns its verdict into the spec's result: a
// skip with its reason, a failure whose first line names object, field, seen, want and
// behaviour, or a pass (with the release note kept in the report).
func judgeCheck(sctx context.Context, check livecheck.Check) {
	GinkgoHelper()
	r, err := checkReader()
	Expect(err).NotTo(HaveOccurred(), "a reader for the live check")
	var v livecheck.Verdict
	judgeOnce := func(ctx context.Context) livecheck.Verdict {
		if env.Live {
			return check.Judge(livecheck.Gather(ctx, r, liveTarget.Access, liveTarget.Release, check.Inputs))
		}
		return check.Judge(livecheck.Gather(ctx, r, livecheck.AllowAll(), livecheck.Current, check.Inputs))
	}
	if env.Live {
		// A live cluster is judged as found: one reading, no waiting.
		v = judgeOnce(sctx)
	} else {
		// The reference operator settles within moments of the harness's setup: judge again
		// on every change until the check passes or the wait ends.
		errNotYet := errors.New("not yet")
		_ = env.Watch.Until(sctx, defaultTimeout, func(context.Context, client.Reader) error {
			// Read with the spec's context, not the wait's: a read cut short by the wait's
			// deadline would read as "unreadable" and turn a failure into a skip.
			v = judgeOnce(sctx)
			if v.Result == livecheck.Fail {
				return errNotYet
			}
			return nil
		})
	}
	switch v.Result {
	case livecheck.Skip:
		Skip(v.Reason)
	case livecheck.Fail:
		Fail(v.Message())
	default:
		if v.Note != "" {
			AddReportEntry(noteEntry, v.Note)
		}
	}
}

// noteEntry names the report entry that carries a passing check's release note.
const noteEntry = "irconform-note"
