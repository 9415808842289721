package runner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// argCheck: a container argument (command or args, any container) is there (arg) or not
// (noArg).
type argCheck struct{}

func (argCheck) Keys() []string                    { return []string{"arg", "noArg"} }
func (argCheck) About() lint.Subject               { return lint.AboutObject }
func (argCheck) Used(e *v1alpha1.Expectation) bool { return e.Arg != "" || e.NoArg != "" }
func (argCheck) Describe(e *v1alpha1.Expectation) string {
	var parts []string
	if e.Arg != "" {
		parts = append(parts, "argument "+e.Arg)
	}
	if e.NoArg != "" {
		parts = append(parts, "no argument "+e.NoArg)
	}
	return strings.Join(parts, ", ")
}

func (argCheck) Validate(c *lint.Checker, e *v1alpha1.Expectation) {
	c.NeedsSubject()
	for _, a := range []struct{ key, arg, state string }{{"arg", e.Arg, "present"}, {"noArg", e.NoArg, "absent"}} {
		if a.arg == "" {
			continue
		}
		if !c.Info().Workload {
			c.Add(c.KeyNode(e.Src, a.key), lint.ClassMisplaced, fmt.Sprintf("%s is about a pod template, and %s has none", a.key, e.Kind), "use kind: CronJob (name image-pruner) or Deployment")
		}
		c.Claim("arg", a.arg, a.state, c.KeyNode(e.Src, a.key), fmt.Sprintf("argument %s %s", a.arg, a.state))
	}
}

func (argCheck) Compile(_ *run, e *v1alpha1.Expectation) (verify, error) {
	return func(s *seen) *failure {
		all := args(s.obj)
		is := "[" + strings.Join(all, " ") + "]"
		has := func(a string) bool { return slices.Contains(all, a) }
		if e.Arg != "" && !has(e.Arg) {
			return &failure{field: "args", is: is, want: "a list containing " + e.Arg}
		}
		if e.NoArg != "" && has(e.NoArg) {
			return &failure{field: "args", is: is, want: "a list without " + e.NoArg}
		}
		return nil
	}, nil
}
