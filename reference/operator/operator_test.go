package operator

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/reference/controller"
	"github.com/irconform/irconform/reference/storage"
)

// Backends the reference operator does not run (yet): a Config naming one is refused with a
// clear message. Moving a backend from here to Drivers is one line each.
var unsupported []string

// removed are API backend fields whose upstream driver is gone: they count as no backend
// (STOR-012).
var removed = []string{"OSS"}

// everyBackend is one storage stanza per backend field of the API, found by reflection: a
// backend added to openshift/api shows up here and must be either driven or listed above.
func everyBackend(t *testing.T) map[string]*imageregistryv1.ImageRegistryConfigStorage {
	t.Helper()
	out := map[string]*imageregistryv1.ImageRegistryConfigStorage{}
	typ := reflect.TypeOf(imageregistryv1.ImageRegistryConfigStorage{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
			continue // managementState
		}
		st := &imageregistryv1.ImageRegistryConfigStorage{}
		reflect.ValueOf(st).Elem().Field(i).Set(reflect.New(f.Type.Elem()))
		names := storage.Configured(*st)
		if slices.Contains(removed, f.Name) {
			if len(names) != 0 {
				t.Errorf("storage field %s (driver removed upstream): storage.Configured says %v, want no backend", f.Name, names)
			}
			continue
		}
		if len(names) != 1 {
			t.Fatalf("storage field %s: storage.Configured says %v, want one backend name", f.Name, names)
		}
		out[names[0]] = st
	}
	return out
}

func TestEveryBackendIsDrivenOrRefusedClearly(t *testing.T) {
	drivers := Drivers()
	deps := storage.Deps{}
	for name, st := range everyBackend(t) {
		d, err := drivers.For(deps, st)
		switch {
		case slices.Contains(unsupported, name):
			if err == nil || err.Error() != "storage backend "+name+" is not supported by the reference operator" {
				t.Errorf("backend %s (not run by the reference): For = %v, %v; want the clear refusal", name, d, err)
			}
			if _, wired := drivers[name]; wired {
				t.Errorf("backend %s has a driver now: drop it from the unsupported list", name)
			}
		case err != nil || d == nil:
			t.Errorf("backend %s: no driver (%v); wire it in Drivers() or list it as unsupported", name, err)
		}
	}
	for name := range drivers {
		if _, ok := everyBackend(t)[name]; !ok {
			t.Errorf("Drivers() has %q, which is no backend name of the API (storage.Configured)", name)
		}
	}
}

func TestDriversRefuseNoneAndSeveral(t *testing.T) {
	if _, err := Drivers().For(storage.Deps{}, &imageregistryv1.ImageRegistryConfigStorage{}); err != storage.ErrNotConfigured {
		t.Errorf("no backend: %v, want storage.ErrNotConfigured", err)
	}
	two := &imageregistryv1.ImageRegistryConfigStorage{S3: &imageregistryv1.ImageRegistryConfigStorageS3{},
		PVC: &imageregistryv1.ImageRegistryConfigStoragePVC{}}
	_, err := Drivers().For(storage.Deps{}, two)
	if err == nil || err.Error() != "exactly one storage type should be configured at the same time, got 2: [s3 pvc]" {
		t.Errorf("two backends: %v", err)
	}
}

// The controllers the operator runs, by name. A new controller is a new line here and an
// entry in Controllers.
var wantControllers = []string{"alerts", "clusteroperator", "imageconfig", "imagepruner", "imageregistry-config", "imageregistrycertificates", "nodecadaemon", "releasemanifests"}

