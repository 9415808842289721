package expect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	failmsg "github.com/irconform/irconform/internal/failure"
)

// FailureLocationEntry names a spec report entry whose location (a custom CodeLocation) is
// where the failure is in the spec's source, when that is not Go code (a scenario's
// file:line:col): reports show it instead of Ginkgo's failure location.
const FailureLocationEntry = "failure location"

// failure carries a Gomega failure message out of a check.
type failure struct{ msg string }

// Check runs fn with a Gomega whose failures become an error instead of failing the spec,
// so that fn can be retried. The error reads failure first ("desc: is X, want Y", see
// internal/failure), so that a wait that times out on it leads with the failed check.
func Check(fn func(g gomega.Gomega)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(failure); ok {
				err = errors.New(f.msg)
				return
			}
			panic(r)
		}
	}()
	g := gomega.NewGomega(func(message string, _ ...int) { panic(failure{msg: failmsg.Rewrite(message, nil)}) })
	fn(g)
	return nil
}

// Eventually waits until fn's assertions all hold, re-running it on every watched change.
// fn reads through r (the watch cache). On timeout it returns the last failure message.
func (w *Watcher) Eventually(ctx context.Context, timeout time.Duration, fn func(g gomega.Gomega, r client.Reader)) error {
	return w.Until(ctx, timeout, func(ctx context.Context, r client.Reader) error {
		return Check(func(g gomega.Gomega) { fn(g, r) })
	})
}

// Succeed is a readable alias for specs: Expect(w.Eventually(...)).To(Succeed()).
func Succeed() types.GomegaMatcher { return gomega.Succeed() }

// Describe formats a short description of an object for failure messages.
func Describe(obj client.Object) string {
	kind := fmt.Sprintf("%T", obj)
	kind = kind[strings.LastIndex(kind, ".")+1:]
	if obj.GetNamespace() != "" {
		return fmt.Sprintf("%s %s/%s", kind, obj.GetNamespace(), obj.GetName())
	}
	return fmt.Sprintf("%s %s", kind, obj.GetName())
}
