package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// registryObjects are the objects MGMT-002 names, with their literal names.
func registryObjects() []client.Object {
	return []client.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "registry"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry-private-configuration"}},
		&policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "system:registry"}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "registry-registry-role"}},
	}
}

var _ = Describe("Management state", func() {
	It("keeps every registry configuration and workload object in openshift-image-registry", Label("MGMT-001"), func() {
		// What the cluster had before the operator started is not the operator's (a cluster's
		// global pull secret lives in openshift-config).
		before := map[types.UID]bool{}
		for _, l := range mgmtRegistryKinds() {
			Expect(env.Client.List(ctx(), l)).To(Succeed(), "list %T (before the operator starts)", l)
			for _, o := range mgmtItems(l) {
				before[o.GetUID()] = true
			}
		}
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		made := 0
		for _, l := range mgmtRegistryKinds() {
			Expect(env.Client.List(ctx(), l)).To(Succeed(), "list %T", l)
			for _, o := range mgmtItems(l) {
				if before[o.GetUID()] || mgmtPublishedOutsideNamespace(o) {
					continue
				}
				made++
				Expect(o.GetNamespace()).To(Equal(ns), "%T %s/%s metadata.namespace", o, o.GetNamespace(), o.GetName())
			}
		}
		// At least the Deployment, Service, ServiceAccount, private-configuration Secret and PDB.
		Expect(made).To(BeNumerically(">=", 5), "registry objects made by the operator")
	})

	It("installs the registry while Managed and follows Config changes", Label("MGMT-002"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			for _, o := range registryObjects() {
				g.Expect(r.Get(ctx(), client.ObjectKeyFromObject(o), o)).To(Succeed(), "%T %s", o, o.GetName())
			}
			var svc corev1.Service
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry"}, &svc)).To(Succeed(), "read Service image-registry")
			g.Expect(svc.Spec.Ports).To(ContainElement(HaveField("Port", int32(5000))), "Service image-registry spec.ports")
		})
		// The operator has settled (its own spec write is done); a concurrent edit is the
		// business of the 409 Conflict specs below.
		waitObserved()
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = 3 })
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getConfig(g, r).Spec.Replicas).To(Equal(int32(3)), "Config spec.replicas keeps the user's edit")
			d := getDeployment(g, r)
			g.Expect(d.Spec.Replicas).To(HaveValue(Equal(int32(3))), "Deployment image-registry spec.replicas")
		})
	})

	It("changes nothing it manages while Unmanaged", Label("MGMT-003"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Unmanaged })
		waitObserved()
		// The baseline is taken once the operator has seen Unmanaged: until then it may still
		// (rightly) roll the Deployment, e.g. when the trusted-CA checksum settles after Available.
		var before appsv1.Deployment
		Expect(env.Client.Get(ctx(), deploymentKey, &before)).To(Succeed(), "read Deployment image-registry")
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Replicas = 5
			cfg.Spec.LogLevel = operatorv1.TraceAll
		})
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}}
		Expect(env.Client.Delete(ctx(), svc)).To(Succeed(), "delete Service image-registry")
		waitObserved() // the operator has seen the new generation
		var after appsv1.Deployment
		Expect(env.Client.Get(ctx(), deploymentKey, &after)).To(Succeed(), "read Deployment image-registry")
		Expect(after.Spec).To(Equal(before.Spec), "the Deployment must not follow spec changes while Unmanaged")
		// A later sync (touch the Config again) still must not recreate the deleted Service.
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = 6 })
		waitObserved()
		Expect(env.Client.Get(ctx(), client.ObjectKeyFromObject(svc), svc)).NotTo(Succeed(), "Service stays deleted while Unmanaged")
	})

	It("removes the registry instance when Removed", Label("MGMT-004"), func() {
		spec := managedEmptyDir(1)
		spec.DefaultRoute = true
		createConfig(spec)
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		eventually(func(g Gomega, r client.Reader) {
			var rt routev1.Route
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "default-route"}, &rt)).To(Succeed(), "read Route default-route")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			absent(g, r, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}})
			absent(g, r, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}})
			absent(g, r, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry-private-configuration"}})
			absent(g, r, &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "image-registry"}})
			absent(g, r, &routev1.Route{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "default-route"}})
		})
	})

	It("brings the registry up when switched from Removed to Managed with storage", Label("MGMT-005", "platform:baremetal"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "Removed", operatorv1.ConditionTrue, "Removed", "The registry is removed")
		})
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.ManagementState = operatorv1.Managed
			cfg.Spec.Storage.EmptyDir = &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}
		})
		readyRegistry()
		eventually(func(g Gomega, r client.Reader) { getDeployment(g, r) })
	})

	DescribeTable("never changes spec.managementState itself",
		func(state operatorv1.ManagementState, storage bool) {
			spec := managedEmptyDir(1)
			spec.ManagementState = state
			if !storage {
				spec.Storage = imageregistryv1.ImageRegistryConfigStorage{}
			}
			createConfig(spec)
			onPlatform(configv1.BareMetalPlatformType)
			waitObserved()
			// And again after a further sync.
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = 1 })
			waitObserved()
			var cfg imageregistryv1.Config
			Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
			Expect(cfg.Spec.ManagementState).To(Equal(state), "Config cluster spec.managementState")
		},
		Entry("Managed without storage on bare metal (an error path)", Label("MGMT-006"), operatorv1.Managed, false),
		Entry("Removed", Label("MGMT-006"), operatorv1.Removed, true),
		Entry("Unmanaged", Label("MGMT-006"), operatorv1.Unmanaged, true),
	)

	It("recreates a deleted registry Deployment and reverts hand edits while Managed", Label("MGMT-007"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		var d appsv1.Deployment
		Expect(env.Client.Get(ctx(), deploymentKey, &d)).To(Succeed(), "read Deployment image-registry")
		oldUID := d.UID
		Expect(env.Client.Delete(ctx(), &d)).To(Succeed(), "delete Deployment image-registry")
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getDeployment(g, r).UID).NotTo(Equal(oldUID), "recreated")
		})
		// Hand edit: extra env var and port, as `oc edit` would.
		var edited appsv1.Deployment
		Eventually(func() error {
			if err := env.Client.Get(ctx(), deploymentKey, &edited); err != nil {
				return err
			}
			c := &edited.Spec.Template.Spec.Containers[0]
			c.Env = append(c.Env, corev1.EnvVar{Name: "FOO", Value: "bar"})
			c.Ports = append(c.Ports, corev1.ContainerPort{Name: "foo", ContainerPort: 8080, Protocol: corev1.ProtocolTCP})
			return env.Client.Update(ctx(), &edited)
		}).Should(Succeed(), "edit Deployment image-registry by hand")
		eventually(func(g Gomega, r client.Reader) {
			cur := getDeployment(g, r)
			// A view from before the edit would show no FOO either: only a later spec (the
			// operator's revert bumps metadata.generation) counts.
			g.Expect(cur.Generation).To(BeNumerically(">", edited.Generation), "Deployment image-registry metadata.generation: rewritten after the hand edit")
			_, hasFoo := envValue(cur, "FOO")
			g.Expect(hasFoo).To(BeFalse(), "Deployment image-registry env FOO reverted")
			g.Expect(cur.Spec.Template.Spec.Containers[0].Ports).NotTo(ContainElement(HaveField("Name", "foo")), "port foo reverted")
		})
	})

	It("labels the registry pods docker-registry=default", Label("MGMT-008"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			g.Expect(d.Spec.Template.Labels).To(HaveKeyWithValue("docker-registry", "default"), "Deployment image-registry spec.template.labels docker-registry")
			g.Expect(d.Spec.Selector.MatchLabels).To(HaveKeyWithValue("docker-registry", "default"), "Deployment image-registry spec.selector.matchLabels docker-registry")
		})
	})

	// mgmtConcurrentEdit creates a Config whose spec the operator must write back (it
	// generates the httpSecret) and lands edit on it just before that write reaches the API
	// server: the operator's write meets a 409 Conflict.
	// It returns once the edit has landed.
	mgmtConcurrentEdit := func(edit func(cfg *imageregistryv1.Config)) {
		GinkgoHelper()
		spec := managedEmptyDir(1)
		spec.HTTPSecret = ""
		createConfig(spec)
		wait := editBeforeOperatorSpecWrite(edit)
		onPlatform(configv1.LibvirtPlatformType)
		wait(30 * time.Second)
	}

	It("keeps a managementState set by the user while it writes the spec (a 409 Conflict)", Label("MGMT-006", "race"), func() {
		mgmtConcurrentEdit(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Unmanaged })
		// Whether the operator's own write lands after it is Unmanaged is not this rule's
		// business; once it has seen the edit, the state must be the user's.
		waitObserved()
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "Config cluster get")
		Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Unmanaged), "Config cluster spec.managementState after the operator's write (the user's edit)")
	})

	It("keeps every field the user edits while it writes the spec (a 409 Conflict)", Label("MGMT-009", "divergence", "race"), func() {
		mgmtConcurrentEdit(func(cfg *imageregistryv1.Config) {
			cfg.Spec.LogLevel = operatorv1.Debug
			cfg.Spec.Replicas = 2
		})
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.HTTPSecret).To(MatchRegexp(httpSecretRE.String()), "Config cluster spec.httpSecret (generated by the operator, its write lands in the end)")
			g.Expect(cfg.Spec.LogLevel).To(Equal(operatorv1.Debug), "Config spec.logLevel: the user's edit survived")
			g.Expect(cfg.Spec.Replicas).To(Equal(int32(2)), "Config spec.replicas: the user's edit survived")
		})
	})

	// No behaviour ID: the API server refuses these values before the operator sees them, so
	// no operator rule is checked here (STATUS-011 is about values the CRD admits).
	It("refuses Config values the CRD forbids, with the reason", Label("bad-input"), func() {
		for _, bad := range []func(*imageregistryv1.Config){
			func(c *imageregistryv1.Config) { c.Spec.LogLevel = "Loud" },
			func(c *imageregistryv1.Config) { c.Spec.ManagementState = "Sometimes" },
		} {
			cfg := &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: configName}, Spec: managedEmptyDir(1)}
			bad(cfg)
			err := env.Client.Create(ctx(), cfg)
			Expect(err).To(HaveOccurred(), "create Config cluster")
			Expect(err.Error()).To(Or(ContainSubstring("Unsupported value"), ContainSubstring("should match")), "the API says why")
		}
	})
})

