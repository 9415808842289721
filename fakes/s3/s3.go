// Package s3fake is an in-process S3 endpoint for the image registry operator's S3 driver.
//
// It is gofakes3 (s3mem backend) behind a layer that fixes what gofakes3 gets wrong for this
// operator (see shared/notes/fakes.md §1): gofakes3 ignores the bucket sub-resources
// ?encryption, ?tagging, ?publicAccessBlock and ?lifecycle, routing a PUT to CreateBucket
// (409) and a GET to ListObjects (an empty, "successful" read). This layer serves those four
// itself, answers S3's real not-found codes, gives CreateBucket the owned/foreign distinction
// (BucketAlreadyOwnedByYou vs BucketAlreadyExists) and runs every request through the shared
// fault injector (fakes/fault).
//
// Path-style addressing is served (the bucket is the first path segment), and virtual-hosted
// style when the request reaches the fake under an S3 host name (bucket.s3.<region>.amazonaws.com,
// bucket.s3.mirror.example: the labels before the first "s3" or "s3-…" label name the bucket),
// as through a TLS front (fakes/front). Build a client with aws-sdk-go-v2 like this (or call
// Server.NewClient):
//
//	client := s3.New(s3.Options{
//		Region:       srv.Region,
//		BaseEndpoint: aws.String(srv.Endpoint),
//		UsePathStyle: true,
//		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
//	})
//
// Signatures are not verified: any credentials work; the fixed ones exist so that the operator's
// secret has something realistic to carry.
package s3fake

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/internal/httpfake"
)

// Defaults for the fake account. The access key has the shape of a real one so that anything
// validating its format accepts it.
const (
	DefaultAccessKey = "AKIAIRCONFORMFAKE001"
	DefaultSecretKey = "irconform/fake/secret/key/0000000000000"
	DefaultRegion    = "us-east-1"
)

// Setting keys reported by Buckets (see fault.BucketInfo.Settings).
const (
	SettingEncryption        = "encryption"
	SettingKMSKeyID          = "kmsKeyID"
	SettingBucketKeyEnabled  = "bucketKeyEnabled"
	SettingTagPrefix         = "tag:"
	SettingPublicAccessBlock = "publicAccessBlock"
	SettingLifecyclePrefix   = "lifecycle:"
)

type config struct {
	port      int
	region    string
	accessKey string
	secretKey string
	foreign   []string
}

// Option configures Start.
type Option func(*config)

// WithPort listens on a fixed port of 127.0.0.1 (0, the default, picks a free one).
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithRegion sets the region the fake claims to be in (default us-east-1).
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithCredentials sets the access and secret key handed out (they are never checked).
func WithCredentials(accessKey, secretKey string) Option {
	return func(c *config) { c.accessKey, c.secretKey = accessKey, secretKey }
}

// WithForeignBuckets marks bucket names as owned by another account (see Server.Foreign).
func WithForeignBuckets(names ...string) Option {
	return func(c *config) { c.foreign = append(c.foreign, names...) }
}

// Server is a running fake. It implements fault.Inspector.
//
// Models S3-002, S3-007, STOR-001, STOR-003, STOR-004, STOR-005, STOR-010.
type Server struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string

	faults  *fault.Injector
	backend *s3mem.Backend
	inner   http.Handler
	srv     *httpfake.Server
	reqID   atomic.Uint64

	// mu serialises bucket-level mutations (create, delete, sub-resource writes) with the
	// settings map so that a delete cannot leave settings behind for a re-created bucket.
	mu       sync.Mutex
	settings map[string]*bucketSettings
	foreign  map[string]bool
}

var _ fault.Inspector = (*Server)(nil)

// Start serves the fake on 127.0.0.1 until ctx is done or Close is called.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	cfg := config{region: DefaultRegion, accessKey: DefaultAccessKey, secretKey: DefaultSecretKey}
	for _, o := range opts {
		o(&cfg)
	}
	hs, err := httpfake.Listen("s3 fake", cfg.port)
	if err != nil {
		return nil, err
	}
	be := s3mem.New()
	s := &Server{
		Endpoint:  hs.URL(),
		AccessKey: cfg.accessKey,
		SecretKey: cfg.secretKey,
		Region:    cfg.region,
		faults:    fault.New(),
		backend:   be,
		inner:     gofakes3.New(be).Server(),
		settings:  map[string]*bucketSettings{},
		foreign:   map[string]bool{},
		srv:       hs,
	}
	for _, b := range cfg.foreign {
		s.foreign[b] = true
	}
	hs.Serve(ctx, s)
	return s, nil
}

// Close stops the server; it is safe to call more than once.
func (s *Server) Close() error { return s.srv.Close() }

// Done is closed once the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.srv.Done() }

// Describe is a one-line summary for the standalone command.
func (s *Server) Describe() string {
	return fmt.Sprintf("S3 endpoint %s (path-style) region %s access key %s secret key %s",
		s.Endpoint, s.Region, s.AccessKey, s.SecretKey)
}

