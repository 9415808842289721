package storage

import (
	"math/rand/v2"
	"strings"

	configv1 "github.com/openshift/api/config/v1"
)

// MaxNameLength is the longest generated bucket/container name.
const MaxNameLength = 62

// InfraName is infrastructures.config.openshift.io/cluster status.infrastructureName ("" when
// there is no Infrastructure): the cluster's name in generated storage names, tags and labels.
func InfraName(infra *configv1.Infrastructure) string {
	if infra == nil {
		return ""
	}
	return infra.Status.InfrastructureName
}

// GenerateName is upstream's random storage name (STOR-COMMON-06), used by GCS, Azure and
// Swift: parts joined with "-", dash runs collapsed, then padded with "-" and random letters
// a..y to 62 characters (one letter when 61), or truncated to 62 with a trailing "-" replaced
// by a letter; lowercased. rnd(n) returns 0..n-1 (nil: math/rand).
func GenerateName(rnd func(n int) int, parts ...string) string {
	if rnd == nil {
		rnd = rand.IntN
	}
	letter := func() byte { return byte('a' + rnd(25)) } // 'z' never, as upstream
	name := joinParts(parts)
	switch {
	case len(name) == MaxNameLength-1:
		name += string(letter())
	case len(name) < MaxNameLength-1:
		b := []byte(name + "-")
		for len(b) < MaxNameLength {
			b = append(b, letter())
		}
		name = string(b)
	default:
		name = name[:MaxNameLength]
		if strings.HasSuffix(name, "-") {
			name = name[:MaxNameLength-1] + string(letter())
		}
	}
	return strings.ToLower(name)
}

// GeneratedPrefix is the part of GenerateName(parts...) that is not random: every name
// generated for these parts starts with it. Drivers list by it to find storage they
// generated in a sync whose spec write was lost, instead of leaking it.
func GeneratedPrefix(parts ...string) string {
	name := strings.ToLower(joinParts(parts))
	if len(name) < MaxNameLength-1 {
		return name + "-"
	}
	return name[:MaxNameLength-1]
}

func joinParts(parts []string) string {
	name := strings.Join(parts, "-")
	for strings.Contains(name, "--") {
		name = strings.ReplaceAll(name, "--", "-")
	}
	return name
}
