package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// BOOT-005 needs the storage fakes: the bootstrapped storage becomes Managed once the
// operator has created it.
var _ = Describe("Bootstrap on clouds with object storage", Label("storage"), func() {
	It("gives an AWS install spec.storage.managementState Managed", Label("BOOT-005", "platform:aws"), func() {
		f := storageFakes()
		Expect(env.CreateInfrastructure(ctx(), bootPlatform(configv1.AWSPlatformType))).To(Succeed(), "create Infrastructure cluster")
		Expect(f.CreateCloudCredentials(ctx(), configv1.AWSPlatformType)).To(Succeed(), "create the cloud credentials Secret")
		Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
		bootExpectManagedStorage()
	})

	It("gives an Azure install spec.storage.managementState Managed", Label("needs:azure-identity", "BOOT-005", "platform:azure"), func() {
		f := storageFakes()
		Expect(env.CreateInfrastructure(ctx(), bootPlatform(configv1.AzurePlatformType))).To(Succeed(), "create Infrastructure cluster")
		Expect(f.CreateCloudCredentials(ctx(), configv1.AzurePlatformType)).To(Succeed(), "create the cloud credentials Secret")
		Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
		bootExpectManagedStorage()
	})
})

func bootExpectManagedStorage() {
	GinkgoHelper()
	eventually(func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		g.Expect(cfg.Spec.ManagementState).To(Equal(operatorv1.Managed), "Config cluster spec.managementState")
		g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
		g.Expect(cfg.Status.Storage.ManagementState).To(Equal("Managed"), "Config cluster status.storage.managementState")
	})
}
