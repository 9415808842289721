package target

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAssetsDirNamesTheFix: missing or corrupt binaries give one line naming the command.
func TestAssetsDirNamesTheFix(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBEBUILDER_ASSETS", dir)
	_, err := AssetsDir()
	if err == nil || !strings.Contains(err.Error(), "make envtest-bins") || !strings.Contains(err.Error(), "kube-apiserver") {
		t.Fatalf("missing binaries: %v", err)
	}
	// A truncated (corrupt) binary is refused too.
	for _, b := range []string{"kube-apiserver", "etcd"} {
		if err := os.WriteFile(filepath.Join(dir, b), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := AssetsDir(); err == nil || !strings.Contains(err.Error(), "make envtest-bins") {
		t.Fatalf("corrupt binaries: %v", err)
	}
}
