package behaviorindex

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/irconform/irconform/internal/behaviorid"
)

// Ginkgo's container and leaf nodes, by name (the dot-imported DSL), with their focus and
// pending variants.
var (
	containers = ginkgoNames("Describe", "Context", "When")
	tables     = ginkgoNames("DescribeTable", "DescribeTableSubtree")
	leaves     = ginkgoNames("It", "Specify")
	entries    = ginkgoNames("Entry")
	// assertions open an assertion: their arguments are what is asserted on.
	assertions = set("Expect", "ExpectWithOffset", "Eventually", "EventuallyWithOffset",
		"Consistently", "ConsistentlyWithOffset", "Ω")
	// matcherCalls take the matchers of an assertion.
	matcherCalls = set("To", "ToNot", "NotTo", "Should", "ShouldNot")
)

func ginkgoNames(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n], m["F"+n], m["P"+n], m["X"+n] = true, true, true, true
	}
	return m
}

// specPkg is what the spec scan knows about the package: its top-level functions (to tell
// assertion helpers from set-up helpers) and the words of its top-level constants and
// variables (so that `deploymentKey` asserts on "image-registry").
type specPkg struct {
	funcs map[string]*ast.FuncDecl
	vals  map[string]ast.Node
	// direct, asserting and assertedBy cache, per function: whether its body asserts,
	// whether it asserts directly or through other functions, and the words it asserts on.
	direct, asserting map[string]bool
	assertedBy        map[string][]string
}

// loadPkg parses the non-test Go files of the package in dir and indexes its top-level
// functions and values.
func loadPkg(dir string) (*token.FileSet, []*ast.File, *specPkg, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	fset := token.NewFileSet()
	pkg := &specPkg{funcs: map[string]*ast.FuncDecl{}, vals: map[string]ast.Node{},
		direct: map[string]bool{}, asserting: map[string]bool{}, assertedBy: map[string][]string{}}
	var files []*ast.File
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, nil, err
		}
		files = append(files, f)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					pkg.funcs[d.Name.Name] = d
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for i, name := range vs.Names {
							if i < len(vs.Values) {
								pkg.vals[name.Name] = vs.Values[i]
							}
						}
					}
				}
			}
		}
	}
	return fset, files, pkg, nil
}

// scanSpecs reads the Ginkgo specs of the package in dir, and the live-check table its
// table-driven specs range over (liveDir).
func (x *Index) scanSpecs(dir, liveDir string) error {
	fset, files, pkg, err := loadPkg(filepath.Join(x.Root, dir))
	if err != nil {
		return err
	}
	var liveScopes []scope
	for _, f := range files {
		w := &specWalker{x: x, pkg: pkg, fset: fset, file: rel(x.Root, fset.Position(f.Pos()).Filename)}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := calleeName(call)
			if containers[name] || tables[name] || leaves[name] {
				w.node(call, name, scope{})
				return false
			}
			return true
		})
		liveScopes = append(liveScopes, w.liveScopes...)
	}
	if len(liveScopes) == 0 {
		return nil
	}
	return x.scanLiveChecks(liveDir, liveScopes)
}

// scanLiveChecks reads the live checks (conformance/livecheck): each Check{...} literal of
// the package becomes one spec per scope that ranges over them (its It carries the check's
// IDs and traits as labels). What the spec asserts on is what its judge reads and compares.
func (x *Index) scanLiveChecks(dir string, scopes []scope) error {
	fset, files, pkg, err := loadPkg(filepath.Join(x.Root, dir))
	if err != nil {
		return err
	}
	for _, f := range files {
		w := &specWalker{x: x, pkg: pkg, fset: fset, file: rel(x.Root, fset.Position(f.Pos()).Filename)}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "Check" {
				return true
			}
			title, labels, asserted := "", []string(nil), []string(nil)
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				if key == nil {
					continue
				}
				switch key.Name {
				case "Title":
					if s, ok := stringLit(kv.Value); ok {
						title = s
					} else {
						w.problem(kv.Value, "live check Title is not a string literal")
					}
				case "IDs", "Traits":
					cl, ok := kv.Value.(*ast.CompositeLit)
					if !ok {
						w.problem(kv.Value, "live check %s is not a []string literal: write behaviour IDs and traits literally", key.Name)
						continue
					}
					for _, e := range cl.Elts {
						if s, ok := stringLit(e); ok {
							labels = append(labels, s)
						} else {
							w.problem(e, "live check %s element is not a string literal", key.Name)
						}
					}
				case "judge":
					asserted = w.allWords(kv.Value)
				}
			}
			for _, sc := range scopes {
				w.add(lit, sc.with(title, labels), asserted)
			}
			return false
		})
	}
	return nil
}

