package behaviorindex

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/irconform/irconform/internal/behaviorid"
)

// citationRE finds the verb of a citation; the IDs follow it (see citedIDs).
var citationRE = regexp.MustCompile(`\b(Implements|Models)\b`)

// idListRE is a list of IDs right after the verb: "S3-003", "S3-003, S3-004 and CA-006".
var idListRE = regexp.MustCompile(`^\s*(` + behaviorid.Expr + `\b(?:\s*(?:,|and|/)\s*` + behaviorid.Expr + `\b)*)`)

// scanCitations reads every non-test Go file under dir for citation comments. The folder
// decides the role: reference/ implements, fakes/ models.
func (x *Index) scanCitations(dir string, role Role) error {
	base := filepath.Join(x.Root, dir)
	return filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != base && (n == "testdata" || n == "node_modules" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		x.citationsIn(fset, f, rel(x.Root, path), role)
		return nil
	})
}

func (x *Index) citationsIn(fset *token.FileSet, f *ast.File, file string, role Role) {
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			for i, line := range strings.Split(c.Text, "\n") {
				ids, ok := citedIDs(line)
				if !ok {
					continue
				}
				ln := fset.Position(c.Pos()).Line + i
				if len(ids) == 0 {
					x.Problems = append(x.Problems, Problem{File: file, Line: ln,
						Msg: fmt.Sprintf("%q: cite catalogue IDs (AREA-NNN) right after the verb, upstream keys after them: \"Implements S3-003 (upstream STOR-S3-11).\"", strings.TrimSpace(strings.TrimLeft(line, "/* ")))})
					continue
				}
				decl := enclosingDecl(f, c.Pos())
				for _, id := range ids {
					x.Citations = append(x.Citations, Citation{ID: id, Role: role, File: file, Line: ln, Decl: decl})
				}
			}
		}
	}
}

// keyLikeRE is what follows a citation's verb: an ID or something shaped like a key
// ("S3-003", or a malformed "STOR-S3-11" / "S3-11").
var keyLikeRE = regexp.MustCompile(`^\s+[A-Z][A-Z0-9]*-`)

// citedIDs reads "Implements S3-003, S3-004." from a comment line. ok is false when the line
// is no citation: the verb must open a sentence ("// Implements ...", or after ". ") and be
// followed by something key-shaped, so prose ("Implements the Driver interface", "what
// upstream implements") does not count. ok with no ids is a malformed citation.
func citedIDs(line string) (ids []string, ok bool) {
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(line), "//"), "/*"))
	for _, m := range citationRE.FindAllStringIndex(text, -1) {
		before := strings.TrimSpace(text[:m[0]])
		if before != "" && !strings.HasSuffix(before, ".") && !strings.HasSuffix(before, ";") && !strings.HasSuffix(before, ":") {
			continue
		}
		if !keyLikeRE.MatchString(text[m[1]:]) {
			continue
		}
		ok = true
		if l := idListRE.FindStringSubmatch(text[m[1]:]); l != nil {
			ids = append(ids, behaviorid.FindAll(l[1])...)
		}
	}
	return ids, ok
}

// enclosingDecl names the top-level declaration a comment documents or sits in.
func enclosingDecl(f *ast.File, pos token.Pos) string {
	for _, d := range f.Decls {
		start := d.Pos()
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
			if pos >= start && pos <= d.End() {
				return funcName(d)
			}
		case *ast.GenDecl:
			if d.Doc != nil {
				start = d.Doc.Pos()
			}
			if pos < start || pos > d.End() {
				continue
			}
			for _, s := range d.Specs {
				if name := specName(s); name != "" && (len(d.Specs) == 1 || specCovers(s, pos)) {
					return d.Tok.String() + " " + name
				}
			}
			if len(d.Specs) > 0 {
				return d.Tok.String() + " " + specName(d.Specs[0])
			}
		}
	}
	return ""
}

func specCovers(s ast.Spec, pos token.Pos) bool {
	start := s.Pos()
	switch s := s.(type) {
	case *ast.ValueSpec:
		if s.Doc != nil {
			start = s.Doc.Pos()
		}
	case *ast.TypeSpec:
		if s.Doc != nil {
			start = s.Doc.Pos()
		}
	}
	return pos >= start && pos <= s.End()
}

func specName(s ast.Spec) string {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return s.Name.Name
	case *ast.ValueSpec:
		if len(s.Names) > 0 {
			return s.Names[0].Name
		}
	}
	return ""
}

func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	recv := d.Recv.List[0].Type
	if idx, ok := recv.(*ast.IndexExpr); ok { // generic receiver T[P]
		recv = idx.X
	}
	switch r := recv.(type) {
	case *ast.StarExpr:
		if id, ok := r.X.(*ast.Ident); ok {
			return "(*" + id.Name + ")." + d.Name.Name
		}
	case *ast.Ident:
		return r.Name + "." + d.Name.Name
	}
	return d.Name.Name
}
