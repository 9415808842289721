package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/front"
)

// stopGrace is how long a process operator gets to exit after SIGTERM (it releases its
// leader lease on the way out) before it is killed.
const stopGrace = 20 * time.Second

// processWorld is what an operator process stands on besides the API server: a work folder
// (kubeconfig, trusted CAs, the upstream's TLS pair and config), the API front it talks to
// and the TLS front that stands in for the clouds' host names.
type processWorld struct {
	dir        string
	kubeconfig string
	caFile     string
	api        *apiFront
	tls        *front.Front
	logPath    string

	mu      sync.Mutex
	starts  int
	running *operatorProcess
	// lastStart is where the last start's output begins in the log.
	lastStart int64
	// manifests are what the cluster-version operator keeps for the operator under test.
	manifests []*unstructured.Unstructured
}

// operatorProcess is one running operator process.
type operatorProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // set before done closes
	// stopping is set once the harness sent SIGTERM: an exit after that is a stop, not a crash.
	stopping bool
	log      *os.File
	logStart int64
	// stopKeeper ends the cluster-version operator's part for this run.
	stopKeeper chan struct{}
}

// startProcessWorld prepares the work folder and the fronts (once per suite).
func (e *Env) startProcessWorld(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "irconform-operator-")
	if err != nil {
		return fmt.Errorf("operator work folder: %w", err)
	}
	w := &processWorld{dir: dir}
	if w.api, err = startAPIFront(ctx, e.Target.RESTConfig(), &hookTransport{env: e}); err != nil {
		return err
	}
	if w.tls, err = front.Start(ctx); err != nil {
		return err
	}
	w.caFile = filepath.Join(dir, "trusted-ca.pem")
	if err := os.WriteFile(w.caFile, w.tls.CAPEM, 0o600); err != nil {
		return err
	}
	w.kubeconfig = filepath.Join(dir, "kubeconfig")
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: w.api.URL}
	kc.AuthInfos["harness"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "harness"}
	kc.CurrentContext = "envtest"
	if err := clientcmd.WriteToFile(*kc, w.kubeconfig); err != nil {
		return fmt.Errorf("writing the operator's kubeconfig: %w", err)
	}
	logDir := e.Operator.LogDir
	if logDir == "" {
		logDir = dir
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	w.logPath = filepath.Join(logDir, "operator.log")
	if err := os.WriteFile(w.logPath, nil, 0o644); err != nil {
		return err
	}
	if e.Operator.Kind == OperatorUpstream {
		if err := prepareUpstreamFiles(w.dir); err != nil {
			return err
		}
		if e.Operator.Manifests != "" {
			if w.manifests, err = cvoManifests(e.Operator.Manifests); err != nil {
				return err
			}
		}
	}
	e.process = w
	return nil
}

// OperatorLog is the file an operator process writes to ("" in-process).
func (e *Env) OperatorLog() string {
	if e.process == nil {
		return ""
	}
	return e.process.logPath
}

