package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteAll(t *testing.T) {
	for _, kind := range []string{"envtest", "live"} {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "runs", "r1")
			if err := WriteAll(dir, fixtureRun(kind)); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{FileJSON, FileJUnit, FileMarkdown, FileHTML, FileCoverage} {
				raw := readFile(t, filepath.Join(dir, f))
				if len(raw) < 200 {
					t.Errorf("%s: only %d bytes", f, len(raw))
				}
				assertNoSecrets(t, f, raw)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 5 {
				t.Errorf("%d files in dir (temp files left?)", len(ents))
			}
			back, err := ReadJSON(filepath.Join(dir, FileJSON))
			if err != nil || len(back.Specs) != 6 {
				t.Fatalf("report.json: %v", err)
			}
		})
	}
}

func TestUpdateLatest(t *testing.T) {
	base := t.TempDir()
	r1, r2 := filepath.Join(base, "20260101-a"), filepath.Join(base, "20260102-b")
	for _, d := range []string{r1, r2} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "id"), []byte(filepath.Base(d)), 0o644)
	}
	for _, d := range []string{r1, r2} {
		if err := UpdateLatest(base, d); err != nil {
			t.Fatal(err)
		}
		got := readFile(t, filepath.Join(base, "latest", "id"))
		if got != filepath.Base(d) {
			t.Fatalf("latest → %s, want %s", got, filepath.Base(d))
		}
		target, _ := os.Readlink(filepath.Join(base, "latest"))
		if target != filepath.Base(d) {
			t.Errorf("link target %q not relative", target)
		}
	}
	// outside baseDir: absolute link
	other := t.TempDir()
	if err := UpdateLatest(base, other); err != nil {
		t.Fatal(err)
	}
	if target, _ := os.Readlink(filepath.Join(base, "latest")); !filepath.IsAbs(target) {
		t.Errorf("link target %q not absolute", target)
	}
	// a real directory named latest is not clobbered
	base2 := t.TempDir()
	os.Mkdir(filepath.Join(base2, "latest"), 0o755)
	if err := UpdateLatest(base2, r1); err == nil || !strings.Contains(err.Error(), "not a symlink") {
		t.Fatalf("err = %v", err)
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		kind string
		want []string
	}{
		{"envtest", []string{"irconform: FAILED — envtest", "AREA", "BOOT", "TOTAL", "Failed (2):", "✗ [BOOT-004, BOOT-005] bootstrap on AWS configures S3 storage",
			"Deployment image-registry does not match the Config", "Simulated: Deployment rollout status, PVC binding", "Reports: /tmp/run", "report.html"}},
		{"live", []string{"Failed (1):", "Documented behaviour not honoured (divergence specs) (1):", "(+1 div)"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			s := Summary(fixtureRun(tt.kind), "/tmp/run")
			assertNoSecrets(t, "summary", s)
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("summary lacks %q:\n%s", w, s)
				}
			}
			if n := strings.Count(s, "\n"); n > 40 {
				t.Errorf("summary has %d lines", n)
			}
		})
	}
	if s := Summary(Run{}); !strings.Contains(s, "NO SPECS") || strings.Contains(s, "Reports:") {
		t.Errorf("empty summary: %s", s)
	}
}
