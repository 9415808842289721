// Package runner turns QA scenarios into Ginkgo specs at tree-building time, in the same
// suite as the Go specs: each scenario is one It, labelled with its behaviour IDs, its labels,
// platform:<platform> and `scenario`, named `scenario <name> (<file>)`, with its code location
// pointing at the YAML file. Waits and checks go through conformance/expect (the watch-driven
// Until shared with the Go specs); a failing expectation names the scenario file:line:col of
// the expect item and shows the object (secret values redacted).
package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	configv1 "github.com/openshift/api/config/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	ktypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/scenarios"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// EnvVar names extra scenario files or directories to run (separated like PATH).
const EnvVar = "IRCONFORM_SCENARIOS"

// ScenarioLabel is the label every scenario spec carries.
const ScenarioLabel = "scenario"

// Loaded is what Load found: scenarios ready to run, and files or scenarios that cannot run.
type Loaded struct {
	Scenarios []*v1alpha1.Scenario
	// Findings by scenario file (a scenario in a file with findings is not run; its spec fails
	// with the findings instead).
	Findings map[string][]lint.Finding
	// Display maps a file path to how specs show it (scenarios/x.yaml).
	Display map[string]string
	// Location maps a file path to the path put in the spec's code location.
	Location map[string]string
}

// Load reads the shipped scenario set (from the repository's scenarios/ directory when the
// working directory is inside the repository, else the copy embedded in the binary) and the
// files named by IRCONFORM_SCENARIOS, and lints them all.
func Load() (Loaded, error) {
	l, err := lint.New()
	if err != nil {
		return Loaded{}, err
	}
	out := Loaded{Findings: map[string][]lint.Finding{}, Display: map[string]string{}, Location: map[string]string{}}
	add := func(r lint.Result, display func(string) string, location func(string) string) {
		out.Scenarios = append(out.Scenarios, r.Scenarios...)
		for _, f := range r.Findings {
			out.Findings[f.File] = append(out.Findings[f.File], f)
		}
		for _, f := range r.Files {
			out.Display[f] = display(f)
			out.Location[f] = location(f)
		}
	}
	if dir := repoScenarios(); dir != "" {
		r, err := l.LintPaths([]string{dir})
		if err != nil {
			return out, err
		}
		root := filepath.Dir(dir)
		add(r, func(f string) string {
			if rel, err := filepath.Rel(root, f); err == nil {
				return filepath.ToSlash(rel)
			}
			return f
		}, func(f string) string { return f })
	} else {
		r, err := l.LintFS(scenarios.Shipped, "scenarios")
		if err != nil {
			return out, err
		}
		add(r, func(f string) string { return f }, func(f string) string { return f })
	}
	if extra := os.Getenv(EnvVar); extra != "" {
		r, err := l.LintPaths(filepath.SplitList(extra))
		if err != nil {
			return out, fmt.Errorf("%s: %w", EnvVar, err)
		}
		add(r, func(f string) string { return f }, func(f string) string {
			if a, err := filepath.Abs(f); err == nil {
				return a
			}
			return f
		})
	}
	return out, nil
}

