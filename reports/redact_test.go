package reports

import (
	"strings"
	"testing"
)

// The redactor itself is tested in internal/redact; here: every text of a Run goes through it.
func TestRunRedacted(t *testing.T) {
	run := fixtureRun("envtest")
	red := run.Redacted(DefaultRedactor())
	for _, s := range red.Specs {
		assertNoSecrets(t, s.Name, s.Failure)
	}
	assertNoSecrets(t, "extra", strings.Join(red.Extra["faults"].Rows[1], " "))
	// the original is untouched
	if !strings.Contains(run.Specs[1].Failure, plantedSecret) {
		t.Fatal("Redacted modified its receiver")
	}
}
