package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/internal/sonobuoy"
	"github.com/irconform/irconform/reports"
)

// TestSonobuoyPluginContract runs `irconform run --in-cluster` as the sonobuoy plugin's
// container would: a ServiceAccount bound to nothing but the shipped roles
// (deploy/rbac/irconform-reader.yaml, deploy/sonobuoy/rbac.yaml), its token and CA in a
// folder as the kubelet mounts them, KUBERNETES_SERVICE_HOST/PORT, SONOBUOY_RESULTS_DIR and
// SONOBUOY_PROGRESS_PORT set, against a real cluster's capture. It must write JUnit and its
// reports into the results folder, then `done` naming them, and post one progress update per
// check. A ServiceAccount without the roles must still end with `done` and a JUnit failure
// saying why.
func TestSonobuoyPluginContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and runs the CLI")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	env := envtestWithCapture(ctx, t, "4.18-aws-managed")
	createNamespace(ctx, t, env.Client(), "sonobuoy")
	applyManifests(ctx, t, env.Client(), "../../deploy/rbac/irconform-reader.yaml", "../../deploy/sonobuoy/rbac.yaml")

	// What sonobuoy's worker sidecar does with progress: accept POSTs on localhost.
	var (
		mu      sync.Mutex
		updates []sonobuoy.Update
	)
	worker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/progress" {
			t.Errorf("progress: %s %s, want POST /progress", r.Method, r.URL.Path)
		}
		var u sonobuoy.Update
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			t.Errorf("progress body: %v", err)
		}
		mu.Lock()
		updates = append(updates, u)
		mu.Unlock()
	}))
	defer worker.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(worker.URL, "http://"))

	saDir := filepath.Join(dir, "serviceaccount")
	writeServiceAccount(ctx, t, env.RESTConfig(), "sonobuoy", "irconform", saDir)
	results := filepath.Join(dir, "results")
	start := time.Now()
	out, code := runInPod(ctx, t, bin, env.Server(), saDir, results, port)
	took := time.Since(start)
	// The capture's expectation: removed-alert fails (documented, not honoured), all else passes or skips.
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one check fails on this capture):\n%s", code, out)
	}
	done, err := os.ReadFile(filepath.Join(results, sonobuoy.DoneFile))
	if err != nil {
		t.Fatalf("no done file: %v\n%s", err, out)
	}
	resultPath := string(done)
	if want := filepath.Join(results, "irconform"); resultPath != want {
		t.Fatalf("done holds %q, want %q", resultPath, want)
	}
	suite := readJUnit(t, filepath.Join(resultPath, "junit.xml"))
	run, err := reports.ReadJSON(filepath.Join(resultPath, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if run.Target.Kind != "live" || run.Target.Mode != "read-only" || run.Target.Version == "" {
		t.Errorf("report target: %+v", run.Target)
	}
	ran := 0
	for _, s := range run.Specs {
		if !hasLabel(s.Labels, "live") {
			t.Errorf("an envtest-only spec is in the plugin's results: %s", s.Name)
		}
		if strings.Contains(s.SkipReason, "cannot read") {
			t.Errorf("the shipped roles do not cover %s: %s", s.Name, s.SkipReason)
		}
		ran++
		if !hasLabel(s.Labels, "disruptive") && !strings.Contains(s.Name, "ImageRegistryRemoved") && s.Result == reports.Failed {
			t.Errorf("%s failed: %s", s.Name, s.Failure)
		}
	}
	if len(suite.Cases) != len(run.Specs) || len(run.Specs) < 17 {
		t.Errorf("junit has %d cases, report.json %d specs; want one per live spec (>= 17)", len(suite.Cases), len(run.Specs))
	}
	for _, c := range suite.Cases {
		if !strings.Contains(c.Name, "[") {
			t.Errorf("junit case %q carries no behaviour ID", c.Name)
		}
	}
	mu.Lock()
	got := append([]sonobuoy.Update(nil), updates...)
	mu.Unlock()
	if len(got) != ran {
		t.Errorf("%d progress updates, want one per check run (%d)", len(got), ran)
	} else {
		last := got[len(got)-1]
		if last.Plugin != "irconform" || last.Node != "global" || last.Completed != int64(ran) || last.Total < last.Completed || last.Timestamp.IsZero() {
			t.Errorf("last progress update: %+v", last)
		}
		if len(last.Failures) != 1 || !strings.Contains(last.Failures[0], "ImageRegistryRemoved") {
			t.Errorf("progress failures: %v, want the one failing check", last.Failures)
		}
	}
	t.Logf("in-pod run: %d specs, %d progress updates, exit %d, %s", len(run.Specs), len(got), code, took.Round(time.Millisecond))

	// A ServiceAccount without the roles: one line, exit 7, and still done + a JUnit failure.
	bare := filepath.Join(dir, "bare-sa")
	writeServiceAccount(ctx, t, env.RESTConfig(), "sonobuoy", "unbound", bare)
	results2 := filepath.Join(dir, "results-unbound")
	out, code = runInPod(ctx, t, bin, env.Server(), bare, results2, "")
	if code != 7 {
		t.Fatalf("unbound ServiceAccount: exit %d, want 7:\n%s", code, out)
	}
	done, err = os.ReadFile(filepath.Join(results2, sonobuoy.DoneFile))
	if err != nil {
		t.Fatalf("unbound ServiceAccount: no done file: %v", err)
	}
	suite = readJUnit(t, filepath.Join(string(done), "junit.xml"))
	if len(suite.Cases) != 1 || suite.Cases[0].Failure == nil || !strings.Contains(suite.Cases[0].Failure.Message, "may not get configs.imageregistry.operator.openshift.io/cluster") {
		t.Fatalf("unbound ServiceAccount: junit %+v", suite)
	}
}

// runInPod runs the plugin's command with the environment a pod under sonobuoy has.
func runInPod(ctx context.Context, t *testing.T, bin, server, saDir, results, progressPort string) (string, int) {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "run", "--in-cluster")
	cmd.Env = append(os.Environ(), "KUBECONFIG=/nonexistent",
		"KUBERNETES_SERVICE_HOST="+u.Hostname(), "KUBERNETES_SERVICE_PORT="+u.Port(),
		target.ServiceAccountDirEnv+"="+saDir, sonobuoy.ResultsDirEnv+"="+results)
	if progressPort != "" {
		cmd.Env = append(cmd.Env, sonobuoy.ProgressPortEnv+"="+progressPort)
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	return buf.String(), exitCode(err)
}

// writeServiceAccount creates ns/name and writes a token for it, with the API server's CA,
// where the kubelet would mount them.
func writeServiceAccount(ctx context.Context, t *testing.T, cfg *rest.Config, ns, name, dir string) {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("minting a token for %s/%s: %v", ns, name, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(tr.Status.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), cfg.CAData, 0o644); err != nil {
		t.Fatal(err)
	}
}

func createNamespace(ctx context.Context, t *testing.T, cl client.Client, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := cl.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// applyManifests creates every object of the YAML files (multi-document).
func applyManifests(ctx context.Context, t *testing.T, cl client.Client, files ...string) {
	t.Helper()
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
		for {
			var obj unstructured.Unstructured
			if err := dec.Decode(&obj.Object); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(obj.Object) == 0 {
				continue
			}
			if err := cl.Create(ctx, &obj); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatalf("%s: creating %s %s: %v", f, obj.GetKind(), obj.GetName(), err)
			}
		}
	}
}

type junitCase struct {
	Name    string `xml:"name,attr"`
	Failure *struct {
		Message string `xml:"message,attr"`
	} `xml:"failure"`
}

type junitSuite struct {
	Cases []junitCase `xml:"testcase"`
}

// readJUnit reads the test cases of a JUnit file (one <testsuite>, or <testsuites> of them).
func readJUnit(t *testing.T, path string) junitSuite {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var many struct {
		XMLName xml.Name
		Suites  []junitSuite `xml:"testsuite"`
		Cases   []junitCase  `xml:"testcase"`
	}
	if err := xml.Unmarshal(raw, &many); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := junitSuite{Cases: many.Cases}
	for _, s := range many.Suites {
		out.Cases = append(out.Cases, s.Cases...)
	}
	return out
}

func hasLabel(labels []string, l string) bool {
	for _, x := range labels {
		if x == l {
			return true
		}
	}
	return false
}
