package livecheck

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// registryContainer returns the registry Deployment's first container (the registry).
func registryContainer(d *unstructured.Unstructured) map[string]any {
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if len(cs) == 0 {
		return nil
	}
	c, _ := cs[0].(map[string]any)
	return c
}

// envVar is one env entry: a literal value, or a reference to a Secret key.
type envVar struct {
	Name, Value         string
	SecretName, SecretK string
}

func envOf(d *unstructured.Unstructured) map[string]envVar {
	out := map[string]envVar{}
	c := registryContainer(d)
	if c == nil {
		return out
	}
	list, _, _ := unstructured.NestedSlice(c, "env")
	for _, item := range list {
		m, _ := item.(map[string]any)
		e := envVar{}
		e.Name, _ = m["name"].(string)
		e.Value, _ = m["value"].(string)
		e.SecretName, _, _ = unstructured.NestedString(m, "valueFrom", "secretKeyRef", "name")
		e.SecretK, _, _ = unstructured.NestedString(m, "valueFrom", "secretKeyRef", "key")
		out[e.Name] = e
	}
	return out
}

// needDeployment turns a missing registry Deployment into the skip that explains it.
func needDeployment(o *Observation, state string) (*unstructured.Unstructured, *Verdict) {
	d := o.Get(InDeployment)
	if d.State == Present {
		return d.Obj, nil
	}
	reason := describeState(d)
	if d.State == Absent && state != "" {
		reason = "no registry Deployment: managementState is " + state
	}
	v := skipped(reason)
	return nil, &v
}

func registryWorkload() Check {
	return Check{
		Name: "registry-workload", Title: "a registry runs exactly when the Config is Managed",
		IDs: []string{"MGMT-002", "MGMT-004"}, Topic: "the workload check",
		Inputs: []Input{InConfig, InDeployment}, Required: []Input{InConfig, InDeployment},
		judge: func(o *Observation) Verdict {
			state, cfg, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			d := o.Get(InDeployment)
			switch state {
			case "Managed":
				if d.State == Present {
					return passed("")
				}
				return failed(Finding{Object: objDeployment, Seen: "absent", Want: "present while Managed", Behaviour: "MGMT-002"}).
					fix(RemedyOperatorLog).detail(operatorSays(cfg))
			case "Removed":
				if d.State == Absent {
					return passed("Removed: no registry runs, so image builds and image streams have no registry; " +
						"to run one, configure storage, then: " + RemedyManaged)
				}
				if d.Obj.GetDeletionTimestamp() != nil {
					return skipped("the registry Deployment is being deleted (managementState just became Removed)")
				}
				return failed(Finding{Object: objDeployment, Seen: "present", Want: "absent while Removed", Behaviour: "MGMT-004"}).
					fix(RemedyOperatorLog).detail(operatorSays(cfg))
			case "Unmanaged":
				return skipped("the registry is Unmanaged: the operator leaves its workload as it is")
			}
			return skipped(fmt.Sprintf("managementState is %q, not Managed, Unmanaged or Removed", state))
		},
	}
}

func configConditions() Check {
	return Check{
		Name: "config-conditions", Title: "the Config's conditions state what its managementState implies",
		IDs: []string{"STATUS-002", "STATUS-003", "STATUS-004"}, Topic: "the condition check",
		Inputs: []Input{InConfig}, Required: []Input{InConfig},
		judge: func(o *Observation) Verdict {
			state, cfg, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			conds := conditions(cfg)
			var fs []Finding
			expect := func(t, status, reason, message, id string) {
				c, _ := findCondition(conds, t)
				okReason := reason == "" || c.Reason == reason
				okMsg := message == "" || c.Message == message
				if c.Status != status || !okReason || !okMsg {
					want := status
					if reason != "" || message != "" {
						want = condition{Status: status, Reason: reason, Message: message}.show()
					}
					fs = append(fs, Finding{Object: objConfig, Field: "status.conditions[" + t + "]", Seen: c.show(), Want: want, Behaviour: id})
				}
			}
			note := ""
			switch state {
			case "Removed":
				expect("Available", "True", "Removed", "The registry is removed", "STATUS-003")
				expect("Progressing", "False", "Removed", "", "STATUS-003")
				if o.JudgedAs.AtLeast(coUnion) {
					expect("Degraded", "False", "Removed", "", "STATUS-003")
				} else {
					expect("Degraded", "False", "", "", "STATUS-003")
					note = asIn(o.JudgedAs, "Degraded carried no reason while Removed (reason Removed since 4.5)")
				}
			case "Unmanaged":
				expect("Available", "True", "Unmanaged", "", "STATUS-002")
				expect("Progressing", "False", "Unmanaged", "", "STATUS-002")
				expect("Degraded", "False", "Unmanaged", "", "STATUS-002")
			case "Managed":
				av, _ := findCondition(conds, "Available")
				pr, _ := findCondition(conds, "Progressing")
				if av.Status != "True" {
					v := failed(Finding{Object: objConfig, Field: "status.conditions[Available]", Seen: av.show(), Want: "True", Behaviour: "STATUS-004"})
					if strings.Contains(av.Message+av.Reason, "StorageNotConfigured") || strings.Contains(av.Message, "storage backend not configured") {
						v = v.fix(`oc patch configs.imageregistry.operator.openshift.io/cluster --type merge -p '{"spec":{"storage":{"pvc":{"claim":""}}}}'`)
					}
					return v.detail(operatorSays(cfg))
				}
				if av.Reason == "Ready" && pr.Status == "True" {
					fs = append(fs, Finding{Object: objConfig, Field: "status.conditions[Progressing]", Seen: pr.show(), Want: "False while Available is Ready", Behaviour: "STATUS-004"})
				}
			default:
				return skipped(fmt.Sprintf("managementState is %q, not Managed, Unmanaged or Removed", state))
			}
			v := judge(fs, note)
			if v.Result == Fail {
				v = v.fix(RemedyOperatorLog)
			}
			return v
		},
	}
}

