package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/fakes/cluster"
	"github.com/irconform/irconform/reports"
)

// countingProxy forwards to the API server and counts the write requests it sees.
type countingProxy struct {
	mu     sync.Mutex
	writes []string
}

func (p *countingProxy) record(r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return
	}
	// An access review is a question the server answers and stores nothing: not a write.
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writes = append(p.writes, r.Method+" "+r.URL.Path)
}

func (p *countingProxy) Writes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.writes...)
}

func writeKubeconfig(t *testing.T, path, server string, cfg *rest.Config) {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	c := clientcmdapi.NewCluster()
	c.Server = server
	au := clientcmdapi.NewAuthInfo()
	if cfg != nil {
		c.CertificateAuthorityData = cfg.CAData
		au.ClientCertificateData, au.ClientKeyData, au.Token = cfg.CertData, cfg.KeyData, cfg.BearerToken
	}
	kc.Clusters["envtest"] = c
	kc.AuthInfos["admin"] = au
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
}

// TestLiveAgainstOutOfProcessOperator proves the live mode without a real cluster: the reference
// operator runs as its own process (`irconform operator --kubeconfig`) against a separate envtest
// API server, and `irconform run --kubeconfig` runs against that server exactly as against a real
// cluster, through a proxy that counts writes. Read-only mode must issue zero writes; disruptive
// mode must leave the Config and pruner specs equal to before, field by field.
func TestLiveAgainstOutOfProcessOperator(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and two processes")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	env, err := target.StartEnvtest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = env.Stop() }()
	c := env.Client()
	// The cluster the "real" operator will find.
	infra := &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	if err := c.Create(ctx, infra); err != nil {
		t.Fatal(err)
	}
	infra.Status = configv1.InfrastructureStatus{InfrastructureName: "live-test", PlatformStatus: &configv1.PlatformStatus{Type: configv1.LibvirtPlatformType},
		ControlPlaneTopology: configv1.HighlyAvailableTopologyMode, InfrastructureTopology: configv1.HighlyAvailableTopologyMode, CPUPartitioning: configv1.CPUPartitioningNone}
	if err := c.Status().Update(ctx, infra); err != nil {
		t.Fatal(err)
	}
	// What envtest lacks (rollouts, route admission, ...) is played by the simulator, as
	// kube-controller-manager and the router would on a real cluster.
	if _, err := cluster.Start(ctx, env.RESTConfig()); err != nil {
		t.Fatal(err)
	}
	direct := filepath.Join(dir, "direct.kubeconfig")
	writeKubeconfig(t, direct, env.Server(), env.RESTConfig())
	var opLog bytes.Buffer
	op := exec.CommandContext(ctx, bin, "operator", "--kubeconfig", direct)
	op.Stdout, op.Stderr = &opLog, &opLog
	if err := op.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = op.Process.Kill(); _, _ = op.Process.Wait() }()

	// Wait for the out-of-process operator to bootstrap and roll out the registry.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var cfg imageregistryv1.Config
		ready := false
		if err := c.Get(ctx, client.ObjectKey{Name: "cluster"}, &cfg); err == nil {
			for _, cond := range cfg.Status.Conditions {
				ready = ready || (cond.Type == "Available" && cond.Status == operatorv1.ConditionTrue && cond.Reason == "Ready")
			}
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the operator process did not make the registry Ready; its log:\n%s", opLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The suite reaches the cluster only through the counting proxy.
	upstream, _ := url.Parse(env.Server())
	transport, err := rest.TransportFor(env.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingProxy{}
	rp := httputil.NewSingleHostReverseProxy(upstream)
	rp.Transport = transport
	rp.FlushInterval = -1 // stream watches
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		counter.record(r)
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	viaProxy := filepath.Join(dir, "proxy.kubeconfig")
	writeKubeconfig(t, viaProxy, proxy.URL, nil)

	// Read-only run.
	roDir := filepath.Join(dir, "readonly")
	out, err := exec.CommandContext(ctx, bin, "run", "--kubeconfig", viaProxy, "--report-dir", roDir).CombinedOutput()
	if err != nil {
		t.Fatalf("read-only live run failed: %v\n%s", err, tail(out, 60))
	}
	if w := counter.Writes(); len(w) != 0 {
		t.Fatalf("read-only mode issued %d writes: %v", len(w), w)
	}
	run, err := reports.ReadJSON(filepath.Join(roDir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if run.Target.Kind != "live" || run.Target.Mode != "read-only" || strings.Contains(run.Target.Server, "@") {
		t.Fatalf("target line: %+v", run.Target)
	}
	passed, skippedEnvtest := 0, 0
	for _, s := range run.Specs {
		switch {
		case s.Result == reports.Passed:
			passed++
		case s.Result == reports.Skipped && strings.HasPrefix(s.SkipReason, "envtest only"):
			skippedEnvtest++
		case s.Result == reports.Failed:
			t.Errorf("live spec failed: %s: %s", s.Name, s.Failure)
		}
	}
	if passed == 0 || skippedEnvtest == 0 {
		t.Fatalf("passed=%d envtest-only skipped=%d", passed, skippedEnvtest)
	}
	t.Logf("read-only live run: %d passed, %d envtest-only skipped with a reason, 0 writes", passed, skippedEnvtest)

	// The confirmation names the API server and the cluster's version; "no" runs nothing.
	ask := exec.CommandContext(ctx, bin, "run", "--kubeconfig", viaProxy, "--disruptive", "--report-dir", filepath.Join(dir, "declined"))
	ask.Stdin = strings.NewReader("no\n")
	out, askErr := ask.CombinedOutput()
	var co configv1.ClusterOperator
	if err := c.Get(ctx, client.ObjectKey{Name: "image-registry"}, &co); err != nil || len(co.Status.Versions) == 0 {
		t.Fatalf("the operator reports no version: %v %+v", err, co.Status.Versions)
	}
	version := co.Status.Versions[0].Version
	if code := exitCode(askErr); code != 2 || !strings.Contains(string(out), "at "+proxy.URL) || !strings.Contains(string(out), "OpenShift "+version) {
		t.Fatalf("declined confirmation: exit %d, want 2 and a question naming %s and the version:\n%s", code, proxy.URL, out)
	}
	writesBefore := len(counter.Writes())

	// A field newer than the compiled types: a CRD that knows spec.irconformFutureSetting,
	// and a Config that carries it. The disruptive run must keep it, and the whole raw spec.
	addFutureField(ctx, t, env.RESTConfig())
	future := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"irconformFutureSetting":{"mode":"eventual","weights":[3,1]}}}`))
	// The API server takes a moment to serve the new schema; until then it prunes the field.
	var rawBefore []byte
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := c.Patch(ctx, &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}, future); err != nil {
			t.Fatal(err)
		}
		if rawBefore = rawSpec(ctx, t, env.RESTConfig()); strings.Contains(string(rawBefore), "irconformFutureSetting") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API server keeps dropping the future field: %s", rawBefore)
		}
	}
	// The baseline is taken once the operator has observed that change.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var cfg imageregistryv1.Config
		if err := c.Get(ctx, client.ObjectKey{Name: "cluster"}, &cfg); err == nil && cfg.Status.ObservedGeneration == cfg.Generation {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the operator did not observe the Config carrying the future field")
		}
	}
	rawBefore = rawSpec(ctx, t, env.RESTConfig())

	// Disruptive run: the Config and pruner specs must be equal before and after.
	before := snapshotSpecs(ctx, t, c)
	out, err = exec.CommandContext(ctx, bin, "run", "--kubeconfig", viaProxy, "--disruptive", "--yes",
		"--label-filter", "disruptive", "--report-dir", filepath.Join(dir, "disruptive")).CombinedOutput()
	if err != nil {
		t.Fatalf("disruptive live run failed: %v\n%s", err, tail(out, 60))
	}
	if len(counter.Writes()) == writesBefore {
		t.Fatal("the disruptive run made no change at all")
	}
	if rawAfter := rawSpec(ctx, t, env.RESTConfig()); string(rawAfter) != string(rawBefore) {
		t.Errorf("the Config's raw spec changed across the disruptive run:\nbefore %s\nafter  %s", rawBefore, rawAfter)
	}
	after := snapshotSpecs(ctx, t, c)
	for k := range before {
		if !equality.Semantic.DeepEqual(before[k], after[k]) {
			t.Errorf("%s not restored:\nbefore %#v\nafter  %#v", k, before[k], after[k])
		}
	}
}

func snapshotSpecs(ctx context.Context, t *testing.T, c client.Client) map[string]any {
	t.Helper()
	var cfg imageregistryv1.Config
	var pr imageregistryv1.ImagePruner
	if err := c.Get(ctx, client.ObjectKey{Name: "cluster"}, &cfg); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, client.ObjectKey{Name: "cluster"}, &pr); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"Config spec": cfg.Spec, "Config labels": cfg.Labels, "Config annotations": cfg.Annotations,
		"ImagePruner spec": pr.Spec}
}

func tail(b []byte, n int) string {
	lines := strings.Split(string(b), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// addFutureField teaches the Config CRD a spec field the compiled types do not have, as a
// newer release's CRD would.
func addFutureField(ctx context.Context, t *testing.T, cfg *rest.Config) {
	t.Helper()
	cs, err := apiextensionsclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	crds := cs.ApiextensionsV1().CustomResourceDefinitions()
	crd, err := crds.Get(ctx, "configs.imageregistry.operator.openshift.io", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range crd.Spec.Versions {
		spec := crd.Spec.Versions[i].Schema.OpenAPIV3Schema.Properties["spec"]
		spec.Properties["irconformFutureSetting"] = apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"mode":    {Type: "string"},
			"weights": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{Type: "integer"}}},
		}}
		crd.Spec.Versions[i].Schema.OpenAPIV3Schema.Properties["spec"] = spec
	}
	if _, err := crds.Update(ctx, crd, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// rawSpec is the Config's spec exactly as the API server sends it.
func rawSpec(ctx context.Context, t *testing.T, cfg *rest.Config) []byte {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	// The CRD change takes a moment to reach the serving path.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		raw, err = cs.CoreV1().RESTClient().Get().AbsPath("/apis/imageregistry.operator.openshift.io/v1/configs/cluster").DoRaw(ctx)
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	return fields["spec"]
}
