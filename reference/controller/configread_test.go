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
// resourceVersion 12, a cache still at 11 is not read (the API server is), a cache at 12 or
// later is, and a resourceVersion that does not compare sends every read to the API server.
func TestReadConfigNeverActsOnACopyOlderThanItsOwnWrite(t *testing.T) {
	for _, tc := range []struct {
		name, floor, cached string
		wantLive            bool
	}{
		{"nothing written yet", "", "11", false},
		{"cache behind the own write", "12", "11", true},
		{"cache at the own write", "12", "12", false},
		{"cache past the own write", "12", "13", false},
		{"cache behind across a digit", "100", "99", true},
		{"resourceVersions that do not compare", "12", "v12", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live := &countingReader{cfg: configWith(operatorv1.Managed, func(c *imageregistryv1.Config) { c.ResourceVersion = "1000" })}
			r := &ConfigReconciler{Client: cacheAt(t, tc.cached), Live: live}
			if tc.floor != "" {
				r.wrote(&imageregistryv1.Config{ObjectMeta: configWith(operatorv1.Managed, func(c *imageregistryv1.Config) { c.ResourceVersion = tc.floor }).ObjectMeta})
			}
			var got imageregistryv1.Config
			if err := r.readConfig(context.Background(), &got); err != nil {
				t.Fatal(err)
			}
			if (live.reads == 1) != tc.wantLive {
				t.Errorf("floor %q, cache at %q: API server reads %d (copy read at %s), want live=%v", tc.floor, tc.cached, live.reads, got.ResourceVersion, tc.wantLive)
			}
			if tc.wantLive && r.floor.rv != "1000" {
				t.Errorf("floor after a live read: %q, want 1000", r.floor.rv)
			}
		})
	}
}
