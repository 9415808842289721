package expect

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/client-go/util/jsonpath"
)

// FieldPath addresses a value inside an object read as a map (unstructured).
//
// Two syntaxes are accepted:
//
//   - dotted: spec.storage.s3.bucket, status.conditions[0].type,
//     status.conditions[type=Available].status (first list element whose field equals the
//     value), data["registry.example.com..5000"] or data['k'] (a key containing dots), and
//     spec.a\.b (an escaped dot). A leading dot is allowed.
//   - kubectl JSONPath in braces: {.spec.replicas}, {.status.conditions[?(@.type=="Available")].status}.
type FieldPath struct {
	raw   string
	segs  []pathSeg
	jpath *jsonpath.JSONPath
}

type segKind int

const (
	segKey segKind = iota
	segIndex
	segFilter
)

type pathSeg struct {
	kind  segKind
	key   string // segKey: map key; segFilter: field name
	index int    // segIndex
	value string // segFilter: wanted value
}

// PathError is a syntax error at a byte offset of the path text.
type PathError struct {
	Offset int
	Msg    string
}

func (e *PathError) Error() string { return fmt.Sprintf("at offset %d: %s", e.Offset, e.Msg) }

// ParseFieldPath parses a dotted path or a {JSONPath}.
func ParseFieldPath(s string) (*FieldPath, error) {
	if strings.TrimSpace(s) == "" {
		return nil, &PathError{Msg: "empty path"}
	}
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		j := jsonpath.New("path").AllowMissingKeys(false)
		if err := j.Parse(s); err != nil {
			return nil, &PathError{Msg: "invalid JSONPath: " + err.Error()}
		}
		return &FieldPath{raw: s, jpath: j}, nil
	}
	segs, err := parseDotted(s)
	if err != nil {
		return nil, err
	}
	return &FieldPath{raw: s, segs: segs}, nil
}

// MustParseFieldPath panics on a bad path (for Go specs with literal paths).
func MustParseFieldPath(s string) *FieldPath {
	p, err := ParseFieldPath(s)
	if err != nil {
		panic(fmt.Sprintf("field path %q: %v", s, err))
	}
	return p
}

func (p *FieldPath) String() string { return p.raw }

func parseDotted(s string) ([]pathSeg, error) {
	var segs []pathSeg
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
				return nil, &PathError{Offset: i, Msg: "empty field name (two dots in a row?); quote keys containing dots: data[\"a.b\"]"}
			}
			i++
			expectName = true
			if i == len(s) {
				return nil, &PathError{Offset: i, Msg: "path ends with a dot"}
			}
		default:
			if !expectName {
				return nil, &PathError{Offset: i, Msg: fmt.Sprintf("expected '.' or '[' before %q", s[i:])}
			}
			var b strings.Builder
			for i < len(s) && s[i] != '.' && s[i] != '[' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				if s[i] == ']' || s[i] == ' ' {
					return nil, &PathError{Offset: i, Msg: fmt.Sprintf("unexpected %q in field name", s[i])}
				}
				b.WriteByte(s[i])
				i++
			}
			segs = append(segs, pathSeg{kind: segKey, key: b.String()})
			expectName = false
		}
	}
	if len(segs) == 0 {
		return nil, &PathError{Msg: "empty path"}
	}
	return segs, nil
}

func parseBracket(s string, start int) (int, pathSeg, error) {
	i := start + 1
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		end := strings.IndexByte(s[i+1:], q)
		if end < 0 {
			return 0, pathSeg{}, &PathError{Offset: i, Msg: "unterminated quoted key"}
		}
		key := s[i+1 : i+1+end]
		j := i + 1 + end + 1
		if j >= len(s) || s[j] != ']' {
			return 0, pathSeg{}, &PathError{Offset: j, Msg: "expected ']' after quoted key"}
		}
		return j + 1, pathSeg{kind: segKey, key: key}, nil
	}
	end := strings.IndexByte(s[i:], ']')
	if end < 0 {
		return 0, pathSeg{}, &PathError{Offset: start, Msg: "unterminated '['"}
	}
	inner := s[i : i+end]
	next := i + end + 1
	if k, v, ok := strings.Cut(inner, "="); ok {
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
		if k == "" {
			return 0, pathSeg{}, &PathError{Offset: i, Msg: "empty field name in [field=value]"}
		}
		return next, pathSeg{kind: segFilter, key: k, value: v}, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(inner))
	if err != nil || n < 0 {
		return 0, pathSeg{}, &PathError{Offset: i, Msg: fmt.Sprintf("%q is not a list index, a quoted key or field=value", inner)}
	}
	return next, pathSeg{kind: segIndex, index: n}, nil
}

// Get returns the value at the path. found is false when some part of the path is missing.
func (p *FieldPath) Get(obj map[string]any) (value any, found bool, err error) {
	if p.jpath != nil {
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
	var cur any = obj
	for _, s := range p.segs {
		switch s.kind {
		case segKey:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false, nil
			}
			cur, ok = m[s.key]
			if !ok {
				return nil, false, nil
			}
		case segIndex:
			l, ok := cur.([]any)
			if !ok || s.index >= len(l) {
				return nil, false, nil
			}
			cur = l[s.index]
		case segFilter:
			l, ok := cur.([]any)
			if !ok {
				return nil, false, nil
			}
			var hit any
			for _, e := range l {
				if m, ok := e.(map[string]any); ok && fmt.Sprint(m[s.key]) == s.value {
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
