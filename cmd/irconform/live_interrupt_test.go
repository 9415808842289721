package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/irconform/irconform/reports"
)

// TestLiveInterrupt: Ctrl-C during a live run whose API server has stopped answering ends
// the run within seconds with exit 130, a report marked interrupted that names the live
// target, and no goroutine dump on the terminal.
func TestLiveInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	env := envtestWithCapture(ctx, t, "4.18-aws-managed")
	// A proxy that, once told to, holds every request until the client gives up: a server
	// that stopped answering in the middle of a run.
	var hang atomic.Bool
	upstream, _ := url.Parse(env.Server())
	transport, err := rest.TransportFor(env.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = transport
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang.Load() {
			<-r.Context().Done()
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	kc := filepath.Join(dir, "proxy.kubeconfig")
	writeKubeconfig(t, kc, proxy.URL, nil)

	out := filepath.Join(dir, "report")
	cmd := exec.CommandContext(ctx, bin, "run", "--kubeconfig", kc, "--report-dir", out)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errText strings.Builder
	probed := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			errText.WriteString(sc.Text() + "\n")
			if !once && strings.HasPrefix(sc.Text(), "irconform: live cluster") {
				once = true
				close(probed)
			}
		}
	}()
	select {
	case <-probed:
	case <-time.After(60 * time.Second):
		t.Fatal("the run never got past the probe")
	}
	hang.Store(true)
	time.Sleep(time.Second) // a check is now waiting on the server
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	took := time.Since(sent)
	if code := exitCode(err); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if took > 10*time.Second {
		t.Errorf("took %s after Ctrl-C, want seconds", took)
	}
	all := stdout.String() + errText.String()
	if strings.Contains(all, "goroutine ") {
		t.Errorf("goroutine dump on the terminal:\n%s", all)
	}
	run, err := reports.ReadJSON(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("no report after Ctrl-C: %v\n%s", err, all)
	}
	if !run.Interrupted || run.Target.Kind != "live" || run.Target.Server != proxy.URL {
		t.Errorf("report: interrupted=%v target=%+v", run.Interrupted, run.Target)
	}
	if !strings.Contains(stdout.String(), "INTERRUPTED") {
		t.Errorf("the verdict screen does not say the run was interrupted:\n%s", stdout.String())
	}
	t.Logf("Ctrl-C to exit: %s", took.Round(10*time.Millisecond))
}
