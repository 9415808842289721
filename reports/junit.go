package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// JUnit XML, in the shape Jenkins, GitLab, GitHub test reporters and junit2html read.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitCDATA   `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitCDATA struct {
	Text string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func secs(d Duration) string { return fmt.Sprintf("%.3f", float64(d)) }

// xmlSafe drops characters XML 1.0 cannot carry (control characters, invalid UTF-8).
func xmlSafe(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError && n == 1 {
			b.WriteRune('\uFFFD')
			continue
		}
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// JUnit renders run as JUnit XML (redacted): one testsuite per area.
func JUnit(run Run) ([]byte, error) {
	run = run.Redacted(DefaultRedactor())
	areas, total := Tally(run)
	props := []junitProperty{
		{"irconform.schema", SchemaVersion},
		{"target.kind", run.Target.Kind},
	}
	for _, p := range []junitProperty{
		{"target.server", run.Target.Server},
		{"target.platform", run.Target.Platform},
		{"target.version", run.Target.Version},
		{"target.mode", run.Target.Mode},
	} {
		if p.Value != "" {
			props = append(props, p)
		}
	}
	if len(run.Simulated) > 0 {
		props = append(props, junitProperty{"simulated", strings.Join(run.Simulated, "; ")})
	}
	if sel := run.Selection; sel != nil {
		props = append(props, junitProperty{"selection.partial", fmt.Sprint(sel.Partial)},
			junitProperty{"selection.selected", fmt.Sprintf("%d of %d", sel.Selected, sel.Total)})
		if d := sel.Describe(); d != "" {
			props = append(props, junitProperty{"selection", d})
		}
	}
	ts := ""
	if !run.StartedAt.IsZero() {
		ts = run.StartedAt.UTC().Format(time.RFC3339)
	}
	doc := junitSuites{
		Name: "irconform", Tests: total.Total, Failures: total.Failed, Skipped: total.Skipped,
		Time: secs(run.Duration),
	}
	if run.Duration == 0 {
		doc.Time = secs(total.Duration)
	}
	for _, ac := range areas {
		suite := junitSuite{
			Name: ac.Area, Tests: ac.Total, Failures: ac.Failed, Skipped: ac.Skipped,
			Time: secs(ac.Duration), Timestamp: ts, Properties: props,
		}
		for _, s := range run.Specs {
			if areaOf(s) != ac.Area {
				continue
			}
			tc := junitCase{
				Name: xmlSafe(DisplayName(s)), Classname: ac.Area, Time: secs(s.Duration),
				File: xmlSafe(fileOf(s.Source)),
			}
			var out []string
			if s.Source != "" {
				out = append(out, "source: "+s.Source)
			}
			if len(s.Labels) > 0 {
				out = append(out, "labels: "+strings.Join(s.Labels, ", "))
			}
			switch s.Result {
			case Failed:
				typ := "failed"
				sts := Statements(s)
				msg := FirstLine(firstNonEmpty(strings.Join(sts, "\n"), s.Failure), 300)
				if IsNotHonoured(run, s) {
					typ = "divergence-not-honoured"
					msg = "documented behaviour not honoured: " + msg
				}
				// Every statement first, then the whole message with its dumps.
				text := s.Failure
				if len(sts) > 0 && !strings.HasPrefix(strings.TrimSpace(s.Failure), strings.Join(sts, "\n")) {
					text = strings.Join(sts, "\n") + "\n\n" + s.Failure
				}
				if s.FailureLocation != "" {
					text += "\n\nat " + s.FailureLocation
				}
				tc.Failure = &junitFailure{Message: xmlSafe(msg), Type: typ, Text: xmlSafe(text)}
			case Skipped, Pending:
				reason := s.SkipReason
				if reason == "" {
					reason = string(s.Result)
				}
				tc.Skipped = &junitSkipped{Message: xmlSafe(reason)}
			}
			if len(out) > 0 {
				tc.SystemOut = &junitCDATA{Text: xmlSafe(strings.Join(out, "\n"))}
			}
			suite.Cases = append(suite.Cases, tc)
		}
		doc.Suites = append(doc.Suites, suite)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// WriteJUnit writes run as junit.xml.
func WriteJUnit(path string, run Run) error {
	data, err := JUnit(run)
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return writeFileAtomic(path, data)
}

// fileOf strips ":line" from "file:line".
func fileOf(src string) string {
	if i := strings.LastIndexByte(src, ':'); i > 0 {
		if _, err := fmt.Sscanf(src[i+1:], "%d", new(int)); err == nil {
			return src[:i]
		}
	}
	return src
}
