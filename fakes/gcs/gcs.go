// Package gcsfake is an in-process Google Cloud Storage endpoint for the image registry
// operator's GCS driver.
//
// It is fake-gcs-server's fakestorage (in memory, no listener of its own) behind a layer that
// keeps what fakestorage silently drops (shared/notes/fakes.md §4): a bucket's location,
// labels, uniform bucket-level access and default KMS key. The layer captures them from
// bucket insert/patch bodies, overlays them on every bucket resource answered, forgets them
// on delete, runs every request through the shared fault injector (fakes/fault) and corrects
// the non-empty delete to the real service's answer (409, not fakestorage's 412).
//
// Build a client like this (or call Server.NewClient):
//
//	client, err := storage.NewClient(ctx,
//		option.WithEndpoint(srv.Endpoint+"/storage/v1/"),
//		option.WithoutAuthentication())
//
// No request is authenticated. KeyfileJSON is a syntactically real service-account keyfile
// (fresh RSA key, token_uri pointing at this fake, which hands out a dummy token) for the
// operator's secret; a client built from it with option.WithEndpoint works too.
package gcsfake

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"google.golang.org/api/option"

	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/internal/httpfake"
)

// DefaultProjectID is the project the fake claims to serve.
const DefaultProjectID = "irconform-fake-project"

// TokenPath is where the fake answers OAuth token requests (the keyfile's token_uri).
const TokenPath = "/oauth2/v4/token"

// Setting keys reported by Buckets (see fault.BucketInfo.Settings).
const (
	SettingLocation    = "location"
	SettingLabelPrefix = "label:"
	SettingUBLA        = "uniformBucketLevelAccess"
	SettingKMSKey      = "kmsKey"
)

type config struct {
	port      int
	projectID string
	foreign   []string
}

// Option configures Start.
type Option func(*config)

// WithPort listens on a fixed port of 127.0.0.1 (0, the default, picks a free one).
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithProjectID sets the project ID used in the keyfile and Describe.
func WithProjectID(id string) Option { return func(c *config) { c.projectID = id } }

// WithForeignBuckets marks bucket names as owned by another project (see Server.Foreign).
func WithForeignBuckets(names ...string) Option {
	return func(c *config) { c.foreign = append(c.foreign, names...) }
}

// Server is a running fake. It implements fault.Inspector.
//
// Models GCS-001, STOR-001, STOR-003, STOR-004, STOR-005, STOR-010.
type Server struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:41234 (no trailing slash); the JSON API
	// lives under Endpoint+"/storage/v1/".
	Endpoint  string
	ProjectID string
	// KeyfileJSON is a fake service-account keyfile, as the operator stores under
	// REGISTRY_STORAGE_GCS_KEYFILE.
	KeyfileJSON []byte

	hostPort string
	faults   *fault.Injector
	gcs      *fakestorage.Server
	inner    http.Handler
	srv      *httpfake.Server

	// mu serialises bucket create/patch/delete with the retained attributes.
	mu      sync.Mutex
	attrs   map[string]*bucketAttrs
	foreign map[string]bool
}

var _ fault.Inspector = (*Server)(nil)

// bucketAttrs are the bucket fields fakestorage does not keep.
//
// Models GCS-001.
type bucketAttrs struct {
	location       string
	storageClass   string
	labels         map[string]string
	ubla           bool
	ublaLocked     time.Time
	pap            string // publicAccessPrevention
	kmsKey         string
	metageneration int64
}

func newAttrs() *bucketAttrs {
	// Real GCS defaults: multi-region US, STANDARD class, PAP inherited.
	return &bucketAttrs{location: "US", storageClass: "STANDARD", labels: map[string]string{}, pap: "inherited", metageneration: 1}
}

