package specs

var _ = Describe("Outer", Label("storage"), func() {
	It("checks the key", Label("CA-003"), func() {
		setUp("ignoredSetupWord")
		Expect(copied()).To(HaveKey(caKey))
	})

	Context("inner", Label("platform:aws"), func() {
		It("rolls on a change", Label("CRED-005", "S3-03"), func() {
			Expect(checksum(d)).NotTo(Equal(before))
			expectCondition(g, conds, "StorageEncrypted")
			ready()
		})
	})

	DescribeTable("bootstraps",
		func(p PlatformType, want string) {
			Expect(cfg.Spec.Storage).To(HaveField(want, Not(BeNil())))
		},
		Entry("PowerVS", Label("BOOT-006"), configv1.PowerVSPlatformType, "IBMCOS"),
		Entry("x", Label(someLabel), 1),
	)
})
