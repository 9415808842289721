package lint

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

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
		here := nameUse{file: absPath(l.file), at: fmt.Sprintf("%s:%d", l.file, n.Line), line: n.Line}
		prev, dup := l.names[s.Metadata.Name]
		switch {
		case !dup:
			l.names[s.Metadata.Name] = here
		case prev.file == here.file && prev.line == here.line:
			// The same scenario, reserved before (the shipped set linting itself).
		default:
			l.add(n, ClassDuplicateName, fmt.Sprintf("scenario name %q is already used at %s", s.Metadata.Name, prev.at),
				"names must be unique across all scenario files, the shipped ones included")
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
		if !behaviorid.Valid(id) {
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
	return fmt.Sprintf("no area %s; areas are %s", area, strings.Join(slices.Sorted(maps.Keys(areas)), ", "))
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
		case behaviorid.Valid(lb):
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
	l.manifestAPI(o, info)
}

func (l *fileLinter) kind(n *yaml.Node, kind string) (v1alpha1.KindInfo, bool) {
	if kind == "" {
		return v1alpha1.KindInfo{}, false // missing: reported by the structure pass
	}
	info, ok := v1alpha1.Kinds[kind]
	if !ok {
		l.add(n, ClassUnknownKind, fmt.Sprintf("unknown kind %q", kind), Suggest(kind, v1alpha1.KindNames(), "known kinds"))
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
	c := &Checker{fl: l, claims: map[string]claim{}}
	var used []string
	var keys []string
	for _, a := range l.cfg.Actions {
		keys = append(keys, a.Key())
		if a.Used(st) {
			used = append(used, a.Key())
			a.Validate(c, st)
		}
	}
	if len(used) > 1 {
		l.add(st.Src.Node, ClassBadStep, fmt.Sprintf("a step does one thing, this one has %s", strings.Join(used, " and ")),
			"split it into one step per action (each may have its own expect)")
	}
	if len(used) == 0 && len(st.Expect) == 0 {
		l.add(st.Src.Node, ClassBadStep, "the step neither acts nor expects anything", "add an action ("+strings.Join(keys, ", ")+") or expect items")
	}
	l.expectations(c, st)
}

// subjectOf identifies what an expectation is about.
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

// expectations checks each expect item of st with the checks that apply to it, and items
// that cannot hold together.
func (l *fileLinter) expectations(c *Checker, st *v1alpha1.Step) {
	presence := map[string]bool{}     // subject → expected absent (by the first item saying)
	absent := map[string]*yaml.Node{} // subject → item expecting it absent
	needs := map[string]*yaml.Node{}  // subject → first item reading its contents
	for i := range st.Expect {
		e := &st.Expect[i]
		n := e.Src.Node
		if e.Bucket == nil && e.Kind == "" {
			l.add(n, ClassMissingField, "the expectation names neither an object (kind:) nor a bucket (bucket:)", "add kind: ... (and name:) or bucket: {backend: s3, name: ...}")
			continue
		}
		if e.Bucket != nil && e.Kind != "" {
			l.add(c.KeyNode(e.Src, "bucket"), ClassMisplaced, "the expectation names both an object (kind:) and a bucket", "split it into two items")
			continue
		}
		c.item = &itemCtx{subject: subjectOf(e), misspelt: hasUnknownKeys(n)}
		about := AboutObject
		if e.Bucket != nil {
			about = AboutBucket
			for _, k := range []string{"name", "namespace"} {
				if e.Src.Field(k) != nil {
					l.add(c.KeyNode(e.Src, k), ClassMisplaced, fmt.Sprintf("%s is about an object, but this expectation is about a bucket", k), "name the bucket in bucket: {backend: ..., name: ...}")
				}
			}
		} else {
			info, ok := c.Ref(e.Src, e.Kind, e.Name, e.Namespace)
			if !ok {
				continue
			}
			c.item.info = info
		}
		before := len(l.findings)
		used := false
		for _, chk := range l.cfg.Checks {
			if !chk.Used(e) {
				continue
			}
			used = true
			if chk.About()&about == 0 {
				l.misplaced(c, e, chk, about)
				continue
			}
			chk.Validate(c, e)
		}
		if !used && !c.item.misspelt && len(l.findings) == before {
			l.add(n, ClassEmptyExpectation, "nothing is expected of "+c.item.subject, l.emptyHint(about))
		}
		if e.Absent && c.item.needs {
			l.add(c.KeyNode(e.Src, "absent"), ClassImpossible, fmt.Sprintf("%s is expected absent, and this item also checks its contents", c.item.subject),
				"split: one item absent: true, or drop the content checks")
		}
		if (e.Absent || e.Exists) && !(e.Absent && e.Exists) {
			// The first item saying whether the subject exists decides (a later one saying
			// otherwise is a contradiction of its own).
			if _, ok := presence[c.item.subject]; !ok {
				presence[c.item.subject] = e.Absent
				if e.Absent {
					absent[c.item.subject] = n
				}
			}
		}
		if _, ok := needs[c.item.subject]; !ok && c.item.needs {
			needs[c.item.subject] = n
		}
	}
	// An object expected absent in one item and checked for content in another.
	for _, subj := range slices.Sorted(maps.Keys(absent)) {
		a, p := absent[subj], needs[subj]
		if p == nil || p == a {
			continue
		}
		later, earlier := p, a
		if p.Line < a.Line {
			later, earlier = a, p
		}
		c.contradiction(later, fmt.Sprintf("%s absent and checks its contents", subj), claim{node: earlier})
	}
}

// misplaced reports the keys of a check that does not apply to the item's subject.
func (l *fileLinter) misplaced(c *Checker, e *v1alpha1.Expectation, chk Check, about Subject) {
	for _, k := range chk.Keys() {
		if e.Src.Field(k) == nil {
			continue
		}
		if about == AboutBucket {
			l.add(c.KeyNode(e.Src, k), ClassMisplaced, fmt.Sprintf("%s is about an object, but this expectation is about a bucket", k), l.keysHint(AboutBucket, "buckets take "))
		} else {
			l.add(c.KeyNode(e.Src, k), ClassMisplaced, fmt.Sprintf("%s is about a bucket, but this expectation is about %s", k, e.Kind), "use bucket: {backend: ..., name: ...} as the subject")
		}
	}
}

func (l *fileLinter) emptyHint(about Subject) string {
	if about == AboutBucket {
		return l.keysHint(AboutBucket, "add ")
	}
	return l.keysHint(AboutObject, "add ")
}

// keysHint lists the expectation keys that apply to a subject.
func (l *fileLinter) keysHint(about Subject, prefix string) string {
	var keys []string
	for _, chk := range l.cfg.Checks {
		if chk.About()&about != 0 {
			keys = append(keys, chk.Keys()...)
		}
	}
	return prefix + strings.Join(keys, ", ")
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
