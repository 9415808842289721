package livecheck_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/irconform/irconform/conformance/livecheck"
	"github.com/irconform/irconform/conformance/livecheck/captures"
	"github.com/irconform/irconform/conformance/target"
)

// TestCaptures judges every capture with every check, loaded into one bare API server with
// no operator, twice: as an admin, and as a cluster-reader-like account that may not read
// Secrets. Each check's verdict must be the one the capture's expected.yaml states; for the
// reader, checks that need a Secret skip with "cannot read Secrets".
func TestCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env, err := target.StartEnvtest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	readerCfg, err := env.AddUser("capture-reader", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := captures.GrantReader(ctx, env.Client(), "capture-reader"); err != nil {
		t.Fatal(err)
	}
	names, err := captures.Names()
	if err != nil {
		t.Fatal(err)
	}
	accounts := []struct {
		name string
		cfg  *rest.Config
	}{{"admin", env.RESTConfig()}, {"reader", readerCfg}}
	for _, name := range names {
		c, err := captures.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Load(ctx, env.Client()); err != nil {
			t.Fatal(err)
		}
		for _, acct := range accounts {
			t.Run(name+"/"+acct.name, func(t *testing.T) {
				verdicts := judgeAll(ctx, t, acct.cfg)
				if len(c.Expected) == 0 {
					t.Fatalf("capture %s has no expected.yaml; its verdicts are:\n%s", name, dump(verdicts))
				}
				for _, check := range livecheck.Checks() {
					want, ok := c.Expected[check.Name]
					if !ok {
						t.Errorf("%s: no expectation for check %s (verdict: %s)", name, check.Name, show(verdicts[check.Name]))
						continue
					}
					if acct.name == "reader" && needsSecret(check) {
						want = captures.Expectation{Result: "skip", Says: "cannot read Secrets: credential checks skipped"}
					}
					got := verdicts[check.Name]
					if string(got.Result) != want.Result || !strings.Contains(says(got), want.Says) {
						t.Errorf("%s: want %s %q, got %s", check.Name, want.Result, want.Says, show(got))
					}
				}
			})
		}
		if err := c.Remove(ctx, env.Client()); err != nil {
			t.Fatal(err)
		}
	}
}

func needsSecret(c livecheck.Check) bool {
	for _, in := range c.Required {
		if livecheck.SourceOf(in).Secret {
			return true
		}
	}
	return false
}

func judgeAll(ctx context.Context, t *testing.T, cfg *rest.Config) map[string]livecheck.Verdict {
	t.Helper()
	access, err := livecheck.PlanAccess(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := livecheck.NewReader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rel, _, _ := livecheck.DetectRelease(ctx, r, access)
	obs := livecheck.Gather(ctx, r, access, rel, livecheck.AllInputs())
	out := map[string]livecheck.Verdict{}
	for _, c := range livecheck.Checks() {
		out[c.Name] = c.Judge(obs)
	}
	return out
}

func says(v livecheck.Verdict) string {
	switch v.Result {
	case livecheck.Skip:
		return v.Reason
	case livecheck.Fail:
		return v.Message()
	}
	return v.Note
}

func show(v livecheck.Verdict) string { return fmt.Sprintf("%s %q", v.Result, says(v)) }

func dump(vs map[string]livecheck.Verdict) string {
	var b strings.Builder
	for _, c := range livecheck.Checks() {
		fmt.Fprintf(&b, "%s: {result: %s, says: %q}\n", c.Name, vs[c.Name].Result, says(vs[c.Name]))
	}
	return b.String()
}
