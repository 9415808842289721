package fault_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/irconform/irconform/fakes/fault"
)

// call is one Before invocation in a table.
type call struct {
	op, bucket, object string
}

// statusOf returns the status of the rule Before answered with (0 when served normally).
func statusOf(r *fault.Rule) int {
	if r == nil {
		return 0
	}
	return r.Status
}

// injected returns the Injected column of the call log.
func injected(calls []fault.Call) []int {
	out := make([]int, len(calls))
	for k, c := range calls {
		out[k] = c.Injected
	}
	return out
}

func TestBeforeMatching(t *testing.T) {
	tests := []struct {
		name  string
		rules []fault.Rule
		call  call
		want  int // status Before answers with; 0 = served normally
	}{
		{"no rules", nil, call{fault.OpCreateBucket, "b", ""}, 0},
		{"op matches", []fault.Rule{{Op: fault.OpCreateBucket, Status: 503}}, call{fault.OpCreateBucket, "b", ""}, 503},
		{"other op", []fault.Rule{{Op: fault.OpCreateBucket, Status: 503}}, call{fault.OpDeleteBucket, "b", ""}, 0},
		{"Any op", []fault.Rule{{Op: fault.Any, Status: 500}}, call{fault.OpListObjects, "b", "k"}, 500},
		{"Any op matches bucketless call", []fault.Rule{{Op: fault.Any, Status: 500}}, call{fault.OpAuth, "", ""}, 500},
		{"empty bucket means any bucket", []fault.Rule{{Op: fault.OpHeadBucket, Status: 404}}, call{fault.OpHeadBucket, "whatever", ""}, 404},
		{"bucket matches", []fault.Rule{{Op: fault.OpPutObject, Bucket: "b", Status: 403}}, call{fault.OpPutObject, "b", "k"}, 403},
		{"other bucket", []fault.Rule{{Op: fault.OpPutObject, Bucket: "b", Status: 403}}, call{fault.OpPutObject, "c", "k"}, 0},
		{"bucket rule vs bucketless call", []fault.Rule{{Op: fault.OpListBuckets, Bucket: "b", Status: 403}}, call{fault.OpListBuckets, "", ""}, 0},
		{"right bucket wrong op", []fault.Rule{{Op: fault.OpPutObject, Bucket: "b", Status: 403}}, call{fault.OpGetObject, "b", "k"}, 0},
		{"Any op on one bucket", []fault.Rule{{Op: fault.Any, Bucket: "flaky", Status: 403}}, call{fault.OpGetSetting, "flaky", ""}, 403},
		{"Any op on one bucket, other bucket", []fault.Rule{{Op: fault.Any, Bucket: "flaky", Status: 403}}, call{fault.OpGetSetting, "steady", ""}, 0},
		{"object does not matter", []fault.Rule{{Op: fault.OpDeleteObject, Bucket: "b", Status: 500}}, call{fault.OpDeleteObject, "b", "any/key"}, 500},
		{
			"first matching rule wins",
			[]fault.Rule{{Op: fault.OpCreateBucket, Status: 503}, {Op: fault.Any, Status: 500}},
			call{fault.OpCreateBucket, "b", ""}, 503,
		},
		{
			"non-matching earlier rule is skipped",
			[]fault.Rule{{Op: fault.OpDeleteBucket, Status: 503}, {Op: fault.Any, Status: 500}},
			call{fault.OpCreateBucket, "b", ""}, 500,
		},
		{
			"bucket-specific rule added after a general one loses",
			[]fault.Rule{{Op: fault.OpPutObject, Status: 500}, {Op: fault.OpPutObject, Bucket: "b", Status: 403}},
			call{fault.OpPutObject, "b", "k"}, 500,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := fault.New()
			for _, r := range tt.rules {
				inj.Inject(r)
			}
			got := inj.Before(context.Background(), tt.call.op, tt.call.bucket, tt.call.object)
			if statusOf(got) != tt.want {
				t.Fatalf("Before(%q, %q) = %+v, want status %d", tt.call.op, tt.call.bucket, got, tt.want)
			}
			calls := inj.Calls()
			if len(calls) != 1 || calls[0].Injected != tt.want {
				t.Fatalf("call log %+v, want one call with Injected=%d", calls, tt.want)
			}
		})
	}
}

