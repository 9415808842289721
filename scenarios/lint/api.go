package lint

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/internal/fieldpath"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/apischema"
)

// Checks against the kinds' API schemas: a field path, patch or manifest that names a field
// the kind does not have would only fail at run time, after the whole timeout (a path) or
// silently (the API server drops unknown fields of a patch).

// root is the API schema of kind (nil when unknown: nothing is checked).
func (l *fileLinter) root(kind string) *apischema.Node {
	info, ok := v1alpha1.Kinds[kind]
	if !ok {
		return nil
	}
	return l.cfg.API.Root(info.GVK)
}

// FieldPath parses the path given at node pn and checks it against kind's API schema. It
// returns the parsed path and the schema of the value it addresses (nil when unknown), or a
// nil path after reporting what is wrong.
func (c *Checker) FieldPath(pn *yaml.Node, kind, path string) (*fieldpath.Path, *apischema.Node) {
	p, err := fieldpath.Parse(path)
	if err != nil {
		line, col := pn.Line, pn.Column
		var se *fieldpath.SyntaxError
		if errors.As(err, &se) && !strings.HasPrefix(strings.TrimSpace(path), "{") {
			col += offsetInNode(pn, se.Offset)
		}
		hint := `dotted: spec.storage.s3.bucket, status.conditions[type=Available].status, data["a.b..5000"]; or JSONPath in braces: {.spec.replicas}`
		msg := err.Error()
		if se != nil {
			msg = se.Msg
		}
		c.AddAt(line, col, ClassBadPath, fmt.Sprintf("bad field path %q: %s", path, msg), hint)
		return nil, nil
	}
	root := c.fl.root(kind)
	if root == nil || p.IsJSONPath() {
		return p, nil
	}
	var steps []string
	for _, s := range p.Segments() {
		steps = append(steps, s.Key)
	}
	n := root
	for i, s := range p.Segments() {
		at := strings.Join(steps[:i], ".")
		next, msg, hint := step(n, s, kind, at)
		if msg != "" {
			c.AddAt(pn.Line, pn.Column+offsetInNode(pn, s.Offset), ClassNotInAPI, msg, hint)
			return nil, nil
		}
		n = next
	}
	return p, n
}

// step follows one path segment from schema n (reached at path at of kind).
func step(n *apischema.Node, s fieldpath.Segment, kind, at string) (next *apischema.Node, msg, hint string) {
	where := kind
	if at != "" {
		where = kind + " " + at
	}
	if n.Type == apischema.Any {
		return n, "", ""
	}
	switch s.Kind {
	case fieldpath.Key:
		if n.Type == apischema.Array {
			return nil, fmt.Sprintf("%s is a list, so it has no field %q", where, s.Key),
				fmt.Sprintf("select an element first: %s[0].%s, or %s[name=...].%s", at, s.Key, at, s.Key)
		}
		if f, ok := n.Field(s.Key); ok {
			return f, "", ""
		}
		if n.Type != apischema.Object {
			return nil, fmt.Sprintf("%s is %s, so it has no field %q", where, n.Type, s.Key), ""
		}
		return nil, fmt.Sprintf("%s has no field %q", where, s.Key), fieldHint(n, s.Key, at)
	case fieldpath.Index, fieldpath.Filter:
		if n.Type != apischema.Array {
			return nil, fmt.Sprintf("%s is %s, not a list: [...] selects list elements", where, n.Type), ""
		}
		if s.Kind == fieldpath.Filter && n.Items != nil && n.Items.Type == apischema.Object {
			if _, ok := n.Items.Field(s.Key); !ok {
				return nil, fmt.Sprintf("the elements of %s have no field %q to select by", where, s.Key), Suggest(s.Key, n.Items.FieldNames(), "their fields")
			}
		}
		return n.Items, "", ""
	}
	return n, "", ""
}

// fieldHint says where a field that is not under at may be meant to be.
func fieldHint(n *apischema.Node, key, at string) string {
	if found := n.Find(key, 4); len(found) > 0 {
		p := found[0]
		if at != "" {
			p = at + "." + p
		}
		return fmt.Sprintf("did you mean %s?", p)
	}
	return Suggest(key, n.FieldNames(), "fields")
}

// offsetInNode is how many columns after a scalar node's start byte offset off of its value
// is (quoted scalars start with the quote; block scalars are not followed).
func offsetInNode(n *yaml.Node, off int) int {
	switch n.Style {
	case 0, yaml.FlowStyle:
		return off
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		return off + 1
	}
	return 0
}

