package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/irconform/irconform/internal/failure"
)

// DefaultTimeThreshold is the relative slow-down reported as a regression (50 %).
const DefaultTimeThreshold = 0.5

// MinTimeRegression is the absolute slow-down below which no time regression is reported.
const MinTimeRegression = 100 * time.Millisecond

// SpecChange is one spec whose result changed between two runs.
type SpecChange struct {
	Name       string   `json:"name"`
	Area       string   `json:"area"`
	Behaviors  []string `json:"behaviors,omitempty"`
	OldResult  Result   `json:"oldResult,omitempty"` // "" when the spec is new
	NewResult  Result   `json:"newResult,omitempty"` // "" when the spec was removed
	Failure    string   `json:"failure,omitempty"`   // new failure message (redacted)
	SkipReason string   `json:"skipReason,omitempty"`
	Divergence bool     `json:"divergence,omitempty"`
}

// TimeRegression is one spec that got slower.
type TimeRegression struct {
	Name  string   `json:"name"`
	Old   Duration `json:"old"`
	New   Duration `json:"new"`
	Ratio float64  `json:"ratio"` // New/Old
}

// DiffResult compares two runs.
type DiffResult struct {
	OldTarget Target  `json:"oldTarget"`
	NewTarget Target  `json:"newTarget"`
	Threshold float64 `json:"threshold"`
	// NewFailures: failed now, not failed before (including new specs that fail).
	NewFailures []SpecChange `json:"newFailures"`
	// StillFailing: failed in both.
	StillFailing []SpecChange `json:"stillFailing"`
	// Fixed: failed before, passed now.
	Fixed []SpecChange `json:"fixed"`
	// NewlySkipped: ran before (passed or failed), skipped or pending now.
	NewlySkipped []SpecChange `json:"newlySkipped"`
	// NotRun are specs the old run ran (passed or failed) that the new run did not run
	// (skipped, pending, or not there): the diff says nothing about them. A partial new run
	// (--focus, --label-filter) is the usual cause.
	NotRun []string `json:"notRun"`
	// OldSelection and NewSelection are the runs' selections (nil: a full run, or a report
	// written before selections were recorded).
	OldSelection     *Selection       `json:"oldSelection,omitempty"`
	NewSelection     *Selection       `json:"newSelection,omitempty"`
	AddedSpecs       []string         `json:"addedSpecs"`
	RemovedSpecs     []string         `json:"removedSpecs"`
	AddedBehaviors   []string         `json:"addedBehaviors"`
	RemovedBehaviors []string         `json:"removedBehaviors"`
	TimeRegressions  []TimeRegression `json:"timeRegressions"`
	OldCounts        Counts           `json:"oldCounts"`
	NewCounts        Counts           `json:"newCounts"`
}

// specKeys indexes specs by name; repeated names get "#2", "#3", … so none is lost.
func specKeys(run Run) (map[string]Spec, []string) {
	m := map[string]Spec{}
	var order []string
	seen := map[string]int{}
	for _, s := range run.Specs {
		k := s.Name
		seen[k]++
		if n := seen[k]; n > 1 {
			k = fmt.Sprintf("%s #%d", s.Name, n)
		}
		m[k] = s
		order = append(order, k)
	}
	return m, order
}

func behaviorSet(run Run) map[string]bool {
	m := map[string]bool{}
	for _, s := range run.Specs {
		for _, id := range s.Behaviors {
			m[id] = true
		}
	}
	return m
}

func ran(r Result) bool { return r == Passed || r == Failed }

