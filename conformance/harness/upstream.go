package harness

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// What the upstream operator reads besides the API server (facts from its deployment
// manifest and main package): its TLS serving pair at a fixed path, a controller config with
// the metrics bind address, and a writable file for the Azure Stack environment.
const (
	upstreamSecretsDir   = "secrets" // under /etc
	upstreamOperatorName = "cluster-image-registry-operator"
	upstreamOperatorImg  = "quay.io/openshift/origin-cluster-image-registry-operator:irconform"
	// FeatureGateImageStreamImportMode is the only gate the upstream operator queries; a gate
	// it queries but the FeatureGate status does not list makes it panic.
	featureGateImageStreamImportMode = "ImageStreamImportMode"
)

// prepareUpstreamFiles writes the upstream operator's TLS pair into dir/etc-upper/secrets,
// the upper layer of the /etc overlay its process sees.
func prepareUpstreamFiles(dir string) error {
	secrets := filepath.Join(dir, "etc-upper", upstreamSecretsDir)
	if err := os.MkdirAll(secrets, 0o755); err != nil {
		return err
	}
	crt, key, err := selfSignedPair("image-registry-operator.openshift-image-registry.svc")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(secrets, "tls.crt"), crt, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(secrets, "tls.key"), key, 0o600)
}

// upstreamCommand runs the upstream binary in a private mount namespace whose /etc is an
// overlay with secrets/tls.{crt,key} (its metrics server reads them from /etc/secrets, a
// path it does not let us change; the host's /etc is untouched). Root makes the namespace
// directly; otherwise a user namespace maps the caller to root inside it.
func upstreamCommand(e *Env, w *processWorld, env []string) (string, []string, []string, error) {
	addr, err := freePort()
	if err != nil {
		return "", nil, nil, fmt.Errorf("metrics port for the upstream operator: %w", err)
	}
	cfg := filepath.Join(w.dir, "controller-config.yaml")
	if err := os.WriteFile(cfg, []byte("apiVersion: operator.openshift.io/v1alpha1\nkind: GenericOperatorConfig\nservingInfo:\n  bindAddress: "+addr+"\n"), 0o644); err != nil {
		return "", nil, nil, err
	}
	work := filepath.Join(w.dir, "etc-work-"+strconv.Itoa(w.starts))
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", nil, nil, err
	}
	add := func(k, v string) { env = append(env, k+"="+v) }
	add("OPERATOR_IMAGE_VERSION", e.Settings.ReleaseVersion)
	add("OPERATOR_NAME", upstreamOperatorName)
	add("OPERATOR_IMAGE", upstreamOperatorImg)
	add("WATCH_NAMESPACE", NS)
	add("POD_NAME", upstreamOperatorName+"-irconform")
	add("AZURE_ENVIRONMENT_FILEPATH", filepath.Join(w.dir, "azurestackcloud.json"))
	unshare := []string{"--mount", "--propagation", "private"}
	if os.Geteuid() != 0 {
		unshare = append([]string{"--map-root-user"}, unshare...)
	}
	script := `mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc || exit 97; shift 2; exec "$@"`
	args := append(unshare, "--", "sh", "-c", script, "sh", filepath.Join(w.dir, "etc-upper"), work,
		e.Operator.Binary, "--kubeconfig", w.kubeconfig, "--config", cfg)
	return "unshare", args, env, nil
}

