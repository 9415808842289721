// Command irconform-tests-ext is an openshift-tests extension: openshift-tests (or a person)
// asks it `info`, `list` and `run-test -n NAME`, each in a new process, and it answers in the
// extension contract's JSON. Its tests are irconform's live specs (conformance/extension):
// the read-only live checks and the disruptive specs, run against the cluster of $KUBECONFIG,
// or the pod's own ServiceAccount when there is no kubeconfig. It never starts envtest.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/extension"
	"github.com/irconform/irconform/internal/ote"
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "irconform-tests-ext",
		Short: "openshift-tests extension: irconform's live checks of the OpenShift image registry",
		Long: `An openshift-tests extension binary. openshift-tests discovers its tests with 'info' and
'list -o jsonl', then runs each with 'run-test -n NAME -o jsonl' in a new process, with
EXTENSION_ARTIFACT_DIR set (irconform writes its report.json, junit.xml and HTML there).

The cluster is the one of $KUBECONFIG; without it, the pod's ServiceAccount (in-cluster).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newInfoCmd(), newListCmd(), newRunTestCmd(), newRunSuiteCmd(), newImagesCmd(), newUpdateCmd())
	return root
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "irconform-tests-ext:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// componentFlag is the --component flag every command takes; this binary has one component.
func componentFlag(cmd *cobra.Command, component *string) {
	cmd.Flags().StringVar(component, "component", "default", "the component to act on (this binary has one: "+extension.Component.Identifier()+")")
}

func checkComponent(component string) error {
	if component != "default" && component != extension.Component.Identifier() {
		return fmt.Errorf("component not found: %s (this binary has %s)", component, extension.Component.Identifier())
	}
	return nil
}

// marshal writes v as indented JSON ("json", ""), one compact line per element ("jsonl"), or
// one name per line ("names"), as openshift-tests-extension's output flag does.
func marshal(w io.Writer, format string, items any, names func() []string) error {
	switch format {
	case "", "json":
		out, err := json.MarshalIndent(items, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", out)
		return err
	case "jsonl":
		raw, err := json.Marshal(items)
		if err != nil {
			return err
		}
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return errors.New("jsonl format requires a list")
		}
		for _, item := range list {
			if _, err := fmt.Fprintf(w, "%s\n", item); err != nil {
				return err
			}
		}
		return nil
	case "names":
		if names == nil {
			return errors.New("names format requires items with names")
		}
		for _, n := range names() {
			if _, err := fmt.Fprintln(w, n); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("invalid output format: %s", format)
}

func specNames(specs []ote.Spec) func() []string {
	return func() []string {
		out := make([]string, len(specs))
		for i, s := range specs {
			out[i] = s.Name
		}
		return out
	}
}
