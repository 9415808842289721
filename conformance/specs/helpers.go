package specs

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
)

// Literal names from the catalogue (reports/catalogue/behaviors.yaml).
const (
	ns             = "openshift-image-registry"
	configName     = "cluster"
	registryName   = "image-registry"
	finalizer      = "imageregistry.operator.openshift.io/finalizer"
	privateSecret  = "image-registry-private-configuration"
	clusterOpName  = "image-registry"
	defaultTimeout = 10 * time.Second
)

var (
	configKey     = types.NamespacedName{Name: configName}
	deploymentKey = types.NamespacedName{Namespace: ns, Name: registryName}
)

func ctx() context.Context { return suiteCtx }

// onPlatform creates the Infrastructure for p and starts the operator.
func onPlatform(p configv1.PlatformType) {
	GinkgoHelper()
	onInfra(harness.Platform{Type: p, Region: "us-east-1"})
}

func onInfra(p harness.Platform) {
	GinkgoHelper()
	Expect(env.CreateInfrastructure(ctx(), p)).To(Succeed(), "create Infrastructure cluster")
	Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
}

// eventually waits (watch-driven) until fn's assertions hold.
func eventually(fn func(g Gomega, r client.Reader)) {
	GinkgoHelper()
	Expect(env.Watch.Eventually(ctx(), defaultTimeout, fn)).To(Succeed(), "the awaited state")
}

func getConfig(g Gomega, r client.Reader) *imageregistryv1.Config {
	var cfg imageregistryv1.Config
	g.Expect(r.Get(ctx(), configKey, &cfg)).To(Succeed(), "Config cluster should exist")
	return &cfg
}

func getDeployment(g Gomega, r client.Reader) *appsv1.Deployment {
	var d appsv1.Deployment
	g.Expect(r.Get(ctx(), deploymentKey, &d)).To(Succeed(), "Deployment image-registry should exist")
	return &d
}

func getCO(g Gomega, r client.Reader) *configv1.ClusterOperator {
	var co configv1.ClusterOperator
	g.Expect(r.Get(ctx(), types.NamespacedName{Name: clusterOpName}, &co)).To(Succeed(), "ClusterOperator image-registry should exist")
	return &co
}

func absent(g Gomega, r client.Reader, obj client.Object) {
	err := r.Get(ctx(), client.ObjectKeyFromObject(obj), obj)
	state := "present"
	switch {
	case apierrors.IsNotFound(err):
		state = "absent"
	case err != nil:
		state = "unreadable (" + err.Error() + ")"
	}
	g.Expect(state).To(Equal("absent"), of(obj, ""))
}

// condition returns the Config condition of type t (fails when missing).
func condition(g Gomega, conds []operatorv1.OperatorCondition, t string) operatorv1.OperatorCondition {
	for _, c := range conds {
		if c.Type == t {
			return c
		}
	}
	g.Expect(conds).To(ContainElement(HaveField("Type", t)), "condition %s", t)
	return operatorv1.OperatorCondition{}
}

// expectCondition asserts status, reason and (when non-empty) message.
func expectCondition(g Gomega, conds []operatorv1.OperatorCondition, t string, s operatorv1.ConditionStatus, reason, message string) {
	c := condition(g, conds, t)
	g.Expect(c.Status).To(Equal(s), "condition %s status (reason %q, message %q)", t, c.Reason, c.Message)
	g.Expect(c.Reason).To(Equal(reason), "condition %s reason", t)
	if message != "" {
		g.Expect(c.Message).To(Equal(message), "condition %s message", t)
	}
}

func coCondition(g Gomega, co *configv1.ClusterOperator, t configv1.ClusterStatusConditionType) configv1.ClusterOperatorStatusCondition {
	for _, c := range co.Status.Conditions {
		if c.Type == t {
			return c
		}
	}
	g.Expect(co.Status.Conditions).To(ContainElement(HaveField("Type", t)), "ClusterOperator image-registry status.conditions")
	return configv1.ClusterOperatorStatusCondition{}
}

