package specs

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/fault"
)

// Literal names and texts from the catalogue and upstream-facts (STOR-AZ-*, CRED-002).
const (
	azUserSecret     = "image-registry-private-configuration-user"
	azUserKeyKey     = "REGISTRY_STORAGE_AZURE_ACCOUNTKEY"
	azInfraName      = "irconform-x7k2p" // the harness default infrastructureName
	azNamePrefix     = azInfraName + "-image-registry-"
	azStorageTimeout = 30 * time.Second
)

// azOnAzure creates the Azure Infrastructure and installer-cloud-credentials, then starts the operator.
func azOnAzure(f *harness.StorageFakes, before func()) {
	GinkgoHelper()
	Expect(env.CreateInfrastructure(ctx(), harness.Platform{Type: configv1.AzurePlatformType})).To(Succeed(), "create Infrastructure cluster")
	Expect(f.CreateCloudCredentials(ctx(), configv1.AzurePlatformType)).To(Succeed(), "create the cloud credentials Secret")
	if before != nil {
		before()
	}
	Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
}

func azManaged(st imageregistryv1.ImageRegistryConfigStorageAzure) imageregistryv1.ImageRegistrySpec {
	return imageregistryv1.ImageRegistrySpec{
		OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
		Replicas:     1,
		Storage:      imageregistryv1.ImageRegistryConfigStorage{Azure: &st},
	}
}

// azEventuallyLong is eventually with a longer bound, for specs that wait through retries.
func azEventuallyLong(fn func(g Gomega, r client.Reader)) {
	GinkgoHelper()
	Expect(env.Watch.Eventually(ctx(), azStorageTimeout, fn)).To(Succeed(), "the awaited state")
}

func azContainers(f fault.Inspector) []fault.BucketInfo {
	GinkgoHelper()
	b, err := f.Buckets(ctx())
	Expect(err).NotTo(HaveOccurred(), "list the fake's containers")
	return b
}

func azContainerNames(f fault.Inspector) []string {
	var names []string
	for _, b := range azContainers(f) {
		names = append(names, b.Name)
	}
	return names
}

// azSecretEnv returns the secretKeyRef of env var name in container "registry".
func azSecretEnv(g Gomega, d *appsv1.Deployment, name string) *corev1.SecretKeySelector {
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			if e.Name == name {
				g.Expect(e.Value).To(BeEmpty(), "%s must not be inline", name)
				g.Expect(e.ValueFrom).NotTo(BeNil(), "%s must come from a secret", name)
				g.Expect(e.ValueFrom.SecretKeyRef).NotTo(BeNil(), "%s must come from a secret", name)
				return e.ValueFrom.SecretKeyRef
			}
		}
	}
	g.Expect(name).To(BeEmpty(), "Deployment image-registry env %s missing", name)
	return nil
}

func azPrivateSecret(g Gomega, r client.Reader) *corev1.Secret {
	var s corev1.Secret
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: privateSecret}, &s)).To(Succeed(), "read Secret image-registry-private-configuration")
	return &s
}

