package livecheck

import (
	"context"
	"fmt"
	"strings"
	"sync"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Access is what the account may read, asked of the API server before any check runs
// (SelfSubjectAccessReview: "may I get this object?"). A review is a question the server
// answers and stores nothing, so read-only runs stay read-only.
type Access struct {
	allowed map[Input]bool
	reason  map[Input]string
}

// AllowAll is the access of an account that may read everything (envtest's admin).
func AllowAll() Access {
	a := Access{allowed: map[Input]bool{}, reason: map[Input]string{}}
	for _, in := range AllInputs() {
		a.allowed[in] = true
	}
	return a
}

// CanRead reports whether the account may get the input.
func (a Access) CanRead(in Input) bool { return a.allowed[in] }

// Denied lists the inputs the account may not read.
func (a Access) Denied() []Input {
	var out []Input
	for _, in := range AllInputs() {
		if !a.allowed[in] {
			out = append(out, in)
		}
	}
	return out
}

// Why is the server's reason for a denial, when it gave one.
func (a Access) Why(in Input) string { return a.reason[in] }

// PlanAccess asks, for every input, whether this account may get it. The reviews run in
// parallel; each is one small POST that the server answers from its authorizer.
func PlanAccess(ctx context.Context, cfg *rest.Config) (Access, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return Access{}, fmt.Errorf("access review client: %w", err)
	}
	a := Access{allowed: map[Input]bool{}, reason: map[Input]string{}}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	for _, in := range AllInputs() {
		src := SourceOf(in)
		wg.Add(1)
		go func() {
			defer wg.Done()
			review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Verb: "get", Group: src.GVR.Group, Resource: src.GVR.Resource,
					Namespace: src.Namespace, Name: src.Name,
				}}}
			res, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("asking whether this account may get %s: %w", src.Object(), err)
				}
				return
			}
			a.allowed[in] = res.Status.Allowed && !res.Status.Denied
			a.reason[in] = res.Status.Reason
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return Access{}, firstErr
	}
	return a, nil
}

// DeniedSummary says, once, what the account may not read and which checks that costs:
// "cannot read Secrets: credential checks skipped". "" when it may read everything.
func DeniedSummary(a Access) string {
	var parts []string
	for _, in := range a.Denied() {
		var topics []string
		seen := map[string]bool{}
		for _, c := range Checks() {
			for _, req := range c.Required {
				if req == in && !seen[c.Topic] {
					seen[c.Topic] = true
					topics = append(topics, c.Topic)
				}
			}
		}
		part := "cannot read " + kindWords(in) + " (" + SourceOf(in).Object() + ")"
		if len(topics) > 0 {
			part += ": " + strings.Join(topics, ", ") + " skipped"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}
