package schema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

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
