package reports

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// Summary is the terminal summary of a run: results per area, totals, every failure with all
// its statements ("object field: is X, want Y (ID)") and where it failed, and (when given)
// where the reports are. No dumps: Ginkgo printed them above, and report.html has them.
func Summary(run Run, reportDir ...string) string {
	run = run.Redacted(DefaultRedactor())
	areas, t := Tally(run)
	var b strings.Builder
	v := VerdictOf(run)
	fmt.Fprintf(&b, "irconform: %s — %s\n", v, TargetLine(run.Target))
	if banner := run.PartialBanner(); banner != "" {
		fmt.Fprintf(&b, "%s\n", banner)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "AREA\tPASSED\tFAILED\tSKIPPED\tTOTAL\tTIME\t")
	for _, a := range areas {
		failed := fmt.Sprint(a.Failed - a.DivergenceFailed)
		if a.DivergenceFailed > 0 {
			failed += fmt.Sprintf(" (+%d div)", a.DivergenceFailed)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%s\t\n", a.Area, a.Passed, failed, a.Skipped, a.Total, fmtDur(a.Duration))
	}
	failed := fmt.Sprint(t.Failed - t.DivergenceFailed)
	if t.DivergenceFailed > 0 {
		failed += fmt.Sprintf(" (+%d div)", t.DivergenceFailed)
	}
	d := run.Duration
	if d == 0 {
		d = t.Duration
	}
	fmt.Fprintf(tw, "TOTAL\t%d\t%s\t%d\t%d\t%s\t\n", t.Passed, failed, t.Skipped, t.Total, fmtDur(d))
	tw.Flush()
	list := func(title string, specs []Spec) {
		if len(specs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(specs))
		for _, s := range specs {
			fmt.Fprintf(&b, "  ✗ %s\n", Truncate(DisplayName(s), 150))
			for _, st := range Statements(s) {
				fmt.Fprintf(&b, "      %s\n", st)
			}
			if loc := Location(s); loc != "" {
				fmt.Fprintf(&b, "      at %s\n", loc)
			}
		}
	}
	var ordinary, notHonoured []Spec
	for _, s := range run.Specs {
		if s.Result != Failed {
			continue
		}
		if IsNotHonoured(run, s) {
			notHonoured = append(notHonoured, s)
		} else {
			ordinary = append(ordinary, s)
		}
	}
	list("Failed", ordinary)
	list("Documented behaviour not honoured (divergence specs)", notHonoured)
	if len(run.Simulated) > 0 {
		fmt.Fprintf(&b, "\nSimulated: %s\n", strings.Join(run.Simulated, ", "))
	}
	if len(reportDir) > 0 && reportDir[0] != "" {
		dir := reportDir[0]
		fmt.Fprintf(&b, "\nReports: %s\n  %s  %s  %s  %s  %s\n", dir,
			FileJSON, FileJUnit, FileMarkdown, FileHTML, FileCoverage)
		fmt.Fprintf(&b, "  open %s\n", filepath.Join(dir, FileHTML))
	}
	return b.String()
}
