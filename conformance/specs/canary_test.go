package specs

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/internal/redact"
	"github.com/irconform/irconform/reports"
	"github.com/irconform/irconform/scenarios/runner"
)

// Canary secrets: each is a value that must never reach an output. None of them looks like
// a secret to the redactor's patterns (no AKIA prefix, no key=value context it knows), so
// only what the suite learned from the cluster can mask them.
const (
	canaryLabel      = "canary-secrets"
	canarySecretData = "kanarie-secretdata-51f0c3a7"
	canaryTLSKey     = "kanarie-routetlskey-8d2e94b1"
	canaryAccessKey  = "KANARIEACCESSKEY7Q2W"
	canarySecretKey  = "kanarie-s3secretkey-0c9f1e44"
	canaryHTTPSecret = "kanarie-httpsecret-6b7a2d90"
)

// canaries are every canary value, Go specs' and the scenario's (testdata/canary).
var canaries = []string{canarySecretData, canaryTLSKey, canaryAccessKey, canarySecretKey, canaryHTTPSecret,
	"kanarie-scn-secretdata-3e8a51c9", "KANARIESCNKEYID4D7E", "kanarie-scn-s3secret-b61f",
	"kanarie-scn-routetlskey-77c1e0aa", "kanarie-scn-httpsecret-2f4d9a10"}

// These specs exist only in this package's test binary and fail on purpose, each with a
// canary in its failure; TestCanarySecrets runs them in a child process (the parent never
// runs Ginkgo).
var _ = Describe("canary secrets", Label(canaryLabel), func() {
	canarySecret := func() *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "canary-secret"},
			Data: map[string][]byte{"token": []byte(canarySecretData)}}
	}
	canaryRoute := func() *routev1.Route {
		return &routev1.Route{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "canary-route"},
			Spec: routev1.RouteSpec{Host: "canary.apps.example", To: routev1.RouteTargetReference{Kind: "Service", Name: "image-registry"},
				TLS: &routev1.TLSConfig{Termination: routev1.TLSTerminationEdge, Key: canaryTLSKey}}}
	}

	It("Secret data in a Gomega message, and in a log line", func() {
		Expect(env.Client.Create(ctx(), canarySecret())).To(Succeed(), "create Secret canary-secret")
		var got corev1.Secret
		Expect(env.Client.Get(ctx(), client.ObjectKeyFromObject(canarySecret()), &got)).To(Succeed(), "read Secret canary-secret")
		GinkgoWriter.Printf("debug: the secret reads %s\n", got.Data["token"])
		Expect(got.Data).To(HaveKeyWithValue("token", []byte("not-the-value")), "Secret canary-secret data")
	})

	It("a Route's TLS key in a Gomega message", func() {
		Expect(env.Client.Create(ctx(), canaryRoute())).To(Succeed(), "create Route canary-route")
		var rt routev1.Route
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(r.Get(ctx(), client.ObjectKeyFromObject(canaryRoute()), &rt)).To(Succeed(), "Route canary-route in the watch cache")
		})
		Expect(rt.Spec.TLS).To(BeNil(), "Route canary-route spec.tls")
	})

	It("object dumps in a failure message of its own", func() {
		Expect(env.Client.Create(ctx(), canarySecret())).To(Succeed(), "create Secret canary-secret")
		Expect(env.Client.Create(ctx(), canaryRoute())).To(Succeed(), "create Route canary-route")
		var dumps []string
		for _, o := range []client.Object{canarySecret(), canaryRoute()} {
			m, found, err := expect.GetMap(ctx(), env.Client, env.Target.Scheme(), gvkOf(o), client.ObjectKeyFromObject(o))
			Expect(err).NotTo(HaveOccurred(), "read %s", o.GetName())
			Expect(found).To(BeTrue(), "%s exists", o.GetName())
			dumps = append(dumps, expect.Dump(m))
		}
		Fail("canary objects: is present, want absent\n    " + strings.ReplaceAll(strings.Join(dumps, "\n"), "\n", "\n    "))
	})

	Context("through the operator", func() {
		storUseFakes()

		start := func() {
			storCreateSecret(storUserSecret, map[string]string{"REGISTRY_STORAGE_S3_ACCESSKEY": canaryAccessKey, "REGISTRY_STORAGE_S3_SECRETKEY": canarySecretKey})
			spec := storManaged(storS3(nil))
			spec.HTTPSecret = canaryHTTPSecret
			createConfig(spec)
			storStart(configv1.AWSPlatformType, nil)
		}

		It("the credentials file the operator writes, compared whole", func() {
			start()
			var creds string
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				creds = string(storPrivateSecret(g, r).Data["credentials"])
				g.Expect(creds).To(ContainSubstring(canaryAccessKey[:8]), "Secret %s data.credentials written", privateSecret)
			})
			Expect(creds).To(Equal(credIni("SOMEONEELSE", "not-the-key")), "Secret %s data.credentials", privateSecret)
		})

		It("env values named like secrets, in a printed env list", func() {
			start()
			var d appsv1.Deployment
			eventually(func(g Gomega, r client.Reader) { d = *getDeployment(g, r) })
			Expect(d.Spec.Template.Spec.Containers[0].Env).To(ContainElement(corev1.EnvVar{Name: "REGISTRY_HTTP_SECRET", Value: "not-the-value"}),
				"Deployment image-registry env")
		})
	})
})

