// Package nodeca is the node side of the node-ca DaemonSet: the program its pods run
// (`cluster-image-registry-operator node-ca-sync`). It mirrors the mounted ConfigMap
// image-registry-certificates into the node's trust directory, one directory per registry
// holding ca.crt, named by the key read back as a host: the last ".." becomes ":" (a
// ConfigMap key cannot hold ":", so "host:port" is written "host..port"). Directories of
// keys that are gone are removed.
package nodeca

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/irconform/irconform/reference/render"
)

// Sync mirrors srcDir (the ConfigMap projection: one file per key) into dstDir. It returns
// how many certificates it wrote and how many stale directories it removed.
//
// Implements NODECA-004, CA-006.
func Sync(srcDir, dstDir string) (written, trimmed int, err error) {
	entries, err := os.ReadDir(srcDir)
	if err != nil {
		return 0, 0, fmt.Errorf("reading %s: %w", srcDir, err)
	}
	if err := os.MkdirAll(dstDir, 0o755); err != nil {
		return 0, 0, fmt.Errorf("creating %s: %w", dstDir, err)
	}
	keep := map[string]bool{}
	var errs []error
	for _, e := range entries {
		// A projected ConfigMap also holds "..data" and timestamped directories (symlinks to
		// them); only regular keys count.
		if e.IsDir() || strings.HasPrefix(e.Name(), "..") {
			continue
		}
		host := render.CAKeyToHost(e.Name())
		keep[host] = true
		n, err := copyCA(filepath.Join(srcDir, e.Name()), filepath.Join(dstDir, host))
		if err != nil {
			errs = append(errs, err)
		}
		written += n
	}
	current, err := os.ReadDir(dstDir)
	if err != nil {
		return written, 0, errors.Join(append(errs, fmt.Errorf("reading %s: %w", dstDir, err))...)
	}
	for _, e := range current {
		if !e.IsDir() || keep[e.Name()] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dstDir, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		trimmed++
	}
	return written, trimmed, errors.Join(errs...)
}

// copyCA writes src as dir/ca.crt when its content differs (via a temporary file and a
// rename, so a reader never sees half a certificate). It returns 1 when it wrote.
func copyCA(src, dir string) (int, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", src, err)
	}
	dst := filepath.Join(dir, "ca.crt")
	if old, err := os.ReadFile(dst); err == nil && string(old) == string(data) {
		return 0, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("reading %s: %w", dst, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return 0, fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return 0, fmt.Errorf("moving %s into place: %w", dst, err)
	}
	return 1, nil
}

// CommandLine is how the node-ca DaemonSet's container invokes this program.
const CommandLine = render.NodeCACommand + " " + render.NodeCAArgs

// Run is the program as a pod runs it: mounts maps the container's mount paths to
// directories; the ConfigMap is at /tmp/serviceca and the node's trust directory at
// /etc/docker/certs.d.
func Run(mounts map[string]string) error {
	src, dst := mounts[render.NodeCASourceDir], mounts[render.NodeCATrustDir]
	if src == "" || dst == "" {
		return fmt.Errorf("node-ca-sync needs %s and %s mounted", render.NodeCASourceDir, render.NodeCATrustDir)
	}
	_, _, err := Sync(src, dst)
	return err
}
