package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/conformance/target"
)

// probeLive connects to the live target before anything runs: a bad kubeconfig, an
// unreachable server, a failed TLS verification, rejected credentials, a cluster that is not
// OpenShift or an account that may not read the Config is one line and its own exit code,
// before any spec runs or any report is written. Then it says where the run points, and,
// for --disruptive, asks with the server's URL and the cluster's version in the question.
func probeLive(cmd *cobra.Command, kubeconfig, kubecontext string, inCluster, disruptive, yes bool) (*target.Live, error) {
	var live *target.Live
	var err error
	if inCluster {
		live, err = target.NewLiveInCluster(cmd.Context(), disruptive)
	} else {
		live, err = target.NewLive(cmd.Context(), kubeconfig, kubecontext, disruptive)
	}
	if err != nil {
		return nil, &exitError{code: target.ExitCode(err), err: err}
	}
	fmt.Fprintln(cmd.ErrOrStderr(), specs.LiveHeader(live))
	if disruptive && !yes {
		if err := confirmDisruptive(cmd.InOrStdin(), cmd.ErrOrStderr(), live); err != nil {
			return nil, &exitError{code: 2, err: err}
		}
	}
	return live, nil
}

// confirmDisruptive asks before disruptive specs touch a live cluster, naming which one.
func confirmDisruptive(in io.Reader, out io.Writer, live *target.Live) error {
	version := live.Version
	if version == "" {
		version = "of unknown version"
	} else {
		version = "running OpenShift " + version
	}
	fmt.Fprintf(out, "Disruptive specs will change the image registry of the cluster at %s (%s):\n"+
		"they toggle defaultRoute, switch the registry to Unmanaged and back and suspend the pruner,\n"+
		"restoring each change afterwards (only the fields they changed; no storage, no Secret).\n"+
		"Type yes to continue: ", live.Server(), version)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "yes" {
		return fmt.Errorf("not confirmed: nothing was run (use --yes in scripts)")
	}
	return nil
}

// quietFramework sends Ginkgo's own output (failure dumps with stack traces, interrupt
// progress reports with goroutines) to ginkgo.log in the report folder instead of the
// terminal, which shows the verdict screen only; -v keeps it on the terminal.
func quietFramework() (out io.Writer, finish func(reportDir string)) {
	f, err := os.CreateTemp("", "irconform-ginkgo-*.log")
	if err != nil {
		return nil, func(string) {}
	}
	return f, func(reportDir string) {
		_ = f.Close()
		if reportDir == "" {
			_ = os.Remove(f.Name())
			return
		}
		dst := filepath.Join(reportDir, "ginkgo.log")
		if err := os.Rename(f.Name(), dst); err != nil {
			if data, rerr := os.ReadFile(f.Name()); rerr == nil {
				_ = os.WriteFile(dst, data, 0o644)
			}
			_ = os.Remove(f.Name())
		}
	}
}
