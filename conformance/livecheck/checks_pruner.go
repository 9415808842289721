package livecheck

import (
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// pruneRegistryFlag finds --prune-registry=... in the pruner container's command and args.
func pruneRegistryFlag(cj *unstructured.Unstructured) (string, bool) {
	cs, _, _ := unstructured.NestedSlice(cj.Object, "spec", "jobTemplate", "spec", "template", "spec", "containers")
	if len(cs) == 0 {
		return "", false
	}
	c, _ := cs[0].(map[string]any)
	var words []string
	for _, field := range []string{"command", "args"} {
		list, _, _ := unstructured.NestedStringSlice(c, field)
		for _, a := range list {
			words = append(words, strings.Fields(a)...)
		}
	}
	for _, w := range words {
		if v, ok := strings.CutPrefix(w, "--prune-registry="); ok {
			return v, true
		}
	}
	return "", false
}

// needCronJob returns the pruner CronJob or the skip that explains its absence.
func needCronJob(o *Observation) (*unstructured.Unstructured, *Verdict) {
	s := o.Get(InPrunerCronJob)
	if s.State == Present {
		return s.Obj, nil
	}
	reason := describeState(s)
	if s.State == Absent {
		reason = "no image-pruner CronJob"
		if p := o.Get(InPruner); p.State == Absent {
			reason += ": there is no ImagePruner (imagepruners.imageregistry.operator.openshift.io/cluster) either"
		}
	}
	v := skipped(reason)
	return nil, &v
}

func prunerFlag() Check {
	return Check{
		Name: "pruner-flag", Title: "pruner --prune-registry matches the registry state (Managed: true, Removed: false)",
		IDs: []string{"PRUNE-003", "PRUNE-004"}, Topic: "the pruner check",
		Inputs: []Input{InConfig, InPruner, InPrunerCronJob}, Required: []Input{InConfig, InPrunerCronJob},
		judge: func(o *Observation) Verdict {
			state, _, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			var want, id string
			switch state {
			case "Managed":
				want, id = "true", "PRUNE-003"
			case "Removed":
				want, id = "false", "PRUNE-004"
			default:
				return skipped("needs a Managed or Removed registry; managementState is " + state)
			}
			cj, skip := needCronJob(o)
			if skip != nil {
				return *skip
			}
			got, ok := pruneRegistryFlag(cj)
			if got == want {
				return passed("")
			}
			seen := "absent"
			if ok {
				seen = got
			}
			return failed(Finding{Object: objCronJob, Field: "args --prune-registry", Seen: seen, Want: want + " while " + state, Behaviour: id}).fix(RemedyOperatorLog)
		},
	}
}

func prunerFlagUnmanaged() Check {
	return Check{
		Name: "pruner-flag-unmanaged", Title: "pruner --prune-registry is false while Unmanaged (documented)",
		IDs: []string{"PRUNE-005"}, Traits: []string{"divergence"}, Topic: "the pruner check",
		Inputs: []Input{InConfig, InPruner, InPrunerCronJob}, Required: []Input{InConfig, InPrunerCronJob},
		judge: func(o *Observation) Verdict {
			state, _, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			if state != "Unmanaged" {
				return skipped("needs an Unmanaged registry; managementState is " + state)
			}
			cj, skip := needCronJob(o)
			if skip != nil {
				return *skip
			}
			got, ok := pruneRegistryFlag(cj)
			note := ""
			if o.JudgedAs.Before(prunerFollowsHostname) {
				note = asIn(o.JudgedAs, "the flag is true exactly when Managed, as documented")
			}
			if got == "false" {
				return passed(note)
			}
			if !ok {
				got = "absent"
			}
			v := failed(Finding{Object: objCronJob, Field: "args --prune-registry", Seen: got, Want: "false while Unmanaged (documented)", Behaviour: "PRUNE-005"})
			if o.JudgedAs.AtLeast(prunerFollowsHostname) {
				v = v.detail("since 4.6 the operator derives the flag from the image config's internalRegistryHostname, which stays set while Unmanaged")
			}
			return v
		},
	}
}

func trustedCA() Check {
	const obj = "configmaps/image-registry-certificates -n openshift-image-registry"
	serviceKeys := []string{"image-registry.openshift-image-registry.svc..5000", "image-registry.openshift-image-registry.svc.cluster.local..5000"}
	return Check{
		Name: "trusted-ca", Title: "image-registry-certificates carries every additionalTrustedCA key unchanged plus the service keys",
		IDs: []string{"CA-003"}, Topic: "certificate checks",
		Inputs:   []Input{InConfig, InImageConfig, InTrustedCA, InCertificates},
		Required: []Input{InImageConfig, InTrustedCA, InCertificates},
		judge: func(o *Observation) Verdict {
			state := ""
			if c := o.Get(InConfig); c.State == Present {
				state = str(c.Obj, "spec", "managementState")
			}
			src, dst := o.Get(InTrustedCA), o.Get(InCertificates)
			img := o.Get(InImageConfig)
			named := img.State == Present && str(img.Obj, "spec", "additionalTrustedCA", "name") != ""
			switch {
			case !named && state == "":
				return skipped(configAbsent(o.Get(InConfig)))
			case !named && state != "Managed":
				return skipped("the image config names no additionalTrustedCA ConfigMap and the registry is " + state + ": nothing to compare")
			case dst.State != Present:
				return skipped(describeState(dst))
			}
			dstData, _, _ := unstructured.NestedStringMap(dst.Obj.Object, "data")
			var fs []Finding
			if named {
				if src.State != Present {
					return skipped("the image config names a trusted-CA ConfigMap, but " + describeState(src))
				}
				srcData, _, _ := unstructured.NestedStringMap(src.Obj.Object, "data")
				for _, k := range sortedKeys(srcData) {
					got, ok := dstData[k]
					switch {
					case !ok:
						fs = append(fs, Finding{Object: obj, Field: "data[" + k + "]", Seen: "absent", Want: "the certificate of " + src.Source.Object(), Behaviour: "CA-003"})
					case got != srcData[k]:
						fs = append(fs, Finding{Object: obj, Field: "data[" + k + "]", Seen: "a different certificate", Want: "the certificate of " + src.Source.Object() + " unchanged", Behaviour: "CA-003"})
					}
				}
			}
			if state == "Managed" {
				for _, k := range serviceKeys {
					if _, ok := dstData[k]; !ok {
						fs = append(fs, Finding{Object: obj, Field: "data[" + k + "]", Seen: "absent", Want: "the service CA (the registry Service's own key)", Behaviour: "CA-003"})
					}
				}
			}
			v := judge(fs, "")
			if v.Result == Fail {
				v = v.fix(RemedyOperatorLog)
			}
			return v
		},
	}
}

const objAlertRule = "prometheusrules.monitoring.coreos.com/image-registry-operator-alerts -n openshift-image-registry"

func alertNames(rule *unstructured.Unstructured) []string {
	groups, _, _ := unstructured.NestedSlice(rule.Object, "spec", "groups")
	var out []string
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		rules, _, _ := unstructured.NestedSlice(gm, "rules")
		for _, r := range rules {
			rm, _ := r.(map[string]any)
			if a, _ := rm["alert"].(string); a != "" {
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}

// releaseAlerts is what image-registry-operator-alerts carries in a release
// (manifests/09-prometheus-rules.yaml on each upstream release branch); deleted is true
// where the release deletes the rule (release.openshift.io/delete, 4.11 to 4.17).
func releaseAlerts(r Release) (names []string, deleted bool) {
	switch {
	case r.Before(Release{4, 5}):
		return []string{"ImagePruningDisabled", "ImageRegistryRemoved", "ImageRegistryStorageReconfigured"}, false
	case r.Before(Release{4, 6}):
		return []string{"ImagePrunerIsFailing", "ImageRegistryStorageReconfigured"}, false
	case r.Before(Release{4, 11}):
		return []string{"ImageRegistryStorageReconfigured"}, false
	case r.Before(storageAlertsArrive):
		return nil, true
	}
	return []string{"ImageRegistryStorageFull", "ImageRegistryStorageReadOnly"}, false
}

func storageAlerts() Check {
	return Check{
		Name: "storage-alerts", Title: "ships the storage alerts in image-registry-operator-alerts",
		IDs: []string{"ALERT-002"}, Topic: "alert checks",
		Inputs: []Input{InAlertRule}, Required: []Input{InAlertRule},
		judge: func(o *Observation) Verdict {
			rule := o.Get(InAlertRule)
			want, deleted := releaseAlerts(o.JudgedAs)
			older := o.JudgedAs.Before(storageAlertsArrive)
			switch {
			case rule.State == NotServed:
				return skipped(describeState(rule) + " (no monitoring stack)")
			case rule.State == Absent && deleted:
				return passed(asIn(o.JudgedAs, "no image-registry-operator-alerts: releases 4.11 to 4.17 delete it (the storage alerts arrived with it again in 4.18)"))
			case rule.State == Absent:
				return skipped(describeState(rule))
			case deleted:
				return passed(asIn(o.JudgedAs, "image-registry-operator-alerts is deleted by the cluster-version operator in 4.11 to 4.17; this one carries "+words(alertNames(rule.Obj))))
			}
			got := alertNames(rule.Obj)
			have := map[string]bool{}
			for _, a := range got {
				have[a] = true
			}
			var missing []string
			for _, a := range want {
				if !have[a] {
					missing = append(missing, a)
				}
			}
			note := ""
			if older {
				note = asIn(o.JudgedAs, "the rule carries "+words(want)+"; the storage alerts (ImageRegistryStorageReadOnly, ImageRegistryStorageFull) arrived in 4.18")
			}
			if len(missing) == 0 {
				return passed(note)
			}
			return failed(Finding{Object: objAlertRule, Field: "spec.groups[].rules[].alert", Seen: words(got), Want: words(want) + " among them", Behaviour: "ALERT-002"}).note(note)
		},
	}
}

func removedAlert() Check {
	return Check{
		Name: "removed-alert", Title: "ships the documented ImageRegistryRemoved alert",
		IDs: []string{"ALERT-001"}, Traits: []string{"divergence"}, Topic: "alert checks",
		Inputs: []Input{InAlertRule}, Required: []Input{InAlertRule},
		judge: func(o *Observation) Verdict {
			rule := o.Get(InAlertRule)
			if rule.State == NotServed {
				return skipped(describeState(rule) + " (no monitoring stack)")
			}
			if rule.State == Present {
				for _, a := range alertNames(rule.Obj) {
					if a == "ImageRegistryRemoved" {
						if removedAlertLast.Before(o.JudgedAs) {
							return passed("")
						}
						return passed(asIn(o.JudgedAs, "upstream still shipped ImageRegistryRemoved (dropped in 4.5)"))
					}
				}
			}
			seen := "not found"
			if rule.State == Absent {
				if _, deleted := releaseAlerts(o.JudgedAs); !deleted {
					return skipped(describeState(rule))
				}
				seen = "not found (no image-registry-operator-alerts)"
			}
			v := failed(Finding{Object: objAlertRule, Field: "alert ImageRegistryRemoved", Seen: seen, Want: "present (documented: warns while the registry is Removed)", Behaviour: "ALERT-001"})
			if removedAlertLast.Before(o.JudgedAs) {
				v = v.detail("upstream manifests carry this alert up to release 4.4 only")
			}
			return v
		},
	}
}
