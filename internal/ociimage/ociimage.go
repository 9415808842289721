// Package ociimage builds a small container image without a daemon or a base image: one
// layer holding the given files on an empty base, a config naming the user, entrypoint and
// environment, and every timestamp fixed, so the same inputs give the same digest. The image
// is written as an OCI image layout inside one tar file, which registries' tools (skopeo,
// crane, podman) load as is.
package ociimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Entry is one file or directory of the layer.
type Entry struct {
	// Path inside the image, absolute ("/usr/bin/irconform").
	Path string
	// Mode holds the permission bits (and sticky bit); Dir makes it a directory.
	Mode fs.FileMode
	Dir  bool
	Data []byte
	UID  int
	GID  int
}

// Spec is what the image holds and how it runs.
type Spec struct {
	Entries    []Entry
	Entrypoint []string
	Env        []string
	User       string
	WorkingDir string
	Labels     map[string]string
	OS, Arch   string
	// Created is every timestamp in the image (files, config, history): set it from
	// SOURCE_DATE_EPOCH for reproducible builds.
	Created time.Time
}

// Build makes the image: an empty base, one layer, an OCI manifest and config.
func Build(s Spec) (v1.Image, error) {
	layerTar, err := layerBytes(s.Entries, s.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	created := v1.Time{Time: s.Created.UTC()}
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, MediaType: types.OCILayer,
		History: v1.History{Created: created, CreatedBy: "irconform ociimage: " + strings.Join(s.Entrypoint, " ")}})
	if err != nil {
		return nil, fmt.Errorf("appending the layer: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = s.OS, s.Arch, created
	cf.Config.Entrypoint, cf.Config.Env, cf.Config.User = s.Entrypoint, s.Env, s.User
	cf.Config.WorkingDir, cf.Config.Labels = s.WorkingDir, s.Labels
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return img, nil
}

// layerBytes is the layer's tar: entries in path order (parents first), fixed times,
// numeric owners only, no other metadata that could differ between two builds.
func layerBytes(entries []Entry, at time.Time) ([]byte, error) {
	sorted := append([]Entry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range sorted {
		if !strings.HasPrefix(e.Path, "/") {
			return nil, fmt.Errorf("entry %q: paths are absolute", e.Path)
		}
		h := &tar.Header{Name: strings.TrimPrefix(e.Path, "/"), Mode: int64(e.Mode.Perm()),
			Uid: e.UID, Gid: e.GID, ModTime: at.UTC(), Format: tar.FormatPAX}
		if e.Mode&fs.ModeSticky != 0 {
			h.Mode |= 0o1000 // /tmp
		}
		if e.Dir {
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.Data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", e.Path, err)
		}
		if !e.Dir {
			if _, err := tw.Write(e.Data); err != nil {
				return nil, fmt.Errorf("layer entry %s: %w", e.Path, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// RefNameAnnotation names the image inside the layout (what `skopeo copy oci-archive:FILE:NAME` picks).
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// WriteLayoutTar writes img, named ref, as an OCI image layout packed in a tar file at out
// (files in name order, times fixed at `at`). It returns the image's manifest digest.
func WriteLayoutTar(out string, img v1.Image, ref string, at time.Time) (v1.Hash, error) {
	dir, err := os.MkdirTemp("", "irconform-oci-layout-")
	if err != nil {
		return v1.Hash{}, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("OCI layout: %w", err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{RefNameAnnotation: ref})); err != nil {
		return v1.Hash{}, fmt.Errorf("OCI layout: %w", err)
	}
	digest, err := img.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return v1.Hash{}, err
	}
	if err := tarDir(dir, out, at); err != nil {
		return v1.Hash{}, err
	}
	return digest, nil
}

// tarDir packs dir into the tar file out, reproducibly.
func tarDir(dir, out string, at time.Time) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	f, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	for _, n := range names {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		h := &tar.Header{Name: n, ModTime: at.UTC(), Mode: 0o644, Format: tar.FormatPAX}
		if st.IsDir() {
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, n+"/", 0o755
		} else {
			h.Typeflag, h.Size = tar.TypeReg, st.Size()
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if !st.IsDir() {
			data, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				return err
			}
			if _, err := tw.Write(data); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(out+".tmp", out)
}

// ReadLayoutTar unpacks an OCI layout tar into dir and returns the image named ref in it
// (tests, and anyone checking an image before pushing it).
func ReadLayoutTar(file, dir, ref string) (v1.Image, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		target := filepath.Join(dir, filepath.FromSlash(path.Clean(h.Name)))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s: entry %q leaves the folder", file, h.Name)
		}
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return nil, err
			}
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return nil, err
		}
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range m.Manifests {
		if d.Annotations[RefNameAnnotation] == ref {
			return idx.Image(d.Digest)
		}
	}
	return nil, fmt.Errorf("%s: no image named %q", file, ref)
}
