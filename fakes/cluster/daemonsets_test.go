package cluster_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/cluster"
)

// copyProgram is a node program that copies every file of /in to /out/<name>.
func copyProgram(runs *sync.Map) cluster.NodeProgram {
	return func(_ context.Context, mounts map[string]string) error {
		runs.Store(mounts["/out"], true)
		entries, err := os.ReadDir(mounts["/in"])
		if err != nil {
			return err
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(mounts["/in"], e.Name()))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(mounts["/out"], e.Name()), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

func daemonSet(ns, cmd string) *appsv1.DaemonSet {
	labels := map[string]string{"name": "copier"}
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "copier"}, Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Image: "example.com/copier:1", Command: []string{cmd}, Args: []string{"--once"},
				VolumeMounts: []corev1.VolumeMount{{Name: "in", MountPath: "/in"}, {Name: "out", MountPath: "/out"}}}},
			Volumes: []corev1.Volume{
				{Name: "in", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "inputs"}}}},
				{Name: "out", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/copier"}}},
			},
		}},
	}}
}

func TestDaemonSetRunsNodeProgramsAndReportsStatus(t *testing.T) {
	ns := newNamespace(t)
	cmd := "copier-" + ns // unique per test: programs are simulator-wide
	var runs sync.Map
	sim.SetNodeProgram(cmd+" --once", copyProgram(&runs))
	ds := daemonSet(ns, cmd)
	if err := kube.Create(testCtx, ds); err != nil {
		t.Fatal(err)
	}
	eventually(t, "status on 3 nodes", func() error {
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(ds), ds); err != nil {
			return err
		}
		if st := ds.Status; st.DesiredNumberScheduled != 3 || st.NumberAvailable != 3 || st.UpdatedNumberScheduled != 3 || st.ObservedGeneration != ds.Generation {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})
	// The ConfigMap appears after the DaemonSet: pods start then.
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "inputs"}, Data: map[string]string{"a.txt": "A"}}
	if err := kube.Create(testCtx, cm); err != nil {
		t.Fatal(err)
	}
	for _, node := range cluster.Nodes {
		eventually(t, "file on "+node, func() error {
			files, err := sim.NodeFiles(node, "/var/lib/copier")
			if err != nil {
				return err
			}
			if files["/var/lib/copier/a.txt"] != "A" {
				return fmt.Errorf("files %v", files)
			}
			return nil
		})
	}
	update(t, cm, func() { cm.Data["b.txt"] = "B" })
	eventually(t, "a ConfigMap change re-runs the pods", func() error {
		files, err := sim.NodeFiles(cluster.Nodes[2], "/var/lib/copier")
		if err != nil || files["/var/lib/copier/b.txt"] != "B" {
			return fmt.Errorf("files %v (%v)", files, err)
		}
		return nil
	})
	if err := sim.NodeProgramError(ns, "copier"); err != nil {
		t.Fatal(err)
	}

	if err := sim.SetDaemonSetMode(testCtx, ns, "copier", cluster.DaemonSetUnavailable); err != nil {
		t.Fatal(err)
	}
	eventually(t, "unavailable", func() error {
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(ds), ds); err != nil {
			return err
		}
		if ds.Status.NumberAvailable != 0 || ds.Status.NumberUnavailable != 3 {
			return fmt.Errorf("status %+v", ds.Status)
		}
		return nil
	})
	if err := sim.SetDaemonSetMode(testCtx, ns, "copier", cluster.DaemonSetUpdating); err != nil {
		t.Fatal(err)
	}
	eventually(t, "updating", func() error {
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(ds), ds); err != nil {
			return err
		}
		if ds.Status.UpdatedNumberScheduled != 2 || ds.Status.NumberAvailable != 3 {
			return fmt.Errorf("status %+v", ds.Status)
		}
		return nil
	})
}
