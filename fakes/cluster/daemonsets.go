package cluster

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Nodes are the simulated cluster's nodes (all Linux, none tainted in a way a DaemonSet
// could not tolerate).
var Nodes = []string{"master-0", "worker-0", "worker-1"}

// DaemonSetMode says how the simulator rolls a DaemonSet out.
//
// Models NODECA-003.
type DaemonSetMode int

const (
	// DaemonSetReady: a pod on every node, all updated and available (the default).
	DaemonSetReady DaemonSetMode = iota
	// DaemonSetUpdating: every node has a pod and they are available, but one still runs
	// the previous template.
	DaemonSetUpdating
	// DaemonSetUnavailable: pods scheduled everywhere, none available (they do not run).
	DaemonSetUnavailable
)

// NodeProgram is what a simulated kubelet runs for a container whose command and args it
// knows: mounts maps each of the container's mount paths to a directory on the simulated
// node holding what the volume provides (a ConfigMap's keys as files, a hostPath's node
// directory).
type NodeProgram func(ctx context.Context, mounts map[string]string) error

// daemonSets plays the DaemonSet controller and, for containers whose program it was
// given, the kubelet.
type daemonSets struct {
	client client.Client
	root   string // simulated nodes' file systems, one directory per node

	mu       sync.Mutex
	mode     map[string]DaemonSetMode
	programs map[string]NodeProgram // "command args..." → program
	runErrs  map[string]error       // namespace/name → last program error
	// ran is the inputs (see inputs) each DaemonSet's pods last ran on without error. Why:
	// the DaemonSet is reconciled on every change of it and of any ConfigMap of its
	// namespace, and laying out three nodes' volumes and running the program again on the
	// same inputs gives the same files (nothing else writes the nodes' trees); it was ~7% of
	// a suite process's CPU.
	ran map[string]string
	// programsChanged counts SetNodeProgram calls: a new program is a new input.
	programsChanged int
}

func newDaemonSets(c client.Client) (*daemonSets, error) {
	root, err := nodesRoot()
	if err != nil {
		return nil, err
	}
	return &daemonSets{client: c, root: root, mode: map[string]DaemonSetMode{}, programs: map[string]NodeProgram{}, runErrs: map[string]error{},
		ran: map[string]string{}}, nil
}

// memoryFS is where the simulated nodes' file systems go when the machine has it: a tmpfs.
// Why: node programs lay out their volumes (remove, create, write) on every change of their
// inputs, on three nodes; on a disk file system those calls cost the kernel's journal, ~7% of
// the suite process's CPU time.
const memoryFS = "/dev/shm"

// nodesRoot makes the folder of the simulated nodes' file systems: in memoryFS when it can,
// else in the system's temporary folder.
func nodesRoot() (string, error) {
	if root, err := os.MkdirTemp(memoryFS, "irconform-nodes-"); err == nil {
		return root, nil
	}
	return os.MkdirTemp("", "irconform-nodes-")
}

func (d *daemonSets) register(mgr manager.Manager) error {
	// A ConfigMap change re-runs the pods of every DaemonSet of its namespace (as a kubelet
	// refreshes projected ConfigMap volumes).
	byNamespace := handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		var list appsv1.DaemonSetList
		if err := d.client.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(list.Items))
		for _, ds := range list.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&ds)})
		}
		return reqs
	})
	return ctrl.NewControllerManagedBy(mgr).Named("sim-daemonsets").For(&appsv1.DaemonSet{}).
		Watches(&corev1.ConfigMap{}, byNamespace).Complete(reconcile.Func(d.reconcile))
}

func commandLine(c corev1.Container) string {
	return strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
}

func (d *daemonSets) reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var ds appsv1.DaemonSet
	if err := d.client.Get(ctx, req.NamespacedName, &ds); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	d.mu.Lock()
	mode := d.mode[req.String()]
	d.mu.Unlock()
	n := int32(len(Nodes))
	st := appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: n, CurrentNumberScheduled: n,
		NumberReady: n, NumberAvailable: n, UpdatedNumberScheduled: n}
	switch mode {
	case DaemonSetUpdating:
		st.UpdatedNumberScheduled = n - 1
	case DaemonSetUnavailable:
		st.NumberReady, st.NumberAvailable, st.NumberUnavailable = 0, 0, n
	}
	if mode != DaemonSetUnavailable {
		key := req.String()
		in, err := d.inputs(ctx, &ds)
		if err != nil {
			return reconcile.Result{}, err
		}
		d.mu.Lock()
		same := d.ran[key] == in
		d.mu.Unlock()
		if !same {
			err := d.runPods(ctx, &ds)
			d.mu.Lock()
			d.runErrs[key] = err
			if err == nil {
				d.ran[key] = in
			} else {
				delete(d.ran, key)
			}
			d.mu.Unlock()
		}
	}
	if equality.Semantic.DeepEqual(ds.Status, st) {
		return reconcile.Result{}, nil
	}
	ds.Status = st
	if err := d.client.Status().Update(ctx, &ds); err != nil {
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			return reconcile.Result{Requeue: apierrors.IsConflict(err)}, nil
		}
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, nil
}

