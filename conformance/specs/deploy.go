package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// depEnv is the env of container "registry" (plain values; secret refs show as "").
func depEnv(g Gomega, r client.Reader) map[string]string {
	d := getDeployment(g, r)
	out := map[string]string{}
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name != "registry" {
			continue
		}
		for _, e := range c.Env {
			out[e.Name] = e.Value
		}
	}
	g.Expect(out).NotTo(BeEmpty(), "container registry should have env")
	return out
}

// depRegistry gives a Managed emptyDir registry (Libvirt bootstrap) that is rolled out.
func depRegistry() {
	GinkgoHelper()
	onPlatform(configv1.LibvirtPlatformType)
	readyRegistry()
}

// depTryUpdate applies mutate once (retrying only on conflicts) and returns the API's answer.
func depTryUpdate(mutate func(cfg *imageregistryv1.Config)) error {
	GinkgoHelper()
	var err error
	for i := 0; i < 20; i++ {
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
		mutate(&cfg)
		err = env.Client.Update(ctx(), &cfg)
		if !apierrors.IsConflict(err) {
			return err
		}
	}
	return err
}

// depUpdateObserved changes the Config and waits until the operator has processed at least
// the generation that change made (a stale watch cache cannot satisfy it early).
func depUpdateObserved(mutate func(cfg *imageregistryv1.Config)) {
	GinkgoHelper()
	var gen int64
	Eventually(func() error {
		var cfg imageregistryv1.Config
		if err := env.Client.Get(ctx(), configKey, &cfg); err != nil {
			return err
		}
		mutate(&cfg)
		if err := env.Client.Update(ctx(), &cfg); err != nil {
			return err
		}
		gen = cfg.Generation
		return nil
	}).WithTimeout(defaultTimeout).WithPolling(10*time.Millisecond).Should(Succeed(), "update Config cluster")
	eventually(func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		g.Expect(cfg.Status.ObservedGeneration).To(BeNumerically(">=", gen), "status.observedGeneration")
	})
}

// depExpectRefused asserts the API refused the update as invalid, with msg in the reason.
func depExpectRefused(err error, msgs ...string) {
	GinkgoHelper()
	Expect(err).To(HaveOccurred(), "the API should refuse this value")
	Expect(apierrors.IsInvalid(err)).To(BeTrue(), "refused as Invalid, got: %v", err)
	for _, m := range msgs {
		Expect(err.Error()).To(ContainSubstring(m), "the API's error")
	}
	AddReportEntry("API refusal", err.Error())
}

// depEnvAfter changes the Config and waits until the registry env shows want (value "" with
// present=false means absent).
type depEnvWant struct {
	name    string
	value   string
	present bool
}

func depHas(name, value string) depEnvWant { return depEnvWant{name, value, true} }
func depLacks(name string) depEnvWant      { return depEnvWant{name: name} }

func depExpectEnv(wants ...depEnvWant) {
	GinkgoHelper()
	eventually(func(g Gomega, r client.Reader) {
		e := depEnv(g, r)
		for _, w := range wants {
			v, ok := e[w.name]
			if w.present {
				g.Expect(ok).To(BeTrue(), "Deployment image-registry env %s should be set", w.name)
				g.Expect(v).To(Equal(w.value), "Deployment image-registry env %s", w.name)
			} else {
				g.Expect(ok).To(BeFalse(), "Deployment image-registry env %s should be absent (is %q)", w.name, v)
			}
		}
	})
}

