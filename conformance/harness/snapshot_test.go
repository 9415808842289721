package harness

import (
	"encoding/json"
	"testing"
)

// TestDiffOps: the restore patch touches exactly the fields that differ, keeps nulls as
// nulls, removes what the snapshot lacked, and escapes annotation keys.
func TestDiffOps(t *testing.T) {
	cur := decode([]byte(`{"spec":{"defaultRoute":true,"logging":0,"observedConfig":null,"future":{"a":1},"added":"x"},
		"metadata":{"annotations":{"a/b":"2"}}}`))
	want := decode([]byte(`{"spec":{"defaultRoute":false,"logging":0,"observedConfig":null,"future":{"a":1,"b":[1,2]},"kept":null},
		"metadata":{"annotations":{"a/b":"1"},"labels":{"x":"y"}}}`))
	var ops []patchOp
	for _, part := range restoredParts {
		ops = append(ops, diffOps(pointer(part), lookupOK(cur, part), lookupOK(want, part))...)
	}
	got, _ := json.Marshal(ops)
	exp := `[{"op":"remove","path":"/spec/added"},{"op":"replace","path":"/spec/defaultRoute","value":false},` +
		`{"op":"add","path":"/spec/future/b","value":[1,2]},{"op":"add","path":"/spec/kept","value":null},` +
		`{"op":"add","path":"/metadata/labels","value":{"x":"y"}},{"op":"replace","path":"/metadata/annotations/a~1b","value":"1"}]`
	if string(got) != exp {
		t.Fatalf("ops\n got %s\nwant %s", got, exp)
	}
	if ops := diffOps("/spec", lookupOK(want, []string{"spec"}), lookupOK(want, []string{"spec"})); len(ops) != 0 {
		t.Fatalf("equal specs gave ops %v", ops)
	}
}
