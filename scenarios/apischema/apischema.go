// Package apischema is what the scenario linter knows of the Kubernetes API: for each kind a
// scenario may name, the tree of fields an object of that kind can have, with their types and
// allowed values. OpenShift kinds come from the CRDs in github.com/openshift/api (the same
// -Default files the suite installs, so the same schema the API server enforces); every other
// kind, and any OpenShift kind whose CRD cannot be found, from its Go type (json tags).
package apischema

import (
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Type is a JSON type.
type Type int

// Types of a Node.
const (
	// Any accepts anything below it (free-form or unknown fields preserved).
	Any Type = iota
	Object
	Array
	String
	Integer
	Number
	Boolean
	// IntOrString accepts an integer or a string (quantities, ports).
	IntOrString
)

func (t Type) String() string {
	return [...]string{"anything", "a mapping", "a list", "text", "a whole number", "a number", "true or false", "a number or text"}[t]
}

// Node is the schema of one value.
type Node struct {
	Type Type
	// Fields are an Object's known fields.
	Fields map[string]*Node
	// Values is the schema of an Object's other keys (a map); nil when other keys are errors.
	Values *Node
	// Items is the schema of an Array's elements.
	Items *Node
	// Enum lists the allowed values of a String (empty: any).
	Enum []string
}

// Field returns the schema of key in an Object: a known field, else a map value. ok is false
// when key cannot be there.
func (n *Node) Field(key string) (*Node, bool) {
	if n == nil || n.Type == Any {
		return anyNode, true
	}
	if n.Type != Object {
		return nil, false
	}
	if f, ok := n.Fields[key]; ok {
		return f, true
	}
	if n.Values != nil {
		return n.Values, true
	}
	return nil, false
}

// FieldNames are an Object's known field names, sorted.
func (n *Node) FieldNames() []string {
	out := make([]string, 0, len(n.Fields))
	for k := range n.Fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Find lists the dotted paths below n (at most depth fields deep) that end in a field named
// key, shortest first: where a misplaced or mis-indented field belongs.
func (n *Node) Find(key string, depth int) []string {
	var out []string
	var walk func(m *Node, prefix string, d int)
	walk = func(m *Node, prefix string, d int) {
		if m == nil || d > depth {
			return
		}
		if m.Type == Array {
			walk(m.Items, prefix, d)
			return
		}
		if m.Type != Object {
			return
		}
		for _, name := range m.FieldNames() {
			p := name
			if prefix != "" {
				p = prefix + "." + name
			}
			if name == key && prefix != "" {
				out = append(out, p)
			}
			walk(m.Fields[name], p, d+1)
		}
	}
	walk(n, "", 1)
	sort.SliceStable(out, func(i, j int) bool { return strings.Count(out[i], ".") < strings.Count(out[j], ".") })
	return out
}

var anyNode = &Node{Type: Any}

// Set holds the schemas of the kinds scenarios name.
type Set struct {
	kinds map[schema.GroupVersionKind]*Node
	// fromCRD lists the kinds whose schema came from a CRD file.
	fromCRD map[schema.GroupVersionKind]bool
}

// Root is the schema of a whole object of kind gvk (nil when unknown: nothing is checked).
func (s *Set) Root(gvk schema.GroupVersionKind) *Node {
	if s == nil {
		return nil
	}
	return s.kinds[gvk]
}

// FromCRD reports whether gvk's schema came from its CRD (else from its Go type).
func (s *Set) FromCRD(gvk schema.GroupVersionKind) bool { return s != nil && s.fromCRD[gvk] }

// Kinds lists the kinds the set knows.
func (s *Set) Kinds() []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	for k := range s.kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b schema.GroupVersionKind) int { return strings.Compare(a.String(), b.String()) })
	return out
}
