package reports

import (
	"fmt"

	"github.com/irconform/irconform/internal/behaviorindex"
)

// CodeRefs is where the source tree mentions a behaviour (internal/behaviorindex), as
// "file:line Decl" strings: the reference code implementing it, the fakes modelling it, the
// scenarios checking it (the Go specs are the coverage row's Specs). `irconform explain ID`
// prints the same.
type CodeRefs struct {
	Implements []string `json:"implements"`
	Models     []string `json:"models"`
	Scenarios  []string `json:"scenarios,omitempty"`
}

// AttachCode fills each coverage row's Code from idx; a nil idx (no source tree) leaves
// the rows as they are.
func AttachCode(cov *CoverageReport, idx *behaviorindex.Index) {
	if idx == nil {
		return
	}
	for i := range cov.Behaviors {
		c := idx.Code(cov.Behaviors[i].ID)
		refs := &CodeRefs{Implements: []string{}, Models: []string{}}
		for _, x := range c.Implements {
			refs.Implements = append(refs.Implements, x.Where())
		}
		for _, x := range c.Models {
			refs.Models = append(refs.Models, x.Where())
		}
		for _, x := range c.Scenarios {
			refs.Scenarios = append(refs.Scenarios, fmt.Sprintf("%s:%d %s", x.File, x.Line, x.Name))
		}
		cov.Behaviors[i].Code = refs
	}
}

// sourceIndex reads the irconform source tree around the working directory (the suite runs
// in conformance/, the CLI usually at the root); nil when there is none, e.g. a report
// re-rendered elsewhere: the reports are then written without code references.
func sourceIndex() *behaviorindex.Index {
	root, err := behaviorindex.FindRoot(".")
	if err != nil {
		return nil
	}
	idx, err := behaviorindex.Scan(root)
	if err != nil {
		return nil
	}
	return idx
}
