package livecheck

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// coTypes are the ClusterOperator's three conditions and their normal status.
var coTypes = []struct{ Type, Normal string }{{"Available", "True"}, {"Progressing", "False"}, {"Degraded", "False"}}

func needCO(o *Observation) (*unstructured.Unstructured, *Verdict) {
	s := o.Get(InClusterOp)
	if s.State == Present {
		return s.Obj, nil
	}
	v := skipped(describeState(s))
	return nil, &v
}

func coConditions() Check {
	return Check{
		Name: "co-conditions", Title: "the ClusterOperator states Available, Progressing and Degraded in the union's shape",
		IDs: []string{"STATUS-007"}, Topic: "ClusterOperator checks",
		Inputs: []Input{InClusterOp}, Required: []Input{InClusterOp},
		judge: func(o *Observation) Verdict {
			co, skip := needCO(o)
			if skip != nil {
				return *skip
			}
			conds := conditions(co)
			var fs []Finding
			union := o.JudgedAs.AtLeast(coUnion)
			for _, t := range coTypes {
				c, ok := findCondition(conds, t.Type)
				field := "status.conditions[" + t.Type + "]"
				if !ok {
					fs = append(fs, Finding{Object: objClusterOp, Field: field, Seen: "absent", Want: "present", Behaviour: "STATUS-007"})
					continue
				}
				if !union {
					continue
				}
				prefix := regexp.MustCompile(`^[A-Za-z]*` + t.Type + `: `)
				for _, line := range strings.Split(c.Message, "\n") {
					if line != "" && !prefix.MatchString(line) {
						fs = append(fs, Finding{Object: objClusterOp, Field: field + ".message", Seen: quote(line), Want: quote(t.Type + ": " + line), Behaviour: "STATUS-007"})
						break
					}
				}
				if c.Status == t.Normal && c.Reason == "" {
					fs = append(fs, Finding{Object: objClusterOp, Field: field + ".reason", Seen: `""`, Want: `"AsExpected" (or the inputs' reasons joined with ::)`, Behaviour: "STATUS-007"})
				}
			}
			note := ""
			if !union {
				note = asIn(o.JudgedAs, "the ClusterOperator copies the Config's conditions as they are, without the \"Available: \" prefix (the union arrived in 4.5)")
			}
			return judge(fs, note)
		},
	}
}

