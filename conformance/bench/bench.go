// Package bench measures the harness and the reference operator: envtest start, reconcile
// latency (a Config change to the operator's resulting Deployment write, seen on a raw
// watch) and the harness's own overhead (an update plus a watch-driven wait, minus the
// operator's latency). Figures, not pass/fail: speed targets live here, never in tests.
package bench

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-logr/logr"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
)

// Stats summarises samples in milliseconds.
type Stats struct {
	N      int     `json:"n"`
	P50Ms  float64 `json:"p50_ms"`
	P95Ms  float64 `json:"p95_ms"`
	MinMs  float64 `json:"min_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanMs float64 `json:"mean_ms"`
}

// Summarize computes Stats over durations.
func Summarize(ds []time.Duration) Stats {
	if len(ds) == 0 {
		return Stats{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Stats{N: len(s), P50Ms: ms(s[len(s)/2]), P95Ms: ms(s[(len(s)*95)/100-boolInt(len(s)*95%100 == 0)]),
		MinMs: ms(s[0]), MaxMs: ms(s[len(s)-1]), MeanMs: ms(sum / time.Duration(len(s)))}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Latency is the result of MeasureReconcile.
type Latency struct {
	EnvtestStartMs float64 `json:"envtest_start_ms"`
	// Reconcile: Config update returned → the operator's Deployment write seen on a raw watch.
	Reconcile Stats `json:"reconcile"`
	// Step: one update plus the harness's watch-driven wait for the operator's reaction.
	Step Stats `json:"harness_step"`
	// Overhead: Step minus Reconcile, per sample: what the harness itself costs.
	Overhead Stats `json:"harness_overhead"`
	// UpdateTrip and WatchLag split Overhead: the patch's round trip, and the time from the
	// raw watch seeing the Deployment to the harness's wait returning.
	UpdateTrip Stats `json:"harness_update_trip"`
	WatchLag   Stats `json:"harness_watch_lag"`
}

// MeasureReconcile starts its own envtest world and changes the Config n times; then, on the
// same envtest and operator, runs the same n steps as a chainsaw test (MeasureChainsaw with
// chainsawBin) for the side-by-side.
func MeasureReconcile(ctx context.Context, n int, chainsawBin string) (Latency, Chainsaw, error) {
	out, env, err := measureReconcile(ctx, n)
	if env != nil {
		defer func() { _ = env.Stop() }()
	}
	if err != nil {
		return out, Chainsaw{}, err
	}
	cs := MeasureChainsaw(ctx, env.Target.RESTConfig(), chainsawBin, n)
	if cs.Error == "" && out.Step.P50Ms > 0 {
		cs.Ratio = cs.Step.P50Ms / out.Step.P50Ms
	}
	if cs.Error == "" && out.Overhead.P50Ms > 0 {
		cs.OverheadRatio = cs.Step.P50Ms / out.Overhead.P50Ms
	}
	return out, cs, nil
}

// benchSettle is how long the cluster must have been unchanged before a reconcile sample.
const benchSettle = 50 * time.Millisecond

func measureReconcile(ctx context.Context, n int) (Latency, *harness.Env, error) {
	var out Latency
	start := time.Now()
	env, err := harness.StartEnvtest(ctx, logr.Discard())
	if err != nil {
		return out, nil, err
	}
	out.EnvtestStartMs = float64(time.Since(start).Microseconds()) / 1000
	if err := env.CreateInfrastructure(ctx, harness.Platform{Type: configv1.LibvirtPlatformType}); err != nil {
		return out, env, err
	}
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}, Spec: imageregistryv1.ImageRegistrySpec{
		OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed}, Replicas: 1,
		Storage: imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}}}
	if err := env.Client.Create(ctx, cfg); err != nil {
		return out, env, err
	}
	if err := env.StartOperator(ctx); err != nil {
		return out, env, err
	}
	wc, err := client.NewWithWatch(env.Target.RESTConfig(), client.Options{Scheme: env.Target.Scheme()})
	if err != nil {
		return out, env, err
	}
	replicasOf := func(r client.Reader) int32 {
		var d appsv1.Deployment
		if err := r.Get(ctx, client.ObjectKey{Namespace: harness.NS, Name: "image-registry"}, &d); err != nil || d.Spec.Replicas == nil {
			return -1
		}
		return *d.Spec.Replicas
	}
	if err := env.Watch.Until(ctx, 30*time.Second, func(ctx context.Context, r client.Reader) error {
		if replicasOf(r) != 1 {
			return fmt.Errorf("registry not deployed yet")
		}
		return nil
	}); err != nil {
		return out, env, err
	}
	var rec, step, over, trip, lag []time.Duration
	for i := 0; i < n; i++ {
		// Each sample starts on a settled cluster: the previous step's tail (the simulated
		// rollout, the operator's status writes that follow it) would otherwise still hold
		// kube-apiserver when the next patch goes out, and its time would count as the
		// harness's. chainsaw's steps get the same: its 50 ms poll ticks outlast that tail.
		env.Watch.Settle(ctx, benchSettle, 5*time.Second)
		want := int32(chainsawStepReplicas(i)) // the chainsaw test's steps, for a like-for-like ratio
		if want == replicasOf(env.Client) {
			want++
		}
		w, err := wc.Watch(ctx, &appsv1.DeploymentList{}, client.InNamespace(harness.NS))
		if err != nil {
			return out, env, err
		}
		seen := make(chan time.Time, 1)
		go func() {
			for ev := range w.ResultChan() {
				if d, ok := ev.Object.(*appsv1.Deployment); ok && ev.Type == watch.Modified && d.Spec.Replicas != nil && *d.Spec.Replicas == want {
					seen <- time.Now()
					return
				}
			}
		}()
		t0 := time.Now()
		if err := updateReplicas(ctx, env.Client, want); err != nil {
			w.Stop()
			return out, env, err
		}
		t1 := time.Now()
		if err := env.Watch.Until(ctx, 10*time.Second, func(ctx context.Context, r client.Reader) error {
			if replicasOf(r) != want {
				return fmt.Errorf("replicas not %d", want)
			}
			return nil
		}); err != nil {
			w.Stop()
			return out, env, err
		}
		t2 := time.Now()
		var tDep time.Time
		select {
		case tDep = <-seen:
		case <-time.After(5 * time.Second):
			w.Stop()
			return out, env, fmt.Errorf("raw watch never saw replicas %d", want)
		}
		w.Stop()
		op := tDep.Sub(t1)
		rec = append(rec, op)
		step = append(step, t2.Sub(t0))
		over = append(over, t2.Sub(t0)-op)
		trip = append(trip, t1.Sub(t0))
		lag = append(lag, t2.Sub(tDep))
	}
	out.Reconcile, out.Step, out.Overhead = Summarize(rec), Summarize(step), Summarize(over)
	out.UpdateTrip, out.WatchLag = Summarize(trip), Summarize(lag)
	return out, env, nil
}

// updateReplicas sets the Config's spec.replicas with one merge patch, as chainsaw's step does
// (a patch operation): one round trip, and no conflict with the operator's own status writes.
// A read-modify-update here measured the operator's timing more than the harness: the faster
// the operator wrote the Config's status after its sync, the more often the next update met a
// 409 Conflict and went round again.
func updateReplicas(ctx context.Context, c client.Client, n int32) error {
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	patch := client.RawPatch(types.MergePatchType, []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, n)))
	if err := c.Patch(ctx, cfg, patch); err != nil {
		return fmt.Errorf("patching Config cluster spec.replicas: %w", err)
	}
	return nil
}
