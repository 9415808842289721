// Package reports turns a conformance run into the files people and CI read:
// report.json (the source of truth, written by every run), junit.xml, Markdown and HTML,
// the behaviour coverage matrix and the regression diff between two runs.
package reports

import "time"

// SchemaVersion is bumped whenever Run changes incompatibly; readers refuse newer majors.
const SchemaVersion = "irconform.io/report/v1"

// Result of one spec.
type Result string

const (
	Passed  Result = "passed"
	Failed  Result = "failed"
	Skipped Result = "skipped"
	Pending Result = "pending"
)

// Run is one conformance run: the content of report.json.
type Run struct {
	Schema    string    `json:"schema"`
	StartedAt time.Time `json:"startedAt"`
	Duration  Duration  `json:"duration"`
	Target    Target    `json:"target"`
	// Selection is what the run was asked to run (focus, label filter, scenario paths) and
	// whether that left specs out. Absent in reports written before it existed.
	Selection *Selection `json:"selection,omitempty"`
	// Simulated lists what the cluster simulator played instead of real controllers
	// (e.g. "Deployment rollout status", "PVC binding"), so a reader knows what was not real.
	Simulated []string `json:"simulated,omitempty"`
	Specs     []Spec   `json:"specs"`
	// Extra carries named tables produced by the suite itself (e.g. the storage fault matrix).
	Extra map[string]Table `json:"extra,omitempty"`
	// Interrupted is true when the run was stopped (Ctrl-C) before every selected spec ran:
	// the results are partial.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Selection records how specs were chosen for a run.
type Selection struct {
	// Focus and Skip are the regexps given with --focus / -ginkgo.focus and -ginkgo.skip.
	Focus []string `json:"focus,omitempty"`
	Skip  []string `json:"skip,omitempty"`
	// LabelFilter is the Ginkgo label filter (--label-filter, -ginkgo.label-filter).
	LabelFilter string `json:"labelFilter,omitempty"`
	// FocusFiles and SkipFiles are Ginkgo's file filters.
	FocusFiles []string `json:"focusFiles,omitempty"`
	SkipFiles  []string `json:"skipFiles,omitempty"`
	// ScenarioPaths are scenario files or folders given beside the shipped ones.
	ScenarioPaths []string `json:"scenarioPaths,omitempty"`
	// Selected of Total specs were selected to run.
	Selected int `json:"selected"`
	Total    int `json:"total"`
	// Partial is true when the selection left specs out: the run says nothing about them.
	Partial bool `json:"partial"`
}

// Target says what the run was pointed at.
type Target struct {
	Kind     string `json:"kind"`               // "envtest" or "live"
	Server   string `json:"server,omitempty"`   // API server URL, credentials stripped
	Platform string `json:"platform,omitempty"` // Infrastructure platform type, when known
	Version  string `json:"version,omitempty"`  // Kubernetes / OpenShift version, when known
	Mode     string `json:"mode,omitempty"`     // live: "read-only" or "disruptive"
	// Operator names the operator under test on envtest: "reference (in-process)", or a
	// process ("upstream (process: /path/to/cluster-image-registry-operator)").
	Operator string `json:"operator,omitempty"`
}

// Spec is one Ginkgo spec (Go spec or YAML scenario step group).
type Spec struct {
	// Name is the full text: container texts and the It text joined with " ".
	Name string `json:"name"`
	// Area is the first behaviour ID's prefix (BOOT, MGMT, ...), or "OTHER".
	Area string `json:"area"`
	// Behaviors are the catalogue IDs among the labels (e.g. BOOT-003).
	Behaviors []string `json:"behaviors"`
	// Labels are all Ginkgo labels, IDs and traits ("divergence", "disruptive", "platform:aws").
	Labels []string `json:"labels"`
	// Source is file:line of the It, or the scenario file:line.
	Source   string   `json:"source"`
	Result   Result   `json:"result"`
	Duration Duration `json:"duration"`
	// Failure is the failure message (already redacted), for failed specs.
	Failure string `json:"failure,omitempty"`
	// FailureLocation is file:line where the failure happened.
	FailureLocation string `json:"failureLocation,omitempty"`
	// SkipReason says why a skipped spec was skipped, in words a person understands.
	SkipReason string `json:"skipReason,omitempty"`
	// Divergence is true when the spec carries the "divergence" label: the documents and
	// the upstream operator disagree, and the spec checks the document.
	Divergence bool `json:"divergence,omitempty"`
	// Note qualifies a result, e.g. a live check that passed against an older release's
	// shape: "as in release 4.4: ...".
	Note string `json:"note,omitempty"`
}

// Table is a small named table (header + rows) carried in a report.
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Duration marshals as seconds (float) so that jq and spreadsheets read it directly.
type Duration float64

// Seconds converts a time.Duration.
func Seconds(d time.Duration) Duration { return Duration(d.Seconds()) }

// Std converts back to a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(float64(d) * float64(time.Second)) }
