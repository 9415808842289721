package reports

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"

	"github.com/irconform/irconform/reports/catalogue"
)

// CoverageSchema versions coverage.json.
const CoverageSchema = "irconform.io/coverage/v1"

// CoverageStatus of one behaviour ID.
type CoverageStatus string

const (
	// CoveredPassing: at least one spec checks the ID and none failed.
	CoveredPassing CoverageStatus = "covered-passing"
	// CoverageFailing: a spec checking the ID failed.
	CoverageFailing CoverageStatus = "failing"
	// DivergenceNotHonoured: only divergence specs failed, on a live cluster: the documented
	// behaviour is not honoured by the real operator.
	DivergenceNotHonoured CoverageStatus = "divergence-not-honoured"
	// CoverageNotRun: specs exist for the ID but all were skipped or pending.
	CoverageNotRun CoverageStatus = "not-run"
	// CoverageGap: no spec is labelled with the ID.
	CoverageGap CoverageStatus = "gap"
)

// CoverageStatuses in display order.
var CoverageStatuses = []CoverageStatus{CoveredPassing, CoverageFailing, DivergenceNotHonoured, CoverageNotRun, CoverageGap}

// SpecRef is one spec checking a behaviour, with its result.
type SpecRef struct {
	Name       string `json:"name"`
	Source     string `json:"source,omitempty"`
	Result     Result `json:"result"`
	Divergence bool   `json:"divergence,omitempty"`
	SkipReason string `json:"skipReason,omitempty"`
	// Run is the index of the run (in Coverage's arguments) the result comes from.
	Run int `json:"run"`
	// Target is the kind of target of that run (envtest, live).
	Target string `json:"target"`
}

// BehaviorCoverage is one row of the coverage matrix.
type BehaviorCoverage struct {
	ID         string         `json:"id"`
	Area       string         `json:"area"`
	Tier       string         `json:"tier"`
	Source     string         `json:"source"`
	Rule       string         `json:"rule"`
	Divergence bool           `json:"divergence,omitempty"` // the catalogue line says DIVERGES
	Specs      []SpecRef      `json:"specs"`
	Status     CoverageStatus `json:"status"`
	// Upstream are the upstream operator's files the rule is read from (catalogue).
	Upstream []string `json:"upstream,omitempty"`
	// Code is where the source tree mentions the behaviour (see AttachCode), when known.
	Code *CodeRefs `json:"code,omitempty"`
}

// Counts per result of the specs of this behaviour.
func (b BehaviorCoverage) Counts() (passed, failed, skipped int) {
	for _, s := range b.Specs {
		switch s.Result {
		case Passed:
			passed++
		case Failed:
			failed++
		default:
			skipped++
		}
	}
	return
}

// DivergenceEntry is one spec labelled divergence, with what its result means.
type DivergenceEntry struct {
	Spec       string   `json:"spec"`
	Behaviors  []string `json:"behaviors"`
	Result     Result   `json:"result"`
	Target     string   `json:"target"`
	Run        int      `json:"run"`
	Meaning    string   `json:"meaning"`
	Note       string   `json:"note,omitempty"`    // the catalogue's DIVERGES note(s)
	Failure    string   `json:"failure,omitempty"` // redacted
	SkipReason string   `json:"skipReason,omitempty"`
}

// CoverageRun identifies one run the coverage was computed from.
type CoverageRun struct {
	Target    Target    `json:"target"`
	StartedAt time.Time `json:"startedAt"`
	Specs     int       `json:"specs"`
}

// CoverageReport is the behaviour coverage matrix of one or more runs.
type CoverageReport struct {
	Schema    string             `json:"schema"`
	Runs      []CoverageRun      `json:"runs"`
	Behaviors []BehaviorCoverage `json:"behaviors"`
	// Totals counts IDs per status.
	Totals map[CoverageStatus]int `json:"totals"`
	// Gaps are the catalogue IDs no spec is labelled with.
	Gaps []string `json:"gaps"`
	// Failing and NotHonoured list IDs by status, for quick reading.
	Failing     []string `json:"failing,omitempty"`
	NotHonoured []string `json:"divergenceNotHonoured,omitempty"`
	NotRun      []string `json:"notRun,omitempty"`
	// Unknown are IDs specs are labelled with that the catalogue does not have.
	Unknown     []string          `json:"unknown,omitempty"`
	Divergences []DivergenceEntry `json:"divergences"`
}

