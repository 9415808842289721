package lint

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

var behaviorIDRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[0-9]{3}$`)

// semantic checks a decoded scenario: values that are well-formed but wrong or contradictory.
func (l *fileLinter) semantic(s *v1alpha1.Scenario) {
	src := s.Src
	if n := src.Field("apiVersion"); n != nil && s.APIVersion != v1alpha1.APIVersion {
		l.add(n, ClassBadAPIVersion, fmt.Sprintf("apiVersion %q is not supported", s.APIVersion), "use apiVersion: "+v1alpha1.APIVersion)
	}
	if n := src.Field("kind"); n != nil && s.Kind != v1alpha1.Kind {
		l.add(n, ClassBadAPIVersion, fmt.Sprintf("kind %q: this file format only has kind %s", s.Kind, v1alpha1.Kind), "use kind: Scenario")
	}
	if s.Metadata.Name != "" {
		n := v1alpha1.FieldNode(src.Field("metadata"), "name")
		at := fmt.Sprintf("%s:%d", l.file, n.Line)
		if prev, dup := l.names[s.Metadata.Name]; dup {
			l.add(n, ClassDuplicateName, fmt.Sprintf("scenario name %q is already used at %s", s.Metadata.Name, prev), "names must be unique across all scenario files")
		} else {
			l.names[s.Metadata.Name] = at
		}
	}
	l.behaviors(s)
	l.labels(s)
	for i := range s.Given.Objects {
		l.object(&s.Given.Objects[i], true)
	}
	for i := range s.Steps {
		l.step(&s.Steps[i])
	}
}

func (l *fileLinter) behaviors(s *v1alpha1.Scenario) {
	seq := s.Src.Field("behaviors")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	labels := map[string]bool{}
	for _, lb := range s.Labels {
		labels[lb] = true
	}
	seen := map[string]bool{}
	for _, n := range seq.Content {
		id := n.Value
		if !behaviorIDRE.MatchString(id) {
			continue // reported by the structure pass
		}
		if seen[id] {
			l.add(n, ClassUnknownBehavior, fmt.Sprintf("behaviour %s is listed twice", id), "list each ID once")
			continue
		}
		seen[id] = true
		b, ok := l.cat.Lookup(id)
		if !ok {
			l.add(n, ClassUnknownBehavior, fmt.Sprintf("unknown behaviour ID %s (not in the catalogue)", id), l.nearestIDs(id))
			continue
		}
		if b.Divergence && !labels["divergence"] {
			l.add(n, ClassDivergenceLabel, fmt.Sprintf("behaviour %s DIVERGES from upstream, but the scenario has no divergence label", id),
				"add `divergence` to labels so a live-cluster failure is reported as \"documented behaviour not honoured\"")
		}
	}
}

func (l *fileLinter) nearestIDs(id string) string {
	area := id[:strings.Index(id, "-")]
	var same, close []string
	for _, b := range l.cat.Behaviors {
		if b.Area == area {
			same = append(same, b.ID)
		}
		if distance(b.ID, id) <= 1 {
			close = append(close, b.ID)
		}
	}
	switch {
	case len(same) > 0:
		return fmt.Sprintf("%s IDs are %s", area, strings.Join(same, ", "))
	case len(close) > 0:
		return "did you mean " + strings.Join(close, " or ") + "?"
	}
	areas := map[string]bool{}
	for _, b := range l.cat.Behaviors {
		areas[b.Area] = true
	}
	return fmt.Sprintf("no area %s; areas are %s", area, strings.Join(expect.SortedKeys(areas), ", "))
}

func (l *fileLinter) labels(s *v1alpha1.Scenario) {
	seq := s.Src.Field("labels")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for _, n := range seq.Content {
		lb := strings.TrimSpace(n.Value)
		switch {
		case lb == "":
			l.add(n, ClassBadLabel, "empty label", "remove it")
		case strings.ContainsAny(lb, "&|!,()/"):
			l.add(n, ClassBadLabel, fmt.Sprintf("label %q contains one of & | ! , ( ) /", lb), "labels are single words such as disruptive, divergence, slow")
		case lb[0] == ':' || strings.HasSuffix(lb, ":"):
			l.add(n, ClassBadLabel, fmt.Sprintf("label %q has an empty side around ':'", lb), "write key:value, e.g. platform:aws")
		case behaviorIDRE.MatchString(lb):
			l.add(n, ClassBadLabel, fmt.Sprintf("label %q is a behaviour ID", lb), "put behaviour IDs in behaviors: (they become labels automatically)")
		}
	}
}

// object checks an inline manifest (given.objects, apply).
func (l *fileLinter) object(o *v1alpha1.Object, given bool) {
	info, ok := l.kind(o.Src.Field("kind"), o.Kind)
	if !ok {
		return
	}
	if n := o.Src.Field("apiVersion"); n != nil && o.APIVersion != info.GVK.GroupVersion().String() {
		l.add(n, ClassBadObject, fmt.Sprintf("apiVersion %q does not match kind %s", o.APIVersion, o.Kind), "use "+info.GVK.GroupVersion().String()+" or leave apiVersion out")
	}
	l.nameNS(o.Src, info, o.Kind, o.Name, o.Namespace)
	if len(o.Status) > 0 && o.Kind == "Infrastructure" {
		l.add(o.Src.Field("status"), ClassBadObject, "Infrastructure status is made from platform: and given.infrastructure", "set platform: and given.infrastructure instead")
	}
	if (len(o.StringData) > 0 || o.Type != "") && o.Kind != "Secret" {
		l.add(o.Src.Node, ClassBadObject, fmt.Sprintf("stringData/type are Secret fields, but the kind is %s", o.Kind), "")
	}
	if len(o.Data) > 0 && o.Kind != "Secret" && o.Kind != "ConfigMap" {
		l.add(o.Src.Field("data"), ClassBadObject, fmt.Sprintf("data is for ConfigMap and Secret, not %s", o.Kind), "")
	}
	if given && o.Kind == "Infrastructure" {
		l.add(o.Src.Field("kind"), ClassBadObject, "the Infrastructure is created from platform:", "remove this object; use platform: and given.infrastructure")
	}
}

func (l *fileLinter) kind(n *yaml.Node, kind string) (v1alpha1.KindInfo, bool) {
	if kind == "" {
		return v1alpha1.KindInfo{}, false // missing: reported by the structure pass
	}
	info, ok := v1alpha1.Kinds[kind]
	if !ok {
		l.add(n, ClassUnknownKind, fmt.Sprintf("unknown kind %q", kind), suggest(kind, v1alpha1.KindNames(), "known kinds"))
	}
	return info, ok
}

func (l *fileLinter) nameNS(src v1alpha1.Source, info v1alpha1.KindInfo, kind, name, namespace string) {
	if name == "" && info.DefaultName == "" {
		l.add(src.Node, ClassMissingField, fmt.Sprintf("%s needs a name", kind), "add name: ...")
	}
	if namespace != "" && !info.Namespaced {
		l.add(src.Field("namespace"), ClassBadObject, fmt.Sprintf("%s is cluster-scoped: it has no namespace", kind), "remove namespace")
	}
}

func (l *fileLinter) step(st *v1alpha1.Step) {
	var actions []string
	for _, a := range []struct {
		key string
		set bool
	}{
		{"apply", st.Apply != nil}, {"patch", st.Patch != nil}, {"delete", st.Delete != nil}, {"fault", st.Fault != nil},
		{"clearFaults", st.ClearFaults != ""}, {"wait", st.Wait != ""}, {"startOperator", st.StartOperator},
		{"restartOperator", st.RestartOperator},
	} {
		if a.set {
			actions = append(actions, a.key)
		}
	}
	if len(actions) > 1 {
		l.add(st.Src.Node, ClassBadStep, fmt.Sprintf("a step does one thing, this one has %s", strings.Join(actions, " and ")),
			"split it into one step per action (each may have its own expect)")
	}
	if len(actions) == 0 && len(st.Expect) == 0 {
		l.add(st.Src.Node, ClassBadStep, "the step neither acts nor expects anything", "add an action (apply, patch, delete, fault, clearFaults, wait) or expect items")
	}
	if st.Apply != nil {
		l.object(st.Apply, false)
	}
	if p := st.Patch; p != nil {
		if info, ok := l.kind(p.Src.Field("kind"), p.Kind); ok {
			l.nameNS(p.Src, info, p.Kind, p.Name, p.Namespace)
		}
		switch {
		case p.Merge == nil && len(p.JSON) == 0:
			l.add(p.Src.Node, ClassBadPatch, "patch has neither merge nor json", "add merge: {spec: {...}} (the fields to set)")
		case p.Merge != nil && len(p.JSON) > 0:
			l.add(p.Src.Field("json"), ClassBadPatch, "patch has both merge and json", "use one patch type per step")
		}
		if seq := p.Src.Field("json"); seq != nil && seq.Kind == yaml.SequenceNode {
			for i, op := range p.JSON {
				n := seq.Content[i]
				hasValue := v1alpha1.FieldNode(n, "value") != nil
				switch op.Op {
				case "add", "replace", "test":
					if !hasValue {
						l.add(n, ClassBadPatch, fmt.Sprintf("JSON patch op %s needs a value", op.Op), "add value: ...")
					}
				case "move", "copy":
					if op.From == "" {
						l.add(n, ClassBadPatch, fmt.Sprintf("JSON patch op %s needs from", op.Op), "add from: /path")
					}
				}
			}
		}
	}
	if d := st.Delete; d != nil {
		if info, ok := l.kind(d.Src.Field("kind"), d.Kind); ok {
			l.nameNS(d.Src, info, d.Kind, d.Name, d.Namespace)
		}
	}
	if f := st.Fault; f != nil && f.Status == 0 && f.Latency == "" {
		l.add(f.Src.Node, ClassBadFault, "the fault neither fails (status) nor slows (latency) anything", "add status: 503 (and code: SlowDown) or latency: 2s")
	}
	l.expectations(st)
}

// subject identifies what an expectation is about.
func subjectOf(e *v1alpha1.Expectation) string {
	if e.Bucket != nil {
		return "bucket " + e.Bucket.Backend + "/" + e.Bucket.Name
	}
	_, name, ns, _ := v1alpha1.Resolve(e.Kind, e.Name, e.Namespace)
	if ns != "" {
		return fmt.Sprintf("%s %s/%s", e.Kind, ns, name)
	}
	return fmt.Sprintf("%s %s", e.Kind, name)
}

type claim struct {
	value string
	node  *yaml.Node
}

func (l *fileLinter) expectations(st *v1alpha1.Step) {
	// Claims per subject, to find items in one step that cannot hold together.
	exists := map[string]claim{}   // subject → "exists"/"absent"
	positive := map[string]claim{} // subject → first item needing the subject to exist
	fields := map[string]claim{}   // subject+path → equals value / "<missing>"
	envs := map[string]claim{}     // subject+env → value / "<absent>"
	args := map[string]claim{}     // subject+arg → "present"/"absent"
	conds := map[string]claim{}    // subject+type → status
	conflict := func(n *yaml.Node, what string, prev claim) {
		l.add(n, ClassImpossible, fmt.Sprintf("this step expects %s, which contradicts line %d", what, prev.node.Line),
			"one of the two is wrong; if the state changes over time, put them in separate steps")
	}
	record := func(m map[string]claim, key, value string, n *yaml.Node, what string) {
		if prev, ok := m[key]; ok && prev.value != value {
			conflict(n, what, prev)
			return
		}
		if _, ok := m[key]; !ok {
			m[key] = claim{value, n}
		}
	}
	for i := range st.Expect {
		e := &st.Expect[i]
		n := e.Src.Node
		field := func(k string) *yaml.Node {
			if f := e.Src.Field(k); f != nil {
				return v1alpha1.KeyNode(n, k)
			}
			return n
		}
		if e.Bucket == nil && e.Kind == "" {
			l.add(n, ClassMissingField, "the expectation names neither an object (kind:) nor a bucket (bucket:)", "add kind: ... (and name:) or bucket: {backend: s3, name: ...}")
			continue
		}
		if e.Bucket != nil && e.Kind != "" {
			l.add(field("bucket"), ClassMisplaced, "the expectation names both an object (kind:) and a bucket", "split it into two items")
			continue
		}
		subj := subjectOf(e)
		before := len(l.findings)
		quiet := hasUnknownKeys(n) // a misspelt key is reported already; don't also say "nothing expected"
		if e.Exists && e.Absent {
			l.add(field("absent"), ClassImpossible, fmt.Sprintf("%s cannot both exist and be absent", subj), "keep one of exists/absent")
			continue
		}
		if e.Exists || e.Absent {
			v := "exists"
			if e.Absent {
				v = "absent"
			}
			record(exists, subj, v, field(v), fmt.Sprintf("%s %s", subj, v))
		}
		if e.Bucket != nil {
			l.bucketExpectation(e, field, quiet)
			if e.Objects != nil || len(e.Settings) > 0 {
				if prev, ok := exists[subj]; ok && prev.value == "absent" && !e.Absent {
					conflict(n, subj+" to have objects/settings while absent", prev)
				}
				if e.Absent {
					l.add(field("absent"), ClassImpossible, subj+" cannot be absent and have objects or settings", "")
				}
			}
			continue
		}
		info, ok := l.kind(e.Src.Field("kind"), e.Kind)
		if !ok {
			continue
		}
		l.nameNS(e.Src, info, e.Kind, e.Name, e.Namespace)
		for _, k := range []string{"objects", "settings", "neverCalled"} {
			if e.Src.Field(k) != nil {
				l.add(field(k), ClassMisplaced, fmt.Sprintf("%s is about a bucket, but this expectation is about %s", k, e.Kind), "use bucket: {backend: ..., name: ...} as the subject")
			}
		}
		hasPathCheck := e.Src.Field("equals") != nil || e.Contains != nil || e.Matches != "" || e.Missing
		if e.Path == "" && hasPathCheck {
			for _, k := range []string{"equals", "contains", "matches", "missing"} {
				if e.Src.Field(k) != nil {
					l.add(field(k), ClassMissingField, k+" needs a path: which field?", "add path: spec.something")
					break
				}
			}
		}
		if e.Path != "" {
			pn := e.Src.Field("path")
			if _, err := expect.ParseFieldPath(e.Path); err != nil {
				line, col := pn.Line, pn.Column
				var pe *expect.PathError
				if errors.As(err, &pe) && pn.Style == 0 && !strings.HasPrefix(strings.TrimSpace(e.Path), "{") {
					col += pe.Offset
				} else if errors.As(err, &pe) && (pn.Style == yaml.DoubleQuotedStyle || pn.Style == yaml.SingleQuotedStyle) && !strings.HasPrefix(strings.TrimSpace(e.Path), "{") {
					col += pe.Offset + 1
				}
				hint := `dotted: spec.storage.s3.bucket, status.conditions[type=Available].status, data["a.b..5000"]; or JSONPath in braces: {.spec.replicas}`
				l.addAt(line, col, ClassBadPath, fmt.Sprintf("bad field path %q: %s", e.Path, pathMsg(err)), hint)
			}
			if !hasPathCheck && !quiet {
				l.add(field("path"), ClassEmptyExpectation, "path is given but nothing is said about it", "add equals:, contains:, matches: or missing: true")
			}
			if e.Src.Field("equals") != nil && e.Missing {
				l.add(field("missing"), ClassImpossible, fmt.Sprintf("%s cannot both equal a value and be missing", e.Path), "keep one")
			} else if e.Src.Field("equals") != nil {
				record(fields, subj+"|"+e.Path, expect.Text(expect.Normalize(e.Equals)), field("equals"), fmt.Sprintf("%s %s = %s", subj, e.Path, expect.Text(expect.Normalize(e.Equals))))
			} else if e.Missing {
				record(fields, subj+"|"+e.Path, "\x00missing", field("missing"), fmt.Sprintf("%s %s missing", subj, e.Path))
			}
		}
		if c := e.Condition; c != nil {
			if !info.Conditions {
				l.add(field("condition"), ClassMisplaced, fmt.Sprintf("%s has no status conditions", e.Kind), "conditions are on Config, ImagePruner and ClusterOperator (and Deployment/Job)")
			}
			if c.Status != "" {
				record(conds, subj+"|"+c.Type, c.Status, field("condition"), fmt.Sprintf("condition %s status %s", c.Type, c.Status))
			}
			if c.Message != "" && c.MessageContains != "" && !strings.Contains(c.Message, c.MessageContains) {
				l.add(v1alpha1.KeyNode(e.Src.Field("condition"), "messageContains"), ClassImpossible, "message and messageContains disagree", "keep one")
			}
		}
		if ev := e.Env; ev != nil {
			if !info.Workload {
				l.add(field("env"), ClassMisplaced, fmt.Sprintf("env is about a pod template, and %s has none", e.Kind), "use kind: Deployment (name image-registry) or CronJob")
			}
			en := e.Src.Field("env")
			if ev.Absent && (ev.Value != nil || ev.Matches != "" || ev.SecretKeyRef != nil) {
				l.add(v1alpha1.KeyNode(en, "absent"), ClassImpossible, fmt.Sprintf("env %s cannot be absent and have a value", ev.Name), "keep absent: true or the value")
			} else if !ev.Absent && ev.Value == nil && ev.Matches == "" && ev.SecretKeyRef == nil {
				// "is set" with any value: fine.
				record(envs, subj+"|"+ev.Name, "\x00set", field("env"), fmt.Sprintf("env %s set", ev.Name))
			} else if ev.Absent {
				record(envs, subj+"|"+ev.Name, "\x00absent", field("env"), fmt.Sprintf("env %s absent", ev.Name))
			} else if ev.Value != nil {
				prev, ok := envs[subj+"|"+ev.Name]
				if ok && prev.value == "\x00set" {
					envs[subj+"|"+ev.Name] = claim{*ev.Value, prev.node}
				} else {
					record(envs, subj+"|"+ev.Name, *ev.Value, field("env"), fmt.Sprintf("env %s = %q", ev.Name, *ev.Value))
				}
			}
		}
		for _, a := range []struct {
			key, arg, state string
		}{{"arg", e.Arg, "present"}, {"noArg", e.NoArg, "absent"}} {
			if a.arg == "" {
				continue
			}
			if !info.Workload {
				l.add(field(a.key), ClassMisplaced, fmt.Sprintf("%s is about a pod template, and %s has none", a.key, e.Kind), "use kind: CronJob (name image-pruner) or Deployment")
			}
			record(args, subj+"|"+a.arg, a.state, field(a.key), fmt.Sprintf("argument %s %s", a.arg, a.state))
		}
		positiveCheck := e.Path != "" || e.Condition != nil || (e.Env != nil) || e.Arg != "" || e.NoArg != ""
		if positiveCheck && !e.Missing {
			if _, ok := positive[subj]; !ok {
				positive[subj] = claim{"", n}
			}
		}
		if !e.Exists && !e.Absent && !positiveCheck && !hasPathCheck && !quiet && len(l.findings) == before {
			l.add(n, ClassEmptyExpectation, fmt.Sprintf("nothing is expected of %s", subj), "add exists: true, absent: true, path: + equals:, condition:, env:, arg: or noArg:")
		}
		if e.Absent && positiveCheck {
			l.add(field("absent"), ClassImpossible, fmt.Sprintf("%s is expected absent, and this item also checks its contents", subj), "split: one item absent: true, or drop the content checks")
		}
	}
	// An object expected absent in one item and checked for content in another.
	for subj, c := range exists {
		if c.value != "absent" {
			continue
		}
		if p, ok := positive[subj]; ok && p.node != c.node {
			later := p
			earlier := c
			if p.node.Line < c.node.Line {
				later, earlier = c, p
			}
			conflict(later.node, fmt.Sprintf("%s absent and checks its contents", subj), earlier)
		}
	}
	sortFindings(l.findings)
}

func (l *fileLinter) bucketExpectation(e *v1alpha1.Expectation, field func(string) *yaml.Node, quiet bool) {
	before := len(l.findings)
	for _, k := range []string{"path", "equals", "contains", "matches", "missing", "condition", "env", "arg", "noArg", "name", "namespace"} {
		if e.Src.Field(k) != nil {
			l.add(field(k), ClassMisplaced, fmt.Sprintf("%s is about an object, but this expectation is about a bucket", k), "buckets take exists, absent, objects, settings, neverCalled")
		}
	}
	if !e.Exists && !e.Absent && e.Objects == nil && len(e.Settings) == 0 && len(e.NeverCalled) == 0 && !quiet && len(l.findings) == before {
		l.add(e.Src.Node, ClassEmptyExpectation, "nothing is expected of the bucket", "add exists: true, absent: true, objects: N, settings: {...} or neverCalled: [DeleteBucket]")
	}
	if seq := e.Src.Field("neverCalled"); seq != nil && seq.Kind == yaml.SequenceNode {
		for _, n := range seq.Content {
			if !contains(v1alpha1.Ops, n.Value) {
				l.add(n, ClassUnknownOp, fmt.Sprintf("unknown operation %q", n.Value), suggest(n.Value, v1alpha1.Ops, "operations"))
			}
		}
	}
}

var expectationKeys = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v1alpha1.Expectation{})
	for i := 0; i < t.NumField(); i++ {
		if n := v1alpha1.YAMLName(t.Field(i)); n != "" {
			out[n] = true
		}
	}
	return out
}()

func hasUnknownKeys(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		if !expectationKeys[n.Content[i].Value] {
			return true
		}
	}
	return false
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

func pathMsg(err error) string {
	var pe *expect.PathError
	if errors.As(err, &pe) {
		return pe.Msg
	}
	return err.Error()
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Line != fs[j].Line {
			return fs[i].Line < fs[j].Line
		}
		return fs[i].Col < fs[j].Col
	})
}
