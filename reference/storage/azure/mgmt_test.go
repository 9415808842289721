package azure

import (
	"regexp"
	"testing"
)

func TestGenerateAccountName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9]{3,24}$`)
	for infra, prefix := range map[string]string{
		"irconform-x7k2p": "imageregistryirconf", // 13 + 14 characters, cut to 19
		"ab-c":            "imageregistryabc",
		"":                "imageregistry",
		"MyCluster_1":     "imageregistrymyclus",
	} {
		if got := AccountNamePrefix(infra); got != prefix {
			t.Errorf("AccountNamePrefix(%q) = %q, want %q", infra, got, prefix)
		}
		name := GenerateAccountName(func(n int) int { return n - 1 }, infra)
		if name != prefix+"99999" || !valid.MatchString(name) {
			t.Errorf("GenerateAccountName(%q) = %q, want %q (and a valid account name)", infra, name, prefix+"99999")
		}
	}
}
