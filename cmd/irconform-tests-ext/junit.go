package main

import (
	"encoding/xml"
	"os"
	"path/filepath"

	"github.com/irconform/irconform/internal/ote"
)

// writeJUnit writes results as one JUnit test suite (run-suite --junit-path).
func writeJUnit(path string, results []*ote.Result) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Body    string `xml:",chardata"`
	}
	type skipped struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Time      float64  `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Skipped   *skipped `xml:"skipped,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	s := testsuite{Name: "irconform"}
	for _, r := range results {
		c := testcase{Name: r.Name, Time: float64(r.Duration) / 1000}
		s.Tests++
		switch r.Result {
		case ote.Failed:
			s.Failures++
			c.Failure = &failure{Message: r.Error, Body: r.Error}
		case ote.Skipped:
			s.Skipped++
			c.Skipped = &skipped{Message: r.Output}
		default:
			c.SystemOut = r.Output
		}
		s.Cases = append(s.Cases, c)
	}
	out, err := xml.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), out...), 0o644)
}
