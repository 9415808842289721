package hygiene

import (
	"go/ast"
	"go/token"
	"strings"
	"testing"
)

// TestNoExportedVariableChangedFromOutside fails when code changes an exported package-level
// variable of another package of the module: assigns it (or a field or element of it),
// increments it, or takes its address (through which it could be changed). Such a variable
// is a side channel: a reader of the owning package cannot see who sets it, and two users
// of the package step on each other (ARCHITECTURE.md, "no globals"). Pass values instead:
// a constructor argument, a field of an options struct, a return value.
//
// Syntactic, so it misses a change through a pointer-receiver method call (pkg.V.Set(x)) or
// through a copy of the address; it never flags reads.
func TestNoExportedVariableChangedFromOutside(t *testing.T) {
	m := loadModule(t)
	exported := exportedVars(m)
	for _, f := range m.files {
		for _, v := range changesOfOthersVars(m, f, exported) {
			t.Errorf("%s: %s changes %s.%s, an exported variable of another package; pass it as a value instead",
				v.at, f.pkgPath, v.pkg, v.name)
		}
	}
}

type change struct{ at, pkg, name string }

// exportedVars lists each module package's exported package-level variables.
func exportedVars(m *module) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, f := range m.files {
		if strings.HasSuffix(f.pkgPath, "_test") {
			continue
		}
		for _, d := range f.ast.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if n.IsExported() {
						if out[f.pkgPath] == nil {
							out[f.pkgPath] = map[string]bool{}
						}
						out[f.pkgPath][n.Name] = true
					}
				}
			}
		}
	}
	return out
}

func changesOfOthersVars(m *module, f goFile, exported map[string]map[string]bool) []change {
	imports := m.imports(f)
	var out []change
	// target reports e if, under field selections, indexing, dereferences and parens, it is
	// pkg.Var for an exported variable of another package.
	target := func(e ast.Expr) {
		for {
			switch x := e.(type) {
			case *ast.ParenExpr:
				e = x.X
				continue
			case *ast.StarExpr:
				e = x.X
				continue
			case *ast.IndexExpr:
				e = x.X
				continue
			case *ast.IndexListExpr:
				e = x.X
				continue
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && id.Obj == nil {
					if p, ok := imports[id.Name]; ok && p != strings.TrimSuffix(f.pkgPath, "_test") && exported[p][x.Sel.Name] {
						out = append(out, change{at: f.pos(x.Pos()), pkg: p, name: x.Sel.Name})
						return
					}
				}
				e = x.X
				continue
			}
			return
		}
	}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			for _, l := range s.Lhs {
				target(l)
			}
		case *ast.IncDecStmt:
			target(s.X)
		case *ast.RangeStmt:
			if s.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{s.Key, s.Value} {
					if e != nil {
						target(e)
					}
				}
			}
		case *ast.UnaryExpr:
			if s.Op == token.AND {
				target(s.X)
			}
		}
		return true
	})
	return out // in source order
}
