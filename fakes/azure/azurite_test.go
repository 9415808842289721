package azure

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startAzurite runs the pinned Azurite (fakes/azure/azurite, `make azurite` = npm ci there)
// on a free port and returns its blob endpoint for devstoreaccount1. The process group is
// killed when the test ends.
func startAzurite(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join("azurite", "node_modules", ".bin", "azurite-blob"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("IRCONFORM_SKIP_AZURITE") == "1" {
			t.Skip("Azurite not installed and IRCONFORM_SKIP_AZURITE=1")
		}
		t.Fatalf("Azurite is not installed (%v): run `make azurite` (npm ci in fakes/azure/azurite), or set IRCONFORM_SKIP_AZURITE=1 to skip", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	cmd := exec.Command(bin, "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry",
		"--loose", "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port))
	cmd.Dir = t.TempDir() // keep anything Azurite writes out of the source tree
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Azurite: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("Azurite exited early: %v\n%s", err, output.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Azurite did not listen on %s within 15s\n%s", addr, output.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr + "/" + DevStoreAccount + "/"
}

// TestAzuriteDifferential runs the same azblob sequence against the official emulator and
// the fake (both as devstoreaccount1) and requires identical observable answers: status and
// error codes, metadata, listings, ranges, wrong-key refusal.
func TestAzuriteDifferential(t *testing.T) {
	t0 := time.Now()
	endpoint := startAzurite(t)
	t.Logf("Azurite listening after %v", time.Since(t0).Round(time.Millisecond))
	fromAzurite := runSequence(t, endpoint, DevStoreAccount, DevStoreKey)

	s := start(t, WithAccount(DevStoreAccount, DevStoreKey))
	fromFake := runSequence(t, s.Endpoint, DevStoreAccount, DevStoreKey)

	// Known, deliberate differences: the fake follows the real service where Azurite
	// deviates. Each is checked on both sides so that a change in either shows up.
	known := map[string][2]string{ // step prefix → {fake, Azurite}
		// Real Azure answers a bad Shared Key signature with AuthenticationFailed (the
		// code the operator and the docs know); Azurite says AuthorizationFailure.
		"wrong-key-create: ": {"403 AuthenticationFailed", "403 AuthorizationFailure"},
		"wrong-key-props: ":  {"403 AuthenticationFailed", "403 AuthorizationFailure"},
	}
	for i := range fromAzurite {
		for prefix, want := range known {
			if i < len(fromFake) && strings.HasPrefix(fromAzurite[i], prefix) {
				if fromFake[i] != prefix+want[0] || fromAzurite[i] != prefix+want[1] {
					t.Errorf("known difference changed at step %d: fake %q, Azurite %q, expected %q / %q",
						i, fromFake[i], fromAzurite[i], want[0], want[1])
				}
				fromFake[i] = fromAzurite[i]
			}
		}
	}
	diff(t, "fake vs Azurite", fromFake, fromAzurite)
	t.Logf("%d steps compared in %v", len(fromAzurite), time.Since(t0).Round(time.Millisecond))
}
