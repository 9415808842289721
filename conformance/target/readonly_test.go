package target

import (
	"context"
	"errors"
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/irconform/irconform/internal/scheme"
)

// TestReadOnlyRefusesEveryWrite proves the live read-only client never lets a write reach the
// cluster: every write verb fails with ErrReadOnly and the underlying client sees no call.
func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	s, err := scheme.New()
	if err != nil {
		t.Fatal(err)
	}
	writes := 0
	count := func() { writes++ }
	base := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.CreateOption) error {
			count()
			return nil
		},
		Update: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.UpdateOption) error {
			count()
			return nil
		},
		Patch: func(ctx context.Context, c client.WithWatch, o client.Object, p client.Patch, opts ...client.PatchOption) error {
			count()
			return nil
		},
		Delete: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.DeleteOption) error {
			count()
			return nil
		},
		DeleteAllOf: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.DeleteAllOfOption) error {
			count()
			return nil
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, o client.Object, opts ...client.SubResourceUpdateOption) error {
			count()
			return nil
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, o client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
			count()
			return nil
		},
		SubResourceCreate: func(ctx context.Context, c client.Client, sub string, o client.Object, sr client.Object, opts ...client.SubResourceCreateOption) error {
			count()
			return nil
		},
	}).Build()
	ro := ReadOnly(base)
	ctx := context.Background()
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "x", Name: "y"}}
	calls := map[string]error{
		"create":             ro.Create(ctx, cm),
		"update":             ro.Update(ctx, cfg),
		"patch":              ro.Patch(ctx, cfg, client.MergeFrom(cfg.DeepCopy())),
		"delete":             ro.Delete(ctx, cfg),
		"deleteallof":        ro.DeleteAllOf(ctx, cm, client.InNamespace("x")),
		"status update":      ro.Status().Update(ctx, cfg),
		"status patch":       ro.Status().Patch(ctx, cfg, client.MergeFrom(cfg.DeepCopy())),
		"subresource patch":  ro.SubResource("scale").Patch(ctx, cfg, client.MergeFrom(cfg.DeepCopy())),
		"subresource create": ro.SubResource("eviction").Create(ctx, cfg, &corev1.Pod{}),
	}
	for verb, err := range calls {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: got %v, want ErrReadOnly", verb, err)
		}
	}
	if writes != 0 {
		t.Fatalf("%d writes reached the underlying client", writes)
	}
	// Reads still work.
	if err := ro.List(ctx, &corev1.ConfigMapList{}); err != nil {
		t.Fatalf("list through read-only client: %v", err)
	}
}

func TestStripCredentials(t *testing.T) {
	if got := stripCredentials("https://admin:s3cret@api.example:6443"); got != "https://api.example:6443" {
		t.Fatal(got)
	}
}

func TestExitCodes(t *testing.T) {
	for err, want := range map[error]int{nil: 0, ErrKubeconfig: 3, ErrUnreachable: 4, ErrUnauthorized: 5, ErrNotOpenShift: 6, ErrForbidden: 7, errors.New("x"): 2} {
		if got := ExitCode(err); got != want {
			t.Errorf("%v → %d, want %d", err, got, want)
		}
	}
}
