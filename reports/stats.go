package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irconform/irconform/internal/failure"
)

// Counts are spec results tallied.
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"` // skipped and pending
	Total   int `json:"total"`
	// DivergenceFailed counts failed specs labelled divergence on a live target: "documented
	// behaviour not honoured", reported apart from ordinary failures (included in Failed).
	DivergenceFailed int      `json:"divergenceFailed,omitempty"`
	Duration         Duration `json:"duration"`
}

func (c *Counts) add(run Run, s Spec) {
	c.Total++
	c.Duration += s.Duration
	switch s.Result {
	case Passed:
		c.Passed++
	case Failed:
		c.Failed++
		if IsNotHonoured(run, s) {
			c.DivergenceFailed++
		}
	default:
		c.Skipped++
	}
}

// AreaCounts is the tally of one area.
type AreaCounts struct {
	Area string `json:"area"`
	Counts
}

// IsLive tells whether the run was against a live cluster.
func (run Run) IsLive() bool { return strings.EqualFold(run.Target.Kind, "live") }

// IsNotHonoured tells whether a failed spec means "documented behaviour not honoured": a
// divergence spec that failed on a live cluster (the real operator follows upstream, not the
// document). On envtest, against the reference operator, it is an ordinary failure.
func IsNotHonoured(run Run, s Spec) bool {
	return s.Result == Failed && s.IsDivergence() && run.IsLive()
}

// Tally counts results per area (sorted by area name, OTHER last) and in total.
func Tally(run Run) ([]AreaCounts, Counts) {
	by := map[string]*AreaCounts{}
	var total Counts
	for _, s := range run.Specs {
		a := areaOf(s)
		ac := by[a]
		if ac == nil {
			ac = &AreaCounts{Area: a}
			by[a] = ac
		}
		ac.add(run, s)
		total.add(run, s)
	}
	out := make([]AreaCounts, 0, len(by))
	for _, ac := range by {
		out = append(out, *ac)
	}
	sort.Slice(out, func(i, j int) bool { return areaLess(out[i].Area, out[j].Area) })
	return out, total
}

func areaOf(s Spec) string {
	if s.Area != "" {
		return s.Area
	}
	return "OTHER"
}

func areaLess(a, b string) bool {
	if (a == "OTHER") != (b == "OTHER") {
		return b == "OTHER"
	}
	return a < b
}

// Verdict is the run's overall outcome.
type Verdict string

const (
	VerdictPassed Verdict = "PASSED"
	VerdictFailed Verdict = "FAILED"
	// VerdictNotHonoured: no ordinary failure, but some documented behaviour (divergence
	// specs) is not honoured by the live cluster.
	VerdictNotHonoured Verdict = "PASSED WITH DIVERGENCES"
	VerdictEmpty       Verdict = "NO SPECS"
)

// VerdictOf computes the verdict.
func VerdictOf(run Run) Verdict {
	_, t := Tally(run)
	switch {
	case t.Total == 0:
		return VerdictEmpty
	case t.Failed-t.DivergenceFailed > 0:
		return VerdictFailed
	case t.DivergenceFailed > 0:
		return VerdictNotHonoured
	}
	return VerdictPassed
}

// TargetLine describes the target in one line.
func TargetLine(t Target) string {
	parts := []string{}
	kind := t.Kind
	if kind == "" {
		kind = "unknown target"
	}
	parts = append(parts, kind)
	if t.Server != "" {
		parts = append(parts, "server "+t.Server)
	}
	if t.Platform != "" {
		parts = append(parts, "platform "+t.Platform)
	}
	if t.Version != "" {
		parts = append(parts, "version "+t.Version)
	}
	if t.Mode != "" {
		parts = append(parts, "mode "+t.Mode)
	}
	return strings.Join(parts, ", ")
}

// DisplayName is the spec name with its behaviour IDs in brackets in front
// ("[BOOT-003] bootstrap on BareMetal …"), unless the name already starts with them.
func DisplayName(s Spec) string {
	if len(s.Behaviors) == 0 {
		return s.Name
	}
	prefix := "[" + strings.Join(s.Behaviors, ", ") + "]"
	if strings.HasPrefix(s.Name, prefix) {
		return s.Name
	}
	return prefix + " " + s.Name
}

// FirstLine returns the first non-empty line of s, cut to max runes (with "…").
func FirstLine(s string, max int) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return Truncate(l, max)
		}
	}
	return ""
}

// Truncate cuts s to max runes, adding "…" when cut.
func Truncate(s string, max int) string {
	r := []rune(s)
	if max <= 0 || len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// Excerpt keeps the first maxLines lines (and maxChars runes) of s.
func Excerpt(s string, maxLines, maxChars int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	cut := false
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		cut = true
	}
	out := strings.Join(lines, "\n")
	if r := []rune(out); len(r) > maxChars {
		out = string(r[:maxChars])
		cut = true
	}
	if cut {
		out += "\n… (truncated; full message in report.html / report.json)"
	}
	return out
}

func fmtDur(d Duration) string {
	sd := d.Std()
	switch {
	case sd < 0:
		return "0s"
	case d < 1:
		return fmt.Sprintf("%dms", sd.Milliseconds())
	case d < 60:
		return fmt.Sprintf("%.1fs", float64(d))
	}
	return sd.Round(1e9).String()
}

// sortedExtraKeys returns the Extra keys sorted.
func sortedExtraKeys(m map[string]Table) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// IsDivergence tells whether the spec checks a documented behaviour the upstream operator
// diverges from: the Divergence field, or a "divergence" label.
func (s Spec) IsDivergence() bool {
	if s.Divergence {
		return true
	}
	for _, l := range s.Labels {
		if l == "divergence" {
			return true
		}
	}
	return false
}

// Statements are a failed spec's statements: the unindented lines of its failure message,
// "object field: is X, want Y (ID)" for a check in shape (see internal/failure). Reports show
// all of them before any dump.
func Statements(s Spec) []string {
	return failure.Headlines(s.Failure)
}

// Location is where a failed spec failed (else where it is), as recorded: repo-relative.
func Location(s Spec) string { return firstNonEmpty(s.FailureLocation, s.Source) }
