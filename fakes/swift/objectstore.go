package swift

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/irconform/irconform/fakes/fault"
)

const (
	containerMetaPrefix       = "X-Container-Meta-"
	removeContainerMetaPrefix = "X-Remove-Container-Meta-"
	objectMetaPrefix          = "X-Object-Meta-"
	defaultListLimit          = 10000 // Swift's container_listing_limit default
	maxObjectSize             = 64 << 20
)

func itoa(n int) string { return strconv.Itoa(n) }

// swiftTimestamp renders X-Timestamp the way Swift does (seconds with 5 decimals).
func swiftTimestamp(t time.Time) string {
	return fmt.Sprintf("%.5f", float64(t.UnixNano())/1e9)
}

// canonicalSuffix canonicalises a metadata name the way it comes out of Go's header map,
// so that Settings keys do not depend on the case a client used.
func canonicalSuffix(k string) string {
	full := textproto.CanonicalMIMEHeaderKey(containerMetaPrefix + k)
	return full[len(containerMetaPrefix):]
}

// swiftError answers in Swift's proxy style: a tiny HTML body, no error code header.
func swiftError(w http.ResponseWriter, status int, detail string) {
	text := http.StatusText(status)
	msg := map[int]string{
		http.StatusNotFound:            "The resource could not be found.",
		http.StatusUnauthorized:        "This server could not verify that you are authorized to access the document you requested.",
		http.StatusForbidden:           "Access was denied to this resource.",
		http.StatusConflict:            "There was a conflict when trying to complete your request.",
		http.StatusUnprocessableEntity: "Unable to process the contained instructions",
	}[status]
	if detail != "" {
		msg = detail
	}
	if msg == "" {
		msg = text
	}
	body := "<html><h1>" + text + "</h1><p>" + msg + "</p></html>"
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Content-Length", itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// serveSwift routes /v1/<account>[/<container>[/<object>]].
func (s *Server) serveSwift(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Trans-Id", s.transID())
	w.Header().Set("X-Openstack-Request-Id", w.Header().Get("X-Trans-Id"))
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/v1/"), "/", 3)
	account := parts[0]
	var cname, oname string
	if len(parts) > 1 {
		cname = parts[1]
	}
	if len(parts) > 2 {
		oname = parts[2]
	}
	_, bulk := r.URL.Query()["bulk-delete"]
	bulk = bulk && cname == "" && (r.Method == http.MethodPost || r.Method == http.MethodDelete)

	op := swiftOp(r.Method, cname, oname)
	if !bulk {
		if rule := s.faults.Before(r.Context(), op, cname, oname); rule != nil {
			swiftError(w, rule.Status, ruleDetail(rule))
			return
		}
	}
	if status := s.checkToken(r, account); status != 0 {
		swiftError(w, status, "")
		return
	}
	switch {
	case bulk:
		s.bulkDelete(w, r)
	case cname == "":
		s.serveAccount(w, r)
	case oname == "":
		s.serveContainer(w, r, cname)
	default:
		s.serveObject(w, r, cname, oname)
	}
}

func ruleDetail(rule *fault.Rule) string {
	d := rule.Message
	if rule.Code != "" {
		if d != "" {
			d = rule.Code + ": " + d
		} else {
			d = rule.Code
		}
	}
	return d
}

func swiftOp(method, cname, oname string) string {
	switch {
	case cname == "" && method == http.MethodPost:
		return fault.OpPutSetting // account metadata
	case cname == "":
		return fault.OpListBuckets
	case oname == "":
		switch method {
		case http.MethodPut:
			return fault.OpCreateBucket
		case http.MethodHead:
			return fault.OpHeadBucket
		case http.MethodGet:
			return fault.OpListObjects
		case http.MethodDelete:
			return fault.OpDeleteBucket
		case http.MethodPost:
			return fault.OpPutSetting
		}
	default:
		switch method {
		case http.MethodPut, http.MethodPost, "COPY":
			return fault.OpPutObject
		case http.MethodGet, http.MethodHead:
			return fault.OpGetObject
		case http.MethodDelete:
			return fault.OpDeleteObject
		}
	}
	return method
}

func (s *Server) transID() string {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	return fmt.Sprintf("tx%021x-%010x", n, time.Now().Unix())
}

// checkToken returns 0 when the request carries a live token for this account, else the
// status Swift would answer (401 unknown/expired token, 403 other account).
func (s *Server) checkToken(r *http.Request, account string) int {
	tok := r.Header.Get("X-Auth-Token")
	if tok == "" {
		tok = r.Header.Get("X-Storage-Token")
	}
	s.mu.Lock()
	t, ok := s.tokens[tok]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expires) {
		return http.StatusUnauthorized
	}
	if t.project == "" || account != "AUTH_"+t.project {
		return http.StatusForbidden
	}
	return 0
}

