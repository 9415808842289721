package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ktypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

// patchAction patches an existing object with a JSON merge patch or a JSON patch.
type patchAction struct{}

func (patchAction) Key() string                 { return "patch" }
func (patchAction) Used(st *v1alpha1.Step) bool { return st.Patch != nil }
func (patchAction) Describe(st *v1alpha1.Step) string {
	return "patch " + st.Patch.Kind + " " + st.Patch.Name
}

// Validate checks the reference, that there is exactly one patch, each JSON patch operation's
// members, and the patch against the kind's API schema (a mis-indented merge patch, a path to
// a field that does not exist).
func (patchAction) Validate(c *lint.Checker, st *v1alpha1.Step) {
	p := st.Patch
	if _, ok := c.Ref(p.Src, p.Kind, p.Name, p.Namespace); !ok {
		return
	}
	switch {
	case p.Merge == nil && len(p.JSON) == 0:
		c.Add(p.Src.Node, lint.ClassBadPatch, "patch has neither merge nor json", "add merge: {spec: {...}} (the fields to set)")
	case p.Merge != nil && len(p.JSON) > 0:
		c.Add(p.Src.Field("json"), lint.ClassBadPatch, "patch has both merge and json", "use one patch type per step")
	}
	if mn := p.Src.Field("merge"); mn != nil && mn.Kind == yaml.MappingNode {
		c.MergePatch(p.Kind, mn)
	}
	seq := p.Src.Field("json")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for i, op := range p.JSON {
		n := seq.Content[i]
		hasValue := v1alpha1.FieldNode(n, "value") != nil
		switch op.Op {
		case "add", "replace", "test":
			if !hasValue {
				c.Add(n, lint.ClassBadPatch, fmt.Sprintf("JSON patch op %s needs a value", op.Op), "add value: ...")
			}
		case "move", "copy":
			if op.From == "" {
				c.Add(n, lint.ClassBadPatch, fmt.Sprintf("JSON patch op %s needs from", op.Op), "add from: /path")
			}
		}
	}
	c.JSONPatch(p.Kind, seq, p.JSON)
}

// Do patches the object. The operator makes the Config and the ImagePruner itself, shortly
// after it starts, so the patch waits (up to the step's timeout, on the watch) for the object
// to exist.
func (patchAction) Do(ctx context.Context, r *run, st *v1alpha1.Step, timeout time.Duration) error {
	p := st.Patch
	c := r.cluster.Client()
	u, err := ref(p.Kind, p.Name, p.Namespace)
	if err != nil {
		return err
	}
	patch, err := patchFor(p)
	if err != nil {
		return err
	}
	do := func() error {
		if p.Status {
			return c.Status().Patch(ctx, u.DeepCopy(), patch)
		}
		return c.Patch(ctx, u.DeepCopy(), patch)
	}
	// Retried on every change until the object exists; any other answer ends the wait.
	var patchErr error
	waitErr := r.cluster.Watcher().Until(ctx, timeout, func(context.Context, client.Reader) error {
		if patchErr = do(); apierrors.IsNotFound(patchErr) {
			return patchErr
		}
		return nil
	})
	if waitErr != nil {
		return fmt.Errorf("%s %s does not exist (waited %s for it)", p.Kind, u.GetName(), timeout)
	}
	return patchErr
}

// patchFor builds a patch step's patch: a JSON merge patch when merge is given, else a JSON patch.
func patchFor(p *v1alpha1.Patch) (client.Patch, error) {
	body, typ := any(p.JSON), ktypes.JSONPatchType
	if p.Merge != nil {
		body, typ = p.Merge, ktypes.MergePatchType
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s patch: %w", typ, err)
	}
	return client.RawPatch(typ, b), nil
}
