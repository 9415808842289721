// Command irconform is the front door: run the conformance suite (embedded envtest by
// default), lint QA scenarios, render and diff reports, serve the storage fakes, and run the
// reference operator against any cluster.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/internal/redact"
)

// exitError carries a specific exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "irconform",
		Short:         "Check and reproduce the OpenShift Image Registry Operator's behaviour",
		SilenceUsage:  true,
		SilenceErrors: true,
		Example: `  irconform run                              # full suite on the embedded envtest
  irconform run --label-filter BOOT-003      # one behaviour
  irconform report reports/out/latest/report.json
  irconform diff old/report.json new/report.json
  irconform operator --kubeconfig ~/.kube/config`,
	}
	// Every subcommand, each built in its own file. A new command is one line here.
	root.AddCommand(
		newRunCmd(),
		newLintCmd(),
		newReportCmd(),
		newDiffCmd(),
		newExplainCmd(),
		newFakesCmd(),
		newOperatorCmd(),
		newBenchCmd(),
		newDifferentialCmd(),
		newVersionCmd(),
		newCapturesCmd(),
	)
	return root
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "irconform:", redact.Default().Redact(err.Error()))
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(2)
	}
}
