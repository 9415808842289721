package reports

import (
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every secret value in reports.
const Mask = "[REDACTED]"

// Redactor masks known secret values and common secret patterns in text.
// The zero value masks patterns only. It is safe for concurrent use once built.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
	re      *regexp.Regexp // alternation of the literal secrets, longest first
}

// NewRedactor returns a Redactor masking the given literal secrets (and their base64
// encodings) as well as the common patterns.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add registers more literal secret values. Empty strings are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, s := range r.secrets {
		seen[s] = true
	}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		for _, v := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s))} {
			if !seen[v] {
				seen[v] = true
				r.secrets = append(r.secrets, v)
			}
		}
	}
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	if len(r.secrets) == 0 {
		r.re = nil
		return
	}
	q := make([]string, len(r.secrets))
	for i, s := range r.secrets {
		q[i] = regexp.QuoteMeta(s)
	}
	r.re = regexp.MustCompile(strings.Join(q, "|"))
}

// Redact masks secrets and secret-looking values in s.
func Redact(s string, secrets []string) string { return NewRedactor(secrets...).Redact(s) }

// value: everything up to a quote, whitespace or a list/struct separator.
const valueRE = `[^\s"'` + "`" + `,;&}\]\)]+`

// keyed secret patterns: group "k" (kept) then the value (masked).
var keyedPatterns = []*regexp.Regexp{
	// aws_secret_access_key = …, AWS_SECRET_ACCESS_KEY=…, secretAccessKey: …, aws_session_token
	regexp.MustCompile(`(?i)((?:aws_)?secret_?access_?key|aws_session_token|session_?token)(["']?\s*[:=]\s*["']?)(` + valueRE + `)`),
	// REGISTRY_STORAGE_*_(SECRETKEY|ACCOUNTKEY|PASSWORD|KEYFILE|ACCESSKEY) values in env dumps, YAML,
	// JSON and Go struct prints ({Name: "…_SECRETKEY", Value: "…"}).
	regexp.MustCompile(`(?i)(REGISTRY_STORAGE_[A-Z0-9_]*_(?:SECRETKEY|ACCOUNTKEY|PASSWORD|KEYFILE|CREDENTIALSCONFIG|APPLICATIONCREDENTIALSECRET))((?:["']?\s*[:=]\s*["']?)|(?:["']?\s*,\s*value["']?\s*[:=]\s*["']?))(` + valueRE + `)`),
	// Azure connection strings: AccountKey=…;
	regexp.MustCompile(`(?i)(AccountKey|SharedAccessSignature|SharedAccessKey)(\s*=\s*)([^;"'\s]+)`),
	// password=…, passwd: …, "password": "…", client_secret, api_key, token
	regexp.MustCompile(`(?i)\b(password|passwd|pwd|client_secret|api_?key|secret_?key|access_?token|auth_?token|httpSecret|REGISTRY_HTTP_SECRET)(["']?\s*[:=]\s*["']?)(` + valueRE + `)`),
}

var (
	// "private_key": "-----BEGIN…" in a GCS service-account key file (JSON string, with escapes).
	privateKeyJSON = regexp.MustCompile(`("private_key"\s*:\s*")((?:[^"\\]|\\.)*)(")`)
	// PEM private key blocks.
	pemPrivateKey = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`)
	// AWS access key IDs.
	awsAccessKeyID = regexp.MustCompile(`\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b`)
	// 40-character base64-ish tokens (AWS secret access keys); checked for mixed classes.
	awsSecretCandidate = regexp.MustCompile(`[A-Za-z0-9/+]{40,}`)
	// 64+ character base64 strings ending in padding (Azure account keys are 88 chars "…==").
	base64KeyCandidate = regexp.MustCompile(`[A-Za-z0-9/+]{60,}={1,2}`)
	// user:password@ in URLs.
	urlUserinfo = regexp.MustCompile(`(://[^/\s:@]+:)([^/\s@]+)(@)`)
	// Authorization: Bearer …
	bearer = regexp.MustCompile(`(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{8,})`)
)

// Redact masks the registered secrets, then the common patterns.
func (r *Redactor) Redact(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		re := r.re
		r.mu.RUnlock()
		if re != nil {
			s = re.ReplaceAllLiteralString(s, Mask)
		}
	}
	s = pemPrivateKey.ReplaceAllLiteralString(s, Mask)
	s = privateKeyJSON.ReplaceAllString(s, "${1}"+Mask+"${3}")
	for _, p := range keyedPatterns {
		s = p.ReplaceAllStringFunc(s, func(m string) string {
			sm := p.FindStringSubmatch(m)
			if sm[3] == Mask || strings.HasPrefix(sm[3], "[REDACTED") {
				return m
			}
			return sm[1] + sm[2] + Mask
		})
	}
	s = urlUserinfo.ReplaceAllString(s, "${1}"+Mask+"${3}")
	s = bearer.ReplaceAllString(s, "${1}"+Mask)
	s = awsAccessKeyID.ReplaceAllLiteralString(s, Mask)
	s = base64KeyCandidate.ReplaceAllLiteralString(s, Mask)
	s = awsSecretCandidate.ReplaceAllStringFunc(s, func(m string) string {
		if looksLikeSecretKey(m) {
			return Mask
		}
		return m
	})
	return s
}

// looksLikeSecretKey tells a random 40-char key from hex digests, paths and words: it must
// mix upper case, lower case and digits (or contain '+' or '/' between such characters) and
// be exactly the length of an AWS secret key.
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

var (
	defaultMu       sync.Mutex
	defaultRedactor = NewRedactor()
)

// RegisterSecrets adds literal secret values (e.g. the fake clouds' credentials, a live
// cluster's storage keys) that every writer of this package masks from then on.
func RegisterSecrets(secrets ...string) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	defaultRedactor.Add(secrets...)
}

// DefaultRedactor is the Redactor every writer uses.
func DefaultRedactor() *Redactor {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	return defaultRedactor
}

// Redacted returns a copy of run with every free text (failures, skip reasons, names,
// server URL, extra tables) run through r.
func (run Run) Redacted(r *Redactor) Run {
	out := run
	out.Target.Server = r.Redact(run.Target.Server)
	out.Simulated = make([]string, len(run.Simulated))
	for i, s := range run.Simulated {
		out.Simulated[i] = r.Redact(s)
	}
	if run.Simulated == nil {
		out.Simulated = nil
	}
	out.Specs = make([]Spec, len(run.Specs))
	for i, sp := range run.Specs {
		sp.Name = r.Redact(sp.Name)
		sp.Failure = r.Redact(sp.Failure)
		sp.FailureLocation = r.Redact(sp.FailureLocation)
		sp.SkipReason = r.Redact(sp.SkipReason)
		sp.Labels = append([]string(nil), sp.Labels...)
		sp.Behaviors = append([]string(nil), sp.Behaviors...)
		out.Specs[i] = sp
	}
	if run.Extra != nil {
		out.Extra = make(map[string]Table, len(run.Extra))
		for k, t := range run.Extra {
			nt := Table{Title: r.Redact(t.Title), Columns: append([]string(nil), t.Columns...)}
			for _, row := range t.Rows {
				nr := make([]string, len(row))
				for j, c := range row {
					nr[j] = r.Redact(c)
				}
				nt.Rows = append(nt.Rows, nr)
			}
			out.Extra[k] = nt
		}
	}
	return out
}
