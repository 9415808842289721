package controller

import (
	"context"
	"fmt"
	"slices"

	configv1 "github.com/openshift/api/config/v1"
	routev1 "github.com/openshift/api/route/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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
type ImageConfigReconciler struct {
	Client client.Client
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

	if img.Status.InternalRegistryHostname == internal && slices.Equal(img.Status.ExternalRegistryHostnames, external) {
		return reconcile.Result{}, nil
	}
	img.Status.InternalRegistryHostname = internal
	img.Status.ExternalRegistryHostnames = external
	if err := r.Client.Status().Update(ctx, &img); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, fmt.Errorf("updating images.config.openshift.io/cluster status: %w", err)
	}
	return reconcile.Result{}, nil
}
