package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"dur":      fmtDur,
	"ordinary": func(c Counts) int { return c.Failed - c.DivergenceFailed },
}).Parse(htmlTemplateText))

type htmlLine struct {
	Class string
	Text  string
}

type htmlSeg struct {
	Text string
	Code bool
}

type htmlSpec struct {
	Index         int
	Name          string
	Display       string
	Area          string
	IDs           []string
	IDsAttr       string
	Result        string
	ResultLabel   string
	NotHonoured   bool
	Divergence    bool
	Duration      string
	Source        string
	Failure       []htmlLine
	Statements    []string
	FailureFirst  string
	FailureLoc    string
	SkipReason    string
	SearchText    string
	DivergenceWhy string
}

type htmlCoverage struct {
	BehaviorCoverage
	RuleSegs []htmlSeg
	SpecRefs []htmlSpecRef
}

type htmlSpecRef struct {
	Name   string
	Result string
	Label  string
}

type htmlSkipGroup struct {
	Reason string
	Specs  []string
}

type htmlTable struct {
	Key     string
	Title   string
	Columns []string
	Rows    [][]string
}

type htmlData struct {
	Title       string
	Partial     string
	Verdict     Verdict
	VerdictCls  string
	Target      string
	TargetKind  string
	Live        bool
	Started     string
	Duration    string
	Generated   string
	Schema      string
	Total       Counts
	Ordinary    int
	Areas       []AreaCounts
	AreaNames   []string
	Specs       []htmlSpec
	Failures    []htmlSpec
	Divergences []htmlSpec
	Coverage    []htmlCoverage
	CovTotals   []statusCount
	Gaps        []string
	Unknown     []string
	SkipGroups  []htmlSkipGroup
	Simulated   []string
	Extra       []htmlTable
}

type statusCount struct {
	Status CoverageStatus
	N      int
}

// diffLines splits a failure message into lines, classed for colouring object diffs. Only
// real diff lines are coloured: cmp's "-\t…"/"+\t…" lines, and "-"/"+" lines inside a unified
// diff hunk (after "@@"). A YAML list item ("- name: x") is not a deletion.
func diffLines(s string) []htmlLine {
	var out []htmlLine
	inHunk := false
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		t := strings.TrimLeft(l, " \t")
		cls := ""
		switch {
		case strings.HasPrefix(t, "@@"):
			cls, inHunk = "hunk", true
		case strings.HasPrefix(t, "+++ "), strings.HasPrefix(t, "--- "):
			cls = "hdr"
		case isCmpLine(t, '+') || (inHunk && strings.HasPrefix(l, "+")):
			cls = "add"
		case isCmpLine(t, '-') || (inHunk && strings.HasPrefix(l, "-")):
			cls = "del"
		case inHunk && !strings.HasPrefix(l, " ") && l != "":
			inHunk = false // the hunk ended
		}
		out = append(out, htmlLine{Class: cls, Text: l})
	}
	return out
}

// isCmpLine: a go-cmp diff line, the marker then a tab ("-\t" or "- \t"), or the marker alone.
func isCmpLine(t string, marker byte) bool {
	if len(t) == 0 || t[0] != marker {
		return false
	}
	rest := t[1:]
	return rest == "" || strings.HasPrefix(rest, "\t") || strings.HasPrefix(rest, " \t")
}

// codeSegs splits Markdown inline code (`x`) from plain text.
func codeSegs(s string) []htmlSeg {
	s = strings.ReplaceAll(s, "**", "")
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // unbalanced: show as is
		return []htmlSeg{{Text: s}}
	}
	var out []htmlSeg
	for i, p := range parts {
		if p != "" {
			out = append(out, htmlSeg{Text: p, Code: i%2 == 1})
		}
	}
	return out
}

func resultLabel(run Run, s Spec) string {
	if IsNotHonoured(run, s) {
		return "not honoured"
	}
	return string(s.Result)
}

