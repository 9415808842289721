package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/irconform/irconform/reports"
)

func run(results ...reports.Result) reports.Run {
	var r reports.Run
	for i, res := range results {
		name := string(rune('a' + i))
		s := reports.Spec{Name: name, Result: res, Duration: 1, Behaviors: []string{"BOOT-001"}, Labels: []string{"BOOT-001"}}
		if i == 1 {
			s.Behaviors, s.Labels = []string{"S3-002", "STOR-001"}, []string{"S3-002", "STOR-001", FaultLabel}
			s.Duration = 2
		}
		if res == reports.Failed {
			s.Failure = "Config cluster spec: is x, want y\nmore"
		}
		r.Specs = append(r.Specs, s)
	}
	return r
}

func TestFigures(t *testing.T) {
	f := Figures(run(reports.Passed, reports.Passed, reports.Skipped, reports.Failed), 3*time.Second)
	if f.Specs != 3 || f.Passed != 2 || f.Failed != 1 || f.WallSeconds != 3 || f.SpecSeconds != 4 {
		t.Errorf("counts %+v", f)
	}
	if f.FaultSpecs != 1 || f.FaultSeconds != 2 || f.SpineSeconds != 2 {
		t.Errorf("fault matrix %d specs %.0f s, spine %.0f s; want 1, 2, 2", f.FaultSpecs, f.FaultSeconds, f.SpineSeconds)
	}
	if f.PerBehavior["BOOT-001"] != 2 || f.PerBehavior["S3-002"] != 2 || f.PerBehavior["STOR-001"] != 2 {
		t.Errorf("per behaviour %v", f.PerBehavior)
	}
	if got := Slowest(map[string]float64{"A-001": 1, "B-001": 3, "C-001": 2}, 2); strings.Join(got, ",") != "B-001,C-001" {
		t.Errorf("slowest %v", got)
	}
}

func TestFindFlakes(t *testing.T) {
	f := FindFlakes([]reports.Run{run(reports.Passed, reports.Failed, reports.Failed), run(reports.Passed, reports.Passed, reports.Failed)})
	if f.Runs != 2 || f.FailedRuns != 2 || f.Count != 1 || f.Specs[0].Name != "b" || f.Specs[0].Failed != 1 || f.Specs[0].Passed != 1 {
		t.Fatalf("flakes %+v", f)
	}
	if f.Specs[0].Failures[0] != "Config cluster spec: is x, want y" {
		t.Errorf("failure %q: want its first line", f.Specs[0].Failures[0])
	}
	if len(f.AlwaysFailed) != 1 || f.AlwaysFailed[0].Name != "c" || f.AlwaysFailed[0].Failed != 2 {
		t.Errorf("always failed %+v", f.AlwaysFailed)
	} else if got := f.AlwaysFailed[0].Failures; len(got) != 2 || got[0] != "Config cluster spec: is x, want y" {
		t.Errorf("always failed %q: want the first line of each run's failure", got)
	}
}

func TestChainsawTest(t *testing.T) {
	y := chainsawTest(3)
	for _, want := range []string{"skipDelete: true", "name: replicas-2", "replicas: 4", "kind: Deployment"} {
		if !strings.Contains(y, want) {
			t.Errorf("chainsaw test lacks %q:\n%s", want, y)
		}
	}
	for i := 1; i < 10; i++ {
		if chainsawStepReplicas(i) == chainsawStepReplicas(i-1) {
			t.Errorf("step %d sets what step %d set: no change to wait for", i, i-1)
		}
	}
}

func TestChainsawReport(t *testing.T) {
	var r chainsawReport
	data := `{"tests":[{"name":"irconform-replicas","steps":[
	  {"name":"replicas-0","startTime":"2026-12-01T10:00:00Z","endTime":"2026-12-01T10:00:00.120Z","operations":[{"type":"patch"},{"type":"assert"}]},
	  {"name":"replicas-1","startTime":"2026-12-01T10:00:01Z","endTime":"2026-12-01T10:00:01.105Z","operations":[{"type":"patch"},{"type":"assert"}]}]}]}`
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		t.Fatal(err)
	}
	ds, err := r.stepDurations()
	if err != nil || len(ds) != 2 || ds[0] != 120*time.Millisecond || ds[1] != 105*time.Millisecond {
		t.Fatalf("steps %v, %v; want 120ms and 105ms", ds, err)
	}
	bad := strings.Replace(data, `{"type":"assert"}]}]}]}`, `{"type":"assert","failure":{"error":"replicas: want 3, got 2"}}]}]}]}`, 1)
	if err := json.Unmarshal([]byte(bad), &r); err != nil {
		t.Fatal(err)
	}
	if _, err := r.stepDurations(); err == nil || !strings.Contains(err.Error(), "want 3, got 2") {
		t.Errorf("a failed assert: %v, want an error quoting chainsaw's", err)
	}
}