// Start serves the fake on 127.0.0.1 until ctx is done or Close is called.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	cfg := config{projectID: DefaultProjectID}
	for _, o := range opts {
		o(&cfg)
	}
	hs, err := httpfake.Listen("gcs fake", cfg.port)
	if err != nil {
		return nil, err
	}
	endpoint := hs.URL()
	gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		NoListener: true,
		Scheme:     "http",
		// Resumable-upload Location headers and selfLinks must point back at this listener.
		ExternalURL: endpoint,
		// The SDK reads object media over the XML API at the endpoint's host; fakestorage
		// serves those paths only for its "public host".
		PublicHost: "127.0.0.1",
	})
	if err != nil {
		_ = hs.Close()
		return nil, fmt.Errorf("gcs fake: %w", err)
	}
	keyfile, err := makeKeyfile(cfg.projectID, endpoint)
	if err != nil {
		_ = hs.Close()
		gcs.Stop()
		return nil, err
	}
	s := &Server{
		Endpoint:    endpoint,
		ProjectID:   cfg.projectID,
		KeyfileJSON: keyfile,
		hostPort:    hs.Addr(),
		faults:      fault.New(),
		gcs:         gcs,
		inner:       gcs.HTTPHandler(),
		attrs:       map[string]*bucketAttrs{},
		foreign:     map[string]bool{},
		srv:         hs,
	}
	for _, b := range cfg.foreign {
		s.foreign[b] = true
	}
	hs.Serve(ctx, s, gcs.Stop)
	return s, nil
}

// Close stops the server; it is safe to call more than once.
func (s *Server) Close() error { return s.srv.Close() }

// Done is closed once the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.srv.Done() }

// Describe is a one-line summary for the standalone command.
func (s *Server) Describe() string {
	return fmt.Sprintf("GCS endpoint %s/storage/v1/ project %s (no authentication; service-account keyfile via KeyfileJSON, client_email %s)",
		s.Endpoint, s.ProjectID, serviceAccountEmail(s.ProjectID))
}

// NewClient returns a cloud.google.com/go/storage client for the fake, unauthenticated; opts
// are appended (a later option.WithEndpoint or credentials option wins).
func (s *Server) NewClient(ctx context.Context, opts ...option.ClientOption) (*storage.Client, error) {
	base := []option.ClientOption{option.WithEndpoint(s.Endpoint + "/storage/v1/"), option.WithoutAuthentication()}
	return storage.NewClient(ctx, append(base, opts...)...)
}

// Faults returns the fault injector and call log.
func (s *Server) Faults() *fault.Injector { return s.faults }

// Foreign marks a bucket name as owned by another project: insert answers 409 and every
// other call on it 403. If the fake itself holds a bucket of that name, it is dropped.
func (s *Server) Foreign(bucket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.foreign[bucket] = true
	delete(s.attrs, bucket)
	be := s.gcs.Backend()
	if objs, err := be.ListObjects(bucket, "", true); err == nil {
		for _, o := range objs {
			_ = be.DeleteObject(bucket, o.Name)
		}
		_ = be.DeleteBucket(bucket)
	}
}

// Seed creates bucket (if missing, with GCS defaults) holding n objects seed/000000..,
// directly in the backend and without touching the call log.
func (s *Server) Seed(_ context.Context, bucket string, objects int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.foreign[bucket] {
		return fmt.Errorf("gcs fake: bucket %q is marked foreign", bucket)
	}
	if _, err := s.gcs.Backend().GetBucket(bucket); err != nil {
		s.gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	}
	if s.attrs[bucket] == nil {
		s.attrs[bucket] = newAttrs()
	}
	for i := range objects {
		s.gcs.CreateObject(fakestorage.Object{
			ObjectAttrs: fakestorage.ObjectAttrs{BucketName: bucket, Name: fmt.Sprintf("seed/%06d", i), ContentType: "text/plain"},
			Content:     []byte(fmt.Sprintf("seed object %d of %s\n", i, bucket)),
		})
	}
	return nil
}

