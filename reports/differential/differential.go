// Package differential compares two runs of the conformance suite, one against the
// reference operator and one against the real upstream operator, behaviour by behaviour,
// and keeps the verdict: which catalogue behaviours the upstream operator honours, which
// it does not (known divergences, or new ones), what the harness cannot show, and where
// the catalogue was wrong.
//
// Results come from the two report.json files; the reasons for every difference come
// from a reviewed, committed file (reports/upstream/classifications.yaml): a machine can
// tell that two results differ, only a person can say why. Build merges both into a
// Summary, which is committed per upstream commit (reports/upstream/<commit>.json) with a
// Markdown rendering (docs/upstream-differential.md).
package differential

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irconform/irconform/reports"
	"github.com/irconform/irconform/reports/catalogue"
)

// SchemaVersion of the summary file.
const SchemaVersion = "irconform.io/upstream-differential/v1"

// Class is the verdict on one behaviour.
type Class string

const (
	// Agrees: the specs that ran against the upstream operator pass, as on the reference.
	Agrees Class = "agrees"
	// Divergence: the upstream operator does not do what the documents say, and the
	// catalogue already says so (DIVERGES); its divergence specs fail against it.
	Divergence Class = "divergence"
	// Harness: envtest or the fakes lack something the behaviour needs (named in Lacks);
	// the upstream result says nothing about the behaviour.
	Harness Class = "harness"
	// Catalogue: the catalogue was wrong about the upstream operator and has been fixed
	// (the rule, and the spec with it); Reason says what changed.
	Catalogue Class = "catalogue"
	// UpstreamDiffers: a divergence this comparison found: the catalogue now carries it
	// (DIVERGES) with the evidence.
	UpstreamDiffers Class = "upstream differs"
	// Unclassified: results differ and no reviewed reason exists yet.
	Unclassified Class = "unclassified"
)

// Classes in the order tables list them.
func Classes() []Class {
	return []Class{Agrees, Divergence, UpstreamDiffers, Catalogue, Harness, Unclassified}
}

// Result of one behaviour (or one spec) in one run.
type Result string

const (
	Passed  Result = "passed"
	Failed  Result = "failed"
	Skipped Result = "skipped" // every spec skipped (e.g. needs:clock against a process)
	Partial Result = "partial" // some specs passed, others skipped
	NotRun  Result = "not run" // no spec of the behaviour in the run
)

// Upstream identifies the upstream operator a summary is about.
type Upstream struct {
	Repository string `json:"repository"`
	Commit     string `json:"commit,omitempty"`
	// Key is the build cache key (the commit, or a content hash for a tree without git).
	Key string `json:"key"`
}

// Summary is the committed differential for one upstream build.
type Summary struct {
	Schema   string   `json:"schema"`
	Upstream Upstream `json:"upstream"`
	// Counts per class.
	Counts    map[Class]int `json:"counts"`
	Behaviors []Behavior    `json:"behaviors"`
}

// Behavior is one catalogue ID's row.
type Behavior struct {
	ID        string `json:"id"`
	Reference Result `json:"reference"`
	Upstream  Result `json:"upstream"`
	Class     Class  `json:"class"`
	// Reason says why (for every class but agrees); Lacks names what the harness lacks.
	Reason string `json:"reason,omitempty"`
	Lacks  string `json:"lacks,omitempty"`
	// Evidence is what the upstream operator did, in which spec (upstream differs, catalogue).
	Evidence string `json:"evidence,omitempty"`
	Specs    []Spec `json:"specs"`
}

// Spec is one spec of a behaviour, with both results.
type Spec struct {
	Name      string `json:"name"`
	Reference Result `json:"reference"`
	Upstream  Result `json:"upstream"`
	// Divergence: the spec checks the documents where the upstream is known to differ.
	Divergence bool `json:"divergence,omitempty"`
	// Behaviors are all the IDs the spec checks (it may fail for another ID's divergence).
	Behaviors []string `json:"behaviors,omitempty"`
	// Note is the upstream failure's first line, or why it was skipped.
	Note string `json:"note,omitempty"`
}

// Manual is one reviewed classification (an entry of classifications.yaml).
type Manual struct {
	ID       string `yaml:"id"`
	Class    Class  `yaml:"class"`
	Reason   string `yaml:"reason"`
	Lacks    string `yaml:"lacks,omitempty"`
	Evidence string `yaml:"evidence,omitempty"`
}

// Classifications is classifications.yaml.
type Classifications struct {
	Classifications []Manual `yaml:"classifications"`
}

// Build compares ref and up behaviour by behaviour for every catalogue ID. A reviewed
// classification decides every row it names; without one, rows whose specs agree are
// agrees, rows whose only upstream failures are divergence specs of a catalogue divergence
// are divergence, rows whose upstream specs were all skipped are harness (the skip reason
// names what is lacking), and everything else is unclassified.
func Build(cat catalogue.Catalogue, ref, up reports.Run, manual Classifications, upstream Upstream) (Summary, error) {
	return BuildOnto(Summary{}, cat, ref, up, manual, upstream)
}

