package runner

import (
	"fmt"
	"maps"
	"slices"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// bucketCheck: a bucket in a storage fake holds this many objects and has these settings.
type bucketCheck struct{}

func (bucketCheck) Keys() []string      { return []string{"objects", "settings"} }
func (bucketCheck) About() lint.Subject { return lint.AboutBucket }
func (bucketCheck) Used(e *v1alpha1.Expectation) bool {
	return e.Objects != nil || len(e.Settings) > 0
}
func (bucketCheck) Describe(e *v1alpha1.Expectation) string {
	s := ""
	if e.Objects != nil {
		s = fmt.Sprintf("%d objects ", *e.Objects)
	}
	if len(e.Settings) > 0 {
		s += fmt.Sprintf("settings %v", e.Settings)
	}
	return s
}

func (bucketCheck) Validate(c *lint.Checker, _ *v1alpha1.Expectation) { c.NeedsSubject() }

func (bucketCheck) Compile(_ *run, e *v1alpha1.Expectation) (verify, error) {
	return func(s *seen) *failure {
		if s.bucket == nil {
			return bucketMissing(e.Bucket, s)
		}
		b := s.bucket
		detail := fmt.Sprintf("%s\nbucket %s: %d objects, settings %v", s.listing(), b.Name, b.Objects, b.Settings)
		if e.Objects != nil && b.Objects != *e.Objects {
			return &failure{field: "objects", is: fmt.Sprint(b.Objects), want: fmt.Sprint(*e.Objects), detail: detail}
		}
		for _, k := range slices.Sorted(maps.Keys(e.Settings)) {
			got, ok := b.Settings[k]
			if !ok {
				return &failure{field: "settings." + k, is: "not set", want: fmt.Sprintf("%q", e.Settings[k]), detail: detail}
			}
			if got != e.Settings[k] {
				return &failure{field: "settings." + k, is: fmt.Sprintf("%q", got), want: fmt.Sprintf("%q", e.Settings[k]), detail: detail}
			}
		}
		return nil
	}, nil
}