// Diff compares old and new. timeThreshold is the relative slow-down (0.5 = 50 %) above
// which a spec slower by more than MinTimeRegression is reported; <= 0 uses the default.
func Diff(old, new Run, timeThreshold float64) DiffResult {
	if timeThreshold <= 0 {
		timeThreshold = DefaultTimeThreshold
	}
	red := DefaultRedactor()
	old, new = old.Redacted(red), new.Redacted(red)
	_, oc := Tally(old)
	_, nc := Tally(new)
	d := DiffResult{
		OldTarget: old.Target, NewTarget: new.Target, Threshold: timeThreshold,
		OldCounts: oc, NewCounts: nc,
		NewFailures: []SpecChange{}, StillFailing: []SpecChange{}, Fixed: []SpecChange{}, NewlySkipped: []SpecChange{},
		AddedSpecs: []string{}, RemovedSpecs: []string{}, AddedBehaviors: []string{}, RemovedBehaviors: []string{},
		NotRun: []string{}, OldSelection: old.Selection, NewSelection: new.Selection,
		TimeRegressions: []TimeRegression{},
	}
	om, _ := specKeys(old)
	nm, norder := specKeys(new)
	for _, k := range norder {
		ns := nm[k]
		os, existed := om[k]
		ch := SpecChange{Name: k, Area: areaOf(ns), Behaviors: ns.Behaviors, NewResult: ns.Result,
			Failure: ns.Failure, SkipReason: ns.SkipReason, Divergence: ns.IsDivergence()}
		if existed {
			ch.OldResult = os.Result
		} else {
			d.AddedSpecs = append(d.AddedSpecs, k)
		}
		switch {
		case ns.Result == Failed && existed && os.Result == Failed:
			d.StillFailing = append(d.StillFailing, ch)
		case ns.Result == Failed:
			d.NewFailures = append(d.NewFailures, ch)
		case ns.Result == Passed && existed && os.Result == Failed:
			ch.Failure = os.Failure
			d.Fixed = append(d.Fixed, ch)
		case (ns.Result == Skipped || ns.Result == Pending) && existed && ran(os.Result):
			d.NewlySkipped = append(d.NewlySkipped, ch)
		}
		if existed && ran(ns.Result) && ran(os.Result) {
			o, n := os.Duration.Std(), ns.Duration.Std()
			if o > 0 && n-o > MinTimeRegression && float64(n) > float64(o)*(1+timeThreshold) {
				d.TimeRegressions = append(d.TimeRegressions, TimeRegression{Name: k, Old: os.Duration, New: ns.Duration, Ratio: float64(n) / float64(o)})
			}
		}
	}
	for k, os := range om {
		ns, ok := nm[k]
		if !ok {
			d.RemovedSpecs = append(d.RemovedSpecs, k)
		}
		if ran(os.Result) && (!ok || !ran(ns.Result)) {
			d.NotRun = append(d.NotRun, k)
		}
	}
	ob, nb := behaviorSet(old), behaviorSet(new)
	for id := range nb {
		if !ob[id] {
			d.AddedBehaviors = append(d.AddedBehaviors, id)
		}
	}
	for id := range ob {
		if !nb[id] {
			d.RemovedBehaviors = append(d.RemovedBehaviors, id)
		}
	}
	byName := func(c []SpecChange) { sort.SliceStable(c, func(i, j int) bool { return c[i].Name < c[j].Name }) }
	byName(d.NewFailures)
	byName(d.StillFailing)
	byName(d.Fixed)
	byName(d.NewlySkipped)
	sort.Strings(d.AddedSpecs)
	sort.Strings(d.RemovedSpecs)
	sort.Strings(d.NotRun)
	sort.Strings(d.AddedBehaviors)
	sort.Strings(d.RemovedBehaviors)
	sort.Slice(d.TimeRegressions, func(i, j int) bool { return d.TimeRegressions[i].Ratio > d.TimeRegressions[j].Ratio })
	return d
}

// HasNewFailures tells whether new has failures old did not have.
func (d DiffResult) HasNewFailures() bool { return len(d.NewFailures) > 0 }

// Incomplete tells whether the new run left out specs the old one ran.
func (d DiffResult) Incomplete() bool { return len(d.NotRun) > 0 }

// Warning is the one-line warning of an incomplete comparison, or "".
func (d DiffResult) Warning() string {
	if !d.Incomplete() {
		return ""
	}
	w := fmt.Sprintf("WARNING: the new run did not run %d specs that the old run ran; they are not compared", len(d.NotRun))
	if d.NewSelection != nil && d.NewSelection.Partial {
		w += fmt.Sprintf(" (the new run is partial: %d of %d specs selected", d.NewSelection.Selected, d.NewSelection.Total)
		if sel := d.NewSelection.Describe(); sel != "" {
			w += ", " + sel
		}
		w += ")"
	}
	return w + ". --strict makes this an error."
}

// statementsText is a failure's statements, one per line, indented by ind.
func statementsText(msg, ind string) string {
	sts := failure.Headlines(msg)
	if len(sts) == 0 {
		return ""
	}
	return ind + strings.Join(sts, "\n"+ind)
}

// Empty tells whether nothing changed worth reporting.
func (d DiffResult) Empty() bool {
	return len(d.NewFailures)+len(d.Fixed)+len(d.NewlySkipped)+len(d.AddedSpecs)+len(d.RemovedSpecs)+
		len(d.AddedBehaviors)+len(d.RemovedBehaviors)+len(d.TimeRegressions) == 0
}

func changeName(c SpecChange) string {
	if len(c.Behaviors) == 0 {
		return c.Name
	}
	return "[" + strings.Join(c.Behaviors, ", ") + "] " + c.Name
}

func countsLine(c Counts) string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped of %d", c.Passed, c.Failed, c.Skipped, c.Total)
}

