package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHTMLStatic(t *testing.T) {
	cat := testCatalogue(t)
	for _, kind := range []string{"envtest", "live"} {
		t.Run(kind, func(t *testing.T) {
			run := fixtureRun(kind)
			page, err := HTML(run, Coverage(cat, run))
			if err != nil {
				t.Fatal(err)
			}
			s := string(page)
			assertNoSecrets(t, "report.html", s)
			for _, bad := range []string{`src="http`, `href="http`, "<link", "@import", "url(http", `src="//`} {
				if strings.Contains(s, bad) {
					t.Errorf("external asset %q in page", bad)
				}
			}
			if strings.Contains(s, "<script>alert(1)</script>") {
				t.Error("spec name not escaped")
			}
			want := []string{
				"<!DOCTYPE html>", "<style>", "<script>",
				`id="f-area"`, `data-result="failed"`, `class="f-result"`,
				`data-area="BOOT" data-result="failed" data-ids="BOOT-004 BOOT-005"`,
				`<span class="del">- 	{Name: &#34;REGISTRY_STORAGE_S3_BUCKET&#34;`,
				`<pre class="diff">`,
				`id="divergences"`, `id="coverage"`, `data-status="gap"`,
				"needs platform AWS; target platform is BareMetal", `id="skipped"`,
				"Storage fault matrix", "Deployment rollout status",
			}
			if kind == "live" {
				want = append(want, `data-not-honoured="true"`, "not honoured")
			}
			for _, w := range want {
				if !strings.Contains(s, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

// chromium finds the browser, or fails / skips as the project asks.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("IRCONFORM_SKIP_BROWSER") == "1" {
		t.Skip("chromium absent and IRCONFORM_SKIP_BROWSER=1")
	}
	t.Fatal("/usr/bin/chromium not found: install chromium: make chromium (or set IRCONFORM_SKIP_BROWSER=1)")
	return ""
}

// A browser that dies of a signal (it segfaulted twice in one CI run of 2026-12-01, on a
// machine busy with the conformance suites) is started again, up to three times: its crash
// says nothing about the page. Any other failure fails the test at once.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	const tries = 3
	for try := 1; ; try++ {
		out, stderr, err := chromiumOnce(t, bin, args...)
		if err == nil {
			return out
		}
		var exit *exec.ExitError
		if try < tries && errors.As(err, &exit) && exit.ProcessState != nil && !exit.Exited() {
			t.Logf("chromium %v died (%v); starting it again (try %d of %d)", args, err, try+1, tries)
			continue
		}
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr)
	}
}

func chromiumOnce(t *testing.T, bin string, args ...string) (stdout []byte, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.String(), err
}

var rowRE = regexp.MustCompile(`<tr class="spec-row" id="spec-(\d+)"[^>]*>`)

// visibleRows returns, from a dumped DOM, the spec row indexes and whether each is visible.
func visibleRows(t *testing.T, dom string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, m := range rowRE.FindAllStringSubmatch(dom, -1) {
		tag := m[0]
		switch {
		case strings.Contains(tag, `data-visible="true"`) && !strings.Contains(tag, " hidden"):
			out[m[1]] = true
		case strings.Contains(tag, `data-visible="false"`) && strings.Contains(tag, " hidden"):
			out[m[1]] = false
		default:
			t.Fatalf("row not processed by the page's script: %s", tag)
		}
	}
	return out
}

func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	cat := testCatalogue(t)
	run := fixtureRun("live")
	// Add a passing BOOT spec and a failing MGMT spec so filters have something to drop.
	run.Specs = append(run.Specs, Spec{Name: "Removed to Managed brings the registry up", Area: "MGMT", Behaviors: []string{"MGMT-005"}, Result: Failed, Failure: "timed out waiting for Deployment", Duration: 30})
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := WriteHTML(path, run, Coverage(cat, run)); err != nil {
		t.Fatal(err)
	}
	url := "file://" + path
	tests := []struct {
		fragment string
		visible  []string // spec row indexes expected visible
	}{
		{"", []string{"0", "1", "2", "3", "4", "5", "6"}},
		{"#area=BOOT&result=failed", []string{"1"}},
		{"#area=BOOT", []string{"0", "1"}},
		{"#result=failed", []string{"1", "2", "6"}},
		{"#result=skipped", []string{"3", "4"}},
		{"#area=PRUNE&result=passed", nil},
		{"#q=pruner", []string{"2"}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.fragment, "#"), func(t *testing.T) {
			dom := string(runChromium(t, bin, "--virtual-time-budget=3000", "--dump-dom", url+tt.fragment))
			if !strings.Contains(dom, `id="spec-table"`) {
				t.Fatalf("page did not render:\n%.2000s", dom)
			}
			rows := visibleRows(t, dom)
			if len(rows) != len(run.Specs) {
				t.Fatalf("%d rows in DOM, want %d", len(rows), len(run.Specs))
			}
			want := map[string]bool{}
			for _, v := range tt.visible {
				want[v] = true
			}
			for idx, vis := range rows {
				if vis != want[idx] {
					t.Errorf("row %s visible=%v, want %v", idx, vis, want[idx])
				}
			}
			if m := regexp.MustCompile(`id="visible-count">(\d+)<`).FindStringSubmatch(dom); m == nil || m[1] != fmt.Sprint(len(tt.visible)) {
				t.Errorf("visible-count %v, want %d", m, len(tt.visible))
			}
			if tt.fragment == "#area=BOOT&result=failed" {
				if !strings.Contains(dom, `data-filter="area=BOOT&amp;result=failed&amp;status=all"`) {
					t.Error("body data-filter not set by the script")
				}
				// Coverage rows follow the area filter too.
				if regexp.MustCompile(`<tr class="cov-row" data-area="S3"[^>]*data-visible="true"`).MatchString(dom) {
					t.Error("coverage rows of another area visible")
				}
				if !regexp.MustCompile(`<tr class="cov-row" data-area="BOOT"[^>]*data-visible="true"`).MatchString(dom) {
					t.Error("coverage rows of BOOT hidden")
				}
			}
			assertNoSecrets(t, "rendered DOM", dom)
		})
	}

	t.Run("screenshot", func(t *testing.T) {
		shot := os.Getenv("IRCONFORM_SCREENSHOT")
		if shot == "" {
			shot = filepath.Join(dir, "report.png")
		}
		runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,900", url+"#area=BOOT")
		data, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 10_000 {
			t.Fatalf("screenshot only %d bytes", len(data))
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 900 {
			t.Errorf("screenshot %v, want 1280x900", b)
		}
		if n := colours(img); n < 20 {
			t.Errorf("screenshot has %d colours: blank page?", n)
		}
		t.Logf("screenshot: %s (%d bytes)", shot, len(data))
	})
}

func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bb >> 8}] = true
		}
	}
	return len(seen)
}
