package behaviorindex

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// A spec "asserts on something the rule names" when a word of the rule (RuleTerms) is among
// the words its assertions name (Check.Asserted). Both sides go through the same
// normalisation: lowercase runs of letters, digits, '_' and '-', with the words below and
// words shorter than two characters dropped.

// stopWords carry no evidence: English glue, and names every spec touches.
var stopWords = set(
	"the", "an", "and", "or", "of", "to", "in", "on", "is", "are", "be", "by", "for", "with", "from",
	"as", "at", "it", "its", "if", "when", "while", "else", "only", "not", "no", "nil", "any", "all",
	"each", "every", "one", "its", "that", "this", "than", "then", "there", "also", "e.g", "eg", "per",
	"true", "false", "spec", "status", "metadata", "name", "names", "namespace", "ns", "set", "unset",
	"registry", "image", "operator", "openshift", "image-registry", "openshift-image-registry",
	"irconform", "up", "doc", "own", "see",
)

// domainNouns are plain words of rule prose that name what a spec can check. Words every
// spec touches anyway ("object": client.Object, "label": the Ginkgo labels) are not here.
var domainNouns = set(
	"bucket", "buckets", "container", "claim", "finalizer", "replicas", "encryption", "tags", "tag",
	"lifecycle", "routes", "route", "secret", "deployment", "service", "serviceaccount", "pdb",
	"configmap", "cronjob", "pruner", "env", "annotation", "annotations",
	"conditions", "condition", "events", "event", "logs", "region", "endpoint", "keyfile", "credentials",
	"checksum", "hostname", "hostnames", "host", "port", "ports", "tolerations", "affinity",
	"resources", "proxy", "schedule", "suspend", "history", "alert", "relatedobjects", "versions",
	"emptydir", "keystone", "catalog", "swift", "pvc", "readonly", "replica",
	// management states and platforms, as rules write them in prose
	"managed", "unmanaged", "removed", "azure", "libvirt", "nutanix",
	// what a fake records
	"call",
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

var (
	wordRE  = regexp.MustCompile(`[A-Za-z0-9_][A-Za-z0-9_-]*`)
	codeRE  = regexp.MustCompile("`([^`]+)`")
	quoteRE = regexp.MustCompile(`"([^"]+)"`)
)

// words returns the normalised words of text.
func words(text string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(text, -1) {
		if w = normal(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// normal lowercases a word, drops it when it carries no evidence, and folds a plural
// ("replicas", "routes") onto its singular, the same way on both sides.
func normal(raw string) string {
	w := strings.ToLower(strings.Trim(raw, "-_"))
	if len(w) < 2 || stopWords[w] {
		return ""
	}
	// Blind but symmetric: "PowerVS" becomes "powerv" on both sides, so it still matches.
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		w = w[:len(w)-1]
	}
	return w
}

// codeWords are the words of text from code (a string literal, a YAML scalar): each word
// with its camel-case prefixes (identWords) and, for a hyphenated word, its parts
// ("dependencies-checksum" also asserts on "checksum").
func codeWords(text string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(text, -1) {
		w = strings.Trim(w, "-_")
		out = append(out, identWords(w)...)
		if strings.Contains(w, "-") {
			for _, part := range strings.Split(w, "-") {
				out = append(out, identWords(part)...)
			}
		}
	}
	return out
}

// identWords returns the words of a Go identifier: the whole name and each prefix ending at
// a camel-case boundary ("PowerVSPlatformType" → power, powervs, powervsplatform, ...), so
// that a constant named after a value matches the value a rule names.
func identWords(name string) []string {
	var out []string
	add := func(s string) {
		if w := normal(s); w != "" {
			out = append(out, w)
		}
	}
	r := []rune(name)
	for i := 1; i < len(r); i++ {
		lowerToUpper := unicode.IsLower(r[i-1]) && unicode.IsUpper(r[i])
		acronymEnd := i+1 < len(r) && unicode.IsUpper(r[i-1]) && unicode.IsUpper(r[i]) && unicode.IsLower(r[i+1])
		if lowerToUpper || acronymEnd {
			add(string(r[:i]))
		}
	}
	add(name)
	return out
}

// RuleTerms are the words of a catalogue rule a spec may assert on: every word of its code
// spans and quoted strings, and from the prose the words shaped like names (CamelCase,
// ALLCAPS, with a digit or '_') and the domain nouns (bucket, finalizer, ...).
func RuleTerms(rule string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	prose := rule
	for _, re := range []*regexp.Regexp{codeRE, quoteRE} {
		for _, m := range re.FindAllStringSubmatch(prose, -1) {
			for _, w := range words(m[1]) {
				add(w)
			}
		}
		prose = re.ReplaceAllString(prose, " ")
	}
	for _, raw := range wordRE.FindAllString(prose, -1) {
		w := normal(raw)
		if w == "" {
			continue
		}
		if nameShaped(strings.Trim(raw, "-_")) || domainNouns[w] || domainNouns[strings.ToLower(raw)] {
			add(w)
		}
	}
	sort.Strings(out)
	return out
}

// nameShaped: "StorageExists", "PVC", "S3", "REGISTRY_STORAGE", not "Managed" or "Config".
func nameShaped(w string) bool {
	upper, lowerAfterUpper := 0, false
	for i, c := range w {
		switch {
		case c >= '0' && c <= '9', c == '_':
			return true
		case unicode.IsUpper(c):
			upper++
			if i > 0 && upper >= 1 && strings.ContainsFunc(w[:i], unicode.IsLower) {
				lowerAfterUpper = true
			}
		}
	}
	return lowerAfterUpper || upper >= 2
}

// Link returns the rule terms the asserted words contain (empty: no link).
func Link(ruleTerms, asserted []string) []string {
	have := set(asserted...)
	var out []string
	for _, t := range ruleTerms {
		if have[t] {
			out = append(out, t)
		}
	}
	return out
}