// HTML renders run and its coverage as one self-contained HTML page (inline CSS and JS,
// no external assets). The spec table can be filtered by area and result, also from the
// URL fragment: report.html#area=BOOT&result=failed (keys: area, result, status, q).
func HTML(run Run, cov CoverageReport) ([]byte, error) {
	run = run.Redacted(DefaultRedactor())
	areas, total := Tally(run)
	v := VerdictOf(run)
	d := htmlData{
		Title:      "irconform report",
		Partial:    run.PartialBanner(),
		Verdict:    v,
		Target:     TargetLine(run.Target),
		TargetKind: run.Target.Kind,
		Live:       run.IsLive(),
		Schema:     firstNonEmpty(run.Schema, SchemaVersion),
		Total:      total,
		Ordinary:   total.Failed - total.DivergenceFailed,
		Areas:      areas,
		Simulated:  run.Simulated,
		Generated:  time.Now().UTC().Format("2006-01-02 15:04:05 MST"),
	}
	switch v {
	case VerdictPassed:
		d.VerdictCls = "ok"
	case VerdictFailed:
		d.VerdictCls = "bad"
	default:
		d.VerdictCls = "warn"
	}
	if !run.StartedAt.IsZero() {
		d.Started = run.StartedAt.UTC().Format("2006-01-02 15:04:05 MST")
	}
	dur := run.Duration
	if dur == 0 {
		dur = total.Duration
	}
	d.Duration = fmtDur(dur)
	for _, a := range areas {
		d.AreaNames = append(d.AreaNames, a.Area)
	}
	skip := map[string][]string{}
	for i, s := range run.Specs {
		hs := htmlSpec{
			Index: i, Name: s.Name, Display: DisplayName(s), Area: areaOf(s), IDs: s.Behaviors,
			IDsAttr: strings.Join(s.Behaviors, " "), Result: string(s.Result), ResultLabel: resultLabel(run, s),
			NotHonoured: IsNotHonoured(run, s), Divergence: s.IsDivergence(), Duration: fmtDur(s.Duration),
			Source: s.Source, FailureLoc: s.FailureLocation, SkipReason: s.SkipReason,
			SearchText: strings.ToLower(DisplayName(s) + " " + strings.Join(s.Labels, " ")),
		}
		if hs.Result == "" {
			hs.Result = "unknown"
		}
		if s.Result == Failed {
			hs.Failure = diffLines(s.Failure)
			hs.Statements = Statements(s)
			hs.FailureFirst = FirstLine(firstNonEmpty(strings.Join(hs.Statements, "\n"), s.Failure), 200)
			if hs.NotHonoured {
				hs.FailureFirst = "documented behaviour not honoured: " + hs.FailureFirst
			}
			if !hs.NotHonoured {
				d.Failures = append(d.Failures, hs)
			}
		}
		if s.IsDivergence() {
			hs.DivergenceWhy = DivergenceMeaning(run, s)
			d.Divergences = append(d.Divergences, hs)
		}
		if s.Result == Skipped || s.Result == Pending {
			r := firstNonEmpty(s.SkipReason, "("+string(s.Result)+", no reason given)")
			skip[r] = append(skip[r], DisplayName(s))
		}
		d.Specs = append(d.Specs, hs)
	}
	for r, names := range skip {
		d.SkipGroups = append(d.SkipGroups, htmlSkipGroup{Reason: r, Specs: names})
	}
	sort.Slice(d.SkipGroups, func(i, j int) bool {
		if len(d.SkipGroups[i].Specs) != len(d.SkipGroups[j].Specs) {
			return len(d.SkipGroups[i].Specs) > len(d.SkipGroups[j].Specs)
		}
		return d.SkipGroups[i].Reason < d.SkipGroups[j].Reason
	})
	for _, bc := range cov.Behaviors {
		hc := htmlCoverage{BehaviorCoverage: bc, RuleSegs: codeSegs(bc.Rule)}
		for _, r := range bc.Specs {
			label := string(r.Result)
			if r.Result == Failed && r.Divergence && r.Target == "live" {
				label = "not honoured"
			}
			name := r.Name
			if len(cov.Runs) > 1 {
				name = fmt.Sprintf("%s (run %d: %s)", name, r.Run+1, r.Target)
			}
			hc.SpecRefs = append(hc.SpecRefs, htmlSpecRef{Name: name, Result: string(r.Result), Label: label})
		}
		d.Coverage = append(d.Coverage, hc)
	}
	if len(cov.Behaviors) > 0 {
		for _, st := range CoverageStatuses {
			d.CovTotals = append(d.CovTotals, statusCount{st, cov.Totals[st]})
		}
	}
	d.Gaps, d.Unknown = cov.Gaps, cov.Unknown
	for _, k := range sortedExtraKeys(run.Extra) {
		t := run.Extra[k]
		d.Extra = append(d.Extra, htmlTable{Key: k, Title: firstNonEmpty(t.Title, k), Columns: t.Columns, Rows: t.Rows})
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("html report: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteHTML writes report.html.
func WriteHTML(path string, run Run, cov CoverageReport) error {
	data, err := HTML(run, cov)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}
