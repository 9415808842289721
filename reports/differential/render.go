package differential

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/reports/catalogue"
)

// ReadClassifications reads classifications.yaml (a missing file is an empty list).
func ReadClassifications(path string) (Classifications, error) {
	var c Classifications
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ReadSummary reads a summary file.
func ReadSummary(path string) (Summary, error) {
	var s Summary
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	if s.Schema != SchemaVersion {
		return s, fmt.Errorf("%s: schema %q, want %q", path, s.Schema, SchemaVersion)
	}
	return s, nil
}

// WriteSummary writes s as indented JSON (stable: rows in catalogue order).
func WriteSummary(path string, s Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(path, append(b, '\n'))
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// SummaryName is the committed summary's file name for an upstream build key: the first 12
// characters of the commit.
func SummaryName(key string) string {
	if len(key) > 12 && !strings.HasPrefix(key, "tree-") {
		key = key[:12]
	}
	return key + ".json"
}

// WriteMarkdown writes the summary as a Markdown page.
func WriteMarkdown(path string, s Summary, cat catalogue.Catalogue) error {
	return writeFile(path, []byte(Markdown(s, cat)))
}

// Markdown renders the summary for people: counts, what each class means, and one row per
// behaviour with both results and the reason.
func Markdown(s Summary, cat catalogue.Catalogue) string {
	var b strings.Builder
	rev := s.Upstream.Key
	if s.Upstream.Commit != "" {
		rev = s.Upstream.Commit
	}
	short := rev
	if len(short) > 12 && !strings.HasPrefix(short, "tree-") {
		short = short[:12]
	}
	fmt.Fprintf(&b, "# The suite against the real upstream operator\n\n")
	fmt.Fprintf(&b, "The conformance suite was run twice on the same envtest world: against the reference operator "+
		"(in-process) and against the upstream operator, %s at `%s`, built from source and run as its own process "+
		"(`make upstream-conformance`). This page compares the two per behaviour. It is generated from "+
		"`reports/upstream/%s` and `reports/upstream/classifications.yaml`; do not edit it by hand.\n\n",
		s.Upstream.Repository, short, SummaryName(s.Upstream.Key))
	total := len(s.Behaviors)
	b.WriteString("| class | behaviours | share |\n|---|---:|---:|\n")
	for _, c := range Classes() {
		if n := s.Counts[c]; n > 0 || c != Unclassified {
			fmt.Fprintf(&b, "| %s | %d | %.0f%% |\n", c, n, 100*float64(n)/float64(max(total, 1)))
		}
	}
	fmt.Fprintf(&b, "| **total** | **%d** | |\n\n", total)
	b.WriteString(`What the classes mean:

- **agrees**: every spec of the behaviour that could run against the upstream operator passed, as it does against the reference.
- **divergence**: the catalogue already says the upstream operator does not do what the documents say (DIVERGES); its ` + "`divergence`" + ` specs, which check the documents, fail against it.
- **upstream differs**: a divergence this comparison found; the catalogue now carries it as DIVERGES, with the evidence below.
- **catalogue**: the catalogue was wrong about the upstream operator; the rule and its specs were fixed (the reason says what changed).
- **harness**: envtest or the fakes lack what the behaviour needs (named); the upstream result says nothing about the behaviour.

Results are per behaviour over its specs: *passed*, *failed* (at least one spec failed), *partial* (the rest passed, some could not run against an operator process), *skipped* (none could).

| ID | reference | upstream | class | why |
|---|---|---|---|---|
`)
	for _, r := range s.Behaviors {
		why := r.Reason
		if r.Lacks != "" {
			why = strings.TrimSpace(why + " Lacks: " + r.Lacks)
		}
		if r.Evidence != "" {
			why = strings.TrimSpace(why + " Evidence: " + r.Evidence)
		}
		id := r.ID
		if _, ok := cat.Lookup(r.ID); !ok {
			id += " (not in the catalogue)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", id, cell(r.Reference, r.Specs, func(s Spec) Result { return s.Reference }),
			cell(r.Upstream, r.Specs, func(s Spec) Result { return s.Upstream }), r.Class, mdEscape(why))
	}
	return b.String()
}

// cell is "passed 3/3", "failed 1/3", "partial 2/3": the result and how many specs passed of
// those that exist.
func cell(res Result, specs []Spec, of func(Spec) Result) string {
	if res == NotRun {
		return string(res)
	}
	passed, n := 0, 0
	for _, s := range specs {
		if of(s) == NotRun {
			continue
		}
		n++
		if of(s) == Passed {
			passed++
		}
	}
	return fmt.Sprintf("%s %d/%d", res, passed, n)
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
