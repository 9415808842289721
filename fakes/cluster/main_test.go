package cluster_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/fakes/cluster"
)

// One envtest and one simulator serve every test in the package: starting kube-apiserver
// costs seconds, a namespace costs milliseconds.
var (
	testCtx context.Context
	// kube reads and writes the API server directly (no cache), so a test sees what the
	// simulator wrote as soon as it is stored.
	kube client.Client
	sim  *cluster.Simulator
)

const (
	// waitTimeout bounds how long a test waits for the simulator to reach a state. It is
	// generous because the machine may be busy; a passing test returns as soon as the
	// state is reached, so only a failing one pays for it.
	waitTimeout  = 20 * time.Second
	pollInterval = 20 * time.Millisecond
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	// The simulator's controllers log through controller-runtime; the tests report what matters.
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// target.StartEnvtest is what the conformance harness stands on: the same binaries
	// (KUBEBUILDER_ASSETS or the irconform cache), the same OpenShift CRDs and namespaces.
	// Missing binaries are a failure naming `make envtest-bins`, never a skip.
	env, err := target.StartEnvtest(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakes/cluster tests need envtest: %v\n", err)
		return 1
	}
	defer func() {
		// Stop the simulator before its API server goes away.
		cancel()
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping envtest: %v\n", err)
		}
	}()
	if sim, err = cluster.Start(ctx, env.RESTConfig()); err != nil {
		fmt.Fprintf(os.Stderr, "starting the simulator: %v\n", err)
		return 1
	}
	testCtx, kube = ctx, env.Client()
	return m.Run()
}

// newNamespace creates a namespace for one test. It is not deleted: envtest runs no
// namespace controller, so it would stay Terminating, and the API server is thrown away
// when the test binary ends anyway.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "sim-test-"}}
	if err := kube.Create(testCtx, ns); err != nil {
		t.Fatalf("creating a test namespace: %v", err)
	}
	return ns.Name
}

// eventually polls check until it returns nil and fails the test with check's last error
// if that has not happened within waitTimeout.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s: %v", what, waitTimeout, err)
		}
		time.Sleep(pollInterval)
	}
}

// update applies mutate to the latest obj and writes it back, again if it conflicts: the
// simulator's status writes change an object's resourceVersion under the test.
func update(t *testing.T, obj client.Object, mutate func()) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate()
		return kube.Update(testCtx, obj)
	})
	if err != nil {
		t.Fatalf("updating %T %s: %v", obj, obj.GetName(), err)
	}
}

// touch sets a label on obj, which the simulator sees as an update to reconcile. A label,
// not an annotation: a Deployment's annotations are part of its generation.
func touch(t *testing.T, obj client.Object) {
	t.Helper()
	update(t, obj, func() {
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels["irconform.test/touched"] = strconv.FormatInt(time.Now().UnixNano(), 10)
		obj.SetLabels(labels)
	})
}
