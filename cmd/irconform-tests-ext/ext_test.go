package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/livecheck/captures"
	"github.com/irconform/irconform/conformance/target"
	"github.com/irconform/irconform/fakes/cluster"
	"github.com/irconform/irconform/internal/behaviorid"
	"github.com/irconform/irconform/reports"
)

// The JSON shapes of openshift-tests-extension, field by field.
var (
	infoKeys      = []string{"apiVersion", "component", "images", "source", "suites"}
	sourceKeys    = []string{"build_date", "commit", "git_tree_state", "source_url"}
	componentKeys = []string{"name", "product", "type"}
	suiteKeys     = []string{"clusterStability", "count", "description", "name", "parallelism", "parents", "qualifiers", "testTimeout"}
	specKeys      = []string{"codeLocations", "environmentSelector", "labels", "lifecycle", "name", "resources", "source", "tags"}
	resultKeys    = []string{"details", "duration", "endTime", "lifecycle", "name", "output", "result", "startTime"}
	idInName      = regexp.MustCompile(`\[` + behaviorid.Expr + `\]`)
	dbTime        = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} UTC$`)
)

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ext runs the binary as openshift-tests does: a new process per call, with the given
// environment (KUBECONFIG, EXTENSION_ARTIFACT_DIR) and nothing on standard input.
func ext(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

var binaries struct{ ext, cli string }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "irconform-ext-test-")
	if err != nil {
		panic(err)
	}
	binaries.ext, binaries.cli = filepath.Join(dir, "irconform-tests-ext"), filepath.Join(dir, "irconform")
	for bin, pkg := range map[string]string{binaries.ext: ".", binaries.cli: "../irconform"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// TestInfoAndList checks `info` and `list -o jsonl` field by field, and that the environment
// flags select as the selectors say. No cluster is needed (or touched).
func TestInfoAndList(t *testing.T) {
	out, _, code := ext(t, binaries.ext, []string{"KUBECONFIG=/nonexistent"}, "info")
	if code != 0 {
		t.Fatalf("info: exit %d", code)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("info is not JSON: %v\n%s", err, out)
	}
	if got := keys(info); !slices.Equal(got, infoKeys) {
		t.Errorf("info keys %v, want %v", got, infoKeys)
	}
	if info["apiVersion"] != "v1.1" {
		t.Errorf("apiVersion %v", info["apiVersion"])
	}
	if got := keys(info["source"].(map[string]any)); !slices.Equal(got, sourceKeys) {
		t.Errorf("source keys %v, want %v", got, sourceKeys)
	}
	comp := info["component"].(map[string]any)
	if got := keys(comp); !slices.Equal(got, componentKeys) || comp["product"] != "openshift" || comp["name"] != "irconform" {
		t.Errorf("component %v", comp)
	}
	identifier := fmt.Sprintf("%s:%s:%s", comp["product"], comp["type"], comp["name"])
	suites := map[string]map[string]any{}
	for _, s := range info["suites"].([]any) {
		m := s.(map[string]any)
		if got := keys(m); !slices.Equal(got, suiteKeys) {
			t.Errorf("suite keys %v, want %v", got, suiteKeys)
		}
		if _, ok := m["testTimeout"].(float64); !ok {
			t.Errorf("testTimeout %v is not a duration in nanoseconds", m["testTimeout"])
		}
		suites[m["name"].(string)] = m
	}
	ro, dis := suites["irconform/readonly"], suites["irconform/disruptive"]
	if ro == nil || dis == nil {
		t.Fatalf("suites %v, want irconform/readonly and irconform/disruptive", keys(map[string]any{"": suites}))
	}
	if ro["clusterStability"] != "Stable" || ro["parallelism"].(float64) < 2 || dis["clusterStability"] != "Disruptive" || dis["parallelism"].(float64) != 1 {
		t.Errorf("readonly %v\ndisruptive %v", ro, dis)
	}

	out, _, code = ext(t, binaries.ext, nil, "list", "-o", "jsonl")
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 20 {
		t.Errorf("list: %d tests, want 17 live checks and 3 disruptive specs", len(lines))
	}
	names := map[string]bool{}
	informing := 0
	for _, line := range lines {
		var spec map[string]any
		if err := json.Unmarshal([]byte(line), &spec); err != nil {
			t.Fatalf("list line is not JSON: %v\n%s", err, line)
		}
		name := spec["name"].(string)
		if got := keys(spec); !slices.Equal(got, specKeys) {
			t.Errorf("%s: keys %v, want %v", name, got, specKeys)
		}
		if names[name] || !idInName.MatchString(name) || !strings.HasPrefix(name, "[sig-imageregistry][irconform]") {
			t.Errorf("name %q: duplicate, or without a behaviour ID", name)
		}
		names[name] = true
		labels := spec["labels"].(map[string]any)
		for l, v := range labels {
			if m, ok := v.(map[string]any); !ok || len(m) != 0 {
				t.Errorf("%s: label %s has value %v, want {}", name, l, v)
			}
		}
		if spec["source"] != identifier {
			t.Errorf("%s: source %v, want %s", name, spec["source"], identifier)
		}
		_, divergence := labels["divergence"]
		switch lc := spec["lifecycle"]; {
		case divergence && lc == "informing":
			informing++
		case !divergence && lc == "blocking":
		default:
			t.Errorf("%s: lifecycle %v with divergence=%v", name, lc, divergence)
		}
		_, disruptive := labels["disruptive"]
		if disruptive != strings.Contains(name, "[Serial][Disruptive]") {
			t.Errorf("%s: disruptive label %v but name says otherwise", name, disruptive)
		}
		sel := spec["environmentSelector"].(map[string]any)
		if !strings.Contains(fmt.Sprint(sel["exclude"]), `"ImageRegistry"`) {
			t.Errorf("%s: environmentSelector %v does not name the ImageRegistry capability", name, sel)
		}
		if (labels["STOR-007"] != nil || labels["CRED-004"] != nil) && !strings.Contains(fmt.Sprint(sel["include"]), "platform in") {
			t.Errorf("%s: a storage check without a platform selector: %v", name, sel)
		}
	}
	if informing != 2 {
		t.Errorf("%d informing tests, want the 2 divergence checks", informing)
	}

	count := func(args ...string) int {
		out, _, code := ext(t, binaries.ext, nil, append([]string{"list", "-o", "names"}, args...)...)
		if code != 0 {
			t.Fatalf("list %v: exit %d", args, code)
		}
		return len(strings.Fields(strings.TrimSpace(strings.ReplaceAll(out, " ", "_"))))
	}
	if n := count("--platform=aws", "--optional-capability=ImageRegistry"); n != 20 {
		t.Errorf("aws with ImageRegistry: %d tests, want 20", n)
	}
	if n := count("--platform=baremetal", "--optional-capability=ImageRegistry"); n != 19 {
		t.Errorf("baremetal: %d tests, want 19 (no credential check without cloud credentials)", n)
	}
	if n := count("--platform=aws", "--optional-capability=Build", "--optional-capability=Console"); n != 0 {
		t.Errorf("without the ImageRegistry capability: %d tests, want 0", n)
	}
	if n := count("--platform=foocloud", "--optional-capability=ImageRegistry"); n != 17 {
		t.Errorf("on a platform the storage checks do not know: %d tests, want 17", n)
	}
	if n := count("--suite", "irconform/disruptive"); n != 3 {
		t.Errorf("disruptive suite: %d tests, want 3", n)
	}
	if n := count("--suite", "irconform/readonly"); n != 17 {
		t.Errorf("readonly suite: %d tests, want 17", n)
	}
	if _, errOut, code := ext(t, binaries.ext, nil, "run-test", "-n", "no such test"); code == 0 || !strings.Contains(errOut, "no such tests: no such test") {
		t.Errorf("unknown test: exit %d, %s", code, errOut)
	}
}

type listed struct {
	Name   string            `json:"name"`
	Labels map[string]any    `json:"labels"`
	Tags   map[string]string `json:"tags"`
}

func listTests(t *testing.T) []listed {
	t.Helper()
	out, _, code := ext(t, binaries.ext, nil, "list", "-o", "jsonl")
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	var tests []listed
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l listed
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, l)
	}
	return tests
}

type result struct {
	raw     map[string]any
	Name    string `json:"name"`
	Result  string `json:"result"`
	Error   string `json:"error"`
	Output  string `json:"output"`
	Details []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"details"`
	Lifecycle string `json:"lifecycle"`
	Duration  int64  `json:"duration"`
	StartTime string `json:"startTime"`
	EndTime   string `json:"endTime"`
}

