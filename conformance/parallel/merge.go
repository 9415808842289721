package parallel

import (
	"fmt"
	"time"

	"github.com/irconform/irconform/reports"
)

// Merge makes one run of the processes' runs, with the content a serial run of the same
// selection would have: every spec once, with the result of the process that ran it; the
// selection as the user gave it; the suite's own tables with every process's rows. started
// and wall are the parent's (the whole parallel run). Specs that only ever show
// claimedElsewhere were claimed by a process that wrote no report (it died): they are
// failed, naming lost.
func Merge(runs []reports.Run, sel reports.Selection, started time.Time, wall time.Duration, claimedElsewhere, notSelected, lost string) (reports.Run, error) {
	if len(runs) == 0 {
		return reports.Run{}, fmt.Errorf("no process wrote a report")
	}
	out := reports.Run{Schema: runs[0].Schema, StartedAt: started, Duration: reports.Seconds(wall),
		Target: runs[0].Target, Simulated: runs[0].Simulated}
	type key struct{ name, source string }
	best := map[key]reports.Spec{}
	var order []key
	for _, r := range runs {
		out.Interrupted = out.Interrupted || r.Interrupted
		for _, s := range r.Specs {
			k := key{s.Name, s.Source}
			cur, seen := best[k]
			if !seen {
				order = append(order, k)
			}
			if !seen || rank(s, claimedElsewhere, notSelected) > rank(cur, claimedElsewhere, notSelected) {
				best[k] = s
			}
		}
		for name, t := range r.Extra {
			if out.Extra == nil {
				out.Extra = map[string]reports.Table{}
			}
			m, ok := out.Extra[name]
			if !ok {
				m = reports.Table{Title: t.Title, Columns: t.Columns}
			}
			m.Rows = append(m.Rows, t.Rows...)
			out.Extra[name] = m
		}
	}
	sel.Selected, sel.Total = 0, len(order)
	pending := 0
	for _, k := range order {
		s := best[k]
		if s.Result == reports.Skipped && s.SkipReason == claimedElsewhere {
			s.Result, s.SkipReason, s.Failure = reports.Failed, "", lost
		}
		switch {
		case s.Result == reports.Pending:
			pending++
		case s.Result == reports.Skipped && s.SkipReason == notSelected:
		default:
			sel.Selected++
		}
		out.Specs = append(out.Specs, s)
	}
	sel.Partial = sel.Selected+pending < sel.Total
	out.Selection = &sel
	return out, nil
}

// rank orders one spec's outcomes across processes: run (passed or failed) over skipped for a
// reason of its own, over skipped because another process took it, over not selected.
func rank(s reports.Spec, claimedElsewhere, notSelected string) int {
	switch {
	case s.Result == reports.Passed || s.Result == reports.Failed:
		return 4
	case s.Result == reports.Skipped && s.SkipReason == notSelected:
		return 1
	case s.Result == reports.Skipped && s.SkipReason == claimedElsewhere:
		return 2
	default:
		return 3
	}
}