// update re-reads the Config and applies mutate, retrying on conflicts (as `oc patch` would).
func updateConfig(mutate func(cfg *imageregistryv1.Config)) {
	GinkgoHelper()
	Eventually(func() error {
		var cfg imageregistryv1.Config
		if err := env.Client.Get(ctx(), configKey, &cfg); err != nil {
			return err
		}
		mutate(&cfg)
		return env.Client.Update(ctx(), &cfg)
	}).WithTimeout(defaultTimeout).WithPolling(10*time.Millisecond).Should(Succeed(), "update Config cluster")
}

// createConfig creates the Config a user would write.
func createConfig(spec imageregistryv1.ImageRegistrySpec) {
	GinkgoHelper()
	cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: configName}, Spec: spec}
	Expect(env.Client.Create(ctx(), cfg)).To(Succeed(), "create Config cluster")
}

func managedEmptyDir(replicas int32) imageregistryv1.ImageRegistrySpec {
	return imageregistryv1.ImageRegistrySpec{
		OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
		Replicas:     replicas,
		Storage:      imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}},
	}
}

// waitObserved waits until the operator has processed the Config's current generation:
// the barrier that makes "nothing changed" checks deterministic without sleeping. The
// generation is read from the API server, not the watch cache, which may not have seen the
// spec's last write yet.
func waitObserved() {
	GinkgoHelper()
	var live imageregistryv1.Config
	Expect(env.Client.Get(ctx(), configKey, &live)).To(Succeed(), "read Config cluster")
	gen := live.Generation
	eventually(func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		g.Expect(cfg.Generation).To(BeNumerically(">=", gen), "watch cache caught up")
		g.Expect(cfg.Status.ObservedGeneration).To(Equal(cfg.Generation), "Config cluster status.observedGeneration")
	})
}

// readyRegistry waits for the registry to be rolled out and Available.
func readyRegistry() {
	GinkgoHelper()
	eventually(func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		expectCondition(g, cfg.Status.Conditions, "Available", operatorv1.ConditionTrue, "Ready", "The registry is ready")
	})
}

func envValue(d *appsv1.Deployment, name string) (string, bool) {
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == name {
				return e.Value, true
			}
		}
	}
	return "", false
}

// of names a field of an object for an assertion's description, from which the first line
// of a failure is built (see README "Writing specs"):
//
//	g.Expect(d.Spec.Replicas).To(HaveValue(Equal(int32(3))), of(d, "spec.replicas"))
//
// fails as "Deployment image-registry spec.replicas: is 1, want 3 (MGMT-002)".
func of(obj client.Object, field string) string {
	kind := fmt.Sprintf("%T", obj)
	kind = kind[strings.LastIndex(kind, ".")+1:]
	if field == "" {
		return kind + " " + obj.GetName()
	}
	return kind + " " + obj.GetName() + " " + field
}

func describe(obj client.Object) string {
	return fmt.Sprintf("%T %s/%s", obj, obj.GetNamespace(), obj.GetName())
}

var _ = corev1.ConditionTrue

func bootPlatform(p configv1.PlatformType) harness.Platform {
	return harness.Platform{Type: p, Region: "us-east-1"}
}

// editBeforeOperatorSpecWrite lands edit on the Config just before the operator's next spec
// write, so that write meets a real 409 Conflict, and returns a wait (up to timeout) for the
// edit to have landed. The hook runs on the operator's goroutine, so it asserts nothing
// itself: it hands its outcome to the wait. Another of the operator's writes (its status) may
// land between the user's read and write, so the user retries a conflict as a client would.
func editBeforeOperatorSpecWrite(edit func(cfg *imageregistryv1.Config)) (waitLanded func(timeout time.Duration)) {
	var landed atomic.Bool
	var editErr error
	env.BeforeOperatorWrite("PUT", "/configs/cluster", func() {
		editErr = retry.RetryOnConflict(retry.DefaultRetry, func() error {
			var cfg imageregistryv1.Config
			if err := env.Client.Get(ctx(), configKey, &cfg); err != nil {
				return err
			}
			edit(&cfg)
			return env.Client.Update(ctx(), &cfg)
		})
		landed.Store(true)
	})
	return func(timeout time.Duration) {
		GinkgoHelper()
		Eventually(landed.Load).WithTimeout(timeout).Should(BeTrue(), "the operator's spec write of Config cluster (a user's edit lands just before it)")
		Expect(editErr).To(Succeed(), "Config cluster update (the user's concurrent edit)")
	}
}
