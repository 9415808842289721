package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// FileFleet is the fleet page's file name.
const FileFleet = "fleet.html"

// Cluster is one cluster's run in a fleet report.
type Cluster struct {
	// Name is how a person calls the cluster (given, or taken from the report's folder).
	Name string
	Run  Run
}

// ReadCluster reads a report.json for a fleet report. arg is PATH or NAME=PATH; without a
// name, the cluster is named after the report's folder (or its API server's host when the
// folder says nothing, as "latest" or a timestamp would).
func ReadCluster(arg string) (Cluster, error) {
	name, path, named := strings.Cut(arg, "=")
	if !named {
		path, name = arg, ""
	}
	run, err := ReadJSON(path)
	if err != nil {
		return Cluster{}, err
	}
	if name == "" {
		name = filepath.Base(filepath.Dir(path))
		if abs, err := filepath.Abs(path); err == nil {
			name = filepath.Base(filepath.Dir(abs))
		}
		if (name == "latest" || name == "." || name == "/" || looksLikeTimestamp(name)) && run.Target.Server != "" {
			if u, err := url.Parse(run.Target.Server); err == nil && u.Host != "" {
				name = u.Host
			}
		}
	}
	return Cluster{Name: name, Run: run}, nil
}

func looksLikeTimestamp(s string) bool {
	return len(s) == len("20060102T150405Z") && strings.HasSuffix(s, "Z") && s[8] == 'T'
}

// Cell states in a fleet matrix, worst first.
const (
	cellFail  = "fail" // a spec failed
	cellDoc   = "doc"  // only documented-but-not-honoured (divergence) failures
	cellPass  = "pass" // at least one pass, no failure
	cellSkip  = "skip" // every spec skipped
	cellEmpty = "none" // no spec of this area ran
)

type fleetCell struct {
	State                   string
	Passed, Failed, Skipped int
	NotHonoured             int
	Title                   string // tooltip: what failed, first lines
	Majority                bool   // the cell agrees with most clusters
	Findings                []string
}

type fleetRow struct {
	Index                          int
	Name, Version, Platform, Mode  string
	Server                         string
	Cells                          []fleetCell
	Passed, Failed, Skipped, NotHo int
	Drift                          int // areas where this cluster differs from the majority
	Verdict, VerdictCls            string
	Failures                       []fleetFailure
}

type fleetFailure struct {
	Area, Name, First string
	Behaviors         []string
	NotHonoured       bool
}

type fleetColumn struct {
	Area    string
	Drifted bool
	States  string // e.g. "3 pass, 1 fail"
}

type fleetPage struct {
	Title   string
	Columns []fleetColumn
	Rows    []fleetRow
	Drifted int
}

// counts reports whether a spec counts in a fleet matrix: on live runs the live specs only
// (the envtest-only ones are skipped everywhere and say nothing about a cluster).
func countsInFleet(run Run, s Spec) bool {
	if run.Target.Kind == "live" {
		return slices.Contains(s.Labels, "live")
	}
	return true
}

//go:embed fleet.html.tmpl
var fleetTemplateText string

