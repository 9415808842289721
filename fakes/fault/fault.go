// Package fault is the one fault-injection and call-log model shared by every storage fake.
//
// A fake calls Injector.Before(op, bucket) at the start of each request it serves; when a
// rule matches, the fake answers with the rule's HTTP status and error code in its own
// protocol's error format instead of serving the request. Every request is also recorded
// in the call log, so a spec can say "no DeleteBucket was ever sent".
package fault

import (
	"context"
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
