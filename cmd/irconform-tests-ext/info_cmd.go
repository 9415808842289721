package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/conformance/extension"
	"github.com/irconform/irconform/internal/ote"
)

// Set by the linker (make image: -X main.buildCommit=... -X main.buildDate=... -X
// main.buildTreeState=...); else the build's VCS stamp is used, when there is one.
var buildCommit, buildDate, buildTreeState string

// describe is the extension's `info` document: which commit the binary is, that commit's
// date (reproducible, unlike the time of the build) and whether the tree was clean.
func describe() ote.Extension {
	src := ote.Source{Commit: "unknown", BuildDate: "unknown", GitTreeState: "unknown", SourceURL: "https://github.com/irconform/irconform"}
	if buildCommit != "" {
		src.Commit, src.BuildDate, src.GitTreeState = buildCommit, buildDate, buildTreeState
	} else if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				src.Commit = s.Value
			case "vcs.time":
				src.BuildDate = s.Value
			case "vcs.modified":
				src.GitTreeState = map[string]string{"true": "dirty", "false": "clean"}[s.Value]
			}
		}
	}
	return ote.Extension{APIVersion: ote.APIVersion, Source: src, Component: extension.Component,
		Suites: extension.Suites(), Images: []ote.Image{}}
}

func allSpecs() []ote.Spec {
	var out []ote.Spec
	for _, t := range extension.Tests() {
		out = append(out, t.Spec)
	}
	return out
}

func newInfoCmd() *cobra.Command {
	var component string
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Print the extension's metadata (source, component, suites) as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkComponent(component); err != nil {
				return err
			}
			out, err := json.MarshalIndent(describe(), "", "    ")
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", out)
			return nil
		},
	}
	componentFlag(cmd, &component)
	return cmd
}

func newImagesCmd() *cobra.Command {
	var component string
	cmd := &cobra.Command{
		Use:   "images",
		Short: "List the test images to mirror (none: the checks run in this binary)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkComponent(component); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "[]")
			return nil
		},
	}
	componentFlag(cmd, &component)
	return cmd
}

func newListCmd() *cobra.Command {
	var component, suite, output string
	var env ote.Environment
	listTests := func(cmd *cobra.Command, _ []string) error {
		if err := checkComponent(component); err != nil {
			return err
		}
		specs := allSpecs()
		if suite != "" {
			s, err := findSuite(suite)
			if err != nil {
				return err
			}
			if specs, err = ote.InSuite(specs, s.Qualifiers); err != nil {
				return err
			}
		}
		specs, err := ote.ForEnvironment(specs, env)
		if err != nil {
			return err
		}
		if specs == nil {
			specs = []ote.Spec{}
		}
		return marshal(cmd.OutOrStdout(), output, specs, specNames(specs))
	}
	cmd := &cobra.Command{
		Use:   "list [tests|suites|components]",
		Short: "List tests (default), suites or components",
		Example: `  irconform-tests-ext list -o jsonl --platform=aws --optional-capability=ImageRegistry
  irconform-tests-ext list --suite irconform/disruptive -o names`,
		RunE: listTests,
	}
	bindEnvironment(cmd, &env)
	f := cmd.PersistentFlags()
	f.StringVar(&component, "component", "default", "the component to act on")
	f.StringVar(&suite, "suite", "", "only the tests of this suite")
	f.StringVarP(&output, "output", "o", "json", "output: json, jsonl or names")
	tests := &cobra.Command{Use: "tests", Short: "List tests", Args: cobra.NoArgs, RunE: listTests}
	bindEnvironment(tests, &env)
	suites := &cobra.Command{Use: "suites", Short: "List suites", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkComponent(component); err != nil {
				return err
			}
			s := extension.Suites()
			return marshal(cmd.OutOrStdout(), output, s, func() []string {
				var n []string
				for _, x := range s {
					n = append(n, x.Name)
				}
				return n
			})
		}}
	components := &cobra.Command{Use: "components", Short: "List components", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := []ote.Component{extension.Component}
			return marshal(cmd.OutOrStdout(), output, c, func() []string { return []string{extension.Component.Identifier()} })
		}}
	cmd.AddCommand(tests, suites, components)
	return cmd
}

