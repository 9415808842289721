package harness

import (
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/internal/scheme"
)

// Two or more finalizer-free objects of one kind in one namespace go as one delete-collection;
// a lone object, one with a finalizer and a cluster-scoped one go one by one.
func TestBatchDeletes(t *testing.T) {
	s, err := scheme.New()
	if err != nil {
		t.Fatal(err)
	}
	meta := func(ns, name string, finalizers ...string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: ns, Name: name, Finalizers: finalizers}
	}
	objs := []client.Object{
		&networkingv1.NetworkPolicy{ObjectMeta: meta(NS, "a")},
		&networkingv1.NetworkPolicy{ObjectMeta: meta(NS, "b")},
		&networkingv1.NetworkPolicy{ObjectMeta: meta(ConfigNS, "c")},
		&corev1.ConfigMap{ObjectMeta: meta(NS, "d")},
		&corev1.ConfigMap{ObjectMeta: meta(NS, "e", "keep")},
		&corev1.Namespace{ObjectMeta: meta("", "f")},
	}
	singles, collections, err := batchDeletes(s, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(collections) != 1 || collections[0].GetName() != "a" {
		t.Errorf("collections: want one, for the NetworkPolicies of %s; seen %d", NS, len(collections))
	}
	var names []string
	for _, o := range singles {
		names = append(names, o.GetName())
	}
	sort.Strings(names)
	if want := "c d e f"; strings.Join(names, " ") != want {
		t.Errorf("singles: want %s, seen %v", want, names)
	}
}
