// Package restmapper keeps the answers of a REST mapper that a test process asks the same
// question many times.
package restmapper

import (
	"fmt"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// Memo wraps m so that a RESTMapping answered once is answered from memory after. Only
// answers are kept, not errors: a kind the cluster does not serve yet (a CRD being
// installed) is asked of m again next time.
//
// Why: controller-runtime's caches ask whether a kind is namespaced on every Get and List,
// and the dynamic mapper answers by walking every served resource; in a suite run that was a
// tenth of the test process's CPU. The API groups never change within a run.
func Memo(m meta.RESTMapper) meta.RESTMapper {
	return &memo{RESTMapper: m}
}

type memo struct {
	meta.RESTMapper
	mappings sync.Map // mappingKey → *meta.RESTMapping
}

func mappingKey(gk schema.GroupKind, versions []string) string {
	return gk.String() + "|" + strings.Join(versions, ",")
}

// RESTMapping returns a copy of the remembered mapping (callers may change what they get).
func (m *memo) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	key := mappingKey(gk, versions)
	if v, ok := m.mappings.Load(key); ok {
		out := *v.(*meta.RESTMapping)
		return &out, nil
	}
	got, err := m.RESTMapper.RESTMapping(gk, versions...)
	if err != nil {
		return nil, err
	}
	kept := *got
	m.mappings.Store(key, &kept)
	return got, nil
}

// ForConfig is controller-runtime's dynamic REST mapper for cfg's cluster, remembered (Memo).
func ForConfig(cfg *rest.Config) (meta.RESTMapper, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	m, err := apiutil.NewDynamicRESTMapper(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("REST mapper: %w", err)
	}
	return Memo(m), nil
}
