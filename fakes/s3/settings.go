package s3fake

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// bucketSettings keeps, per sub-resource, the document exactly as the client sent it (GET
// answers it byte for byte, so nothing the operator writes can be lost by a model that does
// not know a field) plus the parsed form used for validation and for the inspector.
type bucketSettings struct {
	docs map[string]storedDoc // by sub-resource name
}

type storedDoc struct {
	raw    []byte
	parsed any
}

type sseConfig struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	Rules   []sseRule `xml:"Rule"`
}

type sseRule struct {
	Default *struct {
		SSEAlgorithm   string
		KMSMasterKeyID string
	} `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool
}

type taggingDoc struct {
	XMLName xml.Name `xml:"Tagging"`
	Tags    []struct {
		Key   string
		Value string
	} `xml:"TagSet>Tag"`
}

type pabConfig struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	BlockPublicAcls       *bool
	IgnorePublicAcls      *bool
	BlockPublicPolicy     *bool
	RestrictPublicBuckets *bool
}

type lifecycleDoc struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Rules   []lifecycleRule `xml:"Rule"`
}

type lifecycleRule struct {
	ID     string
	Status string
	Prefix *string
	Filter *struct {
		Prefix *string
	}
	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation *int
	}
	Expiration *struct {
		Days *int
		Date string
	}
	NoncurrentVersionExpiration *struct {
		NoncurrentDays *int
	}
}

type notFound struct{ code, msg string }

var subNotFound = map[string]notFound{
	"encryption":        {"ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found"},
	"tagging":           {"NoSuchTagSet", "The TagSet does not exist"},
	"publicAccessBlock": {"NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"},
	"lifecycle":         {"NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"},
}

// badRequest is a client error found while validating a document.
type badRequest struct{ code, msg string }

func (e badRequest) Error() string { return e.code + ": " + e.msg }

func malformed() error {
	return badRequest{"MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"}
}

// parseSubresource decodes and checks a PUT body the way S3 would reject it.
func parseSubresource(sub string, raw []byte) (any, error) {
	switch sub {
	case "encryption":
		var c sseConfig
		if xml.Unmarshal(raw, &c) != nil || len(c.Rules) == 0 {
			return nil, malformed()
		}
		for _, r := range c.Rules {
			if r.Default == nil {
				return nil, malformed()
			}
			switch r.Default.SSEAlgorithm {
			case "AES256":
				if r.Default.KMSMasterKeyID != "" {
					return nil, badRequest{"InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"}
				}
			case "aws:kms", "aws:kms:dsse":
			default:
				return nil, malformed()
			}
		}
		return &c, nil
	case "tagging":
		var t taggingDoc
		if xml.Unmarshal(raw, &t) != nil {
			return nil, malformed()
		}
		if len(t.Tags) > 50 {
			return nil, badRequest{"InvalidTag", "Bucket tag count cannot be greater than 50"}
		}
		seen := map[string]bool{}
		for _, tag := range t.Tags {
			if seen[tag.Key] {
				return nil, badRequest{"InvalidTag", "Cannot provide multiple Tags with the same key"}
			}
			seen[tag.Key] = true
			if strings.HasPrefix(tag.Key, "aws:") {
				return nil, badRequest{"InvalidTag", "System tags cannot be added/updated by requester"}
			}
			if tag.Key == "" || len(tag.Key) > 128 || len(tag.Value) > 256 {
				return nil, badRequest{"InvalidTag", "The TagKey or TagValue you have provided is invalid"}
			}
		}
		return &t, nil
	case "publicAccessBlock":
		var p pabConfig
		if xml.Unmarshal(raw, &p) != nil {
			return nil, malformed()
		}
		return &p, nil
	case "lifecycle":
		var l lifecycleDoc
		if xml.Unmarshal(raw, &l) != nil || len(l.Rules) == 0 || len(l.Rules) > 1000 {
			return nil, malformed()
		}
		ids := map[string]bool{}
		for _, r := range l.Rules {
			if r.Status != "Enabled" && r.Status != "Disabled" {
				return nil, malformed()
			}
			if len(r.ID) > 255 {
				return nil, badRequest{"InvalidArgument", "ID length should not exceed allowed limit of 255"}
			}
			if r.ID != "" && ids[r.ID] {
				return nil, badRequest{"InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule"}
			}
			ids[r.ID] = true
		}
		return &l, nil
	}
	return nil, malformed()
}

// Models S3-003, S3-004, S3-005, S3-006, STOR-002.
func (s *Server) serveSubresource(w http.ResponseWriter, r *http.Request, bucket, sub string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok, _ := s.backend.BucketExists(bucket); !ok {
		s.writeError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", bucket)
		return
	}
	st := s.settings[bucket]
	switch r.Method {
	case http.MethodGet:
		doc, ok := st.get(sub)
		if !ok {
			nf := subNotFound[sub]
			s.writeError(w, r, http.StatusNotFound, nf.code, nf.msg, bucket)
			return
		}
		s.requestID(w)
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", strconv.Itoa(len(doc.raw)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(doc.raw)
	case http.MethodPut:
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			s.writeError(w, r, http.StatusBadRequest, "IncompleteBody", err.Error(), bucket)
			return
		}
		parsed, err := parseSubresource(sub, raw)
		if err != nil {
			br, _ := err.(badRequest)
			s.writeError(w, r, http.StatusBadRequest, br.code, br.msg, bucket)
			return
		}
		if st == nil {
			st = &bucketSettings{docs: map[string]storedDoc{}}
			s.settings[bucket] = st
		}
		st.docs[sub] = storedDoc{raw: raw, parsed: parsed}
		s.requestID(w)
		w.WriteHeader(http.StatusOK)
	case http.MethodDelete:
		if st != nil {
			delete(st.docs, sub)
		}
		s.requestID(w)
		w.WriteHeader(http.StatusNoContent)
	default:
		s.writeError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.", bucket)
	}
}

func (st *bucketSettings) get(sub string) (storedDoc, bool) {
	if st == nil {
		return storedDoc{}, false
	}
	d, ok := st.docs[sub]
	return d, ok
}

func boolStr(b *bool) string { return strconv.FormatBool(b != nil && *b) }

// describe flattens the stored documents into the inspector's setting keys.
func (st *bucketSettings) describe(out map[string]string) {
	if d, ok := st.get("encryption"); ok {
		c := d.parsed.(*sseConfig)
		r := c.Rules[0]
		out[SettingEncryption] = r.Default.SSEAlgorithm
		if r.Default.KMSMasterKeyID != "" {
			out[SettingKMSKeyID] = r.Default.KMSMasterKeyID
		}
		if r.BucketKeyEnabled != nil {
			out[SettingBucketKeyEnabled] = boolStr(r.BucketKeyEnabled)
		}
	}
	if d, ok := st.get("tagging"); ok {
		for _, t := range d.parsed.(*taggingDoc).Tags {
			out[SettingTagPrefix+t.Key] = t.Value
		}
	}
	if d, ok := st.get("publicAccessBlock"); ok {
		p := d.parsed.(*pabConfig)
		out[SettingPublicAccessBlock] = strings.Join([]string{
			boolStr(p.BlockPublicAcls), boolStr(p.IgnorePublicAcls),
			boolStr(p.BlockPublicPolicy), boolStr(p.RestrictPublicBuckets),
		}, ",")
	}
	if d, ok := st.get("lifecycle"); ok {
		for i, r := range d.parsed.(*lifecycleDoc).Rules {
			id := r.ID
			if id == "" {
				id = fmt.Sprintf("#%d", i)
			}
			out[SettingLifecyclePrefix+id] = describeRule(r)
		}
	}
}

// describeRule renders a lifecycle rule as comma-separated facts; an enabled rule with an
// empty prefix and only an abort action reads "abort-incomplete-multipart-days=1".
func describeRule(r lifecycleRule) string {
	var parts []string
	if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation != nil {
		parts = append(parts, fmt.Sprintf("abort-incomplete-multipart-days=%d", *a.DaysAfterInitiation))
	}
	if e := r.Expiration; e != nil {
		if e.Days != nil {
			parts = append(parts, fmt.Sprintf("expiration-days=%d", *e.Days))
		}
		if e.Date != "" {
			parts = append(parts, "expiration-date="+e.Date)
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil && n.NoncurrentDays != nil {
		parts = append(parts, fmt.Sprintf("noncurrent-expiration-days=%d", *n.NoncurrentDays))
	}
	prefix := ""
	if r.Prefix != nil {
		prefix = *r.Prefix
	} else if r.Filter != nil && r.Filter.Prefix != nil {
		prefix = *r.Filter.Prefix
	}
	if prefix != "" {
		parts = append(parts, "prefix="+prefix)
	}
	if r.Status != "Enabled" {
		parts = append(parts, "status="+r.Status)
	}
	return strings.Join(parts, ",")
}
