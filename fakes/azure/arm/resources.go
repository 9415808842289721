package armfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// armError answers in ARM's error format ({"error":{"code","message"}}, x-ms-error-code).
func armError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Ms-Error-Code", code)
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	first, rest, _ := strings.Cut(path, "/")
	if !strings.EqualFold(first, "subscriptions") {
		s.serveEntra(w, r, first, rest)
		return
	}
	s.serveARM(w, r, strings.Split(path, "/"))
}

// call is one parsed ARM request.
type call struct {
	group     string
	namespace string
	segs      []string // type, name, type, name, ... [, action or collection type]
}

func (c call) kind() string {
	for i := len(c.segs) - 1; i >= 0; i-- {
		if i%2 == 0 {
			if k, ok := kinds[strings.ToLower(c.segs[i])]; ok {
				return k
			}
			return c.segs[i]
		}
	}
	return ""
}

// typeName is the ARM type of the resource segs name (segs of even length).
func (c call) typeName(segs []string) string {
	t := c.namespace
	for i := 0; i < len(segs); i += 2 {
		t += "/" + segs[i]
	}
	return t
}

func (s *Server) serveARM(w http.ResponseWriter, r *http.Request, parts []string) {
	// parts: subscriptions, <sub>, ...
	if len(parts) < 2 || !strings.EqualFold(parts[1], s.SubscriptionID) {
		sub := ""
		if len(parts) > 1 {
			sub = parts[1]
		}
		armError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", sub))
		return
	}
	// Subscription-level: providers/Microsoft.Storage/checkNameAvailability.
	if len(parts) == 5 && strings.EqualFold(parts[2], "providers") && strings.EqualFold(parts[4], "checkNameAvailability") {
		if !s.authorized(w, r, OpCheckNameAvailability, "") {
			return
		}
		s.checkNameAvailability(w, r)
		return
	}
	if len(parts) < 7 || !strings.EqualFold(parts[2], "resourceGroups") || !strings.EqualFold(parts[4], "providers") {
		armError(w, http.StatusBadRequest, "InvalidResourceType", "The fake does not serve "+r.URL.Path)
		return
	}
	c := call{group: parts[3], namespace: parts[5], segs: parts[6:]}
	name := ""
	if len(c.segs)%2 == 0 {
		name = c.segs[len(c.segs)-1]
	} else if len(c.segs) > 1 {
		name = c.segs[len(c.segs)-2]
	}
	op := ""
	switch {
	case len(c.segs)%2 == 1 && r.Method == http.MethodPost && strings.EqualFold(c.segs[len(c.segs)-1], "listKeys"):
		op = OpListKeys
	case len(c.segs)%2 == 1 && r.Method == http.MethodGet:
		op, name = OpList+c.kind(), ""
	case r.Method == http.MethodPut:
		op = OpCreate + c.kind()
	case r.Method == http.MethodGet:
		op = OpGet + c.kind()
	case r.Method == http.MethodPatch:
		op = OpUpdate + c.kind()
	case r.Method == http.MethodDelete:
		op = OpDelete + c.kind()
	default:
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The fake does not serve "+r.Method+" "+r.URL.Path)
		return
	}
	if !s.authorized(w, r, op, name) {
		return
	}
	s.mu.Lock()
	groupExists := s.groups[strings.ToLower(c.group)]
	s.mu.Unlock()
	if !groupExists {
		armError(w, http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", c.group))
		return
	}
	id := "/" + strings.Join(parts, "/")
	switch {
	case op == OpListKeys:
		s.listKeys(w, c, strings.TrimSuffix(id, "/"+c.segs[len(c.segs)-1]))
	case strings.HasPrefix(op, OpList):
		s.list(w, c, id)
	case r.Method == http.MethodPut:
		s.createOrUpdate(w, r, c, id)
	case r.Method == http.MethodGet:
		s.get(w, c, id)
	case r.Method == http.MethodPatch:
		s.update(w, r, c, id)
	case r.Method == http.MethodDelete:
		s.delete(w, id)
	}
}

// authorized records the call, applies faults and checks the bearer token.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, op, name string) bool {
	if rule := s.faults.Before(r.Context(), op, name, ""); rule != nil {
		code, msg := rule.Code, rule.Message
		if code == "" {
			code = map[int]string{400: "BadRequest", 403: "AuthorizationFailed", 404: "ResourceNotFound", 409: "Conflict", 429: "TooManyRequests"}[rule.Status]
			if code == "" {
				code = "InternalServerError"
			}
		}
		if msg == "" {
			msg = http.StatusText(rule.Status)
		}
		armError(w, rule.Status, code, msg)
		return false
	}
	if !s.tokenValid(r) {
		armError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return false
	}
	return true
}

func notFound(w http.ResponseWriter, c call, typ, name string) {
	armError(w, http.StatusNotFound, "ResourceNotFound",
		fmt.Sprintf("The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", typ, name, c.group))
}

