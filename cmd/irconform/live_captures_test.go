package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/irconform/irconform/conformance/livecheck"
	"github.com/irconform/irconform/conformance/livecheck/captures"
	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/reports"
)

// TestLiveCaptures runs `irconform run --kubeconfig` as an administrator would, against
// every capture of a real cluster loaded into one bare API server with no operator, through
// a cluster-reader-like account that may not read Secrets. Each run must end within 60 s
// with exit 0 or 1 (0 when nothing fails, as with the ClusterOperator-only capture), and
// its report must hold, per live check, the verdict the capture's expected.yaml states,
// skips with their reasons.
func TestLiveCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and runs the CLI once per capture")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	env, kc := envtestWithReader(ctx, t, dir, "capture-reader")
	names, err := captures.Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		c, err := captures.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Load(ctx, env.Client()); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, "r-"+name)
			start := time.Now()
			cmd := exec.CommandContext(ctx, bin, "run", "--kubeconfig", kc, "--report-dir", out)
			stdout, err := cmd.Output()
			took := time.Since(start)
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if took > 60*time.Second {
				t.Errorf("took %s, want a result within 60 s", took)
			}
			if strings.Contains(string(stdout), "goroutine") || strings.Contains(string(stdout), "[FAILED]") {
				t.Errorf("framework output on the terminal:\n%s", stdout)
			}
			run, err := reports.ReadJSON(filepath.Join(out, "report.json"))
			if err != nil {
				t.Fatalf("exit %d, no report: %v\n%s", code, err, stdout)
			}
			if run.Target.Kind != "live" || run.Target.Mode != "read-only" {
				t.Errorf("target %+v", run.Target)
			}
			failed := false
			for _, check := range livecheck.Checks() {
				want := c.Expected[check.Name]
				for _, in := range check.Required {
					if livecheck.SourceOf(in).Secret {
						want = captures.Expectation{Result: "skip", Says: "cannot read Secrets: credential checks skipped"}
					}
				}
				s, ok := findSpec(run, check.Title)
				if !ok {
					t.Errorf("%s: no spec in the report", check.Name)
					continue
				}
				got, says := string(s.Result), s.Note
				switch s.Result {
				case reports.Skipped:
					got, says = "skip", s.SkipReason
				case reports.Failed:
					got, says = "fail", s.Failure
					failed = true
				case reports.Passed:
					got = "pass"
				}
				if got != want.Result || !strings.Contains(says, want.Says) {
					t.Errorf("%s: want %s %q, got %s %q", check.Name, want.Result, want.Says, got, says)
				}
			}
			wantCode := 0
			if failed {
				wantCode = 1
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d\n%s", code, wantCode, stdout)
			}
			t.Logf("%s: exit %d in %s", name, code, took.Round(10*time.Millisecond))
		})
		if err := c.Remove(ctx, env.Client()); err != nil {
			t.Fatal(err)
		}
	}
}

func findSpec(run reports.Run, title string) (reports.Spec, bool) {
	for _, s := range run.Specs {
		if strings.HasSuffix(s.Name, " "+title) {
			return s, true
		}
	}
	return reports.Spec{}, false
}

// cli is the irconform binary the CLI tests run, built once per test binary.
var cli struct {
	once sync.Once
	path string
	err  error
}

// buildCLI builds irconform once (into a folder TestMain removes) and returns its path.
func buildCLI(t *testing.T, _ string) string {
	t.Helper()
	cli.once.Do(func() {
		cli.path = filepath.Join(cliDir, "irconform")
		if out, err := exec.Command("go", "build", "-o", cli.path, ".").CombinedOutput(); err != nil {
			cli.err = fmt.Errorf("building irconform: %v\n%s", err, out)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.path
}

// envtestWithCapture starts an envtest (stopped when the test ends) holding the objects of
// the named real-cluster capture: a live target for the CLI's live-mode tests.
func envtestWithCapture(ctx context.Context, t *testing.T, capture string) *target.Envtest {
	t.Helper()
	env, err := target.StartEnvtest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	c, err := captures.Get(capture)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Load(ctx, env.Client()); err != nil {
		t.Fatal(err)
	}
	return env
}

// envtestWithReader starts an envtest (stopped when the test ends) with a least-privilege
// user, bound to the read-only roles a live run needs, and returns the path of that user's
// kubeconfig (in dir).
func envtestWithReader(ctx context.Context, t *testing.T, dir, user string) (*target.Envtest, string) {
	t.Helper()
	env, err := target.StartEnvtest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	readerCfg, err := env.AddUser(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := captures.GrantReader(ctx, env.Client(), user); err != nil {
		t.Fatal(err)
	}
	kc := filepath.Join(dir, "reader.kubeconfig")
	writeKubeconfig(t, kc, env.Server(), readerCfg)
	return env, kc
}
