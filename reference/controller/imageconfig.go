package controller

import (
	"context"
	"fmt"
	"slices"

	configv1 "github.com/openshift/api/config/v1"
	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
)

// ImageConfigReconciler keeps images.config.openshift.io/cluster's status (IMGCFG-01):
// internalRegistryHostname while the registry Service exists, externalRegistryHostnames from
// the operator's routes' ingress hosts (default route first). It creates the object, empty,
// when it is missing.
//
// Implements IMGCFG-001.
type ImageConfigReconciler struct {
	Client client.Client
	// ReleaseVersion picks the FeatureGate status entry the operator honours (its own version).
	ReleaseVersion string
}

// ImageStreamImportModeGate is the feature gate under which the operator reports
// status.imageStreamImportMode.
const ImageStreamImportModeGate configv1.FeatureGateName = "ImageStreamImportMode"

// featureEnabled tells whether featuregates.config.openshift.io/cluster enables gate for
// version. No FeatureGate, or no entry for the version: off.
func (r *ImageConfigReconciler) featureEnabled(ctx context.Context, gate configv1.FeatureGateName) (bool, error) {
	var fg configv1.FeatureGate
	err := r.Client.Get(ctx, types.NamespacedName{Name: "cluster"}, &fg)
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading featuregates.config.openshift.io/cluster: %w", err)
	}
	for _, v := range fg.Status.FeatureGates {
		if v.Version != r.ReleaseVersion {
			continue
		}
		for _, e := range v.Enabled {
			if e.Name == gate {
				return true, nil
			}
		}
	}
	return false, nil
}

// importMode is IMGCFG-02: the spec's mode, else PreserveOriginal on a multi-architecture
// payload (ClusterVersion version status.desired.architecture Multi), else Legacy.
// Implements IMGCFG-002.
func (r *ImageConfigReconciler) importMode(ctx context.Context, img *configv1.Image) (configv1.ImportModeType, error) {
	if img.Spec.ImageStreamImportMode != "" {
		return img.Spec.ImageStreamImportMode, nil
	}
	var cv configv1.ClusterVersion
	if err := r.Client.Get(ctx, types.NamespacedName{Name: "version"}, &cv); err != nil {
		return "", fmt.Errorf("reading clusterversions.config.openshift.io/version: %w", err)
	}
	if cv.Status.Desired.Architecture == configv1.ClusterVersionArchitectureMulti {
		return configv1.ImportModePreserveOriginal, nil
	}
	return configv1.ImportModeLegacy, nil
}

func (r *ImageConfigReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	var img configv1.Image
	err := r.Client.Get(ctx, types.NamespacedName{Name: render.ImageConfigName}, &img)
	if apierrors.IsNotFound(err) {
		img = configv1.Image{ObjectMeta: metav1.ObjectMeta{Name: render.ImageConfigName}}
		if err := r.Client.Create(ctx, &img); err != nil && !apierrors.IsAlreadyExists(err) {
			return reconcile.Result{}, fmt.Errorf("creating images.config.openshift.io/cluster: %w", err)
		}
		return reconcile.Result{Requeue: true}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}

	internal := ""
	var svc corev1.Service
	switch err := r.Client.Get(ctx, types.NamespacedName{Namespace: render.Namespace, Name: render.ServiceName}, &svc); {
	case err == nil && svc.DeletionTimestamp == nil:
		port := int32(render.ContainerPort)
		if len(svc.Spec.Ports) > 0 {
			port = svc.Spec.Ports[0].Port
		}
		internal = render.HostWithPort(render.ServiceHostname, port)
	case err != nil && !apierrors.IsNotFound(err):
		return reconcile.Result{}, err
	}

	var routes routev1.RouteList
	if err := r.Client.List(ctx, &routes, client.InNamespace(render.Namespace)); err != nil {
		return reconcile.Result{}, fmt.Errorf("listing routes: %w", err)
	}
	live := routes.Items[:0]
	for _, rt := range routes.Items {
		if rt.DeletionTimestamp == nil {
			live = append(live, rt)
		}
	}
	external := render.ExternalHostnames(live)

	mode := img.Status.ImageStreamImportMode
	gated, err := r.featureEnabled(ctx, ImageStreamImportModeGate)
	if err != nil {
		return reconcile.Result{}, err
	}
	if gated {
		if mode, err = r.importMode(ctx, &img); err != nil {
			return reconcile.Result{}, err
		}
	}

	if img.Status.InternalRegistryHostname == internal && slices.Equal(img.Status.ExternalRegistryHostnames, external) &&
		img.Status.ImageStreamImportMode == mode {
		return reconcile.Result{}, nil
	}
	img.Status.InternalRegistryHostname = internal
	img.Status.ExternalRegistryHostnames = external
	img.Status.ImageStreamImportMode = mode
	if err := r.Client.Status().Update(ctx, &img); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, fmt.Errorf("updating images.config.openshift.io/cluster status: %w", err)
	}
	return reconcile.Result{}, nil
}
