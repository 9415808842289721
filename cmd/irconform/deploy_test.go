package main

import (
	"bytes"
	"io"
	"os"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// sonobuoyPlugin is the part of sonobuoy's plugin definition (pkg/plugin/manifest) irconform
// relies on.
type sonobuoyPlugin struct {
	Config struct {
		Driver       string   `json:"driver"`
		PluginName   string   `json:"plugin-name"`
		ResultFormat string   `json:"result-format"`
		ResultFiles  []string `json:"result-files"`
		Description  string   `json:"description"`
		SourceURL    string   `json:"source-url"`
	} `json:"sonobuoy-config"`
	Spec    corev1.Container `json:"spec"`
	PodSpec *corev1.PodSpec  `json:"podSpec"`
}

// TestSonobuoyPluginDefinition: a Job plugin with JUnit results, run as the ServiceAccount
// the shipped RBAC binds, with the in-cluster entry point and the results volume where
// sonobuoy mounts it.
func TestSonobuoyPluginDefinition(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/sonobuoy/irconform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var p sonobuoyPlugin
	if err := yaml.UnmarshalStrict(raw, &p); err != nil {
		t.Fatalf("plugin definition: %v", err)
	}
	c := p.Config
	if c.Driver != "Job" || c.PluginName != pluginName || c.ResultFormat != "junit" || !slices.Equal(c.ResultFiles, []string{"junit.xml"}) || c.Description == "" || c.SourceURL == "" {
		t.Errorf("sonobuoy-config %+v", c)
	}
	if p.PodSpec == nil || p.PodSpec.ServiceAccountName != "irconform" || p.PodSpec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("podSpec %+v", p.PodSpec)
	}
	if !slices.Equal(p.Spec.Command, []string{"/usr/bin/irconform"}) || !slices.Equal(p.Spec.Args, []string{"run", "--in-cluster"}) {
		t.Errorf("entry point %v %v, want irconform run --in-cluster (results dir from $SONOBUOY_RESULTS_DIR)", p.Spec.Command, p.Spec.Args)
	}
	if len(p.Spec.VolumeMounts) != 1 || p.Spec.VolumeMounts[0].Name != "results" || p.Spec.VolumeMounts[0].MountPath != "/tmp/sonobuoy/results" {
		t.Errorf("volume mounts %+v, want sonobuoy's results volume at /tmp/sonobuoy/results", p.Spec.VolumeMounts)
	}
	sa := objectsOf(t, "../../deploy/sonobuoy/rbac.yaml", "ServiceAccount")
	if len(sa) != 1 || sa[0]["metadata"].(map[string]any)["name"] != p.PodSpec.ServiceAccountName {
		t.Errorf("rbac.yaml ServiceAccount %v, want the plugin's %s", sa, p.PodSpec.ServiceAccountName)
	}
}

// TestReaderRBACIsReadOnly: the shipped roles only get, each object by name where its name
// is known; the one Secret is named.
func TestReaderRBACIsReadOnly(t *testing.T) {
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, obj := range objectsOf(t, "../../deploy/rbac/irconform-reader.yaml", kind) {
			raw, _ := yaml.Marshal(obj)
			var role rbacv1.ClusterRole
			if err := yaml.Unmarshal(raw, &role); err != nil {
				t.Fatal(err)
			}
			for _, r := range role.Rules {
				if !slices.Equal(r.Verbs, []string{"get"}) {
					t.Errorf("%s %s: verbs %v, want get only", kind, role.Name, r.Verbs)
				}
				if slices.Contains(r.Resources, "*") || slices.Contains(r.APIGroups, "*") {
					t.Errorf("%s %s: wildcard in %+v", kind, role.Name, r)
				}
				if slices.Contains(r.Resources, "secrets") && !slices.Equal(r.ResourceNames, []string{"image-registry-private-configuration"}) {
					t.Errorf("%s %s: secrets without naming the one a check needs: %+v", kind, role.Name, r)
				}
			}
		}
	}
}

func objectsOf(t *testing.T, path, kind string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if obj["kind"] == kind {
			out = append(out, obj)
		}
	}
	return out
}
