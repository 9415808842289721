package fieldpath

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Normalize makes a value JSON-shaped (maps with string keys, []any, float64 numbers), so
// values read from YAML and from the API compare equal when they mean the same.
func Normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

// Equal compares two values after Normalize. A string compares equal to a number or bool
// with the same text ("2" and 2), since YAML authors rarely know which one the API uses.
func Equal(got, want any) bool {
	g, w := Normalize(got), Normalize(want)
	if reflect.DeepEqual(g, w) {
		return true
	}
	gs, gok := scalarText(g)
	ws, wok := scalarText(w)
	return gok && wok && gs == ws
}

func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case float64, bool:
		return fmt.Sprint(t), true
	}
	return "", false
}

// Contains reports whether got contains item: a substring of a string, an element of a list
// (Equal), or a key of a map.
func Contains(got, item any) bool {
	switch g := Normalize(got).(type) {
	case string:
		s, ok := scalarText(Normalize(item))
		return ok && strings.Contains(g, s)
	case []any:
		for _, e := range g {
			if Equal(e, item) {
				return true
			}
		}
	case map[string]any:
		s, ok := scalarText(Normalize(item))
		if ok {
			_, has := g[s]
			return has
		}
	}
	return false
}

// Text renders a value for regexp matching: strings as is, the rest as JSON.
func Text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Show renders a value for a message: like Text, but a string that would read ambiguously
// (empty, padded, several lines, or looking like a number or a bool) is quoted.
func Show(v any) string {
	s, ok := v.(string)
	if !ok {
		return Text(Normalize(v))
	}
	if s == "" || strings.TrimSpace(s) != s || strings.ContainsAny(s, "\n\"") {
		return fmt.Sprintf("%q", s)
	}
	var probe any
	if json.Unmarshal([]byte(s), &probe) == nil {
		return fmt.Sprintf("%q", s) // "2", "true", "null": text that reads as something else
	}
	return s
}
