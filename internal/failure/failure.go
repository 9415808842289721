// Package failure shapes failure messages so that they read failure first: every failing
// check starts with one line naming what was checked, what it is and what it should be,
//
//	Config cluster spec.replicas: is 1, want 3 (MGMT-002)
//
// and whatever helps to see why (an object dump, the matcher's own text, a diff) follows,
// indented. Reports rely on that shape: unindented lines are statements and are all shown
// first (Headlines); indented lines are evidence, shown after.
//
// Rewrite turns Gomega's messages ("desc\nExpected\n    <int32>: 1\nto equal\n    <int32>: 3")
// into that shape, so that a spec only has to give its assertions a description naming the
// object and field.
package failure

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/irconform/irconform/internal/behaviorid"
)

// Indent is the indentation of evidence under a statement.
const Indent = "    "

// MaxValue is the most runes of a value shown on a statement line; the full value stays in
// the evidence below.
const MaxValue = 120

var (
	asyncPreamble = regexp.MustCompile(`^(Timed out|Failed) after [0-9.]+m?s\.$`)
	typeTag       = regexp.MustCompile(`^<[^>]*>: ?`)
	stillNotTrue  = regexp.MustCompile(`^still not true after ([^:]+): `)
	// a statement already in shape: "subject: is X, want Y" (or "…, which does not …").
	statement = regexp.MustCompile(`: is .*(, want |, which )`)
	idSuffix  = regexp.MustCompile(`\((` + behaviorid.Expr + `)(, ` + behaviorid.Expr + `)*\)$`)
)

// Rewrite puts msg in shape: a statement line first, then the rest indented as evidence.
// Gomega's messages get a statement built from their description and values; any other
// message is kept as it is. ids (behaviour IDs) are appended to the
// statement as " (ID, ...)" unless it already ends with them.
func Rewrite(msg string, ids []string) string {
	msg = strings.TrimRight(msg, "\n")
	head, evidence := gomegaStatement(msg)
	if head == "" {
		lines := strings.Split(msg, "\n")
		head, evidence = lines[0], lines[1:]
	}
	head = WithIDs(strings.TrimSpace(head), ids)
	return strings.Join(append([]string{head}, evidence...), "\n")
}

// WithIDs appends " (ID, ...)" to a statement unless it already ends with IDs.
func WithIDs(head string, ids []string) string {
	if len(ids) == 0 || idSuffix.MatchString(head) {
		return head
	}
	return head + " (" + strings.Join(ids, ", ") + ")"
}

// Headlines are the statements of a failure message: its unindented, non-empty lines, except
// lines that are evidence even at column 0 (diff lines "- x" / "+ x" / "@@", YAML list items,
// braces of a printed struct).
func Headlines(msg string) []string {
	var out []string
	for _, l := range strings.Split(msg, "\n") {
		if isEvidence(l) {
			continue
		}
		out = append(out, strings.TrimRight(l, " \r"))
	}
	return out
}

// HasEvidence tells whether msg has more than its statements.
func HasEvidence(msg string) bool {
	for _, l := range strings.Split(msg, "\n") {
		if strings.TrimSpace(l) != "" && isEvidence(l) {
			return true
		}
	}
	return false
}

func isEvidence(l string) bool {
	if strings.TrimSpace(l) == "" || strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
		return true
	}
	for _, p := range []string{"- ", "+ ", "-\t", "+\t", "@@", "--- ", "+++ ", "{", "}", "[", "]"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return l == "-" || l == "+"
}

// gomegaStatement parses a Gomega failure message. It returns "" when msg is not one.
func gomegaStatement(msg string) (string, []string) {
	lines := strings.Split(msg, "\n")
	var evidence []string
	i := 0
	if asyncPreamble.MatchString(lines[0]) {
		evidence = append(evidence, Indent+strings.TrimSuffix(strings.ToLower(lines[0][:1])+lines[0][1:], "."))
		i = 1
	}
	// Eventually(func(g Gomega) {...}): the inner assertion's message follows this line.
	for j := i; j < len(lines); j++ {
		if strings.HasPrefix(lines[j], "The function passed to ") && strings.HasSuffix(lines[j], " with:") {
			head, ev := gomegaStatement(strings.Join(lines[j+1:], "\n"))
			if head == "" {
				return "", nil
			}
			return head, append(ev, evidence...)
		}
	}
	body := -1
	for j := i; j < len(lines); j++ {
		switch l := lines[j]; {
		case l == "Expected", l == "Unexpected error:", l == "Expected success, but got an error:",
			strings.HasPrefix(l, "Expected an error to have occurred."):
			body = j
		}
		if body >= 0 {
			break
		}
	}
	if body < 0 {
		return "", nil
	}
	desc := strings.TrimSpace(strings.Join(lines[i:body], " "))
	subject := desc
	if subject == "" {
		subject = "value"
	}
	rest := lines[body+1:]
	switch l := lines[body]; {
	case l == "Expected":
		actual, n := block(rest)
		if n >= len(rest) {
			return "", nil
		}
		phrase := strings.TrimSpace(strings.TrimRight(rest[n], " |"))
		want, m := block(rest[n+1:])
		after := rest[n+1+m:]
		head := fmt.Sprintf("%s: is %s, want %s", subject, value(actual), wantPhrase(phrase, want))
		lossless := len(actual) == 1 && len(want) <= 1 && len(after) == 0 &&
			len([]rune(actual[0])) <= MaxValue && (len(want) == 0 || len([]rune(want[0])) <= MaxValue) &&
			!strings.Contains(actual[0], `\n`) && (len(want) == 0 || !strings.Contains(want[0], `\n`))
		if lossless {
			return head, evidence
		}
		return head, append(evidence, indentAll(lines[body:])...)
	case l == "Expected success, but got an error:", l == "Unexpected error:":
		wantText := "success"
		if l == "Unexpected error:" {
			wantText = "no error"
			if len(rest) > 0 && rest[len(rest)-1] == "occurred" {
				rest = rest[:len(rest)-1]
			}
		}
		errLines := errorText(rest)
		if len(errLines) == 0 {
			return "", nil
		}
		first := errLines[0]
		if m := stillNotTrue.FindStringSubmatch(first); m != nil {
			first = first[len(m[0]):]
			evidence = append(evidence, Indent+"still not true after "+m[1])
		}
		if statement.MatchString(first) {
			// The error is itself a failed check (a watch-driven wait): its statement leads.
			if desc != "" {
				evidence = append(evidence, Indent+"while: "+desc)
			}
			return first, append(evidence, errLines[1:]...)
		}
		head := fmt.Sprintf("%s: is error %q, want %s", subject, Clip(first), wantText)
		if len(errLines) == 1 && len([]rune(first)) <= MaxValue {
			return head, evidence
		}
		return head, append(evidence, errLines...)
	default: // Expected an error to have occurred.  Got: <nil>: nil
		return fmt.Sprintf("%s: is no error, want an error", subject), evidence
	}
}

