package reports

import (
	"fmt"
	"strings"
)

// IsPartial tells whether the run's selection left specs out.
func (run Run) IsPartial() bool { return run.Selection != nil && run.Selection.Partial }

// PartialBanner is the one-line warning every rendering of a partial run carries, e.g.
// "Partial run: 4 of 251 specs selected (label filter 'S3-003')". It is "" for a full run.
func (run Run) PartialBanner() string {
	if !run.IsPartial() {
		return ""
	}
	sel := run.Selection
	return fmt.Sprintf("Partial run: %d of %d specs selected%s; the others were not run and say nothing.", sel.Selected, sel.Total, sel.describe())
}

// describe is " (label filter 'x', focus 'y', …)", or "" when no filter was given.
func (sel *Selection) describe() string {
	var parts []string
	q := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = "'" + s + "'"
		}
		return strings.Join(out, ", ")
	}
	if sel.LabelFilter != "" {
		parts = append(parts, "label filter '"+sel.LabelFilter+"'")
	}
	if len(sel.Focus) > 0 {
		parts = append(parts, "focus "+q(sel.Focus))
	}
	if len(sel.Skip) > 0 {
		parts = append(parts, "skip "+q(sel.Skip))
	}
	if len(sel.FocusFiles) > 0 {
		parts = append(parts, "focus files "+q(sel.FocusFiles))
	}
	if len(sel.SkipFiles) > 0 {
		parts = append(parts, "skip files "+q(sel.SkipFiles))
	}
	if len(sel.ScenarioPaths) > 0 {
		parts = append(parts, "scenarios "+q(sel.ScenarioPaths))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// Describe is the selection in words for a terminal line ("label filter 'x'"), or "".
func (sel *Selection) Describe() string {
	if sel == nil {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(sel.describe(), " ("), ")")
}
