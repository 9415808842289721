// Package captures holds real-shaped snapshots of the image registry's objects on clusters
// of several releases (data/<name>/objects.yaml, sources in data/README.md) and loads one
// into a bare API server with no operator, so the live checks and `irconform run
// --kubeconfig` can be judged against them. Each capture carries the verdict every live
// check should reach on it (data/<name>/expected.yaml).
package captures

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

//go:embed data
var data embed.FS

// Capture is one cluster's objects and the verdicts expected on them.
type Capture struct {
	Name    string
	Objects []*unstructured.Unstructured
	// Expected maps a check name to its expected verdict.
	Expected map[string]Expectation
}

// Expectation is a check's expected verdict on a capture: the result and a fragment of
// what it says (the skip reason, the failure's first line, or the pass note).
type Expectation struct {
	Result string `json:"result"`
	Says   string `json:"says,omitempty"`
}

// Names lists the captures, oldest release first.
func Names() ([]string, error) {
	entries, err := fs.ReadDir(data, "data")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Slice(out, func(i, j int) bool { return releaseKey(out[i]) < releaseKey(out[j]) })
	return out, nil
}

// releaseKey sorts "4.4-…" before "4.12-…".
func releaseKey(name string) string {
	var major, minor int
	_, _ = fmt.Sscanf(name, "%d.%d", &major, &minor)
	return fmt.Sprintf("%03d.%03d-%s", major, minor, name)
}

// Raw returns a capture's objects.yaml as written.
func Raw(name string) ([]byte, error) {
	return data.ReadFile(path.Join("data", name, "objects.yaml"))
}

// Get reads one capture.
func Get(name string) (*Capture, error) {
	dir := path.Join("data", name)
	raw, err := data.ReadFile(path.Join(dir, "objects.yaml"))
	if err != nil {
		return nil, fmt.Errorf("capture %q: %w (captures: irconform captures)", name, err)
	}
	c := &Capture{Name: name}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("capture %q: objects.yaml: %w", name, err)
		}
		if obj == nil {
			continue
		}
		c.Objects = append(c.Objects, &unstructured.Unstructured{Object: obj})
	}
	if exp, err := data.ReadFile(path.Join(dir, "expected.yaml")); err == nil {
		if err := yaml.UnmarshalStrict(exp, &c.Expected); err != nil {
			return nil, fmt.Errorf("capture %q: expected.yaml: %w", name, err)
		}
	}
	return c, nil
}

// Load creates the capture's objects, then writes each one's status through the status
// subresource, as the operator that made them would have. What a real object carries but a
// fresh API server would refuse or ignore (uid, resourceVersion, managedFields, finalizers)
// is dropped.
func (c *Capture) Load(ctx context.Context, cl client.Client) error {
	for _, o := range c.Objects {
		obj := o.DeepCopy()
		status, hasStatus := obj.Object["status"]
		delete(obj.Object, "status")
		for _, f := range []string{"uid", "resourceVersion", "managedFields", "finalizers", "selfLink", "creationTimestamp", "generation"} {
			unstructured.RemoveNestedField(obj.Object, "metadata", f)
		}
		if err := cl.Create(ctx, obj); err != nil {
			return fmt.Errorf("capture %q: creating %s: %w", c.Name, describe(o), err)
		}
		if !hasStatus || status == nil || o.GetKind() == "Secret" || o.GetKind() == "ConfigMap" {
			continue
		}
		obj.Object["status"] = status
		if err := cl.Status().Update(ctx, obj); err != nil {
			return fmt.Errorf("capture %q: writing the status of %s: %w", c.Name, describe(o), err)
		}
	}
	return nil
}

// Remove deletes what Load created (objects already gone are fine).
func (c *Capture) Remove(ctx context.Context, cl client.Client) error {
	for _, o := range c.Objects {
		obj := o.DeepCopy()
		if err := cl.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("capture %q: deleting %s: %w", c.Name, describe(o), err)
		}
	}
	return nil
}

func describe(o *unstructured.Unstructured) string {
	s := strings.ToLower(o.GetKind()) + "/" + o.GetName()
	if o.GetNamespace() != "" {
		s += " -n " + o.GetNamespace()
	}
	return s
}
