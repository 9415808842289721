package reports

import (
	"fmt"
	"strings"
)

// Limits keeping Markdown within a PR comment (65,536 chars) and a job summary (1 MiB). The
// failures' statements are never cut (short of mdHardMax, against a pathological message);
// dumps and the later sections are left out, whole, when they would not fit mdMaxLen.
const (
	mdExcerptLines    = 80
	mdExcerptChars    = 6000
	mdMaxListed       = 60
	mdMaxExtraRows    = 100
	mdMaxLen          = 60000
	mdHardMax         = 900000
	mdTruncatedFooter = "\n\n_… report truncated to fit a PR comment; see report.html._\n"
)

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return s
}

// mdCode wraps s in inline code, choosing a fence that s does not contain.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdBlock is a fenced code block whose fence s cannot close.
func mdBlock(s string) string {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + "text\n" + s + "\n" + fence + "\n"
}

var verdictIcon = map[Verdict]string{
	VerdictPassed: "✅", VerdictFailed: "❌", VerdictNotHonoured: "⚠️", VerdictEmpty: "⚪",
}

// Markdown renders run for a CI job summary or a PR comment. cov may be the zero value
// (then the coverage sections are left out). Failures come first, each with all its
// statements ("object field: is X, want Y (ID)"); their dumps follow in a later section.
func Markdown(run Run, cov CoverageReport) string {
	run = run.Redacted(DefaultRedactor())
	var b strings.Builder // what is always shown
	areas, t := Tally(run)
	v := VerdictOf(run)
	fmt.Fprintf(&b, "## %s irconform: %s\n\n", verdictIcon[v], v)
	if banner := run.PartialBanner(); banner != "" {
		fmt.Fprintf(&b, "> **%s**\n\n", strings.ReplaceAll(banner, "\n", " "))
	}
	fmt.Fprintf(&b, "**%d passed, %d failed, %d skipped** of %d specs", t.Passed, t.Failed-t.DivergenceFailed, t.Skipped, t.Total)
	if t.DivergenceFailed > 0 {
		fmt.Fprintf(&b, ", **%d documented behaviours not honoured**", t.DivergenceFailed)
	}
	d := run.Duration
	if d == 0 {
		d = t.Duration
	}
	fmt.Fprintf(&b, " in %s.\n\n", fmtDur(d))
	fmt.Fprintf(&b, "**Target:** %s", mdCell(TargetLine(run.Target)))
	if !run.StartedAt.IsZero() {
		fmt.Fprintf(&b, " · started %s", run.StartedAt.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	b.WriteString("\n\n")
	if len(run.Simulated) > 0 {
		b.WriteString("**Simulated (not real controllers):** ")
		for i, s := range run.Simulated {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(mdCell(s))
		}
		b.WriteString("\n\n")
	}

	// Per area.
	if len(areas) > 0 {
		b.WriteString("| Area | Passed | Failed | Skipped | Total | Time |\n|---|---:|---:|---:|---:|---:|\n")
		for _, a := range areas {
			failed := fmt.Sprint(a.Failed - a.DivergenceFailed)
			if a.Failed-a.DivergenceFailed > 0 {
				failed = "**" + failed + "** ❌"
			}
			if a.DivergenceFailed > 0 {
				failed += fmt.Sprintf(" (+%d ⚠️)", a.DivergenceFailed)
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %d | %d | %s |\n", mdCell(a.Area), a.Passed, failed, a.Skipped, a.Total, fmtDur(a.Duration))
		}
		fmt.Fprintf(&b, "| **Total** | **%d** | **%d** | **%d** | **%d** | %s |\n\n", t.Passed, t.Failed-t.DivergenceFailed, t.Skipped, t.Total, fmtDur(t.Duration))
	}

	// Failures: every statement of every failure, before any dump.
	var failures []Spec
	for _, s := range run.Specs {
		if s.Result == Failed && !IsNotHonoured(run, s) {
			failures = append(failures, s)
		}
	}
	if len(failures) > 0 {
		fmt.Fprintf(&b, "### ❌ Failures (%d)\n\n", len(failures))
		for _, s := range failures {
			writeMDFailure(&b, s, s.IsDivergence())
		}
	}
	if b.Len() > mdHardMax {
		cut := strings.LastIndex(b.String()[:mdHardMax], "\n")
		return b.String()[:cut] + mdTruncatedFooter
	}

	// The rest, section by section, while it fits.
	var sections []string
	if len(failures) > 0 {
		sections = append(sections, "### Failure details\n\n")
		for _, s := range failures {
			sections = append(sections, mdDetails(DisplayName(s), s.Failure))
		}
	}
	sections = append(sections, mdDivergences(run)...)
	sections = append(sections, mdCoverage(cov), mdSkipped(run))
	for _, k := range sortedExtraKeys(run.Extra) {
		tb := run.Extra[k]
		sections = append(sections, fmt.Sprintf("### %s\n\n%s\n", mdCell(firstNonEmpty(tb.Title, k)), MarkdownTable(tb, mdMaxExtraRows)))
	}
	for _, sec := range sections {
		if b.Len()+len(sec) > mdMaxLen {
			b.WriteString(mdTruncatedFooter)
			break
		}
		b.WriteString(sec)
	}
	return b.String()
}

// writeMDFailure writes a failure's name, location and statements (as code, one per line).
func writeMDFailure(b *strings.Builder, s Spec, divergence bool) {
	fmt.Fprintf(b, "**%s**", mdCell(DisplayName(s)))
	if divergence {
		b.WriteString(" _(divergence spec)_")
	}
	if loc := Location(s); loc != "" {
		fmt.Fprintf(b, " — %s", mdCode(loc))
	}
	b.WriteString("\n")
	sts := Statements(s)
	if len(sts) == 0 {
		sts = []string{"(no failure message)"}
	}
	for _, st := range sts {
		fmt.Fprintf(b, "- %s\n", mdCode(st))
	}
	b.WriteString("\n")
}

// mdDetails is a collapsed block with a failure's whole message (dumps included).
func mdDetails(title, msg string) string {
	if strings.TrimSpace(msg) == "" {
		return ""
	}
	return fmt.Sprintf("<details><summary>%s</summary>\n\n%s\n</details>\n\n", htmlEscape(title), mdBlock(Excerpt(msg, mdExcerptLines, mdExcerptChars)))
}

func mdDivergences(run Run) []string {
	var divs []Spec
	for _, s := range run.Specs {
		if s.IsDivergence() {
			divs = append(divs, s)
		}
	}
	if len(divs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("### ⚠️ Divergences (documents vs upstream operator)\n\n")
	if run.IsLive() {
		b.WriteString("On a live cluster a failed divergence spec means the documented behaviour is **not honoured** by the real operator; it is reported apart from ordinary failures.\n\n")
	} else {
		b.WriteString("Against the reference operator these are ordinary results: it follows the documents.\n\n")
	}
	b.WriteString("| Spec | Result | Meaning |\n|---|---|---|\n")
	for _, s := range divs {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(DisplayName(s)), resultIcon(run, s), mdCell(DivergenceMeaning(run, s)))
	}
	b.WriteString("\n")
	for _, s := range divs {
		if IsNotHonoured(run, s) {
			writeMDFailure(&b, s, false)
		}
	}
	out := []string{b.String()}
	for _, s := range divs {
		if IsNotHonoured(run, s) {
			out = append(out, mdDetails(DisplayName(s), s.Failure))
		}
	}
	return out
}

func mdCoverage(cov CoverageReport) string {
	if len(cov.Behaviors) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("### Behaviour coverage\n\n")
	b.WriteString("| Status | IDs |\n|---|---:|\n")
	for _, st := range CoverageStatuses {
		fmt.Fprintf(&b, "| %s | %d |\n", st, cov.Totals[st])
	}
	b.WriteString("\n")
	listIDs := func(title string, ids []string) {
		if len(ids) == 0 {
			return
		}
		fmt.Fprintf(&b, "**%s (%d):** ", title, len(ids))
		shown := ids
		if len(shown) > mdMaxListed {
			shown = shown[:mdMaxListed]
		}
		b.WriteString(strings.Join(shown, ", "))
		if len(ids) > len(shown) {
			fmt.Fprintf(&b, ", … (%d more)", len(ids)-len(shown))
		}
		b.WriteString("\n\n")
	}
	listIDs("Failing", cov.Failing)
	listIDs("Documented, not honoured", cov.NotHonoured)
	listIDs("Not run (all specs skipped)", cov.NotRun)
	if len(cov.Gaps) > 0 {
		fmt.Fprintf(&b, "<details><summary><b>Coverage gaps (%d IDs with no spec)</b></summary>\n\n| ID | Tier | Source |\n|---|---|---|\n", len(cov.Gaps))
		for _, bc := range cov.Behaviors {
			if bc.Status == CoverageGap {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", bc.ID, mdCell(bc.Tier), mdCell(bc.Source))
			}
		}
		b.WriteString("\n</details>\n\n")
	}
	listIDs("Labelled but not in the catalogue", cov.Unknown)
	return b.String()
}

func mdSkipped(run Run) string {
	var skipped []Spec
	for _, s := range run.Specs {
		if s.Result == Skipped || s.Result == Pending {
			skipped = append(skipped, s)
		}
	}
	if len(skipped) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><b>Skipped (%d)</b></summary>\n\n| Spec | Reason |\n|---|---|\n", len(skipped))
	for i, s := range skipped {
		if i == mdMaxListed {
			fmt.Fprintf(&b, "| … %d more | |\n", len(skipped)-i)
			break
		}
		reason := s.SkipReason
		if reason == "" {
			reason = string(s.Result)
		}
		fmt.Fprintf(&b, "| %s | %s |\n", mdCell(DisplayName(s)), mdCell(reason))
	}
	b.WriteString("\n</details>\n\n")
	return b.String()
}

// MarkdownTable renders a Table (at most maxRows rows; 0 = all).
func MarkdownTable(t Table, maxRows int) string {
	var b strings.Builder
	cols := len(t.Columns)
	for _, r := range t.Rows {
		if len(r) > cols {
			cols = len(r)
		}
	}
	if cols == 0 {
		return "_(empty table)_\n"
	}
	b.WriteString("|")
	for i := 0; i < cols; i++ {
		h := ""
		if i < len(t.Columns) {
			h = t.Columns[i]
		}
		b.WriteString(" " + mdCell(h) + " |")
	}
	b.WriteString("\n|" + strings.Repeat("---|", cols) + "\n")
	for i, r := range t.Rows {
		if maxRows > 0 && i == maxRows {
			fmt.Fprintf(&b, "| … %d more rows |%s\n", len(t.Rows)-i, strings.Repeat(" |", cols-1))
			break
		}
		b.WriteString("|")
		for j := 0; j < cols; j++ {
			c := ""
			if j < len(r) {
				c = r[j]
			}
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func resultIcon(run Run, s Spec) string {
	switch s.Result {
	case Passed:
		return "✅ passed"
	case Failed:
		if IsNotHonoured(run, s) {
			return "⚠️ not honoured"
		}
		return "❌ failed"
	case Pending:
		return "⏸ pending"
	}
	return "⏭ skipped"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}
