package runner

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// Every action of the format (a field of v1alpha1.Step other than name, timeout and expect)
// has exactly one operation in the table, and every field an expectation says something
// with (all but the subject: kind, name, namespace, bucket) exactly one check: adding one
// to the format without its operation file, or the other way round, fails here.
func TestOperationsCoverTheFormat(t *testing.T) {
	ops := DefaultOperations()
	actionKeys := map[string]int{}
	for _, a := range ops.Actions {
		actionKeys[a.Key()]++
	}
	checkKeys := map[string]int{}
	for _, c := range ops.Checks {
		for _, k := range c.Keys() {
			checkKeys[k]++
		}
	}
	cover := func(typ reflect.Type, skip []string, keys map[string]int, what string) {
		fields := map[string]bool{}
		for i := 0; i < typ.NumField(); i++ {
			name := v1alpha1.YAMLName(typ.Field(i))
			if name == "" || typ.Field(i).Type == reflect.TypeOf(v1alpha1.Source{}) || contains(skip, name) {
				continue
			}
			fields[name] = true
			if keys[name] != 1 {
				t.Errorf("%s field %q has %d operations in DefaultOperations, want 1", what, name, keys[name])
			}
		}
		for k := range keys {
			if !fields[k] {
				t.Errorf("operation key %q is not a %s field of the format", k, what)
			}
		}
	}
	cover(reflect.TypeOf(v1alpha1.Step{}), []string{"name", "timeout", "expect"}, actionKeys, "step")
	cover(reflect.TypeOf(v1alpha1.Expectation{}), []string{"kind", "name", "namespace", "bucket"}, checkKeys, "expectation")
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

// pauseAction stands for a new action written in one file: it takes over the wait field.
// Swapping it into the table is all it takes for lint, the step title and the run to use it.
type pauseAction struct{ did *[]string }

func (pauseAction) Key() string                 { return "wait" }
func (pauseAction) Used(st *v1alpha1.Step) bool { return st.Wait != "" }
func (pauseAction) Describe(st *v1alpha1.Step) string {
	return "pause for " + st.Wait
}
func (a pauseAction) Validate(c *lint.Checker, st *v1alpha1.Step) {
	*a.did = append(*a.did, "validate")
	if st.Wait == "1h" {
		c.Add(st.Src.Field("wait"), lint.ClassBadValue, "a pause of an hour is too long", "")
	}
}
func (a pauseAction) Do(context.Context, *run, *v1alpha1.Step, time.Duration) error {
	*a.did = append(*a.did, "do")
	return nil
}
func (pauseAction) StepBackends(*v1alpha1.Step) []string { return []string{"swift"} }

func TestAnActionIsOneFile(t *testing.T) {
	var did []string
	ops := DefaultOperations()
	for i, a := range ops.Actions {
		if a.Key() == "wait" {
			ops.Actions[i] = pauseAction{did: &did}
		}
	}
	l, err := lint.New(ops.LintConfig())
	if err != nil {
		t.Fatal(err)
	}
	res := l.LintBytes(testFile, []byte(scenarioHeader+"steps:\n  - wait: 1h\n"))
	if len(res.Findings) != 1 || res.Findings[0].Message != "a pause of an hour is too long" {
		t.Errorf("lint did not use the new action: %v", res.Findings)
	}
	st := &res.Scenarios[0].Steps[0]
	a := ops.action(st)
	if a == nil || a.Describe(st) != "pause for 1h" {
		t.Fatalf("the runner did not pick the new action: %v", a)
	}
	if err := a.Do(context.Background(), nil, st, time.Second); err != nil {
		t.Fatal(err)
	}
	r := &run{s: res.Scenarios[0], ops: ops}
	if got := r.usedBackends(); !contains(got, "swift") {
		t.Errorf("the new action's fakes are not started: %v", got)
	}
	if strings.Join(did, ",") != "validate,do" {
		t.Errorf("calls: %v", did)
	}
}

// The runner stays in small files: one per operation, none over 400 lines.
func TestFilesStaySmall(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for sc := bufio.NewScanner(fh); sc.Scan(); {
			n++
		}
		fh.Close()
		if n > 400 {
			t.Errorf("%s has %d lines, over 400: split it", f, n)
		}
	}
}
