package swift

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/irconform/irconform/fakes/fault"
)

// Keystone v3 request body, only the parts the fake checks.
type authRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User nameIDDomain `json:"user"`
			} `json:"password"`
			Token *struct {
				ID string `json:"id"`
			} `json:"token"`
			ApplicationCredential *struct {
				ID     string        `json:"id"`
				Name   string        `json:"name"`
				Secret string        `json:"secret"`
				User   *nameIDDomain `json:"user"`
			} `json:"application_credential"`
		} `json:"identity"`
		Scope *struct {
			Project *nameIDDomain `json:"project"`
			Domain  *nameID       `json:"domain"`
			System  any           `json:"system"`
		} `json:"scope"`
	} `json:"auth"`
}

type nameID struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type nameIDDomain struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Password string  `json:"password"`
	Domain   *nameID `json:"domain"`
}

func (n *nameID) label() string {
	if n == nil {
		return ""
	}
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

func (n *nameIDDomain) label() string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

func (s *Server) serveKeystone(w http.ResponseWriter, r *http.Request) {
	switch {
	case (r.URL.Path == "/v3" || r.URL.Path == "/v3/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		writeJSON(w, http.StatusOK, map[string]any{"version": s.versionDoc()})
	case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodPost:
		s.issueToken(w, r)
	case r.URL.Path == "/v3/auth/tokens" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.validateToken(w, r)
	case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodDelete:
		s.revokeToken(w, r)
	default:
		keystoneError(w, http.StatusNotFound, "", "The resource could not be found.")
	}
}

func (s *Server) versionDoc() map[string]any {
	return map[string]any{
		"id":      "v3.14",
		"status":  "stable",
		"updated": "2020-04-07T00:00:00Z",
		"links":   []any{map[string]any{"rel": "self", "href": s.AuthURL + "/"}},
		"media-types": []any{map[string]any{
			"base": "application/json", "type": "application/vnd.openstack.identity-v3+json",
		}},
	}
}

// Models SWIFT-001, CRED-002.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var req authRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&req); err != nil {
		s.logAuth(AuthAttempt{Status: http.StatusBadRequest})
		keystoneError(w, http.StatusBadRequest, "", "Expecting to find auth in request body. The server could not comply with the request since it is either malformed or otherwise incorrect.")
		return
	}
	id := req.Auth.Identity
	att := AuthAttempt{}
	if len(id.Methods) > 0 {
		att.Method = id.Methods[0]
	}
	if req.Auth.Scope != nil && req.Auth.Scope.Project != nil {
		p := req.Auth.Scope.Project
		att.Project = p.label()
		att.ProjectDomain = p.Domain.label()
	}

	// The fault check comes after parsing so that the log shows who tried to log in.
	if rule := s.faults.Before(r.Context(), fault.OpAuth, "", ""); rule != nil {
		att.Status = rule.Status
		s.logAuth(att)
		keystoneError(w, rule.Status, rule.Code, rule.Message)
		return
	}

	userID := s.UserID
	project := "" // project id the new token is scoped to
	ok := false
	switch att.Method {
	case "password":
		if id.Password == nil {
			break
		}
		u := id.Password.User
		att.User = u.label()
		att.UserDomain = u.Domain.label()
		ok = (u.Name == s.Username || (u.Name == "" && u.ID == s.UserID)) &&
			u.Password == s.Password &&
			(u.ID != "" || s.domainMatches(u.Domain))
		if ok {
			project, ok = s.scope(req)
		}
	case "application_credential":
		ac := id.ApplicationCredential
		if ac == nil || s.ApplicationCredentialSecret == "" {
			break
		}
		att.AppCredential = ac.ID
		if ac.ID == "" {
			att.AppCredential = ac.Name
		}
		if ac.User != nil {
			att.User = ac.User.label()
			att.UserDomain = ac.User.Domain.label()
		}
		switch {
		case ac.ID != "":
			ok = ac.ID == s.ApplicationCredentialID
		case ac.Name != "" && ac.User != nil:
			ok = ac.Name == s.ApplicationCredentialName &&
				(ac.User.ID == s.UserID || (ac.User.Name == s.Username && s.domainMatches(ac.User.Domain)))
		}
		ok = ok && ac.Secret == s.ApplicationCredentialSecret
		// An application credential is bound to its project; Keystone refuses a scope in
		// the request, the fake simply ignores it.
		project = s.ProjectID
	case "token":
		if id.Token == nil {
			break
		}
		s.mu.Lock()
		old, found := s.tokens[id.Token.ID]
		s.mu.Unlock()
		if !found || time.Now().After(old.expires) {
			break
		}
		userID = old.user
		att.User = s.Username
		ok = true
		if req.Auth.Scope == nil {
			// Simplification: real Keystone would issue an unscoped token here.
			project = old.project
		} else {
			project, ok = s.scope(req)
		}
	}
	if !ok {
		att.Status = http.StatusUnauthorized
		s.logAuth(att)
		keystoneError(w, http.StatusUnauthorized, "", "The request you have made requires authentication.")
		return
	}
	s.mu.Lock()
	tok, t := s.newTokenLocked(project, userID, id.Methods)
	body := s.tokenBodyLocked(t)
	s.mu.Unlock()
	att.Status = http.StatusCreated
	s.logAuth(att)
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, body)
}

// domainMatches: Keystone needs the user's domain when the user is named.
func (s *Server) domainMatches(d *nameID) bool {
	if d == nil {
		return false
	}
	return d.Name == s.DomainName || (d.Name == "" && d.ID == s.DomainID)
}

