package specs

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// notYetDescribed are spec files whose assertions have no descriptions yet, with the reason.
// Remove an entry once its file complies; never add one.
var notYetDescribed = map[string]string{}

// assertionVerbs end a Gomega assertion; the description follows the matcher.
var assertionVerbs = map[string]bool{"To": true, "ToNot": true, "NotTo": true, "Should": true, "ShouldNot": true}

// assertionStarts begin one (Expect(x), g.Expect(x), Eventually(f), Ω(x), ...).
var assertionStarts = map[string]bool{"Expect": true, "ExpectWithOffset": true, "Eventually": true,
	"EventuallyWithOffset": true, "Consistently": true, "ConsistentlyWithOffset": true, "Ω": true}

// TestEveryAssertionHasADescription: the first line of a failure names the object and field
// only if the assertion says which they are (see README "Writing specs"). Every
// Expect/Eventually/Consistently … To/NotTo/Should/ShouldNot in the specs' Go files must pass
// a description after its matcher.
func TestEveryAssertionHasADescription(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var missing []string
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		if _, skip := notYetDescribed[f]; skip {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !assertionVerbs[sel.Sel.Name] || !startsAssertion(sel.X) {
				return true
			}
			checked++
			if len(call.Args) < 2 {
				missing = append(missing, fmt.Sprintf("%s: %s", fset.Position(call.Pos()), shorten(string(src[fset.Position(call.Pos()).Offset:fset.Position(call.End()).Offset]))))
			}
			return true
		})
	}
	if checked < 100 {
		t.Fatalf("only %d assertions found: is the test looking at the right files?", checked)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d assertions have no description naming the object and field, e.g. .To(Equal(3), \"Deployment image-registry spec.replicas\"):\n%s",
			len(missing), checked, strings.Join(missing, "\n"))
	}
}

// startsAssertion: e is (a chain of calls on) Expect(...), g.Expect(...), Eventually(...), ...
func startsAssertion(e ast.Expr) bool {
	for {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			return assertionStarts[fn.Name]
		case *ast.SelectorExpr:
			if assertionStarts[fn.Sel.Name] {
				return true
			}
			e = fn.X // Eventually(f).WithTimeout(t).WithPolling(p)
		default:
			return false
		}
	}
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 110 {
		return s[:109] + "…"
	}
	return s
}

func TestNotYetDescribedStillNeeded(t *testing.T) {
	for f := range notYetDescribed {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s is listed in notYetDescribed but does not exist", f)
		}
	}
}