// wantsJSON: gophercloud asks through the Accept header, other clients with ?format=json.
func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

type listParams struct {
	limit                            int
	marker, endMarker, prefix, delim string
}

func parseList(r *http.Request) (listParams, bool) {
	q := r.URL.Query()
	p := listParams{limit: defaultListLimit, marker: q.Get("marker"), endMarker: q.Get("end_marker"),
		prefix: q.Get("prefix"), delim: q.Get("delimiter")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 || n > defaultListLimit {
			return p, false
		}
		p.limit = n
	}
	return p, true
}

// selectNames applies marker/end_marker/prefix/delimiter/limit to sorted names; a name
// returned with isDir is a "subdir" roll-up.
func (p listParams) selectNames(names []string) (out []string, isDir map[string]bool) {
	isDir = map[string]bool{}
	sort.Strings(names)
	for _, n := range names {
		if len(out) >= p.limit {
			break
		}
		if n <= p.marker || (p.endMarker != "" && n >= p.endMarker) || !strings.HasPrefix(n, p.prefix) {
			continue
		}
		if p.delim != "" {
			if i := strings.Index(n[len(p.prefix):], p.delim); i >= 0 {
				dir := n[:len(p.prefix)+i+len(p.delim)]
				if dir <= p.marker {
					continue
				}
				if !isDir[dir] {
					isDir[dir] = true
					out = append(out, dir)
				}
				continue
			}
		}
		out = append(out, n)
	}
	return out, isDir
}

func writeListing(w http.ResponseWriter, r *http.Request, names []string, entries []any) {
	if wantsJSON(r) {
		if entries == nil {
			entries = []any{}
		}
		writeJSON(w, http.StatusOK, entries)
		return
	}
	if len(names) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body := strings.Join(names, "\n") + "\n"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, body)
}

func (s *Server) accountHeadersLocked(h http.Header) {
	objs, bytes := 0, 0
	for _, c := range s.containers {
		objs += len(c.objects)
		for _, o := range c.objects {
			bytes += len(o.data)
		}
	}
	h.Set("X-Account-Container-Count", itoa(len(s.containers)))
	h.Set("X-Account-Object-Count", itoa(objs))
	h.Set("X-Account-Bytes-Used", itoa(bytes))
	h.Set("X-Timestamp", swiftTimestamp(time.Unix(1700000000, 0)))
	h.Set("Accept-Ranges", "bytes")
}

func (s *Server) serveAccount(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodHead:
		s.mu.Lock()
		s.accountHeadersLocked(w.Header())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		p, ok := parseList(r)
		if !ok {
			swiftError(w, http.StatusPreconditionFailed, "Value of limit must be a positive integer")
			return
		}
		s.mu.Lock()
		s.accountHeadersLocked(w.Header())
		all := make([]string, 0, len(s.containers))
		for n := range s.containers {
			all = append(all, n)
		}
		names, isDir := p.selectNames(all)
		var entries []any
		for _, n := range names {
			if isDir[n] {
				entries = append(entries, map[string]any{"subdir": n})
				continue
			}
			c := s.containers[n]
			size := 0
			for _, o := range c.objects {
				size += len(o.data)
			}
			entries = append(entries, map[string]any{
				"name": n, "count": len(c.objects), "bytes": size,
				"last_modified": c.created.UTC().Format("2006-01-02T15:04:05.000000"),
			})
		}
		s.mu.Unlock()
		writeListing(w, r, names, entries)
	case http.MethodPost:
		w.WriteHeader(http.StatusNoContent) // account metadata is accepted and ignored
	default:
		w.Header().Set("Allow", "HEAD, GET, POST")
		swiftError(w, http.StatusMethodNotAllowed, "")
	}
}

// applyContainerMeta merges X-Container-Meta-* (empty value removes) and
// X-Remove-Container-Meta-* into meta.
func applyContainerMeta(meta map[string]string, h http.Header) {
	for k, v := range h {
		switch {
		case strings.HasPrefix(k, containerMetaPrefix) && len(k) > len(containerMetaPrefix):
			if len(v) == 0 || v[0] == "" {
				delete(meta, k[len(containerMetaPrefix):])
			} else {
				meta[k[len(containerMetaPrefix):]] = v[0]
			}
		case strings.HasPrefix(k, removeContainerMetaPrefix):
			delete(meta, k[len(removeContainerMetaPrefix):])
		}
	}
}

