package ibmcosfake

import (
	"bytes"

	"encoding/xml"
	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/internal/httpfake"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// locationConstraintRE is COS's provisioning code: <region>-<storage class>.
var locationConstraintRE = regexp.MustCompile(`^[a-z]{2}-[a-z]+-(standard|vault|cold|flex|smart|onerate_active)$`)

type cosError struct {
	XMLName  xml.Name `xml:"Error"`
	Code     string
	Message  string
	Resource string
}

// writeCOSError answers in S3's XML error format (HEAD: no body, as S3).
func writeCOSError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	body, _ := xml.Marshal(cosError{Code: code, Message: msg, Resource: r.URL.Path})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

// hmacKey returns the resource key whose HMAC access key signs r (SigV4), if any.
func (s *Server) hmacKey(r *http.Request) (*ResourceKey, bool) {
	auth := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !ok {
		return nil, false
	}
	ak, _, _ := strings.Cut(cred, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.HMAC && k.AccessKeyID == ak {
			c := *k
			return &c, true
		}
	}
	return nil, true
}

// serveCOS authenticates the request as COS does, then hands it to the S3 layer. Bucket
// creation with a bearer token must name an active service instance in header
// ibm-service-instance-id; with an HMAC key the key's instance is used.
//
// Models IBMCOS-001, IBMCOS-005, IBMCOS-006, IBMCOS-007.
func (s *Server) serveCOS(w http.ResponseWriter, r *http.Request) {
	instance := ""
	if key, isHMAC := s.hmacKey(r); isHMAC {
		if key == nil {
			writeCOSError(w, r, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
			return
		}
		instance = key.SourceCRN
	} else if ok, why := s.bearer(r); !ok {
		writeCOSError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied: "+why)
		return
	}

	bucket, object, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" && r.Method == http.MethodGet {
		s.listBuckets(w, r, r.Header.Get("ibm-service-instance-id"))
		return
	}
	create := r.Method == http.MethodPut && bucket != "" && object == "" && len(r.URL.Query()) == 0
	if !create {
		sw := &httpfake.StatusWriter{ResponseWriter: w}
		s.cos.ServeHTTP(sw, r)
		if r.Method == http.MethodDelete && bucket != "" && object == "" && len(r.URL.Query()) == 0 && sw.Succeeded() {
			s.mu.Lock()
			delete(s.buckets, bucket)
			s.mu.Unlock()
		}
		return
	}

	if h := r.Header.Get("ibm-service-instance-id"); h != "" {
		instance = h
	}
	if !s.activeInstance(instance) {
		writeCOSError(w, r, http.StatusForbidden, "AccessDenied",
			"Access Denied: header ibm-service-instance-id must name an active service instance")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeCOSError(w, r, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	var conf struct {
		LocationConstraint string `xml:"LocationConstraint"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := xml.Unmarshal(body, &conf); err != nil {
			writeCOSError(w, r, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed.")
			return
		}
		if !locationConstraintRE.MatchString(conf.LocationConstraint) {
			writeCOSError(w, r, http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	sw := &httpfake.StatusWriter{ResponseWriter: w}
	s.cos.ServeHTTP(sw, r)
	if sw.Succeeded() {
		s.mu.Lock()
		s.buckets[bucket] = bucketMeta{locationConstraint: conf.LocationConstraint, instanceCRN: instance}
		s.mu.Unlock()
	}
}

type listAllMyBuckets struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner   struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName"`
	} `xml:"Owner"`
	Buckets []listedBucket `xml:"Buckets>Bucket"`
}

type listedBucket struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
}

// listBuckets is COS's ListBuckets: with header ibm-service-instance-id, only that
// instance's buckets (as COS scopes listings to an instance).
func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request, instance string) {
	if rule := s.faults.Before(r.Context(), fault.OpListBuckets, "", ""); rule != nil {
		code := rule.Code
		if code == "" {
			code = "ServiceUnavailable"
		}
		writeCOSError(w, r, rule.Status, code, rule.Message)
		return
	}
	all, err := s.cos.Buckets(r.Context())
	if err != nil {
		writeCOSError(w, r, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	var out listAllMyBuckets
	out.Owner.ID, out.Owner.DisplayName = s.AccountID, s.AccountID
	s.mu.Lock()
	for _, b := range all {
		if instance != "" && s.buckets[b.Name].instanceCRN != instance {
			continue
		}
		out.Buckets = append(out.Buckets, listedBucket{Name: b.Name, CreationDate: "2026-01-01T00:00:00.000Z"})
	}
	s.mu.Unlock()
	body, _ := xml.Marshal(out)
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

func (s *Server) activeInstance(crn string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.instances {
		if in.CRN == crn || in.GUID == crn {
			return in.State == StateActive
		}
	}
	return false
}
