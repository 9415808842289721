package runner

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/fakes/fault"
	failuremsg "github.com/irconform/irconform/internal/failure"
	"github.com/irconform/irconform/internal/fieldpath"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

// seen is what an expectation sees of its subject at one moment.
type seen struct {
	// obj is an object subject as a map (nil when it does not exist); a Secret's data is
	// decoded.
	obj map[string]any
	// A bucket subject: its fake, every bucket in it, and the one named (nil when absent).
	fake    fault.Inspector
	buckets []fault.BucketInfo
	bucket  *fault.BucketInfo
}

// verify says what does not hold of a subject as seen (nil when everything holds).
type verify func(s *seen) *failure

// failure is one thing that does not hold: field of the subject is is, and want was wanted
// (field is empty for the subject as a whole). detail is shown after every failure line.
type failure struct {
	field, is, want string
	detail          string
}

// line is the failure-first line: `Config cluster spec.replicas: is 1, want 2 (BOOT-003)`.
func (f failure) line(subject string, ids []string) string {
	// Long values (a whole env list) are cut on the statement line; the object as last
	// seen follows in full.
	is, want := failuremsg.Clip(f.is), failuremsg.Clip(f.want)
	m := fieldpath.Mismatch{Field: f.field, Is: is, Want: want}
	if f.field == "" {
		s := fmt.Sprintf("%s: is %s, want %s", subject, is, want)
		if len(ids) > 0 {
			s += " (" + strings.Join(ids, ", ") + ")"
		}
		return s
	}
	return m.Line(subject, ids...)
}

// item is one compiled expect item.
type item struct {
	src     v1alpha1.Source
	subject string
	// check returns what does not hold now.
	check func(ctx context.Context, rd client.Reader) []failure
}

// compile prepares an expect item: its subject and the checks (from the operations table)
// it uses.
func (r *run) compile(e *v1alpha1.Expectation) (*item, error) {
	var verifies []verify
	for _, c := range r.ops.Checks {
		if !c.Used(e) {
			continue
		}
		v, err := c.Compile(r, e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Keys()[0], err)
		}
		verifies = append(verifies, v)
	}
	run := func(s *seen) []failure {
		var out []failure
		for _, v := range verifies {
			if f := v(s); f != nil {
				out = append(out, *f)
			}
		}
		return out
	}
	if e.Bucket != nil {
		b := e.Bucket
		return &item{src: e.Src, subject: fmt.Sprintf("bucket %s in the %s fake", b.Name, b.Backend),
			check: func(ctx context.Context, _ client.Reader) []failure {
				s, f := r.seeBucket(ctx, b)
				if f != nil {
					return []failure{*f}
				}
				return run(s)
			}}, nil
	}
	info, name, ns, ok := v1alpha1.Resolve(e.Kind, e.Name, e.Namespace)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", e.Kind)
	}
	subject := e.Kind + " " + name
	if ns != "" {
		subject = fmt.Sprintf("%s %s/%s", e.Kind, ns, name)
	}
	key := client.ObjectKey{Namespace: ns, Name: name}
	return &item{src: e.Src, subject: subject, check: func(ctx context.Context, rd client.Reader) []failure {
		obj, found, err := expect.GetMap(ctx, rd, typeScheme, info.GVK, key)
		if err != nil {
			return []failure{{is: fmt.Sprintf("unreadable (%v)", err), want: "readable"}}
		}
		if !found {
			if e.Absent {
				return nil
			}
			return []failure{{is: "absent", want: "present"}}
		}
		if e.Kind == "Secret" {
			decodeSecretData(obj)
		}
		return run(&seen{obj: obj})
	}}, nil
}

// seeBucket reads a bucket subject from its fake.
func (r *run) seeBucket(ctx context.Context, b *v1alpha1.BucketRef) (*seen, *failure) {
	ins, err := r.inspector(b.Backend)
	if err != nil {
		return nil, &failure{is: "unknown", want: "readable", detail: err.Error()}
	}
	all, err := ins.Buckets(ctx)
	if err != nil {
		return nil, &failure{is: "unknown", want: "readable", detail: fmt.Sprintf("listing buckets: %v", err)}
	}
	s := &seen{fake: ins, buckets: all}
	for i := range all {
		if all[i].Name == b.Name {
			s.bucket = &all[i]
		}
	}
	if b.Name == "*" && len(all) == 1 {
		s.bucket = &all[0]
	}
	return s, nil
}

// listing shows the buckets of a fake, for failure details.
func (s *seen) listing() string {
	names := make([]string, 0, len(s.buckets))
	for _, b := range s.buckets {
		names = append(names, b.Name)
	}
	return "buckets in the fake: [" + strings.Join(names, ", ") + "]"
}

// decodeSecretData replaces a Secret's base64 data values by their text, so that paths
// such as data.credentials compare against what `oc extract` would show.
func decodeSecretData(obj map[string]any) {
	d, ok := obj["data"].(map[string]any)
	if !ok {
		return
	}
	for k, v := range d {
		if s, ok := v.(string); ok {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				d[k] = string(b)
			}
		}
	}
}