func registryEnv() Check {
	return Check{
		Name: "registry-env", Title: "registry env matches logLevel, readOnly and disableRedirect",
		IDs: []string{"DEPLOY-001", "DEPLOY-004", "DEPLOY-007"}, Topic: "registry env checks",
		Inputs: []Input{InConfig, InDeployment}, Required: []Input{InConfig, InDeployment},
		judge: func(o *Observation) Verdict {
			state, cfg, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			if state != "Managed" {
				return skipped("needs a Managed registry; managementState is " + state)
			}
			d, skip := needDeployment(o, state)
			if skip != nil {
				return *skip
			}
			env := envOf(d)
			var fs []Finding
			field := func(name string) string { return "env " + name }
			wantLevel, note := expectedLogLevel(o.JudgedAs, cfg)
			if got, ok := env["REGISTRY_LOG_LEVEL"]; !ok || got.Value != wantLevel {
				seen := "absent"
				if ok {
					seen = quote(got.Value)
				}
				fs = append(fs, Finding{Object: objDeployment, Field: field("REGISTRY_LOG_LEVEL"), Seen: seen, Want: quote(wantLevel) + " for " + logSetting(o.JudgedAs, cfg), Behaviour: "DEPLOY-001"})
			}
			flag := func(spec, name, value, id string) {
				got, ok := env[name]
				switch {
				case boolean(cfg, "spec", spec) && (!ok || got.Value != value):
					seen := "absent"
					if ok {
						seen = quote(got.Value)
					}
					fs = append(fs, Finding{Object: objDeployment, Field: field(name), Seen: seen, Want: quote(value) + " for " + spec + ": true", Behaviour: id})
				case !boolean(cfg, "spec", spec) && ok:
					fs = append(fs, Finding{Object: objDeployment, Field: field(name), Seen: quote(got.Value), Want: "absent for " + spec + ": false", Behaviour: id})
				}
			}
			flag("readOnly", "REGISTRY_STORAGE_MAINTENANCE_READONLY", "{enabled: true}", "DEPLOY-004")
			flag("disableRedirect", "REGISTRY_STORAGE_REDIRECT_DISABLE", "true", "DEPLOY-007")
			v := judge(fs, note)
			if v.Result == Fail {
				v = v.fix(RemedyOperatorLog)
			}
			return v
		},
	}
}

// expectedLogLevel is REGISTRY_LOG_LEVEL for the Config, by release. From 4.6 spec.logLevel
// Debug, Trace and TraceAll give debug, and otherwise the older spec.logging integer still
// decides (0, 2, 3 info; 1 warn; more debug); up to 4.5 spec.logging alone decided, with 0
// meaning error (release-4.5 and release-4.6 pkg/resource/podtemplatespec.go).
func expectedLogLevel(r Release, cfg *unstructured.Unstructured) (level, note string) {
	logging, _, _ := unstructured.NestedInt64(cfg.Object, "spec", "logging")
	byLogging := func(zero string) string {
		switch logging {
		case 0:
			return zero
		case 1:
			return "warn"
		case 2, 3:
			return "info"
		}
		return "debug"
	}
	if r.Before(logLevelField) {
		return byLogging("error"), asIn(r, "spec.logging alone sets the registry log level (spec.logLevel arrived in 4.6)")
	}
	switch str(cfg, "spec", "logLevel") {
	case "Debug", "Trace", "TraceAll":
		return "debug", ""
	}
	return byLogging("info"), ""
}

