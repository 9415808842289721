package lint

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Discover turns files and directories into the scenario files they stand for: a file as
// given; a directory, every *.yaml and *.yml file below it, in subdirectories too, except in
// testdata directories and those whose name starts with . or _ (as the go tool skips them).
// Lint and run use this one function, so they see the same files. A path that does not exist
// is an error (the linter could not run).
func Discover(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if f != p && skipDir(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if isScenarioFile(d.Name()) {
				found = append(found, f)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// DiscoverFS is Discover over a file system (the embedded shipped set), from its root.
func DiscoverFS(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if f != "." && skipDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if isScenarioFile(d.Name()) {
			out = append(out, f)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// LintFS lints the scenario files of fsys (DiscoverFS); file names are reported as prefix/name.
func (l *Linter) LintFS(fsys fs.FS, prefix string) (Result, error) {
	files, err := DiscoverFS(fsys)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return res, err
		}
		name := f
		if prefix != "" {
			name = path.Join(prefix, f)
		}
		res.add(l.LintBytes(name, data))
	}
	return res, nil
}

func skipDir(name string) bool {
	return name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func isScenarioFile(name string) bool {
	ext := filepath.Ext(name)
	return (ext == ".yaml" || ext == ".yml") && !strings.HasPrefix(name, ".")
}
