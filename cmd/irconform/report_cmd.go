package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/reports"
)

// newReportCmd is `irconform report <run.json> [--out DIR]`: it (re)writes junit.xml,
// report.md, report.html and coverage.json from a report.json.
func newReportCmd() *cobra.Command {
	var (
		outDir  string
		secrets []string
		quiet   bool
		merge   bool
	)
	cmd := &cobra.Command{
		Use:   "report <run.json> | --merge [NAME=]<run.json>...",
		Short: "Write JUnit, Markdown, HTML and coverage reports from a report.json",
		Long: `Report reads a report.json written by a conformance run and writes, beside it or
into --out, the files people and CI read:

  junit.xml      one testsuite per behaviour area, for CI test reporters
  report.md      verdict, per-area table, failures, divergences, coverage gaps
                 (fits a CI job summary or a PR comment)
  report.html    one self-contained page: filterable spec table, coverage matrix,
                 failure diffs, divergences, skip reasons
  coverage.json  the behaviour coverage matrix against the embedded catalogue

Every failure message is run through the redactor again; --redact adds literal
values to mask.`,
		Example: `  # regenerate the reports of the latest run, beside its report.json
  irconform report reports/out/latest/report.json

  # write them elsewhere, masking a known credential
  irconform report run.json --out /tmp/reports --redact "$AWS_SECRET_ACCESS_KEY"

  # one page for a fleet: a row per cluster, a column per behaviour area, drift marked
  irconform report --merge prod-east=east/report.json prod-west=west/report.json lab/report.json --out fleet/

  # show the Markdown in a GitHub Actions job summary
  irconform report run.json --out rep && cat rep/report.md >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reports.RegisterSecrets(secrets...)
			if merge {
				return writeFleet(cmd, args, outDir, quiet)
			}
			if len(args) != 1 {
				return &exitError{code: 2, err: fmt.Errorf("one report.json at a time; --merge puts several clusters on one page")}
			}
			run, err := reports.ReadJSON(args[0])
			if err != nil {
				return err
			}
			dir := outDir
			if dir == "" {
				dir = filepath.Dir(args[0])
			}
			if err := reports.WriteDerived(dir, run); err != nil {
				return err
			}
			if quiet {
				return nil
			}
			out := cmd.OutOrStdout()
			for _, f := range []string{reports.FileJUnit, reports.FileMarkdown, reports.FileHTML, reports.FileCoverage} {
				fmt.Fprintf(out, "wrote %s\n", filepath.Join(dir, f))
			}
			fmt.Fprintln(out)
			fmt.Fprint(out, reports.Summary(run))
			return nil
		},
	}
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "directory to write the reports into (default: the directory of <run.json>)")
	cmd.Flags().StringArrayVar(&secrets, "redact", nil, "a literal value to mask in every report (repeatable)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	cmd.Flags().BoolVar(&merge, "merge", false, "one fleet page (fleet.html) from many clusters' report.json: a row per cluster, a column per behaviour area")
	return cmd
}