// Coverage computes the coverage matrix of the catalogue over runs (e.g. an envtest run and
// a live run). Failure messages are redacted.
func Coverage(cat catalogue.Catalogue, runs ...Run) CoverageReport {
	rep := CoverageReport{Schema: CoverageSchema, Totals: map[CoverageStatus]int{}, Gaps: []string{}, Divergences: []DivergenceEntry{}}
	refs := map[string][]SpecRef{}
	notHonoured := map[string]bool{}
	unknown := map[string]bool{}
	red := DefaultRedactor()
	for ri, run := range runs {
		run = run.Redacted(red)
		rep.Runs = append(rep.Runs, CoverageRun{Target: run.Target, StartedAt: run.StartedAt, Specs: len(run.Specs)})
		for _, s := range run.Specs {
			for _, id := range s.Behaviors {
				refs[id] = append(refs[id], SpecRef{
					Name: s.Name, Source: s.Source, Result: s.Result, Divergence: s.IsDivergence(),
					SkipReason: s.SkipReason, Run: ri, Target: run.Target.Kind,
				})
				if IsNotHonoured(run, s) {
					notHonoured[id+"\x00"+s.Name] = true
				}
				if _, ok := cat.Lookup(id); !ok {
					unknown[id] = true
				}
			}
			if s.IsDivergence() {
				rep.Divergences = append(rep.Divergences, divergenceEntry(cat, run, ri, s))
			}
		}
	}
	status := func(id string, specs []SpecRef) CoverageStatus {
		if len(specs) == 0 {
			return CoverageGap
		}
		var passed, failed, ordinary int
		for _, r := range specs {
			switch r.Result {
			case Passed:
				passed++
			case Failed:
				failed++
				if !notHonoured[id+"\x00"+r.Name] || r.Target != "live" {
					ordinary++
				}
			}
		}
		switch {
		case ordinary > 0:
			return CoverageFailing
		case failed > 0:
			return DivergenceNotHonoured
		case passed > 0:
			return CoveredPassing
		}
		return CoverageNotRun
	}
	add := func(bc BehaviorCoverage) {
		bc.Status = status(bc.ID, bc.Specs)
		if bc.Specs == nil {
			bc.Specs = []SpecRef{}
		}
		rep.Totals[bc.Status]++
		switch bc.Status {
		case CoverageGap:
			rep.Gaps = append(rep.Gaps, bc.ID)
		case CoverageFailing:
			rep.Failing = append(rep.Failing, bc.ID)
		case DivergenceNotHonoured:
			rep.NotHonoured = append(rep.NotHonoured, bc.ID)
		case CoverageNotRun:
			rep.NotRun = append(rep.NotRun, bc.ID)
		}
		rep.Behaviors = append(rep.Behaviors, bc)
	}
	for _, b := range cat.Behaviors {
		add(BehaviorCoverage{
			ID: b.ID, Area: b.Area, Tier: string(b.Tier), Source: b.Source, Rule: b.Rule,
			Divergence: b.Divergence, Specs: refs[b.ID], Upstream: b.Upstream,
		})
	}
	// IDs used by specs but missing from the catalogue still get a row, so that nothing
	// checked is invisible.
	var unk []string
	for id := range unknown {
		unk = append(unk, id)
	}
	sort.Strings(unk)
	for _, id := range unk {
		add(BehaviorCoverage{ID: id, Area: catalogue.AreaOf(id), Tier: "unknown", Source: "not in catalogue", Specs: refs[id]})
	}
	rep.Unknown = unk
	return rep
}

func divergenceEntry(cat catalogue.Catalogue, run Run, ri int, s Spec) DivergenceEntry {
	e := DivergenceEntry{
		Spec: s.Name, Behaviors: append([]string{}, s.Behaviors...), Result: s.Result,
		Target: run.Target.Kind, Run: ri, Failure: s.Failure, SkipReason: s.SkipReason,
	}
	for _, id := range s.Behaviors {
		if b, ok := cat.Lookup(id); ok && b.DivergenceNote != "" {
			if e.Note != "" {
				e.Note += " "
			}
			e.Note += id + ": " + b.DivergenceNote
		}
	}
	e.Meaning = DivergenceMeaning(run, s)
	return e
}

// DivergenceMeaning says what a divergence spec's result means on the run's target.
func DivergenceMeaning(run Run, s Spec) string {
	live := run.IsLive()
	switch {
	case s.Result == Failed && live:
		return "documented behaviour not honoured by this cluster"
	case s.Result == Passed && live:
		return "documented behaviour honoured by this cluster"
	case s.Result == Failed:
		return "failed against the reference operator (a real failure)"
	case s.Result == Passed:
		return "passed against the reference operator"
	}
	if s.SkipReason != "" {
		return "not run: " + s.SkipReason
	}
	return "not run"
}

// MarshalCoverage renders the report as indented JSON.
func MarshalCoverage(rep CoverageReport) ([]byte, error) {
	if rep.Schema == "" {
		rep.Schema = CoverageSchema
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteCoverageJSON writes coverage.json.
func WriteCoverageJSON(path string, rep CoverageReport) error {
	data, err := MarshalCoverage(rep)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}