// CredentialsFile is the AWS shared-credentials file the operator would write into its
// private secret (key "credentials") for these credentials.
func (s *Server) CredentialsFile() string {
	return fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", s.AccessKey, s.SecretKey)
}

// NewClient returns an aws-sdk-go-v2 S3 client pointed at the fake (path-style, static
// credentials, the SDK's default retryer). optFns can adjust it, e.g. the retryer.
func (s *Server) NewClient(optFns ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}, optFns...)
}

// Foreign marks a bucket name as owned by another AWS account: CreateBucket answers 409
// BucketAlreadyExists, HeadBucket 403 and every other call 403 AccessDenied. This is how a
// spec reaches the operator's "Unable to Access Bucket" path (S3-002). If the fake itself
// holds a bucket of that name, it is dropped.
//
// Models S3-002.
func (s *Server) Foreign(bucket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.foreign[bucket] = true
	delete(s.settings, bucket)
	_ = s.backend.ForceDeleteBucket(bucket)
}

// Faults returns the fault injector and call log.
func (s *Server) Faults() *fault.Injector { return s.faults }

// Seed creates bucket (if missing) holding n objects seed/000000.. directly in the backend,
// without touching the call log. The bucket counts as owned by the fake's account.
func (s *Server) Seed(_ context.Context, bucket string, objects int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.foreign[bucket] {
		return fmt.Errorf("s3 fake: bucket %q is marked foreign", bucket)
	}
	if err := gofakes3.ValidateBucketName(bucket); err != nil {
		return fmt.Errorf("s3 fake: seed %q: %w", bucket, err)
	}
	if ok, _ := s.backend.BucketExists(bucket); !ok {
		if err := s.backend.CreateBucket(bucket); err != nil {
			return err
		}
	}
	for i := range objects {
		body := []byte(fmt.Sprintf("seed object %d of %s\n", i, bucket))
		key := fmt.Sprintf("seed/%06d", i)
		if _, err := s.backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
			return err
		}
	}
	return nil
}