// EqualsValue checks an expected value (at node vn) against the schema of the field it is
// compared with: a text field with a fixed set of values never equals another one.
func (c *Checker) EqualsValue(vn *yaml.Node, field *apischema.Node, kind, path string) {
	if field == nil || field.Type != apischema.String || len(field.Enum) == 0 || vn == nil || vn.Kind != yaml.ScalarNode || vn.Tag != "!!str" {
		return
	}
	if !slices.Contains(field.Enum, vn.Value) {
		c.Add(vn, ClassNotInAPI, fmt.Sprintf("%s %s is never %q: it is one of %s", kind, path, vn.Value, enumList(field.Enum)),
			didYouMean(vn.Value, field.Enum))
	}
}

// MergePatch checks a JSON merge patch (at node n) against kind's API schema.
func (c *Checker) MergePatch(kind string, n *yaml.Node) {
	if root := c.fl.root(kind); root != nil {
		c.fl.value(root, n, kind, "")
	}
}

// manifestAPI checks an inline manifest's body against its kind's API schema.
func (l *fileLinter) manifestAPI(o *v1alpha1.Object, info v1alpha1.KindInfo) {
	root := l.cfg.API.Root(info.GVK)
	if root == nil {
		return
	}
	for _, k := range []string{"metadata", "spec", "status", "data", "stringData", "type"} {
		v := o.Src.Field(k)
		if v == nil {
			continue
		}
		f, ok := root.Field(k)
		if !ok {
			if k != "data" && k != "stringData" && k != "type" { // reported by object()
				l.add(v1alpha1.KeyNode(o.Src.Node, k), ClassNotInAPI, fmt.Sprintf("%s has no field %q", o.Kind, k), "")
			}
			continue
		}
		l.value(f, v, o.Kind, k)
	}
}

// value checks YAML node n against schema s (n is at path at of kind): unknown fields (with
// where they may belong: a mis-indented key usually is a field of the null key above it),
// value types and allowed values.
func (l *fileLinter) value(s *apischema.Node, n *yaml.Node, kind, at string) {
	if n == nil || s == nil || s.Type == apischema.Any {
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // a merge patch's null removes the field
	}
	where := kind
	if at != "" {
		where = kind + " " + at
	}
	join := func(k string) string {
		if at == "" {
			return k
		}
		return at + "." + k
	}
	switch n.Kind {
	case yaml.MappingNode:
		if s.Type != apischema.Object {
			l.add(n, ClassNotInAPI, fmt.Sprintf("%s must be %s, not a mapping", where, s.Type), "")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := s.Field(k.Value)
			if !ok {
				l.add(k, ClassNotInAPI, fmt.Sprintf("%s has no field %q", where, k.Value), misindentHint(s, n, i, at))
				continue
			}
			l.value(f, v, kind, join(k.Value))
		}
	case yaml.SequenceNode:
		if s.Type != apischema.Array {
			l.add(n, ClassNotInAPI, fmt.Sprintf("%s must be %s, not a list", where, s.Type), "")
			return
		}
		for i, e := range n.Content {
			l.value(s.Items, e, kind, fmt.Sprintf("%s[%d]", at, i))
		}
	case yaml.ScalarNode:
		l.scalar(s, n, where)
	}
}

// misindentHint explains an unknown key at index i of mapping n (schema s, at path at): when
// a key above it is empty (null) and has this field, the key lost its indentation.
func misindentHint(s *apischema.Node, n *yaml.Node, i int, at string) string {
	key := n.Content[i].Value
	for j := i - 2; j >= 0; j -= 2 {
		pk, pv := n.Content[j], n.Content[j+1]
		if pv.Kind != yaml.ScalarNode || pv.Tag != "!!null" {
			continue
		}
		if f, ok := s.Fields[pk.Value]; ok && f.Type == apischema.Object {
			if _, has := f.Fields[key]; has {
				return fmt.Sprintf("%s is a field of %s, which is empty here: indent %s (line %d) under %s (line %d)", key, pk.Value, key, n.Content[i].Line, pk.Value, pk.Line)
			}
		}
	}
	return fieldHint(s, key, at)
}

