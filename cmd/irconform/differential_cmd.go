package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/reports"
	"github.com/irconform/irconform/reports/catalogue"
	"github.com/irconform/irconform/reports/differential"
)

// newDifferentialCmd is `irconform differential`: the per-behaviour comparison of a run
// against the reference and a run against the upstream operator.
func newDifferentialCmd() *cobra.Command {
	var (
		refPath, upPath, classPath, summaryDir, markdown, outDir string
		up                                                       differential.Upstream
	)
	cmd := &cobra.Command{
		Use:   "differential --reference REF/report.json --upstream UP/report.json --key KEY",
		Short: "Compare a run against the reference with a run against the upstream operator, per behaviour",
		Long: `Joins two runs of the suite (the reference operator, the upstream operator) per catalogue
behaviour ID and classifies each: agrees, divergence (the catalogue says so), upstream
differs (a new divergence, now in the catalogue), catalogue (the catalogue was wrong and
was fixed) or harness (what envtest or the fakes lack). The reasons come from the reviewed
--classifications file; rows that differ without one are listed as unclassified and make
the command exit 1.

It writes the summary to --summary-dir/<commit>.json (merged with the one there, spec by
spec: specs the two runs did not run keep their earlier results, so a focused re-run
updates only the specs it ran, also in rows it shares with specs it did not run),
its Markdown to --markdown, and copies of both to --out. make upstream-conformance runs it.`,
		Example: `  irconform differential --reference reports/out/upstream/reference/report.json \
    --upstream reports/out/upstream/upstream/report.json --key 02bb5c2cd4d5f4d277cf987d6f65e58a732aefee`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if refPath == "" || upPath == "" || up.Key == "" {
				return &exitError{code: 2, err: fmt.Errorf("--reference, --upstream and --key are required")}
			}
			ref, err := reports.ReadJSON(refPath)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("reference run: %w", err)}
			}
			upRun, err := reports.ReadJSON(upPath)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("upstream run: %w", err)}
			}
			manual, err := differential.ReadClassifications(classPath)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			cat, err := catalogue.Load()
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			summaryPath := filepath.Join(summaryDir, differential.SummaryName(up.Key))
			base, err := differential.ReadSummary(summaryPath)
			if err != nil && !os.IsNotExist(err) {
				return &exitError{code: 2, err: fmt.Errorf("existing summary: %w", err)}
			}
			s, err := differential.BuildOnto(base, cat, ref, upRun, manual, up)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			for _, p := range []string{summaryPath, filepath.Join(outDir, "differential.json")} {
				if p == "" || (outDir == "" && p != summaryPath) {
					continue
				}
				if err := differential.WriteSummary(p, s); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			for _, p := range []string{markdown, filepath.Join(outDir, "differential.md")} {
				if p == "" || (outDir == "" && p != markdown) {
					continue
				}
				if err := differential.WriteMarkdown(p, s, cat); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			out := cmd.OutOrStdout()
			for _, c := range differential.Classes() {
				if n := s.Counts[c]; n > 0 {
					fmt.Fprintf(out, "%-17s %3d\n", c, n)
				}
			}
			fmt.Fprintf(out, "summary: %s\nmarkdown: %s\n", summaryPath, markdown)
			var open []string
			for _, b := range s.Behaviors {
				if b.Class == differential.Unclassified {
					open = append(open, fmt.Sprintf("  %s  reference %s, upstream %s%s", b.ID, b.Reference, b.Upstream, firstFailure(b)))
				}
			}
			if len(open) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d behaviours differ without a reviewed reason; classify them in %s:\n%s",
					len(open), classPath, strings.Join(open, "\n"))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&refPath, "reference", "", "report.json of the run against the reference operator")
	f.StringVar(&upPath, "upstream", "", "report.json of the run against the upstream operator")
	f.StringVar(&classPath, "classifications", "reports/upstream/classifications.yaml", "the reviewed reasons, per ID")
	f.StringVar(&summaryDir, "summary-dir", "reports/upstream", "where the committed summary <commit>.json lives")
	f.StringVar(&markdown, "markdown", "docs/upstream-differential.md", "the Markdown page to write")
	f.StringVar(&outDir, "out", "", "also write differential.json and differential.md here")
	f.StringVar(&up.Key, "key", "", "the upstream build's key: its commit, or tree-<hash> (hack/upstream-build.sh prints it)")
	f.StringVar(&up.Commit, "commit", "", "the upstream commit, when known")
	f.StringVar(&up.Repository, "repository", "github.com/openshift/cluster-image-registry-operator", "the upstream repository")
	return cmd
}

func firstFailure(b differential.Behavior) string {
	for _, s := range b.Specs {
		if s.Upstream == differential.Failed && s.Note != "" {
			return ": " + s.Note
		}
	}
	return ""
}
