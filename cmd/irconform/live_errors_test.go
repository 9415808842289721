package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/irconform/irconform/conformance/target"
)

// TestLiveBadInput: each way a live target can be unusable gives one line on stderr, no
// stack trace, no report, and its own exit code.
func TestLiveBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("starts API servers")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	// An OpenShift-shaped envtest, and a plain one without the OpenShift CRDs.
	osEnv, err := target.StartEnvtest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer osEnv.Stop()
	assets, err := target.AssetsDir()
	if err != nil {
		t.Fatal(err)
	}
	plain := &envtest.Environment{BinaryAssetsDirectory: assets}
	plainCfg, err := plain.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Stop()
	// A user with no permissions at all on the OpenShift-shaped server.
	user, err := osEnvUser(osEnv)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := l.Addr().String()
	l.Close()

	kc := func(name, server string, cfg *rest.Config) string {
		p := filepath.Join(dir, name)
		writeKubeconfig(t, p, server, cfg)
		return p
	}
	// An account that may get but never list or watch: a disruptive run needs watches, and
	// must say so instead of waiting forever for a cache that cannot fill.
	getter, err := osEnv.AddUser("irconform-getter", nil)
	if err != nil {
		t.Fatal(err)
	}
	grantGetOnly(ctx, t, osEnv, "irconform-getter")
	wrongCA := rest.CopyConfig(osEnv.RESTConfig())
	wrongCA.CAData = otherCA(t)
	bogus := rest.CopyConfig(osEnv.RESTConfig())
	bogus.CertData, bogus.KeyData, bogus.BearerToken = nil, nil, "expired-or-forged-token"
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing kubeconfig file", []string{"--kubeconfig", filepath.Join(dir, "nope")}, 3, "kubeconfig unusable"},
		{"wrong context", []string{"--kubeconfig", kc("ok", osEnv.Server(), osEnv.RESTConfig()), "--context", "no-such-context"}, 3, "kubeconfig unusable"},
		{"unreachable server", []string{"--kubeconfig", kc("dead", "https://"+deadAddr, osEnv.RESTConfig())}, 4, "API server unreachable"},
		{"rejected credentials", []string{"--kubeconfig", kc("bogus", osEnv.Server(), bogus)}, 5, "credentials rejected"},
		{"not OpenShift", []string{"--kubeconfig", kc("plain", plainCfg.Host, plainCfg)}, 6, "not an OpenShift cluster"},
		{"no read access", []string{"--kubeconfig", kc("user", osEnv.Server(), user)}, 7, "no read access"},
		{"wrong CA", []string{"--kubeconfig", kc("wrongca", osEnv.Server(), wrongCA)}, 8, "TLS verification failed"},
		{"disruptive without list or watch", []string{"--kubeconfig", kc("getter", osEnv.Server(), getter), "--disruptive", "--yes"}, 7, "could not list and watch"},
		{"plain http to the TLS port", []string{"--kubeconfig", kc("http", strings.Replace(osEnv.Server(), "https://", "http://", 1), osEnv.RESTConfig())}, 3, "plain http to a port that speaks https"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"run", "--report-dir", filepath.Join(dir, "r-"+strings.ReplaceAll(c.name, " ", "-"))}, c.args...)...)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			limit := 10 * time.Second
			if strings.Contains(c.name, "list or watch") {
				limit = 40 * time.Second // the bounded wait for the watch cache, then one line
			}
			if took := time.Since(start); took > limit {
				t.Errorf("took %s to say so, want seconds", took)
			}
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("want exit %d, got err=%v\n%s", c.code, err, out)
			}
			if ee.ExitCode() != c.code {
				t.Fatalf("exit %d, want %d\n%s", ee.ExitCode(), c.code, out)
			}
			text := strings.TrimSpace(string(out))
			if c.name == "disruptive without list or watch" {
				// The probe passed (the account may get the Config): its header comes first.
				text = lastLine(text)
			}
			if strings.Count(text, "\n") != 0 || !strings.Contains(text, c.want) || strings.Contains(text, "goroutine") {
				t.Fatalf("want one line containing %q, got:\n%s", c.want, text)
			}
			if matches, _ := filepath.Glob(filepath.Join(dir, "r-*", "report.json")); len(matches) != 0 {
				t.Fatalf("a report was written for an unusable target: %v", matches)
			}
		})
	}
}

// osEnvUser adds a user that authenticates but is bound to nothing that reads the registry
// Config (only discovery, as every authenticated user has).
func osEnvUser(e *target.Envtest) (*rest.Config, error) {

	return e.AddUser("irconform-nobody", nil)
}

// otherCA is a CA certificate that signed nothing the API server presents.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not-the-cluster-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

// grantGetOnly lets user get (not list or watch) what a live run reads.
func grantGetOnly(ctx context.Context, t *testing.T, e *target.Envtest, user string) {
	t.Helper()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "irconform-get-only"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{"", "apps", "batch", "config.openshift.io", "imageregistry.operator.openshift.io", "route.openshift.io", "monitoring.coreos.com"},
		Resources: []string{"*"}, Verbs: []string{"get"}}}}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "irconform-get-only"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: user}}}
	for _, o := range []client.Object{role, binding} {
		if err := e.Client().Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
}
