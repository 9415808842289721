package conformance_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/irconform/irconform/conformance/specs"
)

// TestConformance runs the whole suite on the embedded envtest target. Select behaviours
// with Ginkgo's label filter: go test ./conformance -args -ginkgo.label-filter=BOOT-003
func TestConformance(t *testing.T) {
	specs.Configure(specs.Options{})
	RegisterFailHandler(Fail)
	RunSpecs(t, "irconform conformance")
}
