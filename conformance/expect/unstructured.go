package expect

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/irconform/irconform/internal/fieldpath"
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
	cp, _ := fieldpath.Normalize(obj).(map[string]any)
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