func TestControllersAreAllWired(t *testing.T) {
	s, err := scheme.New()
	if err != nil {
		t.Fatal(err)
	}
	settings := controller.Settings{ReleaseVersion: "4.99.0-test", RetryBackoff: controller.Backoff{Base: time.Millisecond}}
	drivers := storage.Drivers{"emptyDir": storage.NewEmptyDir}
	ctls := Controllers(nil, nil, nil, settings, drivers)
	var names []string
	for _, c := range ctls {
		names = append(names, c.Name)
		if c.Reconciler == nil || c.Key == "" || len(c.Watches) == 0 {
			t.Errorf("controller %q: reconciler %v, key %q, %d watches; all are needed", c.Name, c.Reconciler, c.Key, len(c.Watches))
		}
		for _, o := range c.Watches {
			// The manager can only watch kinds its scheme knows.
			if _, err := apiutil.GVKForObject(o, s); err != nil {
				t.Errorf("controller %q watches %T, unknown to the scheme: %v", c.Name, o, err)
			}
		}
	}
	sort.Strings(names)
	if !slices.Equal(names, wantControllers) {
		t.Errorf("controllers %v, want %v", names, wantControllers)
	}

	// The config controller gets the drivers and the settings it was given, and the retry
	// backoff; a watch on the Config and the Infrastructure wakes every controller that
	// needs an initial event.
	for _, c := range ctls {
		if c.Name != "imageregistry-config" {
			continue
		}
		r, ok := c.Reconciler.(*controller.ConfigReconciler)
		if !ok {
			t.Fatalf("imageregistry-config reconciler is %T", c.Reconciler)
		}
		if reflect.ValueOf(r.Drivers).Pointer() != reflect.ValueOf(drivers).Pointer() || r.Settings.ReleaseVersion != "4.99.0-test" {
			t.Errorf("config reconciler got drivers %v, settings %+v; not the ones given", r.Drivers, r.Settings)
		}
		if c.Backoff != settings.RetryBackoff {
			t.Errorf("config controller backoff %+v, want the settings' %+v", c.Backoff, settings.RetryBackoff)
		}
		if !watches(c.Watches, &imageregistryv1.Config{}) || !watches(c.Watches, &configv1.Infrastructure{}) {
			t.Errorf("config controller watches %v: the Config and the Infrastructure must wake it", c.Watches)
		}
	}
}

func watches(objs []client.Object, want client.Object) bool {
	for _, o := range objs {
		if reflect.TypeOf(o) == reflect.TypeOf(want) {
			return true
		}
	}
	return false
}

func TestOptionsDefaults(t *testing.T) {
	settings, drivers := Options{}.withDefaults()
	if settings.SwiftProbe == nil {
		t.Error("no Swift probe by default: bootstrap on OpenStack could never pick Swift")
	}
	if len(drivers) != len(Drivers()) {
		t.Errorf("default drivers %d, want all %d", len(drivers), len(Drivers()))
	}
	probe := func(context.Context, client.Client, *configv1.Infrastructure) bool { return false }
	mine := storage.Drivers{"emptyDir": storage.NewEmptyDir}
	settings, drivers = Options{Settings: controller.Settings{SwiftProbe: probe}, Drivers: mine}.withDefaults()
	if reflect.ValueOf(settings.SwiftProbe).Pointer() != reflect.ValueOf(probe).Pointer() || len(drivers) != 1 {
		t.Errorf("given probe and drivers replaced by defaults")
	}
}

// TestRetryBackoff: the settings' base and cap space the config controller's retries;
// zero means upstream's 5 ms doubling to 1000 s.
func TestRetryBackoff(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    controller.Backoff
		want []time.Duration
	}{
		{"given", controller.Backoff{Base: 10 * time.Millisecond, Cap: 40 * time.Millisecond},
			[]time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}},
		{"upstream's by default", controller.Backoff{}, []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rl := rateLimiter(tc.b)
			item := reconcile.Request{}
			for i, want := range tc.want {
				if got := rl.When(item); got != want {
					t.Errorf("retry %d: delay %v, want %v", i+1, got, want)
				}
			}
		})
	}
	long := rateLimiter(controller.Backoff{})
	var last time.Duration
	for range 40 {
		last = long.When(reconcile.Request{})
	}
	if last != 1000*time.Second {
		t.Errorf("default cap: delay after 40 failures %v, want 1000s", last)
	}
}

// TestNewBuildsWithoutAnAPIServer: New builds the manager and registers every controller
// (no API server is contacted until it starts); a second operator in the same process
// builds too, as the harness restarts it for every spec.
func TestNewBuildsWithoutAnAPIServer(t *testing.T) {
	for i := range 2 {
		if mgr, err := New(&rest.Config{Host: "http://127.0.0.1:1"}, Options{}); err != nil || mgr == nil {
			t.Fatalf("New #%d: %v, %v", i+1, mgr, err)
		}
	}
}
