package reports

import (
	"encoding/xml"
	"strings"
	"testing"
)

type jSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnit(t *testing.T) {
	for _, kind := range []string{"envtest", "live"} {
		t.Run(kind, func(t *testing.T) {
			path := tempPath(t, "junit.xml")
			if err := WriteJUnit(path, fixtureRun(kind)); err != nil {
				t.Fatal(err)
			}
			raw := readFile(t, path)
			assertNoSecrets(t, "junit.xml", raw)
			if !strings.HasPrefix(raw, "<?xml") {
				t.Fatal("no XML header")
			}
			var doc jSuites
			if err := xml.Unmarshal([]byte(raw), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Tests != 6 || doc.Failures != 2 || doc.Skipped != 2 {
				t.Fatalf("totals tests=%d failures=%d skipped=%d", doc.Tests, doc.Failures, doc.Skipped)
			}
			var names []string
			cases := 0
			for _, s := range doc.Suites {
				names = append(names, s.Name)
				if s.Tests != len(s.Cases) {
					t.Errorf("suite %s: tests=%d but %d cases", s.Name, s.Tests, len(s.Cases))
				}
				props := map[string]string{}
				for _, p := range s.Properties {
					props[p.Name] = p.Value
				}
				if props["target.kind"] != kind || props["target.platform"] != "AWS" {
					t.Errorf("suite %s properties %v", s.Name, props)
				}
				for _, c := range s.Cases {
					cases++
					if c.Classname != s.Name {
						t.Errorf("classname %q in suite %q", c.Classname, s.Name)
					}
					switch {
					case strings.Contains(c.Name, "AWS configures"):
						if c.Name != "[BOOT-004, BOOT-005] bootstrap on AWS configures S3 storage" || c.Failure == nil || c.Time != "2.100" {
							t.Errorf("failed case: %+v", c)
						}
						if !strings.Contains(c.Failure.Message, "does not match") || !strings.Contains(c.Failure.Text, "specs/boot_test.go:77") {
							t.Errorf("failure %+v", c.Failure)
						}
					case strings.Contains(c.Name, "pruner"):
						want := "failed"
						if kind == "live" {
							want = "divergence-not-honoured"
						}
						if c.Failure == nil || c.Failure.Type != want {
							t.Errorf("divergence case %+v", c.Failure)
						}
					case strings.Contains(c.Name, "S3 managed"):
						if c.Skipped == nil || !strings.Contains(c.Skipped.Message, "needs platform AWS") {
							t.Errorf("skipped case %+v", c)
						}
					case strings.Contains(c.Name, "Managed installs"):
						if c.Skipped == nil || c.Skipped.Message != "pending" {
							t.Errorf("pending case %+v", c)
						}
					}
				}
			}
			if strings.Join(names, ",") != "BOOT,MGMT,PRUNE,S3,OTHER" {
				t.Errorf("suites %v", names)
			}
			if cases != 6 {
				t.Errorf("%d cases", cases)
			}
		})
	}
}

func TestXMLSafe(t *testing.T) {
	if got := xmlSafe("a\x00b\x1bc\td\xff"); got != "abc\td\uFFFD" {
		t.Fatalf("%q", got)
	}
	raw, err := JUnit(Run{Specs: []Spec{{Name: "ctl\x01", Result: Failed, Failure: "bad \x07 byte ]]> <tag> &amp;\nline 2"}}})
	if err != nil {
		t.Fatal(err)
	}
	var doc jSuites
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Suites[0].Cases[0].Failure.Text; got != "bad  byte ]]> <tag> &amp;\nline 2" {
		t.Fatalf("failure text %q", got)
	}
}
