package hygiene

import (
	"go/parser"
	"go/token"
	"testing"
)

// TestChangeDetectorSeesEachForm pins what counts as a change of another package's
// exported variable, so that the repository-wide check cannot quietly stop seeing one.
func TestChangeDetectorSeesEachForm(t *testing.T) {
	const src = `package b

import (
	"example.com/m/a"
	other "example.com/m/c"
)

func f(x []int) {
	a.V = 1            // assignment
	a.V.Field = 2      // a field of it
	a.V[0] = 3         // an element of it
	a.V++              // increment
	_ = &a.V           // its address
	for a.V = range x { // range assignment
	}
	other.W = 4        // a renamed import
	_ = a.V            // a read: fine
	a.Unexported = 5   // not an exported variable of a: fine
	a.Func()           // a call: fine (not seen, by design)
	{
		a := struct{ V int }{}
		a.V = 6 // a local that shadows the package: fine
	}
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "b.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := &module{path: "example.com/m", pkgName: map[string]string{"example.com/m/a": "a", "example.com/m/c": "c"}}
	exported := map[string]map[string]bool{"example.com/m/a": {"V": true}, "example.com/m/c": {"W": true}}
	got := changesOfOthersVars(m, goFile{path: "b.go", pkgPath: "example.com/m/b", ast: f, fset: fset}, exported)
	want := []string{"b.go:9", "b.go:10", "b.go:11", "b.go:12", "b.go:13", "b.go:14", "b.go:16"}
	if len(got) != len(want) {
		t.Fatalf("found %d changes %v, want %d at %v", len(got), got, len(want), want)
	}
	for i, c := range got {
		if c.at != want[i] {
			t.Errorf("change %d at %s, want %s", i, c.at, want[i])
		}
	}
	// The owning package may change its own variable.
	if own := changesOfOthersVars(m, goFile{path: "a.go", pkgPath: "example.com/m/a", ast: f, fset: fset}, exported); len(own) != 1 {
		t.Errorf("in package a itself: %d changes flagged, want only other.W's", len(own))
	}
}