// repoScenarios finds <module root>/scenarios from the working directory ("" if none).
func repoScenarios() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if strings.Contains(string(b), "module github.com/irconform/irconform") {
				if st, err := os.Stat(filepath.Join(d, "scenarios")); err == nil && st.IsDir() {
					return filepath.Join(d, "scenarios")
				}
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Register adds one Ginkgo spec per scenario to the tree being built. envFn returns the
// suite's Env (set by BeforeSuite, so it is called only when a spec runs). It returns the
// number of specs registered.
func Register(envFn func() *harness.Env) int {
	loaded, err := Load()
	if err != nil {
		ginkgo.It("scenario files could not be loaded", ginkgo.Label(ScenarioLabel), func() { ginkgo.Fail(err.Error()) })
		return 1
	}
	n := 0
	// Files with findings: one failing spec per scenario in them (or per file when nothing decoded).
	bad := map[string]bool{}
	for file, fs := range loaded.Findings {
		if len(fs) > 0 {
			bad[file] = true
		}
	}
	decoded := map[string]bool{}
	for _, s := range loaded.Scenarios {
		file := s.Src.File
		decoded[file] = true
		loc := types.NewCodeLocation(0)
		loc.FileName, loc.LineNumber = loaded.Location[file], s.Src.Line()
		loc.FullStackTrace = ""
		text := fmt.Sprintf("scenario %s (%s)", s.Metadata.Name, loaded.Display[file])
		labels := Labels(s)
		if bad[file] {
			msg := findingsText(loaded.Findings[file])
			ginkgo.It(text, loc, labels, func() { ginkgo.Fail("the scenario file has lint findings:\n" + msg) })
			n++
			continue
		}
		sc := s
		display := loaded.Display[file]
		ginkgo.It(text, loc, labels, func(ctx ginkgo.SpecContext) {
			r := &run{env: envFn(), s: sc, display: display}
			r.run(ctx)
		})
		n++
	}
	for file := range bad {
		if decoded[file] {
			continue
		}
		loc := types.NewCodeLocation(0)
		loc.FileName, loc.LineNumber, loc.FullStackTrace = loaded.Location[file], 1, ""
		msg := findingsText(loaded.Findings[file])
		ginkgo.It(fmt.Sprintf("scenario file %s", loaded.Display[file]), loc, ginkgo.Label(ScenarioLabel), func() {
			ginkgo.Fail("the scenario file cannot be read:\n" + msg)
		})
		n++
	}
	return n
}

// Labels are a scenario's Ginkgo labels.
func Labels(s *v1alpha1.Scenario) ginkgo.Labels {
	out := ginkgo.Labels{ScenarioLabel}
	out = append(out, s.Behaviors...)
	out = append(out, s.Labels...)
	if s.Platform != "" {
		out = append(out, "platform:"+strings.ToLower(s.Platform))
	}
	seen := map[string]bool{}
	uniq := out[:0]
	for _, l := range out {
		if !seen[l] {
			seen[l] = true
			uniq = append(uniq, l)
		}
	}
	return uniq
}

func findingsText(fs []lint.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

var typeScheme = func() *runtime.Scheme {
	s, err := scheme.New()
	if err != nil {
		panic(err)
	}
	return s
}()

type run struct {
	env     *harness.Env
	s       *v1alpha1.Scenario
	display string
	// neverCalled items, re-checked when the scenario ends.
	never []*item
	// fakes are the storage fakes started for this scenario, by backend.
	fakes map[string]fault.Inspector
}

func (r *run) pos(src v1alpha1.Source) string {
	return fmt.Sprintf("%s:%d:%d", r.display, src.Line(), src.Column())
}

func (r *run) fail(src v1alpha1.Source, format string, args ...any) {
	ginkgo.Fail(fmt.Sprintf("%s: %s", r.pos(src), fmt.Sprintf(format, args...)), 1)
}

func (r *run) run(ctx context.Context) {
	if r.env == nil {
		ginkgo.Fail("the suite's environment is not set up (BeforeSuite failed?)")
	}
	s := r.s
	ginkgo.By(fmt.Sprintf("given: platform %s (%s)", s.Platform, r.pos(s.Src)))
	p := harness.Platform{Type: configv1.PlatformType(s.Platform), Region: "us-east-1"}
	if inf := s.Given.Infrastructure; inf != nil {
		p.InfrastructureName = inf.Name
		if inf.Region != "" {
			p.Region = inf.Region
		}
		p.Topology = configv1.TopologyMode(inf.Topology)
	}
	if err := r.env.CreateInfrastructure(ctx, p); err != nil {
		r.fail(s.Src, "creating the Infrastructure: %v", err)
	}
	r.startFakes(ctx)
	for _, b := range s.Given.Buckets {
		ins, err := r.inspector(b.Backend)
		if err != nil {
			r.fail(b.Src, "%v", err)
		}
		if err := ins.Seed(ctx, b.Name, b.Objects); err != nil {
			r.fail(b.Src, "seeding bucket %s in the %s fake: %v", b.Name, b.Backend, err)
		}
	}
	for i := range s.Given.Objects {
		o := &s.Given.Objects[i]
		if err := r.apply(ctx, o, false); err != nil {
			r.fail(o.Src, "creating %s: %v", o.Kind, err)
		}
	}
	if s.Given.Operator != "stopped" {
		if err := r.env.StartOperator(ctx); err != nil {
			r.fail(s.Src, "starting the operator: %v", err)
		}
	}
	for i := range s.Steps {
		r.step(ctx, i, &s.Steps[i])
	}
	if len(r.never) > 0 {
		ginkgo.By("end: calls that must never have happened")
		if msgs := r.unmet(ctx, r.env.Watch.Reader(), r.never); len(msgs) > 0 {
			ginkgo.Fail("at the end of the scenario:\n" + strings.Join(msgs, "\n"))
		}
	}
}

func (r *run) step(ctx context.Context, i int, st *v1alpha1.Step) {
	title := st.Name
	if title == "" {
		title = describeAction(st)
	}
	ginkgo.By(fmt.Sprintf("step %d: %s (%s)", i+1, title, r.pos(st.Src)))
	timeout, err := stepTimeout(st)
	if err != nil {
		r.fail(st.Src, "bad timeout %q", st.Timeout)
	}
	if err := r.act(ctx, st, timeout); err != nil {
		r.fail(st.Src, "step %d (%s): %v", i+1, title, err)
	}
	if len(st.Expect) == 0 {
		return
	}
	items := make([]*item, 0, len(st.Expect))
	for j := range st.Expect {
		it, err := r.compile(&st.Expect[j])
		if err != nil {
			r.fail(st.Expect[j].Src, "%v", err)
		}
		items = append(items, it)
		if len(st.Expect[j].NeverCalled) > 0 {
			r.never = append(r.never, it)
		}
	}
	var failed []string
	err = r.env.Watch.Until(ctx, timeout, func(ctx context.Context, rd client.Reader) error {
		if failed = r.unmet(ctx, rd, items); len(failed) > 0 {
			return fmt.Errorf("%d of %d expectations not met", len(failed), len(items))
		}
		return nil
	})
	if err != nil {
		ginkgo.Fail(fmt.Sprintf("%s: step %d (%s): expectations still not true after %s:\n%s", r.pos(st.Src), i+1, title, timeout,
			strings.Join(failed, "\n")))
	}
}

// stepTimeout is how long a step's expectations may take: its timeout, else the default.
func stepTimeout(st *v1alpha1.Step) (time.Duration, error) {
	if st.Timeout == "" {
		return expect.DefaultTimeout, nil
	}
	return time.ParseDuration(st.Timeout)
}

// unmet checks items against rd and returns one failure line per item that does not hold:
// position of the expect item, subject, what is wrong, then the (redacted) details indented.
func (r *run) unmet(ctx context.Context, rd client.Reader, items []*item) []string {
	var out []string
	for _, it := range items {
		if err, detail := it.check(ctx, rd); err != nil {
			out = append(out, fmt.Sprintf("%s: %s: %v%s", r.pos(it.src), it.subject, err, indent(detail)))
		}
	}
	return out
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "\n      " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n      ")
}

func describeAction(st *v1alpha1.Step) string {
	switch {
	case st.Apply != nil:
		return "apply " + st.Apply.Kind + " " + st.Apply.Name
	case st.Patch != nil:
		return "patch " + st.Patch.Kind + " " + st.Patch.Name
	case st.Delete != nil:
		return "delete " + st.Delete.Kind + " " + st.Delete.Name
	case st.Fault != nil:
		return fmt.Sprintf("fault %s %s %d", st.Fault.Backend, st.Fault.Op, st.Fault.Status)
	case st.ClearFaults != "":
		return "clear faults " + st.ClearFaults
	case st.Wait != "":
		return "wait " + st.Wait
	case st.StartOperator:
		return "start the operator"
	case st.RestartOperator:
		return "restart the operator"
	}
	return "expect"
}

// act does the step's action. A patch waits (up to the step's timeout) for its object to
// exist: the operator makes the Config and the ImagePruner itself, shortly after it starts.
func (r *run) act(ctx context.Context, st *v1alpha1.Step, timeout time.Duration) error {
	c := r.env.Client
	switch {
	case st.Apply != nil:
		return r.apply(ctx, st.Apply, true)
	case st.Patch != nil:
		p := st.Patch
		u, err := ref(p.Kind, p.Name, p.Namespace)
		if err != nil {
			return err
		}
		patch, err := patchFor(p)
		if err != nil {
			return err
		}
		do := func() error {
			if p.Status {
				return c.Status().Patch(ctx, u.DeepCopy(), patch)
			}
			return c.Patch(ctx, u.DeepCopy(), patch)
		}
		// Watch-driven, like expectations: retried on every change until the object exists;
		// any other answer ends the wait.
		var patchErr error
		waitErr := r.env.Watch.Until(ctx, timeout, func(context.Context, client.Reader) error {
			if patchErr = do(); apierrors.IsNotFound(patchErr) {
				return patchErr
			}
			return nil
		})
		if waitErr != nil {
			return fmt.Errorf("%s %s does not exist (waited %s for it)", p.Kind, u.GetName(), timeout)
		}
		return patchErr
	case st.Delete != nil:
		u, err := ref(st.Delete.Kind, st.Delete.Name, st.Delete.Namespace)
		if err != nil {
			return err
		}
		return c.Delete(ctx, u)
	case st.Fault != nil:
		f := st.Fault
		ins, err := r.inspector(f.Backend)
		if err != nil {
			return err
		}
		rule := fault.Rule{Op: f.Op, Bucket: f.Bucket, Status: f.Status, Code: f.Code, Message: f.Message, Times: f.Times}
		if f.Latency != "" {
			if rule.Latency, err = time.ParseDuration(f.Latency); err != nil {
				return err
			}
		}
		ins.Faults().Inject(rule)
	case st.ClearFaults != "":
		for _, b := range v1alpha1.Backends {
			if st.ClearFaults != "all" && st.ClearFaults != b {
				continue
			}
			ins, err := r.inspector(b)
			if err != nil {
				if st.ClearFaults == "all" {
					continue
				}
				return err
			}
			ins.Faults().Clear()
		}
	case st.Wait != "":
		d, err := time.ParseDuration(st.Wait)
		if err != nil {
			return err
		}
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	case st.StartOperator:
		return r.env.StartOperator(ctx)
	case st.RestartOperator:
		if err := r.env.StopOperator(); err != nil {
			return err
		}
		return r.env.StartOperator(ctx)
	}
	return nil
}

// patchFor builds a patch step's patch: a JSON merge patch when merge is given, else a JSON patch.
func patchFor(p *v1alpha1.Patch) (client.Patch, error) {
	body, typ := any(p.JSON), ktypes.JSONPatchType
	if p.Merge != nil {
		body, typ = p.Merge, ktypes.MergePatchType
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s patch: %w", typ, err)
	}
	return client.RawPatch(typ, b), nil
}

// manifest builds the unstructured object of an inline manifest.
func manifest(o *v1alpha1.Object) (*unstructured.Unstructured, error) {
	info, name, ns, ok := v1alpha1.Resolve(o.Kind, o.Name, o.Namespace)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", o.Kind)
	}
	m := map[string]any{}
	for k, v := range map[string]any{"spec": o.Spec, "data": o.Data, "stringData": o.StringData} {
		if !reflect.ValueOf(v).IsNil() && reflect.ValueOf(v).Len() > 0 {
			m[k] = v
		}
	}
	if o.Type != "" {
		m["type"] = o.Type
	}
	md := map[string]any{}
	for k, v := range o.Metadata {
		md[k] = v
	}
	md["name"] = name
	if ns != "" {
		md["namespace"] = ns
	}
	m["metadata"] = md
	u := &unstructured.Unstructured{Object: expect.Normalize(m).(map[string]any)}
	u.SetGroupVersionKind(info.GVK)
	return u, nil
}

func ref(kind, name, namespace string) (*unstructured.Unstructured, error) {
	info, name, ns, ok := v1alpha1.Resolve(kind, name, namespace)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(info.GVK)
	u.SetName(name)
	u.SetNamespace(ns)
	return u, nil
}

// apply creates the object, or (update) merges it into the existing one, then writes status.
func (r *run) apply(ctx context.Context, o *v1alpha1.Object, update bool) error {
	c := r.env.Client
	u, err := manifest(o)
	if err != nil {
		return err
	}
	err = c.Create(ctx, u.DeepCopy())
	if apierrors.IsAlreadyExists(err) && update {
		b, jerr := mergeBody(u)
		if jerr != nil {
			return jerr
		}
		err = c.Patch(ctx, u.DeepCopy(), client.RawPatch(ktypes.MergePatchType, b))
	}
	if err != nil {
		return err
	}
	if len(o.Status) > 0 {
		b, err := json.Marshal(map[string]any{"status": expect.Normalize(o.Status)})
		if err != nil {
			return err
		}
		return c.Status().Patch(ctx, u.DeepCopy(), client.RawPatch(ktypes.MergePatchType, b))
	}
	return nil
}

// mergeBody is the merge patch that updates an existing object with manifest u: u without
// apiVersion and kind (u is not changed).
func mergeBody(u *unstructured.Unstructured) ([]byte, error) {
	body := u.DeepCopy().Object
	delete(body, "apiVersion")
	delete(body, "kind")
	return json.Marshal(body)
}

// inspector returns the storage fake for backend, started for this scenario.
func (r *run) inspector(backend string) (fault.Inspector, error) {
	if ins, ok := r.fakes[backend]; ok && ins != nil {
		return ins, nil
	}
	return nil, fmt.Errorf("the %s storage fake is not running for this scenario", backend)
}

// usedBackends are the storage fakes a scenario needs: its platform's, and every backend it
// names in buckets, faults and expectations.
func usedBackends(s *v1alpha1.Scenario) map[string]bool {
	used := map[string]bool{}
	switch s.Platform {
	case "AWS":
		used["s3"] = true
	case "GCP":
		used["gcs"] = true
	case "Azure":
		used["azure"] = true
	}
	for _, b := range s.Given.Buckets {
		used[b.Backend] = true
	}
	for _, st := range s.Steps {
		if st.Fault != nil {
			used[st.Fault.Backend] = true
		}
		if st.ClearFaults != "" && st.ClearFaults != "all" {
			used[st.ClearFaults] = true
		}
		for _, e := range st.Expect {
			if e.Bucket != nil {
				used[e.Bucket.Backend] = true
			}
		}
	}
	return used
}

// startFakes starts the storage fakes the scenario needs (before the operator, so that it is
// pointed at them), stops them when the spec ends, and creates the minted cloud credentials.
func (r *run) startFakes(ctx context.Context) {
	s := r.s
	used := usedBackends(s)
	r.fakes = map[string]fault.Inspector{}
	var s3gcs *harness.StorageFakeSet
	var azsw *harness.AzSwiftFakes
	if used["s3"] || used["gcs"] {
		f, err := r.env.StartStorageFakeSet(ctx)
		if err != nil {
			r.fail(s.Src, "starting the S3/GCS fakes: %v", err)
		}
		s3gcs = f
		r.fakes["s3"], r.fakes["gcs"] = f.S3, f.GCS
	}
	if used["azure"] || used["swift"] {
		f, err := r.env.StartAzSwiftFakes(ctx)
		if err != nil {
			r.fail(s.Src, "starting the Azure/Swift fakes: %v", err)
		}
		azsw = f
		r.fakes["azure"], r.fakes["swift"] = f.Azure, f.Swift
	}
	ginkgo.DeferCleanup(func() {
		// The operator goes first so that it does not talk to closed fakes.
		_ = r.env.StopOperator()
		if s3gcs != nil {
			s3gcs.Stop()
		}
		if azsw != nil {
			azsw.Close()
		}
	})
	if s.Given.CloudCredentials != nil && !*s.Given.CloudCredentials {
		return
	}
	for _, o := range s.Given.Objects {
		if o.Kind == "Secret" && o.Name == harness.CloudCredentialsSecret {
			return // the scenario brings its own
		}
	}
	p := configv1.PlatformType(s.Platform)
	var err error
	switch {
	case (p == configv1.AWSPlatformType || p == configv1.GCPPlatformType) && s3gcs != nil:
		err = r.env.CreateCloudCredentials(ctx, p, s3gcs)
	case p == configv1.AzurePlatformType && azsw != nil:
		err = azsw.CreateCloudCredentials(ctx, p)
	case p == configv1.OpenStackPlatformType && azsw != nil && used["swift"]:
		err = azsw.CreateCloudCredentials(ctx, p)
	}
	if err != nil {
		r.fail(s.Src, "creating the cloud credentials: %v", err)
	}
}

// item is one compiled expectation.
type item struct {
	src     v1alpha1.Source
	subject string
	// check returns what is wrong (nil when it holds) and details (the object, redacted).
	check func(ctx context.Context, r client.Reader) (error, string)
}

func (r *run) compile(e *v1alpha1.Expectation) (*item, error) {
	if e.Bucket != nil {
		return r.compileBucket(e)
	}
	info, name, ns, ok := v1alpha1.Resolve(e.Kind, e.Name, e.Namespace)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", e.Kind)
	}
	subject := e.Kind + " " + name
	if ns != "" {
		subject = fmt.Sprintf("%s %s/%s", e.Kind, ns, name)
	}
	var path *expect.FieldPath
	if e.Path != "" {
		p, err := expect.ParseFieldPath(e.Path)
		if err != nil {
			return nil, err
		}
		path = p
	}
	var re *regexp.Regexp
	if e.Matches != "" {
		re = regexp.MustCompile(e.Matches)
	}
	hasEquals := e.Src.Field("equals") != nil
	var envWant *expect.EnvWant
	if ev := e.Env; ev != nil {
		envWant = &expect.EnvWant{Name: ev.Name, Value: ev.Value, Absent: ev.Absent}
		if ev.Matches != "" {
			envWant.Matches = regexp.MustCompile(ev.Matches)
		}
		if ev.SecretKeyRef != nil {
			envWant.SecretName, envWant.SecretKey = ev.SecretKeyRef.Name, ev.SecretKeyRef.Key
		}
	}
	key := client.ObjectKey{Namespace: ns, Name: name}
	check := func(ctx context.Context, rd client.Reader) (error, string) {
		obj, found, err := expect.GetMap(ctx, rd, typeScheme, info.GVK, key)
		if err != nil {
			return err, ""
		}
		if e.Absent {
			if found {
				return fmt.Errorf("should be absent, but exists"), expect.Dump(obj)
			}
			return nil, ""
		}
		if !found {
			return fmt.Errorf("does not exist"), ""
		}
		if e.Kind == "Secret" {
			decodeSecretData(obj)
		}
		if path != nil {
			var equals any
			if hasEquals {
				equals = e.Equals
				if equals == nil {
					equals = nullValue{}
				}
			}
			if err := checkField(obj, path, equals, e.Contains, re, e.Missing); err != nil {
				if holdsSecret(obj, path) {
					// Never print a secret's value (CRED-006): a Secret's data, spec.httpSecret,
					// a secret-named env var, or anything containing them.
					err = fmt.Errorf("%s is set but does not hold what is expected (secret values are not shown)", path)
				}
				return err, expect.Dump(obj)
			}
		}
		if c := e.Condition; c != nil {
			if err := expect.CheckCondition(obj, expect.ConditionWant{Type: c.Type, Status: c.Status, Reason: c.Reason,
				Message: c.Message, MessageContains: c.MessageContains}); err != nil {
				return err, expect.Dump(map[string]any{"status": obj["status"]})
			}
		}
		if envWant != nil {
			if err := expect.CheckEnv(obj, *envWant); err != nil {
				return err, ""
			}
		}
		if e.Arg != "" {
			if err := expect.CheckArg(obj, e.Arg, true); err != nil {
				return err, ""
			}
		}
		if e.NoArg != "" {
			if err := expect.CheckArg(obj, e.NoArg, false); err != nil {
				return err, ""
			}
		}
		return nil, ""
	}
	return &item{src: e.Src, subject: subject, check: check}, nil
}