// Buckets lists the project's buckets with object counts and the retained settings.
func (s *Server) Buckets(_ context.Context) ([]fault.BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.gcs.Backend().ListBuckets()
	if err != nil {
		return nil, err
	}
	out := make([]fault.BucketInfo, 0, len(list))
	for _, b := range list {
		objs, _, err := s.gcs.ListObjectsWithOptions(b.Name, fakestorage.ListOptions{})
		if err != nil {
			return nil, err
		}
		a := s.attrsFor(b.Name)
		st := map[string]string{
			SettingLocation: a.location,
			SettingUBLA:     strconv.FormatBool(a.ubla),
		}
		for k, v := range a.labels {
			st[SettingLabelPrefix+k] = v
		}
		if a.kmsKey != "" {
			st[SettingKMSKey] = a.kmsKey
		}
		out = append(out, fault.BucketInfo{Name: b.Name, Objects: len(objs), Settings: st})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// attrsFor returns the retained attributes, creating defaults for buckets that reached the
// backend some other way. Callers hold s.mu.
func (s *Server) attrsFor(bucket string) *bucketAttrs {
	a := s.attrs[bucket]
	if a == nil {
		a = newAttrs()
		s.attrs[bucket] = a
	}
	return a
}

// route is what the layer needs to know about a request.
type route struct {
	op     string
	bucket string
	object string
	kind   routeKind
}

type routeKind int

const (
	kindPass routeKind = iota
	kindBucketInsert
	kindBucketGet
	kindBucketPatch
	kindBucketDelete
	kindBucketList
	kindToken
	kindInternal
)

func unescapeAll(segs []string) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			out[i] = u
		} else {
			out[i] = s
		}
	}
	return out
}

// classify maps the JSON, upload, download and XML API paths to fault ops.
func classify(r *http.Request) route {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	segs := unescapeAll(strings.Split(p, "/"))
	m := r.Method
	if m == http.MethodPost && r.Header.Get("X-HTTP-Method-Override") != "" {
		m = r.Header.Get("X-HTTP-Method-Override")
	}
	read := m == http.MethodGet || m == http.MethodHead
	switch {
	case m == http.MethodPost && "/"+p == TokenPath:
		return route{op: fault.OpAuth, kind: kindToken}
	case segs[0] == "_internal":
		return route{kind: kindInternal}
	case len(segs) >= 3 && segs[0] == "storage" && segs[1] == "v1" && segs[2] == "b":
		rest := segs[3:]
		if len(rest) > 0 && rest[len(rest)-1] == "" && len(rest) <= 2 {
			rest = rest[:len(rest)-1] // trailing slash: /b/ and /b/{b}/o/
		}
		switch {
		case len(rest) == 0 && read:
			return route{op: fault.OpListBuckets, kind: kindBucketList}
		case len(rest) == 0:
			return route{op: fault.OpCreateBucket, kind: kindBucketInsert}
		case len(rest) == 1 && read:
			return route{op: fault.OpHeadBucket, bucket: rest[0], kind: kindBucketGet}
		case len(rest) == 1 && m == http.MethodDelete:
			return route{op: fault.OpDeleteBucket, bucket: rest[0], kind: kindBucketDelete}
		case len(rest) == 1:
			return route{op: fault.OpPutSetting, bucket: rest[0], kind: kindBucketPatch}
		case rest[1] == "o" && len(rest) == 2 && read:
			return route{op: fault.OpListObjects, bucket: rest[0]}
		case rest[1] == "o" && len(rest) == 2:
			return route{op: fault.OpPutObject, bucket: rest[0]}
		case rest[1] == "o":
			obj := strings.Join(rest[2:], "/")
			if n := len(rest); n >= 4 && (rest[n-1] == "acl" || rest[n-2] == "acl") {
				if read {
					return route{op: fault.OpGetSetting, bucket: rest[0], object: obj}
				}
				return route{op: fault.OpPutSetting, bucket: rest[0], object: obj}
			}
			switch {
			case read:
				return route{op: fault.OpGetObject, bucket: rest[0], object: obj}
			case m == http.MethodDelete:
				return route{op: fault.OpDeleteObject, bucket: rest[0], object: obj}
			default:
				return route{op: fault.OpPutObject, bucket: rest[0], object: obj}
			}
		case read:
			return route{op: fault.OpGetSetting, bucket: rest[0]} // acl, iam, storageLayout, notificationConfigs
		default:
			return route{op: fault.OpPutSetting, bucket: rest[0]}
		}
	case len(segs) >= 5 && segs[0] == "upload" && segs[1] == "storage":
		return route{op: fault.OpPutObject, bucket: segs[4], object: r.URL.Query().Get("name")}
	case segs[0] == "upload": // /upload/resumable/{id}
		return route{op: fault.OpPutObject}
	case len(segs) >= 7 && segs[0] == "download":
		return route{op: fault.OpGetObject, bucket: segs[4], object: strings.Join(segs[6:], "/")}
	case segs[0] == "batch":
		return route{op: "Batch"}
	case p == "":
		return route{op: fault.OpListBuckets}
	case len(segs) == 1 || (len(segs) == 2 && segs[1] == ""): // XML API bucket
		if read {
			return route{op: fault.OpListObjects, bucket: segs[0]}
		}
		return route{op: fault.OpPutObject, bucket: segs[0]}
	default: // XML API object
		obj := strings.Join(segs[1:], "/")
		switch {
		case read:
			return route{op: fault.OpGetObject, bucket: segs[0], object: obj}
		case m == http.MethodDelete:
			return route{op: fault.OpDeleteObject, bucket: segs[0], object: obj}
		default:
			return route{op: fault.OpPutObject, bucket: segs[0], object: obj}
		}
	}
}

