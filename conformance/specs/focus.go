package specs

import (
	"fmt"
	"regexp"
	"regexp/syntax"
)

// SuiteName is the description the entry points give RunSpecs.
const SuiteName = "irconform conformance"

// FocusOnNames rewrites focus (or skip) regular expressions so that they are matched against
// a spec's own name, as users expect (`--focus '^scenario x'`, or `--focus conformance`
// selecting nothing but specs named so). Ginkgo matches them against the suite's description,
// a space, and the spec's name; each pattern P becomes
//
//	^<description> (?:P with ^ matching here | .+? followed by P with ^ never matching)
//
// which matches that text exactly when P matches somewhere in the name.
func FocusOnNames(description string, patterns []string) ([]string, error) {
	var out []string
	for _, p := range patterns {
		re, err := syntax.Parse(p, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("focus %q is not a regular expression: %w", p, err)
		}
		atStart := replaceBegin(re, &syntax.Regexp{Op: syntax.OpEmptyMatch})
		later := replaceBegin(re, &syntax.Regexp{Op: syntax.OpNoMatch})
		out = append(out, fmt.Sprintf("^%s(?:%s|(?s:.+?)(?:%s))", regexp.QuoteMeta(description+" "), atStart, later))
	}
	return out, nil
}

// replaceBegin returns a copy of re with every ^ (start of text or of line: spec names have
// one line) replaced by with.
func replaceBegin(re *syntax.Regexp, with *syntax.Regexp) *syntax.Regexp {
	if re.Op == syntax.OpBeginText || re.Op == syntax.OpBeginLine {
		return with
	}
	cp := *re
	cp.Sub = make([]*syntax.Regexp, len(re.Sub))
	for i, s := range re.Sub {
		cp.Sub[i] = replaceBegin(s, with)
	}
	return &cp
}