func gvkOf(o client.Object) schema.GroupVersionKind {
	gvk, err := apiutil.GVKForObject(o, env.Target.Scheme())
	Expect(err).NotTo(HaveOccurred(), "kind of %T", o)
	return gvk
}

// TestCanaryChild is the child process of TestCanarySecrets: the canary specs and the canary
// scenario, run through Run as `irconform run` and `go test` run the suite.
func TestCanaryChild(t *testing.T) {
	dir := os.Getenv("IRCONFORM_CANARY_CHILD")
	if dir == "" {
		t.Skip("run by TestCanarySecrets")
	}
	loaded := runner.Register(runner.Options{Paths: []string{filepath.Join("testdata", "canary")}}, ScenarioCluster{})
	suite, reporter := GinkgoConfiguration()
	suite.LabelFilter = canaryLabel
	reporter.Verbose = true // GinkgoWriter and By lines stream too: more places to leak
	Run(t, Options{ReportDir: dir, OperatorLogs: true, Loaded: loaded.String()}, suite, reporter)
}

// TestCanarySecrets runs failing specs and a failing scenario that carry canary secrets in
// every place a secret can flow (Secret data, a Route's TLS key, the credentials file the
// operator writes, env values, a log line, object dumps), then looks for the canaries in
// every output: the terminal (Ginkgo's reporter, the summary, logs), report.json, junit.xml,
// report.md, report.html, coverage.json, and the diff against a run where they passed.
func TestCanarySecrets(t *testing.T) {
	if testing.Short() {
		t.Skip("starts envtest and the operator")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCanaryChild$", "-test.v")
	cmd.Env = append(os.Environ(), "IRCONFORM_CANARY_CHILD="+dir, "NO_COLOR=1")
	var terminal bytes.Buffer
	cmd.Stdout, cmd.Stderr = &terminal, &terminal
	start := time.Now()
	err := cmd.Run()
	t.Logf("child ran in %s (exit: %v)", time.Since(start).Round(time.Second), err)
	if err == nil {
		t.Fatalf("the canary specs passed; they must fail to prove anything:\n%s", terminal.String())
	}

	run, rerr := reports.ReadJSON(filepath.Join(dir, reports.FileJSON))
	if rerr != nil {
		t.Fatalf("no report: %v\n%s", rerr, tail(terminal.String(), 80))
	}
	// Every canary spec failed, with the redaction marker where its canary was.
	failed := 0
	for _, s := range run.Specs {
		if s.Result == reports.Failed {
			failed++
			if !strings.Contains(s.Failure, redact.Mask) {
				t.Errorf("%s failed without a masked value (did its canary reach the message?):\n%s", s.Name, s.Failure)
			}
		}
	}
	if failed != 6 {
		t.Errorf("%d specs failed, want the 5 canary specs and the canary scenario:\n%s", failed, tail(terminal.String(), 80))
	}

	// Outputs: the terminal, the report files, the diff against a run where they passed.
	outputs := map[string]string{"terminal": terminal.String()}
	for _, f := range []string{reports.FileJSON, reports.FileJUnit, reports.FileMarkdown, reports.FileHTML, reports.FileCoverage} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f] = string(b)
	}
	passing := run
	passing.Specs = append([]reports.Spec(nil), run.Specs...)
	for i := range passing.Specs {
		passing.Specs[i].Result, passing.Specs[i].Failure = reports.Passed, ""
	}
	d := reports.Diff(passing, run, 0)
	dj, _ := json.Marshal(d)
	outputs["diff (text)"], outputs["diff (markdown)"], outputs["diff (json)"] = d.Text(), d.Markdown(), string(dj)
	for name, out := range outputs {
		for _, c := range canaries {
			for _, form := range []string{c, base64.StdEncoding.EncodeToString([]byte(c)), c[len(c)-8:]} {
				if strings.Contains(out, form) {
					i := strings.Index(out, form)
					t.Errorf("%s shows canary %q (as %q): …%s…", name, c, form, out[max(0, i-200):min(len(out), i+100)])
				}
			}
		}
	}
	if p := os.Getenv("IRCONFORM_CANARY_TERMINAL"); p != "" {
		_ = os.WriteFile(p, terminal.Bytes(), 0o644) // for a person to look at
	}
	if !strings.Contains(terminal.String(), `[FAILED] Secret canary-secret data: is {"token": "`+redact.Mask+`"}`) {
		t.Errorf("the terminal does not lead with the statement:\n%s", tail(terminal.String(), 120))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
