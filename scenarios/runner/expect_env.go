package runner

import (
	"fmt"
	"regexp"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/internal/fieldpath"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// envCheck: an environment variable of the pod template (any container), by name.
type envCheck struct{}

func (envCheck) Keys() []string                    { return []string{"env"} }
func (envCheck) About() lint.Subject               { return lint.AboutObject }
func (envCheck) Used(e *v1alpha1.Expectation) bool { return e.Env != nil }
func (envCheck) Describe(e *v1alpha1.Expectation) string {
	return "env " + e.Env.Name + " " + envWant(e.Env)
}

func (envCheck) Validate(c *lint.Checker, e *v1alpha1.Expectation) {
	c.NeedsSubject()
	ev := e.Env
	if !c.Info().Workload {
		c.Add(c.KeyNode(e.Src, "env"), lint.ClassMisplaced, fmt.Sprintf("env is about a pod template, and %s has none", e.Kind), "use kind: Deployment (name image-registry) or CronJob")
	}
	at := c.KeyNode(e.Src, "env")
	if ev.Absent && (ev.Value != nil || ev.Matches != "" || ev.SecretKeyRef != nil) {
		c.Add(v1alpha1.KeyNode(e.Src.Field("env"), "absent"), lint.ClassImpossible, fmt.Sprintf("env %s cannot be absent and have a value", ev.Name), "keep absent: true or the value")
		return
	}
	if ev.Absent {
		c.Claim("env-set", ev.Name, "no", at, fmt.Sprintf("env %s absent", ev.Name))
		return
	}
	c.Claim("env-set", ev.Name, "yes", at, fmt.Sprintf("env %s set", ev.Name))
	if ev.Value != nil {
		c.Claim("env", ev.Name, *ev.Value, at, fmt.Sprintf("env %s = %q", ev.Name, *ev.Value))
	}
}

func (envCheck) Compile(_ *run, e *v1alpha1.Expectation) (verify, error) {
	want := e.Env
	var re *regexp.Regexp
	if want.Matches != "" {
		var err error
		if re, err = regexp.Compile(want.Matches); err != nil {
			return nil, fmt.Errorf("env matches: %w", err)
		}
	}
	field := "env " + want.Name
	// Values of secret-looking variables are never shown, neither seen nor wanted.
	show := func(v string) string {
		if expect.IsSecretName(want.Name) {
			return expect.Redacted
		}
		return fieldpath.Show(v)
	}
	return func(s *seen) *failure {
		ev, found := findEnv(s.obj, want.Name)
		switch {
		case want.Absent && found:
			return &failure{field: field, is: "set (value " + show(ev.value) + ")", want: fieldpath.NotSet}
		case want.Absent:
			return nil
		case !found:
			return &failure{field: field, is: fieldpath.NotSet, want: envWant(want)}
		case want.Value != nil && !ev.hasValue:
			return &failure{field: field, is: fmt.Sprintf("from secret %q key %q (no literal value)", ev.secretName, ev.secretKey), want: show(*want.Value)}
		case want.Value != nil && ev.value != *want.Value:
			return &failure{field: field, is: show(ev.value), want: show(*want.Value)}
		case re != nil && !re.MatchString(ev.value):
			return &failure{field: field, is: show(ev.value), want: fmt.Sprintf("a match for /%s/", re)}
		case want.SecretKeyRef != nil && (ev.secretName != want.SecretKeyRef.Name || ev.secretKey != want.SecretKeyRef.Key):
			return &failure{field: field, is: fmt.Sprintf("from secret %q key %q", ev.secretName, ev.secretKey),
				want: fmt.Sprintf("from secret %q key %q", want.SecretKeyRef.Name, want.SecretKeyRef.Key)}
		}
		return nil
	}, nil
}

// envWant shows what an env expectation wants.
func envWant(ev *v1alpha1.EnvExpect) string {
	switch {
	case ev.Absent:
		return fieldpath.NotSet
	case ev.Value != nil:
		if expect.IsSecretName(ev.Name) {
			return expect.Redacted
		}
		return fieldpath.Show(*ev.Value)
	case ev.Matches != "":
		return fmt.Sprintf("a match for /%s/", ev.Matches)
	case ev.SecretKeyRef != nil:
		return fmt.Sprintf("from secret %q key %q", ev.SecretKeyRef.Name, ev.SecretKeyRef.Key)
	}
	return "set"
}
