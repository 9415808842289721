package mutate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/irconform/irconform/reports"
)

// Runner runs the specs selected by a label filter against the reference operator built
// with overlay ("" = unmutated). A build failure is a BuildError.
type Runner interface {
	Run(ctx context.Context, overlay, labelFilter, workDir string) (reports.Run, error)
}

// BuildError: the mutated tree does not compile.
type BuildError struct{ Output string }

func (e *BuildError) Error() string { return "does not compile: " + e.Output }

// Status of one mutation.
type Status string

const (
	Caught   Status = "caught"
	Survived Status = "SURVIVED"
	// Broken: the break could not be applied or built (stale find text, compile error).
	Broken Status = "broken"
	// NoSpecs: nothing ran for its IDs (no spec carries them, or all were skipped).
	NoSpecs Status = "no-specs"
)

// Outcome is what one mutation did.
type Outcome struct {
	Mutation Mutation `json:"mutation"`
	Status   Status   `json:"status"`
	// CaughtBy are the specs that passed unmutated and failed with the break.
	CaughtBy []string `json:"caughtBy,omitempty"`
	// Ran counts the specs that ran (passed or failed) with the break.
	Ran int `json:"ran"`
	// Err says why a Broken mutation could not run.
	Err string `json:"error,omitempty"`
}

// Report is a whole mutation run.
type Report struct {
	// BaselineFailed are specs that already failed without any break: they catch nothing.
	BaselineFailed []string  `json:"baselineFailed,omitempty"`
	Outcomes       []Outcome `json:"outcomes"`
	// NotRun are listed breaks with no result (set by Current, for a summary).
	NotRun []Mutation `json:"notRun,omitempty"`
	// Uncaught are catalogue IDs no caught break names (set by Current, for a summary).
	Uncaught []string `json:"uncaught,omitempty"`
}

