package behaviorindex

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/irconform/irconform/internal/behaviorid"
)

// scanScenarios reads the shipped scenarios: every *.yaml / *.yml file under dir, in
// subfolders too except testdata and those starting with . or _ (what the scenario linter
// and runner discover), one Check per YAML document. Linting them is the linter's job: a
// document the index cannot read is a Problem here and a finding there.
func (x *Index) scanScenarios(dir string) error {
	base := filepath.Join(x.Root, dir)
	return filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != base && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(name); (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(name, ".") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := x.scenariosIn(rel(x.Root, path), data); err != nil {
			x.Problems = append(x.Problems, Problem{File: rel(x.Root, path), Line: 1, Msg: err.Error()})
		}
		return nil
	})
}

func (x *Index) scenariosIn(file string, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not YAML: %w", err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		c := Check{Kind: Scenario, File: file, Line: root.Line}
		if md := field(root, "metadata"); md != nil {
			if n := field(md, "name"); n != nil {
				c.Name = n.Value
			}
		}
		if b := field(root, "behaviors"); b != nil {
			for _, n := range b.Content {
				c.Labels = append(c.Labels, strings.TrimSpace(n.Value))
			}
		}
		if l := field(root, "labels"); l != nil {
			for _, n := range l.Content {
				c.Labels = append(c.Labels, strings.TrimSpace(n.Value))
			}
		}
		c.IDs = behaviorid.Filter(c.Labels)
		if steps := field(root, "steps"); steps != nil {
			for _, st := range steps.Content {
				if e := field(st, "expect"); e != nil {
					c.Asserted = append(c.Asserted, nodeWords(e)...)
				}
			}
		}
		c.Labels, c.Asserted = dedupe(c.Labels), dedupe(c.Asserted)
		x.Checks = append(x.Checks, c)
	}
}

// field returns the value of key in a mapping node.
func field(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// nodeWords are the words of every key and scalar under n.
func nodeWords(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return codeWords(n.Value)
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, nodeWords(c)...)
	}
	return out
}