func TestStatusRule(t *testing.T) {
	tests := []struct {
		name string
		rule fault.Rule
	}{
		{"status only", fault.Rule{Op: fault.OpCreateBucket, Status: 503}},
		{"status and code", fault.Rule{Op: fault.OpCreateBucket, Status: 503, Code: "SlowDown"}},
		{"status, code and message", fault.Rule{Op: fault.OpCreateBucket, Bucket: "b", Status: 403, Code: "AccessDenied", Message: "nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := fault.New()
			inj.Inject(tt.rule)
			got := inj.Before(context.Background(), fault.OpCreateBucket, "b", "")
			if got == nil {
				t.Fatal("Before returned nil, want the rule")
			}
			if *got != tt.rule {
				t.Fatalf("Before returned %+v, want %+v", *got, tt.rule)
			}
			// The returned rule is the caller's copy: changing it must not change the injector.
			got.Status, got.Code = 599, "Mutated"
			again := inj.Before(context.Background(), fault.OpCreateBucket, "b", "")
			if again == nil || *again != tt.rule {
				t.Fatalf("after mutating the returned rule, Before = %+v, want %+v", again, tt.rule)
			}
			if want := []int{tt.rule.Status, tt.rule.Status}; !slices.Equal(injected(inj.Calls()), want) {
				t.Fatalf("Injected log %v, want %v", injected(inj.Calls()), want)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	const lat = 30 * time.Millisecond
	tests := []struct {
		name       string
		rules      []fault.Rule
		call       call
		wantStatus int
		minDelay   time.Duration
	}{
		{
			"latency only: delays, then served normally",
			[]fault.Rule{{Op: fault.OpHeadBucket, Latency: lat}},
			call{fault.OpHeadBucket, "b", ""}, 0, lat,
		},
		{
			"latency only on a bucket",
			[]fault.Rule{{Op: fault.Any, Bucket: "slow", Latency: lat}},
			call{fault.OpGetObject, "slow", "k"}, 0, lat,
		},
		{
			"latency with status: delays, then fails",
			[]fault.Rule{{Op: fault.OpPutObject, Status: 503, Latency: lat}},
			call{fault.OpPutObject, "b", "k"}, 503, lat,
		},
		{
			// A delay-only rule does not stop matching: a later failing rule still applies,
			// and both latencies are added.
			"latency-only rule before a failing rule",
			[]fault.Rule{{Op: fault.Any, Latency: lat}, {Op: fault.OpPutObject, Status: 500, Latency: lat}},
			call{fault.OpPutObject, "b", "k"}, 500, 2 * lat,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inj := fault.New()
			for _, r := range tt.rules {
				inj.Inject(r)
			}
			start := time.Now()
			got := inj.Before(context.Background(), tt.call.op, tt.call.bucket, tt.call.object)
			elapsed := time.Since(start)
			if tt.wantStatus == 0 && got != nil {
				t.Fatalf("delay-only rule returned %+v, want nil", got)
			}
			if statusOf(got) != tt.wantStatus {
				t.Fatalf("status %d, want %d", statusOf(got), tt.wantStatus)
			}
			if elapsed < tt.minDelay {
				t.Fatalf("Before took %v, want at least %v", elapsed, tt.minDelay)
			}
			if c := inj.Calls(); len(c) != 1 || c[0].Injected != tt.wantStatus {
				t.Fatalf("call log %+v, want one call with Injected=%d", c, tt.wantStatus)
			}
		})
	}

	// Latency of a rule that does not match must not be applied. The latency is far above the
	// bound so this cannot flake; a broken matcher makes the test take 3s and fail.
	t.Run("non-matching rule adds no latency", func(t *testing.T) {
		t.Parallel()
		inj := fault.New()
		inj.Inject(fault.Rule{Op: fault.OpDeleteBucket, Latency: 3 * time.Second})
		inj.Inject(fault.Rule{Op: fault.Any, Bucket: "other", Latency: 3 * time.Second})
		start := time.Now()
		if got := inj.Before(context.Background(), fault.OpCreateBucket, "b", ""); got != nil {
			t.Fatalf("Before = %+v, want nil", got)
		}
		if elapsed := time.Since(start); elapsed >= time.Second {
			t.Fatalf("Before took %v for a call no rule matches", elapsed)
		}
	})

	t.Run("latency is interruptible by ctx", func(t *testing.T) {
		t.Parallel()
		inj := fault.New()
		inj.Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503, Latency: 3 * time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		start := time.Now()
		got := inj.Before(ctx, fault.OpCreateBucket, "b", "")
		if elapsed := time.Since(start); elapsed >= time.Second {
			t.Fatalf("Before with a cancelled ctx took %v", elapsed)
		}
		if statusOf(got) != 503 {
			t.Fatalf("Before = %+v, want the 503 rule even when the delay was cut short", got)
		}
		if n := inj.Count(fault.OpCreateBucket, "b"); n != 1 {
			t.Fatalf("Count = %d, want 1", n)
		}
	})
}

func TestTimes(t *testing.T) {
	tests := []struct {
		name  string
		rules []fault.Rule
		calls []call
		want  []int // status per call; 0 = served normally
	}{
		{
			"Times=1 fails once then recovers",
			[]fault.Rule{{Op: fault.OpCreateBucket, Status: 503, Times: 1}},
			repeat(call{fault.OpCreateBucket, "b", ""}, 3),
			[]int{503, 0, 0},
		},
		{
			"Times=3 fails exactly three calls",
			[]fault.Rule{{Op: fault.OpCreateBucket, Status: 503, Times: 3}},
			repeat(call{fault.OpCreateBucket, "b", ""}, 5),
			[]int{503, 503, 503, 0, 0},
		},
		{
			"Times=0 fails until cleared",
			[]fault.Rule{{Op: fault.OpCreateBucket, Status: 500}},
			repeat(call{fault.OpCreateBucket, "b", ""}, 6),
			[]int{500, 500, 500, 500, 500, 500},
		},
		{
			"non-matching calls do not use up Times",
			[]fault.Rule{{Op: fault.OpCreateBucket, Bucket: "b", Status: 503, Times: 1}},
			[]call{{fault.OpHeadBucket, "b", ""}, {fault.OpCreateBucket, "c", ""}, {fault.OpCreateBucket, "b", ""}, {fault.OpCreateBucket, "b", ""}},
			[]int{0, 0, 503, 0},
		},
		{
			"exhausted rule falls through to the next",
			[]fault.Rule{{Op: fault.OpCreateBucket, Status: 503, Times: 2}, {Op: fault.Any, Status: 500}},
			repeat(call{fault.OpCreateBucket, "b", ""}, 4),
			[]int{503, 503, 500, 500},
		},
		{
			"a call answered by an earlier rule does not use up a later rule",
			[]fault.Rule{{Op: fault.OpCreateBucket, Status: 503, Times: 1}, {Op: fault.Any, Status: 500, Times: 1}},
			repeat(call{fault.OpCreateBucket, "b", ""}, 3),
			[]int{503, 500, 0},
		},
		{
			"each rule counts its own Times",
			[]fault.Rule{{Op: fault.OpPutObject, Bucket: "a", Status: 503, Times: 1}, {Op: fault.OpPutObject, Bucket: "b", Status: 403, Times: 2}},
			[]call{{fault.OpPutObject, "b", "k"}, {fault.OpPutObject, "a", "k"}, {fault.OpPutObject, "a", "k"}, {fault.OpPutObject, "b", "k"}, {fault.OpPutObject, "b", "k"}},
			[]int{403, 503, 0, 403, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := fault.New()
			for _, r := range tt.rules {
				inj.Inject(r)
			}
			got := make([]int, len(tt.calls))
			for k, c := range tt.calls {
				got[k] = statusOf(inj.Before(context.Background(), c.op, c.bucket, c.object))
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("statuses %v, want %v", got, tt.want)
			}
			if log := injected(inj.Calls()); !slices.Equal(log, tt.want) {
				t.Fatalf("Injected log %v, want %v", log, tt.want)
			}
		})
	}

	// Times also bounds a delay-only rule. The first call uses the rule up with a cancelled
	// ctx (so it does not wait); the second must not be delayed.
	t.Run("Times bounds a latency-only rule", func(t *testing.T) {
		inj := fault.New()
		inj.Inject(fault.Rule{Op: fault.OpHeadBucket, Latency: 3 * time.Second, Times: 1})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		inj.Before(ctx, fault.OpHeadBucket, "b", "")
		start := time.Now()
		if got := inj.Before(context.Background(), fault.OpHeadBucket, "b", ""); got != nil {
			t.Fatalf("Before = %+v, want nil", got)
		}
		if elapsed := time.Since(start); elapsed >= time.Second {
			t.Fatalf("second call took %v after a Times=1 latency rule was used up", elapsed)
		}
	})
}

func repeat(c call, n int) []call {
	out := make([]call, n)
	for k := range out {
		out[k] = c
	}
	return out
}

func TestClearAndReset(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		clear    func(*fault.Injector)
		wantLogN int // calls left in the log right after clearing (2 were made before)
	}{
		{"Clear keeps the call log", (*fault.Injector).Clear, 2},
		{"Reset empties the call log", (*fault.Injector).Reset, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := fault.New()
			inj.Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503})
			inj.Inject(fault.Rule{Op: fault.Any, Bucket: "b", Status: 403, Times: 5})
			if got := statusOf(inj.Before(ctx, fault.OpCreateBucket, "b", "")); got != 503 {
				t.Fatalf("before clearing: status %d, want 503", got)
			}
			if got := statusOf(inj.Before(ctx, fault.OpGetObject, "b", "k")); got != 403 {
				t.Fatalf("before clearing: status %d, want 403", got)
			}

			tt.clear(inj)
			if n := len(inj.Calls()); n != tt.wantLogN {
				t.Fatalf("log has %d calls after clearing, want %d", n, tt.wantLogN)
			}
			for _, c := range []call{{fault.OpCreateBucket, "b", ""}, {fault.OpGetObject, "b", "k"}} {
				if got := inj.Before(ctx, c.op, c.bucket, c.object); got != nil {
					t.Fatalf("after clearing, Before(%q, %q) = %+v, want nil", c.op, c.bucket, got)
				}
			}
			if n := len(inj.Calls()); n != tt.wantLogN+2 {
				t.Fatalf("log has %d calls, want %d: calls after clearing are still recorded", n, tt.wantLogN+2)
			}

			// Rules injected after clearing apply again.
			inj.Inject(fault.Rule{Op: fault.OpDeleteBucket, Status: 500, Times: 1})
			if got := statusOf(inj.Before(ctx, fault.OpDeleteBucket, "b", "")); got != 500 {
				t.Fatalf("rule injected after clearing: status %d, want 500", got)
			}
		})
	}
}