// startProcess starts the operator process after laying out what a cluster has.
func (e *Env) startProcess(ctx context.Context) error {
	w := e.process
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running != nil {
		return errors.New("operator already running")
	}
	if err := e.ensureClusterBaseline(ctx); err != nil {
		return err
	}
	// A process killed without a graceful stop leaves its leader lease held: the next one
	// would wait it out (minutes). Nothing else uses leases here.
	if err := e.Client.DeleteAllOf(ctx, &coordinationv1.Lease{}, client.InNamespace(NS)); err != nil {
		return fmt.Errorf("deleting stale leader leases in %s: %w", NS, err)
	}
	name, args, env, err := e.processCommand()
	if err != nil {
		return err
	}
	lf, err := os.OpenFile(w.logPath, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	w.starts++
	st, _ := lf.Stat()
	fmt.Fprintf(lf, "\n===== irconform: operator start %d at %s, spec: %s\n", w.starts, time.Now().Format(time.RFC3339Nano), e.SpecName)
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Dir = w.dir
	if err := cmd.Start(); err != nil {
		_ = lf.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &operatorProcess{cmd: cmd, done: make(chan struct{}), log: lf, stopKeeper: make(chan struct{})}
	if len(w.manifests) > 0 {
		go e.keepManifests(w.manifests, p.stopKeeper)
	}
	if st != nil {
		p.logStart = st.Size()
		w.lastStart = p.logStart
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	w.running = p
	return nil
}

// stopProcess sends SIGTERM, waits for the exit (kills after stopGrace) and reports an exit
// the harness did not ask for (a crash) with the end of the log.
func (e *Env) stopProcess() error {
	w := e.process
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.running
	if p == nil {
		return nil
	}
	w.running = nil
	defer p.log.Close()
	close(p.stopKeeper)
	crashed := false
	select {
	case <-p.done:
		crashed = true
	default:
		p.stopping = true
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = p.cmd.Process.Kill()
			<-p.done
			fmt.Fprintf(p.log, "===== irconform: killed after %s without exiting on SIGTERM\n", stopGrace)
		}
	}
	if crashed {
		return fmt.Errorf("operator process exited on its own (%v) before the harness stopped it; end of %s:\n%s",
			p.err, w.logPath, tailOf(w.logPath, p.logStart, 25))
	}
	return nil
}

// tailOf is the last n lines of the file from offset on.
func tailOf(path string, offset int64, n int) string {
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b[offset:]), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// processCommand is the command line and environment of the operator process.
func (e *Env) processCommand() (string, []string, []string, error) {
	w := e.process
	env := processEnv(os.Environ())
	add := func(k, v string) { env = append(env, k+"="+v) }
	// The clouds' host names reach the fakes through the TLS front, the way a cluster-wide
	// proxy is set for an operator (the loopback API server and fakes are never proxied).
	add("HTTPS_PROXY", w.tls.URL)
	add("HTTP_PROXY", w.tls.URL)
	add("NO_PROXY", "127.0.0.1,localhost")
	add("SSL_CERT_FILE", w.caFile)
	add("IMAGE", e.Settings.Image)
	add("IMAGE_PRUNER", e.Settings.PrunerImage)
	add("RELEASE_VERSION", e.Settings.ReleaseVersion)
	if ep := e.Settings.StorageEndpoints["gcs"]; ep != "" {
		// The GCS client's own emulator setting: the same on any cluster.
		u, err := url.Parse(ep)
		if err != nil {
			return "", nil, nil, fmt.Errorf("GCS fake endpoint %q: %w", ep, err)
		}
		add("STORAGE_EMULATOR_HOST", u.Host)
	}
	switch e.Operator.Kind {
	case OperatorReference:
		return e.Operator.Binary, []string{"operator", "--kubeconfig", w.kubeconfig}, env, nil
	case OperatorUpstream:
		return upstreamCommand(e, w, env)
	}
	return "", nil, nil, fmt.Errorf("no process for operator %q", e.Operator.Kind)
}

// processEnv keeps only the basics of the suite's environment: an operator process gets what
// a pod would, plus the settings the harness gives it. Anything else could point it
// elsewhere: AWS_CA_BUNDLE replaces the trusted CAs of the AWS SDK, AWS_PROFILE or
// AWS_REGION change the S3 client, KUBECONFIG another cluster, a proxy variable other routes.
func processEnv(in []string) []string {
	keep := map[string]bool{"PATH": true, "HOME": true, "USER": true, "TMPDIR": true, "TZ": true, "LANG": true, "LC_ALL": true}
	var out []string
	for _, kv := range in {
		k, _, _ := strings.Cut(kv, "=")
		if keep[k] {
			out = append(out, kv)
		}
	}
	return out
}

// freePort picks a free port on 127.0.0.1.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// closeProcessWorld stops the operator and removes the work folder.
func (e *Env) closeProcessWorld() {
	if e.process == nil {
		return
	}
	_ = e.stopProcess()
	_ = e.process.api.Close()
	_ = e.process.tls.Close()
	_ = os.RemoveAll(e.process.dir)
}

// OperatorOutput is what the operator process has written to its log since its last start
// ("" in-process: the in-process operator logs through Env.Logger).
func (e *Env) OperatorOutput() string {
	if e.process == nil {
		return ""
	}
	e.process.mu.Lock()
	start := e.process.lastStart
	e.process.mu.Unlock()
	b, err := os.ReadFile(e.process.logPath)
	if err != nil || int64(len(b)) < start {
		return ""
	}
	return string(b[start:])
}
