package livecheck

import (
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// backends lists the storage backends set under path (spec.storage or status.storage), in
// the API's spelling (s3, gcs, azure, swift, pvc, emptyDir, ibmcos, oss).
func backends(cfg *unstructured.Unstructured, path ...string) []string {
	m, _, _ := unstructured.NestedMap(cfg.Object, path...)
	var out []string
	for k, v := range m {
		if k == "managementState" || v == nil {
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func words(list []string) string {
	switch len(list) {
	case 0:
		return "none"
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

func storageOneBackend() Check {
	return Check{
		Name: "storage-one-backend", Title: "the storage spec names at most one backend",
		IDs: []string{"STOR-007"}, Topic: "the storage check",
		Inputs: []Input{InConfig}, Required: []Input{InConfig},
		judge: func(o *Observation) Verdict {
			_, cfg, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			spec := backends(cfg, "spec", "storage")
			if len(spec) <= 1 {
				return passed("")
			}
			v := failed(Finding{Object: objConfig, Field: "spec.storage", Seen: words(spec), Want: "exactly one backend", Behaviour: "STOR-007"})
			// The fix keeps the backend the registry runs on (the one status.storage shows).
			inUse := backends(cfg, "status", "storage")
			if len(inUse) == 1 {
				for _, b := range spec {
					if b != inUse[0] {
						v = v.fix(remedyRemoveBackend(b))
						break
					}
				}
			}
			for _, c := range conditions(cfg) {
				if strings.Contains(c.Message, "exactly one storage type should be configured") {
					return v.detail("the operator reports it: " + c.Type + " " + c.show())
				}
			}
			v.Findings = append(v.Findings, Finding{Object: objConfig, Field: "status.conditions", Seen: "no word of the conflict",
				Want: `a condition saying "exactly one storage type should be configured…"`, Behaviour: "STOR-007"})
			return v
		},
	}
}

func storageStatus() Check {
	return Check{
		Name: "storage-status", Title: "storage status matches the storage spec",
		IDs: []string{"STOR-001", "STOR-008", "STOR-011"}, Topic: "the storage check",
		Inputs: []Input{InConfig}, Required: []Input{InConfig},
		judge: func(o *Observation) Verdict {
			state, cfg, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			if state != "Managed" {
				return skipped("needs a Managed registry; managementState is " + state)
			}
			spec, status := backends(cfg, "spec", "storage"), backends(cfg, "status", "storage")
			switch {
			case len(spec) == 0:
				return skipped("spec.storage names no backend (the config-conditions check reports what the operator says)")
			case len(spec) > 1:
				return skipped("spec.storage names " + words(spec) + " (see storage-one-backend)")
			}
			if words(status) != spec[0] {
				// A change of backend: the operator marks StorageExists Unknown
				// "<Backend> Configuration Changed" until the new one is set up (STOR-008).
				se, _ := findCondition(conditions(cfg), "StorageExists")
				if se.Status == "Unknown" && strings.HasSuffix(se.Reason, "Configuration Changed") {
					return passed("storage change in progress: status.storage still shows " + words(status) + " while the operator sets up " +
						spec[0] + " (StorageExists " + se.show() + ")")
				}
				return failed(Finding{Object: objConfig, Field: "status.storage", Seen: words(status), Want: spec[0] + " (as spec.storage)", Behaviour: "STOR-008"}).
					fix(RemedyOperatorLog).detail(operatorSays(cfg))
			}
			var fs []Finding
			specMS := str(cfg, "spec", "storage", "managementState")
			managed := boolean(cfg, "status", "storageManaged")
			if o.JudgedAs.Before(storageManagementState) {
				return passed(asIn(o.JudgedAs, "no storage managementState before 4.6; status.storageManaged is "+boolWord(managed)))
			}
			statusMS := str(cfg, "status", "storage", "managementState")
			if specMS == "" {
				fs = append(fs, Finding{Object: objConfig, Field: "spec.storage.managementState", Seen: "unset", Want: "Managed or Unmanaged (filled from status.storageManaged)", Behaviour: "STOR-011"})
			} else if statusMS != specMS {
				fs = append(fs, Finding{Object: objConfig, Field: "status.storage.managementState", Seen: quote(statusMS), Want: quote(specMS) + " (as the spec)", Behaviour: "STOR-011"})
			}
			if specMS != "" && managed != (specMS == "Managed") {
				fs = append(fs, Finding{Object: objConfig, Field: "status.storageManaged", Seen: boolWord(managed), Want: boolWord(specMS == "Managed") + " for storage " + specMS, Behaviour: "STOR-001"})
			}
			v := judge(fs, "")
			if v.Result == Fail {
				v = v.fix(RemedyOperatorLog)
			}
			return v
		},
	}
}

func boolWord(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