// mgmtRegistryKinds lists every namespaced kind the operator makes for the registry
// (configuration and workload), to check where each object landed (MGMT-001).
func mgmtRegistryKinds() []client.ObjectList {
	return []client.ObjectList{
		&appsv1.DeploymentList{}, &appsv1.DaemonSetList{}, &batchv1.CronJobList{},
		&corev1.ServiceList{}, &corev1.ServiceAccountList{}, &corev1.SecretList{}, &corev1.ConfigMapList{},
		&policyv1.PodDisruptionBudgetList{}, &networkingv1.NetworkPolicyList{}, &routev1.RouteList{},
	}
}

func mgmtItems(l client.ObjectList) []client.Object {
	GinkgoHelper()
	objs, err := meta.ExtractList(l)
	Expect(err).NotTo(HaveOccurred(), "items of %T", l)
	out := make([]client.Object, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(client.Object))
	}
	return out
}

// mgmtPublishedOutsideNamespace: openshift-config-managed/image-registry-ca is the registry's
// CA published for the rest of the cluster (CA-007), not the registry's own configuration.
func mgmtPublishedOutsideNamespace(o client.Object) bool {
	_, isCM := o.(*corev1.ConfigMap)
	return isCM && o.GetNamespace() == "openshift-config-managed" && o.GetName() == "image-registry-ca"
}
