// Command image builds irconform's container image without a daemon (make image): static
// binaries of irconform and irconform-tests-ext (CGO_ENABLED=0, -trimpath, no build ID) on an
// empty base, with CA certificates and a non-root user, every timestamp set from
// SOURCE_DATE_EPOCH (default: the last commit's time), written as an OCI layout tar. Two
// builds of the same tree give the same digest.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/irconform/irconform/internal/ociimage"
)

const (
	uid      = 65532
	caBundle = "/etc/ssl/certs/ca-certificates.crt"
)

func main() {
	out := flag.String("out", "bin/image/irconform-oci.tar", "the OCI layout tar to write")
	ref := flag.String("ref", "irconform:dev", "the image's name inside the layout")
	arch := flag.String("arch", "amd64", "GOARCH of the binaries and the image")
	ca := flag.String("ca", caBundle, "the CA bundle to ship (Debian's ca-certificates)")
	flag.Parse()
	if err := build(*out, *ref, *arch, *ca); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func build(out, ref, arch, caPath string) error {
	epoch, err := sourceDateEpoch()
	if err != nil {
		return err
	}
	commit := git("rev-parse", "HEAD")
	tree := "clean"
	if git("status", "--porcelain", "--untracked-files=no") != "" {
		tree = "dirty"
	}
	tmp, err := os.MkdirTemp("", "irconform-image-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	ldflags := "-s -w -buildid= -X main.buildCommit=" + commit + " -X main.buildDate=" + epoch.UTC().Format(time.RFC3339) + " -X main.buildTreeState=" + tree
	var entries []ociimage.Entry
	for _, d := range []string{"/etc", "/etc/ssl", "/etc/ssl/certs", "/usr", "/usr/bin"} {
		entries = append(entries, ociimage.Entry{Path: d, Dir: true, Mode: 0o755})
	}
	entries = append(entries,
		ociimage.Entry{Path: "/tmp", Dir: true, Mode: 0o777 | os.ModeSticky},
		ociimage.Entry{Path: "/home", Dir: true, Mode: 0o755},
		ociimage.Entry{Path: "/home/nonroot", Dir: true, Mode: 0o700, UID: uid, GID: uid},
		ociimage.Entry{Path: "/etc/passwd", Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		ociimage.Entry{Path: "/etc/group", Mode: 0o644, Data: []byte("root:x:0:\nnonroot:x:65532:\n")},
	)
	for _, pkg := range []string{"irconform", "irconform-tests-ext"} {
		bin := filepath.Join(tmp, pkg)
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", bin, "./cmd/"+pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building %s: %w", pkg, err)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		entries = append(entries, ociimage.Entry{Path: "/usr/bin/" + pkg, Mode: 0o755, Data: data})
	}
	caData, err := os.ReadFile(caPath)
	if err != nil {
		return fmt.Errorf("CA bundle (apt-get install ca-certificates): %w", err)
	}
	entries = append(entries, ociimage.Entry{Path: caBundle, Mode: 0o644, Data: caData})
	labels := map[string]string{
		"org.opencontainers.image.title":    "irconform",
		"org.opencontainers.image.source":   "https://github.com/irconform/irconform",
		"org.opencontainers.image.revision": commit,
		"org.opencontainers.image.created":  epoch.UTC().Format(time.RFC3339),
	}
	if v := debianVersion("ca-certificates"); v != "" {
		labels["io.irconform.ca-certificates"] = v
	}
	img, err := ociimage.Build(ociimage.Spec{
		Entries:    entries,
		Entrypoint: []string{"/usr/bin/irconform"},
		Env:        []string{"PATH=/usr/bin", "HOME=/home/nonroot", "SSL_CERT_FILE=" + caBundle},
		User:       fmt.Sprintf("%d:%d", uid, uid),
		WorkingDir: "/home/nonroot",
		Labels:     labels,
		OS:         "linux", Arch: arch, Created: epoch,
	})
	if err != nil {
		return err
	}
	digest, err := ociimage.WriteLayoutTar(out, img, ref, epoch)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out+".digest", []byte(digest.String()+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (OCI layout, image %s)\n  digest %s\n  load:  skopeo copy oci-archive:%s:%s docker://REGISTRY/irconform@%s\n",
		out, ref, digest, out, ref, digest)
	return nil
}

// sourceDateEpoch is $SOURCE_DATE_EPOCH, else the last commit's time: never the clock.
func sourceDateEpoch() (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		v = git("log", "-1", "--format=%ct")
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q (or the last commit's time) is not seconds since 1970: %w", v, err)
	}
	return time.Unix(secs, 0).UTC(), nil
}

func git(args ...string) string {
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func debianVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
