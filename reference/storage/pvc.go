package storage

import (
	"context"
	"errors"
	"fmt"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/irconform/irconform/reference/render"
)

// PVC constants from the upstream operator.
const (
	DefaultClaim = render.DefaultPVCName
	// PVCOwnerAnnotation marks a claim the operator created (and may therefore delete).
	PVCOwnerAnnotation = render.OwnerAnnotation
)

// PVC stores images on a persistent volume claim.
type PVC struct{ deps Deps }

// NewPVC is the Factory for "pvc".
func NewPVC(deps Deps, _ *imageregistryv1.ImageRegistryConfigStorage) Driver { return &PVC{deps: deps} }

func (*PVC) Kind() string { return "PVC" }

func (p *PVC) Configure(_ context.Context, cfg *imageregistryv1.Config) (render.StorageConfig, error) {
	return render.PVCStorage(cfg.Spec.Storage.PVC.Claim), nil
}

// Implements PVC-001, PVC-002, PVC-003, STOR-006 (upstream STOR-PVC-02, STOR-PVC-03).
func (p *PVC) Sync(ctx context.Context, cfg *imageregistryv1.Config) (_ []operatorv1.OperatorCondition, err error) {
	spec := cfg.Spec.Storage.PVC
	claimName := spec.Claim
	if claimName == "" {
		claimName = DefaultClaim
	}
	if spec.Claim == "" {
		// The default claim's name reaches the spec only once the claim is known to be the
		// operator's: written after a refusal, the next sync would take a foreign claim for
		// a user-named one and adopt it (PVC-003).
		defer func() {
			if err == nil {
				spec.Claim = DefaultClaim
				if cfg.Spec.Storage.ManagementState == "" {
					cfg.Spec.Storage.ManagementState = Managed
				}
			}
		}()
		var existing corev1.PersistentVolumeClaim
		err := p.deps.Client.Get(ctx, types.NamespacedName{Namespace: Namespace, Name: DefaultClaim}, &existing)
		switch {
		case err == nil:
			if _, ours := existing.Annotations[PVCOwnerAnnotation]; !ours {
				return Exists(operatorv1.ConditionFalse, "PVC Already Exists", "could not create default PVC, it already exists and is not owned by the operator"),
					errors.New("could not create default PVC, it already exists and is not owned by the operator")
			}
		case apierrors.IsNotFound(err):
			claim := &corev1.PersistentVolumeClaim{
				ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: DefaultClaim,
					Annotations: map[string]string{PVCOwnerAnnotation: "true"}},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse("100Gi")}},
				},
			}
			if err := p.deps.Client.Create(ctx, claim); err != nil {
				return Exists(operatorv1.ConditionFalse, "Creation Failed", err.Error()), fmt.Errorf("creating PVC %s: %w", DefaultClaim, err)
			}
		default:
			return Exists(operatorv1.ConditionUnknown, "Unknown error occurred checking for volume claim "+DefaultClaim, err.Error()), err
		}
	} else if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = Unmanaged
	}
	var claim corev1.PersistentVolumeClaim
	if err = p.deps.Client.Get(ctx, types.NamespacedName{Namespace: Namespace, Name: claimName}, &claim); err != nil {
		if apierrors.IsNotFound(err) {
			return Exists(operatorv1.ConditionFalse, "PVC does not exist", fmt.Sprintf("PVC %s does not exist", claimName)),
				fmt.Errorf("PVC %s does not exist", claimName)
		}
		return Exists(operatorv1.ConditionUnknown, "Unknown error occurred checking for volume claim "+claimName, err.Error()), err
	}
	if err = checkAccessModes(cfg, &claim); err != nil {
		return Exists(operatorv1.ConditionFalse, "PVC Issues Found", err.Error()), err
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{PVC: &imageregistryv1.ImageRegistryConfigStoragePVC{Claim: claimName}}
	reason := "PVC Exists"
	mgmt := cfg.Spec.Storage.ManagementState
	if _, ours := claim.Annotations[PVCOwnerAnnotation]; ours && (mgmt == Managed || (spec.Claim == "" && mgmt == "")) {
		reason = "PVC Created"
	}
	return Exists(operatorv1.ConditionTrue, reason, ""), nil
}

// Implements PVC-004 (upstream STOR-PVC-04).
func checkAccessModes(cfg *imageregistryv1.Config, claim *corev1.PersistentVolumeClaim) error {
	rwx, rwo := false, false
	for _, m := range claim.Spec.AccessModes {
		rwx = rwx || m == corev1.ReadWriteMany
		rwo = rwo || m == corev1.ReadWriteOnce
	}
	switch {
	case rwx:
		return nil
	case rwo:
		if cfg.Spec.Replicas > 1 {
			return errors.New("cannot use ReadWriteOnce access mode with more than one replica of the image registry")
		}
		if cfg.Spec.RolloutStrategy != "Recreate" {
			return fmt.Errorf("cannot use ReadWriteOnce access mode with %s rollout strategy", rolloutOrDefault(cfg.Spec.RolloutStrategy))
		}
		return nil
	default:
		return fmt.Errorf("PVC %s does not contain the necessary access modes: ReadWriteMany or ReadWriteOnce", claim.Name)
	}
}

func rolloutOrDefault(s string) string {
	if s == "" {
		return "RollingUpdate"
	}
	return s
}

// Implements STOR-004, STOR-005 (upstream STOR-PVC-07).
func (p *PVC) Remove(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.PVC
	if cfg.Spec.Storage.ManagementState != Managed || spec == nil || spec.Claim == "" {
		return nil, nil
	}
	claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: spec.Claim}}
	if err := p.deps.Client.Delete(ctx, claim); err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("deleting PVC %s: %w", spec.Claim, err)
	}
	return Exists(operatorv1.ConditionFalse, "PVC Deleted", "The PVC has been removed."), nil
}
