package lint

import (
	"errors"
	"fmt"
	"strings"

	goccy "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"
)

// yamlErr is a YAML syntax error placed where it is.
type yamlErr struct {
	line, col int
	msg, hint string
}

// syntaxError places a syntax error that go.yaml.in/yaml/v3 (the decoder) reported. Its
// messages give a line only, and for an unclosed collection the line before the one that
// opened it. A second parser (goccy/go-yaml), used for nothing else, gives the token where
// parsing failed, with its column; when it sees no error, v3's line is kept.
func syntaxError(data []byte, decodeErr error) yamlErr {
	e := yamlErr{line: 1, col: 1, msg: cleanYAMLError(decodeErr), hint: "check the indentation and quoting on this line and the one before it"}
	if line := yamlErrorLine(decodeErr); line > 0 {
		e.line = line
	}
	_, err := parser.ParseBytes(data, 0)
	var se *goccy.SyntaxError
	if !errors.As(err, &se) || se.Token == nil {
		return e
	}
	tok := se.Token
	e.line, e.col = tok.Position.Line, tok.Position.Column
	e.msg = se.Message
	switch {
	case strings.Contains(se.Message, "mapping value is not allowed"):
		// The token is a value running on into a key below it; the culprit is the ':' of
		// that key.
		if tok.Next != nil {
			e.line, e.col = tok.Next.Position.Line, tok.Next.Position.Column
		}
		e.msg = "a key: value here, where the line above expects a plain value"
		e.hint = "indent this key like its siblings, or quote a value that contains ': '"
	case strings.Contains(se.Message, "flow mapping end token"):
		e.msg = "this { is never closed"
		e.hint = "end the mapping with } on the same item (and quote values containing , [ ] { })"
	case strings.Contains(se.Message, "flow sequence end token"):
		e.msg = "this [ is never closed"
		e.hint = "end the list with ] (and quote values containing , [ ] { })"
	case strings.Contains(se.Message, "end character of double-quoted"), strings.Contains(se.Message, "end character of single-quoted"):
		e.msg = "this quoted text is never closed"
		e.hint = "close the quote on the same line"
	case strings.Contains(se.Message, "'\t'"):
		e.msg = "a tab character: YAML indents with spaces only"
		e.hint = "replace the tab with spaces"
	case strings.Contains(se.Message, "value is not allowed in this context"):
		e.msg = fmt.Sprintf("%q is not indented like the keys around it", tok.Value)
		e.hint = "indent it exactly like its siblings (same number of spaces)"
	}
	return e
}

// yamlErrorLine digs the line out of a yaml.v3 error ("yaml: line 7: ...").
func yamlErrorLine(err error) int {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 0
	}
	s := err.Error()
	if i := strings.Index(s, "line "); i >= 0 {
		var line int
		if _, e := fmt.Sscanf(s[i:], "line %d", &line); e == nil {
			return line
		}
	}
	return 0
}

func cleanYAMLError(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, "line ") {
		s = s[i+2:]
	}
	return s
}
