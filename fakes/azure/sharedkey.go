package azure

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Shared Key verification (Azure Storage "Authorize with Shared Key", blob service, version
// 2009-09-19 and later). Verifying the signature is what makes a wrong account key a real
// failure for the operator (CRED-*), instead of the fake accepting anything.

// stringToSign rebuilds what the client signed. Content-Length "0" counts as empty, Date is
// whatever the client sent (azblob leaves it empty and signs x-ms-date instead).
func stringToSign(r *http.Request, account string, sortHeaders func([]string)) string {
	h := r.Header
	cl := h.Get("Content-Length")
	if cl == "0" {
		cl = ""
	}
	return strings.Join([]string{
		r.Method,
		h.Get("Content-Encoding"),
		h.Get("Content-Language"),
		cl,
		h.Get("Content-Md5"),
		h.Get("Content-Type"),
		h.Get("Date"),
		h.Get("If-Modified-Since"),
		h.Get("If-Match"),
		h.Get("If-None-Match"),
		h.Get("If-Unmodified-Since"),
		h.Get("Range"),
		canonicalHeaders(h, sortHeaders),
		canonicalResource(r.URL, account),
	}, "\n")
}

// canonicalHeaders lists the x-ms-* headers as "name:value" lines in the given order.
func canonicalHeaders(h http.Header, sortHeaders func([]string)) string {
	var names []string
	for k := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			names = append(names, lk)
		}
	}
	sortHeaders(names)
	lines := make([]string, 0, len(names))
	for _, n := range names {
		lines = append(lines, n+":"+strings.Join(h.Values(n), ","))
	}
	return strings.Join(lines, "\n")
}

// canonicalResource is "/<account><escaped path>" plus one "\nname:v1,v2" line per query
// parameter, names lower-cased and sorted, values sorted. With path-style URLs the account
// therefore appears twice ("/acct/acct/container"), as with Azurite.
func canonicalResource(u *url.URL, account string) string {
	var b strings.Builder
	b.WriteString("/" + account)
	if p := u.EscapedPath(); p != "" {
		b.WriteString(p)
	} else {
		b.WriteString("/")
	}
	q, _ := url.ParseQuery(u.RawQuery)
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := append([]string(nil), q[k]...)
		sort.Strings(v)
		b.WriteString("\n" + strings.ToLower(k) + ":" + strings.Join(v, ","))
	}
	return b.String()
}

// sortAzure orders header names the way the storage service does: first by the name with
// dashes ignored, then, on a tie, by where the dashes sit (the name whose first differing
// position holds a dash sorts later). For the lower-case ASCII names of x-ms-* headers this
// is the service's culture-aware ordering, which differs from a plain byte sort.
func sortAzure(names []string) {
	sort.SliceStable(names, func(i, j int) bool { return azureLess(names[i], names[j]) })
}

func azureLess(a, b string) bool {
	sa, sb := strings.ReplaceAll(a, "-", ""), strings.ReplaceAll(b, "-", "")
	if sa != sb {
		return sa < sb
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		da, db := a[i] == '-', b[i] == '-'
		if da != db {
			return db
		}
	}
	return len(a) < len(b)
}

func sign(key []byte, s string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// verifySharedKey checks "Authorization: SharedKey <account>:<signature>". It returns "" on
// success, else the string-to-sign the server used (for the AuthenticationErrorDetail).
// Both the service's header order and a plain byte order are accepted, so that a client
// using either canonicalisation is not refused for a difference real Azure ignores in
// practice (they only differ for header names that collide once dashes are removed).
//
// Models AZ-001, CRED-002.
func verifySharedKey(r *http.Request, account string, key []byte) (ok bool, detail string) {
	auth := r.Header.Get("Authorization")
	rest, found := strings.CutPrefix(auth, "SharedKey ")
	if !found {
		return false, "Unsupported or missing Authorization scheme (only SharedKey is implemented)."
	}
	acct, sig, found := strings.Cut(rest, ":")
	if !found || acct != account {
		return false, "The account name in the Authorization header does not match the account."
	}
	sts := stringToSign(r, account, sortAzure)
	if hmac.Equal([]byte(sign(key, sts)), []byte(sig)) {
		return true, ""
	}
	if hmac.Equal([]byte(sign(key, stringToSign(r, account, sort.Strings))), []byte(sig)) {
		return true, ""
	}
	return false, "The MAC signature found in the HTTP request '" + sig +
		"' is not the same as any computed signature. Server used following string to sign: '" + sts + "'."
}
