package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/target"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print irconform's version and the pinned Kubernetes and OpenShift API versions",
		Example: "  irconform version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := "(devel)"
			deps := map[string]string{}
			if bi, ok := debug.ReadBuildInfo(); ok {
				v = bi.Main.Version
				for _, d := range bi.Deps {
					deps[d.Path] = d.Version
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "irconform %s\nkube-apiserver (envtest) v%s\ncontroller-runtime %s\nopenshift/api %s\n",
				v, target.K8sVersion, deps["sigs.k8s.io/controller-runtime"], deps["github.com/openshift/api"])
			return nil
		},
	}
}
