package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/spf13/cobra"

	"github.com/irconform/irconform/internal/sonobuoy"
	"github.com/irconform/irconform/reports"
)

// podRun is a run whose results are collected by something else: a sonobuoy worker (which
// waits for a "done" file naming them, and relays progress), or a person reading a one-off
// Job's volume. The reports go to <results-dir>/irconform.
type podRun struct {
	resultsDir string
	progress   *sonobuoy.Progress
	// liveOnly: the run selected the live specs only, and the results should hold them only
	// (the report lists unselected specs too, as skips; in a collector they are noise).
	liveOnly bool
}

// pluginName is the sonobuoy plugin's name (deploy/sonobuoy/irconform.yaml).
const pluginName = "irconform"

// newPodRun sets up a run that writes into resultsDir (the flag, else $SONOBUOY_RESULTS_DIR);
// nil when there is none.
func newPodRun(cmd *cobra.Command, resultsFlag string) (*podRun, error) {
	dir := sonobuoy.ResultsDir(resultsFlag)
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--results-dir: %w", err)}
	}
	p := &podRun{resultsDir: dir}
	p.progress = sonobuoy.NewProgress(os.Getenv(sonobuoy.ProgressPortEnv), pluginName, func(err error) {
		fmt.Fprintln(cmd.ErrOrStderr(), "irconform:", err)
	})
	return p, nil
}

// reportDir is where the run's reports go.
func (p *podRun) reportDir() string { return filepath.Join(p.resultsDir, pluginName) }

// watchSpecs posts one progress update per finished spec. Registered before RunSpecs, like
// the suite's own report nodes.
func (p *podRun) watchSpecs(ctx context.Context) {
	if !p.progress.Enabled() {
		return
	}
	selected := 0
	ginkgo.ReportBeforeSuite(func(r ginkgo.Report) { selected = r.PreRunStats.SpecsThatWillRun })
	ginkgo.ReportAfterEach(func(r ginkgo.SpecReport) {
		if r.LeafNodeType != types.NodeTypeIt || (r.State.Is(types.SpecStateSkipped) && r.Failure.Message == "") {
			return // not a spec, or filtered out
		}
		p.progress.Done(ctx, selected, r.FullText(), r.State.Is(types.SpecStateFailureStates))
	})
}

// finish writes the done file once the results are complete. A run that wrote no report (the
// cluster could not be used) leaves a JUnit file with one failed case saying why, so the
// collector shows the reason instead of waiting for results that never come.
// reportDir is where the run wrote its reports ("" when it wrote none).
func (p *podRun) finish(reportDir string, runErr error) error {
	dir := p.reportDir()
	if reportDir == "" {
		if err := writeSetupFailure(dir, runErr); err != nil {
			return fmt.Errorf("%v; and writing results: %w", runErr, err)
		}
	} else {
		dir = reportDir
		if p.liveOnly {
			if err := keepLiveSpecs(dir); err != nil {
				return fmt.Errorf("%v; and trimming the results: %w", runErr, err)
			}
		}
	}
	if err := sonobuoy.WriteDone(p.resultsDir, dir); err != nil {
		if runErr != nil {
			return fmt.Errorf("%v; and %w", runErr, err)
		}
		return err
	}
	return runErr
}

// keepLiveSpecs rewrites the reports in dir with the live specs only.
func keepLiveSpecs(dir string) error {
	run, err := reports.ReadJSON(filepath.Join(dir, reports.FileJSON))
	if err != nil {
		return err
	}
	kept := run.Specs[:0]
	for _, s := range run.Specs {
		if slices.Contains(s.Labels, "live") {
			kept = append(kept, s)
		}
	}
	run.Specs = kept
	return reports.WriteAll(dir, run)
}

// writeSetupFailure writes dir/junit.xml with one failed test case carrying err's line.
func writeSetupFailure(dir string, runErr error) error {
	msg := "no result"
	if runErr != nil {
		msg = runErr.Error()
	}
	type failure struct {
		Message string `xml:"message,attr"`
		Body    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string  `xml:"name,attr"`
		Classname string  `xml:"classname,attr"`
		Failure   failure `xml:"failure"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	doc := testsuite{Name: "irconform", Tests: 1, Failures: 1, Cases: []testcase{{
		Name: "irconform can judge this cluster", Classname: "irconform", Failure: failure{Message: msg, Body: msg}}}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "junit.xml"), append([]byte(xml.Header), out...), 0o644)
}