func logSetting(r Release, cfg *unstructured.Unstructured) string {
	logging, _, _ := unstructured.NestedInt64(cfg.Object, "spec", "logging")
	if r.Before(logLevelField) {
		return fmt.Sprintf("logging: %d", logging)
	}
	lvl := str(cfg, "spec", "logLevel")
	if lvl == "" {
		lvl = "Normal"
	}
	if logging != 0 {
		return fmt.Sprintf("logLevel: %s, logging: %d", lvl, logging)
	}
	return "logLevel: " + lvl
}

func registryPodLabel() Check {
	return Check{
		Name: "registry-pod-label", Title: "registry pods carry docker-registry=default",
		IDs: []string{"MGMT-008"}, Topic: "the pod label check",
		Inputs: []Input{InConfig, InDeployment}, Required: []Input{InDeployment},
		judge: func(o *Observation) Verdict {
			state := ""
			if c := o.Get(InConfig); c.State == Present {
				state = str(c.Obj, "spec", "managementState")
			}
			d, skip := needDeployment(o, state)
			if skip != nil {
				return *skip
			}
			got := str(d, "spec", "template", "metadata", "labels", "docker-registry")
			if got == "default" {
				return passed("")
			}
			seen := "absent"
			if got != "" {
				seen = quote(got)
			}
			return failed(Finding{Object: objDeployment, Field: "spec.template.metadata.labels[docker-registry]", Seen: seen, Want: `"default"`, Behaviour: "MGMT-008"}).fix(RemedyOperatorLog)
		},
	}
}

// credentialNames are env names whose value is a credential: they must come from a Secret.
var credentialNames = []string{"ACCESSKEY", "SECRETKEY", "ACCOUNTKEY", "PASSWORD", "TOKENID", "APPLICATIONCREDENTIALSECRET"}

