package ibmcosfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// StandardPlanID is the COS "standard" plan, the one the operator provisions.
const StandardPlanID = "744bfc56-d12c-4866-88d5-dac9139e0e5d"

// rcError is the error body of the Resource Controller and Resource Manager.
type rcError struct {
	Message    string        `json:"message"`
	StatusCode int           `json:"status_code"`
	Errors     []rcErrorItem `json:"errors"`
}

type rcErrorItem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeRCError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, rcError{Message: msg, StatusCode: status, Errors: []rcErrorItem{{Code: code, Message: msg}}})
}

// lastSegment is the path segment after prefix, unescaped once (a CRN holds "/" and ":",
// which callers escape: it must not be split on its own "/").
func lastSegment(r *http.Request, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	id, err := url.PathUnescape(rest)
	return id, err == nil
}

func (s *Server) serveResources(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	op := ""
	switch {
	case p == "/v2/resource_groups" && r.Method == http.MethodGet:
		op = OpListResourceGroups
	case strings.HasPrefix(p, "/v2/resource_groups/") && r.Method == http.MethodGet:
		op = OpGetResourceGroup
	case p == "/v2/resource_instances" && r.Method == http.MethodGet:
		op = OpListInstances
	case p == "/v2/resource_instances" && r.Method == http.MethodPost:
		op = OpCreateInstance
	case strings.HasPrefix(p, "/v2/resource_instances/") && r.Method == http.MethodGet:
		op = OpGetInstance
	case p == "/v2/resource_keys" && r.Method == http.MethodPost:
		op = OpCreateKey
	case p == "/v2/resource_keys" && r.Method == http.MethodGet:
		op = OpListKeys
	case strings.HasPrefix(p, "/v2/resource_keys/") && r.Method == http.MethodGet:
		op = OpGetKey
	default:
		writeRCError(w, http.StatusNotFound, "not_found", fmt.Sprintf("%s %s is not served by the irconform IBM Cloud fake", r.Method, p))
		return
	}
	if rule := s.faults.Before(r.Context(), op, "", ""); rule != nil {
		code, msg := rule.Code, rule.Message
		if code == "" {
			code = strings.ToLower(strings.ReplaceAll(http.StatusText(rule.Status), " ", "_"))
		}
		if msg == "" {
			msg = http.StatusText(rule.Status)
		}
		writeRCError(w, rule.Status, code, msg)
		return
	}
	if ok, why := s.bearer(r); !ok {
		writeRCError(w, http.StatusUnauthorized, "unauthorized", "Unauthorized: "+why)
		return
	}
	switch op {
	case OpListResourceGroups:
		s.listGroups(w, r)
	case OpGetResourceGroup:
		s.getGroup(w, r)
	case OpListInstances:
		s.listInstances(w, r)
	case OpCreateInstance:
		s.createInstance(w, r)
	case OpGetInstance:
		s.getInstance(w, r)
	case OpCreateKey:
		s.createKey(w, r)
	case OpGetKey:
		s.getKey(w, r)
	case OpListKeys:
		s.listKeys(w, r)
	}
}

func (s *Server) groupJSON() map[string]any {
	return map[string]any{"id": s.ResourceGroupID, "name": s.ResourceGroup, "account_id": s.AccountID, "state": "ACTIVE", "default": true}
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	res := []any{}
	if (q.Get("account_id") == "" || q.Get("account_id") == s.AccountID) && (q.Get("name") == "" || q.Get("name") == s.ResourceGroup) {
		res = append(res, s.groupJSON())
	}
	writeJSON(w, http.StatusOK, map[string]any{"resources": res})
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	id, ok := lastSegment(r, "/v2/resource_groups/")
	if !ok || id != s.ResourceGroupID {
		writeRCError(w, http.StatusNotFound, "not_found", "resource group not found")
		return
	}
	writeJSON(w, http.StatusOK, s.groupJSON())
}

func (in *Instance) json(account string) map[string]any {
	return map[string]any{
		"id": in.ID, "guid": in.GUID, "crn": in.CRN, "name": in.Name, "account_id": account,
		"resource_group_id": in.ResourceGroupID, "resource_plan_id": in.PlanID, "target_crn": in.Target,
		"state": in.State, "type": "service_instance", "resource_id": "dff97f5c-bc5e-4455-b470-411c3edbe49c",
	}
}

func (s *Server) newInstanceLocked(name, group, plan, target string, tags []string) *Instance {
	n := s.nextIDLocked()
	guid := fmt.Sprintf("1f2e3d4c-0000-4000-8000-%012d", n)
	crn := fmt.Sprintf("crn:v1:bluemix:public:cloud-object-storage:global:a/%s:%s::", s.AccountID, guid)
	in := &Instance{ID: crn, GUID: guid, CRN: crn, Name: name, ResourceGroupID: group, PlanID: plan, Target: target,
		Tags: append([]string(nil), tags...), State: StateActive}
	s.instances = append(s.instances, in)
	return in
}

