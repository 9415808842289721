package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// Snapshot keeps, as the API server sent them, the objects a disruptive spec is about to
// change. Restoring goes through raw JSON only: no compiled Go type sits between the
// snapshot and the cluster, so a field the compiled types do not know (one a newer release
// added) and every default as stored (logging: 0, observedConfig: null) survive.
type Snapshot struct {
	saved []savedObject
}

type savedObject struct {
	path string // API path of the object
	what string // "configs.imageregistry.operator.openshift.io/cluster"
	raw  []byte // the whole object as served
}

// restoredParts are what a restore puts back: the spec, and the labels and annotations.
var restoredParts = [][]string{{"spec"}, {"metadata", "labels"}, {"metadata", "annotations"}}

// TakeSnapshot reads each object now, as raw JSON.
func (e *Env) TakeSnapshot(ctx context.Context, objs ...client.Object) (*Snapshot, error) {
	rc, err := rawClient(e.Target.RESTConfig())
	if err != nil {
		return nil, err
	}
	s := &Snapshot{}
	for _, o := range objs {
		path, what, err := e.apiPath(o)
		if err != nil {
			return nil, err
		}
		raw, err := rc.Get().AbsPath(path).DoRaw(ctx)
		if err != nil {
			return nil, fmt.Errorf("snapshot of %s: %w", what, err)
		}
		s.saved = append(s.saved, savedObject{path: path, what: what, raw: raw})
	}
	return s, nil
}

// Restore puts back exactly the fields that changed since the snapshot, with one JSON merge
// patch per object computed on the raw objects (guarded by the resourceVersion it was
// computed from, retried on conflict with the operator's own writes), then verifies that
// each object's whole spec is byte for byte the snapshot's, unknown fields included.
func (e *Env) Restore(ctx context.Context, s *Snapshot) error {
	rc, err := rawClient(e.Target.RESTConfig())
	if err != nil {
		return err
	}
	for _, saved := range s.saved {
		var err error
		for attempt := 0; attempt < 20; attempt++ {
			if err = restoreOne(ctx, rc, saved); err == nil || !apierrors.IsConflict(err) {
				break
			}
		}
		if err != nil {
			return err
		}
	}
	for _, saved := range s.saved {
		// The operator reacts to the restore and may write the object once more (status,
		// or a default it fills): verify until it has settled, a few seconds at most.
		var err error
		for deadline := time.Now().Add(10 * time.Second); ; {
			if err = verifyRestored(ctx, rc, saved); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func restoreOne(ctx context.Context, rc rest.Interface, saved savedObject) error {
	curRaw, err := rc.Get().AbsPath(saved.path).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("restore: reading %s: %w", saved.what, err)
	}
	want, cur := decode(saved.raw), decode(curRaw)
	if want == nil || cur == nil {
		return fmt.Errorf("restore: %s is not a JSON object", saved.what)
	}
	var ops []patchOp
	for _, part := range restoredParts {
		ops = append(ops, diffOps(pointer(part), lookupOK(cur, part), lookupOK(want, part))...)
	}
	if len(ops) == 0 {
		return nil
	}
	// The resourceVersion it was computed from makes the patch conditional: a write by the
	// operator in between is a 409 Conflict, and the patch is computed again.
	ops = append([]patchOp{{Op: "replace", Path: "/metadata/resourceVersion", Value: lookup(cur, []string{"metadata", "resourceVersion"})}}, ops...)
	body, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	if _, err := rc.Patch(types.JSONPatchType).AbsPath(saved.path).Body(body).DoRaw(ctx); err != nil {
		return fmt.Errorf("restore: patching %s: %w", saved.what, err)
	}
	return nil
}

// patchOp is one JSON Patch (RFC 6902) operation.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// MarshalJSON keeps "value" for add/replace even when it is null (a field stored as null).
func (p patchOp) MarshalJSON() ([]byte, error) {
	if p.Op == "remove" {
		return json.Marshal(struct {
			Op   string `json:"op"`
			Path string `json:"path"`
		}{p.Op, p.Path})
	}
	return json.Marshal(struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value any    `json:"value"`
	}{p.Op, p.Path, p.Value})
}

// jsonValue is a value and whether the key was there at all (null and absent differ).
type jsonValue struct {
	v       any
	present bool
}

func lookupOK(m map[string]any, path []string) jsonValue {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return jsonValue{}
		}
		if cur, ok = mm[p]; !ok {
			return jsonValue{}
		}
	}
	return jsonValue{cur, true}
}

