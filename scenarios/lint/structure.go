package lint

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

var sourceType = reflect.TypeOf(v1alpha1.Source{})

// structure checks a YAML node tree against the Go types of the format: unknown and
// duplicate fields, wrong value types, required fields, enums, patterns, durations and
// regular expressions. It reports positions; it never stops at the first problem.
func (l *fileLinter) structure(n *yaml.Node, t reflect.Type, where string, f *reflect.StructField) {
	if n == nil {
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	isNull := n.Kind == yaml.ScalarNode && n.Tag == "!!null"
	switch t.Kind() {
	case reflect.Pointer:
		if isNull {
			return
		}
		l.structure(n, t.Elem(), where, f)
	case reflect.Struct:
		if isNull {
			return
		}
		if n.Kind != yaml.MappingNode {
			l.add(n, ClassWrongType, fmt.Sprintf("%s must be a mapping (key: value lines), not %s", where, describeNode(n)),
				"indent its fields under it, e.g. "+exampleFor(t))
			return
		}
		fields := map[string]reflect.StructField{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if sf.Type == sourceType {
				continue
			}
			if name := v1alpha1.YAMLName(sf); name != "" {
				fields[name] = sf
				names = append(names, name)
			}
		}
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if prev, dup := seen[k.Value]; dup {
				l.add(k, ClassDuplicateField, fmt.Sprintf("field %q given twice in %s", k.Value, where),
					fmt.Sprintf("the first one is at line %d; keep one", prev.Line))
				continue
			}
			seen[k.Value] = k
			sf, ok := fields[k.Value]
			if !ok {
				l.add(k, ClassUnknownField, fmt.Sprintf("unknown field %q in %s", k.Value, where), Suggest(k.Value, names, "allowed fields"))
				continue
			}
			l.structure(v, sf.Type, where+"."+k.Value, &sf)
		}
		for _, name := range names {
			sf := fields[name]
			if sf.Tag.Get("required") != "true" {
				continue
			}
			if v := v1alpha1.FieldNode(n, name); v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
				l.add(n, ClassMissingField, fmt.Sprintf("%s is missing required field %q", where, name), "add `"+name+": ...`")
			}
		}
	case reflect.Slice:
		if isNull {
			return
		}
		if n.Kind != yaml.SequenceNode {
			l.add(n, ClassWrongType, fmt.Sprintf("%s must be a list, not %s", where, describeNode(n)),
				"write a list: [a, b] or one `- item` per line")
			return
		}
		if f != nil {
			if m := f.Tag.Get("minItems"); m != "" {
				if min, _ := strconv.Atoi(m); len(n.Content) < min {
					l.add(n, ClassMissingField, fmt.Sprintf("%s must have at least %d item(s)", where, min), "")
				}
			}
		}
		for i, e := range n.Content {
			l.structure(e, t.Elem(), fmt.Sprintf("%s[%d]", where, i), f)
		}
	case reflect.Map:
		if isNull {
			return
		}
		if n.Kind != yaml.MappingNode {
			l.add(n, ClassWrongType, fmt.Sprintf("%s must be a mapping, not %s", where, describeNode(n)), "")
			return
		}
		if t.Elem().Kind() == reflect.String {
			for i := 0; i+1 < len(n.Content); i += 2 {
				l.structure(n.Content[i+1], t.Elem(), where+"."+n.Content[i].Value, nil)
			}
		}
	case reflect.Interface:
		// Free-form (manifest bodies, expected values).
	case reflect.String:
		if isNull {
			return
		}
		if n.Kind != yaml.ScalarNode {
			l.add(n, ClassWrongType, fmt.Sprintf("%s must be text, not %s", where, describeNode(n)), "")
			return
		}
		if n.Tag != "!!str" {
			hint := fmt.Sprintf("quote it: %q", n.Value)
			if f != nil && f.Tag.Get("format") == "duration" && (n.Tag == "!!int" || n.Tag == "!!float") {
				// A bare number is not a duration, quoted or not: the fix is the unit.
				hint = fmt.Sprintf("give it a unit: %ss (durations are 500ms, 10s, 2m, 1h30m)", n.Value)
			}
			l.add(n, ClassWrongType, fmt.Sprintf("%s must be text, but %s is read as %s", where, n.Value, strings.TrimPrefix(n.Tag, "!!")), hint)
			return
		}
		if f != nil {
			l.checkString(n, where, *f)
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			l.add(n, ClassWrongType, fmt.Sprintf("%s must be true or false, not %s", where, describeNode(n)), "")
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			l.add(n, ClassWrongType, fmt.Sprintf("%s must be a whole number, not %s", where, describeNode(n)), "")
			return
		}
		v, err := strconv.Atoi(n.Value)
		if err != nil {
			l.add(n, ClassWrongType, fmt.Sprintf("%s: %q is not a whole number", where, n.Value), "")
			return
		}
		if f != nil {
			if m := f.Tag.Get("minimum"); m != "" {
				if min, _ := strconv.Atoi(m); v < min {
					l.add(n, ClassBadValue, fmt.Sprintf("%s is %d, below the minimum %d", where, v, min), "")
				}
			}
			if m := f.Tag.Get("maximum"); m != "" {
				if max, _ := strconv.Atoi(m); v > max {
					l.add(n, ClassBadValue, fmt.Sprintf("%s is %d, above the maximum %d", where, v, max), "")
				}
			}
		}
	}
}