func TestCallLog(t *testing.T) {
	ctx := context.Background()
	inj := fault.New()
	inj.Inject(fault.Rule{Op: fault.OpCreateBucket, Bucket: "flaky", Status: 503, Times: 1})
	inj.Inject(fault.Rule{Op: fault.OpGetObject, Status: 404, Code: "NoSuchKey"})

	seq := []struct {
		call
		injected int
	}{
		{call{fault.OpAuth, "", ""}, 0},
		{call{fault.OpCreateBucket, "flaky", ""}, 503},
		{call{fault.OpCreateBucket, "flaky", ""}, 0},
		{call{fault.OpPutObject, "flaky", "a/b.txt"}, 0},
		{call{fault.OpGetObject, "flaky", "a/b.txt"}, 404},
		{call{fault.OpListBuckets, "", ""}, 0},
		{call{fault.OpDeleteBucket, "flaky", ""}, 0},
	}
	start := time.Now()
	for _, s := range seq {
		inj.Before(ctx, s.op, s.bucket, s.object)
	}
	end := time.Now()

	calls := inj.Calls()
	if len(calls) != len(seq) {
		t.Fatalf("log has %d calls, want %d: %+v", len(calls), len(seq), calls)
	}
	for k, s := range seq {
		t.Run(fmt.Sprintf("%d_%s", k, s.op), func(t *testing.T) {
			c := calls[k]
			if c.Op != s.op || c.Bucket != s.bucket || c.Object != s.object || c.Injected != s.injected {
				t.Errorf("call %d = {Op:%q Bucket:%q Object:%q Injected:%d}, want {%q %q %q %d}",
					k, c.Op, c.Bucket, c.Object, c.Injected, s.op, s.bucket, s.object, s.injected)
			}
			if c.At.Before(start) || c.At.After(end) {
				t.Errorf("call %d At = %v, want within [%v, %v]", k, c.At, start, end)
			}
			if k > 0 && c.At.Before(calls[k-1].At) {
				t.Errorf("call %d At = %v is before call %d At = %v", k, c.At, k-1, calls[k-1].At)
			}
		})
	}

	t.Run("Calls returns a copy", func(t *testing.T) {
		got := inj.Calls()
		got[0].Op = "Mutated"
		_ = append(got[:1], fault.Call{Op: "Appended"})
		again := inj.Calls()
		if again[0].Op != fault.OpAuth || again[1].Op != fault.OpCreateBucket || len(again) != len(seq) {
			t.Fatalf("log changed through the returned slice: %+v", again)
		}
	})

	t.Run("fresh injector has an empty log", func(t *testing.T) {
		if n := len(fault.New().Calls()); n != 0 {
			t.Fatalf("new injector log has %d calls", n)
		}
	})
}