// runTest runs one test as openshift-tests does and checks the result's shape.
func runTest(t *testing.T, env []string, name string) (result, int) {
	t.Helper()
	out, errOut, code := ext(t, binaries.ext, env, "run-test", "-n", name, "-o", "jsonl")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("%s: %d lines on stdout, want one JSON result:\n%s\nstderr:\n%s", name, len(lines), out, errOut)
	}
	var r result
	if err := json.Unmarshal([]byte(lines[0]), &r.raw); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", name, err, lines[0])
	}
	_ = json.Unmarshal([]byte(lines[0]), &r)
	want := append([]string(nil), resultKeys...)
	if r.Result == "failed" {
		want = append(want, "error")
		sort.Strings(want)
	}
	if got := keys(r.raw); !slices.Equal(got, want) {
		t.Errorf("%s: result keys %v, want %v", name, got, want)
	}
	if r.Name != name || (r.Result != "passed" && r.Result != "skipped" && r.Result != "failed") {
		t.Errorf("%s: name %q result %q", name, r.Name, r.Result)
	}
	if _, ok := r.raw["duration"].(float64); !ok || r.Duration < 0 {
		t.Errorf("%s: duration %v is not milliseconds", name, r.raw["duration"])
	}
	if !dbTime.MatchString(r.StartTime) || !dbTime.MatchString(r.EndTime) {
		t.Errorf("%s: times %q %q, want the format 2006-01-02 15:04:05.000000 UTC", name, r.StartTime, r.EndTime)
	} else {
		start, _ := time.Parse("2006-01-02 15:04:05.000000 UTC", r.StartTime)
		end, _ := time.Parse("2006-01-02 15:04:05.000000 UTC", r.EndTime)
		if end.Before(start) || time.Since(start) > 5*time.Minute {
			t.Errorf("%s: start %s end %s", name, start, end)
		}
		if d := end.Sub(start).Milliseconds(); d-r.Duration > 5 || r.Duration-d > 5 {
			t.Errorf("%s: duration %d ms, times %d ms apart", name, r.Duration, d)
		}
	}
	if len(r.Details) == 0 || r.Details[0].Name != "behaviours" {
		t.Errorf("%s: details %v, want the behaviour IDs first", name, r.Details)
	}
	return r, code
}