// body is a resource's JSON: the common fields, its extra top-level fields, properties.
func body(r *Resource) map[string]any {
	out := map[string]any{"id": r.ID, "name": r.Name, "type": r.Type}
	for k, v := range r.Extra {
		out[k] = v
	}
	if r.Location != "" {
		out["location"] = r.Location
	}
	if r.Tags != nil {
		out["tags"] = r.Tags
	}
	if r.Properties != nil {
		out["properties"] = r.Properties
	}
	return out
}

func (s *Server) get(w http.ResponseWriter, c call, id string) {
	s.mu.Lock()
	res, ok := s.resources[strings.ToLower(id)]
	var b map[string]any
	if ok {
		b = body(res)
	}
	s.mu.Unlock()
	if !ok {
		notFound(w, c, c.typeName(c.segs), c.segs[len(c.segs)-1])
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// list answers the direct children of type c.segs[last] under the parent (the group, or a
// resource for subnets and record sets).
func (s *Server) list(w http.ResponseWriter, c call, id string) {
	prefix := strings.ToLower(id) + "/"
	s.mu.Lock()
	values := []any{}
	for key, res := range s.resources {
		if strings.HasPrefix(key, prefix) && !strings.Contains(strings.TrimPrefix(key, prefix), "/") {
			values = append(values, body(res))
		}
	}
	s.mu.Unlock()
	sortByID(values)
	writeJSON(w, http.StatusOK, map[string]any{"value": values})
}

func sortByID(values []any) {
	for i := 1; i < len(values); i++ {
		for j := i; j > 0 && values[j].(map[string]any)["id"].(string) < values[j-1].(map[string]any)["id"].(string); j-- {
			values[j], values[j-1] = values[j-1], values[j]
		}
	}
}

type putBody struct {
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Kind       any               `json:"kind,omitempty"`
	SKU        any               `json:"sku,omitempty"`
	Properties map[string]any    `json:"properties"`
}

func readBody(w http.ResponseWriter, r *http.Request) (putBody, bool) {
	var b putBody
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(data) > 0 {
		err = json.Unmarshal(data, &b)
	}
	if err != nil {
		armError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: "+err.Error())
		return b, false
	}
	return b, true
}

func (s *Server) exists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.resources[strings.ToLower(id)]
	return ok
}

// createOrUpdate is PUT: the resource as given, plus what Azure adds per type.
func (s *Server) createOrUpdate(w http.ResponseWriter, r *http.Request, c call, id string) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	name := c.segs[len(c.segs)-1]
	if len(c.segs) >= 4 {
		// A child: its parent must exist.
		if parent := strings.TrimSuffix(id, "/"+c.segs[len(c.segs)-2]+"/"+name); !s.exists(parent) {
			notFound(w, c, c.typeName(c.segs[:len(c.segs)-2]), c.segs[len(c.segs)-3])
			return
		}
	}
	res := &Resource{ID: id, Type: c.typeName(c.segs), Name: name, ResourceGroup: c.group, Location: b.Location, Tags: b.Tags,
		Properties: b.Properties, Extra: map[string]any{}}
	if res.Properties == nil {
		res.Properties = map[string]any{}
	}
	if b.Kind != nil {
		res.Extra["kind"] = b.Kind
	}
	if b.SKU != nil {
		res.Extra["sku"] = b.SKU
	}
	res.Properties["provisioningState"] = "Succeeded"
	switch {
	case strings.EqualFold(res.Type, TypeStorageAccount):
		if !accountNameRE.MatchString(name) {
			armError(w, http.StatusBadRequest, "AccountNameInvalid",
				fmt.Sprintf("%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", name))
			return
		}
		if s.exists(id) {
			s.mu.Lock()
			old := s.resources[strings.ToLower(id)]
			res.Properties["primaryEndpoints"] = old.Properties["primaryEndpoints"]
			s.resources[strings.ToLower(id)] = res
			s.mu.Unlock()
		} else if taken, _ := s.nameTaken(name); taken {
			armError(w, http.StatusConflict, "StorageAccountAlreadyTaken", fmt.Sprintf("The storage account named %s is already taken.", name))
			return
		} else if err := s.createAccount(res); err != nil {
			armError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
			return
		}
		writeJSON(w, http.StatusOK, body(res))
		return
	case strings.EqualFold(res.Type, TypePrivateEndpoint):
		if msg, ok := s.privateEndpointRefsExist(res); !ok {
			armError(w, http.StatusBadRequest, "InvalidResourceReference", msg)
			return
		}
		s.addNetworkInterface(res)
	case strings.EqualFold(res.Type, TypeVirtualNetworkLink):
		if vnet, _ := res.Properties["virtualNetwork"].(map[string]any); vnet == nil || !s.exists(fmt.Sprint(vnet["id"])) {
			armError(w, http.StatusBadRequest, "InvalidResourceReference", "Virtual network referenced by the link does not exist.")
			return
		}
	}
	s.put(res)
	writeJSON(w, http.StatusOK, body(res))
}

