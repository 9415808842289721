package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	configv1 "github.com/openshift/api/config/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

// run is one scenario being run.
type run struct {
	cluster Cluster
	ops     Operations
	s       *v1alpha1.Scenario
	display string
	// never are the items with neverCalled, checked again when the scenario ends.
	never []*item
	// fakes are the storage fakes started for this scenario, by backend.
	fakes map[string]fault.Inspector
}

func (r *run) pos(src v1alpha1.Source) string {
	return fmt.Sprintf("%s:%d:%d", r.display, src.Line(), src.Column())
}

// fail ends the spec: the first line of msg comes first in every report; at is where in the
// scenario file the failure is (recorded as expect.FailureLocationEntry, since Ginkgo's own
// failure location is this Go code).
func (r *run) fail(at v1alpha1.Source, msg string) {
	pos := r.pos(at)
	ginkgo.AddReportEntry(expect.FailureLocationEntry, pos, types.NewCustomCodeLocation(pos), ginkgo.ReportEntryVisibilityNever)
	ginkgo.Fail(msg, 2)
}

// failAction ends the spec on a step that could not be carried out.
func (r *run) failAction(at v1alpha1.Source, format string, args ...any) {
	r.fail(at, fmt.Sprintf("%s (%s)\n  at %s", fmt.Sprintf(format, args...), strings.Join(r.s.Behaviors, ", "), r.pos(at)))
}

func (r *run) run(ctx context.Context) {
	s := r.s
	ginkgo.By(fmt.Sprintf("given: platform %s (%s)", s.Platform, r.pos(s.Src)))
	var name, region, topology string
	if inf := s.Given.Infrastructure; inf != nil {
		name, region, topology = inf.Name, inf.Region, inf.Topology
	}
	if region == "" {
		region = "us-east-1"
	}
	if err := r.cluster.CreateInfrastructure(ctx, configv1.PlatformType(s.Platform), name, region, configv1.TopologyMode(topology)); err != nil {
		r.failAction(s.Src, "Infrastructure cluster: cannot be created: %v", err)
	}
	r.startFakes(ctx)
	for _, b := range s.Given.Buckets {
		ins, err := r.inspector(b.Backend)
		if err != nil {
			r.failAction(b.Src, "bucket %s: %v", b.Name, err)
		}
		if err := ins.Seed(ctx, b.Name, b.Objects); err != nil {
			r.failAction(b.Src, "bucket %s in the %s fake: cannot be seeded: %v", b.Name, b.Backend, err)
		}
	}
	for i := range s.Given.Objects {
		o := &s.Given.Objects[i]
		if err := r.apply(ctx, o, false); err != nil {
			r.failAction(o.Src, "%s %s: cannot be created: %v", o.Kind, o.Name, err)
		}
	}
	if s.Given.Operator != "stopped" {
		if err := r.cluster.StartOperator(ctx); err != nil {
			r.failAction(s.Src, "the operator cannot be started: %v", err)
		}
	}
	for i := range s.Steps {
		r.step(ctx, i, &s.Steps[i])
	}
	if len(r.never) > 0 {
		ginkgo.By("end: calls that must never have happened")
		if failed := r.unmet(ctx, r.cluster.Watcher().Reader(), r.never); len(failed) > 0 {
			r.fail(failed[0].item.src, r.report("when the scenario ended", failed, len(r.never)))
		}
	}
}

func (r *run) step(ctx context.Context, i int, st *v1alpha1.Step) {
	title := st.Name
	act := r.ops.action(st)
	if title == "" {
		title = "expect"
		if act != nil {
			title = act.Describe(st)
		}
	}
	ginkgo.By(fmt.Sprintf("step %d: %s (%s)", i+1, title, r.pos(st.Src)))
	timeout, err := stepTimeout(st)
	if err != nil {
		r.failAction(st.Src, "step %d: bad timeout %q", i+1, st.Timeout)
	}
	if act != nil {
		if err := act.Do(ctx, r, st, timeout); err != nil {
			r.failAction(st.Src, "step %d (%s): %v", i+1, title, err)
		}
	}
	if len(st.Expect) == 0 {
		return
	}
	items := make([]*item, 0, len(st.Expect))
	for j := range st.Expect {
		e := &st.Expect[j]
		it, err := r.compile(e)
		if err != nil {
			r.failAction(e.Src, "%v", err)
		}
		items = append(items, it)
		if len(e.NeverCalled) > 0 {
			r.never = append(r.never, it)
		}
	}
	var failed []unmetItem
	err = r.cluster.Watcher().Until(ctx, timeout, func(ctx context.Context, rd client.Reader) error {
		if failed = r.unmet(ctx, rd, items); len(failed) > 0 {
			return fmt.Errorf("%d of %d expectations not met", len(failed), len(items))
		}
		return nil
	})
	if err != nil {
		if len(failed) == 0 {
			r.failAction(st.Src, "step %d (%s): %v", i+1, title, err)
		}
		r.fail(failed[0].item.src, r.report(fmt.Sprintf("in step %d (%s, %s) after %s", i+1, title, r.pos(st.Src), timeout), failed, len(items)))
	}
}

// stepTimeout is how long a step's expectations may take: its timeout, else the default.
func stepTimeout(st *v1alpha1.Step) (time.Duration, error) {
	if st.Timeout == "" {
		return expect.DefaultTimeout, nil
	}
	return time.ParseDuration(st.Timeout)
}

// unmetItem is an item that does not hold, with what is wrong.
type unmetItem struct {
	item  *item
	fails []failure
}

// unmet checks items against rd and returns those that do not hold.
func (r *run) unmet(ctx context.Context, rd client.Reader, items []*item) []unmetItem {
	var out []unmetItem
	for _, it := range items {
		if fails := it.check(ctx, rd); len(fails) > 0 {
			out = append(out, unmetItem{it, fails})
		}
	}
	return out
}

// report is a step's failure message. Every "is X, want Y" line comes first (the first one
// is the spec's failure line, read first in every report), then where each item is, then
// what each subject looked like (secret values redacted).
func (r *run) report(when string, failed []unmetItem, total int) string {
	ids := r.s.Behaviors
	var b strings.Builder
	for _, u := range failed {
		for _, f := range u.fails {
			b.WriteString(f.line(u.item.subject, ids) + "\n")
		}
	}
	// Below the statements, everything is evidence and indented (the headers too), so that
	// reports take only the statements as the failure's headlines.
	fmt.Fprintf(&b, "\n  %d of %d expectations not met %s:\n", len(failed), total, when)
	for _, u := range failed {
		for _, f := range u.fails {
			fmt.Fprintf(&b, "    %s: %s\n", r.pos(u.item.src), f.line(u.item.subject, nil))
		}
	}
	for _, u := range failed {
		for _, f := range u.fails {
			if f.detail != "" {
				fmt.Fprintf(&b, "\n  %s, as last seen (%s):%s\n", u.item.subject, r.pos(u.item.src), indent(f.detail))
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "\n      " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n      ")
}