func (r result) detail(name string) string {
	for _, d := range r.Details {
		if d.Name == name {
			return fmt.Sprint(d.Value)
		}
	}
	return ""
}

// TestRunAgainstOutOfProcessOperator runs every test with `run-test`, one process per test,
// against the reference operator running as its own process on envtest: the read-only
// checks pass or skip with a reason, a disruptive test passes and leaves the Config's spec
// as it was, and each run leaves irconform's reports in EXTENSION_ARTIFACT_DIR.
func TestRunAgainstOutOfProcessOperator(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server and the operator as a process")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	env, err := target.StartEnvtest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = env.Stop() }()
	c := env.Client()
	infra := &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	if err := c.Create(ctx, infra); err != nil {
		t.Fatal(err)
	}
	infra.Status = configv1.InfrastructureStatus{InfrastructureName: "ext-test", PlatformStatus: &configv1.PlatformStatus{Type: configv1.LibvirtPlatformType},
		ControlPlaneTopology: configv1.HighlyAvailableTopologyMode, InfrastructureTopology: configv1.HighlyAvailableTopologyMode, CPUPartitioning: configv1.CPUPartitioningNone}
	if err := c.Status().Update(ctx, infra); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.Start(ctx, env.RESTConfig()); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "admin.kubeconfig")
	writeKubeconfig(t, kubeconfig, env.Server(), env.RESTConfig())
	var opLog bytes.Buffer
	op := exec.CommandContext(ctx, binaries.cli, "operator", "--kubeconfig", kubeconfig)
	op.Stdout, op.Stderr = &opLog, &opLog
	if err := op.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = op.Process.Kill(); _, _ = op.Process.Wait() }()
	waitReady(ctx, t, c, &opLog)

	artifacts := filepath.Join(dir, "artifacts")
	runEnv := []string{"KUBECONFIG=" + kubeconfig, "EXTENSION_ARTIFACT_DIR=" + artifacts}
	before := configSpec(ctx, t, c)
	counts := map[string]int{}
	for _, test := range listTests(t) {
		_, disruptive := test.Labels["disruptive"]
		if disruptive && !strings.Contains(test.Name, "defaultRoute") {
			continue // one disruptive test is enough to show the path; the CLI's test covers the rest
		}
		start := time.Now()
		r, code := runTest(t, runEnv, test.Name)
		counts[r.Result]++
		switch r.Result {
		case "failed":
			t.Errorf("%s failed on the reference operator (exit %d): %s", test.Name, code, r.Error)
		case "skipped":
			if r.detail("skip reason") == "" {
				t.Errorf("%s skipped without a reason", test.Name)
			}
		}
		if code != 0 && r.Result != "failed" {
			t.Errorf("%s: exit %d for a %s test", test.Name, code, r.Result)
		}
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("%s took %s", test.Name, took)
		}
	}
	if counts["passed"] < 12 {
		t.Errorf("results %v: want most checks to pass on the reference operator", counts)
	}
	if after := configSpec(ctx, t, c); !bytes.Equal(before, after) {
		t.Errorf("the disruptive test changed the Config's spec:\nbefore %s\nafter  %s", before, after)
	}
	reportsWritten, _ := filepath.Glob(filepath.Join(artifacts, "irconform-*", "report.json"))
	if len(reportsWritten) != counts["passed"]+counts["skipped"]+counts["failed"] {
		t.Errorf("%d report.json in EXTENSION_ARTIFACT_DIR, want one per run-test call (%v)", len(reportsWritten), counts)
	}
	// Each report's selection names the test as run-test was asked for it, not the pattern it
	// was rewritten to for Ginkgo.
	for _, path := range reportsWritten {
		run, err := reports.ReadJSON(path)
		if err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		if run.Selection == nil || len(run.Selection.Focus) != 1 || strings.HasPrefix(run.Selection.Focus[0], "^") || strings.Contains(run.Selection.Focus[0], "(?") {
			t.Errorf("%s: selection focus %+v, want the one test name as given", path, run.Selection)
		}
	}
	t.Logf("run-test against the out-of-process operator: %v", counts)
}