func findSuite(name string) (ote.Suite, error) {
	for _, s := range extension.Suites() {
		if s.Name == name {
			return s, nil
		}
	}
	var names []string
	for _, s := range extension.Suites() {
		names = append(names, s.Name)
	}
	return ote.Suite{}, fmt.Errorf("no such suite: %s (suites: %s)", name, strings.Join(names, ", "))
}

// bindEnvironment adds openshift-tests' environment flags (names and meanings from
// openshift-tests-extension's pkg/flags).
func bindEnvironment(cmd *cobra.Command, e *ote.Environment) {
	f := cmd.Flags()
	f.StringArrayVar(&e.APIGroups, "api-group", nil, "an API group the cluster serves (repeatable). Since: v1.1")
	f.StringVar(&e.Architecture, "architecture", "", `the cluster's CPU architecture ("amd64", "arm64"). Since: v1.0`)
	f.StringVar(&e.ExternalConnectivity, "external-connectivity", "", `"Disconnected", "Direct" or "Proxied". Since: v1.0`)
	f.StringArrayVar(&e.FeatureGates, "feature-gate", nil, "a feature gate enabled on the cluster (repeatable). Since: v1.1")
	f.StringToStringVar(&e.Facts, "fact", nil, "facts advertised by cluster components. Since: v1.0")
	f.StringVar(&e.Network, "network", "", `the cluster's network ("ovn", "sdn"). Since: v1.0`)
	f.StringVar(&e.NetworkStack, "network-stack", "", `"ipv4", "ipv6" or "dual". Since: v1.0`)
	f.StringSliceVar(&e.OptionalCapabilities, "optional-capability", nil, "an optional capability enabled on the cluster (repeatable), e.g. ImageRegistry. Since: v1.0")
	f.StringVar(&e.Platform, "platform", "", `the platform ("aws", "gcp", "baremetal", ...). Since: v1.0`)
	f.StringVar(&e.Topology, "topology", "", `the topology ("ha", "microshift", ...). Since: v1.0`)
	f.StringVar(&e.Upgrade, "upgrade", "", `the upgrade done before the run ("micro", "minor"). Since: v1.0`)
	f.StringVar(&e.Version, "version", "", `"major.minor" of the cluster. Since: v1.0`)
}

// metadataDir holds the test list `update` keeps, to notice renamed or removed tests.
const metadataDir = ".openshift-tests-extension"

func newUpdateCmd() *cobra.Command {
	var component string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Write the test list to .openshift-tests-extension/, refusing tests removed without a rename",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkComponent(component); err != nil {
				return err
			}
			path := filepath.Join(metadataDir, strings.ReplaceAll(extension.Component.Identifier(), ":", "_")+".json")
			specs := allSpecs()
			if raw, err := os.ReadFile(path); err == nil {
				var old []ote.Spec
				if err := json.Unmarshal(raw, &old); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				known := map[string]bool{}
				for _, s := range specs {
					known[s.Name], known[s.OriginalName] = true, true
				}
				var missing []string
				for _, s := range old {
					if !known[s.Name] && (s.OriginalName == "" || !known[s.OriginalName]) {
						missing = append(missing, s.Name)
					}
				}
				if len(missing) > 0 {
					return fmt.Errorf("tests removed without rename (set originalName on the new test): %s", strings.Join(missing, "; "))
				}
			}
			out, err := json.MarshalIndent(specs, "", "  ")
			if err != nil {
				return err
			}
			if err := os.MkdirAll(metadataDir, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d tests)\n", path, len(specs))
			return nil
		},
	}
	componentFlag(cmd, &component)
	return cmd
}
