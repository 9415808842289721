package conformance_test

import (
	"flag"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/irconform/irconform/conformance/specs"
)

// Target choice for `go test` users. An exported KUBECONFIG alone never turns a unit-test
// run into a live run: it takes -live (or an explicit -kubeconfig).
var (
	live        = flag.Bool("live", false, "run against the cluster of $KUBECONFIG")
	kubecontext = flag.String("context", "", "kubeconfig context for a live run")
	disruptive  = flag.Bool("disruptive", false, "live: also run the mutating specs (each restores what it changed)")
)

// TestConformance runs the whole suite, on the embedded envtest by default. Select behaviours
// with Ginkgo's label filter: go test ./conformance -args -ginkgo.label-filter=BOOT-003
func TestConformance(t *testing.T) {
	// --kubeconfig is registered by controller-runtime's config package; reuse it.
	kc := ""
	if f := flag.Lookup("kubeconfig"); f != nil {
		kc = f.Value.String()
	}
	if kc == "" && *live {
		kc = os.Getenv("KUBECONFIG")
		if kc == "" {
			t.Fatal("-live needs KUBECONFIG set (or pass -kubeconfig PATH)")
		}
	}
	specs.Configure(specs.Options{Kubeconfig: kc, Context: *kubecontext, Disruptive: *disruptive})
	RegisterFailHandler(Fail)
	RunSpecs(t, "irconform conformance")
}
