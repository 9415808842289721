package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/internal/behaviorindex"
	"github.com/irconform/irconform/reports"
	"github.com/irconform/irconform/reports/catalogue"
)

func newExplainCmd() *cobra.Command {
	var root, reportPath string
	var all bool
	cmd := &cobra.Command{
		Use:   "explain ID...",
		Short: "Show a behaviour: its rule, sources, the code implementing it, the specs checking it, the last result",
		Long: `Prints, for each behaviour ID, what the catalogue says (rule, tier, sources, upstream files) and
what the source tree says: the reference functions citing it ("// Implements S3-003."), the
fakes modelling it ("// Models S3-003."), the specs and scenarios labelled with it, and its
result in the last report (reports/out/latest/report.json). The source tree is found from
the current folder upwards, or given with --root.`,
		Example: `  irconform explain S3-003
  irconform explain BOOT-006 CA-006
  irconform explain --all --report /tmp/run1/report.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := catalogue.Load()
			if err != nil {
				return err
			}
			if all {
				args = cat.IDs()
			}
			if len(args) == 0 {
				return &exitError{code: 2, err: errors.New("name at least one behaviour ID (e.g. irconform explain S3-003), or --all")}
			}
			for _, id := range args {
				if _, ok := cat.Lookup(id); !ok {
					return &exitError{code: 2, err: fmt.Errorf("%s: %s", id, unknownIDHint(cat, id))}
				}
			}
			src := loadSources(cat, root, reportPath)
			out := cmd.OutOrStdout()
			for i, id := range args {
				if i > 0 {
					fmt.Fprintln(out)
				}
				b, _ := cat.Lookup(id)
				fmt.Fprint(out, explainText(cat, b, src.explanation(id)))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&root, "root", "", "irconform source tree to read (default: found from the current folder upwards)")
	cmd.Flags().StringVar(&reportPath, "report", "", "report.json for the last result (default: <root>/reports/out/latest/report.json)")
	cmd.Flags().BoolVar(&all, "all", false, "explain every catalogue ID")
	return cmd
}

// unknownIDHint says what is wrong with an ID the catalogue does not have.
func unknownIDHint(cat catalogue.Catalogue, id string) string {
	if !behaviorid.Valid(id) {
		return "not a behaviour ID (AREA-NNN, e.g. S3-003)"
	}
	var same []string
	for _, b := range cat.Behaviors {
		if b.Area == behaviorid.Area(id) {
			same = append(same, b.ID)
		}
	}
	if len(same) == 0 {
		return fmt.Sprintf("not in the catalogue; areas are %s", strings.Join(cat.Areas(), ", "))
	}
	return fmt.Sprintf("not in the catalogue; %s IDs are %s", behaviorid.Area(id), strings.Join(same, ", "))
}

// sources are what explain reads besides the catalogue; each may be missing, with the reason.
type sources struct {
	idx    *behaviorindex.Index
	idxErr error
	// runs are the reports to take the last result from, newest first: the one given with
	// --report, else reports/out/latest and then the older runs beside it (so that an ID a
	// filtered run skipped shows the last run that ran it).
	runs   []loadedRun
	runErr error
}

type loadedRun struct {
	path     string
	run      reports.Run
	coverage map[string]reports.BehaviorCoverage
}

// maxOlderRuns bounds how many older runs explain reads looking for one that ran an ID.
const maxOlderRuns = 20

func loadSources(cat catalogue.Catalogue, root, reportPath string) sources {
	var s sources
	if root == "" {
		root, s.idxErr = behaviorindex.FindRoot(".")
	}
	if s.idxErr == nil {
		s.idx, s.idxErr = behaviorindex.Scan(root)
	}
	paths := []string{reportPath}
	if reportPath == "" {
		if root == "" {
			s.runErr = errors.New("no source tree to find reports/out/latest in; pass --report")
			return s
		}
		paths = reportPaths(filepath.Join(root, "reports", "out"))
	}
	for _, p := range paths {
		run, err := reports.ReadJSON(p)
		if err != nil {
			if len(s.runs) == 0 && s.runErr == nil {
				s.runErr = err
			}
			continue
		}
		lr := loadedRun{path: p, run: run, coverage: map[string]reports.BehaviorCoverage{}}
		for _, bc := range reports.Coverage(cat, run).Behaviors {
			lr.coverage[bc.ID] = bc
		}
		s.runs = append(s.runs, lr)
	}
	return s
}

// reportPaths lists base/latest/report.json, then the other runs' report.json, newest
// first (run folders are named by their UTC start time).
func reportPaths(base string) []string {
	paths := []string{filepath.Join(base, "latest", reports.FileJSON)}
	latest, _ := filepath.EvalSymlinks(filepath.Join(base, "latest"))
	dirs, _ := filepath.Glob(filepath.Join(base, "*", reports.FileJSON))
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, p := range dirs {
		if len(paths) > maxOlderRuns {
			break
		}
		d := filepath.Dir(p)
		if filepath.Base(d) == "latest" {
			continue
		}
		if real, err := filepath.EvalSymlinks(d); err == nil && real == latest {
			continue
		}
		paths = append(paths, p)
	}
	return paths
}

// explanation is everything explainText prints about one ID besides the catalogue entry.
type explanation struct {
	code    *behaviorindex.Code
	codeErr error
	// run is the newest report that ran the ID (or the newest report, when none did);
	// coverage is the ID's row of its coverage matrix.
	run      *reports.Run
	runPath  string
	runErr   error
	coverage reports.BehaviorCoverage
}

func (s *sources) explanation(id string) explanation {
	e := explanation{codeErr: s.idxErr, runErr: s.runErr}
	if s.idx != nil {
		c := s.idx.Code(id)
		e.code = &c
	}
	pick := -1
	for i, lr := range s.runs {
		if st := lr.coverage[id].Status; st != reports.CoverageNotRun && st != reports.CoverageGap {
			pick = i
			break
		}
	}
	if pick < 0 && len(s.runs) > 0 {
		pick = 0
	}
	if pick >= 0 {
		lr := s.runs[pick]
		e.run, e.runPath, e.coverage = &lr.run, lr.path, lr.coverage[id]
	}
	return e
}

// explainText renders one behaviour (pure: everything comes in as arguments).
func explainText(cat catalogue.Catalogue, b catalogue.Behavior, e explanation) string {
	var sb strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	w("%s  (tier %s, %s)\n", b.ID, b.Tier, b.Group)
	w("Rule: %s\n", b.Rule)
	if b.Divergence {
		w("Divergence: the documents and the upstream operator disagree; the reference follows the document, specs carry `divergence`.\n")
	}
	w("Sources:\n")
	if b.Tier == catalogue.TierOwn && len(b.Refs) == 0 {
		w("  own: irconform's own rule\n")
	}
	for _, r := range b.Refs {
		switch r.Kind {
		case catalogue.TierDoc:
			if d, ok := cat.Document(r.Document); ok {
				w("  %s: %s (%s), section %q\n", r, d.File, d.Kind, r.Section)
			} else {
				w("  %s\n", r)
			}
		default:
			if strings.Contains(r.Key, "/") {
				if !slices.Contains(b.Upstream, r.Key) { // else listed below
					w("  %s: upstream file\n", r)
				}
			} else {
				w("  %s: key in shared/spec/upstream-facts.md\n", r)
			}
		}
	}
	for _, p := range b.Upstream {
		w("  upstream file: %s\n", p)
	}
	if e.code == nil {
		w("Code: not indexed (%v)\n", e.codeErr)
	} else {
		citations(&sb, "Implemented by (reference)", e.code.Implements, fmt.Sprintf("no `// Implements %s.` comment in reference/ yet", b.ID))
		citations(&sb, "Modelled by (fakes)", e.code.Models, fmt.Sprintf("no `// Models %s.` comment in fakes/", b.ID))
		checks(&sb, "Checked by specs", e.code.Specs)
		checks(&sb, "Checked by scenarios", e.code.Scenarios)
	}
	switch {
	case e.run == nil:
		w("Last result: none (%v; `make conformance` writes one)\n", e.runErr)
	case e.coverage.Status == reports.CoverageGap:
		w("Last result: none: no spec of it in %s (%s run of %s, older than its specs)\n", e.runPath, e.run.Target.Kind, e.run.StartedAt.Local().Format("2006-01-02 15:04"))
	default:
		w("Last result: %s in %s (%s run of %s)\n", e.coverage.Status, e.runPath, e.run.Target.Kind, e.run.StartedAt.Local().Format("2006-01-02 15:04"))
		for _, s := range e.coverage.Specs {
			line := fmt.Sprintf("  %-7s %s", s.Result, s.Name)
			if s.SkipReason != "" && s.Result != reports.Passed && s.Result != reports.Failed {
				line += " (" + s.SkipReason + ")"
			}
			w("%s\n", line)
		}
	}
	return sb.String()
}

func citations(w io.Writer, title string, cs []behaviorindex.Citation, none string) {
	if len(cs) == 0 {
		fmt.Fprintf(w, "%s: %s\n", title, none)
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, c := range cs {
		fmt.Fprintf(w, "  %s\n", c.Where())
	}
}

func checks(w io.Writer, title string, cs []behaviorindex.Check) {
	if len(cs) == 0 {
		fmt.Fprintf(w, "%s: none\n", title)
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, c := range cs {
		fmt.Fprintf(w, "  %s:%d %s\n", c.File, c.Line, c.Name)
	}
}
