package nodeca

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSyncMapsKeysToTrustDirectoriesAndTrims(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "certs.d")
	write(t, src, "registry.example.com..5000", "A")
	write(t, src, "plain.example.com", "B")
	if err := os.Mkdir(filepath.Join(src, "..2026_01_01"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, src, "..data", "projection bookkeeping")
	n, trimmed, err := Sync(src, dst)
	if err != nil || n != 2 || trimmed != 0 {
		t.Fatalf("Sync = %d, %d, %v", n, trimmed, err)
	}
	if got := read(t, filepath.Join(dst, "registry.example.com:5000", "ca.crt")); got != "A" {
		t.Fatalf("host:port ca.crt = %q", got)
	}
	if got := read(t, filepath.Join(dst, "plain.example.com", "ca.crt")); got != "B" {
		t.Fatalf("plain ca.crt = %q", got)
	}
	// Unchanged content is not rewritten; a removed key's directory goes.
	if err := os.Remove(filepath.Join(src, "plain.example.com")); err != nil {
		t.Fatal(err)
	}
	n, trimmed, err = Sync(src, dst)
	if err != nil || n != 0 || trimmed != 1 {
		t.Fatalf("second Sync = %d, %d, %v", n, trimmed, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "plain.example.com")); !os.IsNotExist(err) {
		t.Fatalf("stale directory kept: %v", err)
	}
	entries, _ := os.ReadDir(dst)
	if len(entries) != 1 || entries[0].Name() != "registry.example.com:5000" {
		t.Fatalf("trust dir = %v", entries)
	}
}
