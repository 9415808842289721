package hygiene

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goFile is one parsed Go file of the module.
type goFile struct {
	path    string // relative to the module root, slash-separated
	pkgPath string // import path of its package ("<path>_test" for external test packages)
	test    bool
	ast     *ast.File
	fset    *token.FileSet
}

// module is every Go file of the module, parsed once per test binary.
type module struct {
	path  string // module path from go.mod
	root  string
	files []goFile
	// pkgName maps an import path of the module to its package name.
	pkgName map[string]string
}

var loaded *module

func loadModule(t *testing.T) *module {
	t.Helper()
	if loaded != nil {
		return loaded
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatalf("reading go.mod at the module root %s: %v", root, err)
	}
	m := &module{root: root, pkgName: map[string]string{}}
	for _, line := range strings.Split(string(mod), "\n") {
		if rest, ok := strings.CutPrefix(line, "module "); ok {
			m.path = strings.TrimSpace(rest)
		}
	}
	if m.path == "" {
		t.Fatal("go.mod names no module")
	}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch name := d.Name(); {
			case p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "node_modules" || name == "testdata" || name == "vendor"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		// Object resolution on: a package name is an identifier it leaves unresolved (Obj nil).
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		dir := m.path
		if d := filepath.ToSlash(filepath.Dir(rel)); d != "." {
			dir += "/" + d
		}
		gf := goFile{path: rel, pkgPath: dir, test: strings.HasSuffix(p, "_test.go"), ast: f, fset: fset}
		if strings.HasSuffix(f.Name.Name, "_test") {
			gf.pkgPath += "_test"
		} else {
			m.pkgName[dir] = f.Name.Name
		}
		m.files = append(m.files, gf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.files) < 50 {
		t.Fatalf("found only %d Go files under %s: wrong root?", len(m.files), root)
	}
	loaded = m
	return m
}

// imports maps each import's name in f to its path.
func (m *module) imports(f goFile) map[string]string {
	out := map[string]string{}
	for _, imp := range f.ast.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := ""
		switch {
		case imp.Name != nil:
			name = imp.Name.Name
		case m.pkgName[p] != "":
			name = m.pkgName[p]
		default:
			name = p[strings.LastIndex(p, "/")+1:]
		}
		if name == "_" || name == "." {
			continue
		}
		out[name] = p
	}
	return out
}

// rel is an import path relative to the module ("reference/render"); "" outside it.
func (m *module) rel(importPath string) string {
	if r, ok := strings.CutPrefix(importPath, m.path+"/"); ok {
		return r
	}
	return ""
}

func (f goFile) pos(p token.Pos) string {
	pos := f.fset.Position(p)
	return f.path + ":" + strconv.Itoa(pos.Line)
}
