package apischema

import (
	"reflect"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func gvk(g, v, k string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: g, Version: v, Kind: k}
}

var (
	configGVK     = gvk("imageregistry.operator.openshift.io", "v1", "Config")
	deploymentGVK = gvk("apps", "v1", "Deployment")
	secretGVK     = gvk("", "v1", "Secret")
)

// walk follows keys from the root of kind k ("[]" steps into list items).
func walk(t *testing.T, s *Set, k schema.GroupVersionKind, keys ...string) *Node {
	t.Helper()
	n := s.Root(k)
	if n == nil {
		t.Fatalf("no schema for %s", k)
	}
	for _, key := range keys {
		if key == "[]" {
			if n.Type != Array {
				t.Fatalf("%v: %s is not a list", keys, key)
			}
			n = n.Items
			continue
		}
		f, ok := n.Field(key)
		if !ok {
			t.Fatalf("%s: no field %s in %v (fields %v)", k.Kind, key, keys, n.FieldNames())
		}
		n = f
	}
	return n
}

func TestDefault(t *testing.T) {
	s, crdErr, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if crdErr != nil {
		t.Fatalf("the openshift/api CRDs are in the module cache of this checkout: %v", crdErr)
	}
	if !s.FromCRD(configGVK) || s.FromCRD(deploymentGVK) {
		t.Errorf("Config must come from its CRD, Deployment from its Go type")
	}
	// The CRD's pattern ^(Managed|Unmanaged|Force|Removed)$ reads as an enum.
	if n := walk(t, s, configGVK, "spec", "managementState"); n.Type != String || !slices.Equal(n.Enum, []string{"Managed", "Unmanaged", "Force", "Removed"}) {
		t.Errorf("managementState: %+v", n)
	}
	if n := walk(t, s, configGVK, "spec", "replicas"); n.Type != Integer {
		t.Errorf("replicas: %v", n.Type)
	}
	// CRDs say only `type: object` for metadata; the set gives the real ObjectMeta.
	if n := walk(t, s, configGVK, "metadata", "labels", "any-key"); n.Type != String {
		t.Errorf("metadata.labels values: %v", n.Type)
	}
	if _, ok := walk(t, s, configGVK, "spec").Field("managmentState"); ok {
		t.Error("a misspelt field must not be found")
	}
	if n := walk(t, s, deploymentGVK, "spec", "template", "spec", "containers", "[]", "env", "[]", "value"); n.Type != String {
		t.Errorf("env value: %v", n.Type)
	}
	if n := walk(t, s, deploymentGVK, "spec", "template", "spec", "containers", "[]", "resources", "limits", "cpu"); n.Type != IntOrString {
		t.Errorf("a quantity is a number or text: %v", n.Type)
	}
	if n := walk(t, s, deploymentGVK, "metadata", "creationTimestamp"); n.Type != String {
		t.Errorf("a time is text: %v", n.Type)
	}
	if n := walk(t, s, secretGVK, "data", "credentials"); n.Type != String {
		t.Errorf("secret data: %v", n.Type)
	}
	// Inlined embedded structs (TypeMeta) give apiVersion and kind at the top.
	for _, k := range []string{"apiVersion", "kind"} {
		walk(t, s, deploymentGVK, k)
		walk(t, s, configGVK, k)
	}
}

func TestFind(t *testing.T) {
	s, _, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	got := s.Root(configGVK).Find("managementState", 4)
	if len(got) == 0 || got[0] != "spec.managementState" {
		t.Errorf("got %v, want spec.managementState first", got)
	}
}

func TestFromGoTypeRecursion(t *testing.T) {
	type node struct {
		Name     string  `json:"name"`
		Children []*node `json:"children,omitempty"`
		Skip     string  `json:"-"`
		Raw      []byte  `json:"raw"`
	}
	n := FromGoType(reflect.TypeOf(node{}))
	if got := n.FieldNames(); !slices.Equal(got, []string{"children", "name", "raw"}) {
		t.Errorf("fields %v", got)
	}
	if n.Fields["children"].Items != n {
		t.Error("a recursive type must reuse its node")
	}
	if n.Fields["raw"].Type != String {
		t.Error("[]byte is base64 text")
	}
}
