package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/reports"
)

// writeFleet is `irconform report --merge`: one fleet page from several clusters' reports.
func writeFleet(cmd *cobra.Command, args []string, outDir string, quiet bool) error {
	var clusters []reports.Cluster
	names := map[string]string{}
	for _, a := range args {
		c, err := reports.ReadCluster(a)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		if prev, dup := names[c.Name]; dup {
			return &exitError{code: 2, err: fmt.Errorf("two clusters named %q (%s and %s): name them, NAME=PATH", c.Name, prev, a)}
		}
		names[c.Name] = a
		clusters = append(clusters, c)
	}
	if outDir == "" {
		outDir = "."
	}
	path := filepath.Join(outDir, reports.FileFleet)
	if err := reports.WriteFleet(path, clusters); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d clusters)\n", path, len(clusters))
	}
	return nil
}