// scope is what a node inherits from its containers.
type scope struct {
	texts  []string
	labels []string
}

func (s scope) with(text string, labels []string) scope {
	out := scope{texts: append(append([]string{}, s.texts...), text), labels: append(append([]string{}, s.labels...), labels...)}
	if text == "" {
		out.texts = s.texts
	}
	return out
}

type specWalker struct {
	x    *Index
	pkg  *specPkg
	fset *token.FileSet
	file string
	// liveScopes are the scopes of leaves that range over the live-check table.
	liveScopes []scope
}

func (w *specWalker) line(n ast.Node) int { return w.fset.Position(n.Pos()).Line }

func (w *specWalker) problem(n ast.Node, format string, args ...any) {
	w.x.Problems = append(w.x.Problems, Problem{File: w.file, Line: w.line(n), Msg: fmt.Sprintf(format, args...)})
}

// node handles a container, table or leaf call.
func (w *specWalker) node(call *ast.CallExpr, name string, in scope) {
	text := w.text(call)
	sc := in.with(text, w.labels(call))
	switch {
	case leaves[name]:
		body := w.lastFunc(call)
		var asserted []string
		if body != nil {
			asserted = w.asserted(body)
		}
		w.add(call, sc, asserted)
	case tables[name]:
		body := w.firstFunc(call)
		var tableWords []string
		if body != nil {
			tableWords = w.asserted(body)
		}
		for _, a := range call.Args {
			ec, ok := a.(*ast.CallExpr)
			if !ok || !entries[calleeName(ec)] {
				continue
			}
			esc := sc.with(w.text(ec), w.labels(ec))
			asserted := append([]string{}, tableWords...)
			for i, ea := range ec.Args {
				if i == 0 || isLabelCall(ea) {
					continue // the description, the labels
				}
				asserted = append(asserted, w.allWords(ea)...)
				asserted = append(asserted, w.asserted(ea)...)
			}
			w.add(ec, esc, asserted)
		}
		for _, a := range call.Args {
			if e, ok := a.(*ast.Ellipsis); ok {
				w.problem(e, "table entries passed as a slice: write Entry(...) calls in the table so their labels can be read")
			}
		}
		if call.Ellipsis.IsValid() {
			w.problem(call, "table entries passed as a slice: write Entry(...) calls in the table so their labels can be read")
		}
	default: // container
		body := w.lastFunc(call)
		if body == nil {
			return
		}
		ast.Inspect(body, func(n ast.Node) bool {
			if rs, ok := n.(*ast.RangeStmt); ok && rangesOverLiveChecks(rs) {
				// Its It takes title and labels from each live check: read them from
				// the table (scanLiveChecks), not from this loop.
				w.liveScopes = append(w.liveScopes, sc)
				return false
			}
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			cn := calleeName(c)
			if containers[cn] || tables[cn] || leaves[cn] {
				w.node(c, cn, sc)
				return false
			}
			return true
		})
	}
}

