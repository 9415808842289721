package conformance_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/scenarios/runner"
)

// Target choice for `go test` users. An exported KUBECONFIG alone never turns a unit-test
// run into a live run: it takes -live (or an explicit -kubeconfig).
var (
	live              = flag.Bool("live", false, "run against the cluster of $KUBECONFIG")
	kubecontext       = flag.String("context", "", "kubeconfig context for a live run")
	disruptive        = flag.Bool("disruptive", false, "live: also run the mutating specs (each restores what it changed)")
	operatorKind      = flag.String("operator", "", "operator under test: in-process (default), reference or upstream (a process; see -operator-binary)")
	operatorBinary    = flag.String("operator-binary", "", "the operator process's executable: irconform (reference) or cluster-image-registry-operator (upstream)")
	operatorManifests = flag.String("operator-manifests", "", "upstream: the operator's manifests folder (its PrometheusRules are applied as the cluster-version operator would)")
	operatorLogDir    = flag.String("operator-log-dir", "", "where an operator process's log (operator.log) goes")
	scenarios         = flag.String("scenarios", "", "more QA scenario files or directories to run, separated like PATH (as $"+runner.EnvVar+")")
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
	var paths []string
	if *scenarios != "" {
		paths = filepath.SplitList(*scenarios)
	}
	// The QA scenarios (scenarios/**/*.yaml, plus -scenarios and $IRCONFORM_SCENARIOS) become
	// specs of this suite; the suite's BeforeEach reset runs before each of them.
	loaded := runner.Register(runner.Options{Paths: paths}, specs.ScenarioCluster{})
	suiteConfig, reporterConfig := GinkgoConfiguration()
	// -ginkgo.focus and -ginkgo.skip match spec names, not "<suite> <name>".
	var err error
	if suiteConfig.FocusStrings, err = specs.FocusOnNames(specs.SuiteName, suiteConfig.FocusStrings); err != nil {
		t.Fatal(err)
	}
	if suiteConfig.SkipStrings, err = specs.FocusOnNames(specs.SuiteName, suiteConfig.SkipStrings); err != nil {
		t.Fatal(err)
	}
	// The same entry point as `irconform run`: redacted, failure-first output; a partial
	// run (-ginkgo.label-filter, -ginkgo.focus) moves reports/out/latest-partial, not latest;
	// a selection that matches nothing exits 2 before any verdict.
	specs.Run(t, specs.Options{Kubeconfig: kc, Context: *kubecontext, Disruptive: *disruptive,
		Operator:      harness.OperatorOptions{Kind: *operatorKind, Binary: *operatorBinary, Manifests: *operatorManifests, LogDir: *operatorLogDir},
		ScenarioPaths: paths, Loaded: loaded.String()}, suiteConfig, reporterConfig)
}
