package hygiene

import (
	"sort"
	"strings"
	"testing"
)

// importRule: packages under from (a module-relative prefix) may not import anything under
// the forbidden prefixes. Each rule says why; ARCHITECTURE.md has the whole picture.
type importRule struct {
	from      []string
	forbidden []string
	// tests: the rule holds for _test.go files too.
	tests bool
	why   string
}

var importRules = []importRule{
	{
		from:      []string{"conformance/specs", "conformance/expect", "conformance/target", "conformance/bench", "conformance/livecheck", "scenarios"},
		forbidden: []string{"reference/render", "reference/status", "reference/bootstrap", "reference/storage"},
		tests:     true,
		why: "specs and scenarios state literal expectations from the catalogue; computing them with the reference's " +
			"own logic would copy its bugs into the expectation (they reach the operator only through conformance/harness)",
	},
	{
		from:      []string{"reference"},
		forbidden: []string{"conformance", "scenarios", "fakes", "reports", "cmd"},
		why:       "the reference operator is a product: it knows nothing of the tests, fakes or reports that check it",
	},
	{
		from:      []string{"reference/render", "reference/status", "reference/bootstrap"},
		forbidden: []string{"reference/controller", "reference/operator", "reference/storage"},
		tests:     true,
		why:       "render, status and bootstrap are pure functions of API objects: no I/O, no drivers, no reconcilers",
	},
	{
		from:      []string{"fakes"},
		forbidden: []string{"reference"},
		tests:     true,
		why:       "fakes behave like the clouds, not like the reference operator's idea of them",
	},
	{
		from:      []string{"fakes"},
		forbidden: []string{"conformance", "scenarios", "reports"},
		why:       "a fake also serves standalone (irconform fakes); only its tests may borrow the envtest target",
	},
	{
		from:      []string{"reports"},
		forbidden: []string{"reference", "conformance", "fakes", "scenarios"},
		tests:     true,
		why:       "reports are rendered from report.json alone, so `irconform report` works on any saved run",
	},
	{
		from:      []string{"internal/scheme"},
		forbidden: []string{"reference", "conformance", "scenarios", "fakes", "reports", "cmd"},
		tests:     true,
		why:       "the API scheme is a leaf every layer uses, the reference and the fakes alike",
	},
}

// externalForbidden: module packages that may not import these outside packages.
var externalForbidden = []importRule{
	{
		from:      []string{"reference/render", "reference/status", "reference/bootstrap"},
		forbidden: []string{"sigs.k8s.io/controller-runtime", "k8s.io/client-go"},
		tests:     true,
		why:       "render, status and bootstrap are pure: no clients",
	},
}

func under(p, prefix string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }

func TestImportRules(t *testing.T) {
	m := loadModule(t)
	var problems []string
	for _, f := range m.files {
		from := m.rel(strings.TrimSuffix(f.pkgPath, "_test"))
		for _, imp := range f.ast.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			check := func(rules []importRule, target string) {
				for _, r := range rules {
					if f.test && !r.tests {
						continue
					}
					for _, fr := range r.from {
						if !under(from, fr) {
							continue
						}
						for _, fb := range r.forbidden {
							if target != "" && under(target, fb) {
								problems = append(problems, f.pos(imp.Pos())+": "+from+" imports "+target+": "+r.why)
							}
						}
					}
				}
			}
			check(importRules, m.rel(p))
			check(externalForbidden, p)
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestImportRulesBite makes sure the rules above match real paths: a rule whose prefixes
// name no package would pass forever.
func TestImportRulesBite(t *testing.T) {
	m := loadModule(t)
	exists := func(prefix string) bool {
		for p := range m.pkgName {
			if under(m.rel(p), prefix) {
				return true
			}
		}
		return false
	}
	for _, r := range importRules {
		for _, p := range append(append([]string{}, r.from...), r.forbidden...) {
			if !exists(p) {
				t.Errorf("import rule names %q, which holds no package of the module", p)
			}
		}
	}
}
