package restmapper

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// countingMapper serves one kind and counts the questions that reach it.
type countingMapper struct {
	meta.RESTMapper
	asked int
}

var configMaps = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}

func (c *countingMapper) RESTMapping(gk schema.GroupKind, _ ...string) (*meta.RESTMapping, error) {
	c.asked++
	if gk != configMaps.GroupKind() {
		return nil, &meta.NoKindMatchError{GroupKind: gk}
	}
	return &meta.RESTMapping{GroupVersionKind: configMaps, Resource: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Scope: meta.RESTScopeNamespace}, nil
}

func TestMemoAsksOncePerKindAndNeverKeepsErrors(t *testing.T) {
	inner := &countingMapper{}
	m := Memo(inner)
	for range 3 {
		got, err := m.RESTMapping(configMaps.GroupKind())
		if err != nil || got.Resource.Resource != "configmaps" || got.Scope.Name() != meta.RESTScopeNameNamespace {
			t.Fatalf("RESTMapping(ConfigMap) = %+v, %v; want configmaps, namespaced", got, err)
		}
		got.Resource.Resource = "changed by a caller"
	}
	if inner.asked != 1 {
		t.Errorf("ConfigMap asked of the mapper %d times, want 1", inner.asked)
	}
	crd := schema.GroupKind{Group: "example.io", Kind: "NotYetServed"}
	for range 2 {
		if _, err := m.RESTMapping(crd); !meta.IsNoMatchError(err) {
			t.Fatalf("RESTMapping(%s) error %v, want no match", crd, err)
		}
	}
	if inner.asked != 3 {
		t.Errorf("mapper asked %d times in all, want 3 (an unserved kind is asked again)", inner.asked)
	}
}
