package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/irconform/irconform/fakes/fault"
)

// fakeInspector is a storage fake's inspector with a fixed bucket list and a real injector,
// whose call log the tests fill through Before (as the fakes do).
type fakeInspector struct {
	buckets []fault.BucketInfo
	err     error
	faults  *fault.Injector
}

func (f *fakeInspector) Buckets(context.Context) ([]fault.BucketInfo, error) { return f.buckets, f.err }
func (f *fakeInspector) Faults() *fault.Injector                             { return f.faults }
func (f *fakeInspector) Seed(context.Context, string, int) error             { return nil }

// call is one request a fake received.
type call struct{ op, bucket string }

func newInspector(buckets []fault.BucketInfo, calls ...call) *fakeInspector {
	ins := &fakeInspector{buckets: buckets, faults: fault.New()}
	for _, c := range calls {
		ins.faults.Before(context.Background(), c.op, c.bucket, "")
	}
	return ins
}

// checkBucket compiles the expect item flow and checks it with ins as the s3 fake.
func checkBucket(t *testing.T, ins fault.Inspector, flow string) checkResult {
	t.Helper()
	r := newRun()
	if ins != nil {
		r.fakes = map[string]fault.Inspector{"s3": ins}
	}
	return checkOne(t, r, flow)
}

func TestBucketExpectations(t *testing.T) {
	team := fault.BucketInfo{Name: "team-registry", Objects: 3,
		Settings: map[string]string{"encryption": "AES256", "tag:Name": "irconform-image-registry"}}
	other := fault.BucketInfo{Name: "other", Objects: 0}
	cases := []struct {
		name    string
		buckets []fault.BucketInfo
		calls   []call
		item    string
		// wantErr is "" when the item must hold, else a substring of what is wrong;
		// wantDetail is a substring of the details shown under it.
		wantErr, wantDetail string
	}{
		{name: "exists", buckets: []fault.BucketInfo{other, team},
			item: `{bucket: {backend: s3, name: team-registry}, exists: true}`},
		{name: "exists but missing", buckets: []fault.BucketInfo{other},
			item:    `{bucket: {backend: s3, name: team-registry}, exists: true}`,
			wantErr: "bucket team-registry in the s3 fake: is absent, want present", wantDetail: "buckets in the fake: [other]"},
		{name: "absent", buckets: []fault.BucketInfo{other},
			item: `{bucket: {backend: s3, name: team-registry}, absent: true}`},
		{name: "absent but exists", buckets: []fault.BucketInfo{team, other},
			item:    `{bucket: {backend: s3, name: team-registry}, absent: true}`,
			wantErr: "is present, want absent", wantDetail: "buckets in the fake: [team-registry, other]"},
		{name: "absent in an empty fake",
			item: `{bucket: {backend: s3, name: team-registry}, absent: true}`},

		{name: "objects", buckets: []fault.BucketInfo{team},
			item: `{bucket: {backend: s3, name: team-registry}, objects: 3}`},
		{name: "objects differ", buckets: []fault.BucketInfo{team},
			item:    `{bucket: {backend: s3, name: team-registry}, objects: 0}`,
			wantErr: "bucket team-registry in the s3 fake objects: is 3, want 0", wantDetail: "bucket team-registry: 3 objects"},
		// objects alone implies the bucket exists.
		{name: "objects on a missing bucket", buckets: []fault.BucketInfo{other},
			item: `{bucket: {backend: s3, name: team-registry}, objects: 0}`, wantErr: "is absent, want present"},

		{name: "settings", buckets: []fault.BucketInfo{team},
			item: `{bucket: {backend: s3, name: team-registry}, settings: {encryption: AES256, "tag:Name": irconform-image-registry}}`},
		{name: "setting differs", buckets: []fault.BucketInfo{team},
			item:    `{bucket: {backend: s3, name: team-registry}, settings: {encryption: "aws:kms"}}`,
			wantErr: `settings.encryption: is "AES256", want "aws:kms"`},
		{name: "setting not set", buckets: []fault.BucketInfo{team},
			item:    `{bucket: {backend: s3, name: team-registry}, settings: {"tag:Owner": qa}}`,
			wantErr: `settings.tag:Owner: is not set, want "qa"`},
		// An empty expected value is not the same as "not set".
		{name: "empty setting not set", buckets: []fault.BucketInfo{team},
			item:    `{bucket: {backend: s3, name: team-registry}, settings: {"tag:Owner": ""}}`,
			wantErr: `is not set, want ""`},

		{name: "any name, exactly one", buckets: []fault.BucketInfo{team},
			item: `{bucket: {backend: s3, name: "*"}, exists: true}`},
		{name: "any name, two buckets", buckets: []fault.BucketInfo{team, other},
			item: `{bucket: {backend: s3, name: "*"}, exists: true}`, wantErr: "bucket * in the s3 fake buckets: is 2, want 1"},
		{name: "any name, none",
			item: `{bucket: {backend: s3, name: "*"}, exists: true}`, wantErr: "buckets: is 0, want 1"},
		{name: "any name absent, one exists", buckets: []fault.BucketInfo{team},
			item: `{bucket: {backend: s3, name: "*"}, absent: true}`, wantErr: "is present, want absent"},

		{name: "never called", buckets: []fault.BucketInfo{team},
			calls: []call{{"CreateBucket", "team-registry"}, {"DeleteBucket", "other"}},
			item:  `{bucket: {backend: s3, name: team-registry}, neverCalled: [DeleteBucket, DeleteObject]}`},
		{name: "called", buckets: []fault.BucketInfo{team},
			calls:   []call{{"CreateBucket", "team-registry"}, {"DeleteBucket", "team-registry"}, {"DeleteBucket", "team-registry"}},
			item:    `{bucket: {backend: s3, name: team-registry}, neverCalled: [DeleteBucket]}`,
			wantErr: "DeleteBucket calls: is 2, want 0", wantDetail: "CreateBucket team-registry"},
		// With "*", a call on any bucket counts.
		{name: "any name called",
			calls:   []call{{"DeleteBucket", "generated-123"}},
			item:    `{bucket: {backend: s3, name: "*"}, neverCalled: [DeleteBucket]}`,
			wantErr: "DeleteBucket calls: is 1, want 0"},
		{name: "exists and never called both checked", buckets: []fault.BucketInfo{team},
			calls:   []call{{"DeleteObject", "team-registry"}},
			item:    `{bucket: {backend: s3, name: team-registry}, exists: true, neverCalled: [DeleteObject]}`,
			wantErr: "DeleteObject calls: is 1, want 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := checkBucket(t, newInspector(tc.buckets, tc.calls...), tc.item)
			if !failsWith(t, res, tc.wantErr) {
				return
			}
			if !strings.Contains(res.detail, tc.wantDetail) {
				t.Errorf("details do not contain %q:\n%s", tc.wantDetail, res.detail)
			}
			if !strings.HasPrefix(res.line, "bucket ") || !strings.Contains(res.line, "\n    "+expectationPos+": bucket ") {
				t.Errorf("the message does not start with the bucket's failure line and place the item:\n%s", res.line)
			}
		})
	}
}

