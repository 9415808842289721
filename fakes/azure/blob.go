package azure

// Metadata names: Go's HTTP server canonicalises header names, so the case a client used
// for x-ms-meta-<name> is lost; names are stored and returned in canonical form
// ("x-ms-meta-owner" → "Owner"). Clients reading metadata from response headers see that
// form from real Azure too (Go's client canonicalises); only XML listings with
// include=metadata can differ in case from Azure/Azurite.

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/irconform/irconform/fakes/fault"
)

const (
	metaPrefix     = "X-Ms-Meta-"
	maxBlobSize    = 256 << 20
	defaultMaxList = 5000
	serviceVersion = "2025-11-05" // answered when the client sent no x-ms-version
)

var containerNameRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$`)

func validContainerName(n string) bool { return containerNameRE.MatchString(n) && len(n) <= 63 }

func canonicalMetaName(k string) string {
	full := textproto.CanonicalMIMEHeaderKey(metaPrefix + k)
	return full[len(metaPrefix):]
}

// azError answers in the Blob service's error format: XML body and x-ms-error-code header.
func azError(w http.ResponseWriter, r *http.Request, status int, code, msg, detail string) {
	reqID := w.Header().Get("X-Ms-Request-Id")
	type errXML struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
		Detail  string   `xml:"AuthenticationErrorDetail,omitempty"`
	}
	body, _ := xml.Marshal(errXML{Code: code, Detail: detail,
		Message: fmt.Sprintf("%s\nRequestId:%s\nTime:%s", msg, reqID, time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z"))})
	w.Header().Set("X-Ms-Error-Code", code)
	w.Header().Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(body)
}

// Service error codes and messages used by the fake (from the Blob service error list).
var (
	errContainerExists   = azErr{409, "ContainerAlreadyExists", "The specified container already exists."}
	errContainerNotFound = azErr{404, "ContainerNotFound", "The specified container does not exist."}
	errBlobNotFound      = azErr{404, "BlobNotFound", "The specified blob does not exist."}
	errInvalidName       = azErr{400, "InvalidResourceName", "The specifed resource name contains invalid characters."}
	errAuthFailed        = azErr{403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."}
	errAnonymous         = azErr{403, "AuthorizationFailure", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."}
	errUnsupported       = azErr{400, "UnsupportedHttpVerb", "The resource doesn't support specified Http Verb."}
	errInvalidQuery      = azErr{400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid."}
	errInvalidBlobType   = azErr{400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format."}
	errTooLarge          = azErr{413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit."}
	errMD5Mismatch       = azErr{400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server."}
	errInvalidRange      = azErr{416, "InvalidRange", "The range specified is invalid for the current size of the resource."}
	errInvalidBlockList  = azErr{400, "InvalidBlockList", "The specified block list is invalid."}
	errInvalidXML        = azErr{400, "InvalidXmlDocument", "XML specified is not syntactically valid."}
	errAccountNotFound   = azErr{400, "InvalidUri", "The requested URI does not represent any resource on the server."}
)

type azErr struct {
	status        int
	code, message string
}

func (e azErr) write(w http.ResponseWriter, r *http.Request) {
	azError(w, r, e.status, e.code, e.message, "")
}

// faultCode picks the Blob service's usual code for an injected status.
func faultCode(status int) (string, string) {
	switch status {
	case 500:
		return "InternalError", "Server encountered an internal error. Please try again after some time."
	case 503:
		return "ServerBusy", "The server is currently unable to receive requests. Please retry your request."
	case 403:
		return "AuthorizationFailure", "This request is not authorized to perform this operation."
	case 404:
		return "ResourceNotFound", "The specified resource does not exist."
	case 409:
		return "OperationNotAllowedInCurrentState", "The operation is not allowed in the current state."
	case 412:
		return "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met."
	case 429:
		return "ServerBusy", "Operations per second is over the account limit."
	case 400:
		return "InvalidInput", "One of the request inputs is not valid."
	}
	return strings.ReplaceAll(http.StatusText(status), " ", ""), http.StatusText(status)
}

func (s *Server) nextETag() string {
	s.seq++
	return fmt.Sprintf("\"0x%X\"", uint64(time.Now().UnixNano())+s.seq)
}

func (s *Server) newContainerLocked(name string, meta map[string]string) *container {
	if meta == nil {
		meta = map[string]string{}
	}
	return &container{name: name, modified: time.Now().UTC(), etag: s.nextETag(), meta: meta,
		blobs: map[string]*blob{}, staged: map[string]map[string][]byte{}}
}

func (s *Server) newBlobLocked(data []byte, contentType string, meta map[string]string) *blob {
	sum := md5.Sum(data)
	if meta == nil {
		meta = map[string]string{}
	}
	now := time.Now().UTC()
	return &blob{data: data, contentType: contentType, md5: sum[:], etag: s.nextETag(), created: now, modified: now, meta: meta}
}

func metaFrom(h http.Header) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		if strings.HasPrefix(k, metaPrefix) && len(k) > len(metaPrefix) && len(v) > 0 {
			m[k[len(metaPrefix):]] = v[0]
		}
	}
	return m
}

func setMeta(h http.Header, m map[string]string) {
	for k, v := range m {
		h.Set(metaPrefix+k, v)
	}
}

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// op maps a request to the shared fault op names.
func op(r *http.Request, cname, bname string) string {
	q := r.URL.Query()
	comp, restype := q.Get("comp"), q.Get("restype")
	switch {
	case cname == "":
		if comp == "list" {
			return fault.OpListBuckets
		}
		if r.Method == http.MethodPut {
			return fault.OpPutSetting
		}
		return fault.OpGetSetting
	case bname == "" && restype == "container":
		switch {
		case comp == "list":
			return fault.OpListObjects
		case comp != "" && r.Method == http.MethodPut:
			return fault.OpPutSetting
		case comp != "":
			return fault.OpGetSetting
		case r.Method == http.MethodPut:
			return fault.OpCreateBucket
		case r.Method == http.MethodDelete:
			return fault.OpDeleteBucket
		default:
			return fault.OpHeadBucket
		}
	case bname != "":
		switch r.Method {
		case http.MethodPut:
			return fault.OpPutObject
		case http.MethodDelete:
			return fault.OpDeleteObject
		default:
			return fault.OpGetObject
		}
	}
	return r.Method
}

// ServeHTTP serves path-style requests (/<account>/<container>/<blob>, as on the fake's own
// listener and Azurite) and host-style ones (<account>.blob.<suffix>/<container>/<blob>, as
// Azure serves them and as they arrive through a TLS front, fakes/front).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r) }

// hostStyleAccount is the account a host-style blob host names ("acct.blob.core.windows.net"
// → "acct"), "" for any other host.
func hostStyleAccount(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	labels := strings.Split(strings.ToLower(host), ".")
	if len(labels) >= 3 && labels[1] == "blob" && net.ParseIP(host) == nil {
		return labels[0]
	}
	return ""
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// signed is the request as the client signed it: with host-style URLs the canonical
	// resource is /<account><path>, the path without the account.
	signed := r
	if acct := hostStyleAccount(r.Host); acct != "" {
		r = r.Clone(r.Context())
		r.URL.Path = "/" + acct + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = "/" + acct + r.URL.RawPath
		}
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	h := w.Header()
	h.Set("X-Ms-Request-Id", fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:]))
	v := r.Header.Get("X-Ms-Version")
	if v == "" {
		v = serviceVersion
	}
	h.Set("X-Ms-Version", v)
	h.Set("Server", "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0")
	if c := r.Header.Get("X-Ms-Client-Request-Id"); c != "" {
		h.Set("X-Ms-Client-Request-Id", c)
	}

	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3)
	account := parts[0]
	var cname, bname string
	if len(parts) > 1 {
		cname = parts[1]
	}
	if len(parts) > 2 {
		bname = parts[2]
	}
	if rule := s.faults.Before(r.Context(), op(r, cname, bname), cname, bname); rule != nil {
		code, msg := faultCode(rule.Status)
		if rule.Code != "" {
			code = rule.Code
		}
		if rule.Message != "" {
			msg = rule.Message
		}
		azError(w, r, rule.Status, code, msg, "")
		return
	}
	if account != s.AccountName {
		errAccountNotFound.write(w, r)
		return
	}
	if !s.anyKey && r.Header.Get("Authorization") == "" {
		// Anonymous request: no container is public-readable in a way the fake models;
		// Azurite 3.37 answers every such request with 403 AuthorizationFailure.
		errAnonymous.write(w, r)
		return
	}
	if !s.anyKey {
		if ok, detail := verifySharedKey(signed, s.AccountName, s.key); !ok {
			azError(w, r, errAuthFailed.status, errAuthFailed.code, errAuthFailed.message, detail)
			return
		}
	}
	q := r.URL.Query()
	switch {
	case cname == "":
		s.serveService(w, r, q)
	case bname == "" && q.Get("restype") == "container":
		s.serveContainer(w, r, q, cname)
	case bname == "":
		// A container URL without restype=container addresses a blob in $root.
		errContainerNotFound.write(w, r)
	default:
		s.serveBlob(w, r, q, cname, bname)
	}
}

func (s *Server) serveService(w http.ResponseWriter, r *http.Request, q url.Values) {
	switch {
	case r.Method == http.MethodGet && q.Get("comp") == "list":
		s.listContainers(w, r, q)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && q.Get("comp") == "properties" && q.Get("restype") == "account":
		w.Header().Set("X-Ms-Sku-Name", "Standard_LRS")
		w.Header().Set("X-Ms-Account-Kind", "StorageV2")
		w.Header().Set("X-Ms-Is-Hns-Enabled", "false")
		w.WriteHeader(http.StatusOK)
	default:
		errInvalidQuery.write(w, r)
	}
}

func (s *Server) serveContainer(w http.ResponseWriter, r *http.Request, q url.Values, name string) {
	if !validContainerName(name) {
		errInvalidName.write(w, r)
		return
	}
	comp := q.Get("comp")
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.containers[name]
	switch {
	case r.Method == http.MethodPut && comp == "":
		if c != nil {
			errContainerExists.write(w, r)
			return
		}
		c = s.newContainerLocked(name, metaFrom(r.Header))
		c.publicAccess = r.Header.Get("X-Ms-Blob-Public-Access")
		s.containers[name] = c
		w.Header().Set("ETag", c.etag)
		w.Header().Set("Last-Modified", httpDate(c.modified))
		w.WriteHeader(http.StatusCreated)
		return
	case c == nil:
		errContainerNotFound.write(w, r)
		return
	}
	switch {
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && (comp == "" || comp == "metadata"):
		h := w.Header()
		h.Set("ETag", c.etag)
		h.Set("Last-Modified", httpDate(c.modified))
		setMeta(h, c.meta)
		if comp == "" {
			h.Set("X-Ms-Lease-Status", "unlocked")
			h.Set("X-Ms-Lease-State", "available")
			h.Set("X-Ms-Has-Immutability-Policy", "false")
			h.Set("X-Ms-Has-Legal-Hold", "false")
			h.Set("X-Ms-Default-Encryption-Scope", "$account-encryption-key")
			h.Set("X-Ms-Deny-Encryption-Scope-Override", "false")
			if c.publicAccess != "" {
				h.Set("X-Ms-Blob-Public-Access", c.publicAccess)
			}
		}
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPut && comp == "metadata":
		c.meta = metaFrom(r.Header)
		c.etag, c.modified = s.nextETag(), time.Now().UTC()
		w.Header().Set("ETag", c.etag)
		w.Header().Set("Last-Modified", httpDate(c.modified))
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPut && comp == "acl":
		c.publicAccess = r.Header.Get("X-Ms-Blob-Public-Access")
		c.etag, c.modified = s.nextETag(), time.Now().UTC()
		w.Header().Set("ETag", c.etag)
		w.Header().Set("Last-Modified", httpDate(c.modified))
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet && comp == "acl":
		w.Header().Set("ETag", c.etag)
		w.Header().Set("Last-Modified", httpDate(c.modified))
		if c.publicAccess != "" {
			w.Header().Set("X-Ms-Blob-Public-Access", c.publicAccess)
		}
		writeXML(w, []byte("<SignedIdentifiers />"))
	case r.Method == http.MethodGet && comp == "list":
		s.listBlobsLocked(w, r, q, c)
	case r.Method == http.MethodDelete && comp == "":
		delete(s.containers, name)
		w.WriteHeader(http.StatusAccepted)
	default:
		errUnsupported.write(w, r)
	}
}

func writeXML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(body)
}

// metaXML renders metadata as <Metadata><name>value</name>...</Metadata>.
type metaXML map[string]string

func (m metaXML) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := e.EncodeElement(m[k], xml.StartElement{Name: xml.Name{Local: k}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type listing struct {
	prefix, marker, delim string
	max                   int
	withMeta              bool
}

func parseListing(q url.Values) (listing, bool) {
	l := listing{prefix: q.Get("prefix"), marker: q.Get("marker"), delim: q.Get("delimiter"), max: defaultMaxList}
	if m := q.Get("maxresults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 {
			return l, false
		}
		if n < defaultMaxList {
			l.max = n
		}
	}
	for _, inc := range strings.Split(q.Get("include"), ",") {
		if inc == "metadata" {
			l.withMeta = true
		}
	}
	return l, true
}

// page picks up to max names ≥ marker with the prefix; the continuation marker is the next
// name (opaque to clients, as Azure's is).
func (l listing) page(names []string, rollup func(string) (string, bool)) (out []string, next string) {
	sort.Strings(names)
	seen := map[string]bool{}
	for _, n := range names {
		if n < l.marker || !strings.HasPrefix(n, l.prefix) {
			continue
		}
		if rollup != nil {
			if d, ok := rollup(n); ok {
				if seen[d] || d < l.marker {
					continue
				}
				seen[d] = true
				n = d
			}
		}
		if len(out) == l.max {
			return out, n
		}
		out = append(out, n)
	}
	return out, ""
}

func (s *Server) listContainers(w http.ResponseWriter, r *http.Request, q url.Values) {
	l, ok := parseListing(q)
	if !ok {
		errInvalidQuery.write(w, r)
		return
	}
	type props struct {
		LastModified string `xml:"Last-Modified"`
		Etag         string `xml:"Etag"`
		LeaseStatus  string `xml:"LeaseStatus"`
		LeaseState   string `xml:"LeaseState"`
		PublicAccess string `xml:"PublicAccess,omitempty"`
		Immutability bool   `xml:"HasImmutabilityPolicy"`
		LegalHold    bool   `xml:"HasLegalHold"`
	}
	type item struct {
		Name       string  `xml:"Name"`
		Properties props   `xml:"Properties"`
		Metadata   metaXML `xml:"Metadata,omitempty"`
	}
	type result struct {
		XMLName    xml.Name `xml:"EnumerationResults"`
		Endpoint   string   `xml:"ServiceEndpoint,attr"`
		Prefix     string   `xml:"Prefix,omitempty"`
		Marker     string   `xml:"Marker,omitempty"`
		MaxResults string   `xml:"MaxResults,omitempty"`
		Containers struct {
			Items []item `xml:"Container"`
		} `xml:"Containers"`
		NextMarker string `xml:"NextMarker"`
	}
	res := result{Endpoint: s.Endpoint, Prefix: l.prefix, Marker: l.marker, MaxResults: q.Get("maxresults")}
	s.mu.Lock()
	names := make([]string, 0, len(s.containers))
	for n := range s.containers {
		names = append(names, n)
	}
	page, next := l.page(names, nil)
	for _, n := range page {
		c := s.containers[n]
		it := item{Name: n, Properties: props{LastModified: httpDate(c.modified), Etag: c.etag,
			LeaseStatus: "unlocked", LeaseState: "available", PublicAccess: c.publicAccess}}
		if l.withMeta {
			it.Metadata = metaXML(c.meta)
		}
		res.Containers.Items = append(res.Containers.Items, it)
	}
	s.mu.Unlock()
	res.NextMarker = next
	body, _ := xml.Marshal(res)
	writeXML(w, body)
}

func (s *Server) listBlobsLocked(w http.ResponseWriter, r *http.Request, q url.Values, c *container) {
	l, ok := parseListing(q)
	if !ok {
		errInvalidQuery.write(w, r)
		return
	}
	type props struct {
		Created      string `xml:"Creation-Time"`
		LastModified string `xml:"Last-Modified"`
		Etag         string `xml:"Etag"`
		Length       int    `xml:"Content-Length"`
		ContentType  string `xml:"Content-Type"`
		Encoding     string `xml:"Content-Encoding"`
		Language     string `xml:"Content-Language"`
		MD5          string `xml:"Content-MD5"`
		Disposition  string `xml:"Content-Disposition"`
		CacheControl string `xml:"Cache-Control"`
		BlobType     string `xml:"BlobType"`
		AccessTier   string `xml:"AccessTier"`
		TierInferred bool   `xml:"AccessTierInferred"`
		LeaseStatus  string `xml:"LeaseStatus"`
		LeaseState   string `xml:"LeaseState"`
		Encrypted    bool   `xml:"ServerEncrypted"`
	}
	type item struct {
		Name       string  `xml:"Name"`
		Properties props   `xml:"Properties"`
		Metadata   metaXML `xml:"Metadata,omitempty"`
	}
	type prefix struct {
		Name string `xml:"Name"`
	}
	type result struct {
		XMLName    xml.Name `xml:"EnumerationResults"`
		Endpoint   string   `xml:"ServiceEndpoint,attr"`
		Container  string   `xml:"ContainerName,attr"`
		Prefix     string   `xml:"Prefix,omitempty"`
		Marker     string   `xml:"Marker,omitempty"`
		MaxResults string   `xml:"MaxResults,omitempty"`
		Delimiter  string   `xml:"Delimiter,omitempty"`
		Blobs      struct {
			Items    []item   `xml:"Blob"`
			Prefixes []prefix `xml:"BlobPrefix"`
		} `xml:"Blobs"`
		NextMarker string `xml:"NextMarker"`
	}
	res := result{Endpoint: s.Endpoint, Container: c.name, Prefix: l.prefix, Marker: l.marker,
		MaxResults: q.Get("maxresults"), Delimiter: l.delim}
	names := make([]string, 0, len(c.blobs))
	for n := range c.blobs {
		names = append(names, n)
	}
	var rollup func(string) (string, bool)
	if l.delim != "" {
		rollup = func(n string) (string, bool) {
			if i := strings.Index(n[len(l.prefix):], l.delim); i >= 0 {
				return n[:len(l.prefix)+i+len(l.delim)], true
			}
			return "", false
		}
	}
	page, next := l.page(names, rollup)
	for _, n := range page {
		b, ok := c.blobs[n]
		if !ok {
			res.Blobs.Prefixes = append(res.Blobs.Prefixes, prefix{Name: n})
			continue
		}
		it := item{Name: n, Properties: props{
			Created: httpDate(b.created), LastModified: httpDate(b.modified), Etag: b.etag,
			Length: len(b.data), ContentType: b.contentType, Encoding: b.encoding, Language: b.language,
			MD5: base64.StdEncoding.EncodeToString(b.md5), Disposition: b.disposition, CacheControl: b.cacheCtl,
			BlobType: "BlockBlob", AccessTier: "Hot", TierInferred: true,
			LeaseStatus: "unlocked", LeaseState: "available", Encrypted: true,
		}}
		if l.withMeta {
			it.Metadata = metaXML(b.meta)
		}
		res.Blobs.Items = append(res.Blobs.Items, it)
	}
	res.NextMarker = next
	body, _ := xml.Marshal(res)
	writeXML(w, body)
}

func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, q url.Values, cname, bname string) {
	if !validContainerName(cname) {
		errInvalidName.write(w, r)
		return
	}
	comp := q.Get("comp")
	var data []byte
	if r.Method == http.MethodPut {
		var err error
		data, err = io.ReadAll(io.LimitReader(r.Body, maxBlobSize+1))
		if err != nil {
			errInvalidQuery.write(w, r)
			return
		}
		if len(data) > maxBlobSize {
			errTooLarge.write(w, r)
			return
		}
		if want := r.Header.Get("Content-Md5"); want != "" {
			sum := md5.Sum(data)
			if want != base64.StdEncoding.EncodeToString(sum[:]) {
				errMD5Mismatch.write(w, r)
				return
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.containers[cname]
	if c == nil {
		errContainerNotFound.write(w, r)
		return
	}
	b := c.blobs[bname]
	switch {
	case r.Method == http.MethodPut && comp == "":
		if t := r.Header.Get("X-Ms-Blob-Type"); t != "BlockBlob" {
			errInvalidBlobType.write(w, r)
			return
		}
		nb := s.newBlobLocked(data, r.Header.Get("X-Ms-Blob-Content-Type"), metaFrom(r.Header))
		s.setBlobHeadersFrom(nb, r.Header)
		if b != nil {
			nb.created = b.created
		}
		c.blobs[bname] = nb
		delete(c.staged, bname)
		writeBlobWritten(w, nb, true)
	case r.Method == http.MethodPut && comp == "block":
		id := q.Get("blockid")
		if id == "" {
			errInvalidQuery.write(w, r)
			return
		}
		if c.staged[bname] == nil {
			c.staged[bname] = map[string][]byte{}
		}
		c.staged[bname][id] = data
		sum := md5.Sum(data)
		w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		w.Header().Set("X-Ms-Request-Server-Encrypted", "true")
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodPut && comp == "blocklist":
		var bl struct {
			Items []struct {
				XMLName xml.Name
				ID      string `xml:",chardata"`
			} `xml:",any"`
		}
		if err := xml.Unmarshal(data, &bl); err != nil {
			errInvalidXML.write(w, r)
			return
		}
		// Committed blocks are not kept separately: a blob written by a single PUT has no
		// block ids, so only Latest/Uncommitted ids staged since the last commit resolve.
		var buf bytes.Buffer
		for _, it := range bl.Items {
			blk, ok := c.staged[bname][it.ID]
			if !ok {
				errInvalidBlockList.write(w, r)
				return
			}
			buf.Write(blk)
		}
		nb := s.newBlobLocked(buf.Bytes(), r.Header.Get("X-Ms-Blob-Content-Type"), metaFrom(r.Header))
		s.setBlobHeadersFrom(nb, r.Header)
		if b != nil {
			nb.created = b.created
		}
		c.blobs[bname] = nb
		delete(c.staged, bname)
		writeBlobWritten(w, nb, false)
	case b == nil:
		errBlobNotFound.write(w, r)
	case r.Method == http.MethodPut && comp == "metadata":
		b.meta = metaFrom(r.Header)
		b.etag, b.modified = s.nextETag(), time.Now().UTC()
		w.Header().Set("ETag", b.etag)
		w.Header().Set("Last-Modified", httpDate(b.modified))
		w.Header().Set("X-Ms-Request-Server-Encrypted", "true")
		w.WriteHeader(http.StatusOK)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && comp == "":
		s.readBlob(w, r, b)
	case r.Method == http.MethodDelete && comp == "":
		delete(c.blobs, bname)
		w.WriteHeader(http.StatusAccepted)
	default:
		errUnsupported.write(w, r)
	}
}

func (s *Server) setBlobHeadersFrom(b *blob, h http.Header) {
	b.encoding = h.Get("X-Ms-Blob-Content-Encoding")
	b.language = h.Get("X-Ms-Blob-Content-Language")
	b.cacheCtl = h.Get("X-Ms-Blob-Cache-Control")
	b.disposition = h.Get("X-Ms-Blob-Content-Disposition")
	if b.contentType == "" {
		b.contentType = "application/octet-stream"
	}
	if m := h.Get("X-Ms-Blob-Content-Md5"); m != "" {
		if raw, err := base64.StdEncoding.DecodeString(m); err == nil {
			b.md5 = raw
		}
	}
}

func writeBlobWritten(w http.ResponseWriter, b *blob, withMD5 bool) {
	h := w.Header()
	h.Set("ETag", b.etag)
	h.Set("Last-Modified", httpDate(b.modified))
	if withMD5 {
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(b.md5))
	}
	h.Set("X-Ms-Request-Server-Encrypted", "true")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) readBlob(w http.ResponseWriter, r *http.Request, b *blob) {
	h := w.Header()
	h.Set("ETag", b.etag)
	h.Set("Last-Modified", httpDate(b.modified))
	h.Set("X-Ms-Creation-Time", httpDate(b.created))
	h.Set("X-Ms-Blob-Type", "BlockBlob")
	h.Set("X-Ms-Lease-Status", "unlocked")
	h.Set("X-Ms-Lease-State", "available")
	h.Set("X-Ms-Server-Encrypted", "true")
	h.Set("X-Ms-Access-Tier", "Hot")
	h.Set("X-Ms-Access-Tier-Inferred", "true")
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", b.contentType)
	for k, v := range map[string]string{"Content-Encoding": b.encoding, "Content-Language": b.language,
		"Cache-Control": b.cacheCtl, "Content-Disposition": b.disposition} {
		if v != "" {
			h.Set(k, v)
		}
	}
	setMeta(h, b.meta)
	rng := r.Header.Get("X-Ms-Range")
	if rng == "" {
		rng = r.Header.Get("Range")
	}
	data, status := b.data, http.StatusOK
	if rng != "" {
		start, end, ok := parseRange(rng, len(b.data))
		if !ok {
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", len(b.data)))
			errInvalidRange.write(w, r)
			return
		}
		data, status = b.data[start:end+1], http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(b.data)))
		if r.Header.Get("X-Ms-Range-Get-Content-Md5") == "true" {
			sum := md5.Sum(data)
			h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		} else {
			h.Set("X-Ms-Blob-Content-Md5", base64.StdEncoding.EncodeToString(b.md5))
		}
	} else {
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(b.md5))
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// parseRange parses "bytes=start-[end]" into an inclusive range within size.
func parseRange(v string, size int) (int, int, bool) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, 0, false
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, 0, false
	}
	start, err := strconv.Atoi(a)
	if err != nil || start < 0 || start >= size {
		return 0, 0, false
	}
	end := size - 1
	if b != "" {
		e, err := strconv.Atoi(b)
		if err != nil || e < start {
			return 0, 0, false
		}
		if e < end {
			end = e
		}
	}
	return start, end, true
}
