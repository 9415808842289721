package storage

import (
	"strings"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
)

func TestGenerateName(t *testing.T) {
	a := func(int) int { return 0 } // always 'a'
	cases := []struct {
		parts []string
		want  string
	}{
		{[]string{"infra", "image-registry"}, "infra-image-registry-" + strings.Repeat("a", 62-len("infra-image-registry-"))},
		{[]string{"in--fra", "image-registry"}, "in-fra-image-registry-" + strings.Repeat("a", 62-len("in-fra-image-registry-"))},
		{[]string{"Infra-1", "image-registry", "us-central1"}, "infra-1-image-registry-us-central1-" + strings.Repeat("a", 62-35)},
		{[]string{strings.Repeat("x", 61)}, strings.Repeat("x", 61) + "a"},                                          // 61 → one letter
		{[]string{strings.Repeat("b", 47), "image-registry"}, strings.Repeat("b", 47) + "-image-registry"},          // 62 exactly
		{[]string{strings.Repeat("c", 47), "", "image-registry", "x"}, strings.Repeat("c", 47) + "-image-registry"}, // empty part
		{[]string{strings.Repeat("x", 61) + "-y"}, strings.Repeat("x", 61) + "a"},                                   // cut on the dash
		{[]string{strings.Repeat("d", 70)}, strings.Repeat("d", 62)},
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

func TestGeneratedPrefix(t *testing.T) {
	for _, parts := range [][]string{{"Infra-1", "image-registry", "us-central1"}, {strings.Repeat("a", 46), "image-registry"},
		{strings.Repeat("b", 47), "image-registry"}, {strings.Repeat("d", 61), "x"}, {strings.Repeat("e", 80)}, {"in--fra", "image-registry"}} {
		for range 20 {
			if n, p := GenerateName(nil, parts...), GeneratedPrefix(parts...); !strings.HasPrefix(n, p) {
				t.Errorf("%q does not start with GeneratedPrefix %q", n, p)
			}
		}
	}
	if got, want := GeneratedPrefix("Irconform-x7k2p", "image-registry"), "irconform-x7k2p-image-registry-"; got != want {
		t.Errorf("GeneratedPrefix = %q, want %q", got, want)
	}
}

func TestInfraName(t *testing.T) {
	if InfraName(nil) != "" {
		t.Error("InfraName(nil) not empty")
	}
	if got := InfraName(&configv1.Infrastructure{Status: configv1.InfrastructureStatus{InfrastructureName: "c-1"}}); got != "c-1" {
		t.Errorf("InfraName = %q", got)
	}
}