func TestCount(t *testing.T) {
	ctx := context.Background()
	inj := fault.New()
	inj.Inject(fault.Rule{Op: fault.OpCreateBucket, Bucket: "a", Status: 503, Times: 1})
	for _, c := range []call{
		{fault.OpAuth, "", ""},
		{fault.OpCreateBucket, "a", ""}, // faulted: still counted
		{fault.OpCreateBucket, "a", ""},
		{fault.OpCreateBucket, "b", ""},
		{fault.OpPutObject, "a", "k1"},
		{fault.OpPutObject, "a", "k2"},
		{fault.OpPutObject, "b", "k1"},
		{fault.OpListBuckets, "", ""},
	} {
		inj.Before(ctx, c.op, c.bucket, c.object)
	}

	tests := []struct {
		op, bucket string
		want       int
	}{
		{fault.Any, "", 8},
		{fault.OpCreateBucket, "", 3},
		{fault.OpCreateBucket, "a", 2},
		{fault.OpCreateBucket, "b", 1},
		{fault.OpCreateBucket, "c", 0},
		{fault.OpPutObject, "a", 2},
		{fault.OpPutObject, "", 3},
		{fault.Any, "a", 4},
		{fault.Any, "b", 2},
		{fault.OpAuth, "", 1},
		{fault.OpListBuckets, "", 1},
		{fault.OpDeleteBucket, "", 0},
		{fault.OpDeleteBucket, "a", 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%s", tt.op, tt.bucket), func(t *testing.T) {
			if got := inj.Count(tt.op, tt.bucket); got != tt.want {
				t.Fatalf("Count(%q, %q) = %d, want %d", tt.op, tt.bucket, got, tt.want)
			}
		})
	}

	t.Run("Clear keeps counts, Reset zeroes them", func(t *testing.T) {
		inj.Clear()
		if got := inj.Count(fault.Any, ""); got != 8 {
			t.Fatalf("after Clear Count = %d, want 8", got)
		}
		inj.Reset()
		if got := inj.Count(fault.Any, ""); got != 0 {
			t.Fatalf("after Reset Count = %d, want 0", got)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	const (
		workers = 16
		perG    = 50
		total   = workers * perG
		times   = total / 2
	)

	// Times=N holds exactly under contention, and every call is logged once.
	t.Run("Times is exact under contention", func(t *testing.T) {
		inj := fault.New()
		inj.Inject(fault.Rule{Op: fault.OpPutObject, Status: 503, Times: times})
		var wg sync.WaitGroup
		var mu sync.Mutex
		failed := 0
		start := make(chan struct{}) // release all workers at once to maximise contention
		for g := range workers {
			wg.Go(func() {
				<-start
				n := 0
				for k := range perG {
					if inj.Before(context.Background(), fault.OpPutObject, "b", fmt.Sprintf("%d-%d", g, k)) != nil {
						n++
					}
				}
				mu.Lock()
				failed += n
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		if failed != times {
			t.Fatalf("%d calls failed, want exactly %d", failed, times)
		}
		calls := inj.Calls()
		if len(calls) != total {
			t.Fatalf("log has %d calls, want %d", len(calls), total)
		}
		nInjected := 0
		seen := make(map[string]bool, total)
		for _, c := range calls {
			if c.Injected != 0 {
				nInjected++
			}
			if seen[c.Object] {
				t.Fatalf("call %q logged twice", c.Object)
			}
			seen[c.Object] = true
		}
		if nInjected != times {
			t.Fatalf("log shows %d injected faults, want %d", nInjected, times)
		}
	})

	// Every method used at once; -race reports any unsynchronised access.
	t.Run("all methods at once", func(t *testing.T) {
		inj := fault.New()
		var wg sync.WaitGroup
		for g := range workers {
			wg.Go(func() {
				for k := range perG {
					switch k % 5 {
					case 0:
						inj.Inject(fault.Rule{Op: fault.Any, Bucket: fmt.Sprint(g), Status: 500, Times: 2})
					case 1:
						if r := inj.Before(context.Background(), fault.OpGetObject, fmt.Sprint(g), "k"); r != nil {
							r.Status = 0 // the returned rule is the caller's to modify
						}
					case 2:
						for _, c := range inj.Calls() {
							_ = c.Op
						}
					case 3:
						_ = inj.Count(fault.OpGetObject, fmt.Sprint(g))
					case 4:
						if g == 0 {
							inj.Clear()
						} else {
							inj.Before(context.Background(), fault.OpPutObject, "", "")
						}
					}
				}
			})
		}
		wg.Wait()
		want := workers*perG/5 + (workers-1)*perG/5
		if n := inj.Count(fault.Any, ""); n != want {
			t.Fatalf("Count = %d, want %d", n, want)
		}
	})
}

// TestAnnotate: a request served through Annotate is logged with its shape (method, path,
// sorted query keys without values) and the SDK's attempt number from either SDK's header.
func TestAnnotate(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		url     string
		header  map[string]string
		request string
		attempt int
	}{
		{"aws first attempt", http.MethodPut, "http://fake/bucket?tagging=&x-id=PutBucketTagging",
			map[string]string{"amz-sdk-request": "attempt=1; max=3"}, "PUT /bucket?tagging&x-id", 1},
		{"aws re-send", http.MethodPut, "http://fake/bucket",
			map[string]string{"Amz-Sdk-Request": "ttl=20261201T000000Z; attempt=3; max=3"}, "PUT /bucket", 3},
		{"google re-send", http.MethodPost, "http://fake/storage/v1/b?project=p&alt=json",
			map[string]string{"X-Goog-Api-Client": "gl-go/1.26 gccl/1.70.0 gccl-invocation-id/abc gccl-attempt-count/2"}, "POST /storage/v1/b?alt&project", 2},
		{"no SDK header", http.MethodGet, "http://fake/v1/AUTH_x/c", nil, "GET /v1/AUTH_x/c", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inj := fault.New()
			r := httptest.NewRequest(tc.method, tc.url, nil)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			r = fault.Annotate(r)
			inj.Before(r.Context(), fault.OpPutSetting, "bucket", "")
			c := inj.Calls()[0]
			if c.Request != tc.request || c.Attempt != tc.attempt {
				t.Errorf("logged Request %q Attempt %d, want %q %d", c.Request, c.Attempt, tc.request, tc.attempt)
			}
		})
	}
}

// TestRetriesOf: an SDK's re-sends belong to the try before them; the most asked request
// wins; pauses are the longest silences between tries, whatever else was called meanwhile.
func TestRetriesOf(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	calls := []fault.Call{
		{At: at(0), Op: fault.OpHeadBucket, Request: "HEAD /b", Attempt: 1},
		{At: at(1), Op: fault.OpCreateBucket, Request: "PUT /b", Attempt: 1},
		{At: at(6), Op: fault.OpCreateBucket, Request: "PUT /b", Attempt: 2},
		{At: at(12), Op: fault.OpCreateBucket, Request: "PUT /b", Attempt: 3},
		// the operator waits 20 ms, then syncs again: a read, then the create
		{At: at(32), Op: fault.OpHeadBucket, Request: "HEAD /b", Attempt: 1},
		{At: at(33), Op: fault.OpCreateBucket, Request: "PUT /b", Attempt: 1},
		{At: at(38), Op: fault.OpCreateBucket, Request: "PUT /b", Attempt: 2},
		{At: at(78), Op: fault.OpHeadBucket, Request: "HEAD /b", Attempt: 1},
		{At: at(79), Op: fault.OpCreateBucket, Request: "PUT /b", Attempt: 0}, // no SDK header: a try
		{At: at(80), Op: fault.OpCreateBucket, Request: "PUT /other", Attempt: 1},
	}
	r := fault.RetriesOf(calls, fault.OpCreateBucket)
	if r.Request != "PUT /b" || len(r.Tries) != 3 || r.Attempts != 6 {
		t.Fatalf("RetriesOf = %q, %d tries, %d attempts; want PUT /b, 3 tries, 6 attempts", r.Request, len(r.Tries), r.Attempts)
	}
	if r.Tries[0].Attempts != 3 || !r.Tries[0].Last.Equal(at(12)) || r.Tries[1].Attempts != 2 {
		t.Errorf("tries %+v: the re-sends belong to the try before them", r.Tries)
	}
	want := []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}
	if got := r.Pauses(calls); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Pauses = %v, want %v (the silences, not the time between the creates)", got, want)
	}
	if r := fault.RetriesOf(calls, fault.OpDeleteBucket); len(r.Tries) != 0 || r.Pauses(calls) != nil {
		t.Errorf("RetriesOf an op never called = %+v, want nothing", r)
	}
}
