package runner

import (
	"fmt"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// presenceCheck: the object or bucket exists (exists: true) or does not (absent: true).
type presenceCheck struct{}

func (presenceCheck) Keys() []string                    { return []string{"exists", "absent"} }
func (presenceCheck) About() lint.Subject               { return lint.AboutObject | lint.AboutBucket }
func (presenceCheck) Used(e *v1alpha1.Expectation) bool { return e.Exists || e.Absent }
func (presenceCheck) Describe(e *v1alpha1.Expectation) string {
	if e.Absent {
		return "absent"
	}
	return "exists"
}

func (presenceCheck) Validate(c *lint.Checker, e *v1alpha1.Expectation) {
	if e.Exists && e.Absent {
		c.Add(c.KeyNode(e.Src, "absent"), lint.ClassImpossible, fmt.Sprintf("%s cannot both exist and be absent", c.Subject()), "keep one of exists/absent")
		return
	}
	v := "exists"
	if e.Absent {
		v = "absent"
	}
	c.Claim("presence", "", v, c.KeyNode(e.Src, v), c.Subject()+" "+v)
}

// Compile: an object that does not exist fails every item that is not absent: true before
// any check runs (compile in item.go); here, an object that exists while it should not, and
// a bucket either way.
func (presenceCheck) Compile(_ *run, e *v1alpha1.Expectation) (verify, error) {
	return func(s *seen) *failure {
		if e.Bucket == nil {
			if e.Absent && s.obj != nil {
				return &failure{is: "present", want: "absent", detail: expect.Dump(s.obj)}
			}
			return nil
		}
		switch {
		case e.Absent && s.bucket != nil:
			return &failure{is: "present", want: "absent", detail: s.listing()}
		case e.Exists && s.bucket == nil:
			return bucketMissing(e.Bucket, s)
		}
		return nil
	}, nil
}

// bucketMissing is the failure of a bucket that should exist ("*": exactly one).
func bucketMissing(b *v1alpha1.BucketRef, s *seen) *failure {
	if b.Name == "*" {
		return &failure{field: "buckets", is: fmt.Sprint(len(s.buckets)), want: "1", detail: s.listing()}
	}
	return &failure{is: "absent", want: "present", detail: s.listing()}
}
