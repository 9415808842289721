package apischema

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

// Default is the schema set of every kind scenarios name: OpenShift kinds from the CRDs the
// suite installs, the rest from their Go types. When the CRD files cannot be found (a binary
// run outside a Go module cache), OpenShift kinds fall back to their Go types as well; crdErr
// says why, for a caller that wants to mention it.
func Default() (set *Set, crdErr error, err error) {
	s, err := scheme.New()
	if err != nil {
		return nil, nil, err
	}
	files, crdErr := target.OpenShiftCRDPaths()
	var kinds []schema.GroupVersionKind
	for _, name := range v1alpha1.KindNames() {
		kinds = append(kinds, v1alpha1.Kinds[name].GVK)
	}
	set, err = Load(s, files, kinds)
	return set, crdErr, err
}
