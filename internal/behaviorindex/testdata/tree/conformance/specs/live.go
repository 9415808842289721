package specs

var _ = Describe("Observed", Label("live"), func() {
	for _, check := range livecheck.Checks() {
		It(check.Title, Label(append(check.IDs, check.Traits...)...), func() { judge(check) })
	}
})
