// Package fault is the one fault-injection and call-log model shared by every storage fake.
//
// A fake calls Injector.Before(op, bucket) at the start of each request it serves; when a
// rule matches, the fake answers with the rule's HTTP status and error code in its own
// protocol's error format instead of serving the request. Every request is also recorded
// in the call log, so a spec can say "no DeleteBucket was ever sent".
package fault

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Op names are protocol-neutral so that one spec wording fits every backend.
const (
	OpCreateBucket = "CreateBucket" // S3 bucket, Azure container, Swift container, GCS bucket
	OpHeadBucket   = "HeadBucket"   // existence / properties check
	OpDeleteBucket = "DeleteBucket"
	OpListBuckets  = "ListBuckets"
	OpPutObject    = "PutObject"
	OpGetObject    = "GetObject"
	OpDeleteObject = "DeleteObject"
	OpListObjects  = "ListObjects"
	OpPutSetting   = "PutSetting" // S3 encryption/tagging/public access block/lifecycle, GCS/Azure metadata updates
	OpGetSetting   = "GetSetting"
	OpAuth         = "Auth" // Keystone token issue, etc.
	Any            = "*"
)

// Rule makes matching calls fail or slow down.
type Rule struct {
	Op     string // an Op* name or Any
	Bucket string // bucket/container name, or "" for any
	// Status is the HTTP status to answer (e.g. 500, 503, 403); 0 means "don't fail, only delay".
	Status int
	// Code is the protocol error code (S3 "SlowDown", "AccessDenied", "InternalError";
	// Azure "ServerBusy"; ...). Empty: the fake picks its protocol's usual code for Status.
	Code    string
	Message string
	// Latency is added before answering (whether or not the call then fails).
	Latency time.Duration
	// Times limits how many calls the rule applies to (fails or delays); 0 means until cleared.
	Times int
}

// Call is one recorded request.
type Call struct {
	At     time.Time
	Op     string
	Bucket string
	Object string
	// Injected is the HTTP status returned by an injected fault (0 if served normally).
	Injected int
	// Request is what the client asked for, as a retry would ask it again: method, path and
	// the sorted query keys ("PUT /bucket?publicAccessBlock"); values are left out, they may
	// carry per-attempt tokens. Empty when the fake was served without Annotate.
	Request string
	// Attempt is the cloud SDK's attempt number of this request within one client call
	// (1: the first try; 2, 3: the SDK re-sending it after an error), read from the headers
	// the AWS and Google SDKs send; 0 when the client sends none (count it as a first try).
	Attempt int
}

// Injector holds the active rules and the call log. The zero value is ready to use; New is
// the usual way to get one.
type Injector struct {
	mu    sync.Mutex
	rules []*ruleState
	calls []Call
}

type ruleState struct {
	Rule
	used int
}

// New returns an empty injector.
func New() *Injector { return &Injector{} }

// Inject adds a rule; rules are matched in the order added.
func (i *Injector) Inject(r Rule) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rules = append(i.rules, &ruleState{Rule: r})
}

// Clear removes all rules (the backend recovers).
func (i *Injector) Clear() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rules = nil
}

// Reset clears the rules and the call log.
func (i *Injector) Reset() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rules = nil
	i.calls = nil
}

// Before records the call and returns the rule that applies to it, if any, after sleeping
// its latency (interruptible by ctx). A rule with Status 0 only delays: the returned
// *Rule is nil in that case.
func (i *Injector) Before(ctx context.Context, op, bucket, object string) *Rule {
	i.mu.Lock()
	var hit *Rule
	var delay time.Duration
	for _, r := range i.rules {
		if (r.Op != Any && r.Op != op) || (r.Bucket != "" && r.Bucket != bucket) {
			continue
		}
		if r.Times > 0 && r.used >= r.Times {
			continue
		}
		r.used++
		delay += r.Latency
		if r.Status != 0 {
			rr := r.Rule
			hit = &rr
			break
		}
	}
	c := Call{At: time.Now(), Op: op, Bucket: bucket, Object: object}
	if info, ok := ctx.Value(requestInfoKey{}).(requestInfo); ok {
		c.Request, c.Attempt = info.request, info.attempt
	}
	if hit != nil {
		c.Injected = hit.Status
	}
	i.calls = append(i.calls, c)
	i.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return hit
}

// Calls returns a copy of the call log.
func (i *Injector) Calls() []Call {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]Call(nil), i.calls...)
}

// Count returns how many calls of op (Any for all) on bucket ("" for any) were received.
func (i *Injector) Count(op, bucket string) int {
	n := 0
	for _, c := range i.Calls() {
		if (op == Any || c.Op == op) && (bucket == "" || c.Bucket == bucket) {
			n++
		}
	}
	return n
}

