package ociimage

import (
	"archive/tar"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func spec(at time.Time) Spec {
	return Spec{
		Entries: []Entry{
			{Path: "/usr/bin/tool", Mode: 0o755, Data: []byte("#!binary")},
			{Path: "/etc/passwd", Mode: 0o644, Data: []byte("nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n")},
			{Path: "/tmp", Dir: true, Mode: 0o777 | fs.ModeSticky},
			{Path: "/etc", Dir: true, Mode: 0o755},
			{Path: "/usr", Dir: true, Mode: 0o755},
			{Path: "/usr/bin", Dir: true, Mode: 0o755},
		},
		Entrypoint: []string{"/usr/bin/tool"}, Env: []string{"PATH=/usr/bin"}, User: "65532:65532",
		Labels: map[string]string{"org.opencontainers.image.title": "tool"}, OS: "linux", Arch: "amd64", Created: at,
	}
}

// TestReproducible: the same inputs give the same digest and the same tar file, byte for
// byte; another SOURCE_DATE_EPOCH gives another digest.
func TestReproducible(t *testing.T) {
	dir := t.TempDir()
	at := time.Unix(1700000000, 0)
	var digests []string
	var files [][]byte
	for i, when := range []time.Time{at, at, at.Add(time.Second)} {
		img, err := Build(spec(when))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "img"+string(rune('a'+i))+".tar")
		d, err := WriteLayoutTar(out, img, "tool:test", when)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		digests, files = append(digests, d.String()), append(files, raw)
	}
	if digests[0] != digests[1] || string(files[0]) != string(files[1]) {
		t.Errorf("two builds differ: %s %s (tar files equal: %v)", digests[0], digests[1], string(files[0]) == string(files[1]))
	}
	if digests[0] == digests[2] {
		t.Errorf("another timestamp gave the same digest %s", digests[0])
	}
}

// TestLayoutContents reads the layout back: an OCI index naming the image, an OCI manifest
// and config with the user, entrypoint and timestamps, and one layer with the files, owned
// and timed as asked.
func TestLayoutContents(t *testing.T) {
	dir := t.TempDir()
	at := time.Unix(1700000000, 0).UTC()
	img, err := Build(spec(at))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "img.tar")
	digest, err := WriteLayoutTar(out, img, "tool:test", at)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	f, _ := os.Open(out)
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(at) {
			t.Errorf("%s: time %s, want %s", h.Name, h.ModTime, at)
		}
	}
	_ = f.Close()
	for _, want := range []string{"oci-layout", "index.json", "blobs/", "blobs/sha256/", "blobs/sha256/" + digest.Hex} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("layout tar lacks %s: %v", want, names)
		}
	}
	back, err := ReadLayoutTar(out, filepath.Join(dir, "unpacked"), "tool:test")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := back.Digest(); d != digest {
		t.Errorf("digest read back %s, written %s", d, digest)
	}
	if mt, _ := back.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s", mt)
	}
	cf, err := back.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != "65532:65532" || cf.Config.Entrypoint[0] != "/usr/bin/tool" || !cf.Created.Equal(at) || cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("config %+v", cf)
	}
	layers, _ := back.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1 (empty base)", len(layers))
	}
	if mt, _ := layers[0].MediaType(); mt != types.OCILayer {
		t.Errorf("layer media type %s", mt)
	}
	rc := mutate.Extract(back)
	defer func() { _ = rc.Close() }()
	seen := map[string]*tar.Header{}
	ltr := tar.NewReader(rc)
	for {
		h, err := ltr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Name] = h
	}
	if h := seen["usr/bin/tool"]; h == nil || h.Mode != 0o755 || !h.ModTime.Equal(at) {
		t.Errorf("usr/bin/tool: %+v", h)
	}
	h := seen["tmp/"]
	if h == nil {
		h = seen["tmp"]
	}
	if h == nil || h.Mode&0o7777 != 0o1777 {
		t.Errorf("tmp/: %+v, want mode 1777", h)
	}
}