// scope resolves the requested scope to a project id ("" = unscoped or domain-scoped).
// A scope naming another project is refused (401), as Keystone does when the user has no
// role on it.
func (s *Server) scope(req authRequest) (string, bool) {
	sc := req.Auth.Scope
	if sc == nil || sc.Project == nil {
		if sc != nil && sc.Domain != nil {
			return "", sc.Domain.Name == s.DomainName || sc.Domain.ID == s.DomainID
		}
		return "", sc == nil
	}
	p := sc.Project
	if p.ID != "" {
		return s.ProjectID, p.ID == s.ProjectID
	}
	return s.ProjectID, p.Name == s.ProjectName && s.domainMatches(p.Domain)
}

func (s *Server) newTokenLocked(project, user string, methods []string) (string, token) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := "gAAAAA" + hex.EncodeToString(b)
	now := time.Now().UTC()
	t := token{project: project, user: user, methods: methods, issued: now, expires: now.Add(s.cfg.tokenTTL)}
	s.tokens[id] = t
	return id, t
}

func (s *Server) tokenBodyLocked(t token) map[string]any {
	domain := map[string]any{"id": s.DomainID, "name": s.DomainName}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	tok := map[string]any{
		"methods":    t.methods,
		"audit_ids":  []string{hex.EncodeToString(b)},
		"issued_at":  t.issued.Format("2006-01-02T15:04:05.000000Z"),
		"expires_at": t.expires.Format("2006-01-02T15:04:05.000000Z"),
		"user": map[string]any{
			"id": s.UserID, "name": s.Username, "domain": domain, "password_expires_at": nil,
		},
	}
	catalog := []any{map[string]any{
		"id": hexID("service:identity"), "type": "identity", "name": "keystone",
		"endpoints": s.endpoints("identity", s.AuthURL),
	}}
	if t.project != "" {
		tok["project"] = map[string]any{"id": s.ProjectID, "name": s.ProjectName, "domain": domain}
		tok["is_domain"] = false
		tok["roles"] = []any{
			map[string]any{"id": hexID("role:member"), "name": "member"},
			map[string]any{"id": hexID("role:reader"), "name": "reader"},
		}
		if s.objstore {
			catalog = append(catalog, map[string]any{
				"id": hexID("service:swift"), "type": "object-store", "name": "swift",
				"endpoints": s.endpoints("swift", s.SwiftURL),
			})
		}
	}
	tok["catalog"] = catalog
	return map[string]any{"token": tok}
}

// Models SWIFT-004.
func (s *Server) endpoints(service, url string) []any {
	var out []any
	for _, iface := range []string{"public", "internal", "admin"} {
		out = append(out, map[string]any{
			"id": hexID("endpoint:" + service + ":" + iface), "interface": iface,
			"region": s.Region, "region_id": s.Region, "url": url,
		})
	}
	return out
}

// validateToken answers GET /v3/auth/tokens, which gophercloud uses when it is handed an
// existing token without a scope (REGISTRY_STORAGE_SWIFT_TOKENID).
func (s *Server) validateToken(w http.ResponseWriter, r *http.Request) {
	if rule := s.faults.Before(r.Context(), fault.OpAuth, "", ""); rule != nil {
		s.logAuth(AuthAttempt{Method: "validate", Status: rule.Status})
		keystoneError(w, rule.Status, rule.Code, rule.Message)
		return
	}
	s.mu.Lock()
	caller, okCaller := s.tokens[r.Header.Get("X-Auth-Token")]
	subj, okSubj := s.tokens[r.Header.Get("X-Subject-Token")]
	now := time.Now()
	var body map[string]any
	if okSubj && now.Before(subj.expires) {
		body = s.tokenBodyLocked(subj)
	}
	s.mu.Unlock()
	switch {
	case !okCaller || now.After(caller.expires):
		s.logAuth(AuthAttempt{Method: "validate", User: s.Username, Status: http.StatusUnauthorized})
		keystoneError(w, http.StatusUnauthorized, "", "The request you have made requires authentication.")
	case body == nil:
		s.logAuth(AuthAttempt{Method: "validate", User: s.Username, Status: http.StatusNotFound})
		keystoneError(w, http.StatusNotFound, "", "Could not find token.")
	default:
		s.logAuth(AuthAttempt{Method: "validate", User: s.Username, Status: http.StatusOK})
		w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
		writeJSON(w, http.StatusOK, body)
	}
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, okCaller := s.tokens[r.Header.Get("X-Auth-Token")]
	subj := r.Header.Get("X-Subject-Token")
	_, okSubj := s.tokens[subj]
	if okCaller && okSubj {
		delete(s.tokens, subj)
	}
	s.mu.Unlock()
	switch {
	case !okCaller:
		keystoneError(w, http.StatusUnauthorized, "", "The request you have made requires authentication.")
	case !okSubj:
		keystoneError(w, http.StatusNotFound, "", "Could not find token.")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) logAuth(a AuthAttempt) {
	a.At = time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authLog = append(s.authLog, a)
}

// keystoneError writes Keystone's JSON error document; code (an injected rule's Code) goes
// into "title", which is where Keystone names the error class.
func keystoneError(w http.ResponseWriter, status int, code, msg string) {
	if code == "" {
		code = http.StatusText(status)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Keystone uri="/v3"`)
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "title": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