// BuildOnto is Build for runs that may be partial, on top of an earlier summary base: a
// spec of base that the two runs did not run (a focused re-run did not select it) keeps its
// earlier results, and each row is folded and classified over the specs of both. So a
// focused re-run updates the specs it ran and nothing else, also in the rows of IDs it
// shares with specs it did not run (an Azure spec labelled STOR-004 leaves STOR-004's
// other specs' results alone). A base spec that the upstream run does not list at all (a
// spec removed or renamed since) is dropped.
func BuildOnto(base Summary, cat catalogue.Catalogue, ref, up reports.Run, manual Classifications, upstream Upstream) (Summary, error) {
	byID := map[string]Manual{}
	for _, m := range manual.Classifications {
		if _, ok := cat.Lookup(m.ID); !ok {
			return Summary{}, fmt.Errorf("classifications: %s is not a catalogue ID", m.ID)
		}
		if _, dup := byID[m.ID]; dup {
			return Summary{}, fmt.Errorf("classifications: %s is classified twice", m.ID)
		}
		if !validManual(m.Class) {
			return Summary{}, fmt.Errorf("classifications: %s has class %q; want one of %s, %s, %s, %s", m.ID, m.Class, Divergence, Harness, Catalogue, UpstreamDiffers)
		}
		if strings.TrimSpace(m.Reason) == "" {
			return Summary{}, fmt.Errorf("classifications: %s (%s) has no reason", m.ID, m.Class)
		}
		if m.Class == Harness && strings.TrimSpace(m.Lacks) == "" {
			return Summary{}, fmt.Errorf("classifications: %s is harness but does not name what is lacking (lacks:)", m.ID)
		}
		byID[m.ID] = m
	}
	refSpecs, upSpecs := specsByID(ref), specsByID(up)
	listed := map[string]bool{}
	for _, sp := range up.Specs {
		listed[sp.Name] = true
	}
	earlier := map[string][]Spec{}
	for _, b := range base.Behaviors {
		for _, sp := range b.Specs {
			if listed[sp.Name] {
				earlier[b.ID] = append(earlier[b.ID], sp)
			}
		}
	}
	s := Summary{Schema: SchemaVersion, Upstream: upstream, Counts: map[Class]int{}}
	for _, id := range cat.IDs() {
		b, _ := cat.Lookup(id)
		row := compare(id, earlier[id], refSpecs[id], upSpecs[id])
		if m, ok := byID[id]; ok {
			row.Class, row.Reason, row.Lacks, row.Evidence = m.Class, m.Reason, m.Lacks, m.Evidence
		} else {
			row.Class, row.Reason, row.Lacks = automatic(cat, b, row)
		}
		s.Behaviors = append(s.Behaviors, row)
		s.Counts[row.Class]++
	}
	return s, nil
}

func validManual(c Class) bool {
	return c == Divergence || c == Harness || c == Catalogue || c == UpstreamDiffers
}

// specsByID indexes a run's specs by behaviour ID.
func specsByID(r reports.Run) map[string][]reports.Spec {
	out := map[string][]reports.Spec{}
	for _, s := range r.Specs {
		for _, id := range s.Behaviors {
			out[id] = append(out[id], s)
		}
	}
	return out
}

// compare joins one ID's specs from both runs by name, over its earlier specs: a spec
// either run ran takes that run's result (and an earlier one the other side's earlier
// result, if that run did not run it).
func compare(id string, earlier []Spec, ref, up []reports.Spec) Behavior {
	row := Behavior{ID: id}
	names := map[string]*Spec{}
	var order []string
	for _, e := range earlier {
		sp := e
		names[sp.Name] = &sp
		order = append(order, sp.Name)
	}
	get := func(s reports.Spec) *Spec {
		if sp, ok := names[s.Name]; ok {
			sp.Divergence, sp.Behaviors = s.Divergence, s.Behaviors
			return sp
		}
		sp := &Spec{Name: s.Name, Reference: NotRun, Upstream: NotRun, Divergence: s.Divergence, Behaviors: s.Behaviors}
		names[s.Name] = sp
		order = append(order, s.Name)
		return sp
	}
	for _, s := range ref {
		if ran(s) {
			get(s).Reference = result(s)
		}
	}
	for _, s := range up {
		if !ran(s) {
			continue
		}
		sp := get(s)
		sp.Upstream, sp.Note = result(s), ""
		switch sp.Upstream {
		case Failed:
			sp.Note = firstLine(s.Failure)
		case Skipped:
			sp.Note = s.SkipReason
		}
	}
	sort.Strings(order)
	for _, n := range order {
		row.Specs = append(row.Specs, *names[n])
	}
	row.Reference = overall(row.Specs, func(s Spec) Result { return s.Reference })
	row.Upstream = overall(row.Specs, func(s Spec) Result { return s.Upstream })
	return row
}

