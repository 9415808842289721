package livecheck_test

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/irconform/irconform/conformance/livecheck"
	"github.com/irconform/irconform/conformance/livecheck/captures"
)

// memReader serves a capture's objects from memory: the judging logic alone, without an
// API server (TestCaptures covers the reading through a real one).
type memReader struct{ objs []*unstructured.Unstructured }

func (m memReader) Get(_ context.Context, src livecheck.Source) (*unstructured.Unstructured, error) {
	for _, o := range m.objs {
		gv, _ := schema.ParseGroupVersion(o.GetAPIVersion())
		if gv.Group == src.GVR.Group && strings.ToLower(o.GetKind())+"s" == src.GVR.Resource &&
			o.GetNamespace() == src.Namespace && o.GetName() == src.Name {
			return o.DeepCopy(), nil
		}
	}
	return nil, apierrors.NewNotFound(src.GVR.GroupResource(), src.Name)
}

func (memReader) Served(context.Context, schema.GroupVersionResource) (bool, error) { return true, nil }

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	return nil
}

func set(o *unstructured.Unstructured, value any, path ...string) {
	if err := unstructured.SetNestedField(o.Object, value, path...); err != nil {
		panic(err)
	}
}

func setCondition(o *unstructured.Unstructured, t string, edit func(map[string]any)) {
	list, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range list {
		if m := c.(map[string]any); m["type"] == t {
			edit(m)
		}
	}
	set(o, list, "status", "conditions")
}

func setEnv(o *unstructured.Unstructured, name, value string) {
	cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
	c := cs[0].(map[string]any)
	env := c["env"].([]any)
	for _, e := range env {
		if m := e.(map[string]any); m["name"] == name {
			m["value"] = value
		}
	}
	set(o, cs, "spec", "template", "spec", "containers")
}

func setPrunerArgs(o *unstructured.Unstructured, from, to string) {
	cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "jobTemplate", "spec", "template", "spec", "containers")
	c := cs[0].(map[string]any)
	args := c["args"].([]any)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a.(string), from, to)
	}
	set(o, cs, "spec", "jobTemplate", "spec", "template", "spec", "containers")
}

func without(objs []*unstructured.Unstructured, kind, name string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() != kind || o.GetName() != name {
			out = append(out, o)
		}
	}
	return out
}