func (l *fileLinter) checkString(n *yaml.Node, where string, f reflect.StructField) {
	v := n.Value
	if e := f.Tag.Get("enum"); e != "" && v != "" {
		allowed := strings.Split(e, ",")
		ok := false
		for _, a := range allowed {
			if a == v {
				ok = true
			}
		}
		if !ok {
			field := v1alpha1.YAMLName(f)
			class := ClassBadValue
			switch field {
			case "backend", "clearFaults":
				class = ClassUnknownBackend
			case "op":
				if f.Type.Kind() == reflect.String && strings.Contains(e, "CreateBucket") {
					class = ClassUnknownOp
				}
			case "platform":
				class = ClassUnknownPlatform
			}
			l.add(n, class, fmt.Sprintf("unknown %s %q", field, v), Suggest(v, allowed, "one of"))
		}
	}
	if f.Tag.Get("format") == "behaviorID" && !behaviorid.Valid(v) {
		l.add(n, ClassUnknownBehavior, fmt.Sprintf("%q is not a behaviour ID", v), "IDs look like BOOT-003 (area, dash, three digits); see reports/catalogue/behaviors.yaml")
	}
	if p := f.Tag.Get("pattern"); p != "" {
		re, err := l.pattern(p)
		if err != nil {
			l.add(n, ClassBadValue, fmt.Sprintf("%s cannot be checked: the format's pattern %q is broken: %v", where, p, err), "report this to the irconform developers")
		} else if !re.MatchString(v) {
			switch v1alpha1.YAMLName(f) {
			case "path":
				l.add(n, ClassBadPatch, fmt.Sprintf("JSON patch path %q must start with /", v), "e.g. /spec/replicas")
			case "name":
				l.add(n, ClassBadName, fmt.Sprintf("scenario name %q is not lowercase letters, digits and dashes", v), fmt.Sprintf("e.g. %q", dnsify(v)))
			default:
				l.add(n, ClassBadValue, fmt.Sprintf("%s %q does not match %s", where, v, p), "")
			}
		}
	}
	switch f.Tag.Get("format") {
	case "duration":
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			hint := "write a number with a unit: 500ms, 10s, 2m, 1h30m"
			if _, nerr := strconv.ParseFloat(v, 64); nerr == nil {
				hint = fmt.Sprintf("give it a unit: %ss (durations are 500ms, 10s, 2m, 1h30m)", v)
			}
			l.add(n, ClassBadDuration, fmt.Sprintf("%s: %q is not a positive duration", where, v), hint)
		}
	case "regex":
		if _, err := regexp.Compile(v); err != nil {
			l.add(n, ClassBadRegexp, fmt.Sprintf("%s: invalid regular expression: %v", where, err), "Go RE2 syntax; escape literal dots and brackets with \\\\ in double quotes or \\ in single quotes")
		}
	}
}

// pattern compiles a `pattern` tag of the format's types once per linter.
func (l *fileLinter) pattern(p string) (*regexp.Regexp, error) {
	if re, ok := l.patterns[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	l.patterns[p] = re
	return re, nil
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%s %q", strings.TrimPrefix(n.Tag, "!!"), n.Value)
	}
	return "something else"
}

func exampleFor(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var parts []string
	for i := 0; i < t.NumField() && len(parts) < 2; i++ {
		if n := v1alpha1.YAMLName(t.Field(i)); n != "" && t.Field(i).Type != sourceType {
			parts = append(parts, n+": ...")
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func dnsify(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
