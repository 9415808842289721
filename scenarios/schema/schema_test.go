package schema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/schema"
)

func TestCommittedSchemaIsCurrent(t *testing.T) {
	want, err := schema.Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(schema.File)
	if err != nil {
		t.Fatalf("reading committed schema: %v (run: go generate ./scenarios/schema)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run `go generate ./scenarios/schema` and commit the result", schema.File)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
}

// Every kind field is an enum of the known kinds, and apiVersion/kind of the file are fixed:
// an editor with the schema flags `kind: Configmap` as the linter does.
func TestKindsAreEnums(t *testing.T) {
	b, err := schema.Generate()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, def := range []string{"Object", "ObjectRef", "Patch", "Expectation"} {
		if got := doc.Defs[def].Properties["kind"].Enum; !slices.Equal(got, v1alpha1.KindNames()) {
			t.Errorf("%s.kind enum is %v, want %v (update the schemaEnum tags in types.go)", def, got, v1alpha1.KindNames())
		}
	}
	if got := doc.Defs["Scenario"].Properties["kind"].Enum; !slices.Equal(got, []string{v1alpha1.Kind}) {
		t.Errorf("Scenario.kind enum is %v", got)
	}
	if got := doc.Defs["Scenario"].Properties["apiVersion"].Enum; !slices.Equal(got, []string{v1alpha1.APIVersion}) {
		t.Errorf("Scenario.apiVersion enum is %v", got)
	}
}
