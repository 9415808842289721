package expect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/irconform/irconform/internal/redact"
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

// IsSecretName reports whether a variable/key name looks like it holds a secret value.
func IsSecretName(name string) bool { return redact.IsSecretName(name) }

// Redacted is what a hidden value is replaced with: the one marker of every output.
const Redacted = redact.Mask

// Redact returns a deep copy of obj fit for a failure message (see redact.Object: Secret
// data, a Route's TLS key, httpSecret, secret-named env values and password fields masked;
// managedFields dropped).
func Redact(obj map[string]any) map[string]any { return redact.Object(obj) }

// DumpLimit caps the size of an object printed in a failure message.
const DumpLimit = 6000

// Dump renders a redacted object as YAML for a failure message.
func Dump(obj map[string]any) string {
	b, err := yaml.Marshal(Redact(obj))
	if err != nil {
		return fmt.Sprintf("<cannot render object: %v>", err)
	}
	// YAML quotes the marker ('[REDACTED]' would read as a list); the dump is for people.
	s := strings.ReplaceAll(string(b), "'"+Redacted+"'", Redacted)
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
