// Package behaviorid is the one definition of a behaviour ID ("S3-003", "BOOT-011"): an
// area of capital letters and digits starting with a letter, a dash, three digits. The
// catalogue, the specs' labels, the reports, the scenario linter and schema all use it, so
// that what counts as an ID cannot drift between them.
package behaviorid

import (
	"regexp"
	"strings"
)

// Pattern is the anchored regular expression of one ID (also written into the scenario
// JSON Schema).
const Pattern = `^` + Expr + `$`

// Expr is the ID without anchors, to build larger expressions from (a list of IDs).
const Expr = `[A-Z][A-Z0-9]*-[0-9]{3}`

var (
	exact  = regexp.MustCompile(Pattern)
	inText = regexp.MustCompile(Expr)
)

// Valid reports whether s is exactly one behaviour ID.
func Valid(s string) bool { return exact.MatchString(s) }

// Area returns the area of an ID ("S3" for "S3-003"); "" when s is not an ID.
func Area(s string) string {
	if !Valid(s) {
		return ""
	}
	return s[:strings.LastIndexByte(s, '-')]
}

// Filter returns the labels that are IDs, in their order.
func Filter(labels []string) []string {
	var ids []string
	for _, l := range labels {
		if Valid(l) {
			ids = append(ids, l)
		}
	}
	return ids
}

// FindAll returns every ID written in text, in order, duplicates kept. An ID glued to other
// ID characters is not one: "BOOT-0011", "aS3-003" and "STOR-S3-008" hold no ID.
func FindAll(text string) []string {
	var ids []string
	for _, m := range inText.FindAllStringIndex(text, -1) {
		if m[0] > 0 && idChar(text[m[0]-1]) || m[1] < len(text) && idChar(text[m[1]]) {
			continue
		}
		ids = append(ids, text[m[0]:m[1]])
	}
	return ids
}

func idChar(c byte) bool {
	return c == '-' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
