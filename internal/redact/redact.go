// Package redact is the one redactor every irconform output goes through: the terminal
// (Ginkgo's reporter and the run summary), report files, the diff, and logs. It masks with
// one marker, Mask, in two ways:
//
//   - Object masks what an API object holds in secret (Secret data, a Route's TLS key,
//     httpSecret, values of env vars named like secrets, fields named like passwords), for
//     dumps in failure messages. SecretValues lists the same values, so that text printed by
//     anything else (a Gomega message, a log line) can be masked too once they are known.
//   - Redactor masks text: literal values it was given (and their base64 forms), then
//     patterns that look like secrets wherever they come from (PEM private keys, AWS keys,
//     Azure connection strings, password=…, user:password@ in URLs, bearer tokens).
package redact

import (
	"encoding/base64"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Mask replaces every secret value, in every output.
const Mask = "[REDACTED]"

// MinLearned is the shortest value Learn accepts: shorter strings ("true", "admin", a region
// name) are too common to mask everywhere they occur without hiding ordinary text.
const MinLearned = 8

// Redactor masks known secret values and common secret patterns in text. The zero value
// masks patterns only. It is safe for concurrent use.
type Redactor struct {
	mu       sync.Mutex
	secrets  map[string]bool
	replacer *strings.Replacer // rebuilt lazily after Add: Add is frequent, Redact is rare
}

// New returns a Redactor masking the given literal secrets (and their base64 encodings) as
// well as the common patterns.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add registers literal secret values, whatever their length. Empty strings are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.add(0, secrets)
}

// Learn registers values seen in secret places of API objects (see SecretValues); values
// shorter than MinLearned are ignored.
func (r *Redactor) Learn(values ...string) {
	r.add(MinLearned, values)
}

func (r *Redactor) add(minLen int, secrets []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]bool{}
	}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if s == "" || len(s) < minLen || s == Mask {
			continue
		}
		// As printed: raw, base64 (Secret data), and escaped as in a Go or JSON string literal
		// (Gomega and %q print a multi-line credentials file on one line).
		q := strconv.Quote(s)
		for _, v := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s)), q[1 : len(q)-1]} {
			if !r.secrets[v] {
				r.secrets[v] = true
				r.replacer = nil
			}
		}
	}
}

// literals returns the replacer over the registered secrets (nil when there are none).
func (r *Redactor) literals() *strings.Replacer {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replacer != nil || len(r.secrets) == 0 {
		return r.replacer
	}
	all := make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		all = append(all, s)
	}
	// Longest first: at one position strings.Replacer takes the first listed match, so a
	// secret is never half-masked by a shorter one that is its prefix.
	sort.Slice(all, func(i, j int) bool {
		if len(all[i]) != len(all[j]) {
			return len(all[i]) > len(all[j])
		}
		return all[i] < all[j]
	})
	pairs := make([]string, 0, 2*len(all))
	for _, s := range all {
		pairs = append(pairs, s, Mask)
	}
	r.replacer = strings.NewReplacer(pairs...)
	return r.replacer
}

// value: everything up to a quote, whitespace or a list/struct separator.
const valueRE = `[^\s"'` + "`" + `,;&}\]\)]+`

// keyed secret patterns: group 1 (kept), group 2 the separator (kept), group 3 the value (masked).
// The separator may end in "is ", as in a failure's statement ("… REGISTRY_HTTP_SECRET: is x, want y").
var keyedPatterns = []*regexp.Regexp{
	// aws_secret_access_key = …, AWS_SECRET_ACCESS_KEY=…, secretAccessKey: …, aws_session_token
	regexp.MustCompile(`(?i)((?:aws_)?secret_?access_?key|aws_session_token|session_?token)(["']?\s*[:=]\s*(?:is\s+)?["']?)(` + valueRE + `)`),
	// REGISTRY_STORAGE_*_(SECRETKEY|ACCOUNTKEY|PASSWORD|KEYFILE|…) values in env dumps, YAML,
	// JSON and Go struct prints ({Name: "…_SECRETKEY", Value: "…"}).
	regexp.MustCompile(`(?i)(REGISTRY_STORAGE_[A-Z0-9_]*_(?:SECRETKEY|ACCESSKEY|ACCOUNTKEY|PASSWORD|KEYFILE|CREDENTIALSCONFIG|APPLICATIONCREDENTIALSECRET))((?:["']?\s*[:=]\s*(?:is\s+)?["']?)|(?:["']?\s*,\s*value["']?\s*[:=]\s*["']?))(` + valueRE + `)`),
	// Azure connection strings: AccountKey=…;
	regexp.MustCompile(`(?i)(AccountKey|SharedAccessSignature|SharedAccessKey)(\s*=\s*)([^;"'\s]+)`),
	// password=…, passwd: …, "password": "…", client_secret, api_key, token, httpSecret
	regexp.MustCompile(`(?i)\b(password|passwd|pwd|client_secret|api_?key|secret_?key|access_?token|auth_?token|httpSecret|REGISTRY_HTTP_SECRET)(["']?\s*[:=]\s*(?:is\s+)?["']?)(` + valueRE + `)`),
}