func (w *specWalker) add(n ast.Node, sc scope, asserted []string) {
	c := Check{Kind: GoSpec, Name: strings.Join(sc.texts, " "), File: w.file, Line: w.line(n), Labels: dedupe(sc.labels)}
	c.IDs = behaviorid.Filter(c.Labels)
	c.Asserted = dedupe(asserted)
	w.x.Checks = append(w.x.Checks, c)
}

// rangesOverLiveChecks: `for _, c := range livecheck.Checks()`.
func rangesOverLiveChecks(rs *ast.RangeStmt) bool {
	call, ok := rs.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "livecheck" && sel.Sel.Name == "Checks"
}

// text is a node's description: its first argument when it is a string literal or names one
// (a constant, a field of a package-level struct literal).
func (w *specWalker) text(call *ast.CallExpr) string {
	if len(call.Args) == 0 {
		return ""
	}
	if s, ok := w.resolveString(call.Args[0]); ok {
		return s
	}
	return ""
}

// resolveString reads a string literal, directly or through a top-level constant or
// variable of the package, or a field of a package-level struct literal (spec.Title).
func (w *specWalker) resolveString(e ast.Expr) (string, bool) {
	if s, ok := stringLit(e); ok {
		return s, true
	}
	if v := w.resolveValue(e); v != nil {
		return stringLit(v)
	}
	return "", false
}

// resolveStrings reads a []string literal the same way (spec.IDs).
func (w *specWalker) resolveStrings(e ast.Expr) ([]string, bool) {
	v := w.resolveValue(e)
	if v == nil {
		v = e
	}
	cl, ok := v.(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	var out []string
	for _, el := range cl.Elts {
		s, ok := stringLit(el)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// resolveValue follows an identifier to a top-level value of the package, and a selector
// v.F to the F field of v's struct literal; nil when it leads elsewhere.
func (w *specWalker) resolveValue(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.Ident:
		if v, ok := w.pkg.vals[e.Name].(ast.Expr); ok {
			return v
		}
	case *ast.SelectorExpr:
		id, ok := e.X.(*ast.Ident)
		if !ok {
			return nil
		}
		cl, ok := w.pkg.vals[id.Name].(*ast.CompositeLit)
		if !ok {
			return nil
		}
		for _, el := range cl.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == e.Sel.Name {
					if v := w.resolveValue(kv.Value); v != nil {
						return v
					}
					return kv.Value
				}
			}
		}
	}
	return nil
}

// labels reads the node's Label(...) arguments: string literals, or what they name (a
// constant; spec.IDs... of a package-level struct literal). Anything else is a Problem: the
// index, the coverage and `irconform explain` could not see it.
func (w *specWalker) labels(call *ast.CallExpr) []string {
	var out []string
	for _, a := range call.Args {
		lc, ok := a.(*ast.CallExpr)
		if !ok || calleeName(lc) != "Label" {
			continue
		}
		for i, la := range lc.Args {
			if lc.Ellipsis.IsValid() && i == len(lc.Args)-1 {
				if ss, ok := w.resolveStrings(la); ok {
					out = append(out, ss...)
					continue
				}
			} else if s, ok := w.resolveString(la); ok {
				out = append(out, s)
				continue
			}
			w.problem(la, "Label argument is not a string literal (nor a constant or a package-level literal naming one): write behaviour IDs and traits literally")
		}
	}
	return out
}

// asserted returns the words a body asserts on: the arguments of Expect/Eventually/... and
// the matchers passed to To/Should/... (with everything the package's own functions called
// there compute), and, for each call to one of the package's functions that asserts (a
// helper such as expectCondition or readyRegistry), its arguments and what it asserts.
func (w *specWalker) asserted(body ast.Node) []string {
	var out []string
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		name := calleeName(call)
		switch {
		case assertions[name] || matcherCalls[name]:
			for _, a := range call.Args {
				out = append(out, w.allWords(a)...)
			}
		case w.pkg.funcs[name] != nil && w.asserts(name):
			if w.assertsDirectly(name) {
				for _, a := range call.Args {
					out = append(out, w.allWords(a)...)
				}
			}
			out = append(out, w.helperAsserted(name)...)
		}
		return true
	})
	return out
}