// Fleet renders one page for many clusters' runs: a row per cluster (name, version,
// platform), a column per behaviour area, each cell the area's verdict on that cluster.
// Columns where clusters disagree are marked as drift, and so are the cells that differ
// from the majority, so a fleet's drift shows at a glance.
func Fleet(clusters []Cluster) ([]byte, error) {
	tmpl, err := template.New("fleet").Parse(fleetTemplateText)
	if err != nil {
		return nil, fmt.Errorf("fleet template: %w", err)
	}
	redactor := DefaultRedactor()
	redacted := make([]Cluster, len(clusters))
	for i, c := range clusters {
		redacted[i] = Cluster{Name: redactor.Redact(c.Name), Run: c.Run.Redacted(redactor)}
	}
	clusters = redacted
	areaSet := map[string]bool{}
	for _, c := range clusters {
		for _, s := range c.Run.Specs {
			if countsInFleet(c.Run, s) {
				areaSet[s.Area] = true
			}
		}
	}
	var areas []string
	for a := range areaSet {
		areas = append(areas, a)
	}
	sort.Strings(areas)

	page := fleetPage{Title: fmt.Sprintf("irconform fleet: %d clusters", len(clusters))}
	for i, c := range clusters {
		row := fleetRow{Index: i, Name: c.Name, Version: orDash(c.Run.Target.Version), Platform: orDash(c.Run.Target.Platform),
			Mode: orDash(c.Run.Target.Mode), Server: c.Run.Target.Server}
		cells := map[string]*fleetCell{}
		for _, a := range areas {
			cells[a] = &fleetCell{}
		}
		for _, s := range c.Run.Specs {
			if !countsInFleet(c.Run, s) {
				continue
			}
			cell := cells[s.Area]
			switch s.Result {
			case Passed:
				cell.Passed++
				row.Passed++
			case Failed:
				first, _, _ := strings.Cut(s.Failure, "\n")
				f := fleetFailure{Area: s.Area, Name: s.Name, First: first, Behaviors: s.Behaviors, NotHonoured: s.Divergence}
				row.Failures = append(row.Failures, f)
				cell.Findings = append(cell.Findings, strings.Join(s.Behaviors, " ")+": "+first)
				if s.Divergence {
					cell.NotHonoured++
					row.NotHo++
				} else {
					cell.Failed++
					row.Failed++
				}
			default:
				cell.Skipped++
				row.Skipped++
			}
		}
		for _, a := range areas {
			cell := cells[a]
			switch {
			case cell.Failed > 0:
				cell.State = cellFail
			case cell.NotHonoured > 0:
				cell.State = cellDoc
			case cell.Passed > 0:
				cell.State = cellPass
			case cell.Skipped > 0:
				cell.State = cellSkip
			default:
				cell.State = cellEmpty
			}
			cell.Title = fmt.Sprintf("%s on %s: %d passed, %d failed, %d not honoured, %d skipped", a, c.Name, cell.Passed, cell.Failed, cell.NotHonoured, cell.Skipped)
			if len(cell.Findings) > 0 {
				cell.Title += "\n" + strings.Join(cell.Findings, "\n")
			}
			row.Cells = append(row.Cells, *cell)
		}
		switch {
		case row.Failed > 0:
			row.Verdict, row.VerdictCls = "FAIL", "bad"
		case row.NotHo > 0:
			row.Verdict, row.VerdictCls = "PASS, not honoured", "warn"
		default:
			row.Verdict, row.VerdictCls = "PASS", "ok"
		}
		page.Rows = append(page.Rows, row)
	}
	// Drift: per column, the most common state (ties: the worst) is the fleet's norm; every
	// cell that differs is drift, and so is the column.
	order := []string{cellFail, cellDoc, cellPass, cellSkip, cellEmpty}
	for j, a := range areas {
		tally := map[string]int{}
		for _, r := range page.Rows {
			tally[r.Cells[j].State]++
		}
		norm, best := "", -1
		for _, st := range order {
			if tally[st] > best {
				norm, best = st, tally[st]
			}
		}
		col := fleetColumn{Area: a, Drifted: len(tally) > 1}
		var parts []string
		for _, st := range order {
			if tally[st] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", tally[st], st))
			}
		}
		col.States = strings.Join(parts, ", ")
		if col.Drifted {
			page.Drifted++
		}
		for i := range page.Rows {
			cell := &page.Rows[i].Cells[j]
			cell.Majority = cell.State == norm
			if !cell.Majority {
				page.Rows[i].Drift++
			}
		}
		page.Columns = append(page.Columns, col)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("fleet page: %w", err)
	}
	return buf.Bytes(), nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// WriteFleet writes the fleet page to path.
func WriteFleet(path string, clusters []Cluster) error {
	page, err := Fleet(clusters)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, page, 0o644)
}