// block returns the indented lines at the start of ls (a Gomega value), dedented, and how many
// lines it took.
func block(ls []string) ([]string, int) {
	var out []string
	n := 0
	for ; n < len(ls); n++ {
		if !strings.HasPrefix(ls[n], Indent) {
			break
		}
		out = append(out, strings.TrimPrefix(ls[n], Indent))
	}
	return out, n
}

// value renders a Gomega value for a statement line: without its <type> tag, strings quoted,
// cut to MaxValue runes.
func value(ls []string) string {
	if len(ls) == 0 {
		return "(nothing)"
	}
	tag := typeTag.FindString(ls[0])
	// A multi-line value (a struct, a map) reads on one line with its spacing collapsed.
	parts := append([]string{strings.TrimPrefix(ls[0], tag)}, ls[1:]...)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	v := strings.Join(parts, " ")
	v = strings.ReplaceAll(strings.ReplaceAll(v, "{ ", "{"), ", }", "}")
	if strings.HasPrefix(tag, "<string>") && !strings.HasPrefix(v, `"`) {
		return `"` + Clip(v) + `"`
	}
	return Clip(v)
}

// Clip cuts a value to MaxValue runes for a statement line ("…" marks the cut).
func Clip(s string) string {
	r := []rune(s)
	if len(r) <= MaxValue {
		return s
	}
	return string(r[:MaxValue]) + "…"
}

// wantPhrase turns Gomega's "to equal" / "not to be true" / "to have length 3" and the
// expected value into what follows "want".
func wantPhrase(phrase string, want []string) string {
	neg := ""
	switch {
	case strings.HasPrefix(phrase, "not to "):
		neg, phrase = "not ", strings.TrimPrefix(phrase, "not to ")
	case strings.HasPrefix(phrase, "to "):
		phrase = strings.TrimPrefix(phrase, "to ")
	}
	w := ""
	if len(want) > 0 {
		w = value(want)
	}
	switch phrase {
	case "equal", "be equivalent to", "be identical to":
		return neg + w
	case "be true", "be false", "be nil", "be empty", "be zero":
		return neg + strings.TrimPrefix(phrase, "be ")
	}
	phrase = strings.TrimPrefix(phrase, "be ")
	if w == "" {
		return neg + phrase
	}
	return neg + phrase + " " + w
}

// errorText extracts the error's message lines from Gomega's rendering of an error value:
// "    <*T | 0x…>: " then the message (indented), then a dump of the error struct, dropped.
func errorText(ls []string) []string {
	if len(ls) == 0 || !typeTag.MatchString(strings.TrimPrefix(ls[0], Indent)) {
		return nil
	}
	ls = ls[1:]
	// Drop the trailing struct dump: from the last line at the message's indentation that
	// opens a struct ("{" or "<*T | 0x…>{").
	end := len(ls)
	if end > 1 {
		for j := len(ls) - 1; j >= 1; j-- {
			t := strings.TrimPrefix(ls[j], Indent)
			if strings.HasPrefix(ls[j], Indent) && !strings.HasPrefix(t, " ") && (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "<")) {
				end = j
				break
			}
		}
	}
	var out []string
	for _, l := range ls[:end] {
		out = append(out, strings.TrimPrefix(l, Indent))
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	if len(out) > 0 {
		// The first line is the statement; the rest is evidence and stays indented.
		for k := 1; k < len(out); k++ {
			out[k] = Indent + out[k]
		}
	}
	return out
}

func indentAll(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		if l == "" {
			continue
		}
		out[i] = Indent + l
	}
	return out
}
