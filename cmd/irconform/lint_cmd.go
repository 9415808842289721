package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/scenarios"
	"github.com/irconform/irconform/scenarios/lint"
	"github.com/irconform/irconform/scenarios/runner"
)

// newLintCmd is `irconform lint [paths...]`: check QA scenario files without running them.
func newLintCmd() *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "lint [paths...]",
		Short: "Check QA scenario files (scenarios/*.yaml) without running them",
		Long: `Lint QA scenario files: YAML syntax, unknown or misspelt fields, wrong value types,
missing fields, behaviour IDs not in the catalogue, names already used (by the shipped
scenarios too), unknown kinds, platforms, storage backends and operations, field paths,
merge patches, JSON patches and manifests checked against the kinds' API schemas (the
openshift/api CRDs, the Kubernetes types), regular expressions and durations, and
expectations in one step that cannot all hold.

Each finding is printed as
  file:line:col: message (hint: ...)

A directory stands for the *.yaml and *.yml files below it, subdirectories included
(not testdata), as irconform run finds them. With no paths, ./scenarios is linted.

Exit codes: 0 no findings, 1 findings, 2 the linter could not run (e.g. a path does not exist).`,
		Example: `  irconform lint                                   # the shipped set in ./scenarios
  irconform lint scenarios/my-new-check.yaml       # one file
  irconform lint ~/qa/scenarios other.yaml         # a directory and a file
  irconform lint -q scenarios && echo clean        # only the exit code and findings`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"scenarios"}
			}
			l, err := runner.NewLinter()
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if err := reserveShippedNames(l); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("lint: reading the shipped scenarios: %w", err)}
			}
			res, err := l.LintPaths(args)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("lint: %w", err)}
			}
			out := cmd.OutOrStdout()
			for _, f := range res.Findings {
				fmt.Fprintln(out, f.String())
			}
			if len(res.Files) == 0 {
				return &exitError{code: 2, err: errors.New("lint: no scenario files (*.yaml, *.yml) found in " + fmt.Sprint(args))}
			}
			if len(res.Findings) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d finding(s) in %d file(s)", len(res.Findings), len(res.Files))}
			}
			if !quiet {
				fmt.Fprintf(out, "%d file(s), %d scenario(s): no findings\n", len(res.Files), len(res.Scenarios))
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print findings only (no summary line)")
	return cmd
}

// reserveShippedNames makes the shipped scenarios' names taken, so that a file linted on its
// own cannot reuse one (the suite runs both). The shipped files themselves may.
func reserveShippedNames(l *lint.Linter) error {
	shipped, err := runner.NewLinter() // a second linter: the shipped set's own findings are not reported
	if err != nil {
		return err
	}
	var res lint.Result
	if dir := runner.RepoScenarios(); dir != "" {
		res, err = shipped.LintPaths([]string{dir})
	} else {
		res, err = shipped.LintFS(scenarios.Shipped, "scenarios")
	}
	if err != nil {
		return err
	}
	l.Reserve(res)
	return nil
}
