package expect

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// GetMap reads the object gvk/key through r (typically the watch cache, which holds typed
// objects) and returns it as a JSON-shaped map with apiVersion and kind set. found is false
// when the object does not exist.
func GetMap(ctx context.Context, r client.Reader, s *runtime.Scheme, gvk schema.GroupVersionKind, key client.ObjectKey) (obj map[string]any, found bool, err error) {
	ro, err := s.New(gvk)
	if err != nil {
		return nil, false, fmt.Errorf("kind %s is not in the scheme: %w", gvk.Kind, err)
	}
	co, ok := ro.(client.Object)
	if !ok {
		return nil, false, fmt.Errorf("%s is not an object", gvk.Kind)
	}
	if err := r.Get(ctx, key, co); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	m, err := ToMap(co)
	if err != nil {
		return nil, false, err
	}
	m["apiVersion"], m["kind"] = gvk.GroupVersion().String(), gvk.Kind
	return m, true, nil
}

// ToMap converts a typed object to a JSON-shaped map (numbers as int64/float64).
func ToMap(o runtime.Object) (map[string]any, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		return nil, fmt.Errorf("converting %T: %w", o, err)
	}
	return m, nil
}

// Normalize makes a value JSON-shaped (maps with string keys, []any, float64 numbers), so
// values read from YAML and from the API compare equal when they mean the same.
func Normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

// ValuesEqual compares two values after Normalize. A string compares equal to a number or
// bool with the same text ("2" and 2), since YAML authors rarely know which one the API uses.
func ValuesEqual(got, want any) bool {
	g, w := Normalize(got), Normalize(want)
	if reflect.DeepEqual(g, w) {
		return true
	}
	gs, gok := scalarText(g)
	ws, wok := scalarText(w)
	return gok && wok && gs == ws
}

func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64, bool:
		return fmt.Sprint(t), true
	}
	return "", false
}

// ValueContains reports whether got contains item: a substring of a string, an element of a
// list (ValuesEqual), or a key of a map.
func ValueContains(got, item any) bool {
	switch g := Normalize(got).(type) {
	case string:
		s, ok := scalarText(Normalize(item))
		return ok && strings.Contains(g, s)
	case []any:
		for _, e := range g {
			if ValuesEqual(e, item) {
				return true
			}
		}
	case map[string]any:
		s, ok := scalarText(Normalize(item))
		if ok {
			_, has := g[s]
			return has
		}
	}
	return false
}

// Text renders a value for regexp matching and messages: strings as is, the rest as JSON.
func Text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// CheckField checks one field of obj. Exactly what is non-nil/true is checked: equals
// (ValuesEqual), contains (ValueContains), matches (regexp on Text), missing (not set).
func CheckField(obj map[string]any, p *FieldPath, equals, contains any, matches *regexp.Regexp, missing bool) error {
	v, found, err := p.Get(obj)
	if err != nil {
		return fmt.Errorf("path %s: %w", p, err)
	}
	if missing {
		if found {
			return fmt.Errorf("%s should not be set, but is %s", p, Text(v))
		}
		return nil
	}
	if !found {
		if contains == nil && matches == nil && isZeroScalar(equals) {
			// Go clients omit false and 0 (omitempty), so `oc get -o yaml` never shows them:
			// an unset field holds equals false / equals 0 (use missing: true to insist on absence).
			return nil
		}
		return fmt.Errorf("%s is not set", p)
	}
	if equals != nil && !ValuesEqual(v, equals) {
		return fmt.Errorf("%s is %s, want %s", p, Text(v), Text(Normalize(equals)))
	}
	if contains != nil && !ValueContains(v, contains) {
		return fmt.Errorf("%s is %s, which does not contain %s", p, Text(v), Text(Normalize(contains)))
	}
	if matches != nil && !matches.MatchString(Text(v)) {
		return fmt.Errorf("%s is %s, which does not match /%s/", p, Text(v), matches)
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

// secretish are env var and field names whose literal values are never printed.
var secretish = regexp.MustCompile(`(?i)(secret|password|passwd|token|accesskey|accountkey|keyfile|credential|private)`)

// IsSecretName reports whether a variable/key name looks like it holds a secret value.
func IsSecretName(name string) bool { return secretish.MatchString(name) }

// Redacted is what a hidden value is replaced with.
const Redacted = "<redacted>"

// Redact returns a deep copy of obj fit for a failure message: managedFields dropped, Secret
// data/stringData values, spec.httpSecret, and literal values of secret-looking env vars
// replaced by <redacted>.
func Redact(obj map[string]any) map[string]any {
	cp, _ := Normalize(obj).(map[string]any)
	if cp == nil {
		return nil
	}
	if md, ok := cp["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
		if ann, ok := md["annotations"].(map[string]any); ok {
			delete(ann, "kubectl.kubernetes.io/last-applied-configuration")
		}
	}
	if cp["kind"] == "Secret" {
		for _, k := range []string{"data", "stringData"} {
			if d, ok := cp[k].(map[string]any); ok {
				for key := range d {
					d[key] = Redacted
				}
			}
		}
	}
	redactWalk(cp)
	return cp
}

func redactWalk(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k == "httpSecret" {
				if s, ok := e.(string); ok && s != "" {
					t[k] = Redacted
				}
				continue
			}
			if k == "env" {
				if l, ok := e.([]any); ok {
					for _, ev := range l {
						if m, ok := ev.(map[string]any); ok {
							if n, _ := m["name"].(string); IsSecretName(n) {
								if _, has := m["value"]; has {
									m["value"] = Redacted
								}
							}
						}
					}
				}
			}
			redactWalk(e)
		}
	case []any:
		for _, e := range t {
			redactWalk(e)
		}
	}
}

// DumpLimit caps the size of an object printed in a failure message.
const DumpLimit = 6000

// Dump renders a redacted object as YAML for a failure message.
func Dump(obj map[string]any) string {
	b, err := yaml.Marshal(Redact(obj))
	if err != nil {
		return fmt.Sprintf("<cannot render object: %v>", err)
	}
	s := string(b)
	if len(s) > DumpLimit {
		s = s[:DumpLimit] + "\n... (truncated)\n"
	}
	return s
}

// SortedKeys lists a map's keys in order (for stable messages).
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