// ran tells whether a spec was selected (a spec filtered out by the run's label filter is
// "skipped" with no reason of its own and says nothing).
func ran(s reports.Spec) bool {
	return !(s.Result == reports.Skipped && (s.SkipReason == "" || s.SkipReason == "not selected by the focus or label filter"))
}

func result(s reports.Spec) Result {
	switch s.Result {
	case reports.Passed:
		return Passed
	case reports.Skipped, reports.Pending:
		return Skipped
	}
	return Failed
}

// overall folds spec results: failed if any failed, passed if all that ran passed (partial
// when some were skipped), skipped if all were skipped, not run if there were none.
func overall(specs []Spec, of func(Spec) Result) Result {
	var passed, failed, skipped int
	for _, s := range specs {
		switch of(s) {
		case Passed:
			passed++
		case Failed:
			failed++
		case Skipped:
			skipped++
		}
	}
	switch {
	case failed > 0:
		return Failed
	case passed > 0 && skipped > 0:
		return Partial
	case passed > 0:
		return Passed
	case skipped > 0:
		return Skipped
	}
	return NotRun
}

// automatic classifies a row no reviewed entry names. A failing spec labelled divergence
// that checks a behaviour the catalogue marks DIVERGES is explained by that divergence.
func automatic(cat catalogue.Catalogue, b catalogue.Behavior, row Behavior) (Class, string, string) {
	refOK := row.Reference == Passed || row.Reference == Partial
	switch {
	case refOK && (row.Upstream == Passed || row.Upstream == Partial):
		return Agrees, "", ""
	case row.Upstream == Skipped:
		reasons := map[string]bool{}
		for _, s := range row.Specs {
			if s.Upstream == Skipped {
				reasons[s.Note] = true
			}
		}
		var lacks []string
		for r := range reasons {
			lacks = append(lacks, r)
		}
		sort.Strings(lacks)
		return Harness, "no spec of this behaviour can run against an operator process", strings.Join(lacks, "; ")
	case !refOK || row.Upstream != Failed:
		return Unclassified, "", ""
	}
	var by []string
	passed := false
	for _, s := range row.Specs {
		switch s.Upstream {
		case Passed:
			passed = true
		case Failed:
			ids := explainedBy(cat, s)
			if len(ids) == 0 {
				return Unclassified, "", ""
			}
			by = append(by, ids...)
		}
	}
	switch {
	case b.Divergence:
		return Divergence, "known divergence: " + b.DivergenceNote, ""
	case passed:
		by = uniq(by)
		return Agrees, fmt.Sprintf("its other specs pass; the divergence specs it shares with %s fail for that known divergence", strings.Join(by, ", ")), ""
	}
	return Unclassified, "", ""
}

// explainedBy are the catalogue divergences a failing divergence spec checks (none: its
// failure is not explained).
func explainedBy(cat catalogue.Catalogue, s Spec) []string {
	if !s.Divergence {
		return nil
	}
	var ids []string
	for _, id := range s.Behaviors {
		if b, ok := cat.Lookup(id); ok && b.Divergence {
			ids = append(ids, id)
		}
	}
	return ids
}

func uniq(in []string) []string {
	sort.Strings(in)
	var out []string
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// Check lists what is wrong with a committed summary against the catalogue: IDs missing
// or unclassified, rows whose class contradicts the catalogue, and too many harness rows.
func Check(s Summary, cat catalogue.Catalogue, maxHarnessShare float64) []string {
	var problems []string
	have := map[string]Behavior{}
	for _, b := range s.Behaviors {
		have[b.ID] = b
	}
	var missing, unclassified []string
	harness := 0
	for _, id := range cat.IDs() {
		b, ok := have[id]
		switch {
		case !ok:
			missing = append(missing, id)
			continue
		case b.Class == Unclassified || b.Class == "":
			unclassified = append(unclassified, id)
		case b.Class == Harness:
			harness++
		}
		cb, _ := cat.Lookup(id)
		if (b.Class == Divergence || b.Class == UpstreamDiffers) && !cb.Divergence {
			problems = append(problems, fmt.Sprintf("%s is %q in the summary but the catalogue does not mark it DIVERGES (add the divergence to reports/catalogue/behaviors.yaml)", id, b.Class))
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("%d catalogue IDs are not in the summary: %s", len(missing), strings.Join(missing, ", ")))
	}
	if len(unclassified) > 0 {
		problems = append(problems, fmt.Sprintf("%d IDs differ without a reviewed classification: %s", len(unclassified), strings.Join(unclassified, ", ")))
	}
	if n := len(cat.IDs()); n > 0 && float64(harness)/float64(n) >= maxHarnessShare {
		problems = append(problems, fmt.Sprintf("%d of %d IDs (%.0f%%) are harness: the target is under %.0f%%", harness, n, 100*float64(harness)/float64(n), 100*maxHarnessShare))
	}
	return problems
}
