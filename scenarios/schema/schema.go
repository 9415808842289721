// Package schema generates the JSON Schema of the scenario format from the Go types in
// scenarios/api/v1alpha1 (field comments become descriptions). Regenerate the committed copy
// with `go generate ./scenarios/schema`; a test fails when it is stale.
package schema

//go:generate go run ./gen -out scenario.schema.json

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

// File is the committed schema's name, next to this package.
const File = "scenario.schema.json"

// DurationPattern is what a duration string must look like (Go time.ParseDuration syntax).
const DurationPattern = `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`

// Generate returns the schema document (indented JSON, trailing newline).
func Generate() ([]byte, error) {
	docs, err := comments()
	if err != nil {
		return nil, err
	}
	g := &gen{docs: docs, defs: map[string]any{}}
	root := g.typeSchema(reflect.TypeOf(v1alpha1.Scenario{}))
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://irconform.io/schemas/scenario-v1alpha1.json",
		"title":       "irconform QA scenario (" + v1alpha1.APIVersion + ", kind " + v1alpha1.Kind + ")",
		"description": g.docs["Scenario"],
		"$ref":        root["$ref"],
		"$defs":       g.defs,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type gen struct {
	docs map[string]string // "Type" and "Type.Field" → comment
	defs map[string]any
}

func (g *gen) typeSchema(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return g.typeSchema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object"}
		}
		return map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if _, done := g.defs[name]; !done {
			g.defs[name] = nil // recursion guard
			props := map[string]any{}
			var required []string
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				key := v1alpha1.YAMLName(f)
				if key == "" || f.Tag.Get("json") == "-" {
					continue
				}
				s := g.typeSchema(f.Type)
				target := s
				if s["type"] == "array" {
					target = s["items"].(map[string]any)
				}
				if d := g.docs[name+"."+f.Name]; d != "" {
					s["description"] = d
				}
				if e := f.Tag.Get("enum"); e != "" {
					target["enum"] = strings.Split(e, ",")
				}
				if e := f.Tag.Get("schemaEnum"); e != "" {
					target["enum"] = strings.Split(e, ",")
				}
				if p := f.Tag.Get("pattern"); p != "" {
					target["pattern"] = p
				}
				switch f.Tag.Get("format") {
				case "duration":
					target["pattern"] = DurationPattern
				case "behaviorID":
					target["pattern"] = behaviorid.Pattern
				case "regex":
					target["format"] = "regex"
				}
				for _, k := range []string{"minimum", "maximum", "minItems"} {
					if v := f.Tag.Get(k); v != "" {
						n, _ := strconv.Atoi(v)
						s[k] = n
					}
				}
				if f.Tag.Get("required") == "true" {
					required = append(required, key)
				}
				props[key] = s
			}
			def := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
			if d := g.docs[name]; d != "" {
				def["description"] = d
			}
			if len(required) > 0 {
				def["required"] = required
			}
			g.defs[name] = def
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	panic(fmt.Sprintf("schema: unsupported type %s", t))
}

// comments reads the doc comments of the v1alpha1 types and fields from source.
func comments() (map[string]string, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return nil, fmt.Errorf("schema: cannot locate source")
	}
	dir := filepath.Join(filepath.Dir(self), "..", "api", "v1alpha1")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(dir, "types.go"), nil, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("schema: reading type comments: %w", err)
	}
	out := map[string]string{}
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok {
				continue
			}
			if gd.Doc != nil {
				out[ts.Name.Name] = clean(gd.Doc.Text())
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, fld := range st.Fields.List {
				if fld.Doc == nil {
					continue
				}
				for _, n := range fld.Names {
					out[ts.Name.Name+"."+n.Name] = clean(fld.Doc.Text())
				}
			}
		}
	}
	return out, nil
}