func (s *Server) listInstances(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	res := []any{}
	for _, in := range s.instances {
		if in.State == StateRemoved {
			continue // removed instances are only found by ID, as on IBM Cloud
		}
		if (q.Get("name") != "" && q.Get("name") != in.Name) ||
			(q.Get("resource_group_id") != "" && q.Get("resource_group_id") != in.ResourceGroupID) ||
			(q.Get("resource_plan_id") != "" && q.Get("resource_plan_id") != in.PlanID) {
			continue
		}
		res = append(res, in.json(s.AccountID))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"rows_count": len(res), "resources": res})
}

// Models IBMCOS-003.
func (s *Server) createInstance(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name           string   `json:"name"`
		Target         string   `json:"target"`
		ResourceGroup  string   `json:"resource_group"`
		ResourcePlanID string   `json:"resource_plan_id"`
		Tags           []string `json:"tags"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeRCError(w, http.StatusBadRequest, "bad_request", "request body is not JSON: "+err.Error())
		return
	}
	if body.Name == "" || body.Target == "" || body.ResourceGroup == "" || body.ResourcePlanID == "" {
		writeRCError(w, http.StatusBadRequest, "bad_request", "name, target, resource_group and resource_plan_id are required")
		return
	}
	if body.ResourceGroup != s.ResourceGroupID {
		writeRCError(w, http.StatusBadRequest, "bad_request", "unknown resource group "+body.ResourceGroup)
		return
	}
	s.mu.Lock()
	in := s.newInstanceLocked(body.Name, body.ResourceGroup, body.ResourcePlanID, body.Target, body.Tags)
	out := in.json(s.AccountID)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) getInstance(w http.ResponseWriter, r *http.Request) {
	id, ok := lastSegment(r, "/v2/resource_instances/")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.instances {
		if ok && (in.ID == id || in.GUID == id || in.CRN == id) {
			writeJSON(w, http.StatusOK, in.json(s.AccountID))
			return
		}
	}
	writeRCError(w, http.StatusNotFound, "not_found", "Instance not found")
}

func (k *ResourceKey) json() map[string]any {
	creds := map[string]any{"iam_role_crn": k.Role, "resource_instance_id": k.SourceCRN, "apikey": "redacted-by-irconform-fake"}
	if k.HMAC {
		creds["cos_hmac_keys"] = map[string]any{"access_key_id": k.AccessKeyID, "secret_access_key": k.SecretAccessKey}
	}
	return map[string]any{"id": k.ID, "guid": k.GUID, "crn": k.CRN, "name": k.Name, "source_crn": k.SourceCRN,
		"role": k.Role, "state": "active", "credentials": creds}
}

func (s *Server) newKeyLocked(name, source, role string, hmac bool) *ResourceKey {
	n := s.nextIDLocked()
	guid := fmt.Sprintf("5a6b7c8d-0000-4000-8000-%012d", n)
	instanceGUID := source
	for _, in := range s.instances {
		if in.CRN == source {
			instanceGUID = in.GUID
		}
	}
	k := &ResourceKey{ID: fmt.Sprintf("crn:v1:bluemix:public:cloud-object-storage:global:a/%s:%s:resource-key:%s", s.AccountID, instanceGUID, guid),
		GUID: guid, Name: name, SourceCRN: source, Role: role, HMAC: hmac}
	k.CRN = k.ID
	if hmac {
		k.AccessKeyID = fmt.Sprintf("%032x", 0xC05000+n)
		k.SecretAccessKey = fmt.Sprintf("%048x", 0x5EC000+n)
	}
	s.keys = append(s.keys, k)
	return k
}

// Models IBMCOS-004.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name       string         `json:"name"`
		Source     string         `json:"source"`
		Role       string         `json:"role"`
		Parameters map[string]any `json:"parameters"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeRCError(w, http.StatusBadRequest, "bad_request", "request body is not JSON: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var src *Instance
	for _, in := range s.instances {
		if in.CRN == body.Source || in.GUID == body.Source {
			src = in
		}
	}
	if body.Name == "" || src == nil || src.State != StateActive {
		writeRCError(w, http.StatusBadRequest, "bad_request", "name and the CRN of an active source instance are required")
		return
	}
	hmac, _ := body.Parameters["HMAC"].(bool)
	writeJSON(w, http.StatusCreated, s.newKeyLocked(body.Name, src.CRN, body.Role, hmac).json())
}

func (s *Server) getKey(w http.ResponseWriter, r *http.Request) {
	id, ok := lastSegment(r, "/v2/resource_keys/")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if ok && (k.ID == id || k.GUID == id || k.CRN == id) {
			writeJSON(w, http.StatusOK, k.json())
			return
		}
	}
	writeRCError(w, http.StatusNotFound, "not_found", "Resource key not found")
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	s.mu.Lock()
	res := []any{}
	for _, k := range s.keys {
		if name == "" || k.Name == name {
			res = append(res, k.json())
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"rows_count": len(res), "resources": res})
}
