package bench

import (
	"sort"
	"strings"
	"time"

	"github.com/irconform/irconform/reports"
)

// FaultLabel marks the fault-matrix specs (a backend fault held, then cleared), whose time
// the operator's retry clock sets.
const FaultLabel = "faults"

// SuiteRun is what one run of the whole suite measured.
type SuiteRun struct {
	WallSeconds float64 `json:"wall_seconds"`
	Specs       int     `json:"specs"`
	Passed      int     `json:"passed"`
	Failed      int     `json:"failed"`
	// SpecSeconds is the sum of the specs' own times (each one's setup and teardown included).
	SpecSeconds  float64 `json:"spec_seconds"`
	SpecDuration Stats   `json:"spec_duration"`
	// Spine: the BOOT-, MGMT- and STATUS- specs on their own.
	SpineSeconds  float64 `json:"spine_seconds"`
	SpineDuration Stats   `json:"spine_duration"`
	// FaultSeconds: the specs labelled faults together (the fault matrix).
	FaultSpecs   int     `json:"fault_specs"`
	FaultSeconds float64 `json:"fault_seconds"`
	// PerBehavior: seconds of spec time per behaviour ID (a spec checking two IDs counts for both).
	PerBehavior map[string]float64 `json:"per_behavior_seconds"`
}

// Figures measures one run from its report; wall is the run's wall-clock time as the caller saw
// it (process start to exit, envtest start included).
func Figures(run reports.Run, wall time.Duration) SuiteRun {
	f := SuiteRun{WallSeconds: wall.Seconds(), PerBehavior: map[string]float64{}}
	var all, spine []time.Duration
	for _, s := range run.Specs {
		if s.Result != reports.Passed && s.Result != reports.Failed {
			continue // not run
		}
		d := s.Duration.Std()
		f.Specs++
		f.SpecSeconds += d.Seconds()
		all = append(all, d)
		if s.Result == reports.Passed {
			f.Passed++
		} else {
			f.Failed++
		}
		if isSpine(s.Behaviors) {
			f.SpineSeconds += d.Seconds()
			spine = append(spine, d)
		}
		for _, l := range s.Labels {
			if l == FaultLabel {
				f.FaultSpecs++
				f.FaultSeconds += d.Seconds()
			}
		}
		for _, id := range s.Behaviors {
			f.PerBehavior[id] += d.Seconds()
		}
	}
	f.SpecDuration, f.SpineDuration = Summarize(all), Summarize(spine)
	return f
}

// isSpine: the spec checks a BOOT-, MGMT- or STATUS- behaviour.
func isSpine(ids []string) bool {
	for _, id := range ids {
		if strings.HasPrefix(id, "BOOT-") || strings.HasPrefix(id, "MGMT-") || strings.HasPrefix(id, "STATUS-") {
			return true
		}
	}
	return false
}

// Flakes are the specs whose result differed across runs of one selection: they failed in
// some runs and passed in others.
type Flakes struct {
	Runs int `json:"runs"`
	// FailedRuns counts runs with at least one failed spec.
	FailedRuns int `json:"failed_runs"`
	// Count is the number of flaky specs; Specs names them with their failures per run.
	Count int         `json:"count"`
	Specs []FlakySpec `json:"specs,omitempty"`
	// AlwaysFailed are specs that failed in every run: not flaky, broken. Each with the first
	// line of its failure in every run (object, field, want and seen).
	AlwaysFailed []FlakySpec `json:"always_failed,omitempty"`
}

// FlakySpec is one flaky spec.
type FlakySpec struct {
	Name     string   `json:"name"`
	Failed   int      `json:"failed"`
	Passed   int      `json:"passed"`
	Failures []string `json:"failures"`
}

// FindFlakes compares the runs spec by spec.
func FindFlakes(runs []reports.Run) Flakes {
	out := Flakes{Runs: len(runs)}
	type tally struct {
		passed, failed int
		failures       []string
	}
	byName := map[string]*tally{}
	for _, r := range runs {
		failed := false
		for _, s := range r.Specs {
			t := byName[s.Name]
			if t == nil {
				t = &tally{}
				byName[s.Name] = t
			}
			switch s.Result {
			case reports.Passed:
				t.passed++
			case reports.Failed:
				t.failed++
				failed = true
				first, _, _ := strings.Cut(s.Failure, "\n")
				t.failures = append(t.failures, first)
			}
		}
		if failed {
			out.FailedRuns++
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := byName[n]
		switch {
		case t.failed > 0 && t.passed > 0:
			out.Specs = append(out.Specs, FlakySpec{Name: n, Failed: t.failed, Passed: t.passed, Failures: t.failures})
		case t.failed > 0:
			out.AlwaysFailed = append(out.AlwaysFailed, FlakySpec{Name: n, Failed: t.failed, Failures: t.failures})
		}
	}
	out.Count = len(out.Specs)
	return out
}

// Slowest returns the n behaviour IDs with the most spec time, slowest first.
func Slowest(per map[string]float64, n int) []string {
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return per[ids[i]] > per[ids[j]] || per[ids[i]] == per[ids[j]] && ids[i] < ids[j] })
	if len(ids) > n {
		ids = ids[:n]
	}
	return ids
}
