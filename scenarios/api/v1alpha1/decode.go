package v1alpha1

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// Document is one YAML document of a scenario file.
type Document struct {
	File string
	Node *yaml.Node // the document's root (a mapping for a scenario)
}

// ParseDocuments splits data into YAML documents (keeping line/column information).
func ParseDocuments(file string, data []byte) ([]Document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []Document
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			root := n.Content[0]
			if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
				continue // an empty document (e.g. a trailing ---)
			}
			out = append(out, Document{File: file, Node: root})
		}
	}
}

// DecodeDocument decodes one document into a Scenario (not validated: lint it first) and
// records where each part came from (the Src fields).
func DecodeDocument(d Document) (*Scenario, error) {
	var s Scenario
	if err := d.Node.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", d.File, err)
	}
	attach(d.File, d.Node, reflect.ValueOf(&s).Elem())
	return &s, nil
}

var sourceType = reflect.TypeOf(Source{})

// attach walks v alongside n and sets every Src field.
func attach(file string, n *yaml.Node, v reflect.Value) {
	if n == nil {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			attach(file, n, v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Type == sourceType {
				v.Field(i).Set(reflect.ValueOf(Source{File: file, Node: n}))
				continue
			}
			name := yamlName(f)
			if name == "" {
				continue
			}
			attach(file, FieldNode(n, name), v.Field(i))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i := 0; i < v.Len() && i < len(n.Content); i++ {
			attach(file, n.Content[i], v.Index(i))
		}
	}
}

// YAMLName is the key a struct field is written as ("" when it is not part of the format).
func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			tag = tag[:i]
			break
		}
	}
	if tag == "" {
		return f.Name
	}
	return tag
}

// YAMLName is exported for the linter and the schema generator.
func YAMLName(f reflect.StructField) string { return yamlName(f) }