// Text renders the diff for a terminal.
func (d DiffResult) Text() string {
	var b strings.Builder
	verdict := "no new failures"
	if d.HasNewFailures() {
		verdict = fmt.Sprintf("%d NEW FAILURES", len(d.NewFailures))
	}
	fmt.Fprintf(&b, "irconform diff: %s\n", verdict)
	if w := d.Warning(); w != "" {
		fmt.Fprintf(&b, "%s\n", w)
	}
	fmt.Fprintf(&b, "  old: %s (%s)\n  new: %s (%s)\n", countsLine(d.OldCounts), TargetLine(d.OldTarget), countsLine(d.NewCounts), TargetLine(d.NewTarget))
	section := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "  - %s\n", it)
		}
	}
	var nf []string
	for _, c := range d.NewFailures {
		was := string(c.OldResult)
		if was == "" {
			was = "new spec"
		}
		item := fmt.Sprintf("%s (was %s)", changeName(c), was)
		if st := statementsText(c.Failure, "      "); st != "" {
			item += "\n" + st
		}
		nf = append(nf, item)
	}
	section("New failures", nf)
	section("Fixed", changeNames(d.Fixed, false))
	section("Newly skipped", changeNames(d.NewlySkipped, true))
	section("Still failing", changeNames(d.StillFailing, false))
	section("Added specs", d.AddedSpecs)
	section("Removed specs", d.RemovedSpecs)
	section("Ran before, not run now", d.NotRun)
	section("Behaviour IDs now checked", d.AddedBehaviors)
	section("Behaviour IDs no longer checked", d.RemovedBehaviors)
	var tr []string
	for _, r := range d.TimeRegressions {
		tr = append(tr, fmt.Sprintf("%s: %s → %s (×%.1f)", r.Name, fmtDur(r.Old), fmtDur(r.New), r.Ratio))
	}
	section(fmt.Sprintf("Slower by more than %.0f%% and %s", d.Threshold*100, MinTimeRegression), tr)
	return b.String()
}

func changeNames(cs []SpecChange, reason bool) []string {
	var out []string
	for _, c := range cs {
		s := changeName(c)
		if reason && c.SkipReason != "" {
			s += " — " + c.SkipReason
		}
		out = append(out, s)
	}
	return out
}

// Markdown renders the diff for a PR comment.
func (d DiffResult) Markdown() string {
	var b strings.Builder
	if d.HasNewFailures() {
		fmt.Fprintf(&b, "## ❌ irconform diff: %d new failures\n\n", len(d.NewFailures))
	} else {
		b.WriteString("## ✅ irconform diff: no new failures\n\n")
	}
	if w := d.Warning(); w != "" {
		fmt.Fprintf(&b, "> ⚠️ **%s**\n\n", strings.ReplaceAll(w, "\n", " "))
	}
	b.WriteString("| | Passed | Failed | Skipped | Total |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| old (%s) | %d | %d | %d | %d |\n", mdCell(d.OldTarget.Kind), d.OldCounts.Passed, d.OldCounts.Failed, d.OldCounts.Skipped, d.OldCounts.Total)
	fmt.Fprintf(&b, "| new (%s) | %d | %d | %d | %d |\n\n", mdCell(d.NewTarget.Kind), d.NewCounts.Passed, d.NewCounts.Failed, d.NewCounts.Skipped, d.NewCounts.Total)
	if len(d.NewFailures) > 0 {
		fmt.Fprintf(&b, "### New failures (%d)\n\n", len(d.NewFailures))
		for _, c := range d.NewFailures {
			was := string(c.OldResult)
			if was == "" {
				was = "new spec"
			}
			fmt.Fprintf(&b, "**%s** (was %s)\n", mdCell(changeName(c)), was)
			for _, st := range failure.Headlines(c.Failure) {
				fmt.Fprintf(&b, "- %s\n", mdCode(st))
			}
			b.WriteString("\n")
		}
		// Dumps after every statement.
		for _, c := range d.NewFailures {
			if failure.HasEvidence(c.Failure) {
				b.WriteString(mdDetails(changeName(c), c.Failure))
			}
		}
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "### %s (%d)\n\n", title, len(items))
		for i, it := range items {
			if i == mdMaxListed {
				fmt.Fprintf(&b, "- … %d more\n", len(items)-i)
				break
			}
			fmt.Fprintf(&b, "- %s\n", mdCell(it))
		}
		b.WriteString("\n")
	}
	list("Fixed", changeNames(d.Fixed, false))
	list("Newly skipped", changeNames(d.NewlySkipped, true))
	list("Still failing", changeNames(d.StillFailing, false))
	list("Added specs", d.AddedSpecs)
	list("Removed specs", d.RemovedSpecs)
	list("Ran before, not run now", d.NotRun)
	list("Behaviour IDs now checked", d.AddedBehaviors)
	list("Behaviour IDs no longer checked", d.RemovedBehaviors)
	if len(d.TimeRegressions) > 0 {
		fmt.Fprintf(&b, "### Time regressions (> %.0f%% and > %s)\n\n| Spec | Old | New | × |\n|---|---:|---:|---:|\n", d.Threshold*100, MinTimeRegression)
		for _, r := range d.TimeRegressions {
			fmt.Fprintf(&b, "| %s | %s | %s | %.1f |\n", mdCell(r.Name), fmtDur(r.Old), fmtDur(r.New), r.Ratio)
		}
		b.WriteString("\n")
	}
	if d.Empty() && len(d.StillFailing) == 0 {
		b.WriteString("No changes.\n")
	}
	return b.String()
}
