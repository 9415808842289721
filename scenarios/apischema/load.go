package apischema

import (
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Load builds the schemas of kinds: from the CRD files when one defines the kind, else from
// the Go type registered for it in s. A kind with neither has no schema (nothing is checked).
func Load(s *runtime.Scheme, crdFiles []string, kinds []schema.GroupVersionKind) (*Set, error) {
	crds, err := readCRDs(crdFiles)
	if err != nil {
		return nil, err
	}
	set := &Set{kinds: map[schema.GroupVersionKind]*Node{}, fromCRD: map[schema.GroupVersionKind]bool{}}
	for _, gvk := range kinds {
		if n, ok := crds[gvk]; ok {
			set.kinds[gvk] = withObjectMeta(n)
			set.fromCRD[gvk] = true
			continue
		}
		obj, err := s.New(gvk)
		if err != nil {
			continue
		}
		set.kinds[gvk] = FromGoType(reflect.TypeOf(obj))
	}
	if len(set.kinds) == 0 && len(kinds) > 0 {
		return nil, fmt.Errorf("no schema for any of %d kinds", len(kinds))
	}
	return set, nil
}

var objectMeta = FromGoType(reflect.TypeOf(struct {
	Meta metaType `json:"metadata"`
}{})).Fields["metadata"]

// withObjectMeta gives a CRD's schema the full metadata (CRDs only say `type: object`).
func withObjectMeta(n *Node) *Node {
	if n.Type != Object {
		return n
	}
	cp := *n
	cp.Fields = map[string]*Node{}
	for k, v := range n.Fields {
		cp.Fields[k] = v
	}
	cp.Fields["metadata"] = objectMeta
	return &cp
}
