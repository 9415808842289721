// Package scenarios holds the shipped QA scenarios (*.yaml, embedded here) and their tests;
// the format is in scenarios/api/v1alpha1, the linter in scenarios/lint, and the runner that
// turns each scenario into a Ginkgo spec in scenarios/runner. See README.md.
package scenarios

import "embed"

// Shipped is the shipped scenario set (the *.yaml files next to this file).
//
//go:embed *.yaml
var Shipped embed.FS
