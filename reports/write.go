package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/irconform/irconform/reports/catalogue"
)

// File names written by WriteAll and WriteDerived.
const (
	FileJSON     = "report.json"
	FileJUnit    = "junit.xml"
	FileMarkdown = "report.md"
	FileHTML     = "report.html"
	FileCoverage = "coverage.json"
)

// WriteAll writes report.json, junit.xml, report.md, report.html and coverage.json into dir
// (created if needed). Every text is redacted with DefaultRedactor.
func WriteAll(dir string, run Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	jerr := WriteJSON(filepath.Join(dir, FileJSON), run)
	return errors.Join(jerr, WriteDerived(dir, run))
}

// WriteDerived writes every report except report.json (junit.xml, report.md, report.html,
// coverage.json) into dir: what `irconform report` produces from an existing report.json.
func WriteDerived(dir string, run Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if run.Schema == "" {
		run.Schema = SchemaVersion
	}
	var errs []error
	cat, err := catalogue.Load()
	if err != nil {
		errs = append(errs, err) // still write what does not need the catalogue
	}
	cov := Coverage(cat, run)
	AttachCode(&cov, sourceIndex())
	errs = append(errs,
		WriteJUnit(filepath.Join(dir, FileJUnit), run),
		writeFileAtomic(filepath.Join(dir, FileMarkdown), []byte(Markdown(run, cov))),
		WriteHTML(filepath.Join(dir, FileHTML), run, cov),
		WriteCoverageJSON(filepath.Join(dir, FileCoverage), cov),
	)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("writing reports into %s: %w", dir, err)
	}
	return nil
}

// Links in the reports folder: latest points at the last full run, latest-partial at the
// last run whose selection left specs out (--focus, --label-filter). A partial run never
// moves latest: it says nothing about the specs it did not run.
const (
	LatestLink        = "latest"
	LatestPartialLink = "latest-partial"
)

// UpdateLatest makes baseDir/latest a symlink to runDir; see UpdateLink.
func UpdateLatest(baseDir, runDir string) error { return UpdateLink(baseDir, LatestLink, runDir) }

// UpdateLink makes baseDir/name a symlink to runDir (relative when runDir is inside baseDir),
// replacing any previous link atomically (a new link renamed over the old one).
func UpdateLink(baseDir, name, runDir string) error {
	if err := os.MkdirAll(baseDir, 0o755); err != nil {
		return err
	}
	target := runDir
	absBase, err1 := filepath.Abs(baseDir)
	absRun, err2 := filepath.Abs(runDir)
	if err1 == nil && err2 == nil {
		target = absRun
		if rel, err := filepath.Rel(absBase, absRun); err == nil && filepath.IsLocal(rel) {
			target = rel
		}
	}
	latest := filepath.Join(baseDir, name)
	if fi, err := os.Lstat(latest); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		return fmt.Errorf("%s exists and is not a symlink: not replacing it", latest)
	}
	tmp := filepath.Join(baseDir, fmt.Sprintf(".%s.tmp-%d", name, os.Getpid()))
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, latest); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