func credentialsThroughSecret() Check {
	return Check{
		Name: "credentials", Title: "registry credentials come from image-registry-private-configuration, key by key",
		IDs: []string{"CRED-004"}, Topic: "credential checks",
		Inputs: []Input{InConfig, InDeployment, InPrivateSecret}, Required: []Input{InDeployment, InPrivateSecret},
		judge: func(o *Observation) Verdict {
			state := ""
			if c := o.Get(InConfig); c.State == Present {
				state = str(c.Obj, "spec", "managementState")
			}
			d, skip := needDeployment(o, state)
			if skip != nil {
				return *skip
			}
			sec := o.Get(InPrivateSecret)
			const secretName = "image-registry-private-configuration"
			keys := map[string]bool{}
			for _, k := range sec.Keys {
				keys[k] = true
			}
			var fs []Finding
			env := envOf(d)
			for _, name := range sortedKeys(env) {
				e := env[name]
				for _, c := range credentialNames {
					// Only the name is ever shown, never the value.
					if strings.HasSuffix(name, c) && e.SecretName == "" && e.Value != "" {
						fs = append(fs, Finding{Object: objDeployment, Field: "env " + name, Seen: "an inline value (not shown)", Want: "valueFrom.secretKeyRef " + secretName, Behaviour: "CRED-004"})
					}
				}
				if e.SecretName == secretName {
					if sec.State != Present {
						fs = append(fs, Finding{Object: "secrets/" + secretName + " -n " + RegistryNS, Seen: "absent", Want: "present (env " + name + " reads it)", Behaviour: "CRED-004"})
						break
					}
					if !keys[e.SecretK] {
						fs = append(fs, Finding{Object: "secrets/" + secretName + " -n " + RegistryNS, Field: "data[" + e.SecretK + "]", Seen: "absent", Want: "present (env " + name + " reads it)", Behaviour: "CRED-004"})
					}
				}
			}
			// A credentials file read from a mount of the whole Secret (S3's
			// REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH) names its key by file name.
			for _, dir := range wholeSecretMounts(d, secretName) {
				for _, name := range sortedKeys(env) {
					if key, ok := strings.CutPrefix(env[name].Value, dir+"/"); ok && sec.State == Present && !keys[key] {
						fs = append(fs, Finding{Object: "secrets/" + secretName + " -n " + RegistryNS, Field: "data[" + key + "]", Seen: "absent", Want: "present (env " + name + " reads " + env[name].Value + ")", Behaviour: "CRED-004"})
					}
				}
			}
			for _, item := range secretVolumeItems(d, secretName) {
				if sec.State == Present && !keys[item] {
					fs = append(fs, Finding{Object: "secrets/" + secretName + " -n " + RegistryNS, Field: "data[" + item + "]", Seen: "absent", Want: "present (a volume of the registry mounts it)", Behaviour: "CRED-004"})
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

// secretVolumeItems lists the keys the registry's volumes take from the named Secret.
func secretVolumeItems(d *unstructured.Unstructured, secret string) []string {
	vols, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "volumes")
	var out []string
	for _, v := range vols {
		m, _ := v.(map[string]any)
		if name, _, _ := unstructured.NestedString(m, "secret", "secretName"); name == secret {
			items, _, _ := unstructured.NestedSlice(m, "secret", "items")
			for _, it := range items {
				im, _ := it.(map[string]any)
				if k, _ := im["key"].(string); k != "" {
					out = append(out, k)
				}
			}
		}
		sources, _, _ := unstructured.NestedSlice(m, "projected", "sources")
		for _, s := range sources {
			sm, _ := s.(map[string]any)
			if name, _, _ := unstructured.NestedString(sm, "secret", "name"); name == secret {
				items, _, _ := unstructured.NestedSlice(sm, "secret", "items")
				for _, it := range items {
					im, _ := it.(map[string]any)
					if k, _ := im["key"].(string); k != "" {
						out = append(out, k)
					}
				}
			}
		}
	}
	return out
}

func defaultRoute() Check {
	const obj = "routes.route.openshift.io/default-route -n openshift-image-registry"
	return Check{
		Name: "default-route", Title: "default-route exists if and only if defaultRoute is set",
		IDs: []string{"ROUTE-001", "ROUTE-002"}, Topic: "the route check",
		Inputs: []Input{InConfig, InDefaultRoute}, Required: []Input{InConfig, InDefaultRoute},
		judge: func(o *Observation) Verdict {
			state, cfg, skip := registryState(o)
			if skip != nil {
				return *skip
			}
			if state != "Managed" {
				return skipped("needs a Managed registry; managementState is " + state)
			}
			rt := o.Get(InDefaultRoute)
			if rt.State == NotServed {
				return skipped(describeState(rt))
			}
			want := boolean(cfg, "spec", "defaultRoute")
			switch {
			case want && rt.State == Absent:
				return failed(Finding{Object: obj, Seen: "absent", Want: "present for defaultRoute: true", Behaviour: "ROUTE-002"}).fix(RemedyOperatorLog).detail(operatorSays(cfg))
			case !want && rt.State == Present:
				return failed(Finding{Object: obj, Seen: "present", Want: "absent for defaultRoute: false", Behaviour: "ROUTE-001"}).fix(RemedyOperatorLog)
			case !want:
				return passed("no default-route, as defaultRoute is false; to expose the registry: " + RemedyDefaultRoute)
			}
			var fs []Finding
			if to := str(rt.Obj, "spec", "to", "name"); to != "image-registry" {
				fs = append(fs, Finding{Object: obj, Field: "spec.to.name", Seen: quote(to), Want: `"image-registry"`, Behaviour: "ROUTE-002"})
			}
			if term := str(rt.Obj, "spec", "tls", "termination"); term != "reencrypt" {
				fs = append(fs, Finding{Object: obj, Field: "spec.tls.termination", Seen: quote(term), Want: `"reencrypt"`, Behaviour: "ROUTE-002"})
			}
			return judge(fs, "")
		},
	}
}

// wholeSecretMounts are the registry container's mount paths of volumes that project every
// key of the named Secret (no items).
func wholeSecretMounts(d *unstructured.Unstructured, secret string) []string {
	vols, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "volumes")
	whole := map[string]bool{}
	for _, v := range vols {
		m, _ := v.(map[string]any)
		name, _, _ := unstructured.NestedString(m, "secret", "secretName")
		items, _, _ := unstructured.NestedSlice(m, "secret", "items")
		if name == secret && len(items) == 0 {
			vn, _ := m["name"].(string)
			whole[vn] = true
		}
	}
	c := registryContainer(d)
	if c == nil {
		return nil
	}
	mounts, _, _ := unstructured.NestedSlice(c, "volumeMounts")
	var out []string
	for _, mt := range mounts {
		mm, _ := mt.(map[string]any)
		if n, _ := mm["name"].(string); whole[n] {
			if p, _ := mm["mountPath"].(string); p != "" {
				out = append(out, strings.TrimSuffix(p, "/"))
			}
		}
	}
	return out
}
