package specs

import (
	"regexp"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/reports"
)

var behaviorID = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[0-9]{3}$`)

// convert turns Ginkgo's report into the irconform run model.
func convert(r types.Report) reports.Run {
	run := reports.Run{
		Schema:    reports.SchemaVersion,
		StartedAt: r.StartTime,
		Duration:  reports.Seconds(r.RunTime),
		Target:    reports.Target{Kind: "envtest"},
		Simulated: simulated(),
		Extra:     extraTables(),
	}
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		labels := s.Labels()
		var ids []string
		for _, l := range labels {
			if behaviorID.MatchString(l) {
				ids = append(ids, l)
			}
		}
		sort.Strings(ids)
		area := "OTHER"
		if len(ids) > 0 {
			area = ids[0][:strings.Index(ids[0], "-")]
		}
		spec := reports.Spec{
			Name:      s.FullText(),
			Area:      area,
			Behaviors: ids,
			Labels:    labels,
			Source:    s.LeafNodeLocation.String(),
			Duration:  reports.Seconds(s.RunTime),
		}
		for _, l := range labels {
			if l == "divergence" {
				spec.Divergence = true
			}
		}
		switch {
		case s.State == types.SpecStatePassed:
			spec.Result = reports.Passed
		case s.State == types.SpecStatePending:
			spec.Result = reports.Pending
		case s.State.Is(types.SpecStateSkipped):
			spec.Result = reports.Skipped
			spec.SkipReason = s.Failure.Message
			if spec.SkipReason == "" {
				spec.SkipReason = "not selected by the focus or label filter"
			}
		default:
			spec.Result = reports.Failed
			spec.Failure = s.Failure.Message
			spec.FailureLocation = failureLocation(s)
		}
		run.Specs = append(run.Specs, spec)
	}
	return run
}

// failureLocation is where a spec failed: a location the spec recorded for itself (a
// scenario's file:line:col, expect.FailureLocationEntry), else Ginkgo's (the Go code).
func failureLocation(s types.SpecReport) string {
	for _, e := range s.ReportEntries {
		if e.Name == expect.FailureLocationEntry {
			return e.Location.String()
		}
	}
	return s.Failure.Location.String()
}
