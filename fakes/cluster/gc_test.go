package cluster_test

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func gone(obj client.Object) func() error {
	return func() error {
		err := kube.Get(testCtx, client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("still there (finalizers %v, deleting since %v)", obj.GetFinalizers(), obj.GetDeletionTimestamp())
	}
}

func deployment(ns, name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}}}}}
}

// ownedConfigMap is a ConfigMap whose owner is d.
func ownedConfigMap(t *testing.T, d *appsv1.Deployment, name string, block bool) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: d.Namespace, Name: name,
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID,
			BlockOwnerDeletion: ptr.To(block)}}}}
	if err := kube.Create(testCtx, cm); err != nil {
		t.Fatal(err)
	}
	return cm
}

// TestForegroundDeletionCompletes: a Deployment deleted with propagationPolicy Foreground
// (as the upstream operator deletes) goes, and takes its dependents with it; without the
// simulated collector it would stay Terminating forever.
func TestForegroundDeletionCompletes(t *testing.T) {
	ns := newNamespace(t)
	d := deployment(ns, "registry")
	if err := kube.Create(testCtx, d); err != nil {
		t.Fatal(err)
	}
	dep := ownedConfigMap(t, d, "owned", true)
	if err := kube.Delete(testCtx, d, client.PropagationPolicy(metav1.DeletePropagationForeground)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dependent is collected", gone(dep))
	eventually(t, "the Deployment deleted in the foreground is gone", gone(d))
}

// TestOrphanDeletion: dependents survive an Orphan deletion, without the owner reference.
func TestOrphanDeletion(t *testing.T) {
	ns := newNamespace(t)
	d := deployment(ns, "registry")
	if err := kube.Create(testCtx, d); err != nil {
		t.Fatal(err)
	}
	dep := ownedConfigMap(t, d, "kept", false)
	if err := kube.Delete(testCtx, d, client.PropagationPolicy(metav1.DeletePropagationOrphan)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the orphaning Deployment is gone", gone(d))
	if err := kube.Get(testCtx, client.ObjectKeyFromObject(dep), dep); err != nil {
		t.Fatalf("the orphaned ConfigMap: %v, want it kept", err)
	}
	if len(dep.OwnerReferences) != 0 {
		t.Errorf("orphaned ConfigMap still names owners %v", dep.OwnerReferences)
	}
}

// TestBackgroundCascade: a plain delete of the owner takes its dependents afterwards.
func TestBackgroundCascade(t *testing.T) {
	ns := newNamespace(t)
	d := deployment(ns, "registry")
	if err := kube.Create(testCtx, d); err != nil {
		t.Fatal(err)
	}
	dep := ownedConfigMap(t, d, "owned", false)
	if err := kube.Delete(testCtx, d); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dependent of a deleted owner is collected", gone(dep))
}

// TestPVCProtectionReleased: a claim (which the API server gives the pvc-protection
// finalizer) is really deleted, as no pod uses it.
func TestPVCProtectionReleased(t *testing.T) {
	ns := newNamespace(t)
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry-storage"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	if err := kube.Create(testCtx, pvc); err != nil {
		t.Fatal(err)
	}
	if err := kube.Delete(testCtx, pvc); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted claim is gone", gone(pvc))
}

// TestOtherFinalizersKept: the collector touches only its own finalizers.
func TestOtherFinalizersKept(t *testing.T) {
	ns := newNamespace(t)
	d := deployment(ns, "registry")
	d.Finalizers = []string{"example.com/keep"}
	if err := kube.Create(testCtx, d); err != nil {
		t.Fatal(err)
	}
	if err := kube.Delete(testCtx, d, client.PropagationPolicy(metav1.DeletePropagationForeground)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "foregroundDeletion is released", func() error {
		if err := kube.Get(testCtx, client.ObjectKeyFromObject(d), d); err != nil {
			return err
		}
		if len(d.Finalizers) != 1 || d.Finalizers[0] != "example.com/keep" {
			return fmt.Errorf("finalizers %v, want [example.com/keep]", d.Finalizers)
		}
		return nil
	})
	update(t, d, func() { d.Finalizers = nil })
	eventually(t, "the Deployment goes once its own finalizer is removed", gone(d))
}
