package specs

const caKey = "registry.example.com..5000"

func expectCondition(g Gomega, conds []string, typ string) {
	g.Expect(conds).To(ContainElement(typ))
}

func checksum(d Deployment) string {
	return d.Annotations["imageregistry.operator.openshift.io/dependencies-checksum"]
}

func ready() { Expect(available()).To(BeTrue()) }

func setUp(x string) { create(x) }
