package runner

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/internal/fieldpath"
	"github.com/irconform/irconform/internal/redact"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// fieldCheck: a field (path) equals, contains or matches a value, or is missing.
type fieldCheck struct{}

func (fieldCheck) Keys() []string {
	return []string{"path", "equals", "contains", "matches", "missing"}
}
func (fieldCheck) About() lint.Subject { return lint.AboutObject }
func (fieldCheck) Used(e *v1alpha1.Expectation) bool {
	return e.Path != "" || hasPathCheck(e)
}

// hasPathCheck: the item says something about its path's value.
func hasPathCheck(e *v1alpha1.Expectation) bool {
	return e.Src.Field("equals") != nil || e.Contains != nil || e.Matches != "" || e.Missing
}

func (fieldCheck) Describe(e *v1alpha1.Expectation) string {
	switch {
	case e.Missing:
		return e.Path + " missing"
	case e.Src.Field("equals") != nil:
		return fmt.Sprintf("%s = %s", e.Path, fieldpath.Show(e.Equals))
	case e.Contains != nil:
		return fmt.Sprintf("%s contains %s", e.Path, fieldpath.Show(e.Contains))
	}
	return fmt.Sprintf("%s matches /%s/", e.Path, e.Matches)
}

// Validate checks the path (syntax, and against the kind's API schema), that something is
// said about it, that an enumerated field is compared with one of its values, and that no
// other item of the step wants another value.
func (fieldCheck) Validate(c *lint.Checker, e *v1alpha1.Expectation) {
	if e.Path == "" {
		for _, k := range []string{"equals", "contains", "matches", "missing"} {
			if e.Src.Field(k) != nil {
				c.Add(c.KeyNode(e.Src, k), lint.ClassMissingField, k+" needs a path: which field?", "add path: spec.something")
				return
			}
		}
		return
	}
	if !e.Missing {
		c.NeedsSubject()
	}
	_, schema := c.FieldPath(e.Src.Field("path"), e.Kind, e.Path)
	if !hasPathCheck(e) {
		if !c.Misspelt() {
			c.Add(c.KeyNode(e.Src, "path"), lint.ClassEmptyExpectation, "path is given but nothing is said about it", "add equals:, contains:, matches: or missing: true")
		}
		return
	}
	eq := e.Src.Field("equals")
	switch {
	case eq != nil && e.Missing:
		c.Add(c.KeyNode(e.Src, "missing"), lint.ClassImpossible, fmt.Sprintf("%s cannot both equal a value and be missing", e.Path), "keep one")
	case eq != nil:
		c.EqualsValue(eq, schema, e.Kind, e.Path)
		v := fieldpath.Text(fieldpath.Normalize(e.Equals))
		c.Claim("field", e.Path, v, c.KeyNode(e.Src, "equals"), fmt.Sprintf("%s %s = %s", c.Subject(), e.Path, v))
	case e.Missing:
		c.Claim("field", e.Path, "\x00missing", c.KeyNode(e.Src, "missing"), fmt.Sprintf("%s %s missing", c.Subject(), e.Path))
	}
}

func (fieldCheck) Compile(_ *run, e *v1alpha1.Expectation) (verify, error) {
	p, err := fieldpath.Parse(e.Path)
	if err != nil {
		return nil, fmt.Errorf("bad field path %q: %w", e.Path, err)
	}
	w := fieldpath.Want{Equals: e.Equals, HasEquals: e.Src.Field("equals") != nil, Contains: e.Contains, Missing: e.Missing}
	if e.Matches != "" {
		if w.Matches, err = regexp.Compile(e.Matches); err != nil {
			return nil, fmt.Errorf("matches: %w", err)
		}
	}
	return func(s *seen) *failure {
		err := fieldpath.Check(s.obj, p, w)
		if err == nil {
			return nil
		}
		var m *fieldpath.Mismatch
		if !errors.As(err, &m) {
			return &failure{field: e.Path, is: fmt.Sprintf("unreadable (%v)", err), want: "readable", detail: expect.Dump(s.obj)}
		}
		f := &failure{field: m.Field, is: m.Is, want: m.Want, detail: expect.Dump(s.obj)}
		switch place, rv := secretAt(s.obj, p); place {
		case secretPlace:
			// Never print a secret's value (CRED-006): a Secret's data, spec.httpSecret, a
			// secret-named env var; nor what it was compared with, which may be the secret
			// itself.
			f.is, f.want = expect.Redacted, expect.Redacted
			f.detail = secretsNotShown + f.detail
		case holdsSecrets:
			// Secrets among other things (an env list, a Config's spec): shown with the
			// secrets masked, and the wanted value shown unless it holds one of them.
			f.is = fieldpath.Show(rv)
			r := redact.New()
			r.Learn(redact.SecretValues(s.obj)...)
			f.want = r.Redact(m.Want)
			f.detail = secretsNotShown + f.detail
		}
		return f
	}, nil
}

const secretsNotShown = "(secret values are not shown)\n"

// secretKind says what a field holds of an object's secrets (the places expect.Redact
// masks).
type secretKind int

const (
	noSecret     secretKind = iota
	holdsSecrets            // some of its values are secret, some not
	secretPlace             // the field is a secret (or only holds secrets): nothing of it is shown
)

// secretAt tells what the value at p holds of obj's secrets, and returns the value as the
// redacted copy reads.
func secretAt(obj map[string]any, p *fieldpath.Path) (secretKind, any) {
	v, found, _ := p.Get(obj)
	if !found {
		return noSecret, nil
	}
	rv, rfound, _ := p.Get(expect.Redact(obj))
	switch {
	case !rfound || allMasked(rv):
		return secretPlace, nil
	case !reflect.DeepEqual(fieldpath.Normalize(v), rv):
		return holdsSecrets, rv
	}
	return noSecret, nil
}

// allMasked reports whether every value in v (a redacted copy's) is the mask: a secret, or a
// Secret's data map.
func allMasked(v any) bool {
	switch t := v.(type) {
	case string:
		return t == expect.Redacted
	case map[string]any:
		for _, e := range t {
			if !allMasked(e) {
				return false
			}
		}
		return len(t) > 0
	case []any:
		for _, e := range t {
			if !allMasked(e) {
				return false
			}
		}
		return len(t) > 0
	}
	return false
}