// holdsSecret reports whether the value at p is (or contains) something expect.Redact hides:
// the same path reads differently in the redacted copy.
func holdsSecret(obj map[string]any, p *expect.FieldPath) bool {
	v, found, _ := p.Get(obj)
	if !found {
		return false
	}
	rv, rfound, _ := p.Get(expect.Redact(obj))
	return !rfound || !reflect.DeepEqual(expect.Normalize(v), rv)
}

// decodeSecretData replaces a Secret's base64 data values by their text, so that paths
// such as data.credentials compare against what `oc extract` would show.
func decodeSecretData(obj map[string]any) {
	d, ok := obj["data"].(map[string]any)
	if !ok {
		return
	}
	for k, v := range d {
		if s, ok := v.(string); ok {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				d[k] = string(b)
			}
		}
	}
}

// nullValue stands for `equals: null`.
type nullValue struct{}

func checkField(obj map[string]any, p *expect.FieldPath, equals, contains any, re *regexp.Regexp, missing bool) error {
	if _, isNull := equals.(nullValue); isNull {
		v, found, err := p.Get(obj)
		if err != nil {
			return err
		}
		if found && v != nil {
			return fmt.Errorf("%s is %s, want null", p, expect.Text(v))
		}
		equals = nil
		if contains == nil && re == nil {
			return nil
		}
	}
	return expect.CheckField(obj, p, equals, contains, re, missing)
}