func coFollowsConfig() Check {
	return Check{
		Name: "co-follows-config", Title: "ClusterOperator conditions agree with the registry state",
		IDs: []string{"STATUS-002", "STATUS-003", "STATUS-007"}, Topic: "ClusterOperator checks",
		Inputs: []Input{InClusterOp, InConfig}, Required: []Input{InClusterOp, InConfig},
		judge: func(o *Observation) Verdict {
			co, skip := needCO(o)
			if skip != nil {
				return *skip
			}
			state, cfg, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			union := o.JudgedAs.AtLeast(coUnion)
			coConds, cfgConds := conditions(co), conditions(cfg)
			var fs []Finding
			for _, t := range coTypes {
				cc, _ := findCondition(coConds, t.Type)
				fc, ok := findCondition(cfgConds, t.Type)
				if !ok {
					continue
				}
				field := "status.conditions[" + t.Type + "]"
				// The union reports the first non-normal status of its inputs: a non-normal
				// Config condition must show; a normal one may be outvoted by another input.
				if fc.Status != t.Normal && fc.Status != "Unknown" && cc.Status != fc.Status {
					fs = append(fs, Finding{Object: objClusterOp, Field: field + ".status", Seen: orAbsent(cc.Status), Want: fc.Status + " (as the Config's " + t.Type + ")", Behaviour: "STATUS-007"})
				}
				for _, line := range strings.Split(fc.Message, "\n") {
					if line == "" {
						continue
					}
					want := line
					if union {
						want = t.Type + ": " + line
					}
					if !containsLine(cc.Message, want) {
						fs = append(fs, Finding{Object: objClusterOp, Field: field + ".message", Seen: quote(firstLine(cc.Message)), Want: "a line " + quote(want) + " (from the Config)", Behaviour: "STATUS-007"})
						break
					}
				}
			}
			av, _ := findCondition(coConds, "Available")
			switch state {
			case "Removed", "Unmanaged":
				id := map[string]string{"Removed": "STATUS-003", "Unmanaged": "STATUS-002"}[state]
				if av.Status != "True" || !strings.Contains(av.Reason, state) {
					fs = append(fs, Finding{Object: objClusterOp, Field: "status.conditions[Available]", Seen: av.show(), Want: "True with reason " + state, Behaviour: id})
				}
			}
			note := ""
			if !union {
				note = asIn(o.JudgedAs, "the ClusterOperator repeats the Config's messages without a type prefix")
			}
			return judge(fs, note)
		},
	}
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func orAbsent(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// relatedObject is one entry of status.relatedObjects.
type relatedObject struct{ Group, Resource, Namespace, Name string }

func (r relatedObject) String() string {
	res := r.Resource
	if r.Group != "" {
		res += "." + r.Group
	}
	return res + "/" + r.Name
}

// wantRelated is the static list of six, in upstream order (catalogue STATUS-008).
var wantRelated = []relatedObject{
	{"imageregistry.operator.openshift.io", "configs", "", "cluster"},
	{"imageregistry.operator.openshift.io", "imagepruners", "", "cluster"},
	{"rbac.authorization.k8s.io", "clusterroles", "", "system:registry"},
	{"rbac.authorization.k8s.io", "clusterrolebindings", "", "registry-registry-role"},
	{"rbac.authorization.k8s.io", "clusterrolebindings", "", "openshift-image-registry-pruner"},
	{"", "namespaces", "", "openshift-image-registry"},
}

func coRelatedObjects() Check {
	return Check{
		Name: "co-related-objects", Title: "ClusterOperator relatedObjects list the registry's objects in order",
		IDs: []string{"STATUS-008"}, Topic: "ClusterOperator checks",
		Inputs: []Input{InClusterOp}, Required: []Input{InClusterOp},
		judge: func(o *Observation) Verdict {
			co, skip := needCO(o)
			if skip != nil {
				return *skip
			}
			list, _, _ := unstructured.NestedSlice(co.Object, "status", "relatedObjects")
			var got []relatedObject
			for _, item := range list {
				m, _ := item.(map[string]any)
				s := func(k string) string { v, _ := m[k].(string); return v }
				got = append(got, relatedObject{s("group"), s("resource"), s("namespace"), s("name")})
			}
			index := func(r relatedObject) int {
				for i, g := range got {
					if g == r {
						return i
					}
				}
				return -1
			}
			if o.JudgedAs.Before(coUnion) {
				// 4.4 lists the Config, the namespace, then every object it generates.
				for _, r := range []relatedObject{wantRelated[0], wantRelated[5]} {
					if index(r) < 0 {
						return failed(Finding{Object: objClusterOp, Field: "status.relatedObjects", Seen: fmt.Sprintf("%d entries without %s", len(got), r), Want: "an entry " + r.String(), Behaviour: "STATUS-008"})
					}
				}
				return passed(asIn(o.JudgedAs, "relatedObjects list the Config, the namespace and every object the operator generates (the fixed list of six arrived in 4.5)"))
			}
			last := -1
			for _, r := range wantRelated {
				i := index(r)
				switch {
				case i < 0:
					return failed(Finding{Object: objClusterOp, Field: "status.relatedObjects", Seen: fmt.Sprintf("%d entries without %s", len(got), r), Want: "the six registry objects, " + r.String() + " among them", Behaviour: "STATUS-008"})
				case i < last:
					return failed(Finding{Object: objClusterOp, Field: "status.relatedObjects", Seen: r.String() + " at position " + fmt.Sprint(i+1), Want: "the upstream order (configs, imagepruners, clusterroles, two clusterrolebindings, namespaces)", Behaviour: "STATUS-008"})
				}
				last = i
			}
			return passed("")
		},
	}
}

func coVersion() Check {
	return Check{
		Name: "co-version", Title: "ClusterOperator versions report the operator's release",
		IDs: []string{"STATUS-009"}, Topic: "ClusterOperator checks",
		Inputs: []Input{InClusterOp, InClusterVersion}, Required: []Input{InClusterOp},
		judge: func(o *Observation) Verdict {
			co, skip := needCO(o)
			if skip != nil {
				return *skip
			}
			versions, _, _ := unstructured.NestedSlice(co.Object, "status", "versions")
			got := ""
			var names []string
			for _, v := range versions {
				m, _ := v.(map[string]any)
				name, _ := m["name"].(string)
				names = append(names, name)
				if name == "operator" {
					got, _ = m["version"].(string)
				}
			}
			if len(names) != 1 || got == "" {
				seen := "no versions"
				if len(names) > 0 {
					seen = fmt.Sprintf("entries %v (operator %q)", names, got)
				}
				prog, _ := findCondition(conditions(co), "Progressing")
				if len(names) == 0 && prog.Status == "True" {
					return skipped("the ClusterOperator reports no version yet while Progressing (set once the registry has rolled out)")
				}
				return failed(Finding{Object: objClusterOp, Field: "status.versions", Seen: seen, Want: `one entry "operator" with the release version`, Behaviour: "STATUS-009"})
			}
			cv := o.Get(InClusterVersion)
			if cv.State != Present {
				return passed("operator version " + got + " (" + describeState(cv) + " to compare with)")
			}
			desired := str(cv.Obj, "status", "desired", "version")
			cvProg, _ := findCondition(conditions(cv.Obj), "Progressing")
			coProg, _ := findCondition(conditions(co), "Progressing")
			if cvProg.Status == "True" || coProg.Status == "True" || desired == "" {
				return passed("operator version " + got + " (the cluster or the operator is Progressing: not compared with the cluster version)")
			}
			if got != desired {
				return failed(Finding{Object: objClusterOp, Field: "status.versions[operator]", Seen: quote(got), Want: quote(desired) + " (the cluster's version, no update in progress)", Behaviour: "STATUS-009"}).fix(RemedyOperatorLog)
			}
			return passed("")
		},
	}
}