func TestBucketInspectorErrors(t *testing.T) {
	item := `{bucket: {backend: s3, name: team-registry}, exists: true}`
	if res := checkBucket(t, nil, item); res.err == nil || !strings.Contains(res.detail, "the s3 storage fake is not running") {
		t.Errorf("no fake: got %v (%s)", res.err, res.detail)
	}
	broken := newInspector(nil)
	broken.err = errors.New("connection refused")
	if res := checkBucket(t, broken, item); res.err == nil || !strings.Contains(res.detail, "listing buckets: connection refused") {
		t.Errorf("listing fails: got %v (%s)", res.err, res.detail)
	}
}

func TestCallLog(t *testing.T) {
	ins := newInspector(nil, call{"CreateBucket", "a"}, call{"PutObject", "b"}, call{"DeleteBucket", "a"})
	ins.faults.Inject(fault.Rule{Op: "HeadBucket", Status: 503, Times: 1})
	ins.faults.Before(context.Background(), "HeadBucket", "a", "")

	log := callLog(ins.faults.Calls(), "a")
	lines := strings.Split(log, "\n")
	if lines[0] != "calls received:" {
		t.Fatalf("first line %q", lines[0])
	}
	wantEnds := []string{" CreateBucket a", " DeleteBucket a", " HeadBucket a (injected 503)"}
	if len(lines)-1 != len(wantEnds) {
		t.Fatalf("want only the calls on bucket a, got:\n%s", log)
	}
	for i, want := range wantEnds {
		if !strings.HasSuffix(lines[i+1], want) {
			t.Errorf("line %d is %q, want it to end with %q", i+1, lines[i+1], want)
		}
	}
	if all := callLog(ins.faults.Calls(), ""); !strings.Contains(all, "PutObject b") {
		t.Errorf("with no bucket, every call is listed:\n%s", all)
	}
}

// A long call log stops after 30 calls, so a failure message stays readable.
func TestCallLogTruncated(t *testing.T) {
	var calls []call
	for i := range 40 {
		calls = append(calls, call{"PutObject", fmt.Sprintf("b%02d", i)})
	}
	log := callLog(newInspector(nil, calls...).faults.Calls(), "")
	lines := strings.Split(log, "\n")
	if got, want := len(lines), 1+30+1; got != want {
		t.Fatalf("%d lines, want %d:\n%s", got, want, log)
	}
	if lines[len(lines)-1] != "..." || !strings.HasSuffix(lines[30], "PutObject b29") {
		t.Errorf("want 30 calls then ...:\n%s", log)
	}
}
