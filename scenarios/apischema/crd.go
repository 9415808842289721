package apischema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// readCRDs reads the CRDs in files: the schema of each served version, by kind.
func readCRDs(files []string) (map[schema.GroupVersionKind]*Node, error) {
	out := map[schema.GroupVersionKind]*Node{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading CRD: %w", err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := dec.Decode(&crd); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("decoding CRD %s: %w", f, err)
			}
			if crd.Spec.Names.Kind == "" {
				continue
			}
			for _, v := range crd.Spec.Versions {
				if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
					continue
				}
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
				out[gvk] = fromProps(v.Schema.OpenAPIV3Schema)
			}
		}
	}
	return out, nil
}

// alternation is a pattern that only lists alternatives, ^(A|B|C)$: an enum in disguise
// (openshift/api writes managementState that way).
var alternation = regexp.MustCompile(`^\^\(([A-Za-z0-9_|-]+)\)\$$`)

func fromProps(p *apiextensionsv1.JSONSchemaProps) *Node {
	if p == nil {
		return anyNode
	}
	if p.XIntOrString {
		return &Node{Type: IntOrString}
	}
	if p.XPreserveUnknownFields != nil && *p.XPreserveUnknownFields && len(p.Properties) == 0 {
		return anyNode
	}
	switch p.Type {
	case "object":
		n := &Node{Type: Object, Fields: map[string]*Node{}}
		for k, v := range p.Properties {
			n.Fields[k] = fromProps(&v)
		}
		switch {
		case p.AdditionalProperties != nil && p.AdditionalProperties.Schema != nil:
			n.Values = fromProps(p.AdditionalProperties.Schema)
		case p.AdditionalProperties != nil && p.AdditionalProperties.Allows:
			n.Values = anyNode
		case len(p.Properties) == 0 || (p.XPreserveUnknownFields != nil && *p.XPreserveUnknownFields):
			// A bare `type: object` (metadata in every CRD) or preserved unknown fields.
			return anyNode
		}
		return n
	case "array":
		if p.Items == nil || p.Items.Schema == nil {
			return &Node{Type: Array, Items: anyNode}
		}
		return &Node{Type: Array, Items: fromProps(p.Items.Schema)}
	case "string":
		n := &Node{Type: String}
		for _, e := range p.Enum {
			n.Enum = append(n.Enum, strings.Trim(string(e.Raw), `"`))
		}
		if m := alternation.FindStringSubmatch(p.Pattern); m != nil && len(n.Enum) == 0 {
			n.Enum = strings.Split(m[1], "|")
		}
		return n
	case "integer":
		return &Node{Type: Integer}
	case "number":
		return &Node{Type: Number}
	case "boolean":
		return &Node{Type: Boolean}
	}
	return anyNode
}
