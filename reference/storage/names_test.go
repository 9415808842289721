package storage

import (
	"strings"
	"testing"
)

func TestGenerateName(t *testing.T) {
	a := func(int) int { return 0 } // always 'a'
	cases := []struct {
		parts []string
		want  string
	}{
		{[]string{"infra", "image-registry"}, "infra-image-registry-" + strings.Repeat("a", 62-len("infra-image-registry-"))},
		{[]string{"in--fra", "image-registry"}, "in-fra-image-registry-" + strings.Repeat("a", 62-len("in-fra-image-registry-"))},
		{[]string{strings.Repeat("x", 61)}, strings.Repeat("x", 61) + "a"},
		{[]string{strings.Repeat("x", 61) + "-y"}, strings.Repeat("x", 61) + "a"},
		{[]string{"UPPER"}, "upper-" + strings.Repeat("a", 56)},
	}
	for _, c := range cases {
		if got := GenerateName(a, c.parts...); got != c.want || len(got) != 62 {
			t.Errorf("GenerateName(%q) = %q (%d), want %q", c.parts, got, len(got), c.want)
		}
	}
	for i := 0; i < 200; i++ {
		if n := GenerateName(nil, "x"); strings.ContainsRune(n, 'z') {
			t.Fatalf("'z' generated: %s", n)
		}
	}
}