var _ = Describe("Azure storage", Label("platform:azure"), func() {
	It("with a user account key makes no calls and names exactly what is missing; complete → Unmanaged, UserManaged", Label("AZ-001", "CRED-002"), func() {
		f := storageFakes()
		Expect(f.Azure.Seed(ctx(), "team-registry", 2)).To(Succeed(), "seed Azure bucket team-registry")
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azOnAzure(f, func() {
			Expect(env.CreateSecret(ctx(), azUserSecret, map[string][]byte{azUserKeyKey: []byte(f.Azure.AccountKey)})).To(Succeed(), "create Secret image-registry-private-configuration-user")
		})
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionFalse,
				"StorageNotConfigured", "Storage account key is provided, but account name is not specified")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Storage.Azure.AccountName = f.Azure.AccountName })
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageExists", operatorv1.ConditionFalse,
				"StorageNotConfigured", "Storage account is provided, but container is not specified")
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Storage.Azure.Container = "team-registry" })
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			// Upstream re-checks the container on later syncs ("ContainerExists"); the first
			// verdict of the UPI path is "UserManaged".
			c := condition(g, cfg.Status.Conditions, "StorageExists")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "StorageExists: %s %s", c.Reason, c.Message)
			g.Expect(c.Reason).To(BeElementOf("UserManaged", "ContainerExists"), "Config cluster condition StorageExists reason")
			if c.Reason == "UserManaged" {
				g.Expect(c.Message).To(Equal("Storage is managed by the user"), "Config cluster condition StorageExists message")
			}
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.StorageManaged).To(BeFalse(), "Config cluster status.storageManaged")
			g.Expect(cfg.Spec.Storage.Azure.Container).To(Equal("team-registry"), "Config cluster spec.storage.azure.container")
			g.Expect(cfg.Status.Storage.Azure).NotTo(BeNil(), "Config cluster status.storage.azure")
			g.Expect(cfg.Status.Storage.Azure.Container).To(Equal("team-registry"), "Config cluster status.storage.azure.container")
			getDeployment(g, r)
		})
		// No management (or any creating/deleting) call ever reached the storage.
		for _, op := range []string{fault.OpCreateBucket, fault.OpDeleteBucket, fault.OpPutSetting, fault.OpDeleteObject} {
			Expect(f.Azure.Faults().Count(op, "")).To(BeZero(), "calls of %s", op)
		}
		Expect(azContainers(f.Azure)).To(ConsistOf(And(HaveField("Name", "team-registry"), HaveField("Objects", 2))), "Azure containers")
	})

	It("with an empty container creates a generated 62-character container and manages it", Label("needs:azure-identity", "AZ-002", "STOR-001"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azOnAzure(f, nil)
		var container string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
			container = cfg.Spec.Storage.Azure.Container
			g.Expect(container).To(HaveLen(62), "Config cluster spec.storage.azure.container")
			g.Expect(container).To(HavePrefix(azNamePrefix), "Config cluster spec.storage.azure.container")
			g.Expect(container).To(MatchRegexp(`^[a-z0-9-]+$`), "Config cluster spec.storage.azure.container")
			g.Expect(cfg.Spec.Storage.Azure.AccountName).To(Equal(f.Azure.AccountName), "Config cluster spec.storage.azure.accountName")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.StorageManaged).To(BeTrue(), "Config cluster status.storageManaged")
			g.Expect(cfg.Status.Storage.ManagementState).To(Equal("Managed"), "Config cluster status.storage.managementState")
			g.Expect(cfg.Status.Storage.Azure).NotTo(BeNil(), "Config cluster status.storage.azure")
			g.Expect(cfg.Status.Storage.Azure.Container).To(Equal(container), "Config cluster status.storage.azure.container")
		})
		Expect(azContainerNames(f.Azure)).To(Equal([]string{container}), "exactly the generated container exists")
		Expect(f.Azure.Faults().Count(fault.OpCreateBucket, container)).To(Equal(1), "Azure fake: calls to CreateBucket on the container")
		Expect(strings.ContainsAny(container[len(azNamePrefix):], "z-")).To(BeFalse(), "random part is letters a..y")
	})

	It("uses an existing container named by the user without creating it, and leaves it Unmanaged", Label("needs:azure-identity", "AZ-002", "STOR-006"), func() {
		f := storageFakes()
		Expect(f.Azure.Seed(ctx(), "team-registry", 3)).To(Succeed(), "seed Azure bucket team-registry")
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{Container: "team-registry"}))
		azOnAzure(f, nil)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
		})
		Expect(f.Azure.Faults().Count(fault.OpCreateBucket, "")).To(BeZero(), "Azure fake: calls to CreateBucket on any bucket")
		Expect(azContainers(f.Azure)).To(ConsistOf(And(HaveField("Name", "team-registry"), HaveField("Objects", 3))), "Azure containers")
	})

	It("gives the registry REGISTRY_STORAGE=azure, the container, the account name and the key through the private secret", Label("AZ-003", "CRED-004"), func() {
		f := storageFakes()
		Expect(f.Azure.Seed(ctx(), "team-registry", 0)).To(Succeed(), "seed Azure bucket team-registry")
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{AccountName: f.Azure.AccountName, Container: "team-registry"}))
		azOnAzure(f, func() {
			Expect(env.CreateSecret(ctx(), azUserSecret, map[string][]byte{azUserKeyKey: []byte(f.Azure.AccountKey)})).To(Succeed(), "create Secret image-registry-private-configuration-user")
		})
		eventually(func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			for name, want := range map[string]string{
				"REGISTRY_STORAGE":                   "azure",
				"REGISTRY_STORAGE_AZURE_CONTAINER":   "team-registry",
				"REGISTRY_STORAGE_AZURE_ACCOUNTNAME": f.Azure.AccountName,
			} {
				v, ok := envValue(d, name)
				g.Expect(ok).To(BeTrue(), "Deployment image-registry env %s", name)
				g.Expect(v).To(Equal(want), "Deployment image-registry env %s", name)
			}
			ref := azSecretEnv(g, d, "REGISTRY_STORAGE_AZURE_ACCOUNTKEY")
			g.Expect(ref.Name).To(Equal(privateSecret), "Deployment image-registry env REGISTRY_STORAGE_AZURE_ACCOUNTKEY valueFrom.secretKeyRef.name")
			g.Expect(ref.Key).To(Equal("REGISTRY_STORAGE_AZURE_ACCOUNTKEY"), "Deployment image-registry env REGISTRY_STORAGE_AZURE_ACCOUNTKEY valueFrom.secretKeyRef.key")
			_, realm := envValue(d, "REGISTRY_STORAGE_AZURE_REALM")
			g.Expect(realm).To(BeFalse(), "no REALM without spec.storage.azure.cloudName")
			g.Expect(string(azPrivateSecret(g, r).Data["REGISTRY_STORAGE_AZURE_ACCOUNTKEY"])).To(Equal(f.Azure.AccountKey), "Secret image-registry-private-configuration data[REGISTRY_STORAGE_AZURE_ACCOUNTKEY]")
		})
	})

	It("deletes the container it manages when Removed, and clears the names", Label("needs:azure-identity", "AZ-004", "STOR-004"), func() {
		f := storageFakes()
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
		azOnAzure(f, nil)
		var container string
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			container = cfg.Spec.Storage.Azure.Container
			g.Expect(container).NotTo(BeEmpty(), "Config cluster spec.storage.azure.container")
			// The operator has recorded what it set up (status.storage) before the user acts.
			g.Expect(cfg.Status.Storage.Azure).NotTo(BeNil(), "Config cluster status.storage.azure")
			g.Expect(cfg.Status.Storage.Azure.Container).To(Equal(container), "Config cluster status.storage.azure.container")
			getDeployment(g, r)
		})
		Expect(f.Azure.Seed(ctx(), container, 4)).To(Succeed(), "seed the Azure container") // images pushed meanwhile
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "ContainerDeleted", "Storage container has been deleted")
			g.Expect(cfg.Spec.Storage.Azure).NotTo(BeNil(), "Config cluster spec.storage.azure")
			g.Expect(cfg.Spec.Storage.Azure.Container).To(BeEmpty(), "container name cleared")
			g.Expect(cfg.Spec.Storage.Azure.AccountName).To(BeEmpty(), "account name cleared")
		})
		Expect(azContainerNames(f.Azure)).To(BeEmpty(), "Azure containers")
		Expect(f.Azure.Faults().Count(fault.OpDeleteBucket, container)).To(BeNumerically(">=", 1), "Azure fake: calls to DeleteBucket on the container")
	})

	It("keeps a user container with its contents when Removed (Unmanaged)", Label("AZ-004", "STOR-005"), func() {
		f := storageFakes()
		Expect(f.Azure.Seed(ctx(), "team-registry", 3)).To(Succeed(), "seed Azure bucket team-registry")
		createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{AccountName: f.Azure.AccountName, Container: "team-registry"}))
		azOnAzure(f, func() {
			Expect(env.CreateSecret(ctx(), azUserSecret, map[string][]byte{azUserKeyKey: []byte(f.Azure.AccountKey)})).To(Succeed(), "create Secret image-registry-private-configuration-user")
		})
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.Storage.Azure).NotTo(BeNil(), "Config cluster status.storage.azure")
			getDeployment(g, r)
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "Removed", operatorv1.ConditionTrue, "Removed", "")
			absent(g, r, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: registryName}})
		})
		waitObserved()
		Expect(f.Azure.Faults().Count(fault.OpDeleteBucket, "")).To(BeZero(), "Azure fake: calls to DeleteBucket on any bucket")
		Expect(f.Azure.Faults().Count(fault.OpDeleteObject, "")).To(BeZero(), "Azure fake: calls to DeleteObject on any bucket")
		Expect(azContainers(f.Azure)).To(ConsistOf(And(HaveField("Name", "team-registry"), HaveField("Objects", 3))), "Azure containers")
	})

	DescribeTable("reports a failing container create and converges to exactly one container once the service recovers",
		func(status int, code string) {
			f := storageFakes()
			env.UseFastRetries() // the retry after the service recovers comes within the fast backoff's cap
			f.Azure.Faults().Inject(fault.Rule{Op: fault.OpCreateBucket, Status: status})
			createConfig(azManaged(imageregistryv1.ImageRegistryConfigStorageAzure{}))
			azOnAzure(f, nil)
			var reported string
			eventually(func(g Gomega, r client.Reader) {
				c := condition(g, getConfig(g, r).Status.Conditions, "StorageExists")
				g.Expect(c.Status).To(Equal(operatorv1.ConditionUnknown), "Config cluster condition StorageExists status")
				g.Expect(c.Reason).To(Equal("AzureError"), "Config cluster condition StorageExists reason")
				g.Expect(c.Message).To(HavePrefix("Unable to process storage container: "), "Config cluster condition StorageExists message")
				g.Expect(c.Message).To(ContainSubstring(fmt.Sprint(status)), "Config cluster condition StorageExists message")
				g.Expect(c.Message).To(ContainSubstring(code), "Config cluster condition StorageExists message")
				reported = fmt.Sprintf("StorageExists %s %s", c.Status, c.Reason)
			})
			Expect(azContainerNames(f.Azure)).To(BeEmpty(), "Azure containers")
			var d appsv1.Deployment
			Expect(env.Client.Get(ctx(), deploymentKey, &d)).NotTo(Succeed(), "no registry without storage")
			f.Azure.Faults().Clear()
			converged := "no"
			defer func() {
				addRow("faults", "Storage fault matrix", []string{"backend", "fault", "operator reported", "converged", "user data lost"},
					"azure", fmt.Sprintf("%d %s on container create", status, code), reported, converged, "no (no user data involved)")
			}()
			azEventuallyLong(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionTrue, "ContainerExists", "Storage container exists")
				g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
				getDeployment(g, r)
			})
			var cfg imageregistryv1.Config
			Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
			Expect(azContainerNames(f.Azure)).To(Equal([]string{cfg.Spec.Storage.Azure.Container}), "exactly one container")
			converged = "yes, one container"
		},
		Entry("503 ServerBusy", Label("needs:azure-identity", "AZ-002", "faults"), 503, "ServerBusy"),
		Entry("500 InternalError", Label("needs:azure-identity", "AZ-002", "faults"), 500, "InternalError"),
		Entry("403 AuthorizationFailure", Label("needs:azure-identity", "AZ-002", "faults"), 403, "AuthorizationFailure"),
	)
})