// BucketInfo is what an inspector reports of one bucket/container.
type BucketInfo struct {
	Name    string
	Objects int
	// Settings are the backend's bucket settings as strings, e.g. for S3
	// "encryption" → "AES256", "tag:Name" → "...", "publicAccessBlock" → "true,true,true,true",
	// "lifecycle:<rule id>" → "abort-multipart-after-days=1"; GCS "location", "label:<k>",
	// "uniformBucketLevelAccess", "kmsKey"; Azure/Swift "meta:<k>".
	Settings map[string]string
}

// Inspector is what every fake offers to specs.
type Inspector interface {
	// Buckets lists buckets/containers with settings and object counts.
	Buckets(ctx context.Context) ([]BucketInfo, error)
	// Faults is the fake's injector (rules and call log).
	Faults() *Injector
	// Seed creates a bucket with n objects directly in the fake's state, bypassing the call log
	// (for "the user's bucket exists before the operator starts").
	Seed(ctx context.Context, bucket string, objects int) error
}

type requestInfoKey struct{}

type requestInfo struct {
	request string
	attempt int
}

// Annotate carries what the call log records about r beyond op and bucket (Call.Request and
// Call.Attempt) to Before through r's context. Every fake's HTTP server applies it
// (fakes/internal/httpfake), so the fakes themselves only pass r.Context() on.
func Annotate(r *http.Request) *http.Request {
	keys := make([]string, 0, len(r.URL.Query()))
	for k := range r.URL.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	req := r.Method + " " + r.URL.Path
	if len(keys) > 0 {
		req += "?" + strings.Join(keys, "&")
	}
	return r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, requestInfo{request: req, attempt: sdkAttempt(r.Header)}))
}

var (
	// aws-sdk-go-v2 (and v1, and IBM's COS fork of it): "amz-sdk-request: attempt=2; max=3".
	awsAttempt = regexp.MustCompile(`(?:^|;)\s*attempt=(\d+)`)
	// cloud.google.com/go/storage: "x-goog-api-client: ... gccl-invocation-id/<uuid> gccl-attempt-count/2".
	googleAttempt = regexp.MustCompile(`gccl-attempt-count/(\d+)`)
)

// sdkAttempt reads the attempt number the cloud SDKs put on each request; 0 when absent.
func sdkAttempt(h http.Header) int {
	for _, m := range []struct {
		header string
		re     *regexp.Regexp
	}{{"amz-sdk-request", awsAttempt}, {"x-goog-api-client", googleAttempt}} {
		if sm := m.re.FindStringSubmatch(h.Get(m.header)); sm != nil {
			if n, err := strconv.Atoi(sm[1]); err == nil {
				return n
			}
		}
	}
	return 0
}

// Retries is how a client kept asking for one thing: each time it asked anew (a try: one
// client call, the SDK's own re-sends of it included) and how many HTTP requests that took.
type Retries struct {
	// Request names what was asked (Call.Request, or op and bucket without it).
	Request string
	Tries   []Try
	// Attempts counts every HTTP request for it, the SDK's re-sends included.
	Attempts int
}

// Try is one client call: its first HTTP request and its last (the SDK's last re-send).
type Try struct {
	First, Last time.Time
	Attempts    int
}

// RetriesOf finds, among the calls of op, the request asked for most often and how. A call
// with Attempt > 1 belongs to the try before it. Ties go to the request asked first.
func RetriesOf(calls []Call, op string) Retries {
	byReq := map[string]*Retries{}
	var order []string
	for _, c := range calls {
		if c.Op != op {
			continue
		}
		key := c.Request
		if key == "" {
			key = c.Op + " " + c.Bucket + "/" + c.Object
		}
		r := byReq[key]
		if r == nil {
			r = &Retries{Request: key}
			byReq[key] = r
			order = append(order, key)
		}
		r.Attempts++
		if c.Attempt <= 1 || len(r.Tries) == 0 {
			r.Tries = append(r.Tries, Try{First: c.At, Last: c.At, Attempts: 1})
			continue
		}
		t := &r.Tries[len(r.Tries)-1]
		t.Last = c.At
		t.Attempts++
	}
	best := Retries{}
	for _, k := range order {
		if r := byReq[k]; len(r.Tries) > len(best.Tries) {
			best = *r
		}
	}
	return best
}

// Pauses are the silences between successive tries: for each pair, the longest time
// between two successive calls (of any op, from calls) from the earlier try's last request
// to the later try's first. That leaves out the SDK's own pauses inside a try and the rest
// of the client's work around it; what remains is the client's wait before trying again.
func (r Retries) Pauses(calls []Call) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(r.Tries); i++ {
		from, to := r.Tries[i-1].Last, r.Tries[i].First
		longest, prev := time.Duration(0), from
		for _, c := range calls {
			if c.At.Before(from) || c.At.After(to) {
				continue
			}
			longest = max(longest, c.At.Sub(prev))
			prev = c.At
		}
		out = append(out, max(longest, to.Sub(prev)))
	}
	return out
}