// Buckets lists the account's buckets (not foreign ones) with object counts and settings.
func (s *Server) Buckets(_ context.Context) ([]fault.BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.backend.ListBuckets()
	if err != nil {
		return nil, err
	}
	out := make([]fault.BucketInfo, 0, len(list))
	for _, b := range list {
		objs, err := s.backend.ListBucket(b.Name, nil, gofakes3.ListBucketPage{})
		if err != nil {
			return nil, err
		}
		info := fault.BucketInfo{Name: b.Name, Objects: len(objs.Contents), Settings: map[string]string{}}
		if st := s.settings[b.Name]; st != nil {
			st.describe(info.Settings)
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// managed sub-resources: served by this layer instead of gofakes3.
var managedSubresources = []string{"encryption", "tagging", "publicAccessBlock", "lifecycle"}

// S3 sub-resources gofakes3 does not route. Without this list they would fall through to
// CreateBucket / ListObjects / GetObject and "succeed" with the wrong meaning, so they answer
// 501 NotImplemented instead — a loud failure is better than a silent wrong one.
var unsupportedSubresources = []string{
	"accelerate", "acl", "analytics", "attributes", "cors", "intelligent-tiering", "inventory",
	"legal-hold", "logging", "metadataTable", "metrics", "notification", "object-lock",
	"ownershipControls", "policy", "policyStatus", "replication", "requestPayment", "restore",
	"retention", "select", "tagging", "torrent", "website",
}

func firstPresent(q map[string][]string, keys []string) string {
	for _, k := range keys {
		if _, ok := q[k]; ok {
			return k
		}
	}
	return ""
}

// classify maps a path-style request to the protocol-neutral op name of fakes/fault.
func classify(method, bucket, object string, q map[string][]string) string {
	sub := firstPresent(q, append(append([]string{}, managedSubresources...), unsupportedSubresources...))
	if sub == "" {
		sub = firstPresent(q, []string{"versioning", "location"})
	}
	if bucket == "" {
		return fault.OpListBuckets
	}
	if sub != "" {
		if method == http.MethodGet || method == http.MethodHead {
			return fault.OpGetSetting
		}
		return fault.OpPutSetting
	}
	if object == "" {
		_, del := q["delete"]
		switch {
		case method == http.MethodPost && del:
			return fault.OpDeleteObject
		case method == http.MethodPost:
			return fault.OpPutObject // browser-form upload
		case method == http.MethodPut:
			return fault.OpCreateBucket
		case method == http.MethodHead:
			return fault.OpHeadBucket
		case method == http.MethodDelete:
			return fault.OpDeleteBucket
		default:
			return fault.OpListObjects // also ?uploads, ?versions listings
		}
	}
	switch method {
	case http.MethodGet, http.MethodHead:
		return fault.OpGetObject
	case http.MethodDelete:
		return fault.OpDeleteObject // also multipart abort
	default:
		return fault.OpPutObject // PUT, copy, multipart steps
	}
}

// hostBucket is the bucket a virtual-hosted-style host names: the labels before the first
// label that is "s3" or starts with "s3-" (s3-us-west-2, s3-accesspoint), "" when there are
// none (path style, or a host that is not an S3 name such as 127.0.0.1).
func hostBucket(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	labels := strings.Split(strings.ToLower(host), ".")
	for i, l := range labels {
		if l == "s3" || strings.HasPrefix(l, "s3-") {
			return strings.Join(labels[:i], ".")
		}
	}
	return ""
}

// ServeHTTP lets the fake be mounted elsewhere (e.g. under httptest with TLS); Start uses it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if b := hostBucket(r.Host); b != "" {
		// Virtual-hosted style: the same request in path style.
		r.URL.Path = "/" + b + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = "/" + b + r.URL.RawPath
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, object, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	op := classify(r.Method, bucket, object, q)

	if rule := s.faults.Before(r.Context(), op, bucket, object); rule != nil {
		code, msg := rule.Code, rule.Message
		if code == "" {
			code = defaultCode(rule.Status)
		}
		if msg == "" {
			msg = defaultMessage(code)
		}
		s.writeError(w, r, rule.Status, code, msg, bucket)
		return
	}
	if bucket == "" {
		s.inner.ServeHTTP(w, r)
		return
	}

	s.mu.Lock()
	foreign := s.foreign[bucket]
	s.mu.Unlock()
	if foreign {
		if op == fault.OpCreateBucket {
			s.writeError(w, r, http.StatusConflict, "BucketAlreadyExists",
				"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", bucket)
		} else {
			// HEAD answers carry no body; the SDK then reports the status text ("Forbidden"),
			// which is what the operator's HeadBucket error handling keys on.
			s.writeError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied", bucket)
		}
		return
	}

	if object == "" {
		if sub := firstPresent(q, managedSubresources); sub != "" {
			s.serveSubresource(w, r, bucket, sub)
			return
		}
	}
	if sub := firstPresent(q, unsupportedSubresources); sub != "" {
		s.writeError(w, r, http.StatusNotImplemented, "NotImplemented",
			"A header you provided implies functionality that is not implemented ("+sub+" is not served by the irconform S3 fake).", bucket)
		return
	}

	switch op {
	case fault.OpCreateBucket:
		s.mu.Lock()
		defer s.mu.Unlock()
		if ok, _ := s.backend.BucketExists(bucket); ok {
			// Every region but us-east-1 answers this for a bucket the caller already owns;
			// us-east-1 keeps a legacy 200. The operator treats both as "reuse", so the fake
			// uses the explicit form that lets a spec tell the paths apart.
			s.writeError(w, r, http.StatusConflict, "BucketAlreadyOwnedByYou",
				"Your previous request to create the named bucket succeeded and you already own it.", bucket)
			return
		}
		s.inner.ServeHTTP(w, r)
		delete(s.settings, bucket) // a fresh bucket has no settings, whatever came before
	case fault.OpDeleteBucket:
		s.mu.Lock()
		defer s.mu.Unlock()
		sw := &httpfake.StatusWriter{ResponseWriter: w}
		s.inner.ServeHTTP(sw, r)
		if sw.Succeeded() {
			delete(s.settings, bucket)
		}
	default:
		s.inner.ServeHTTP(w, r)
	}
}

type s3Error struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string
	Message    string
	BucketName string `xml:",omitempty"`
	Resource   string `xml:",omitempty"`
	RequestID  string `xml:"RequestId"`
}

func (s *Server) requestID(w http.ResponseWriter) string {
	id := fmt.Sprintf("%016X", 0x1C0F0000_00000000+s.reqID.Add(1))
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("Server", "AmazonS3")
	return id
}

// writeError answers in S3's XML error format; HEAD answers have no body, as on S3.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, msg, bucket string) {
	id := s.requestID(w)
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	body, _ := xml.Marshal(s3Error{Code: code, Message: msg, BucketName: bucket, Resource: r.URL.Path, RequestID: id})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

func defaultCode(status int) string {
	switch status {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return "SlowDown"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotFound:
		return "NoSuchBucket"
	case http.StatusBadRequest:
		return "InvalidRequest"
	case http.StatusConflict:
		return "OperationAborted"
	case http.StatusNotImplemented:
		return "NotImplemented"
	case http.StatusInternalServerError:
		return "InternalError"
	}
	if status >= 500 {
		return "InternalError"
	}
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

func defaultMessage(code string) string {
	switch code {
	case "SlowDown":
		return "Please reduce your request rate."
	case "AccessDenied":
		return "Access Denied"
	case "InternalError":
		return "We encountered an internal error. Please try again."
	case "NoSuchBucket":
		return "The specified bucket does not exist"
	case "ServiceUnavailable":
		return "Service is unable to handle request."
	}
	return code
}
