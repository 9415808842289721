package specs

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/reports"
)

// convert turns Ginkgo's report into the irconform run model. Source paths are made relative
// to root (the repository), so that a report names files as the repository does, whichever
// machine ran it.
func convert(r types.Report, root string) reports.Run {
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
		ids := behaviorid.Filter(labels)
		sort.Strings(ids)
		area := "OTHER"
		if len(ids) > 0 {
			area = behaviorid.Area(ids[0])
		}
		spec := reports.Spec{
			Name:      s.FullText(),
			Area:      area,
			Behaviors: ids,
			Labels:    labels,
			Source:    location(root, s.LeafNodeLocation),
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
				spec.SkipReason = NotSelected
			}
		default:
			spec.Result = reports.Failed
			spec.Failure = s.Failure.Message
			spec.FailureLocation = failureLocation(root, s)
		}
		run.Specs = append(run.Specs, spec)
	}
	return run
}

// failureLocation is where a spec failed: a location the spec recorded for itself (a
// scenario's file:line:col, expect.FailureLocationEntry), else Ginkgo's (the Go code),
// relative to root.
func failureLocation(root string, s types.SpecReport) string {
	for _, e := range s.ReportEntries {
		if e.Name == expect.FailureLocationEntry {
			return e.Location.String()
		}
	}
	return location(root, s.Failure.Location)
}

// location is file:line with the file relative to root when it is inside root.
func location(root string, cl types.CodeLocation) string {
	if cl.FileName == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(relTo(root, cl.FileName)), cl.LineNumber)
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
