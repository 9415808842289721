package specs

var _ = Describe("Observed", Label("live"), func() {
	for _, check := range livecheck.Checks() {
		It(check.Title, Label(append(check.IDs, check.Traits...)...), func() { judge(check) })
	}
})

type LiveSpec struct {
	Title string
	IDs   []string
}

var toggle = LiveSpec{Title: "toggles the route", IDs: []string{"ROUTE-002"}}

var _ = Describe("Disruptive", Label("disruptive"), func() {
	It(toggle.Title, Label(toggle.IDs...), func() {
		Expect(route.Name).To(Equal("default-route"))
	})
})