// diffOps are the operations that turn cur into want at path: objects are compared key by
// key, anything else (lists included) is replaced whole.
func diffOps(path string, cur, want jsonValue) []patchOp {
	switch {
	case !cur.present && !want.present:
		return nil
	case !want.present:
		return []patchOp{{Op: "remove", Path: path}}
	case !cur.present:
		return []patchOp{{Op: "add", Path: path, Value: want.v}}
	}
	cm, cok := cur.v.(map[string]any)
	wm, wok := want.v.(map[string]any)
	if !cok || !wok {
		if reflect.DeepEqual(cur.v, want.v) {
			return nil
		}
		return []patchOp{{Op: "replace", Path: path, Value: want.v}}
	}
	keys := map[string]bool{}
	for k := range cm {
		keys[k] = true
	}
	for k := range wm {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var ops []patchOp
	for _, k := range names {
		cv, cok := cm[k]
		wv, wok := wm[k]
		ops = append(ops, diffOps(path+"/"+escapePointer(k), jsonValue{cv, cok}, jsonValue{wv, wok})...)
	}
	return ops
}

func pointer(path []string) string {
	out := ""
	for _, p := range path {
		out += "/" + escapePointer(p)
	}
	return out
}

// escapePointer escapes a key for a JSON pointer ("~" → "~0", "/" → "~1"): annotation keys
// carry slashes.
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// verifyRestored checks that the object's spec equals the snapshot's byte for byte, and that
// its labels and annotations are the snapshot's.
func verifyRestored(ctx context.Context, rc rest.Interface, saved savedObject) error {
	curRaw, err := rc.Get().AbsPath(saved.path).DoRaw(ctx)
	if err != nil {
		return fmt.Errorf("verifying the restore of %s: %w", saved.what, err)
	}
	wantSpec, curSpec := rawField(saved.raw, "spec"), rawField(curRaw, "spec")
	if !bytes.Equal(wantSpec, curSpec) {
		where := diffPaths("spec", decodeAny(curSpec), decodeAny(wantSpec))
		if len(where) == 0 {
			where = []string{"spec (same content, different bytes)"}
		}
		return fmt.Errorf("restore of %s did not take: spec differs from the snapshot at %s", saved.what, strings.Join(where, ", "))
	}
	want, cur := decode(saved.raw), decode(curRaw)
	for _, part := range restoredParts[1:] {
		if !reflect.DeepEqual(lookup(cur, part), lookup(want, part)) {
			return fmt.Errorf("restore of %s did not take: %s differs from the snapshot", saved.what, strings.Join(part, "."))
		}
	}
	return nil
}

// apiPath is the REST path of obj, from the cluster's own RESTMapper.
func (e *Env) apiPath(obj client.Object) (path, what string, err error) {
	gvk, err := apiutil.GVKForObject(obj, e.Target.Scheme())
	if err != nil {
		return "", "", err
	}
	m, err := e.Client.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return "", "", fmt.Errorf("mapping %s: %w", gvk, err)
	}
	prefix := "/apis/" + gvk.Group + "/" + gvk.Version
	if gvk.Group == "" {
		prefix = "/api/" + gvk.Version
	}
	what = m.Resource.Resource
	if gvk.Group != "" {
		what += "." + gvk.Group
	}
	what += "/" + obj.GetName()
	if ns := obj.GetNamespace(); ns != "" {
		return prefix + "/namespaces/" + ns + "/" + m.Resource.Resource + "/" + obj.GetName(), what + " -n " + ns, nil
	}
	return prefix + "/" + m.Resource.Resource + "/" + obj.GetName(), what, nil
}

func rawClient(cfg *rest.Config) (rest.Interface, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("raw API client: %w", err)
	}
	return cs.CoreV1().RESTClient(), nil
}

// decode parses JSON keeping numbers exact (json.Number), so a value is written back as read.
func decode(raw []byte) map[string]any {
	m, _ := decodeAny(raw).(map[string]any)
	return m
}

func decodeAny(raw []byte) any {
	if raw == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return v
}

// rawField returns one top-level field of a JSON object exactly as the server wrote it.
func rawField(raw []byte, field string) []byte {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil
	}
	return fields[field]
}

func lookup(m map[string]any, path []string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// diffPaths lists where two JSON values differ ("spec.defaultRoute"), for the failure line.
func diffPaths(prefix string, cur, want any) []string {
	cm, cok := cur.(map[string]any)
	wm, wok := want.(map[string]any)
	if !cok || !wok {
		if reflect.DeepEqual(cur, want) {
			return nil
		}
		return []string{fmt.Sprintf("%s (now %s, snapshot %s)", prefix, short(cur), short(want))}
	}
	keys := map[string]bool{}
	for k := range cm {
		keys[k] = true
	}
	for k := range wm {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	for _, k := range names {
		out = append(out, diffPaths(prefix+"."+k, cm[k], wm[k])...)
	}
	return out
}

func short(v any) string {
	if v == nil {
		return "absent"
	}
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}