// ServeHTTP is the fake's handler as served by Start; it assumes requests reach Endpoint
// (resumable-upload URLs and XML-API routing are tied to that address).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt := classify(r)
	if rt.kind == kindInternal {
		// fakestorage's own control endpoints (reseed, delete_all, config) would change state
		// behind the inspector's back.
		writeError(w, r, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	var insertBody []byte
	if rt.kind == kindBucketInsert {
		// The bucket name is in the body; read it first so the fault log can name it.
		var err error
		if insertBody, err = io.ReadAll(io.LimitReader(r.Body, 1<<20)); err != nil {
			writeError(w, r, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		var nb struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(decodeMaybeGzip(r, insertBody), &nb)
		rt.bucket = nb.Name
	}
	if rule := s.faults.Before(r.Context(), rt.op, rt.bucket, rt.object); rule != nil {
		reason, msg := rule.Code, rule.Message
		if reason == "" {
			reason = defaultReason(rule.Status)
		}
		if msg == "" {
			msg = defaultMessage(rule.Status)
		}
		writeError(w, r, rule.Status, reason, msg)
		return
	}
	if rt.kind == kindToken {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"irconform-fake-access-token","token_type":"Bearer","expires_in":3600}`)
		return
	}
	// fakestorage matches XML-API object paths on its "public host"; present every request
	// as addressed to the listener so that localhost or other aliases behave the same.
	r.Host = s.hostPort

	if rt.bucket != "" {
		s.mu.Lock()
		foreign := s.foreign[rt.bucket]
		s.mu.Unlock()
		if foreign {
			if rt.kind == kindBucketInsert {
				writeError(w, r, http.StatusConflict, "conflict", fmt.Sprintf(
					"A Cloud Storage bucket named '%s' already exists. Try another name. Bucket names must be globally unique across all Google Cloud projects, including those outside of your organization.", rt.bucket))
			} else {
				writeError(w, r, http.StatusForbidden, "forbidden", fmt.Sprintf(
					"%s does not have storage.buckets.get access to the Google Cloud Storage bucket. Permission 'storage.buckets.get' denied on resource (or it may not exist).", serviceAccountEmail(s.ProjectID)))
			}
			return
		}
	}

	switch rt.kind {
	case kindBucketInsert:
		s.insertBucket(w, r, rt.bucket, insertBody)
	case kindBucketGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		s.overlayed(w, r)
	case kindBucketList:
		s.mu.Lock()
		defer s.mu.Unlock()
		s.overlayed(w, r)
	case kindBucketPatch:
		s.patchBucket(w, r, rt.bucket)
	case kindBucketDelete:
		s.deleteBucket(w, r, rt.bucket)
	default:
		s.inner.ServeHTTP(w, r)
	}
}

func decodeMaybeGzip(r *http.Request, body []byte) []byte {
	if r.Header.Get("Content-Encoding") != "gzip" {
		return body
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return body
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return body
	}
	return out
}

// bucketBody holds the retained fields of a bucket resource in a request. Pointers and raw
// messages tell "absent" from "null" (which deletes, in a patch).
type bucketBody struct {
	Location         *string                    `json:"location"`
	StorageClass     *string                    `json:"storageClass"`
	Labels           map[string]*string         `json:"labels"`
	IAMConfiguration *iamConfig                 `json:"iamConfiguration"`
	Encryption       json.RawMessage            `json:"encryption"`
	Raw              map[string]json.RawMessage `json:"-"`
}

type iamConfig struct {
	UniformBucketLevelAccess *struct {
		Enabled *bool `json:"enabled"`
	} `json:"uniformBucketLevelAccess"`
	BucketPolicyOnly *struct {
		Enabled *bool `json:"enabled"`
	} `json:"bucketPolicyOnly"`
	PublicAccessPrevention *string `json:"publicAccessPrevention"`
}

func parseBucketBody(b []byte) (*bucketBody, error) {
	var bb bucketBody
	if err := json.Unmarshal(b, &bb); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &bb.Raw); err != nil {
		return nil, err
	}
	return &bb, nil
}

// GCS label rules: keys start with a lowercase letter; keys and values use lowercase
// letters, digits, '_' and '-', at most 63 characters; at most 64 labels.
var (
	labelKeyRE   = regexp.MustCompile(`^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$`)
	labelValueRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$`)
)

// validateLabels returns the error message for the first bad label, or "".
func validateLabels(labels map[string]*string) string {
	for k, v := range labels {
		if !labelKeyRE.MatchString(k) {
			return fmt.Sprintf("Invalid argument: label key '%s' violates format constraints.", k)
		}
		if v != nil && !labelValueRE.MatchString(*v) {
			return fmt.Sprintf("Invalid argument: label value '%s' violates format constraints.", *v)
		}
	}
	return ""
}

// apply merges a request body into the retained attributes (insert or patch semantics are
// the same for these fields: labels merge key by key, null deletes).
func (a *bucketAttrs) apply(bb *bucketBody, insert bool) {
	if insert && bb.Location != nil && *bb.Location != "" {
		// Real GCS answers locations upper-cased whatever the case written.
		a.location = strings.ToUpper(*bb.Location)
	}
	if bb.StorageClass != nil && *bb.StorageClass != "" {
		a.storageClass = strings.ToUpper(*bb.StorageClass)
	}
	if raw, ok := bb.Raw["labels"]; ok && string(raw) == "null" {
		a.labels = map[string]string{}
	}
	for k, v := range bb.Labels {
		if v == nil {
			delete(a.labels, k)
		} else {
			a.labels[k] = *v
		}
	}
	if ic := bb.IAMConfiguration; ic != nil {
		var en *bool
		if ic.UniformBucketLevelAccess != nil && ic.UniformBucketLevelAccess.Enabled != nil {
			en = ic.UniformBucketLevelAccess.Enabled
		} else if ic.BucketPolicyOnly != nil && ic.BucketPolicyOnly.Enabled != nil {
			en = ic.BucketPolicyOnly.Enabled
		}
		if en != nil {
			if *en && !a.ubla {
				// Once enabled, GCS allows disabling it for 90 days; it reports that deadline.
				a.ublaLocked = time.Now().UTC().Add(90 * 24 * time.Hour).Truncate(time.Millisecond)
			}
			a.ubla = *en
		}
		if ic.PublicAccessPrevention != nil && *ic.PublicAccessPrevention != "" {
			a.pap = *ic.PublicAccessPrevention
		}
	}
	if len(bb.Encryption) > 0 {
		var enc struct {
			DefaultKmsKeyName string `json:"defaultKmsKeyName"`
		}
		if string(bb.Encryption) == "null" {
			a.kmsKey = ""
		} else if json.Unmarshal(bb.Encryption, &enc) == nil {
			a.kmsKey = enc.DefaultKmsKeyName
		}
	}
}

// overlay writes the retained attributes into a bucket resource.
func (a *bucketAttrs) overlay(res map[string]any) {
	res["location"] = a.location
	switch a.location {
	case "US", "EU", "ASIA":
		res["locationType"] = "multi-region"
	default:
		res["locationType"] = "region"
	}
	res["storageClass"] = a.storageClass
	if len(a.labels) > 0 {
		res["labels"] = a.labels
	} else {
		delete(res, "labels")
	}
	access := map[string]any{"enabled": a.ubla}
	if a.ubla {
		access["lockedTime"] = a.ublaLocked.Format(time.RFC3339Nano)
	}
	res["iamConfiguration"] = map[string]any{
		"bucketPolicyOnly":         access,
		"uniformBucketLevelAccess": access,
		"publicAccessPrevention":   a.pap,
	}
	if a.kmsKey != "" {
		res["encryption"] = map[string]any{"defaultKmsKeyName": a.kmsKey}
	} else {
		delete(res, "encryption")
	}
	res["metageneration"] = strconv.FormatInt(a.metageneration, 10)
}

// overlayed serves r through fakestorage and, on success, rewrites the bucket resource(s)
// in the answer with the retained attributes. Callers hold s.mu.
func (s *Server) overlayed(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.inner.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code/100 == 2 {
		var res map[string]any
		if json.Unmarshal(body, &res) == nil {
			if items, ok := res["items"].([]any); ok { // bucket list
				for _, it := range items {
					if b, ok := it.(map[string]any); ok {
						name, _ := b["name"].(string)
						s.attrsFor(name).overlay(b)
					}
				}
			} else if name, _ := res["name"].(string); name != "" {
				s.attrsFor(name).overlay(res)
			}
			if nb, err := json.Marshal(res); err == nil {
				body = nb
			}
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (s *Server) insertBucket(w http.ResponseWriter, r *http.Request, bucket string, body []byte) {
	bb, err := parseBucketBody(decodeMaybeGzip(r, body))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "parseError", "Parse Error")
		return
	}
	if msg := validateLabels(bb.Labels); msg != "" {
		writeError(w, r, http.StatusBadRequest, "invalid", msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.gcs.Backend().GetBucket(bucket); err == nil {
		writeError(w, r, http.StatusConflict, "conflict",
			"Your previous request to create the named bucket succeeded and you already own it.")
		return
	}
	// A fresh bucket never inherits what a deleted namesake had.
	a := newAttrs()
	a.apply(bb, true)
	s.attrs[bucket] = a
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	s.overlayed(w, r)
	if _, err := s.gcs.Backend().GetBucket(bucket); err != nil {
		delete(s.attrs, bucket) // fakestorage refused it (e.g. invalid name)
	}
}

func (s *Server) patchBucket(w http.ResponseWriter, r *http.Request, bucket string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	bb, err := parseBucketBody(decodeMaybeGzip(r, body))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "parseError", "Parse Error")
		return
	}
	if msg := validateLabels(bb.Labels); msg != "" {
		writeError(w, r, http.StatusBadRequest, "invalid", msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exists := false
	if _, err := s.gcs.Backend().GetBucket(bucket); err == nil {
		exists = true
		a := s.attrsFor(bucket)
		a.apply(bb, false)
		a.metageneration++
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if !exists {
		s.inner.ServeHTTP(w, r) // fakestorage's 404
		return
	}
	s.overlayed(w, r)
}

func (s *Server) deleteBucket(w http.ResponseWriter, r *http.Request, bucket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.gcs.Backend().GetBucket(bucket); err == nil {
		if objs, _, err := s.gcs.ListObjectsWithOptions(bucket, fakestorage.ListOptions{}); err == nil && len(objs) > 0 {
			// fakestorage answers 412 conditionNotMet here; the real JSON API answers 409
			// conflict (the XML API documents it as 409 BucketNotEmpty), which is what the
			// operator's error handling sees in production.
			writeError(w, r, http.StatusConflict, "conflict", "The bucket you tried to delete is not empty.")
			return
		}
	}
	rec := httptest.NewRecorder()
	s.inner.ServeHTTP(rec, r)
	if rec.Code/100 == 2 {
		delete(s.attrs, bucket)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	if rec.Code == http.StatusOK && rec.Body.Len() <= len("null\n") {
		// The real service answers a bucket delete with 204 and no body.
		w.Header().Del("Content-Type")
		w.Header().Del("Content-Length")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

type apiErrorItem struct {
	Message string `json:"message"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
}

type apiError struct {
	Error struct {
		Code    int            `json:"code"`
		Message string         `json:"message"`
		Errors  []apiErrorItem `json:"errors"`
	} `json:"error"`
}

// writeError answers in the JSON API's error format; HEAD answers carry no body.
func writeError(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	var e apiError
	e.Error.Code = status
	e.Error.Message = msg
	e.Error.Errors = []apiErrorItem{{Message: msg, Domain: "global", Reason: reason}}
	_ = json.NewEncoder(w).Encode(e)
}

func defaultReason(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusUnauthorized:
		return "required"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "notFound"
	case http.StatusConflict:
		return "conflict"
	case http.StatusPreconditionFailed:
		return "conditionNotMet"
	case http.StatusTooManyRequests:
		return "rateLimitExceeded"
	case http.StatusServiceUnavailable:
		return "backendError"
	}
	if status >= 500 {
		return "internalError"
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "")
}

func defaultMessage(status int) string {
	switch status {
	case http.StatusForbidden:
		return "Access denied."
	case http.StatusTooManyRequests:
		return "The rate of change requests to the bucket is too high."
	case http.StatusServiceUnavailable:
		return "Backend Error"
	case http.StatusInternalServerError:
		return "Internal Error"
	}
	return http.StatusText(status)
}

func serviceAccountEmail(project string) string {
	return "image-registry@" + project + ".iam.gserviceaccount.com"
}

var (
	keyOnce sync.Once
	keyPEM  []byte
	keyErr  error
)

// makeKeyfile builds a service-account keyfile. One RSA key per process is enough: nothing
// verifies its signatures, it only has to parse.
func makeKeyfile(project, endpoint string) ([]byte, error) {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			keyErr = err
			return
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			keyErr = err
			return
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
	if keyErr != nil {
		return nil, fmt.Errorf("gcs fake: keyfile: %w", keyErr)
	}
	id := make([]byte, 20)
	_, _ = rand.Read(id)
	email := serviceAccountEmail(project)
	return json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  project,
		"private_key_id":              hex.EncodeToString(id),
		"private_key":                 string(keyPEM),
		"client_email":                email,
		"client_id":                   "100000000000000000001",
		"auth_uri":                    endpoint + "/o/oauth2/auth",
		"token_uri":                   endpoint + TokenPath,
		"auth_provider_x509_cert_url": endpoint + "/oauth2/v1/certs",
		"client_x509_cert_url":        endpoint + "/robot/v1/metadata/x509/" + url.PathEscape(email),
		"universe_domain":             "googleapis.com",
	}, "", "  ")
}
