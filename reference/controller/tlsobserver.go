package controller

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/irconform/irconform/reference/render"
)

// TLSObserverReconciler keeps the Config's spec.observedConfig equal to what the API
// server's TLS security profile says (upstream's config observer): a change of profile
// rolls the registry with the new REGISTRY_HTTP_TLS_MINVERSION and
// OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES.
// Implements TLS-002.
type TLSObserverReconciler struct {
	Client client.Client
}

func (r *TLSObserverReconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	var cfg imageregistryv1.Config
	if err := r.Client.Get(ctx, configKey, &cfg); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if cfg.DeletionTimestamp != nil {
		return reconcile.Result{}, nil
	}
	var apiServer *configv1.APIServer
	var as configv1.APIServer
	switch err := r.Client.Get(ctx, types.NamespacedName{Name: "cluster"}, &as); {
	case err == nil:
		apiServer = &as
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
		// No API server config: the default (Intermediate) profile.
	default:
		return reconcile.Result{}, fmt.Errorf("reading apiservers.config.openshift.io/cluster: %w", err)
	}
	observed, err := render.ObservedConfig(apiServer)
	if err != nil {
		return reconcile.Result{}, err
	}
	if sameJSON(cfg.Spec.ObservedConfig.Raw, observed) {
		return reconcile.Result{}, nil
	}
	cfg.Spec.ObservedConfig = runtime.RawExtension{Raw: observed}
	if err := r.Client.Update(ctx, &cfg); err != nil {
		if apierrors.IsConflict(err) {
			return reconcile.Result{Requeue: true}, nil
		}
		return reconcile.Result{}, fmt.Errorf("updating Config spec.observedConfig: %w", err)
	}
	return reconcile.Result{}, nil
}

// sameJSON compares two JSON documents as data (key order and spacing aside).
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
