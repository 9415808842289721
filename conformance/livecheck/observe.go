package livecheck

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// State is what became of reading one input.
type State int

const (
	Present    State = iota
	Absent           // the API answered 404 for this name
	NotServed        // the cluster does not serve the kind at all (no such API group)
	Forbidden        // the account may not read it
	Unreadable       // any other error (timeout, 5xx): the reason is kept
)

// Seen is one input as read.
type Seen struct {
	Source Source
	State  State
	// Obj is the object as the API server sent it (unstructured, so fields of any release
	// read as they are). For a Secret it holds metadata only.
	Obj *unstructured.Unstructured
	// Keys are a Secret's data keys (values are never kept).
	Keys []string
	Err  error
}

// Observation is what a check judges: the inputs it declared, as read, and the release.
type Observation struct {
	// Release is the operator's release as the cluster reports it (zero when unknown);
	// JudgedAs is the release whose shapes apply.
	Release, JudgedAs Release
	seen              map[Input]*Seen
}

// Get returns how an input was seen (Unreadable if it was never asked for).
func (o *Observation) Get(in Input) *Seen {
	if s, ok := o.seen[in]; ok {
		return s
	}
	return &Seen{Source: SourceOf(in), State: Unreadable, Err: fmt.Errorf("input %s was not gathered (the check did not declare it)", in)}
}

// Reader reads named objects from a cluster: the one way live checks touch it.
type Reader interface {
	// Get returns the object, or an API error (404, 403, ...).
	Get(ctx context.Context, src Source) (*unstructured.Unstructured, error)
	// Served reports whether the cluster serves the group/version of gvr.
	Served(ctx context.Context, gvr schema.GroupVersionResource) (bool, error)
}

// NewReader reads through the dynamic client (no compiled types: a field of any release
// reads as the server sent it).
func NewReader(cfg *rest.Config) (Reader, error) {
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	return &dynReader{dc: dc, disc: disc, served: map[schema.GroupVersion]bool{}}, nil
}

type dynReader struct {
	dc   dynamic.Interface
	disc *discovery.DiscoveryClient

	mu     sync.Mutex
	served map[schema.GroupVersion]bool
}

func (r *dynReader) Get(ctx context.Context, src Source) (*unstructured.Unstructured, error) {
	ri := r.dc.Resource(src.GVR)
	if src.Namespace != "" {
		return ri.Namespace(src.Namespace).Get(ctx, src.Name, metav1.GetOptions{})
	}
	return ri.Get(ctx, src.Name, metav1.GetOptions{})
}

func (r *dynReader) Served(ctx context.Context, gvr schema.GroupVersionResource) (bool, error) {
	gv := gvr.GroupVersion()
	if gv.Group == "" || gv.Group == "apps" || gv.Group == "batch" {
		return true, nil // built into every API server
	}
	r.mu.Lock()
	if ok, known := r.served[gv]; known {
		r.mu.Unlock()
		return ok, nil
	}
	r.mu.Unlock()
	// Discovery through the REST client, so an interrupted run does not wait out a timeout.
	var list metav1.APIResourceList
	err := r.disc.RESTClient().Get().AbsPath("/apis", gv.Group, gv.Version).Do(ctx).Into(&list)
	ok := false
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return false, err
	default:
		for _, res := range list.APIResources {
			ok = ok || res.Name == gvr.Resource
		}
	}
	r.mu.Lock()
	r.served[gv] = ok
	r.mu.Unlock()
	return ok, nil
}

// Gather reads the given inputs (and what they depend on: the trusted-CA ConfigMap needs
// the image config) in parallel. Inputs the account may not read are not asked for.
func Gather(ctx context.Context, r Reader, access Access, release Release, inputs []Input) *Observation {
	o := &Observation{Release: release, JudgedAs: release.JudgedAs(), seen: map[Input]*Seen{}}
	want := map[Input]bool{}
	for _, in := range inputs {
		want[in] = true
	}
	if want[InTrustedCA] {
		want[InImageConfig] = true
	}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	read := func(in Input, src Source) {
		s := readOne(ctx, r, access, in, src)
		mu.Lock()
		o.seen[in] = s
		mu.Unlock()
	}
	for in := range want {
		if in == InTrustedCA {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); read(in, SourceOf(in)) }()
	}
	wg.Wait()
	if want[InTrustedCA] {
		img := o.seen[InImageConfig]
		name := ""
		if img.State == Present {
			name, _, _ = unstructured.NestedString(img.Obj.Object, "spec", "additionalTrustedCA", "name")
		}
		if name == "" {
			o.seen[InTrustedCA] = &Seen{Source: trustedCASource(""), State: Absent}
		} else {
			read(InTrustedCA, trustedCASource(name))
		}
	}
	return o
}

