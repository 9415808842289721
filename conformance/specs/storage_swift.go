package specs

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/swift"
)

// Literal keys and texts from the catalogue and upstream-facts (STOR-SWIFT-*, CRED-002).
const (
	swiftUserKey       = "REGISTRY_STORAGE_SWIFT_USERNAME"
	swiftPassKey       = "REGISTRY_STORAGE_SWIFT_PASSWORD"
	swiftAppIDKey      = "REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALID"
	swiftAppNameKey    = "REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALNAME"
	swiftAppSecretKey  = "REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALSECRET"
	swiftTokenKey      = "REGISTRY_STORAGE_SWIFT_TOKENID"
	swiftCloudCreds    = "installer-cloud-credentials"
	swiftTeamUser      = "team-user"
	swiftTeamPass      = "team-pass"
	swiftTeamDomain    = "TeamDomain"
	swiftTeamProject   = "team-project"
	swiftInstallerUser = "installer-user"
)

// swiftCloudsYAML is a clouds.yaml (cloud "openstack") for the fake's Keystone with the
// given identity, as the cloud-credential operator would mint it.
func swiftCloudsYAML(f *harness.StorageFakes, user, pass, domain, project string) []byte {
	return []byte(fmt.Sprintf(`clouds:
  openstack:
    auth:
      auth_url: %q
      username: %q
      password: %q
      project_name: %q
      user_domain_name: %q
      project_domain_name: %q
    region_name: %q
    interface: public
    identity_api_version: 3
`, f.Swift.AuthURL, user, pass, project, domain, domain, f.Swift.Region))
}

// swiftOnOpenStack creates the OpenStack Infrastructure and installer-cloud-credentials
// (clouds.yaml = cloudsYAML, or the fake's own when nil), runs before, then the operator.
func swiftOnOpenStack(f *harness.StorageFakes, cloudsYAML []byte, before func()) {
	GinkgoHelper()
	Expect(env.CreateInfrastructure(ctx(), harness.Platform{Type: configv1.OpenStackPlatformType})).To(Succeed(), "create Infrastructure cluster")
	if cloudsYAML == nil {
		cloudsYAML = []byte(f.Swift.CloudsYAML())
	}
	Expect(env.CreateSecret(ctx(), swiftCloudCreds, map[string][]byte{"clouds.yaml": cloudsYAML})).To(Succeed(), "create Secret installer-cloud-credentials")
	if before != nil {
		before()
	}
	Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
}

func swiftManaged(st imageregistryv1.ImageRegistryConfigStorageSwift) imageregistryv1.ImageRegistrySpec {
	return imageregistryv1.ImageRegistrySpec{
		OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
		Replicas:     1,
		Storage:      imageregistryv1.ImageRegistryConfigStorage{Swift: &st},
	}
}

// swiftTeamSpec is a Swift stanza naming the team's Keystone location (auth URL without
// a version, so normalisation shows).
func swiftTeamSpec(f *harness.StorageFakes) imageregistryv1.ImageRegistryConfigStorageSwift {
	return imageregistryv1.ImageRegistryConfigStorageSwift{AuthURL: f.Swift.Endpoint(), Domain: swiftTeamDomain,
		Tenant: swiftTeamProject, RegionName: f.Swift.Region}
}

func swiftTeamIdentity() []swift.Option {
	return []swift.Option{swift.WithCredentials(swiftTeamUser, swiftTeamPass), swift.WithDomain(swiftTeamDomain), swift.WithProject(swiftTeamProject)}
}

// swiftStorageReady waits for a created-or-adopted container and returns its name.
func swiftStorageReady() string {
	GinkgoHelper()
	var name string
	eventually(func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		c := condition(g, cfg.Status.Conditions, "StorageExists")
		g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "StorageExists %s: %s", c.Reason, c.Message)
		name = cfg.Spec.Storage.Swift.Container
		g.Expect(name).NotTo(BeEmpty(), "Config cluster spec.storage.swift.container")
	})
	return name
}