// TestChecksCatchBreaks breaks one thing at a time in a capture that passes, and the check
// for that behaviour must then fail (or, for the inverse cases, pass): a check that cannot
// fail would prove nothing.
func TestChecksCatchBreaks(t *testing.T) {
	cases := []struct {
		capture, check, want, says string
		breakIt                    func(objs []*unstructured.Unstructured) []*unstructured.Unstructured
	}{
		{"4.7-none-emptydir", "co-conditions", "fail", `message: is "The registry is ready", want "Available: The registry is ready" (STATUS-007)`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "ClusterOperator", "image-registry"), "Available", func(m map[string]any) { m["message"] = "The registry is ready" })
				return o
			}},
		{"4.7-none-emptydir", "co-conditions", "fail", `reason: is "", want "AsExpected"`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "ClusterOperator", "image-registry"), "Degraded", func(m map[string]any) { delete(m, "reason") })
				return o
			}},
		{"4.7-none-emptydir", "co-related-objects", "fail", "without imagepruners.imageregistry.operator.openshift.io/cluster",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				co := find(o, "ClusterOperator", "image-registry")
				list, _, _ := unstructured.NestedSlice(co.Object, "status", "relatedObjects")
				set(co, append(list[:1:1], list[2:]...), "status", "relatedObjects")
				return o
			}},
		{"4.7-none-emptydir", "co-version", "fail", `status.versions[operator]: is "4.7.15", want "4.7.16"`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				set(find(o, "ClusterOperator", "image-registry"), []any{map[string]any{"name": "operator", "version": "4.7.15"}}, "status", "versions")
				return o
			}},
		{"4.7-none-emptydir", "co-follows-config", "fail", `want a line "Available: The registry is ready" (from the Config)`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "ClusterOperator", "image-registry"), "Available", func(m map[string]any) { m["message"] = "Available: The registry has minimum availability" })
				return o
			}},
		{"4.7-none-emptydir", "registry-env", "fail", `env REGISTRY_LOG_LEVEL: is "debug", want "info" for logLevel: Normal (DEPLOY-001)`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setEnv(find(o, "Deployment", "image-registry"), "REGISTRY_LOG_LEVEL", "debug")
				return o
			}},
		{"4.7-none-emptydir", "registry-env", "fail", `env REGISTRY_STORAGE_MAINTENANCE_READONLY: is absent, want "{enabled: true}" for readOnly: true (DEPLOY-004)`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				set(find(o, "Config", "cluster"), true, "spec", "readOnly")
				return o
			}},
		{"4.7-none-emptydir", "registry-pod-label", "fail", "labels[docker-registry]: is absent",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				set(find(o, "Deployment", "image-registry"), map[string]any{"app": "registry"}, "spec", "template", "metadata", "labels")
				return o
			}},
		{"4.7-none-emptydir", "pruner-flag", "fail", "args --prune-registry: is false, want true while Managed (PRUNE-003)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setPrunerArgs(find(o, "CronJob", "image-pruner"), "--prune-registry=true", "--prune-registry=false")
				return o
			}},
		{"4.7-none-emptydir", "storage-status", "fail", `status.storage.managementState: is "Unmanaged", want "Managed" (as the spec) (STOR-011)`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				set(find(o, "Config", "cluster"), "Unmanaged", "status", "storage", "managementState")
				return o
			}},
		{"4.7-none-emptydir", "storage-status", "fail", "status.storage: is emptyDir, want pvc (as spec.storage) (STOR-008)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				set(find(o, "Config", "cluster"), map[string]any{"pvc": map[string]any{"claim": ""}, "managementState": "Managed"}, "spec", "storage")
				return o
			}},
		{"4.7-none-emptydir", "registry-workload", "fail", "deployments.apps/image-registry -n openshift-image-registry: is absent, want present while Managed (MGMT-002)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				return without(o, "Deployment", "image-registry")
			}},
		{"4.7-none-emptydir", "config-conditions", "fail", "status.conditions[Available]: is False (NoReplicasAvailable",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "Config", "cluster"), "Available", func(m map[string]any) {
					m["status"], m["reason"], m["message"] = "False", "NoReplicasAvailable", "The deployment does not have available replicas"
				})
				return o
			}},
		{"4.16-baremetal-removed", "registry-workload", "fail", "is present, want absent while Removed (MGMT-004)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				d := find(mustGet("4.7-none-emptydir").Objects, "Deployment", "image-registry")
				return append(o, d)
			}},
		{"4.16-baremetal-removed", "config-conditions", "fail", "status.conditions[Degraded]: is False, want False (Removed) (STATUS-003)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "Config", "cluster"), "Degraded", func(m map[string]any) { delete(m, "reason"); delete(m, "message") })
				return o
			}},
		{"4.16-baremetal-removed", "co-follows-config", "fail", "status.conditions[Available]: is True (Ready",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "ClusterOperator", "image-registry"), "Available", func(m map[string]any) { m["reason"] = "Ready" })
				return o
			}},
		{"4.4-baremetal-removed", "pruner-flag", "fail", "args --prune-registry: is true, want false while Removed (PRUNE-004)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setPrunerArgs(find(o, "CronJob", "image-pruner"), "--prune-registry=false", "--prune-registry=true")
				return o
			}},
		{"4.14-unmanaged-pvc", "pruner-flag-unmanaged", "pass", "",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setPrunerArgs(find(o, "CronJob", "image-pruner"), "--prune-registry=true", "--prune-registry=false")
				return o
			}},
		{"4.14-unmanaged-pvc", "config-conditions", "fail", "status.conditions[Progressing]: is False (Ready), want False (Unmanaged) (STATUS-002)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "Config", "cluster"), "Progressing", func(m map[string]any) { m["reason"], m["message"] = "Ready", "" })
				return o
			}},
		{"4.18-aws-managed", "trusted-ca", "fail", "data[mirror.shop-prod.example.com..8443]: is absent, want the certificate of configmaps/mirror-registry-ca -n openshift-config (CA-003)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				unstructured.RemoveNestedField(find(o, "ConfigMap", "image-registry-certificates").Object, "data", "mirror.shop-prod.example.com..8443")
				return o
			}},
		{"4.18-aws-managed", "trusted-ca", "fail", "data[image-registry.openshift-image-registry.svc..5000]: is absent",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				unstructured.RemoveNestedField(find(o, "ConfigMap", "image-registry-certificates").Object, "data", "image-registry.openshift-image-registry.svc..5000")
				return o
			}},
		{"4.18-aws-managed", "storage-alerts", "fail", "spec.groups[].rules[].alert: is ImageRegistryStorageReadOnly, want ImageRegistryStorageFull and ImageRegistryStorageReadOnly among them (ALERT-002)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				pr := find(o, "PrometheusRule", "image-registry-operator-alerts")
				groups, _, _ := unstructured.NestedSlice(pr.Object, "spec", "groups")
				g := groups[0].(map[string]any)
				g["rules"] = g["rules"].([]any)[:1]
				set(pr, groups, "spec", "groups")
				return o
			}},
		{"4.18-aws-managed", "removed-alert", "pass", "",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				pr := find(o, "PrometheusRule", "image-registry-operator-alerts")
				groups, _, _ := unstructured.NestedSlice(pr.Object, "spec", "groups")
				groups = append(groups, map[string]any{"name": "doc", "rules": []any{map[string]any{"alert": "ImageRegistryRemoved", "expr": "1"}}})
				set(pr, groups, "spec", "groups")
				return o
			}},
		{"4.18-aws-managed", "credentials", "fail", "secrets/image-registry-private-configuration -n openshift-image-registry data[credentials]: is absent",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				set(find(o, "Secret", "image-registry-private-configuration"), map[string]any{"other": "eA=="}, "data")
				return o
			}},
		{"4.18-aws-managed", "credentials", "fail", "env REGISTRY_STORAGE_S3_ACCESSKEY: is an inline value (not shown)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				d := find(o, "Deployment", "image-registry")
				cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
				c := cs[0].(map[string]any)
				c["env"] = append(c["env"].([]any), map[string]any{"name": "REGISTRY_STORAGE_S3_ACCESSKEY", "value": "AKIA-NOT-A-REAL-KEY"})
				set(d, cs, "spec", "template", "spec", "containers")
				return o
			}},
		{"4.18-aws-managed", "default-route", "fail", `spec.tls.termination: is "edge", want "reencrypt" (ROUTE-002)`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				set(find(o, "Route", "default-route"), "edge", "spec", "tls", "termination")
				return o
			}},
		{"4.18-aws-managed", "default-route", "fail", "is absent, want present for defaultRoute: true (ROUTE-002)",
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				return without(o, "Route", "default-route")
			}},
		{"4.12-two-backends", "storage-one-backend", "fail", `status.conditions: is no word of the conflict`,
			func(o []*unstructured.Unstructured) []*unstructured.Unstructured {
				setCondition(find(o, "Config", "cluster"), "Progressing", func(m map[string]any) { m["message"] = "Unable to apply resources" })
				return o
			}},
	}
	for _, c := range cases {
		t.Run(c.capture+"/"+c.check, func(t *testing.T) {
			cp := mustGet(c.capture)
			var objs []*unstructured.Unstructured
			for _, o := range cp.Objects {
				objs = append(objs, o.DeepCopy())
			}
			objs = c.breakIt(objs)
			check, ok := livecheck.ByName(c.check)
			if !ok {
				t.Fatalf("no check %s", c.check)
			}
			r := memReader{objs}
			rel, _, _ := livecheck.DetectRelease(context.Background(), r, livecheck.AllowAll())
			v := check.Judge(livecheck.Gather(context.Background(), r, livecheck.AllowAll(), rel, check.Inputs))
			if string(v.Result) != c.want || !strings.Contains(says(v), c.says) {
				t.Fatalf("want %s %q, got %s", c.want, c.says, show(v))
			}
			if v.Result == livecheck.Fail && strings.Contains(v.Message(), "AKIA-NOT-A-REAL-KEY") {
				t.Fatalf("a credential value reached the message: %s", v.Message())
			}
		})
	}
}

func mustGet(name string) *captures.Capture {
	c, err := captures.Get(name)
	if err != nil {
		panic(err)
	}
	return c
}
