package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Chainsaw is the side-by-side: the steps MeasureReconcile times through the harness, run as
// a chainsaw test (github.com/kyverno/chainsaw, the declarative Kubernetes test tool QA would
// otherwise pick) against the same envtest and the same operator.
type Chainsaw struct {
	Version string `json:"version,omitempty"`
	Binary  string `json:"binary,omitempty"`
	// Step: one patch of the Config's replicas plus chainsaw's assert on the Deployment, per
	// step from chainsaw's own report (operation start to end, summed per step).
	Step Stats `json:"step"`
	// Ratio is chainsaw's step p50 over the harness's step p50 (same change, same wait; both
	// include the operator's reconcile).
	Ratio float64 `json:"ratio"`
	// OverheadRatio is chainsaw's step p50 over the harness's own overhead per step p50 (the
	// step minus the operator's reconcile): what each tool adds to the operator's time.
	OverheadRatio float64 `json:"overhead_ratio"`
	// Error says why chainsaw was not measured (not built, would not build, failed).
	Error string `json:"error,omitempty"`
}

// chainsawStepReplicas is what step i sets: never the value before it.
func chainsawStepReplicas(i int) int { return 2 + i%5 }

// chainsawTest renders a chainsaw test of n steps, each the same create+assert shape as the
// harness's step: patch spec.replicas of Config cluster, then assert the operator's Deployment
// carries it. skipDelete: envtest has no namespace controller, so chainsaw's cleanup of a
// namespace would wait forever; the steps use the operator's namespace, which exists.
func chainsawTest(n int) string {
	var b strings.Builder
	b.WriteString(`apiVersion: chainsaw.kyverno.io/v1alpha1
kind: Test
metadata:
  name: irconform-replicas
spec:
  skipDelete: true
  namespace: openshift-image-registry
  timeouts:
    apply: 10s
    assert: 10s
  steps:
`)
	for i := 0; i < n; i++ {
		r := chainsawStepReplicas(i)
		fmt.Fprintf(&b, `  - name: replicas-%d
    try:
    - patch:
        resource:
          apiVersion: imageregistry.operator.openshift.io/v1
          kind: Config
          metadata:
            name: cluster
          spec:
            replicas: %d
    - assert:
        resource:
          apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: image-registry
            namespace: openshift-image-registry
          spec:
            replicas: %d
`, i, r, r)
	}
	return b.String()
}

// writeKubeconfig writes cfg as a kubeconfig file for an outside client.
func writeKubeconfig(cfg *rest.Config, path string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["envtest"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "envtest"}
	kc.CurrentContext = "envtest"
	return clientcmd.WriteToFile(*kc, path)
}

// chainsawReport is the part of chainsaw's JSON report (--report-format JSON) read here.
type chainsawReport struct {
	Tests []struct {
		Name  string `json:"name"`
		Steps []struct {
			Name       string    `json:"name"`
			StartTime  time.Time `json:"startTime"`
			EndTime    time.Time `json:"endTime"`
			Operations []struct {
				Type    string `json:"type"`
				Failure *struct {
					Err string `json:"error"`
				} `json:"failure"`
			} `json:"operations"`
		} `json:"steps"`
	} `json:"tests"`
}

// stepDurations reads per-step times (the step's start to end, as chainsaw reports them) from
// the report; a failed operation is an error naming it.
func (r chainsawReport) stepDurations() ([]time.Duration, error) {
	var ds []time.Duration
	for _, t := range r.Tests {
		for _, s := range t.Steps {
			for _, op := range s.Operations {
				if op.Failure != nil {
					return nil, fmt.Errorf("chainsaw step %s, %s: %s", s.Name, op.Type, op.Failure.Err)
				}
			}
			ds = append(ds, s.EndTime.Sub(s.StartTime))
		}
	}
	if len(ds) == 0 {
		return nil, errors.New("chainsaw's report has no timed steps")
	}
	return ds, nil
}

// MeasureChainsaw runs n create+assert steps as a chainsaw test against cfg's API server.
// bin is the chainsaw binary; when it is missing, a file chainsaw.err beside it says why the
// build failed (make chainsaw writes it) and that is the result's Error.
func MeasureChainsaw(ctx context.Context, cfg *rest.Config, bin string, n int) Chainsaw {
	out := Chainsaw{Binary: bin, Version: filepath.Base(filepath.Dir(bin))}
	if bin == "" {
		out.Error = "no --chainsaw binary given (make bench builds one with 'make chainsaw')"
		return out
	}
	if _, err := os.Stat(bin); err != nil {
		why, rerr := os.ReadFile(filepath.Join(filepath.Dir(bin), "chainsaw.err"))
		if rerr == nil {
			out.Error = "did not build: " + strings.TrimSpace(string(why))
		} else {
			out.Error = fmt.Sprintf("%s is not there (make chainsaw builds it)", bin)
		}
		return out
	}
	dir, err := os.MkdirTemp("", "irconform-chainsaw-")
	if err != nil {
		out.Error = err.Error()
		return out
	}
	defer os.RemoveAll(dir)
	kc := filepath.Join(dir, "kubeconfig")
	tests := filepath.Join(dir, "tests", "replicas")
	if err := errors.Join(writeKubeconfig(cfg, kc), os.MkdirAll(tests, 0o755)); err != nil {
		out.Error = err.Error()
		return out
	}
	if err := os.WriteFile(filepath.Join(tests, "chainsaw-test.yaml"), []byte(chainsawTest(n)), 0o644); err != nil {
		out.Error = err.Error()
		return out
	}
	// chainsaw reads the cluster from $KUBECONFIG (its --kube-* flags only override fields).
	cmd := exec.CommandContext(ctx, bin, "test", "--test-dir", filepath.Join(dir, "tests"),
		"--report-format", "JSON", "--report-path", dir, "--report-name", "report", "--no-color")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kc)
	logs, err := cmd.CombinedOutput()
	if err != nil {
		out.Error = fmt.Sprintf("chainsaw test failed: %v: %s", err, lastLines(string(logs), 6))
		return out
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		out.Error = fmt.Sprintf("chainsaw wrote no report: %v: %s", err, lastLines(string(logs), 6))
		return out
	}
	var rep chainsawReport
	if err := json.Unmarshal(data, &rep); err != nil {
		out.Error = fmt.Sprintf("chainsaw's report: %v", err)
		return out
	}
	ds, err := rep.stepDurations()
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Step = Summarize(ds)
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