// ensureStaticObjects creates, after each reset, what every OpenShift cluster has and no
// spec makes: the global pull secret (openshift-config/pull-secret).
func (e *Env) ensureStaticObjects(ctx context.Context) error {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ConfigNS, Name: "pull-secret"},
		Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{}}`)}}
	if err := e.Client.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %s for the operator process: %w", describeObj(s), err)
	}
	return nil
}

// ensureClusterBaseline creates, when the operator starts, the cluster singletons every
// OpenShift cluster has and an operator process reads at start (each only when missing, so
// a spec's own object wins): the FeatureGate with an entry for the operator's version, the
// APIServer, Image and ClusterVersion.
func (e *Env) ensureClusterBaseline(ctx context.Context) error {
	for _, o := range []client.Object{
		&configv1.APIServer{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
		&configv1.ClusterVersion{ObjectMeta: metav1.ObjectMeta{Name: "version"},
			Spec: configv1.ClusterVersionSpec{ClusterID: "5d8f3c9a-0b1e-4c2d-9e7f-a1b2c3d4e5f6"}},
	} {
		if err := e.Client.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating %s for the operator process: %w", describeObj(o), err)
		}
	}
	return e.ensureFeatureGate(ctx)
}

// ensureFeatureGate makes featuregates/cluster list the operator's version: an upstream
// operator waits (then exits) until its version is there. ImageStreamImportMode is listed
// as disabled unless the spec's FeatureGate says otherwise (no FeatureGate means off to
// the reference too).
func (e *Env) ensureFeatureGate(ctx context.Context) error {
	fg := &configv1.FeatureGate{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
	if err := e.Client.Create(ctx, fg); err != nil {
		if !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating FeatureGate cluster: %w", err)
		}
		if err := e.Client.Get(ctx, client.ObjectKeyFromObject(fg), fg); err != nil {
			return fmt.Errorf("reading FeatureGate cluster: %w", err)
		}
	}
	for _, d := range fg.Status.FeatureGates {
		if d.Version == e.Settings.ReleaseVersion {
			return nil
		}
	}
	fg.Status.FeatureGates = append(fg.Status.FeatureGates, configv1.FeatureGateDetails{
		Version:  e.Settings.ReleaseVersion,
		Disabled: []configv1.FeatureGateAttributes{{Name: featureGateImageStreamImportMode}},
	})
	if err := e.Client.Status().Update(ctx, fg); err != nil {
		return fmt.Errorf("writing FeatureGate cluster status for version %s: %w", e.Settings.ReleaseVersion, err)
	}
	return nil
}

// cvoManifests reads what the cluster-version operator applies for the operator from its
// manifests folder and the specs look at: the PrometheusRules (09-prometheus-rules*.yaml),
// the operator's metrics Service (07-operator-service.yaml), the ServiceMonitors
// (0000_90_*servicemonitor.yaml) and the NetworkPolicies (0[78]-*networkpolicy.yaml).
func cvoManifests(dir string) ([]*unstructured.Unstructured, error) {
	var files []string
	for _, pattern := range []string{"09-prometheus-rules*.yaml", "07-operator-service.yaml", "0000_90_*servicemonitor.yaml", "0[78]-*networkpolicy.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no 09-prometheus-rules*.yaml, 07-operator-service.yaml or servicemonitor manifests in the operator manifests folder %s", dir)
	}
	kinds := map[string]bool{"PrometheusRule": true, "ServiceMonitor": true, "Service": true, "NetworkPolicy": true}
	var out []*unstructured.Unstructured
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if kinds[u.GetKind()] {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// keepManifests plays the cluster-version operator for the operator's manifests while the
// operator runs: a manifest object that is missing is created, one whose spec lost or
// changed what the manifest sets is put back (checked every half second; fields the API
// server defaults are left alone), until stop is closed.
func (e *Env) keepManifests(objs []*unstructured.Unstructured, stop <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel()
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, want := range objs {
			live := &unstructured.Unstructured{}
			live.SetGroupVersionKind(want.GroupVersionKind())
			err := e.Client.Get(ctx, client.ObjectKeyFromObject(want), live)
			switch {
			case apierrors.IsNotFound(err):
				_ = e.Client.Create(ctx, want.DeepCopy())
			case err == nil && !covers(live.Object["spec"], want.Object["spec"]):
				live.Object["spec"] = want.DeepCopy().Object["spec"]
				_ = e.Client.Update(ctx, live)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// covers says whether live has everything want sets (maps: every key of want, recursively;
// lists: element by element; values: equal as JSON, so 60000 as int64 and float64 agree).
func covers(live, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if !covers(l[k], wv) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(w) {
			return false
		}
		for i := range w {
			if !covers(l[i], w[i]) {
				return false
			}
		}
		return true
	}
	return sameJSON(live, want)
}

func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

func describeObj(o client.Object) string {
	if o.GetNamespace() == "" {
		return fmt.Sprintf("%T %s", o, o.GetName())
	}
	return fmt.Sprintf("%T %s/%s", o, o.GetNamespace(), o.GetName())
}

// selfSignedPair is a throwaway serving certificate and key (PEM).
func selfSignedPair(name string) ([]byte, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name, "localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), nil
}
