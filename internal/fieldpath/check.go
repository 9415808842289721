package fieldpath

import (
	"fmt"
	"regexp"
	"strings"
)

// Mismatch is a check that does not hold: Field is Is, and Want was expected. Is and Want are
// already rendered for a person (Show).
type Mismatch struct {
	Field string
	Is    string
	Want  string
}

func (m *Mismatch) Error() string { return fmt.Sprintf("%s: is %s, want %s", m.Field, m.Is, m.Want) }

// Line is the failure-first line about object (e.g. "Config cluster"), naming the behaviour
// IDs the check is for: `Config cluster spec.replicas: is 1, want 2 (BOOT-003)`.
func (m *Mismatch) Line(object string, ids ...string) string {
	s := m.Error()
	if object != "" {
		s = object + " " + s
	}
	if len(ids) > 0 {
		s += " (" + strings.Join(ids, ", ") + ")"
	}
	return s
}

// NotSet is what Is says of a field that is not there.
const NotSet = "not set"

// Want is what a field must be; only what is set is checked.
type Want struct {
	// Equals is checked when HasEquals (so that `equals: null` can be told from no equals).
	Equals    any
	HasEquals bool
	// Contains: a substring of a string, an element of a list, or a key of a map.
	Contains any
	// Matches is matched against the field's Text.
	Matches *regexp.Regexp
	// Missing: the field is not set.
	Missing bool
}

// Check checks one field of obj. The error is a *Mismatch when the field does not hold what
// w says, or another error when the object cannot be read at that path.
//
// An unset field holds equals false and equals 0 (Go clients leave false and 0 out of the
// objects they write, so `oc get -o yaml` never shows them), and equals null; use Missing to
// insist that a field is absent.
func Check(obj map[string]any, p *Path, w Want) error {
	v, found, err := p.Get(obj)
	if err != nil {
		return fmt.Errorf("path %s: %w", p, err)
	}
	field := p.String()
	if w.Missing {
		if found {
			return &Mismatch{Field: field, Is: Show(v), Want: NotSet}
		}
		return nil
	}
	if w.HasEquals && w.Equals == nil {
		if found && v != nil {
			return &Mismatch{Field: field, Is: Show(v), Want: "null"}
		}
		if w.Contains == nil && w.Matches == nil {
			return nil
		}
	}
	wantText := func() string {
		switch {
		case w.HasEquals && w.Equals != nil:
			return Show(w.Equals)
		case w.Contains != nil:
			return "a value containing " + Show(w.Contains)
		case w.Matches != nil:
			return fmt.Sprintf("a match for /%s/", w.Matches)
		}
		return "set"
	}
	if !found {
		if w.Contains == nil && w.Matches == nil && w.HasEquals && isZeroScalar(w.Equals) {
			return nil
		}
		return &Mismatch{Field: field, Is: NotSet, Want: wantText()}
	}
	if w.HasEquals && w.Equals != nil && !Equal(v, w.Equals) {
		return &Mismatch{Field: field, Is: Show(v), Want: Show(w.Equals)}
	}
	if w.Contains != nil && !Contains(v, w.Contains) {
		return &Mismatch{Field: field, Is: Show(v), Want: "a value containing " + Show(w.Contains)}
	}
	if w.Matches != nil && !w.Matches.MatchString(Text(v)) {
		return &Mismatch{Field: field, Is: Show(v), Want: fmt.Sprintf("a match for /%s/", w.Matches)}
	}
	return nil
}

// isZeroScalar reports whether v is false or the number 0.
func isZeroScalar(v any) bool {
	switch t := Normalize(v).(type) {
	case bool:
		return !t
	case float64:
		return t == 0
	}
	return false
}
