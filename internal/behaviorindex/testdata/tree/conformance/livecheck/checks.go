package livecheck

const flag = "--prune-registry=false"

func Checks() []Check { return []Check{prunerFlag(), bad()} }

func prunerFlag() Check {
	return Check{
		Title:  "pruner flag while Unmanaged",
		IDs:    []string{"PRUNE-005"},
		Traits: []string{"divergence"},
		judge: func(o *Observation) Verdict {
			if hasArg(o, flag) {
				return passed()
			}
			return failed()
		},
	}
}

func bad() Check { return Check{Title: "x", IDs: ids} }
