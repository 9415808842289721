package reports

import "github.com/irconform/irconform/internal/redact"

// Mask replaces every secret value in reports (the one marker of every irconform output).
const Mask = redact.Mask

// Redactor masks known secret values and common secret patterns in text.
type Redactor = redact.Redactor

// NewRedactor returns a Redactor masking the given literal secrets as well as the common patterns.
func NewRedactor(secrets ...string) *Redactor { return redact.New(secrets...) }

// Redact masks secrets and secret-looking values in s.
func Redact(s string, secrets []string) string { return redact.New(secrets...).Redact(s) }

// RegisterSecrets adds literal secret values (e.g. a live cluster's storage keys, --redact)
// that every output of the process masks from then on.
func RegisterSecrets(secrets ...string) { redact.Default().Add(secrets...) }

// DefaultRedactor is the Redactor every writer uses: the process-wide one.
func DefaultRedactor() *Redactor { return redact.Default() }

// Redacted returns a copy of run with every free text (failures, skip reasons, names,
// server URL, extra tables) run through r.
func (run Run) Redacted(r *Redactor) Run {
	out := run
	out.Target.Server = r.Redact(run.Target.Server)
	out.Simulated = make([]string, len(run.Simulated))
	for i, s := range run.Simulated {
		out.Simulated[i] = r.Redact(s)
	}
	if run.Simulated == nil {
		out.Simulated = nil
	}
	out.Specs = make([]Spec, len(run.Specs))
	for i, sp := range run.Specs {
		sp.Name = r.Redact(sp.Name)
		sp.Failure = r.Redact(sp.Failure)
		sp.FailureLocation = r.Redact(sp.FailureLocation)
		sp.SkipReason = r.Redact(sp.SkipReason)
		sp.Labels = append([]string(nil), sp.Labels...)
		sp.Behaviors = append([]string(nil), sp.Behaviors...)
		out.Specs[i] = sp
	}
	if run.Extra != nil {
		out.Extra = make(map[string]Table, len(run.Extra))
		for k, t := range run.Extra {
			nt := Table{Title: r.Redact(t.Title), Columns: append([]string(nil), t.Columns...)}
			for _, row := range t.Rows {
				nr := make([]string, len(row))
				for j, c := range row {
					nr[j] = r.Redact(c)
				}
				nt.Rows = append(nt.Rows, nr)
			}
			out.Extra[k] = nt
		}
	}
	return out
}
