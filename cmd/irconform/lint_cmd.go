package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/scenarios/lint"
)

func init() { extraCommands = append(extraCommands, newLintCmd) }

// newLintCmd is `irconform lint [paths...]`: check QA scenario files without running them.
func newLintCmd() *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "lint [paths...]",
		Short: "Check QA scenario files (scenarios/*.yaml) without running them",
		Long: `Lint QA scenario files: YAML syntax, unknown or misspelt fields, wrong value types,
missing fields, behaviour IDs not in the catalogue, unknown kinds, platforms, storage
backends and operations, bad field paths, regular expressions and durations, and
expectations in one step that cannot all hold.

Each finding is printed as
  file:line:col: message (hint: ...)

A directory stands for the *.yaml and *.yml files directly inside it. With no paths,
./scenarios is linted.

Exit codes: 0 no findings, 1 findings, 2 the linter could not run (e.g. a path does not exist).`,
		Example: `  irconform lint                                   # the shipped set in ./scenarios
  irconform lint scenarios/my-new-check.yaml       # one file
  irconform lint ~/qa/scenarios other.yaml         # a directory and a file
  irconform lint -q scenarios && echo clean        # only the exit code and findings`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"scenarios"}
			}
			l, err := lint.New()
			if err != nil {
				return &exitError{code: 2, err: err}
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
