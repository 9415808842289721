package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/reports"
)

// Exit codes of `irconform diff`.
const (
	diffExitOK          = 0 // no new failure
	diffExitNewFailures = 1 // the new run has failures the old one did not
	diffExitCannotRun   = 2 // unreadable input, bad arguments
	diffExitIncomplete  = 3 // --strict: the new run did not run specs the old one ran
)

// diffExit ends the process with a code; a variable so that a test can replace it.
var diffExit = os.Exit

// newDiffCmd is `irconform diff old.json new.json`: regressions between two runs.
func newDiffCmd() *cobra.Command {
	var (
		threshold float64
		format    string
		strict    bool
	)
	cmd := &cobra.Command{
		Use:   "diff <old.json> <new.json>",
		Short: "Compare two runs: new failures, fixes, skips, added/removed specs and IDs, slow-downs",
		Long: `Diff compares two report.json files and lists new failures (including new specs
that fail), fixed specs, newly skipped specs, added and removed specs and behaviour
IDs, and specs that got slower by more than --threshold (relative) and 100 ms.

When the new run did not run specs that the old one ran (a partial run: --focus,
--label-filter; or specs skipped or removed), the diff says nothing about them: it warns
on stderr and in its output, and --strict makes that an error.

Exit status: 0 no new failure, 1 new failures, 2 the diff could not run
(unreadable or foreign file, bad arguments), 3 with --strict: the new run did not run
specs the old one ran (and no new failure).`,
		Example: `  # gate a PR on the main branch's last run
  irconform diff --strict main/report.json reports/out/latest/report.json

  # Markdown for a PR comment, flag specs 2x slower
  irconform diff old.json new.json --format markdown --threshold 1.0 > diff.md`,
		Args: cobra.ArbitraryArgs,
		Run: func(cmd *cobra.Command, args []string) {
			diffExit(runDiff(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, threshold, format, strict))
		},
	}
	cmd.Flags().Float64Var(&threshold, "threshold", reports.DefaultTimeThreshold, "relative slow-down reported as a time regression (0.5 = 50%)")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text, markdown or json")
	cmd.Flags().BoolVar(&strict, "strict", false, "fail (exit 3) when the new run did not run specs the old one ran")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		fmt.Fprintf(c.ErrOrStderr(), "irconform diff: %v\n\n%s", err, c.UsageString())
		diffExit(diffExitCannotRun)
		return err
	})
	return cmd
}

// runDiff does the work and returns the exit code.
func runDiff(stdout, stderr io.Writer, args []string, threshold float64, format string, strict bool) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "irconform diff: "+format+"\n", a...)
		return diffExitCannotRun
	}
	if len(args) != 2 {
		return fail("want 2 arguments (old.json new.json), got %d", len(args))
	}
	if threshold < 0 {
		return fail("--threshold must be >= 0, got %v", threshold)
	}
	switch format {
	case "text", "markdown", "md", "json":
	default:
		return fail("--format must be text, markdown or json, got %q", format)
	}
	oldRun, err := reports.ReadJSON(args[0])
	if err != nil {
		return fail("%v", err)
	}
	newRun, err := reports.ReadJSON(args[1])
	if err != nil {
		return fail("%v", err)
	}
	d := reports.Diff(oldRun, newRun, threshold)
	switch format {
	case "markdown", "md":
		fmt.Fprint(stdout, d.Markdown())
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return fail("%v", err)
		}
	default:
		fmt.Fprint(stdout, d.Text())
	}
	if w := d.Warning(); w != "" {
		fmt.Fprintf(stderr, "irconform diff: %s\n", w)
	}
	switch {
	case d.HasNewFailures():
		return diffExitNewFailures
	case strict && d.Incomplete():
		return diffExitIncomplete
	}
	return diffExitOK
}