// Models SWIFT-002.
func (s *Server) serveContainer(w http.ResponseWriter, r *http.Request, name string) {
	switch r.Method {
	case http.MethodPut:
		if len(name) > 256 {
			swiftError(w, http.StatusBadRequest, "Container name length of "+itoa(len(name))+" longer than 256")
			return
		}
		s.mu.Lock()
		c, exists := s.containers[name]
		if !exists {
			c = &container{name: name, created: time.Now().UTC(), meta: map[string]string{}, objects: map[string]*object{}}
			s.containers[name] = c
		}
		applyContainerMeta(c.meta, r.Header)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("Content-Length", "0")
		if exists {
			w.WriteHeader(http.StatusAccepted)
		} else {
			w.WriteHeader(http.StatusCreated)
		}
	case http.MethodPost:
		s.mu.Lock()
		c, exists := s.containers[name]
		if exists {
			applyContainerMeta(c.meta, r.Header)
		}
		s.mu.Unlock()
		if !exists {
			swiftError(w, http.StatusNotFound, "")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodHead, http.MethodGet:
		s.mu.Lock()
		c, exists := s.containers[name]
		if !exists {
			s.mu.Unlock()
			swiftError(w, http.StatusNotFound, "")
			return
		}
		h := w.Header()
		size := 0
		for _, o := range c.objects {
			size += len(o.data)
		}
		h.Set("X-Container-Object-Count", itoa(len(c.objects)))
		h.Set("X-Container-Bytes-Used", itoa(size))
		h.Set("X-Timestamp", swiftTimestamp(c.created))
		h.Set("X-Storage-Policy", "Policy-0")
		h.Set("Accept-Ranges", "bytes")
		h.Set("Last-Modified", c.created.Format(http.TimeFormat))
		for k, v := range c.meta {
			h.Set(containerMetaPrefix+k, v)
		}
		if r.Method == http.MethodHead {
			s.mu.Unlock()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		p, ok := parseList(r)
		if !ok {
			s.mu.Unlock()
			swiftError(w, http.StatusPreconditionFailed, "Value of limit must be a positive integer")
			return
		}
		all := make([]string, 0, len(c.objects))
		for n := range c.objects {
			all = append(all, n)
		}
		names, isDir := p.selectNames(all)
		var entries []any
		for _, n := range names {
			if isDir[n] {
				entries = append(entries, map[string]any{"subdir": n})
				continue
			}
			o := c.objects[n]
			entries = append(entries, map[string]any{
				"name": n, "bytes": len(o.data), "hash": o.etag, "content_type": o.contentType,
				"last_modified": o.modified.Format("2006-01-02T15:04:05.000000"),
			})
		}
		s.mu.Unlock()
		writeListing(w, r, names, entries)
	case http.MethodDelete:
		s.mu.Lock()
		c, exists := s.containers[name]
		status := http.StatusNoContent
		switch {
		case !exists:
			status = http.StatusNotFound
		case len(c.objects) > 0:
			status = http.StatusConflict
		default:
			delete(s.containers, name)
		}
		s.mu.Unlock()
		if status != http.StatusNoContent {
			swiftError(w, status, "")
			return
		}
		w.WriteHeader(status)
	default:
		w.Header().Set("Allow", "HEAD, GET, PUT, POST, DELETE")
		swiftError(w, http.StatusMethodNotAllowed, "")
	}
}

func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, cname, oname string) {
	switch r.Method {
	case http.MethodPut:
		if len(oname) > 1024 {
			swiftError(w, http.StatusBadRequest, "Object name length of "+itoa(len(oname))+" longer than 1024")
			return
		}
		data, err := io.ReadAll(io.LimitReader(r.Body, maxObjectSize+1))
		if err != nil {
			swiftError(w, http.StatusRequestTimeout, "")
			return
		}
		if len(data) > maxObjectSize {
			swiftError(w, http.StatusRequestEntityTooLarge, "Your request is too large.")
			return
		}
		meta := map[string]string{}
		for k, v := range r.Header {
			if strings.HasPrefix(k, objectMetaPrefix) && len(v) > 0 && v[0] != "" {
				meta[k[len(objectMetaPrefix):]] = v[0]
			}
		}
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			ct = "application/octet-stream"
		}
		o := newObject(data, ct, meta)
		if want := strings.Trim(r.Header.Get("Etag"), `"`); want != "" && !strings.EqualFold(want, o.etag) {
			swiftError(w, http.StatusUnprocessableEntity, "")
			return
		}
		s.mu.Lock()
		c, exists := s.containers[cname]
		if exists {
			c.objects[oname] = o
		}
		s.mu.Unlock()
		if !exists {
			swiftError(w, http.StatusNotFound, "")
			return
		}
		w.Header().Set("Etag", o.etag)
		w.Header().Set("Last-Modified", o.modified.Format(http.TimeFormat))
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusCreated)
	case http.MethodGet, http.MethodHead:
		s.mu.Lock()
		var o *object
		if c := s.containers[cname]; c != nil {
			o = c.objects[oname]
		}
		s.mu.Unlock()
		if o == nil {
			swiftError(w, http.StatusNotFound, "")
			return
		}
		h := w.Header()
		h.Set("Content-Type", o.contentType)
		h.Set("Etag", o.etag) // Swift sends object ETags unquoted
		h.Set("X-Timestamp", swiftTimestamp(o.modified))
		for k, v := range o.meta {
			h.Set(objectMetaPrefix+k, v)
		}
		// ServeContent handles Range, conditional requests and HEAD; objects are immutable
		// once stored (a PUT replaces the pointer), so reading outside the lock is safe.
		http.ServeContent(w, r, "", o.modified, bytes.NewReader(o.data))
	case http.MethodPost:
		s.mu.Lock()
		var o *object
		if c := s.containers[cname]; c != nil {
			o = c.objects[oname]
			if o != nil {
				// POST replaces all object metadata, as in Swift.
				n := *o
				n.meta = map[string]string{}
				for k, v := range r.Header {
					if strings.HasPrefix(k, objectMetaPrefix) && len(v) > 0 && v[0] != "" {
						n.meta[k[len(objectMetaPrefix):]] = v[0]
					}
				}
				c.objects[oname] = &n
			}
		}
		s.mu.Unlock()
		if o == nil {
			swiftError(w, http.StatusNotFound, "")
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case http.MethodDelete:
		s.mu.Lock()
		found := false
		if c := s.containers[cname]; c != nil {
			_, found = c.objects[oname]
			delete(c.objects, oname)
		}
		s.mu.Unlock()
		if !found {
			swiftError(w, http.StatusNotFound, "")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "HEAD, GET, PUT, POST, DELETE")
		swiftError(w, http.StatusMethodNotAllowed, "")
	}
}