// helperAsserted is asserted() of a package function's body, memoised (a recursive helper
// sees itself as asserting nothing more).
func (w *specWalker) helperAsserted(name string) []string {
	if v, ok := w.pkg.assertedBy[name]; ok {
		return v
	}
	w.pkg.assertedBy[name] = nil
	v := dedupe(w.asserted(w.pkg.funcs[name].Body))
	w.pkg.assertedBy[name] = v
	return v
}

// assertsDirectly: the function's own body calls Expect/Eventually/....
func (w *specWalker) assertsDirectly(name string) bool {
	if v, ok := w.pkg.direct[name]; ok {
		return v
	}
	fd := w.pkg.funcs[name]
	found := false
	if fd != nil && fd.Body != nil {
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && assertions[calleeName(c)] {
				found = true
			}
			return !found
		})
	}
	w.pkg.direct[name] = found
	return found
}

// asserts: the function asserts, itself or through the package's functions it calls.
func (w *specWalker) asserts(name string) bool {
	if v, ok := w.pkg.asserting[name]; ok {
		return v
	}
	w.pkg.asserting[name] = false // cycles
	fd := w.pkg.funcs[name]
	found := w.assertsDirectly(name)
	if !found && fd != nil && fd.Body != nil {
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if cn := calleeName(c); cn != name && w.pkg.funcs[cn] != nil && w.asserts(cn) {
					found = true
				}
			}
			return !found
		})
	}
	w.pkg.asserting[name] = found
	return found
}

// allWords are the words of every identifier and string literal under n; an identifier
// naming a top-level constant or variable of the package adds the words of its value, a
// call to one of the package's functions the words of its body.
func (w *specWalker) allWords(n ast.Node) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil {
						out = append(out, codeWords(s)...)
					}
				} else {
					out = append(out, words(n.Value)...)
				}
			case *ast.Ident:
				out = append(out, identWords(n.Name)...)
				if seen[n.Name] {
					break
				}
				if v, ok := w.pkg.vals[n.Name]; ok {
					seen[n.Name] = true
					walk(v)
				}
			case *ast.CallExpr:
				// An asserted value computed by one of the package's functions: what that
				// function reads counts (credChecksum reads the checksum annotation), and
				// so does what it asserts.
				if name := calleeName(n); w.pkg.funcs[name] != nil && !seen[name+"()"] {
					seen[name+"()"] = true
					if b := w.pkg.funcs[name].Body; b != nil {
						walk(b)
					}
				}
			}
			return true
		})
	}
	walk(n)
	return out
}

func calleeName(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr: // generic call f[T](...)
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

func isLabelCall(n ast.Expr) bool {
	c, ok := n.(*ast.CallExpr)
	return ok && calleeName(c) == "Label"
}

func stringLit(n ast.Expr) (string, bool) {
	bl, ok := n.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(bl.Value)
	return s, err == nil
}

// lastFunc is the body of a node: its last function argument, a literal or a top-level
// function of the package named by its identifier.
func (w *specWalker) lastFunc(call *ast.CallExpr) ast.Node {
	for i := len(call.Args) - 1; i >= 1; i-- {
		if b := w.funcBody(call.Args[i]); b != nil {
			return b
		}
	}
	return nil
}

// firstFunc is a table's body: its first function argument.
func (w *specWalker) firstFunc(call *ast.CallExpr) ast.Node {
	for _, a := range call.Args[min(1, len(call.Args)):] {
		if b := w.funcBody(a); b != nil {
			return b
		}
	}
	return nil
}

func (w *specWalker) funcBody(a ast.Expr) ast.Node {
	switch a := a.(type) {
	case *ast.FuncLit:
		return a.Body
	case *ast.Ident:
		if fd, ok := w.pkg.funcs[a.Name]; ok && fd.Body != nil {
			return fd.Body
		}
	}
	return nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
