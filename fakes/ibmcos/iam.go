package ibmcosfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

const (
	iamTokenPath   = "/identity/token"
	grantAPIKey    = "urn:ibm:params:oauth:grant-type:apikey"
	errUnknownKey  = "BXNIM0415E"
	errBadGrant    = "BXNIM0109E"
	errNoKeyInForm = "BXNIM0103E"
)

// iamError is IAM's error body.
type iamError struct {
	ErrorCode    string         `json:"errorCode"`
	ErrorMessage string         `json:"errorMessage"`
	Context      map[string]any `json:"context,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveToken is IAM's token exchange: form grant_type=urn:ibm:params:oauth:grant-type:apikey
// and apikey=<key> → an access token. Unknown keys get IAM's 400 BXNIM0415E.
//
// Models IBMCOS-002, IBMCOS-010.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if rule := s.faults.Before(r.Context(), OpAuth, "", ""); rule != nil {
		code, msg := rule.Code, rule.Message
		if code == "" {
			code = "BXNIM0002E"
		}
		if msg == "" {
			msg = http.StatusText(rule.Status)
		}
		writeJSON(w, rule.Status, iamError{ErrorCode: code, ErrorMessage: msg})
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, iamError{ErrorCode: "BXNIM0001E", ErrorMessage: "only POST is supported"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, iamError{ErrorCode: errBadGrant, ErrorMessage: "the request body is not a form"})
		return
	}
	if r.PostForm.Get("grant_type") != grantAPIKey {
		writeJSON(w, http.StatusBadRequest, iamError{ErrorCode: errBadGrant, ErrorMessage: "Unsupported grant type"})
		return
	}
	key := r.PostForm.Get("apikey")
	if key == "" {
		writeJSON(w, http.StatusBadRequest, iamError{ErrorCode: errNoKeyInForm, ErrorMessage: "Property missing or empty. Property name: 'apikey'."})
		return
	}
	s.mu.Lock()
	label, ok := s.apiKeys[key]
	if !ok {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, iamError{ErrorCode: errUnknownKey, ErrorMessage: "Provided API key could not be found."})
		return
	}
	now := time.Now()
	tok := s.newTokenLocked(now)
	s.tokens[tok] = &IssuedToken{KeyLabel: label, IssuedAt: now, ExpiresAt: now.Add(s.ttl)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  tok,
		"refresh_token": "not-supported",
		"token_type":    "Bearer",
		"expires_in":    int64(s.ttl / time.Second),
		"expiration":    now.Add(s.ttl).Unix(),
		"scope":         "ibm openid",
	})
}

// newTokenLocked makes a JWT-shaped token: IBM's tokens are JWTs whose "account.bss" claim
// is the account ID, which clients read to find their account. The signature is random
// bytes: nothing verifies it but this fake, which looks tokens up.
func (s *Server) newTokenLocked(now time.Time) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "irconform-fake"})
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims, _ := json.Marshal(map[string]any{
		"iam_id":     "iam-ServiceId-irconform",
		"id":         "iam-ServiceId-irconform",
		"account":    map[string]any{"bss": s.AccountID, "valid": true},
		"iat":        now.Unix(),
		"exp":        now.Add(s.ttl).Unix(),
		"iss":        "https://iam.cloud.ibm.com/identity",
		"grant_type": grantAPIKey,
		"jti":        hex.EncodeToString(jti),
	})
	sig := make([]byte, 32)
	_, _ = rand.Read(sig)
	return enc.EncodeToString(header) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(sig)
}

// bearer checks r's "Authorization: Bearer <token>": known, not expired. It counts the use.
func (s *Server) bearer(r *http.Request) (ok bool, why string) {
	scheme, tok, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return false, "no bearer token"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, known := s.tokens[tok]
	if !known {
		return false, "the token was not issued by IAM"
	}
	if t.expired || time.Now().After(t.ExpiresAt) {
		return false, "the token has expired"
	}
	t.Uses++
	return true, ""
}
