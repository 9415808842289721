package specs

import (
	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/scenarios/runner"
)

// The QA scenarios (scenarios/*.yaml, plus files named by IRCONFORM_SCENARIOS) become specs of
// this suite at tree-building time; the suite's BeforeEach reset runs before each of them.
var scnCount = runner.Register(func() *harness.Env { return env })