// scalar checks a scalar's type and allowed values.
func (l *fileLinter) scalar(s *apischema.Node, n *yaml.Node, where string) {
	tag := n.Tag
	ok := false
	switch s.Type {
	case apischema.String:
		ok = tag == "!!str"
	case apischema.Integer:
		ok = tag == "!!int"
	case apischema.Number:
		ok = tag == "!!int" || tag == "!!float"
	case apischema.Boolean:
		ok = tag == "!!bool"
	case apischema.IntOrString:
		ok = tag == "!!int" || tag == "!!str"
	case apischema.Object, apischema.Array:
		ok = false
	default:
		ok = true
	}
	if !ok {
		hint := ""
		switch {
		case s.Type == apischema.String:
			hint = fmt.Sprintf("quote it: %q", n.Value)
		case tag == "!!str" && (s.Type == apischema.Integer || s.Type == apischema.Number || s.Type == apischema.Boolean):
			if _, err := strconv.ParseFloat(n.Value, 64); err == nil || n.Value == "true" || n.Value == "false" {
				hint = "remove the quotes: " + n.Value
			}
		}
		l.add(n, ClassNotInAPI, fmt.Sprintf("%s must be %s, not %s", where, s.Type, describeNode(n)), hint)
		return
	}
	if s.Type == apischema.String && len(s.Enum) > 0 && !slices.Contains(s.Enum, n.Value) {
		l.add(n, ClassNotInAPI, fmt.Sprintf("%s cannot be %q: it is one of %s", where, n.Value, enumList(s.Enum)), didYouMean(n.Value, s.Enum))
	}
}

// JSONPatch checks the JSON patch operations at sequence node seq against kind's API schema:
// every path and from, and each value against the field it goes to.
func (c *Checker) JSONPatch(kind string, seq *yaml.Node, ops []v1alpha1.JSONPatchOp) {
	root := c.fl.root(kind)
	if root == nil || seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for i, op := range ops {
		if i >= len(seq.Content) {
			break
		}
		item := seq.Content[i]
		target := c.fl.pointer(root, v1alpha1.FieldNode(item, "path"), kind, op.Path, op.Op == "add" || op.Op == "move" || op.Op == "copy")
		if op.From != "" {
			c.fl.pointer(root, v1alpha1.FieldNode(item, "from"), kind, op.From, false)
		}
		if vn := v1alpha1.FieldNode(item, "value"); vn != nil && target != nil {
			c.fl.value(target, vn, kind, pointerPath(op.Path))
		}
	}
}

// pointer follows JSON pointer ptr (given at node pn) through schema root; adding allows the
// last step to be a new key or "-" (append). It returns the schema at the pointer, or nil
// after reporting what is wrong (or when the pointer is malformed: the structure pass says so).
func (l *fileLinter) pointer(root *apischema.Node, pn *yaml.Node, kind, ptr string, adding bool) *apischema.Node {
	if pn == nil || !strings.HasPrefix(ptr, "/") {
		return nil
	}
	n := root
	off := 1
	parts := strings.Split(ptr[1:], "/")
	var walked []string
	for i, raw := range parts {
		key := strings.ReplaceAll(strings.ReplaceAll(raw, "~1", "/"), "~0", "~")
		last := i == len(parts)-1
		at := strings.Join(walked, ".")
		var msg, hint string
		switch {
		case n.Type == apischema.Any:
			return n
		case n.Type == apischema.Array:
			if _, err := strconv.Atoi(key); err == nil || (key == "-" && last && adding) {
				n = n.Items
			} else {
				msg = fmt.Sprintf("%s %s is a list: %q is not an element index", kind, at, key)
				hint = "use a number (/0), or - to append with add"
			}
		default:
			var ok bool
			var next *apischema.Node
			next, msg, hint = step(n, fieldpath.Segment{Kind: fieldpath.Key, Key: key}, kind, at)
			n, ok = next, msg == ""
			if !ok {
				hint = pointerHint(hint)
			}
		}
		if msg != "" {
			l.addAt(pn.Line, pn.Column+offsetInNode(pn, off), ClassNotInAPI, msg, hint)
			return nil
		}
		walked = append(walked, key)
		off += len(raw) + 1
	}
	return n
}

// pointerPath shows a JSON pointer as a dotted path in messages.
func pointerPath(ptr string) string {
	return strings.ReplaceAll(strings.TrimPrefix(ptr, "/"), "/", ".")
}

// pointerHint writes a "did you mean a.b.c?" hint about a dotted path as a JSON pointer.
func pointerHint(hint string) string {
	p, ok := strings.CutPrefix(hint, "did you mean ")
	if !ok || strings.HasPrefix(p, `"`) {
		return hint
	}
	return "did you mean /" + strings.ReplaceAll(p, ".", "/")
}

// enumList shows allowed values, the empty one quoted.
func enumList(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = v
		if v == "" {
			out[i] = `""`
		}
	}
	return strings.Join(out, ", ")
}
