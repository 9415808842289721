package specs

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Observation specs: they read what exists and check it is consistent with the Config, so
// they hold on any healthy cluster whatever its state, and make no change. On envtest they
// observe a registry the harness sets up; on a live cluster, the cluster as it is.
var _ = Describe("Observed consistency", Label("live"), func() {
	BeforeEach(func() {
		if env.Live {
			return
		}
		spec := managedEmptyDir(1)
		spec.LogLevel = operatorv1.Debug
		spec.ReadOnly = true
		spec.DefaultRoute = true
		createConfig(spec)
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		// Observation needs the operator's whole picture, not just the registry.
		eventually(func(g Gomega, r client.Reader) {
			var cj batchv1.CronJob
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-pruner"}, &cj)).To(Succeed())
			var co configv1.ClusterOperator
			g.Expect(r.Get(ctx(), types.NamespacedName{Name: "image-registry"}, &co)).To(Succeed())
			g.Expect(co.Status.Conditions).NotTo(BeEmpty())
			var pr monitoringv1.PrometheusRule
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry-operator-alerts"}, &pr)).To(Succeed())
		})
	})

	liveConfig := func() *imageregistryv1.Config {
		GinkgoHelper()
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "the registry Config")
		return &cfg
	}
	requireManaged := func(cfg *imageregistryv1.Config) {
		if cfg.Spec.ManagementState != operatorv1.Managed {
			Skip(fmt.Sprintf("needs a Managed registry; the cluster's is %s", cfg.Spec.ManagementState))
		}
	}
	pruneFlag := func() string {
		GinkgoHelper()
		var cj batchv1.CronJob
		Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-pruner"}, &cj)).To(Succeed())
		c := cj.Spec.JobTemplate.Spec.Template.Spec.Containers
		Expect(c).NotTo(BeEmpty())
		for _, a := range append(append([]string{}, c[0].Command...), c[0].Args...) {
			for _, f := range strings.Fields(a) {
				if strings.HasPrefix(f, "--prune-registry=") {
					return f
				}
			}
		}
		Fail("image-pruner CronJob has no --prune-registry flag")
		return ""
	}

	It("pruner --prune-registry matches the registry state (Managed: true, Removed: false)", Label("PRUNE-003", "PRUNE-004"), func() {
		cfg := liveConfig()
		switch cfg.Spec.ManagementState {
		case operatorv1.Managed:
			Expect(pruneFlag()).To(Equal("--prune-registry=true"))
		case operatorv1.Removed:
			Expect(pruneFlag()).To(Equal("--prune-registry=false"))
		default:
			Skip("needs a Managed or Removed registry; the cluster's is " + string(cfg.Spec.ManagementState))
		}
	})

	It("pruner --prune-registry is false while Unmanaged (documented)", Label("PRUNE-005", "divergence"), func() {
		cfg := liveConfig()
		if cfg.Spec.ManagementState != operatorv1.Unmanaged {
			Skip("needs an Unmanaged registry; the cluster's is " + string(cfg.Spec.ManagementState))
		}
		Expect(pruneFlag()).To(Equal("--prune-registry=false"))
	})

	It("registry env matches logLevel, readOnly and disableRedirect", Label("DEPLOY-001", "DEPLOY-004", "DEPLOY-007"), func() {
		cfg := liveConfig()
		requireManaged(cfg)
		var d = getDeploymentDirect()
		level, ok := envValue(d, "REGISTRY_LOG_LEVEL")
		Expect(ok).To(BeTrue(), "REGISTRY_LOG_LEVEL set")
		switch {
		case cfg.Spec.LogLevel == operatorv1.Debug || cfg.Spec.LogLevel == operatorv1.Trace || cfg.Spec.LogLevel == operatorv1.TraceAll:
			Expect(level).To(Equal("debug"), "logLevel %s", cfg.Spec.LogLevel)
		case cfg.Spec.Logging == 0:
			Expect(level).To(Equal("info"), "logLevel %s", cfg.Spec.LogLevel)
		}
		ro, hasRO := envValue(d, "REGISTRY_STORAGE_MAINTENANCE_READONLY")
		if cfg.Spec.ReadOnly {
			Expect(ro).To(Equal("{enabled: true}"))
		} else {
			Expect(hasRO).To(BeFalse(), "REGISTRY_STORAGE_MAINTENANCE_READONLY absent when readOnly is false")
		}
		rd, hasRD := envValue(d, "REGISTRY_STORAGE_REDIRECT_DISABLE")
		if cfg.Spec.DisableRedirect {
			Expect(rd).To(Equal("true"))
		} else {
			Expect(hasRD).To(BeFalse(), "REGISTRY_STORAGE_REDIRECT_DISABLE absent when disableRedirect is false")
		}
	})

	It("registry pods carry docker-registry=default", Label("MGMT-008"), func() {
		requireManaged(liveConfig())
		Expect(getDeploymentDirect().Spec.Template.Labels).To(HaveKeyWithValue("docker-registry", "default"))
	})

	It("default-route exists if and only if defaultRoute is set", Label("ROUTE-001", "ROUTE-002"), func() {
		cfg := liveConfig()
		requireManaged(cfg)
		var rt routev1.Route
		err := env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "default-route"}, &rt)
		if cfg.Spec.DefaultRoute {
			Expect(err).NotTo(HaveOccurred(), "default-route present")
			Expect(rt.Spec.To.Name).To(Equal("image-registry"))
			Expect(rt.Spec.TLS).NotTo(BeNil())
			Expect(string(rt.Spec.TLS.Termination)).To(Equal("reencrypt"))
		} else {
			Expect(apierrors.IsNotFound(err)).To(BeTrue(), "no default-route while defaultRoute is false (err=%v)", err)
		}
	})

	It("storage status matches the storage spec", Label("STOR-001", "STOR-011"), func() {
		cfg := liveConfig()
		requireManaged(cfg)
		Expect(cfg.Status.Storage.ManagementState).To(Equal(cfg.Spec.Storage.ManagementState))
		Expect(cfg.Status.StorageManaged).To(Equal(cfg.Spec.Storage.ManagementState == "Managed"))
		spec, status := cfg.Spec.Storage, cfg.Status.Storage
		Expect(status.S3 != nil).To(Equal(spec.S3 != nil), "s3")
		Expect(status.GCS != nil).To(Equal(spec.GCS != nil), "gcs")
		Expect(status.Azure != nil).To(Equal(spec.Azure != nil), "azure")
		Expect(status.Swift != nil).To(Equal(spec.Swift != nil), "swift")
		Expect(status.PVC != nil).To(Equal(spec.PVC != nil), "pvc")
		Expect(status.EmptyDir != nil).To(Equal(spec.EmptyDir != nil), "emptyDir")
	})

	It("ClusterOperator conditions agree with the registry state", Label("STATUS-002", "STATUS-003", "STATUS-007", "STATUS-008"), func() {
		// The union follows the Config within moments; wait (reads only) for them to agree.
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			co := getCO(g, r)
			av := coCondition(g, co, configv1.OperatorAvailable)
			switch cfg.Spec.ManagementState {
			case operatorv1.Removed:
				g.Expect(av.Status).To(Equal(configv1.ConditionTrue), "Removed is available-but-removed")
				g.Expect(av.Reason).To(ContainSubstring("Removed"))
			case operatorv1.Unmanaged:
				g.Expect(av.Status).To(Equal(configv1.ConditionTrue))
				g.Expect(av.Reason).To(ContainSubstring("Unmanaged"))
			}
			// Every Available message of the Config appears in the union with its type prefix
			// (a real operator adds more inputs, e.g. NodeCADaemon*, which are tolerated).
			for _, c := range cfg.Status.Conditions {
				if c.Type == "Available" && c.Message != "" {
					g.Expect(av.Message).To(ContainSubstring("Available: " + strings.Split(c.Message, "\n")[0]))
				}
			}
			g.Expect(co.Status.RelatedObjects).To(ContainElements(
				configv1.ObjectReference{Group: "imageregistry.operator.openshift.io", Resource: "configs", Name: "cluster"},
				configv1.ObjectReference{Group: "imageregistry.operator.openshift.io", Resource: "imagepruners", Name: "cluster"},
				configv1.ObjectReference{Group: "", Resource: "namespaces", Name: "openshift-image-registry"},
			))
		})
	})

	It("image-registry-certificates carries every additionalTrustedCA key unchanged plus the service keys", Label("CA-003"), func() {
		requireManaged(liveConfig())
		var img configv1.Image
		if err := env.Client.Get(ctx(), types.NamespacedName{Name: "cluster"}, &img); err != nil || img.Spec.AdditionalTrustedCA.Name == "" {
			Skip("the cluster names no additionalTrustedCA ConfigMap; nothing to compare")
		}
		var src, dst corev1.ConfigMap
		Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: "openshift-config", Name: img.Spec.AdditionalTrustedCA.Name}, &src)).To(Succeed())
		Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry-certificates"}, &dst)).To(Succeed())
		for k, v := range src.Data {
			Expect(dst.Data).To(HaveKeyWithValue(k, v), "key %s copied unchanged", k)
		}
		Expect(dst.Data).To(HaveKey("image-registry.openshift-image-registry.svc..5000"))
		Expect(dst.Data).To(HaveKey("image-registry.openshift-image-registry.svc.cluster.local..5000"))
	})

	It("ships the storage alerts in image-registry-operator-alerts", Label("ALERT-002"), func() {
		alerts := alertNames("image-registry-operator-alerts")
		Expect(alerts).To(ContainElements("ImageRegistryStorageReadOnly", "ImageRegistryStorageFull"))
	})

	It("ships the documented ImageRegistryRemoved alert", Label("ALERT-001", "divergence"), func() {
		Expect(alertNames("image-registry-operator-alerts")).To(ContainElement("ImageRegistryRemoved"),
			"found / not found: the documents promise this alert; current upstream manifests no longer carry it")
	})
})

func getDeploymentDirect() *appsv1.Deployment {
	GinkgoHelper()
	var d appsv1.Deployment
	Expect(env.Client.Get(ctx(), deploymentKey, &d)).To(Succeed(), "Deployment image-registry")
	return &d
}

func alertNames(rule string) []string {
	GinkgoHelper()
	var pr monitoringv1.PrometheusRule
	err := env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: rule}, &pr)
	if err != nil {
		if apierrors.IsNotFound(err) || strings.Contains(err.Error(), "no matches for kind") {
			return nil
		}
		Expect(err).NotTo(HaveOccurred())
	}
	var names []string
	for _, g := range pr.Spec.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				names = append(names, r.Alert)
			}
		}
	}
	return names
}