// TestRunInClusterAgainstCapture runs every read-only test in a "pod" (no KUBECONFIG; the
// ServiceAccount's token and CA as the kubelet mounts them; bound to the shipped roles only)
// against a real cluster's capture, and compares each result with the capture's expected
// verdict: failures carry the finding (object, field, seen, want), skips their reason, and a
// failed informing test does not fail the process.
func TestRunInClusterAgainstCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	env, err := target.StartEnvtest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	capture, err := captures.Get("4.12-two-backends")
	if err != nil {
		t.Fatal(err)
	}
	if err := capture.Load(ctx, env.Client()); err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "irconform"}}
	if err := env.Client().Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	applyManifests(ctx, t, env.Client(), "../../deploy/rbac/irconform-reader.yaml", "../../deploy/job/irconform-job.yaml")
	saDir := filepath.Join(dir, "sa")
	mintToken(ctx, t, env.RESTConfig(), "irconform", "irconform", saDir)
	host, port, _ := strings.Cut(strings.TrimPrefix(env.Server(), "https://"), ":")
	runEnv := []string{"KUBECONFIG=", "KUBERNETES_SERVICE_HOST=" + host, "KUBERNETES_SERVICE_PORT=" + strings.TrimSuffix(port, "/"),
		target.ServiceAccountDirEnv + "=" + saDir, "EXTENSION_ARTIFACT_DIR=" + filepath.Join(dir, "artifacts")}
	for _, test := range listTests(t) {
		if _, disruptive := test.Labels["disruptive"]; disruptive {
			continue
		}
		want, ok := capture.Expected[test.Tags["check"]]
		if !ok {
			t.Errorf("%s: the capture expects nothing of check %q", test.Name, test.Tags["check"])
			continue
		}
		r, code := runTest(t, runEnv, test.Name)
		wantResult := map[string]string{"pass": "passed", "fail": "failed", "skip": "skipped"}[want.Result]
		if r.Result != wantResult {
			t.Errorf("%s: %s (%s%s), want %s", test.Name, r.Result, r.Error, r.detail("skip reason"), wantResult)
			continue
		}
		says := r.Error + r.detail("skip reason") + r.detail("note")
		if !strings.Contains(says, want.Says) {
			t.Errorf("%s: says %q, want it to contain %q", test.Name, says, want.Says)
		}
		wantCode := 0
		if r.Result == "failed" && r.Lifecycle == "blocking" {
			wantCode = 1
			if first := strings.SplitN(r.Error, "\n", 2)[0]; !strings.Contains(first, ": is ") || !strings.Contains(first, ", want ") {
				t.Errorf("%s: first line %q does not name object, field, seen and want", test.Name, first)
			}
		}
		if code != wantCode {
			t.Errorf("%s (%s, %s): exit %d, want %d", test.Name, r.Result, r.Lifecycle, code, wantCode)
		}
	}
}

