// Package ote is the contract of an openshift-tests extension binary, as openshift-tests
// reads it: the JSON of `info`, `list` and `run-test`, and the CEL selection of tests by
// suite qualifier and by environment. The field names, formats and semantics are those of
// github.com/openshift-eng/openshift-tests-extension (pkg/extension, pkg/extension/
// extensiontests, pkg/dbtime, pkg/flags), which is not served by the Go module proxy here;
// this package implements the same wire contract on its own.
package ote

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// APIVersion is the extension API version this binary speaks; openshift-tests passes only
// the environment flags a version knows (api-group and feature-gate need v1.1).
const APIVersion = "v1.1"

// Extension is the document `info` prints.
type Extension struct {
	APIVersion string    `json:"apiVersion"`
	Source     Source    `json:"source"`
	Component  Component `json:"component"`
	Suites     []Suite   `json:"suites"`
	Images     []Image   `json:"images"`
}

// Source says what the binary was built from.
type Source struct {
	Commit       string `json:"commit"`
	BuildDate    string `json:"build_date"`
	GitTreeState string `json:"git_tree_state"`
	SourceURL    string `json:"source_url,omitempty"`
}

// Component names what the tests are about. Kind is "type" on the wire.
type Component struct {
	Product string `json:"product"`
	Kind    string `json:"type"`
	Name    string `json:"name"`
}

// Identifier is "product:type:name", every spec's source.
func (c Component) Identifier() string { return c.Product + ":" + c.Kind + ":" + c.Name }

// ClusterStability says whether a suite expects the cluster to stay undisturbed.
type ClusterStability string

const (
	Stable     ClusterStability = "Stable"
	Disruptive ClusterStability = "Disruptive"
)

// Suite is a named selection of tests: qualifiers are CEL expressions over a test (name,
// labels, tags, source, ...), OR'd together.
type Suite struct {
	Name             string           `json:"name"`
	Description      string           `json:"description"`
	Parents          []string         `json:"parents,omitempty"`
	Qualifiers       []string         `json:"qualifiers,omitempty"`
	Count            int              `json:"count,omitempty"`
	Parallelism      int              `json:"parallelism,omitempty"`
	ClusterStability ClusterStability `json:"clusterStability,omitempty"`
	// TestTimeout marshals as a Go duration in nanoseconds, as upstream's *time.Duration does.
	TestTimeout *time.Duration `json:"testTimeout,omitempty"`
}

// Image is a test image the extension needs mirrored (none here: the checks run in-process).
type Image struct {
	Index    int    `json:"index"`
	Registry string `json:"registry"`
	Name     string `json:"name"`
	Version  string `json:"version"`
}

// Lifecycle: a failing informing test does not fail the job; a blocking one does.
type Lifecycle string

const (
	Blocking  Lifecycle = "blocking"
	Informing Lifecycle = "informing"
)

// Labels is a set of labels. On the wire it is an object whose keys are the labels and
// whose values are empty objects ({"MGMT-002":{}}), as upstream's sets.Set marshals.
type Labels map[string]struct{}

// NewLabels makes a label set.
func NewLabels(ls ...string) Labels {
	out := Labels{}
	for _, l := range ls {
		out[l] = struct{}{}
	}
	return out
}

// Has reports whether l is in the set.
func (ls Labels) Has(l string) bool { _, ok := ls[l]; return ok }

// List returns the labels sorted.
func (ls Labels) List() []string {
	out := make([]string, 0, len(ls))
	for l := range ls {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Spec is one test as `list` prints it.
type Spec struct {
	Name                string              `json:"name"`
	OriginalName        string              `json:"originalName,omitempty"`
	Labels              Labels              `json:"labels"`
	Tags                map[string]string   `json:"tags,omitempty"`
	Resources           Resources           `json:"resources"`
	Source              string              `json:"source"`
	CodeLocations       []string            `json:"codeLocations,omitempty"`
	Lifecycle           Lifecycle           `json:"lifecycle"`
	EnvironmentSelector EnvironmentSelector `json:"environmentSelector,omitempty"`
}

// Resources say what a test needs to run (isolation from other tests).
type Resources struct {
	Isolation Isolation `json:"isolation"`
	Memory    string    `json:"memory,omitempty"`
	Duration  string    `json:"duration,omitempty"`
	Timeout   string    `json:"timeout,omitempty"`
}

// Isolation: mode and conflicts with other tests.
type Isolation struct {
	Mode       string   `json:"mode,omitempty"`
	Conflict   []string `json:"conflict,omitempty"`
	Taint      []string `json:"taint,omitempty"`
	Toleration []string `json:"toleration,omitempty"`
}

// EnvironmentSelector includes or excludes a test by CEL expressions over the environment
// flags (platform, optionalCapabilities, ...).
type EnvironmentSelector struct {
	Include string `json:"include,omitempty"`
	Exclude string `json:"exclude,omitempty"`
}

// ResultKind is a test's outcome.
type ResultKind string

const (
	Passed  ResultKind = "passed"
	Skipped ResultKind = "skipped"
	Failed  ResultKind = "failed"
)

// Result is one test's outcome as `run-test` prints it (one JSON line per test).
type Result struct {
	Name      string     `json:"name"`
	Lifecycle Lifecycle  `json:"lifecycle"`
	Duration  int64      `json:"duration"` // milliseconds
	StartTime *DBTime    `json:"startTime"`
	EndTime   *DBTime    `json:"endTime"`
	Result    ResultKind `json:"result"`
	Output    string     `json:"output"`
	Error     string     `json:"error,omitempty"`
	Details   []Detail   `json:"details,omitempty"`
}

// Detail is a named, human-readable fact about a result (why it skipped, which behaviours).
type Detail struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// TimeFormat is how start and end times are written: UTC, microseconds, BigQuery-friendly.
const TimeFormat = "2006-01-02 15:04:05.000000 UTC"

// DBTime is a time written in TimeFormat.
type DBTime time.Time

// NewDBTime returns t (in UTC) as a DBTime.
func NewDBTime(t time.Time) *DBTime { d := DBTime(t.UTC()); return &d }

func (d DBTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(d).UTC().Format(TimeFormat))
}

func (d *DBTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		return fmt.Errorf("time %q is not in the format %q: %w", s, TimeFormat, err)
	}
	*d = DBTime(t)
	return nil
}