// privateEndpointRefsExist checks the subnet and the private link resource (the storage
// account) a private endpoint names.
func (s *Server) privateEndpointRefsExist(pe *Resource) (string, bool) {
	subnet, _ := pe.Properties["subnet"].(map[string]any)
	if subnet == nil || !s.exists(fmt.Sprint(subnet["id"])) {
		return fmt.Sprintf("Resource %v referenced by resource %s was not found.", subnet["id"], pe.ID), false
	}
	conns, _ := pe.Properties["privateLinkServiceConnections"].([]any)
	for _, c := range conns {
		cm, _ := c.(map[string]any)
		props, _ := cm["properties"].(map[string]any)
		if target := fmt.Sprint(props["privateLinkServiceId"]); !s.exists(target) {
			return fmt.Sprintf("Resource %s referenced by resource %s was not found.", target, pe.ID), false
		}
	}
	return "", true
}

// addNetworkInterface (Models AZ-009) is what Azure does for a new private endpoint: a NIC in the same
// group (named customNetworkInterfaceName when given) with a private IP.
func (s *Server) addNetworkInterface(pe *Resource) {
	nicName, _ := pe.Properties["customNetworkInterfaceName"].(string)
	if nicName == "" {
		nicName = pe.Name + ".nic.0"
	}
	nicID := s.ResourceID(pe.ResourceGroup, "Microsoft.Network", "networkInterfaces", nicName)
	s.mu.Lock()
	s.nextIP++
	ip := fmt.Sprintf("10.0.0.%d", s.nextIP)
	s.mu.Unlock()
	s.put(&Resource{ID: nicID, Type: TypeNetworkInterface, Name: nicName, ResourceGroup: pe.ResourceGroup, Location: pe.Location,
		Properties: map[string]any{"provisioningState": "Succeeded", "ipConfigurations": []any{map[string]any{
			"name": "privateEndpointIpConfig", "properties": map[string]any{"privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic"}}}}})
	pe.Properties["networkInterfaces"] = []any{map[string]any{"id": nicID}}
}

// update is PATCH: tags replaced when given, properties merged key by key.
func (s *Server) update(w http.ResponseWriter, r *http.Request, c call, id string) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	res, found := s.resources[strings.ToLower(id)]
	if found {
		if b.Tags != nil {
			res.Tags = b.Tags
		}
		for k, v := range b.Properties {
			res.Properties[k] = v
		}
	}
	var out map[string]any
	if found {
		out = body(res)
	}
	s.mu.Unlock()
	if !found {
		notFound(w, c, c.typeName(c.segs), c.segs[len(c.segs)-1])
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// delete (Models AZ-011, AZ-012) removes the resource and its children (a private endpoint also its NIC, an
// account its blob service): 200 when it existed, 204 when it did not (as ARM).
func (s *Server) delete(w http.ResponseWriter, id string) {
	key := strings.ToLower(id)
	s.mu.Lock()
	res, found := s.resources[key]
	if found {
		for k := range s.resources {
			if k == key || strings.HasPrefix(k, key+"/") {
				delete(s.resources, k)
			}
		}
		if strings.EqualFold(res.Type, TypePrivateEndpoint) {
			if nics, _ := res.Properties["networkInterfaces"].([]any); len(nics) > 0 {
				nic, _ := nics[0].(map[string]any)
				delete(s.resources, strings.ToLower(fmt.Sprint(nic["id"])))
			}
		}
		if strings.EqualFold(res.Type, TypeStorageAccount) {
			if b := s.blobs[res.Name]; b != nil {
				_ = b.Close()
			}
			delete(s.blobs, res.Name)
			delete(s.keys, res.Name)
		}
	}
	s.mu.Unlock()
	if !found {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) listKeys(w http.ResponseWriter, c call, accountID string) {
	s.mu.Lock()
	res, found := s.resources[strings.ToLower(accountID)]
	var keys [2]string
	if found {
		keys = s.keys[res.Name]
	}
	s.mu.Unlock()
	if !found {
		notFound(w, c, TypeStorageAccount, c.segs[1])
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{
		map[string]any{"keyName": "key1", "value": keys[0], "permissions": "FULL"},
		map[string]any{"keyName": "key2", "value": keys[1], "permissions": "FULL"},
	}})
}

// nameTaken: storage account names are global; reserved prefixes stand for other tenants'.
func (s *Server) nameTaken(name string) (taken bool, ours bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, res := range s.resources {
		if strings.EqualFold(res.Type, TypeStorageAccount) && res.Name == name {
			return true, true
		}
	}
	for _, p := range s.reserved {
		if strings.HasPrefix(name, p) {
			return true, false
		}
	}
	return false, false
}

func (s *Server) checkNameAvailability(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	data, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(data, &b); err != nil || b.Name == "" {
		armError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized.")
		return
	}
	if !accountNameRE.MatchString(b.Name) {
		writeJSON(w, http.StatusOK, map[string]any{"nameAvailable": false, "reason": "AccountNameInvalid",
			"message": fmt.Sprintf("%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", b.Name)})
		return
	}
	if taken, _ := s.nameTaken(b.Name); taken {
		writeJSON(w, http.StatusOK, map[string]any{"nameAvailable": false, "reason": "AlreadyExists",
			"message": fmt.Sprintf("The storage account named %s is already taken.", b.Name)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"nameAvailable": true})
}