// Execute runs the baseline (every mutation's specs, unmutated), then each mutation alone.
// progress gets one line per step.
func Execute(ctx context.Context, root, workDir string, muts []Mutation, r Runner, progress io.Writer) (Report, error) {
	var rep Report
	var all []string
	seen := map[string]bool{}
	for _, m := range muts {
		for _, id := range m.IDs {
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
			}
		}
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return rep, err
	}
	fmt.Fprintf(progress, "baseline: specs of %d IDs on the unmutated operator\n", len(all))
	base, err := r.Run(ctx, "", strings.Join(all, " || "), filepath.Join(workDir, "baseline"))
	if err != nil {
		return rep, fmt.Errorf("baseline run: %w", err)
	}
	failedBefore := map[string]bool{}
	for _, s := range base.Specs {
		if s.Result == reports.Failed {
			failedBefore[s.Name] = true
			rep.BaselineFailed = append(rep.BaselineFailed, s.Name)
		}
	}
	for i, m := range muts {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		fmt.Fprintf(progress, "[%d/%d] %s (%s)\n", i+1, len(muts), m.Name, m.LabelFilter())
		o := Outcome{Mutation: m}
		dir := filepath.Join(workDir, m.Name)
		overlay, err := m.WriteOverlay(root, dir)
		if err == nil {
			var run reports.Run
			run, err = r.Run(ctx, overlay, m.LabelFilter(), dir)
			if err == nil {
				o = judge(m, run, failedBefore)
			}
		}
		if err != nil {
			o.Status, o.Err = Broken, err.Error()
		}
		fmt.Fprintf(progress, "      %s\n", summary(o))
		rep.Outcomes = append(rep.Outcomes, o)
		// Saved after every break: a run stopped half-way keeps what it found.
		if err := WriteJSON(filepath.Join(workDir, FileJSON), rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// FileJSON is the report's name in the work folder.
const FileJSON = "mutate.json"

// WriteJSON writes rep to path.
func WriteJSON(path string, rep Report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// judge classifies a mutated run.
func judge(m Mutation, run reports.Run, failedBefore map[string]bool) Outcome {
	o := Outcome{Mutation: m}
	for _, s := range run.Specs {
		switch s.Result {
		case reports.Passed:
			o.Ran++
		case reports.Failed:
			o.Ran++
			if !failedBefore[s.Name] {
				o.CaughtBy = append(o.CaughtBy, s.Name)
			}
		}
	}
	sort.Strings(o.CaughtBy)
	switch {
	case len(o.CaughtBy) > 0:
		o.Status = Caught
	case o.Ran == 0:
		o.Status = NoSpecs
	default:
		o.Status = Survived
	}
	return o
}

func summary(o Outcome) string {
	switch o.Status {
	case Caught:
		return fmt.Sprintf("caught by %d of %d specs", len(o.CaughtBy), o.Ran)
	case Survived:
		return fmt.Sprintf("SURVIVED: all %d specs passed with the break", o.Ran)
	case NoSpecs:
		return "no spec ran for " + strings.Join(o.Mutation.IDs, ", ")
	}
	return "broken: " + firstLine(o.Err)
}

// Table renders the report for a terminal: one block per mutation, the catching specs listed.
func Table(rep Report) string {
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MUTATION\tIDS\tRESULT")
	counts := map[Status]int{}
	for _, o := range rep.Outcomes {
		counts[o.Status]++
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Mutation.Name, strings.Join(o.Mutation.IDs, ","), summary(o))
		for _, s := range o.CaughtBy {
			fmt.Fprintf(tw, "\t\t  ✗ %s\n", s)
		}
	}
	tw.Flush()
	fmt.Fprintf(&sb, "%d mutations: %d caught, %d survived, %d no specs, %d broken\n",
		len(rep.Outcomes), counts[Caught], counts[Survived], counts[NoSpecs], counts[Broken])
	if len(rep.BaselineFailed) > 0 {
		fmt.Fprintf(&sb, "failing without any break (they prove nothing): %s\n", strings.Join(rep.BaselineFailed, "; "))
	}
	return sb.String()
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// Merge joins reports of runs over disjoint mutation lists (e.g. batches run one after
// another) into one, in the order given.
func Merge(reps ...Report) Report {
	var out Report
	seen := map[string]bool{}
	at := map[string]int{}
	for _, r := range reps {
		for _, s := range r.BaselineFailed {
			if !seen[s] {
				seen[s] = true
				out.BaselineFailed = append(out.BaselineFailed, s)
			}
		}
		for _, o := range r.Outcomes {
			// Reports come in the order they ran: a break run again (after its spec was
			// strengthened) counts by its last result.
			if i, ok := at[o.Mutation.Name]; ok {
				out.Outcomes[i] = o
				continue
			}
			at[o.Mutation.Name] = len(out.Outcomes)
			out.Outcomes = append(out.Outcomes, o)
		}
	}
	return out
}

// Current keeps the outcomes of the breaks as they are listed now (same name, file, find,
// replace and IDs: a result for a break since changed says nothing about the new one), in
// the list's order, and names the listed breaks with no result as NotRun. catalogueIDs,
// when given, are checked for a caught break: those without one become Uncaught.
func Current(rep Report, muts []Mutation, catalogueIDs []string) Report {
	byName := map[string]Outcome{}
	for _, o := range rep.Outcomes {
		byName[o.Mutation.Name] = o
	}
	out := Report{BaselineFailed: rep.BaselineFailed}
	caught := map[string]bool{}
	for _, m := range muts {
		o, ok := byName[m.Name]
		if !ok || o.Mutation.File != m.File || o.Mutation.Find != m.Find || o.Mutation.Replace != m.Replace || !slices.Equal(o.Mutation.IDs, m.IDs) {
			out.NotRun = append(out.NotRun, m)
			continue
		}
		o.Mutation.Why = m.Why
		out.Outcomes = append(out.Outcomes, o)
		if o.Status == Caught {
			for _, id := range m.IDs {
				caught[id] = true
			}
		}
	}
	for _, id := range catalogueIDs {
		if !caught[id] {
			out.Uncaught = append(out.Uncaught, id)
		}
	}
	return out
}

// Markdown renders the report as a committed summary: one row per break (its IDs, what it
// breaks, the specs that caught it or SURVIVED), then the IDs that have a caught break.
func Markdown(rep Report) string {
	var sb strings.Builder
	counts := map[Status]int{}
	caughtIDs := map[string]bool{}
	for _, o := range rep.Outcomes {
		counts[o.Status]++
		if o.Status == Caught {
			for _, id := range o.Mutation.IDs {
				caughtIDs[id] = true
			}
		}
	}
	sb.WriteString("# Mutation results\n\n")
	sb.WriteString("Written by `go run ./hack/mutate -summary` (make mutate): each break of `hack/mutate/mutations/`\n")
	sb.WriteString("applied alone to the reference operator, the specs of its IDs run against it.\n\n")
	fmt.Fprintf(&sb, "%d breaks: %d caught, %d survived, %d no specs, %d broken. %d behaviour IDs have a caught break.\n\n",
		len(rep.Outcomes), counts[Caught], counts[Survived], counts[NoSpecs], counts[Broken], len(caughtIDs))
	sb.WriteString("| Break | IDs | Bug | Result | Caught by |\n|---|---|---|---|---|\n")
	cell := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
	}
	for _, o := range rep.Outcomes {
		result := string(o.Status)
		if o.Status == Caught {
			result = fmt.Sprintf("caught (%d of %d specs)", len(o.CaughtBy), o.Ran)
		} else if o.Status == Broken {
			result = "broken: " + firstLine(o.Err)
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s | %s |\n", o.Mutation.Name, strings.Join(o.Mutation.IDs, ", "),
			cell(o.Mutation.Why), cell(result), cell(strings.Join(o.CaughtBy, "; ")))
	}
	ids := make([]string, 0, len(caughtIDs))
	for id := range caughtIDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Fprintf(&sb, "\n## IDs with a caught break (%d)\n\n%s\n", len(ids), strings.Join(ids, ", "))
	if len(rep.Uncaught) > 0 {
		fmt.Fprintf(&sb, "\n## Catalogue IDs with no caught break (%d)\n\n%s\n", len(rep.Uncaught), strings.Join(rep.Uncaught, ", "))
	}
	if len(rep.NotRun) > 0 {
		names := make([]string, len(rep.NotRun))
		for i, m := range rep.NotRun {
			names[i] = "`" + m.Name + "`"
		}
		fmt.Fprintf(&sb, "\n## Listed breaks with no result for their current form (%d)\n\n%s\n", len(names), strings.Join(names, ", "))
	}
	if len(rep.BaselineFailed) > 0 {
		fmt.Fprintf(&sb, "\n## Failing without any break (they prove nothing)\n\n%s\n", strings.Join(rep.BaselineFailed, "; "))
	}
	return sb.String()
}