// swiftSuccessfulLogins are the Keystone token requests that were granted.
func swiftSuccessfulLogins(f *harness.StorageFakes) []swift.AuthAttempt {
	var out []swift.AuthAttempt
	for _, a := range f.Swift.AuthLog() {
		if a.Status == 201 {
			out = append(out, a)
		}
	}
	return out
}

var _ = Describe("Swift storage", Label("platform:openstack"), func() {
	It("logs in with REGISTRY_STORAGE_SWIFT_USERNAME/PASSWORD from the user secret, not clouds.yaml", Label("SWIFT-001", "CRED-001", "CRED-002"), func() {
		f := storageFakes(swiftTeamIdentity()...)
		createConfig(swiftManaged(swiftTeamSpec(f)))
		swiftOnOpenStack(f, swiftCloudsYAML(f, swiftInstallerUser, "installer-pass", swiftTeamDomain, swiftTeamProject), func() {
			Expect(env.CreateSecret(ctx(), azUserSecret, map[string][]byte{swiftUserKey: []byte(swiftTeamUser), swiftPassKey: []byte(swiftTeamPass)})).To(Succeed(), "create Secret image-registry-private-configuration-user")
		})
		swiftStorageReady()
		logins := swiftSuccessfulLogins(f)
		Expect(logins).NotTo(BeEmpty(), "Swift fake: successful logins")
		for _, a := range logins {
			Expect(a.Method).To(Equal("password"), "Swift fake: login method")
			Expect(a.User).To(Equal(swiftTeamUser), "Swift fake: login user")
			Expect(a.UserDomain).To(Equal(swiftTeamDomain), "Swift fake: login user domain")
			Expect(a.Project).To(Equal(swiftTeamProject), "Swift fake: login project")
			Expect(a.ProjectDomain).To(Equal(swiftTeamDomain), "Swift fake: login project domain")
		}
		for _, a := range f.Swift.AuthLog() {
			Expect(a.User).NotTo(Equal(swiftInstallerUser), "clouds.yaml credentials must not be used while the user secret exists")
		}
	})

	It("falls back to clouds.yaml in installer-cloud-credentials without a user secret", Label("SWIFT-001", "CRED-001"), func() {
		f := storageFakes(swiftTeamIdentity()...)
		createConfig(swiftManaged(imageregistryv1.ImageRegistryConfigStorageSwift{}))
		swiftOnOpenStack(f, swiftCloudsYAML(f, swiftTeamUser, swiftTeamPass, swiftTeamDomain, swiftTeamProject), nil)
		swiftStorageReady()
		logins := swiftSuccessfulLogins(f)
		Expect(logins).NotTo(BeEmpty(), "Swift fake: successful logins")
		for _, a := range logins {
			Expect(a).To(And(HaveField("Method", "password"), HaveField("User", swiftTeamUser), HaveField("UserDomain", swiftTeamDomain),
				HaveField("Project", swiftTeamProject)), "Swift fake: login")
		}
	})

	It("logs in with an application credential from the user secret", Label("SWIFT-001", "CRED-002"), func() {
		f := storageFakes(append(swiftTeamIdentity(), swift.WithApplicationCredential("ac-id-1", "ac-name-1", "ac-secret-1"))...)
		createConfig(swiftManaged(swiftTeamSpec(f)))
		swiftOnOpenStack(f, swiftCloudsYAML(f, swiftInstallerUser, "installer-pass", swiftTeamDomain, swiftTeamProject), func() {
			Expect(env.CreateSecret(ctx(), azUserSecret, map[string][]byte{swiftAppIDKey: []byte("ac-id-1"), swiftAppNameKey: []byte("ac-name-1"),
				swiftAppSecretKey: []byte("ac-secret-1")})).To(Succeed(), "create Secret image-registry-private-configuration-user")
		})
		swiftStorageReady()
		logins := swiftSuccessfulLogins(f)
		Expect(logins).NotTo(BeEmpty(), "Swift fake: successful logins")
		for _, a := range logins {
			Expect(a).To(And(HaveField("Method", "application_credential"), HaveField("AppCredential", "ac-id-1")), "Swift fake: login")
		}
	})

	It("uses a token from the user secret", Label("SWIFT-001", "CRED-002"), func() {
		f := storageFakes(swiftTeamIdentity()...)
		createConfig(swiftManaged(swiftTeamSpec(f)))
		swiftOnOpenStack(f, swiftCloudsYAML(f, swiftInstallerUser, "installer-pass", swiftTeamDomain, swiftTeamProject), func() {
			Expect(env.CreateSecret(ctx(), azUserSecret, map[string][]byte{swiftTokenKey: []byte(f.Swift.IssueToken())})).To(Succeed(), "create Secret image-registry-private-configuration-user")
		})
		swiftStorageReady()
		for _, a := range f.Swift.AuthLog() {
			Expect(a.User).NotTo(Equal(swiftInstallerUser), "Swift fake: login user")
			if a.Status == 201 {
				Expect(a.Method).To(Equal("token"), "Swift fake: login method")
			}
		}
	})

	It("adopts an existing user container as Unmanaged without touching it", Label("SWIFT-002", "STOR-003", "STOR-006"), func() {
		f := storageFakes()
		Expect(f.Swift.Seed(ctx(), "team-registry", 3)).To(Succeed(), "seed Swift bucket team-registry")
		createConfig(swiftManaged(imageregistryv1.ImageRegistryConfigStorageSwift{Container: "team-registry"}))
		swiftOnOpenStack(f, nil, nil)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			c := condition(g, cfg.Status.Conditions, "StorageExists")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "StorageExists %s: %s", c.Reason, c.Message)
			// First verdict "Container exists"; later syncs only re-check existence.
			g.Expect(c.Reason).To(BeElementOf("Container exists", "Swift container Exists"), "Config cluster condition StorageExists reason")
			if c.Reason == "Container exists" {
				g.Expect(c.Message).To(Equal("User supplied container already exists"), "Config cluster condition StorageExists message")
			}
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.StorageManaged).To(BeFalse(), "Config cluster status.storageManaged")
			getDeployment(g, r)
		})
		Expect(f.Swift.Faults().Count(fault.OpCreateBucket, "")).To(BeZero(), "Swift fake: calls to CreateBucket on any bucket")
		Expect(f.Swift.Faults().Count(fault.OpPutSetting, "")).To(BeZero(), "Swift fake: calls to PutSetting on any bucket")
		b := azContainers(f.Swift)
		Expect(b).To(HaveLen(1), "Swift containers")
		Expect(b[0].Name).To(Equal("team-registry"), "Swift containers[0].name")
		Expect(b[0].Objects).To(Equal(3), "Swift containers[0].objects")
		Expect(b[0].Settings).To(BeEmpty(), "no metadata added to a user container")
	})

	It("creates a generated 62-character container with the cluster metadata and manages it", Label("STOR-013", "divergence", "SWIFT-002", "STOR-001"), func() {
		f := storageFakes()
		createConfig(swiftManaged(imageregistryv1.ImageRegistryConfigStorageSwift{}))
		swiftOnOpenStack(f, nil, nil)
		var name string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			c := condition(g, cfg.Status.Conditions, "StorageExists")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "StorageExists %s: %s", c.Reason, c.Message)
			g.Expect(c.Reason).To(BeElementOf("Swift Container Created", "Swift container Exists"), "Config cluster condition StorageExists reason")
			name = cfg.Spec.Storage.Swift.Container
			g.Expect(name).To(HaveLen(62), "Config cluster spec.storage.swift.container")
			g.Expect(name).To(HavePrefix(azNamePrefix), "Config cluster spec.storage.swift.container")
			g.Expect(name).To(MatchRegexp(`^[a-z0-9-]+$`), "Config cluster spec.storage.swift.container")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.StorageManaged).To(BeTrue(), "Config cluster status.storageManaged")
			g.Expect(cfg.Status.Storage.Swift).NotTo(BeNil(), "Config cluster status.storage.swift")
			g.Expect(cfg.Status.Storage.Swift.Container).To(Equal(name), "Config cluster status.storage.swift.container")
		})
		b := azContainers(f.Swift)
		Expect(b).To(HaveLen(1), "exactly one container")
		Expect(b[0].Name).To(Equal(name), "Swift containers[0].name")
		Expect(b[0].Settings).To(HaveKeyWithValue("meta:Openshiftclusterid", azInfraName), "Swift containers[0].settings meta:Openshiftclusterid")
		Expect(b[0].Settings).To(HaveKeyWithValue("meta:Name", name), "Swift containers[0].settings meta:Name")
		Expect(f.Swift.Faults().Count(fault.OpCreateBucket, name)).To(Equal(1), "Swift fake: calls to CreateBucket on the container")
	})

	It("provisions its generated container once when the write of its name meets a 409 Conflict", Label("STOR-013", "divergence", "race"), func() {
		f := storageFakes()
		createConfig(swiftManaged(imageregistryv1.ImageRegistryConfigStorageSwift{}))
		landed := storConflictOnNameWrite()
		swiftOnOpenStack(f, nil, nil)
		landed()
		var name string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			c := condition(g, cfg.Status.Conditions, "StorageExists")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "StorageExists %s: %s", c.Reason, c.Message)
			name = cfg.Spec.Storage.Swift.Container
			g.Expect(name).To(HaveLen(62), "Config cluster spec.storage.swift.container")
			g.Expect(name).To(HavePrefix(azNamePrefix), "Config cluster spec.storage.swift.container")
			g.Expect(cfg.Status.Storage.Swift).NotTo(BeNil(), "Config cluster status.storage.swift")
			g.Expect(cfg.Status.Storage.Swift.Container).To(Equal(name), "Config cluster status.storage.swift.container")
			g.Expect(azContainerNames(f.Swift)).To(Equal([]string{name}), "exactly one generated container exists, the one spec and status record")
		})
		Expect(f.Swift.Faults().Count(fault.OpCreateBucket, "")).To(Equal(1), "Swift fake: calls to CreateBucket on any container")
	})

	It("deletes the objects, then the container it manages when Removed", Label("STOR-013", "divergence", "SWIFT-002", "STOR-004"), func() {
		f := storageFakes()
		createConfig(swiftManaged(imageregistryv1.ImageRegistryConfigStorageSwift{}))
		swiftOnOpenStack(f, nil, nil)
		name := swiftStorageReady()
		eventually(func(g Gomega, r client.Reader) {
			// The operator has recorded what it set up (status.storage) before the user acts.
			cfg := getConfig(g, r)
			g.Expect(cfg.Status.Storage.Swift).NotTo(BeNil(), "Config cluster status.storage.swift")
			g.Expect(cfg.Status.Storage.Swift.Container).To(Equal(name), "Config cluster status.storage.swift.container")
			getDeployment(g, r)
		})
		Expect(f.Swift.Seed(ctx(), name, 5)).To(Succeed(), "seed the Swift container")
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionFalse,
				"Swift Container Deleted", "The swift container has been removed.")
		})
		Expect(azContainers(f.Swift)).To(BeEmpty(), "Swift containers")
		var ops []string
		for _, c := range f.Swift.Faults().Calls() {
			if c.Bucket == name && (c.Op == fault.OpDeleteObject || c.Op == fault.OpDeleteBucket) && c.Injected == 0 {
				ops = append(ops, c.Op)
			}
		}
		// Objects first, then the container (a repeated removal may add a harmless DELETE of
		// the already missing container).
		Expect(len(ops)).To(BeNumerically(">=", 6), "%v", ops)
		Expect(ops[:6]).To(Equal([]string{fault.OpDeleteObject, fault.OpDeleteObject, fault.OpDeleteObject, fault.OpDeleteObject,
			fault.OpDeleteObject, fault.OpDeleteBucket}), "Swift fake: delete calls on the container, in order")
	})

	It("gives the registry the Swift env with /v3 appended and the credentials through the private secret", Label("SWIFT-003", "CRED-004"), func() {
		f := storageFakes(swiftTeamIdentity()...)
		createConfig(swiftManaged(swiftTeamSpec(f)))
		swiftOnOpenStack(f, swiftCloudsYAML(f, swiftInstallerUser, "installer-pass", swiftTeamDomain, swiftTeamProject), func() {
			Expect(env.CreateSecret(ctx(), azUserSecret, map[string][]byte{swiftUserKey: []byte(swiftTeamUser), swiftPassKey: []byte(swiftTeamPass)})).To(Succeed(), "create Secret image-registry-private-configuration-user")
		})
		name := swiftStorageReady()
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			for k, want := range map[string]string{
				"REGISTRY_STORAGE":                 "swift",
				"REGISTRY_STORAGE_SWIFT_CONTAINER": name,
				"REGISTRY_STORAGE_SWIFT_AUTHURL":   f.Swift.Endpoint() + "/v3",
				"REGISTRY_STORAGE_SWIFT_DOMAIN":    swiftTeamDomain,
				"REGISTRY_STORAGE_SWIFT_TENANT":    swiftTeamProject,
				"REGISTRY_STORAGE_SWIFT_REGION":    f.Swift.Region,
			} {
				v, ok := envValue(d, k)
				g.Expect(ok).To(BeTrue(), "Deployment image-registry env %s", k)
				g.Expect(v).To(Equal(want), "Deployment image-registry env %s", k)
			}
			// Env values are YAML-encoded upstream (STOR-ENV-01): the string "3" may read `"3"`.
			v, ok := envValue(d, "REGISTRY_STORAGE_SWIFT_AUTHVERSION")
			g.Expect(ok).To(BeTrue(), "Deployment image-registry env REGISTRY_STORAGE_SWIFT_AUTHVERSION")
			g.Expect(v).To(BeElementOf("3", `"3"`), "Deployment image-registry env REGISTRY_STORAGE_SWIFT_AUTHVERSION")
			for _, k := range []string{swiftUserKey, swiftPassKey, swiftTokenKey, swiftAppIDKey, swiftAppNameKey, swiftAppSecretKey} {
				ref := azSecretEnv(g, d, k)
				g.Expect(ref.Name).To(Equal(privateSecret), "Deployment image-registry env %s", k)
				g.Expect(ref.Key).To(Equal(k), "Deployment image-registry env %s", k)
			}
			data := azPrivateSecret(g, r).Data
			g.Expect(string(data[swiftUserKey])).To(Equal(swiftTeamUser), "Secret image-registry-private-configuration data[REGISTRY_STORAGE_SWIFT_USERNAME]")
			g.Expect(string(data[swiftPassKey])).To(Equal(swiftTeamPass), "Secret image-registry-private-configuration data[REGISTRY_STORAGE_SWIFT_PASSWORD]")
		})
	})

	DescribeTable("bootstrap picks Swift only when the Keystone catalog has an object-store endpoint",
		func(objectStore bool) {
			f := storageFakes()
			f.Swift.SetObjectStore(objectStore)
			swiftOnOpenStack(f, nil, nil)
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Managed), "Config cluster spec.managementState")
				if objectStore {
					g.Expect(cfg.Spec.Storage.Swift).NotTo(BeNil(), "storage.swift")
					g.Expect(cfg.Spec.Storage.PVC).To(BeNil(), "Config cluster spec.storage.pvc")
					g.Expect(cfg.Spec.Replicas).To(Equal(int32(2)), "Config cluster spec.replicas")
				} else {
					g.Expect(cfg.Spec.Storage.Swift).To(BeNil(), "Config cluster spec.storage.swift")
					g.Expect(cfg.Spec.Storage.PVC).NotTo(BeNil(), "storage.pvc")
					g.Expect(cfg.Spec.Storage.PVC.Claim).To(Equal("image-registry-storage"), "Config cluster spec.storage.pvc.claim")
				}
			})
			Expect(swiftSuccessfulLogins(f)).NotTo(BeEmpty(), "the decision came from the cloud's catalog")
			if !objectStore {
				Expect(f.Swift.Faults().Count(fault.OpCreateBucket, "")).To(BeZero(), "Swift fake: calls to CreateBucket on any bucket")
			}
		},
		Entry("with object-store → swift", Label("SWIFT-004", "BOOT-004"), true),
		Entry("without object-store → pvc", Label("SWIFT-004", "BOOT-004"), false),
	)

	DescribeTable("reports a failing container create and converges to exactly one container once Swift recovers",
		func(rule fault.Rule, desc string) {
			f := storageFakes()
			env.UseFastRetries() // the retry after the service recovers comes within the fast backoff's cap
			f.Swift.Faults().Inject(rule)
			createConfig(swiftManaged(imageregistryv1.ImageRegistryConfigStorageSwift{}))
			swiftOnOpenStack(f, nil, nil)
			var reported string
			eventually(func(g Gomega, r client.Reader) {
				c := condition(g, getConfig(g, r).Status.Conditions, "StorageExists")
				g.Expect(c.Status).To(Equal(operatorv1.ConditionFalse), "Config cluster condition StorageExists status")
				if rule.Op == fault.OpCreateBucket {
					g.Expect(c.Reason).To(Equal("Creation Failed"), "Config cluster condition StorageExists reason")
				}
				g.Expect(c.Message).To(ContainSubstring(fmt.Sprint(rule.Status)), "Config cluster condition StorageExists message")
				reported = fmt.Sprintf("StorageExists %s %q", c.Status, swiftShort(c.Reason))
			})
			Expect(azContainers(f.Swift)).To(BeEmpty(), "Swift containers")
			var d appsv1.Deployment
			Expect(env.Client.Get(ctx(), deploymentKey, &d)).NotTo(Succeed(), "no registry without storage")
			f.Swift.Faults().Clear()
			converged := "no"
			defer func() {
				addRow("faults", "Storage fault matrix", []string{"backend", "fault", "operator reported", "converged", "user data lost"},
					"swift", desc, reported, converged, "no (no user data involved)")
			}()
			azEventuallyLong(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				c := condition(g, cfg.Status.Conditions, "StorageExists")
				g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "StorageExists %s: %s", c.Reason, c.Message)
				g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
				getDeployment(g, r)
			})
			var cfg imageregistryv1.Config
			Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
			Expect(azContainerNames(f.Swift)).To(Equal([]string{cfg.Spec.Storage.Swift.Container}), "exactly one container")
			converged = "yes, one container"
		},
		Entry("503 on container create", Label("SWIFT-002", "faults"), fault.Rule{Op: fault.OpCreateBucket, Status: 503}, "503 on container create"),
		Entry("500 on container create", Label("SWIFT-002", "faults"), fault.Rule{Op: fault.OpCreateBucket, Status: 500}, "500 on container create"),
		Entry("403 on container create", Label("SWIFT-002", "faults"), fault.Rule{Op: fault.OpCreateBucket, Status: 403}, "403 on container create"),
		Entry("401 from Keystone", Label("SWIFT-001", "faults"), fault.Rule{Op: fault.OpAuth, Status: 401}, "Keystone auth 401"),
	)
})

// swiftShort trims long error-text reasons for the report table.
func swiftShort(s string) string {
	if i := strings.Index(s, ": {"); i > 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