func readOne(ctx context.Context, r Reader, access Access, in Input, src Source) *Seen {
	s := &Seen{Source: src}
	if !access.CanRead(in) {
		s.State = Forbidden
		return s
	}
	served, err := r.Served(ctx, src.GVR)
	if err != nil {
		s.State, s.Err = Unreadable, err
		return s
	}
	if !served {
		s.State = NotServed
		return s
	}
	obj, err := r.Get(ctx, src)
	switch {
	case err == nil:
		s.State, s.Obj = Present, obj
	case apierrors.IsNotFound(err):
		s.State = Absent
	case apierrors.IsForbidden(err):
		s.State, s.Err = Forbidden, err
	default:
		s.State, s.Err = Unreadable, err
	}
	if src.Secret && s.Obj != nil {
		s.Keys, s.Obj = secretKeys(s.Obj), metadataOnly(s.Obj)
	}
	return s
}

// secretKeys returns the data keys of a Secret; the values are not looked at.
func secretKeys(u *unstructured.Unstructured) []string {
	var keys []string
	for _, field := range []string{"data", "stringData"} {
		m, _, _ := unstructured.NestedMap(u.Object, field)
		for k := range m {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func metadataOnly(u *unstructured.Unstructured) *unstructured.Unstructured {
	out := &unstructured.Unstructured{Object: map[string]any{}}
	out.SetAPIVersion(u.GetAPIVersion())
	out.SetKind(u.GetKind())
	out.SetName(u.GetName())
	out.SetNamespace(u.GetNamespace())
	return out
}

// DetectRelease works out which release wrote what the checks will read: the image
// registry operator's own version in its ClusterOperator (the operator actually running),
// else the cluster's desired version in ClusterVersion. from says which ("" when neither
// could be read).
func DetectRelease(ctx context.Context, r Reader, access Access) (rel Release, version, from string) {
	o := Gather(ctx, r, access, Release{}, []Input{InClusterOp, InClusterVersion})
	if co := o.Get(InClusterOp); co.State == Present {
		versions, _, _ := unstructured.NestedSlice(co.Obj.Object, "status", "versions")
		for _, v := range versions {
			m, _ := v.(map[string]any)
			if name, _ := m["name"].(string); name == "operator" {
				if ver, _ := m["version"].(string); ver != "" {
					if rel, ok := ParseRelease(ver); ok {
						return rel, ver, "ClusterOperator image-registry"
					}
				}
			}
		}
	}
	if cv := o.Get(InClusterVersion); cv.State == Present {
		ver, _, _ := unstructured.NestedString(cv.Obj.Object, "status", "desired", "version")
		if rel, ok := ParseRelease(ver); ok {
			return rel, ver, "ClusterVersion"
		}
		if ver != "" {
			return Release{}, ver, "ClusterVersion"
		}
	}
	return Release{}, "", ""
}

// describeState is the sentence for an input that is not there to judge.
func describeState(s *Seen) string {
	switch s.State {
	case Absent:
		return "no " + s.Source.Object()
	case NotServed:
		return "the cluster serves no " + s.Source.GVR.GroupResource().String() + " API"
	case Forbidden:
		return "cannot read " + kindWords(inputOf(s.Source))
	case Unreadable:
		msg := "reading " + s.Source.Object() + " failed"
		if s.Err != nil {
			msg += ": " + firstLine(s.Err.Error())
		}
		return msg
	}
	return s.Source.Object() + " is present"
}

func inputOf(src Source) Input {
	for in, s := range fixedSources {
		if s.GVR == src.GVR && s.Namespace == src.Namespace && s.Name == src.Name {
			return in
		}
	}
	if src.GVR == gvrConfigMap && src.Namespace == ConfigNS {
		return InTrustedCA
	}
	return Input(src.GVR.Resource)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