// inputs names what the DaemonSet's pods run on: its template (UID and generation), the
// node programs known, and the version of each ConfigMap it mounts ("-" while missing).
func (d *daemonSets) inputs(ctx context.Context, ds *appsv1.DaemonSet) (string, error) {
	d.mu.Lock()
	programs := d.programsChanged
	d.mu.Unlock()
	in := fmt.Sprintf("%s/%d/%d", ds.UID, ds.Generation, programs)
	for _, v := range ds.Spec.Template.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		var cm corev1.ConfigMap
		switch err := d.client.Get(ctx, client.ObjectKey{Namespace: ds.Namespace, Name: v.ConfigMap.Name}, &cm); {
		case apierrors.IsNotFound(err):
			in += " " + v.ConfigMap.Name + "=-"
		case err != nil:
			return "", err
		default:
			in += " " + v.ConfigMap.Name + "=" + cm.ResourceVersion
		}
	}
	return in, nil
}

// runPods runs, on every node, each container whose program is known, with its volumes
// laid out in the node's directory tree.
//
// Models NODECA-001, NODECA-004, CA-006.
func (d *daemonSets) runPods(ctx context.Context, ds *appsv1.DaemonSet) error {
	spec := ds.Spec.Template.Spec
	for _, node := range Nodes {
		for _, c := range spec.Containers {
			d.mu.Lock()
			prog := d.programs[commandLine(c)]
			d.mu.Unlock()
			if prog == nil {
				continue
			}
			mounts := map[string]string{}
			for _, m := range c.VolumeMounts {
				dir, ready, err := d.volumeDir(ctx, node, ds, spec.Volumes, m.Name)
				if err != nil {
					return err
				}
				if !ready {
					return nil // the pod cannot start (a missing ConfigMap, as on a node)
				}
				mounts[m.MountPath] = dir
			}
			if err := prog(ctx, mounts); err != nil {
				return fmt.Errorf("node %s, %s/%s container %s: %w", node, ds.Namespace, ds.Name, c.Name, err)
			}
		}
	}
	return nil
}

// volumeDir lays out volume name of a pod on node and returns its directory.
func (d *daemonSets) volumeDir(ctx context.Context, node string, ds *appsv1.DaemonSet, vols []corev1.Volume, name string) (string, bool, error) {
	for _, v := range vols {
		if v.Name != name {
			continue
		}
		switch {
		case v.HostPath != nil:
			dir := filepath.Join(d.root, node, filepath.Clean("/"+v.HostPath.Path))
			return dir, true, os.MkdirAll(dir, 0o755)
		case v.ConfigMap != nil:
			var cm corev1.ConfigMap
			err := d.client.Get(ctx, client.ObjectKey{Namespace: ds.Namespace, Name: v.ConfigMap.Name}, &cm)
			if apierrors.IsNotFound(err) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			dir := filepath.Join(d.root, node, "pods", ds.Namespace+"_"+ds.Name, "volumes", v.Name)
			if err := os.RemoveAll(dir); err != nil {
				return "", false, err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", false, err
			}
			for k, val := range cm.Data {
				if err := os.WriteFile(filepath.Join(dir, k), []byte(val), 0o644); err != nil {
					return "", false, err
				}
			}
			for k, val := range cm.BinaryData {
				if err := os.WriteFile(filepath.Join(dir, k), val, 0o644); err != nil {
					return "", false, err
				}
			}
			return dir, true, nil
		default:
			dir := filepath.Join(d.root, node, "pods", ds.Namespace+"_"+ds.Name, "volumes", v.Name)
			return dir, true, os.MkdirAll(dir, 0o755)
		}
	}
	return "", false, fmt.Errorf("%s/%s mounts volume %q, which the pod does not define", ds.Namespace, ds.Name, name)
}

// SetNodeProgram tells the simulated kubelet what a container whose command and args join
// to commandLine does (the program of an image, in effect).
func (s *Simulator) SetNodeProgram(commandLine string, p NodeProgram) {
	s.daemonSets.mu.Lock()
	defer s.daemonSets.mu.Unlock()
	s.daemonSets.programs[commandLine] = p
	s.daemonSets.programsChanged++
}

// SetDaemonSetMode sets how the DaemonSet namespace/name rolls out from now on, and
// re-applies it to the current object.
func (s *Simulator) SetDaemonSetMode(ctx context.Context, namespace, name string, mode DaemonSetMode) error {
	s.daemonSets.mu.Lock()
	s.daemonSets.mode[namespace+"/"+name] = mode
	s.daemonSets.mu.Unlock()
	_, err := s.daemonSets.reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKey{Namespace: namespace, Name: name}})
	return err
}

// NodeFiles returns the regular files under dir on a simulated node, by absolute path as
// the node sees it, with their contents.
func (s *Simulator) NodeFiles(node, dir string) (map[string]string, error) {
	base := filepath.Join(s.daemonSets.root, node)
	out := map[string]string{}
	err := filepath.WalkDir(filepath.Join(base, filepath.Clean("/"+dir)), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if e.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[strings.TrimPrefix(p, base)] = string(b)
		}
		return nil
	})
	return out, err
}

// NodeProgramError is the last error of a DaemonSet's node programs (nil when they ran).
func (s *Simulator) NodeProgramError(namespace, name string) error {
	s.daemonSets.mu.Lock()
	defer s.daemonSets.mu.Unlock()
	return s.daemonSets.runErrs[namespace+"/"+name]
}

// resetNodes empties the nodes' file systems and forgets modes.
func (d *daemonSets) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mode = map[string]DaemonSetMode{}
	d.runErrs = map[string]error{}
	d.ran = map[string]string{}
	entries, _ := os.ReadDir(d.root)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		_ = os.RemoveAll(filepath.Join(d.root, n))
	}
}
