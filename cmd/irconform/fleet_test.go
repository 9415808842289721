package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/irconform/irconform/conformance/livecheck/captures"
)

// TestFleetReportFromThreeCaptures: three runs, as a cluster-reader, against three real
// clusters' captures (4.4 on GCP, 4.12 with two storage backends, 4.18 on AWS), merged with
// `irconform report --merge` into one page that headless Chromium renders: a row per cluster
// with its version and platform, a column per behaviour area, and the areas where the
// clusters disagree marked as drift (storage: the 4.12 cluster names two backends).
// IRCONFORM_FLEET_SCREENSHOT keeps the screenshot.
func TestFleetReportFromThreeCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and runs the CLI three times")
	}
	browser := findChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	env, kc := envtestWithReader(ctx, t, dir, "fleet-reader")
	var args []string
	for _, name := range []string{"4.4-gcp-managed", "4.12-two-backends", "4.18-aws-managed"} {
		c, err := captures.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Load(ctx, env.Client()); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name)
		if b, err := exec.CommandContext(ctx, bin, "run", "--kubeconfig", kc, "--report-dir", out).CombinedOutput(); exitCode(err) > 1 {
			t.Fatalf("%s: %v\n%s", name, err, b)
		}
		if err := c.Remove(ctx, env.Client()); err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.Join(out, "report.json"))
	}
	// The folder names the cluster; NAME=PATH names it explicitly.
	args[2] = "prod-aws=" + args[2]
	fleetDir := filepath.Join(dir, "fleet")
	if b, err := exec.CommandContext(ctx, bin, append(append([]string{"report", "--merge"}, args...), "--out", fleetDir)...).CombinedOutput(); err != nil {
		t.Fatalf("report --merge: %v\n%s", err, b)
	}
	page := filepath.Join(fleetDir, "fleet.html")
	dom := string(chromiumRun(t, browser, "--virtual-time-budget=2000", "--dump-dom", "file://"+page))
	rows := regexp.MustCompile(`<tr class="cluster-row" data-cluster="([^"]+)"`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 3 || rows[0][1] != "4.4-gcp-managed" || rows[1][1] != "4.12-two-backends" || rows[2][1] != "prod-aws" {
		t.Fatalf("cluster rows %v, want the three clusters in order", rows)
	}
	for _, want := range []string{"4.4.", "4.12.45", "GCP", "AWS", `data-area="STOR" data-drifted="true"`, `data-area="MGMT"`,
		`class="cell fail odd"`, "spec.storage: is pvc and s3, want exactly one backend"} {
		if !strings.Contains(dom, want) {
			t.Errorf("fleet page lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`data-drifted="(\d+)"`).FindStringSubmatch(dom); m == nil || m[1] == "0" {
		t.Errorf("no drift counted: %v", m)
	}
	shot := os.Getenv("IRCONFORM_FLEET_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(dir, "fleet.png")
	}
	chromiumRun(t, browser, "--screenshot="+shot, "--window-size=1400,900", "file://"+page)
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 1400 {
		t.Fatalf("screenshot: %v %v", err, img.Bounds())
	}
	t.Logf("fleet page %s, screenshot %s", page, shot)
}

func findChromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("IRCONFORM_SKIP_BROWSER") == "1" {
		t.Skip("chromium absent and IRCONFORM_SKIP_BROWSER=1")
	}
	t.Fatal("/usr/bin/chromium not found: make chromium (or set IRCONFORM_SKIP_BROWSER=1)")
	return ""
}

func chromiumRun(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}
