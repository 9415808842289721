package armfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/irconform/irconform/fakes/fault"
)

// Entra ID (Azure AD) v2 endpoints, as MSAL calls them under an authority host.
const (
	grantClientCredentials = "client_credentials"
	assertionTypeJWT       = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError is Entra ID's token error body.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": description, "error_codes": []int{}})
}

// reachedAs is the URL the client reached the fake by: https://127.0.0.1:<port> on its own
// listener, https://login.microsoftonline.com through a TLS front (fakes/front). The
// metadata's endpoints must name that host, or a client behind a proxy would be sent
// around it.
func reachedAs(r *http.Request) string { return "https://" + r.Host }

// serveEntra answers instance discovery, tenant discovery and the token endpoint.
func (s *Server) serveEntra(w http.ResponseWriter, r *http.Request, tenant, rest string) {
	switch {
	case tenant == "common" && rest == "discovery/instance":
		host := r.Host
		// authorization_endpoint is https://<host>/<tenant>/oauth2/v2.0/authorize.
		discovered := s.TenantID
		if u, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
			if t, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); t != "" {
				discovered = t
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"tenant_discovery_endpoint": reachedAs(r) + "/" + discovered + "/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []any{map[string]any{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
		})
	case rest == "v2.0/.well-known/openid-configuration":
		if tenant != s.TenantID {
			oauthError(w, http.StatusBadRequest, "invalid_tenant", "AADSTS90002: Tenant '"+tenant+"' not found.")
			return
		}
		base := reachedAs(r) + "/" + tenant
		writeJSON(w, http.StatusOK, map[string]any{
			"token_endpoint":                        base + "/oauth2/v2.0/token",
			"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
			"issuer":                                base + "/v2.0",
			"jwks_uri":                              base + "/discovery/v2.0/keys",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"tenant_region_scope":                   "NA",
		})
	case rest == "oauth2/v2.0/token" && r.Method == http.MethodPost:
		s.serveToken(w, r, tenant)
	default:
		oauthError(w, http.StatusNotFound, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.")
	}
}

// serveToken (Models AZ-013) is the client credentials grant: the service principal proves itself with
// its secret, or with a federated token (client_assertion) when the fake was started with
// one. The token is opaque and valid for ARM only.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if rule := s.faults.Before(r.Context(), fault.OpAuth, "", ""); rule != nil {
		code, msg := rule.Code, rule.Message
		if code == "" {
			code = "temporarily_unavailable"
		}
		if msg == "" {
			msg = "AADSTS50196: " + http.StatusText(rule.Status)
		}
		oauthError(w, rule.Status, code, msg)
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	switch {
	case tenant != s.TenantID:
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS90002: Tenant '"+tenant+"' not found.")
	case f.Get("grant_type") != grantClientCredentials:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '"+f.Get("grant_type")+"'.")
	case f.Get("client_id") != s.ClientID:
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application with identifier '"+f.Get("client_id")+"' was not found in the directory.")
	case !s.clientAuthenticated(f.Get("client_secret"), f.Get("client_assertion_type"), f.Get("client_assertion")):
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
	case !armScope(f.Get("scope")):
		oauthError(w, http.StatusBadRequest, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope "+f.Get("scope")+" is not valid.")
	default:
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		tok := "irconform-arm-" + hex.EncodeToString(b)
		s.mu.Lock()
		s.tokens[tok] = true
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
	}
}

func (s *Server) clientAuthenticated(secret, assertionType, assertion string) bool {
	if secret != "" {
		return secret == s.ClientSecret
	}
	return s.federatedToken != "" && assertionType == assertionTypeJWT && assertion == s.federatedToken
}

func (s *Server) tokenValid(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[tok]
}

// armScope tells whether scope asks for an ARM token. Clients form it as audience +
// "/.default", and an audience with a trailing slash (autorest's environments:
// "https://management.azure.com/") gives "https://management.azure.com//.default", which
// Entra ID accepts as the same resource.
func armScope(scope string) bool {
	fields := strings.Fields(scope)
	return slices.Contains(fields, ARMAudience+"/.default") || slices.Contains(fields, ARMAudience+"//.default")
}