func (r *run) compileBucket(e *v1alpha1.Expectation) (*item, error) {
	b := e.Bucket
	subject := fmt.Sprintf("bucket %s in the %s fake", b.Name, b.Backend)
	check := func(ctx context.Context, _ client.Reader) (error, string) {
		ins, err := r.inspector(b.Backend)
		if err != nil {
			return err, ""
		}
		all, err := ins.Buckets(ctx)
		if err != nil {
			return fmt.Errorf("listing buckets: %w", err), ""
		}
		var hit *fault.BucketInfo
		var names []string
		for i := range all {
			names = append(names, all[i].Name)
			if all[i].Name == b.Name {
				hit = &all[i]
			}
		}
		if b.Name == "*" && len(all) == 1 {
			hit = &all[0]
		}
		listing := "buckets in the fake: [" + strings.Join(names, ", ") + "]"
		if e.Absent {
			if hit != nil {
				return fmt.Errorf("should be absent, but exists"), listing
			}
		} else if e.Exists || e.Objects != nil || len(e.Settings) > 0 {
			if hit == nil {
				if b.Name == "*" {
					return fmt.Errorf("want exactly one bucket, found %d", len(all)), listing
				}
				return fmt.Errorf("does not exist"), listing
			}
			detail := fmt.Sprintf("%s\nbucket %s: %d objects, settings %v", listing, hit.Name, hit.Objects, hit.Settings)
			if e.Objects != nil && hit.Objects != *e.Objects {
				return fmt.Errorf("holds %d objects, want %d", hit.Objects, *e.Objects), detail
			}
			for _, k := range expect.SortedKeys(e.Settings) {
				if got, ok := hit.Settings[k]; !ok || got != e.Settings[k] {
					return fmt.Errorf("setting %s is %q (set: %v), want %q", k, got, ok, e.Settings[k]), detail
				}
			}
		}
		bucket := b.Name
		if bucket == "*" {
			bucket = ""
		}
		for _, op := range e.NeverCalled {
			if n := ins.Faults().Count(op, bucket); n > 0 {
				return fmt.Errorf("received %d %s call(s), want none", n, op), callLog(ins.Faults().Calls(), bucket)
			}
		}
		return nil, ""
	}
	return &item{src: e.Src, subject: subject, check: check}, nil
}

func callLog(calls []fault.Call, bucket string) string {
	var b strings.Builder
	b.WriteString("calls received:")
	n := 0
	for _, c := range calls {
		if bucket != "" && c.Bucket != bucket {
			continue
		}
		n++
		if n > 30 {
			b.WriteString("\n...")
			break
		}
		fmt.Fprintf(&b, "\n%s %s %s", c.At.Format("15:04:05.000"), c.Op, c.Bucket)
		if c.Injected != 0 {
			fmt.Fprintf(&b, " (injected %d)", c.Injected)
		}
	}
	return b.String()
}

var _ fs.FS = scenarios.Shipped