var _ = Describe("Registry Deployment from the Config", func() {
	DescribeTable("logLevel sets REGISTRY_LOG_LEVEL",
		func(level operatorv1.LogLevel, want string) {
			depRegistry()
			if level != operatorv1.Normal {
				depExpectEnv(depHas("REGISTRY_LOG_LEVEL", "info")) // the bootstrapped Normal
			}
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = level })
			depExpectEnv(depHas("REGISTRY_LOG_LEVEL", want))
		},
		Entry("Normal → info", Label("DEPLOY-001"), operatorv1.Normal, "info"),
		Entry("Debug → debug", Label("DEPLOY-001"), operatorv1.Debug, "debug"),
		Entry("Trace → debug", Label("DEPLOY-001"), operatorv1.Trace, "debug"),
		Entry("TraceAll → debug", Label("DEPLOY-001"), operatorv1.TraceAll, "debug"),
	)

	It("refuses a logLevel outside Normal/Debug/Trace/TraceAll at the API", Label("DEPLOY-001"), func() {
		depRegistry()
		err := depTryUpdate(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = "Verbose" })
		depExpectRefused(err, "spec.logLevel", `Unsupported value: "Verbose"`)
	})

	It("httpSecret sets REGISTRY_HTTP_SECRET", Label("DEPLOY-002"), func() {
		depRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.HTTPSecret = "irconform-user-http-secret" })
		depExpectEnv(depHas("REGISTRY_HTTP_SECRET", "irconform-user-http-secret"))
	})

	DescribeTable("proxy sets HTTP_PROXY/HTTPS_PROXY/NO_PROXY, each falling back to the cluster Proxy",
		func(spec imageregistryv1.ImageRegistryConfigProxy, cluster *configv1.ProxyStatus, wants ...depEnvWant) {
			if cluster != nil {
				p := &configv1.Proxy{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}
				Expect(env.Client.Create(ctx(), p)).To(Succeed(), "create Proxy cluster")
				p.Status = *cluster
				Expect(env.Client.Status().Update(ctx(), p)).To(Succeed(), "update Proxy status cluster")
			}
			depRegistry()
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Proxy = spec })
			depExpectEnv(wants...)
		},
		Entry("spec only", Label("DEPLOY-003"),
			imageregistryv1.ImageRegistryConfigProxy{HTTP: "http://spec-proxy.example:3128", HTTPS: "https://spec-proxy.example:3129", NoProxy: ".spec.example"}, nil,
			depHas("HTTP_PROXY", "http://spec-proxy.example:3128"), depHas("HTTPS_PROXY", "https://spec-proxy.example:3129"), depHas("NO_PROXY", ".spec.example")),
		Entry("cluster Proxy only", Label("DEPLOY-003"),
			imageregistryv1.ImageRegistryConfigProxy{}, &configv1.ProxyStatus{HTTPProxy: "http://cluster-proxy.example:3128", HTTPSProxy: "https://cluster-proxy.example:3129", NoProxy: ".cluster.local,.svc"},
			depHas("HTTP_PROXY", "http://cluster-proxy.example:3128"), depHas("HTTPS_PROXY", "https://cluster-proxy.example:3129"), depHas("NO_PROXY", ".cluster.local,.svc")),
		Entry("spec wins field by field", Label("DEPLOY-003"),
			imageregistryv1.ImageRegistryConfigProxy{HTTP: "http://spec-proxy.example:3128"}, &configv1.ProxyStatus{HTTPProxy: "http://cluster-proxy.example:3128", HTTPSProxy: "https://cluster-proxy.example:3129", NoProxy: ".cluster.local"},
			depHas("HTTP_PROXY", "http://spec-proxy.example:3128"), depHas("HTTPS_PROXY", "https://cluster-proxy.example:3129"), depHas("NO_PROXY", ".cluster.local")),
		Entry("neither → absent", Label("DEPLOY-003"),
			imageregistryv1.ImageRegistryConfigProxy{}, nil,
			depLacks("HTTP_PROXY"), depLacks("HTTPS_PROXY"), depLacks("NO_PROXY")),
	)

	It("readOnly: true sets REGISTRY_STORAGE_MAINTENANCE_READONLY={enabled: true}; false removes it", Label("DEPLOY-004"), func() {
		depRegistry()
		depExpectEnv(depLacks("REGISTRY_STORAGE_MAINTENANCE_READONLY"))
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ReadOnly = true })
		depExpectEnv(depHas("REGISTRY_STORAGE_MAINTENANCE_READONLY", "{enabled: true}"))
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ReadOnly = false })
		depExpectEnv(depLacks("REGISTRY_STORAGE_MAINTENANCE_READONLY"))
	})

	DescribeTable("requests set REGISTRY_OPENSHIFT_REQUESTS_* when maxRunning or maxInQueue is non-zero",
		func(req imageregistryv1.ImageRegistryConfigRequests, wants ...depEnvWant) {
			depRegistry()
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Requests = req })
			depExpectEnv(wants...)
		},
		Entry("read: all three", Label("DEPLOY-005"),
			imageregistryv1.ImageRegistryConfigRequests{Read: imageregistryv1.ImageRegistryConfigRequestsLimits{MaxRunning: 10, MaxInQueue: 20, MaxWaitInQueue: metav1.Duration{Duration: time.Minute}}},
			depHas("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING", "10"), depHas("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXINQUEUE", "20"),
			depHas("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXWAITINQUEUE", "1m0s"), depLacks("REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXRUNNING")),
		Entry("write: maxInQueue only", Label("DEPLOY-005"),
			imageregistryv1.ImageRegistryConfigRequests{Write: imageregistryv1.ImageRegistryConfigRequestsLimits{MaxInQueue: 5}},
			depHas("REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXRUNNING", "0"), depHas("REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXINQUEUE", "5"),
			depHas("REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXWAITINQUEUE", "0s"), depLacks("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING")),
		Entry("maxWaitInQueue alone → nothing", Label("DEPLOY-005"),
			imageregistryv1.ImageRegistryConfigRequests{Read: imageregistryv1.ImageRegistryConfigRequestsLimits{MaxWaitInQueue: metav1.Duration{Duration: time.Minute}}},
			depLacks("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING"), depLacks("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXINQUEUE"), depLacks("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXWAITINQUEUE")),
	)

	It("reports a negative maxInQueue in status, keeps the last Deployment and keeps the other controllers working", Label("DEPLOY-005"), func() {
		depRegistry()
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.LogLevel = operatorv1.Debug
			cfg.Spec.Requests.Read = imageregistryv1.ImageRegistryConfigRequestsLimits{MaxRunning: 1, MaxInQueue: -1}
		})
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			var msgs []string
			for _, c := range cfg.Status.Conditions {
				if c.Type == "Progressing" || c.Type == "Degraded" {
					msgs = append(msgs, c.Message)
				}
			}
			g.Expect(msgs).To(ContainElement(ContainSubstring("Requests.Read.MaxInQueue must be positive number")), "Config cluster conditions Progressing/Degraded messages")
		})
		// Nothing of the refused spec reached the registry.
		Consistently(func(g Gomega) {
			e := depEnv(g, env.Watch.Reader())
			g.Expect(e).NotTo(HaveKey("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXINQUEUE"), "Deployment image-registry env REGISTRY_OPENSHIFT_REQUESTS_READ_MAXINQUEUE")
			g.Expect(e["REGISTRY_LOG_LEVEL"]).To(Equal("info"), "Deployment image-registry env[REGISTRY_LOG_LEVEL]")
		}).WithTimeout(time.Second).WithPolling(100*time.Millisecond).Should(Succeed(), "Deployment image-registry env unchanged")
		// The pruner still follows its spec.
		Eventually(func() error {
			var p imageregistryv1.ImagePruner
			if err := env.Client.Get(ctx(), types.NamespacedName{Name: "cluster"}, &p); err != nil {
				return err
			}
			p.Spec.Schedule = "7 7 * * *"
			return env.Client.Update(ctx(), &p)
		}).WithTimeout(defaultTimeout).Should(Succeed(), "update ImagePruner cluster spec.schedule")
		eventually(func(g Gomega, r client.Reader) {
			cj := pruneCronJob(g, r)
			g.Expect(cj.Spec.Schedule).To(Equal("7 7 * * *"), "CronJob image-pruner spec.schedule")
		})
		// Fixing the value lets the registry follow again.
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Requests.Read.MaxInQueue = 3 })
		depExpectEnv(depHas("REGISTRY_OPENSHIFT_REQUESTS_READ_MAXINQUEUE", "3"), depHas("REGISTRY_LOG_LEVEL", "debug"))
	})

	DescribeTable("replicas sets Deployment replicas, rollout parameters, anti-affinity and the PDB",
		func(replicas int32, maxUnavailable, maxSurge intstr.IntOrString, antiAffinity bool, pdbMin int) {
			depRegistry()
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = replicas })
			eventually(func(g Gomega, r client.Reader) {
				d := getDeployment(g, r)
				g.Expect(d.Spec.Replicas).To(HaveValue(Equal(replicas)), "Deployment image-registry spec.replicas")
				g.Expect(d.Spec.Strategy.Type).To(Equal(appsv1.RollingUpdateDeploymentStrategyType), "Deployment image-registry spec.strategy.type")
				g.Expect(d.Spec.Strategy.RollingUpdate).NotTo(BeNil(), "Deployment image-registry spec.strategy.rollingUpdate")
				g.Expect(d.Spec.Strategy.RollingUpdate.MaxUnavailable).To(HaveValue(Equal(maxUnavailable)), "Deployment image-registry spec.strategy.rollingUpdate.maxUnavailable")
				g.Expect(d.Spec.Strategy.RollingUpdate.MaxSurge).To(HaveValue(Equal(maxSurge)), "Deployment image-registry spec.strategy.rollingUpdate.maxSurge")
				aff := d.Spec.Template.Spec.Affinity
				if antiAffinity {
					g.Expect(aff).NotTo(BeNil(), "Deployment image-registry spec.template.spec.affinity")
					g.Expect(aff.PodAntiAffinity).NotTo(BeNil(), "Deployment image-registry spec.template.spec.affinity.podAntiAffinity")
					terms := aff.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
					g.Expect(terms).To(HaveLen(1), "Deployment image-registry spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution")
					g.Expect(terms[0].TopologyKey).To(Equal("kubernetes.io/hostname"), "Deployment image-registry spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey")
					g.Expect(terms[0].Namespaces).To(Equal([]string{"openshift-image-registry"}), "Deployment image-registry spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespaces")
					g.Expect(terms[0].LabelSelector).NotTo(BeNil(), "Deployment image-registry spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector")
					g.Expect(terms[0].LabelSelector.MatchLabels).To(Equal(map[string]string{"docker-registry": "default"}), "Deployment image-registry spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels")
				} else {
					g.Expect(aff == nil || aff.PodAntiAffinity == nil).To(BeTrue(), "no anti-affinity, got %+v", aff)
				}
				var pdb policyv1.PodDisruptionBudget
				g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry"}, &pdb)).To(Succeed(), "read PodDisruptionBudget image-registry")
				g.Expect(pdb.Spec.MinAvailable).To(HaveValue(Equal(intstr.FromInt32(int32(pdbMin)))), "PodDisruptionBudget image-registry spec.minAvailable")
			})
		},
		Entry("1 → maxUnavailable 0, maxSurge 25%, PDB 0", Label("DEPLOY-006"), int32(1), intstr.FromInt32(0), intstr.FromString("25%"), false, 0),
		Entry("2 → 1/1, required anti-affinity, PDB 1", Label("DEPLOY-006"), int32(2), intstr.FromInt32(1), intstr.FromInt32(1), true, 1),
		Entry("3 → maxUnavailable 2, maxSurge 25%, PDB 1", Label("DEPLOY-006"), int32(3), intstr.FromInt32(2), intstr.FromString("25%"), false, 1),
	)

	It("reports negative replicas (admitted by the CRD) as VerificationFailed", Label("DEPLOY-006", "STATUS-011"), func() {
		depRegistry()
		Expect(depTryUpdate(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = -1 })).To(Succeed(), "the CRD admits -1")
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			c := condition(g, cfg.Status.Conditions, "Degraded")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition Degraded status")
			g.Expect(c.Reason).To(Equal("VerificationFailed"), "Config cluster condition Degraded reason")
			g.Expect(c.Message).To(ContainSubstring("replicas must be greater than or equal to 0"), "Config cluster condition Degraded message")
			g.Expect(getDeployment(g, r).Spec.Replicas).To(HaveValue(Equal(int32(1))), "the Deployment keeps its last replicas")
		})
	})

	It("disableRedirect: true sets REGISTRY_STORAGE_REDIRECT_DISABLE=true; absent by default", Label("DEPLOY-007"), func() {
		depRegistry()
		depExpectEnv(depLacks("REGISTRY_STORAGE_REDIRECT_DISABLE"))
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.DisableRedirect = true })
		depExpectEnv(depHas("REGISTRY_STORAGE_REDIRECT_DISABLE", "true"))
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.DisableRedirect = false })
		depExpectEnv(depLacks("REGISTRY_STORAGE_REDIRECT_DISABLE"))
	})

	It("always sets the fixed env, storage env first", Label("DEPLOY-008"), func() {
		depRegistry()
		depExpectEnv(
			depHas("REGISTRY_HTTP_ADDR", ":5000"),
			depHas("REGISTRY_HTTP_NET", "tcp"),
			depHas("REGISTRY_OPENSHIFT_QUOTA_ENABLED", "true"),
			depHas("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory"),
			depHas("REGISTRY_STORAGE_DELETE_ENABLED", "true"),
			depHas("REGISTRY_HEALTH_STORAGEDRIVER_ENABLED", "true"),
			depHas("REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL", "10s"),
			depHas("REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD", "1"),
			depHas("REGISTRY_OPENSHIFT_METRICS_ENABLED", "true"),
			depHas("REGISTRY_OPENSHIFT_SERVER_ADDR", "image-registry.openshift-image-registry.svc:5000"),
			depHas("REGISTRY_HTTP_TLS_CERTIFICATE", "/etc/secrets/tls.crt"),
			depHas("REGISTRY_HTTP_TLS_KEY", "/etc/secrets/tls.key"),
			depHas("REGISTRY_STORAGE", "filesystem"),
		)
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			c := d.Spec.Template.Spec.Containers[0]
			g.Expect(c.Name).To(Equal("registry"), "Deployment image-registry spec.template.spec.containers[0].name")
			g.Expect(c.Env[0].Name).To(Equal("REGISTRY_STORAGE"), "storage env comes first")
			g.Expect(c.Ports).To(ContainElement(And(HaveField("ContainerPort", int32(5000)), HaveField("Protocol", corev1.ProtocolTCP))), "Deployment image-registry spec.template.spec.containers[0].ports")
		})
	})

	DescribeTable("pod placement and resources are copied to the pod template",
		func(mutate func(spec *imageregistryv1.ImageRegistrySpec), check func(g Gomega, d *appsv1.Deployment)) {
			depRegistry()
			updateConfig(func(cfg *imageregistryv1.Config) { mutate(&cfg.Spec) })
			eventually(func(g Gomega, r client.Reader) { check(g, getDeployment(g, r)) })
		},
		Entry("default resources: requests cpu 100m, memory 256Mi", Label("DEPLOY-009"),
			func(*imageregistryv1.ImageRegistrySpec) {},
			func(g Gomega, d *appsv1.Deployment) {
				res := d.Spec.Template.Spec.Containers[0].Resources
				g.Expect(res.Requests.Cpu().String()).To(Equal("100m"), "Deployment image-registry container registry resources.requests.cpu")
				g.Expect(res.Requests.Memory().String()).To(Equal("256Mi"), "Deployment image-registry container registry resources.requests.memory")
				g.Expect(res.Limits).To(BeEmpty(), "Deployment spec.template.spec.containers[0].resources.limits")
			}),
		Entry("resources replace the defaults entirely", Label("DEPLOY-009"),
			func(s *imageregistryv1.ImageRegistrySpec) {
				s.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")}}
			},
			func(g Gomega, d *appsv1.Deployment) {
				res := d.Spec.Template.Spec.Containers[0].Resources
				g.Expect(res.Limits.Memory().String()).To(Equal("512Mi"), "Deployment image-registry container registry resources.limits.memory")
				g.Expect(res.Requests).NotTo(HaveKey(corev1.ResourceCPU), "Deployment spec.template.spec.containers[0].resources.requests cpu")
			}),
		Entry("nodeSelector plus kubernetes.io/os=linux", Label("DEPLOY-009"),
			func(s *imageregistryv1.ImageRegistrySpec) {
				s.NodeSelector = map[string]string{"node-role.kubernetes.io/infra": ""}
			},
			func(g Gomega, d *appsv1.Deployment) {
				g.Expect(d.Spec.Template.Spec.NodeSelector).To(Equal(map[string]string{"node-role.kubernetes.io/infra": "", "kubernetes.io/os": "linux"}), "Deployment spec.template.spec.nodeSelector")
			}),
		Entry("nodeSelector keeps a user kubernetes.io/os", Label("DEPLOY-009"),
			func(s *imageregistryv1.ImageRegistrySpec) {
				s.NodeSelector = map[string]string{"kubernetes.io/os": "plan9"}
			},
			func(g Gomega, d *appsv1.Deployment) {
				g.Expect(d.Spec.Template.Spec.NodeSelector).To(Equal(map[string]string{"kubernetes.io/os": "plan9"}), "Deployment spec.template.spec.nodeSelector")
			}),
		Entry("tolerations copied verbatim", Label("DEPLOY-009"),
			func(s *imageregistryv1.ImageRegistrySpec) {
				s.Tolerations = []corev1.Toleration{{Key: "node-role.kubernetes.io/master", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
			},
			func(g Gomega, d *appsv1.Deployment) {
				g.Expect(d.Spec.Template.Spec.Tolerations).To(Equal([]corev1.Toleration{{Key: "node-role.kubernetes.io/master", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}), "Deployment spec.template.spec.tolerations")
			}),
		Entry("affinity copied verbatim", Label("DEPLOY-009"),
			func(s *imageregistryv1.ImageRegistrySpec) {
				s.Affinity = depAffinity()
			},
			func(g Gomega, d *appsv1.Deployment) {
				g.Expect(d.Spec.Template.Spec.Affinity).To(Equal(depAffinity()), "Deployment spec.template.spec.affinity")
			}),
		Entry("rolloutStrategy Recreate", Label("DEPLOY-009"),
			func(s *imageregistryv1.ImageRegistrySpec) { s.RolloutStrategy = "Recreate" },
			func(g Gomega, d *appsv1.Deployment) {
				g.Expect(d.Spec.Strategy.Type).To(Equal(appsv1.RecreateDeploymentStrategyType), "Deployment spec.strategy.type")
				g.Expect(d.Spec.Strategy.RollingUpdate).To(BeNil(), "Deployment spec.strategy.rollingUpdate")
			}),
	)

	It("refuses a rolloutStrategy other than RollingUpdate/Recreate at the API", Label("DEPLOY-009"), func() {
		depRegistry()
		err := depTryUpdate(func(cfg *imageregistryv1.Config) { cfg.Spec.RolloutStrategy = "BlueGreen" })
		depExpectRefused(err, "spec.rolloutStrategy", "^(RollingUpdate|Recreate)$")
	})

	It("refuses a malformed resource quantity at the API", Label("DEPLOY-009"), func() {
		depRegistry()
		Expect(depTryUpdate(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Resources = &corev1.ResourceRequirements{}
		})).To(Succeed(), "update Config cluster spec.resources")
		// A typed client cannot send a bad quantity; send the raw JSON a user's `oc patch` would.
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
		err := env.Client.Patch(ctx(), &cfg, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"resources":{"limits":{"memory":"lots"}}}}`)))
		depExpectRefused(err, "spec.resources.limits.memory")
	})

	It("annotates the Deployment with the release version and a checksum that follows every input", Label("DEPLOY-010", "CRED-005"), func() {
		depRegistry()
		// Settle first: the service CA has reached image-registry-certificates and a sync after
		// that has run, so later changes are ours alone.
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(caCerts(g, r).Data).To(HaveKey(caServiceKey), "ConfigMap image-registry-certificates data image-registry.openshift-image-registry.svc..5000")
		})
		depUpdateObserved(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = operatorv1.Trace })
		var sum, deps string
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			g.Expect(d.Annotations).To(HaveKeyWithValue("release.openshift.io/version", "4.99.0-irconform"), "Deployment image-registry annotations release.openshift.io/version")
			g.Expect(depEnv(g, r)).To(HaveKeyWithValue("REGISTRY_LOG_LEVEL", "debug"), "Deployment image-registry env REGISTRY_LOG_LEVEL")
			sum = d.Annotations["imageregistry.operator.openshift.io/checksum"]
			g.Expect(sum).NotTo(BeEmpty(), "Deployment image-registry annotations[imageregistry.operator.openshift.io/checksum]")
			deps = d.Spec.Template.Annotations["imageregistry.operator.openshift.io/dependencies-checksum"]
			g.Expect(deps).NotTo(BeEmpty(), "Deployment image-registry spec.template.annotations[imageregistry.operator.openshift.io/dependencies-checksum]")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.HTTPSecret = "irconform-checksum-secret" })
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			g.Expect(depEnv(g, r)).To(HaveKeyWithValue("REGISTRY_HTTP_SECRET", "irconform-checksum-secret"), "Deployment image-registry env REGISTRY_HTTP_SECRET")
			g.Expect(d.Annotations["imageregistry.operator.openshift.io/checksum"]).NotTo(Equal(sum), "a Config change changes the checksum")
			deps = d.Spec.Template.Annotations["imageregistry.operator.openshift.io/dependencies-checksum"]
		})
		// A trusted CA change (image-registry-certificates) rolls the pods.
		caSetTrustedCA(caSourceConfigMap("irconform-dep-cas", map[string]string{"dep.example.com": caPEM("dep.example.com")}))
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			g.Expect(d.Spec.Template.Annotations["imageregistry.operator.openshift.io/dependencies-checksum"]).NotTo(Equal(deps),
				"a change of image-registry-certificates changes the pod template's dependencies checksum")
		})
	})

	DescribeTable("Unmanaged: a Config change reaches nothing",
		func(mutate func(spec *imageregistryv1.ImageRegistrySpec)) {
			depRegistry()
			depUpdateObserved(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Unmanaged })
			eventually(func(g Gomega, r client.Reader) {
				expectCondition(g, getConfig(g, r).Status.Conditions, "Available", operatorv1.ConditionTrue, "Unmanaged", "")
			})
			var before appsv1.Deployment
			Expect(env.Client.Get(ctx(), deploymentKey, &before)).To(Succeed(), "read Deployment image-registry")
			depUpdateObserved(func(cfg *imageregistryv1.Config) { mutate(&cfg.Spec) })
			var after appsv1.Deployment
			Expect(env.Client.Get(ctx(), deploymentKey, &after)).To(Succeed(), "read Deployment image-registry")
			Expect(after.Generation).To(Equal(before.Generation), "the Deployment spec was not touched")
			Expect(after.Spec).To(Equal(before.Spec), "Deployment image-registry spec")
			Expect(after.Annotations).To(Equal(before.Annotations), "Deployment image-registry annotations")
		},
		Entry("logLevel", Label("DEPLOY-001", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) { s.LogLevel = operatorv1.TraceAll }),
		Entry("httpSecret", Label("DEPLOY-002", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) { s.HTTPSecret = "unmanaged-secret" }),
		Entry("proxy", Label("DEPLOY-003", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) { s.Proxy.HTTP = "http://unmanaged.example:3128" }),
		Entry("readOnly", Label("DEPLOY-004", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) { s.ReadOnly = true }),
		Entry("requests", Label("DEPLOY-005", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) { s.Requests.Read.MaxRunning = 9 }),
		Entry("replicas", Label("DEPLOY-006", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) { s.Replicas = 3 }),
		Entry("disableRedirect", Label("DEPLOY-007", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) { s.DisableRedirect = true }),
		Entry("placement and strategy", Label("DEPLOY-009", "MGMT-003"), func(s *imageregistryv1.ImageRegistrySpec) {
			s.NodeSelector = map[string]string{"unmanaged": "yes"}
			s.RolloutStrategy = "Recreate"
		}),
	)
})

func depAffinity() *corev1.Affinity {
	return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "node-role.kubernetes.io/infra", Operator: corev1.NodeSelectorOpExists}},
		}}},
	}}
}
