// Package fieldpath addresses and compares values inside objects read as maps (unstructured,
// JSON-shaped): the field paths scenarios write (spec.storage.s3.bucket, data["a..b"],
// status.conditions[type=Available].status, {JSONPath}), value comparison as a YAML author
// means it, and a check that says what is wrong as "field: is X, want Y".
//
// It is a leaf: it imports nothing from this project, so that the scenario linter and runner
// and the Go specs share one meaning of "path" and "equals".
package fieldpath

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/client-go/util/jsonpath"
)

// Path addresses a value inside an object read as a map.
//
// Two syntaxes are accepted:
//
//   - dotted: spec.storage.s3.bucket, status.conditions[0].type,
//     status.conditions[type=Available].status (first list element whose field equals the
//     value), data["registry.example.com..5000"] or data['k'] (a key containing dots), and
//     spec.a\.b (an escaped dot). A leading dot is allowed.
//   - kubectl JSONPath in braces: {.spec.replicas}, {.status.conditions[?(@.type=="Available")].status}.
type Path struct {
	raw   string
	segs  []Segment
	jpath *jsonpath.JSONPath
}

// SegmentKind says what a dotted path segment selects.
type SegmentKind int

// Segment kinds.
const (
	// Key selects a map key (a field).
	Key SegmentKind = iota
	// Index selects a list element by position.
	Index
	// Filter selects the first list element whose field Key equals Value.
	Filter
)

// Segment is one step of a dotted path.
type Segment struct {
	Kind SegmentKind
	// Key is the map key (Key) or the compared field (Filter).
	Key string
	// Index is the list position (Index).
	Index int
	// Value is the wanted field value (Filter).
	Value string
	// Offset is the byte offset of the segment in the path text (for positions in messages).
	Offset int
}

// SyntaxError is a path that cannot be parsed, at a byte offset of the path text.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("at offset %d: %s", e.Offset, e.Msg) }

// Parse parses a dotted path or a {JSONPath}.
func Parse(s string) (*Path, error) {
	if strings.TrimSpace(s) == "" {
		return nil, &SyntaxError{Msg: "empty path"}
	}
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		j := jsonpath.New("path").AllowMissingKeys(false)
		if err := j.Parse(s); err != nil {
			return nil, &SyntaxError{Msg: "invalid JSONPath: " + err.Error()}
		}
		return &Path{raw: s, jpath: j}, nil
	}
	segs, err := parseDotted(s)
	if err != nil {
		return nil, err
	}
	return &Path{raw: s, segs: segs}, nil
}

// MustParse parses a path written in Go source (a literal); it panics on a bad one. Never
// use it on user input.
func MustParse(s string) *Path {
	p, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("field path %q: %v", s, err))
	}
	return p
}

// String is the path as written.
func (p *Path) String() string { return p.raw }

// IsJSONPath reports whether the path is a {JSONPath} (it then has no segments).
func (p *Path) IsJSONPath() bool { return p.jpath != nil }

// Segments are the steps of a dotted path (nil for a JSONPath).
func (p *Path) Segments() []Segment { return p.segs }

func parseDotted(s string) ([]Segment, error) {
	var segs []Segment
	i := 0
	if strings.HasPrefix(s, ".") {
		i = 1
	}
	expectName := true
	for i < len(s) {
		c := s[i]
		switch {
		case c == '[':
			end, seg, err := parseBracket(s, i)
			if err != nil {
				return nil, err
			}
			segs = append(segs, seg)
			i = end
			expectName = false
		case c == '.':
			if expectName {
				return nil, &SyntaxError{Offset: i, Msg: "empty field name (two dots in a row?); quote keys containing dots: data[\"a.b\"]"}
			}
			i++
			expectName = true
			if i == len(s) {
				return nil, &SyntaxError{Offset: i, Msg: "path ends with a dot"}
			}
		default:
			if !expectName {
				return nil, &SyntaxError{Offset: i, Msg: fmt.Sprintf("expected '.' or '[' before %q", s[i:])}
			}
			start := i
			var b strings.Builder
			for i < len(s) && s[i] != '.' && s[i] != '[' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				if s[i] == ']' || s[i] == ' ' {
					return nil, &SyntaxError{Offset: i, Msg: fmt.Sprintf("unexpected %q in field name", s[i])}
				}
				b.WriteByte(s[i])
				i++
			}
			segs = append(segs, Segment{Kind: Key, Key: b.String(), Offset: start})
			expectName = false
		}
	}
	if len(segs) == 0 {
		return nil, &SyntaxError{Msg: "empty path"}
	}
	return segs, nil
}

func parseBracket(s string, start int) (int, Segment, error) {
	i := start + 1
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		end := strings.IndexByte(s[i+1:], q)
		if end < 0 {
			return 0, Segment{}, &SyntaxError{Offset: i, Msg: "unterminated quoted key"}
		}
		key := s[i+1 : i+1+end]
		j := i + 1 + end + 1
		if j >= len(s) || s[j] != ']' {
			return 0, Segment{}, &SyntaxError{Offset: j, Msg: "expected ']' after quoted key"}
		}
		return j + 1, Segment{Kind: Key, Key: key, Offset: start}, nil
	}
	end := strings.IndexByte(s[i:], ']')
	if end < 0 {
		return 0, Segment{}, &SyntaxError{Offset: start, Msg: "unterminated '['"}
	}
	inner := s[i : i+end]
	next := i + end + 1
	if k, v, ok := strings.Cut(inner, "="); ok {
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
		if k == "" {
			return 0, Segment{}, &SyntaxError{Offset: i, Msg: "empty field name in [field=value]"}
		}
		return next, Segment{Kind: Filter, Key: k, Value: v, Offset: start}, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(inner))
	if err != nil || n < 0 {
		return 0, Segment{}, &SyntaxError{Offset: i, Msg: fmt.Sprintf("%q is not a list index, a quoted key or field=value", inner)}
	}
	return next, Segment{Kind: Index, Index: n, Offset: start}, nil
}

// Get returns the value at the path. found is false when some part of the path is missing.
func (p *Path) Get(obj map[string]any) (value any, found bool, err error) {
	if p.jpath != nil {
		return p.getJSONPath(obj)
	}
	var cur any = obj
	for _, s := range p.segs {
		switch s.Kind {
		case Key:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false, nil
			}
			if cur, ok = m[s.Key]; !ok {
				return nil, false, nil
			}
		case Index:
			l, ok := cur.([]any)
			if !ok || s.Index >= len(l) {
				return nil, false, nil
			}
			cur = l[s.Index]
		case Filter:
			l, ok := cur.([]any)
			if !ok {
				return nil, false, nil
			}
			var hit any
			for _, e := range l {
				if m, ok := e.(map[string]any); ok && fmt.Sprint(m[s.Key]) == s.Value {
					hit = e
					break
				}
			}
			if hit == nil {
				return nil, false, nil
			}
			cur = hit
		}
	}
	return cur, true, nil
}

func (p *Path) getJSONPath(obj map[string]any) (any, bool, error) {
	res, err := p.jpath.FindResults(obj)
	if err != nil {
		if strings.Contains(err.Error(), "is not found") || strings.Contains(err.Error(), "not in range") {
			return nil, false, nil
		}
		return nil, false, err
	}
	var vals []any
	for _, r := range res {
		for _, v := range r {
			if v.IsValid() && v.CanInterface() {
				vals = append(vals, v.Interface())
			}
		}
	}
	switch len(vals) {
	case 0:
		return nil, false, nil
	case 1:
		return vals[0], true, nil
	default:
		return vals, true, nil
	}
}