func waitReady(ctx context.Context, t *testing.T, c client.Client, opLog *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var cfg imageregistryv1.Config
		if err := c.Get(ctx, client.ObjectKey{Name: "cluster"}, &cfg); err == nil {
			for _, cond := range cfg.Status.Conditions {
				if cond.Type == "Available" && cond.Status == operatorv1.ConditionTrue && cond.Reason == "Ready" {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the operator process did not make the registry Ready; its log:\n%s", opLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func configSpec(ctx context.Context, t *testing.T, c client.Client) []byte {
	t.Helper()
	var cfg imageregistryv1.Config
	if err := c.Get(ctx, client.ObjectKey{Name: "cluster"}, &cfg); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(cfg.Spec)
	return out
}

func writeKubeconfig(t *testing.T, path, server string, cfg *rest.Config) {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	cl := clientcmdapi.NewCluster()
	cl.Server, cl.CertificateAuthorityData = server, cfg.CAData
	au := clientcmdapi.NewAuthInfo()
	au.ClientCertificateData, au.ClientKeyData, au.Token = cfg.CertData, cfg.KeyData, cfg.BearerToken
	kc.Clusters["envtest"], kc.AuthInfos["admin"] = cl, au
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
}

// mintToken writes a token of ns/name (created if missing) and the API server's CA where
// the kubelet would mount them.
func mintToken(ctx context.Context, t *testing.T, cfg *rest.Config, ns, name, dir string) {
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
		t.Fatal(err)
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

// applyManifests creates the RBAC objects of the YAML files (the Job itself is not run:
// envtest has no kubelet; the test plays the pod).
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
			if len(obj.Object) == 0 || obj.GetKind() == "Job" || obj.GetKind() == "Namespace" {
				continue
			}
			if err := cl.Create(ctx, &obj); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatalf("%s: creating %s %s: %v", f, obj.GetKind(), obj.GetName(), err)
			}
		}
	}
}