var (
	// "private_key": "-----BEGIN…" in a GCS service-account key file (JSON string, with escapes).
	privateKeyJSON = regexp.MustCompile(`("private_key"\s*:\s*")((?:[^"\\]|\\.)*)(")`)
	// PEM private key blocks (also printed with escaped newlines, and cut short by a truncation).
	pemPrivateKey = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`)
	// AWS access key IDs.
	awsAccessKeyID = regexp.MustCompile(`\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b`)
	// 40-character base64-ish tokens (AWS secret access keys); checked for mixed classes.
	awsSecretCandidate = regexp.MustCompile(`[A-Za-z0-9/+]{40,}`)
	// 60+ character base64 strings ending in padding (Azure account keys are 88 chars "…==").
	base64KeyCandidate = regexp.MustCompile(`[A-Za-z0-9/+]{60,}={1,2}`)
	// user:password@ in URLs.
	urlUserinfo = regexp.MustCompile(`(://[^/\s:@]+:)([^/\s@]+)(@)`)
	// Authorization: Bearer …
	bearer = regexp.MustCompile(`(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{8,})`)
)

// Redact masks the registered secrets, then the common patterns. It is idempotent.
func (r *Redactor) Redact(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		if rep := r.literals(); rep != nil {
			s = rep.Replace(s)
		}
	}
	s = pemPrivateKey.ReplaceAllLiteralString(s, Mask)
	s = privateKeyJSON.ReplaceAllString(s, "${1}"+Mask+"${3}")
	for _, p := range keyedPatterns {
		s = p.ReplaceAllStringFunc(s, func(m string) string {
			sm := p.FindStringSubmatch(m)
			if strings.HasPrefix(sm[3], "[REDACTED") {
				return m // the value regexp stops at ']'
			}
			if isFileName(sm[1]) && strings.HasPrefix(sm[3], "/") {
				return m // where the key file is (REGISTRY_STORAGE_GCS_KEYFILE=/gcs/keyfile), not the key
			}
			if proseWords[sm[3]] {
				return m // a sentence about the key ("httpSecret: the operator generates one"), not its value
			}
			return sm[1] + sm[2] + Mask
		})
	}
	s = urlUserinfo.ReplaceAllString(s, "${1}"+Mask+"${3}")
	s = bearer.ReplaceAllString(s, "${1}"+Mask)
	s = awsAccessKeyID.ReplaceAllLiteralString(s, Mask)
	return outsideCertificates(s, func(s string) string {
		s = base64KeyCandidate.ReplaceAllLiteralString(s, Mask)
		return awsSecretCandidate.ReplaceAllStringFunc(s, func(m string) string {
			if looksLikeSecretKey(m) {
				return Mask
			}
			return m
		})
	})
}

// certificateBlock is a PEM certificate (public: a CA bundle in a failure must stay
// readable), also printed with escaped newlines.
var certificateBlock = regexp.MustCompile(`-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----`)

// outsideCertificates applies mask to the text between certificate blocks only: a
// certificate's base64 lines are no key, but its last line can look like one (an Azure
// account key ends in "==", an AWS secret key is 40 characters).
func outsideCertificates(s string, mask func(string) string) string {
	blocks := certificateBlock.FindAllStringIndex(s, -1)
	if blocks == nil {
		return mask(s)
	}
	var b strings.Builder
	prev := 0
	for _, bl := range blocks {
		b.WriteString(mask(s[prev:bl[0]]))
		b.WriteString(s[bl[0]:bl[1]])
		prev = bl[1]
	}
	b.WriteString(mask(s[prev:]))
	return b.String()
}

// proseWords are values a keyed pattern finds in a sentence about a secret rather than in
// a secret's setting: masking them hides what the sentence says and protects nothing.
var proseWords = map[string]bool{
	"the": true, "a": true, "an": true, "is": true, "are": true, "was": true, "not": true,
	"no": true, "none": true, "empty": true, "unset": true, "set": true, "missing": true,
	"must": true, "should": true, "will": true, "generated": true, "random": true,
	"want": true, "seen": true, "absent": true, "present": true, "required": true,
}

// isFileName reports whether a secret-looking name (a keyed pattern's key) names a file
// holding the secret: its value is the secret itself unless it is a path.
func isFileName(key string) bool {
	k := strings.ToUpper(key)
	return strings.HasSuffix(k, "KEYFILE") || strings.HasSuffix(k, "CREDENTIALSCONFIG")
}

// looksLikeSecretKey tells a random 40-char key from hex digests, paths and words: it must
// mix upper case, lower case and digits and be exactly the length of an AWS secret key.
func looksLikeSecretKey(m string) bool {
	if len(m) != 40 {
		return false
	}
	var up, low, dig, sym int
	for _, c := range m {
		switch {
		case c >= 'A' && c <= 'Z':
			up++
		case c >= 'a' && c <= 'z':
			low++
		case c >= '0' && c <= '9':
			dig++
		default:
			sym++
		}
	}
	if sym > 3 { // a path such as a/b/c/…
		return false
	}
	return up > 0 && low > 0 && dig > 0
}

// std is the process-wide redactor. Why a package variable: a secret learned anywhere in
// the process (the suite's view of the cluster, `--redact` on the command line) must be
// masked in every output the process writes, and those outputs are written from places
// (Ginkgo's reporter, report writers, loggers) that cannot all be handed one value.
var std = New()

// Default is the process-wide Redactor that every output uses.
func Default() *Redactor { return std }
