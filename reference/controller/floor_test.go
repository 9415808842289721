package controller

import (
	"context"
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// countingReader is an API server's reader that says which copy it served and counts reads.
type countingReader struct {
	cfg   *imageregistryv1.Config
	reads int
}

func (c *countingReader) Get(_ context.Context, _ client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	c.reads++
	c.cfg.DeepCopyInto(obj.(*imageregistryv1.Config))
	return nil
}

func (c *countingReader) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return nil
}

// cacheAt is a cache whose Config copy carries resourceVersion rv.
func cacheAt(t *testing.T, rv string) client.Client {
	t.Helper()
	return interceptor.NewClient(world(t, nil, configWith(operatorv1.Managed)).(client.WithWatch), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if err := c.Get(ctx, key, obj, opts...); err != nil {
				return err
			}
			obj.SetResourceVersion(rv)
			return nil
		},
	})
}

// TestReadConfigNeverActsOnACopyOlderThanItsOwnWrite: after the controller wrote
// resourceVersion 12, a cache still at 11 is not acted on: the copy of its own write is (or,
// with no copy kept, the API server's); a cache at 12 or later is read; a resourceVersion that
// does not compare sends the read to the API server.
func TestReadConfigNeverActsOnACopyOlderThanItsOwnWrite(t *testing.T) {
	for _, tc := range []struct {
		name, floor, cached string
		keepCopy            bool
		wantRV              string // the copy acted on
	}{
		{"nothing written yet", "", "11", true, "11"},
		{"cache behind the own write", "12", "11", true, "12"},
		{"cache behind, no copy kept", "12", "11", false, "1000"},
		{"cache at the own write", "12", "12", true, "12"},
		{"cache past the own write", "12", "13", true, "13"},
		{"cache behind across a digit", "100", "99", true, "100"},
		{"resourceVersions that do not compare", "12", "v12", true, "1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live := &countingReader{cfg: configWith(operatorv1.Managed, func(c *imageregistryv1.Config) { c.ResourceVersion = "1000" })}
			r := &ConfigReconciler{Client: cacheAt(t, tc.cached), Live: live}
			if tc.floor != "" {
				own := configWith(operatorv1.Managed, func(c *imageregistryv1.Config) { c.ResourceVersion = tc.floor })
				if tc.keepCopy {
					r.wrote(own)
				} else {
					r.floor = rvFloor{rv: tc.floor}
				}
			}
			var got imageregistryv1.Config
			if err := r.readConfig(context.Background(), &got); err != nil {
				t.Fatal(err)
			}
			if got.ResourceVersion != tc.wantRV {
				t.Errorf("floor %q, cache at %q: acted on resourceVersion %s (API server reads %d), want %s", tc.floor, tc.cached, got.ResourceVersion, live.reads, tc.wantRV)
			}
			if (live.reads == 1) != (tc.wantRV == "1000") {
				t.Errorf("API server reads %d, want %v", live.reads, tc.wantRV == "1000")
			}
		})
	}
}