// bulkDelete implements the bulk middleware's delete (POST|DELETE /v1/<acct>?bulk-delete):
// a newline-separated list of URL-encoded "container/object" or "container" paths. The
// answer is always 200; per-item failures go into "Errors" and "Response Status", as Swift
// does. Each item passes the fault injector as its own DeleteObject/DeleteBucket call.
//
// Models STOR-004.
func (s *Server) bulkDelete(w http.ResponseWriter, r *http.Request) {
	type result struct {
		NumberNotFound int        `json:"Number Not Found"`
		ResponseStatus string     `json:"Response Status"`
		Errors         [][]string `json:"Errors"`
		NumberDeleted  int        `json:"Number Deleted"`
		ResponseBody   string     `json:"Response Body"`
	}
	res := result{Errors: [][]string{}, ResponseStatus: "200 OK"}
	worst := 0
	fail := func(path string, status int) {
		res.Errors = append(res.Errors, []string{path, fmt.Sprintf("%d %s", status, http.StatusText(status))})
		if status > worst {
			worst = status
		}
	}
	sc := bufio.NewScanner(io.LimitReader(r.Body, 16<<20))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if n++; n > 10000 {
			fail(line, http.StatusRequestEntityTooLarge)
			break
		}
		path, err := url.PathUnescape(strings.TrimPrefix(line, "/"))
		if err != nil {
			fail(line, http.StatusBadRequest)
			continue
		}
		cname, oname, _ := strings.Cut(path, "/")
		op := fault.OpDeleteObject
		if oname == "" {
			op = fault.OpDeleteBucket
		}
		if rule := s.faults.Before(r.Context(), op, cname, oname); rule != nil {
			fail(line, rule.Status)
			continue
		}
		s.mu.Lock()
		c := s.containers[cname]
		switch {
		case c == nil:
			res.NumberNotFound++
		case oname == "":
			if len(c.objects) > 0 {
				s.mu.Unlock()
				fail(line, http.StatusConflict)
				continue
			}
			delete(s.containers, cname)
			res.NumberDeleted++
		default:
			if _, ok := c.objects[oname]; ok {
				delete(c.objects, oname)
				res.NumberDeleted++
			} else {
				res.NumberNotFound++
			}
		}
		s.mu.Unlock()
	}
	if worst != 0 {
		// Swift reports 400 when some items failed with client errors, else the worst status.
		if worst < 500 {
			worst = http.StatusBadRequest
		}
		res.ResponseStatus = fmt.Sprintf("%d %s", worst, http.StatusText(worst))
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, res)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Number Deleted: %d\nNumber Not Found: %d\nResponse Body: \nResponse Status: %s\nErrors:\n",
		res.NumberDeleted, res.NumberNotFound, res.ResponseStatus)
	for _, e := range res.Errors {
		fmt.Fprintf(&b, "%s, %s\n", e[0], e[1])
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, b.String())
}
