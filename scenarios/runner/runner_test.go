package runner

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	ktypes "k8s.io/apimachinery/pkg/types"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/scenarios/api/v1alpha1"
	"github.com/irconform/irconform/scenarios/lint"
)

func TestLabels(t *testing.T) {
	cases := []struct {
		name string
		s    v1alpha1.Scenario
		want ginkgo.Labels
	}{
		{
			name: "behaviours, labels, platform in that order",
			s:    v1alpha1.Scenario{Behaviors: []string{"BOOT-003", "STOR-005"}, Labels: []string{"slow", "disruptive"}, Platform: "AWS"},
			want: ginkgo.Labels{"scenario", "BOOT-003", "STOR-005", "slow", "disruptive", "platform:aws"},
		},
		{
			// Label filters are case-sensitive; platform labels are lowercase like the Go specs'.
			name: "platform lowercased",
			s:    v1alpha1.Scenario{Behaviors: []string{"BOOT-001"}, Platform: "BareMetal"},
			want: ginkgo.Labels{"scenario", "BOOT-001", "platform:baremetal"},
		},
		{
			name: "no platform",
			s:    v1alpha1.Scenario{Behaviors: []string{"BOOT-001"}},
			want: ginkgo.Labels{"scenario", "BOOT-001"},
		},
		{
			name: "duplicates dropped, first kept",
			s:    v1alpha1.Scenario{Behaviors: []string{"BOOT-001", "BOOT-001"}, Labels: []string{"slow", "scenario", "slow", "platform:gcp"}, Platform: "GCP"},
			want: ginkgo.Labels{"scenario", "BOOT-001", "slow", "platform:gcp"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Labels(&tc.s); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDescribeAction(t *testing.T) {
	cases := []struct{ step, want string }{
		{`{apply: {kind: Secret, name: s, stringData: {k: v}}}`, "apply Secret s"},
		{`{patch: {kind: Config, merge: {spec: {managementState: Removed}}}}`, "patch Config "},
		{`{delete: {kind: Deployment, name: image-registry}}`, "delete Deployment image-registry"},
		{`{fault: {backend: s3, op: CreateBucket, status: 503}}`, "fault s3 CreateBucket 503"},
		{`{clearFaults: all}`, "clear faults all"},
		{`{wait: 2s}`, "wait 2s"},
		{`{startOperator: true}`, "start the operator"},
		{`{restartOperator: true}`, "restart the operator"},
		{`{expect: [{kind: Config, exists: true}]}`, "expect"},
	}
	for _, tc := range cases {
		s := parseScenario(t, "steps:\n  - "+tc.step+"\n")
		got := "expect"
		if a := DefaultOperations().action(&s.Steps[0]); a != nil {
			got = a.Describe(&s.Steps[0])
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.step, got, tc.want)
		}
	}
}

func TestStepTimeout(t *testing.T) {
	cases := []struct {
		timeout string
		want    time.Duration
		wantErr bool
	}{
		{"", expect.DefaultTimeout, false},
		{"30s", 30 * time.Second, false},
		{"1m30s", 90 * time.Second, false},
		{"500ms", 500 * time.Millisecond, false},
		{"5 seconds", 0, true},
	}
	for _, tc := range cases {
		got, err := stepTimeout(&v1alpha1.Step{Timeout: tc.timeout})
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error: %v", tc.timeout, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.timeout, got, tc.want)
		}
	}
	// The README promises 10s; a change of the shared default must be a README change too.
	if expect.DefaultTimeout != 10*time.Second {
		t.Errorf("default timeout is %s, the README says 10s", expect.DefaultTimeout)
	}
}

func TestUsedBackends(t *testing.T) {
	cases := []struct {
		name string
		s    v1alpha1.Scenario
		want []string
	}{
		{"AWS", v1alpha1.Scenario{Platform: "AWS"}, []string{"s3"}},
		{"GCP", v1alpha1.Scenario{Platform: "GCP"}, []string{"gcs"}},
		{"Azure", v1alpha1.Scenario{Platform: "Azure"}, []string{"azure"}},
		// OpenStack needs Swift only when the scenario says so (a cloud without object storage).
		{"OpenStack", v1alpha1.Scenario{Platform: "OpenStack"}, nil},
		{"BareMetal", v1alpha1.Scenario{Platform: "BareMetal"}, nil},
		{"given bucket", v1alpha1.Scenario{Platform: "OpenStack", Given: v1alpha1.Given{Buckets: []v1alpha1.GivenBucket{{Backend: "swift"}}}}, []string{"swift"}},
		{"fault", v1alpha1.Scenario{Platform: "AWS", Steps: []v1alpha1.Step{{Fault: &v1alpha1.Fault{Backend: "gcs"}}}}, []string{"gcs", "s3"}},
		{"clearFaults one", v1alpha1.Scenario{Platform: "None", Steps: []v1alpha1.Step{{ClearFaults: "azure"}}}, []string{"azure"}},
		// "all" clears whatever runs; it starts nothing.
		{"clearFaults all", v1alpha1.Scenario{Platform: "None", Steps: []v1alpha1.Step{{ClearFaults: "all"}}}, nil},
		{"bucket expectation", v1alpha1.Scenario{Platform: "None", Steps: []v1alpha1.Step{{Expect: []v1alpha1.Expectation{
			{Kind: "Config"}, {Bucket: &v1alpha1.BucketRef{Backend: "swift", Name: "x"}},
		}}}}, []string{"swift"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &run{s: &tc.s, ops: DefaultOperations()}
			got := r.usedBackends()
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// given decodes the first object of a given.objects list written in YAML.
func given(t *testing.T, object string) *v1alpha1.Object {
	t.Helper()
	s := parseScenario(t, "given:\n  objects:\n    - "+object+"\nsteps:\n  - expect: [{kind: Config, exists: true}]\n")
	return &s.Given.Objects[0]
}

func TestManifest(t *testing.T) {
	cases := []struct {
		name, object string
		// want is the whole object, as JSON.
		want string
	}{
		{
			name:   "singleton gets its name, numbers become JSON numbers",
			object: `{kind: Config, spec: {managementState: Removed, replicas: 2}}`,
			want: `{"apiVersion":"imageregistry.operator.openshift.io/v1","kind":"Config","metadata":{"name":"cluster"},` +
				`"spec":{"managementState":"Removed","replicas":2}}`,
		},
		{
			name:   "secret with stringData and type in the default namespace",
			object: `{kind: Secret, name: s, type: Opaque, stringData: {k: v}}`,
			want:   `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"openshift-image-registry"},"stringData":{"k":"v"},"type":"Opaque"}`,
		},
		{
			name:   "configmap data in its own namespace",
			object: `{kind: ConfigMap, name: ca, namespace: openshift-config, data: {"registry.example.com..5000": pem}}`,
			want:   `{"apiVersion":"v1","data":{"registry.example.com..5000":"pem"},"kind":"ConfigMap","metadata":{"name":"ca","namespace":"openshift-config"}}`,
		},
		{
			// name and namespace come from the item, not from metadata.
			name:   "extra metadata kept, name wins",
			object: `{kind: ConfigMap, name: x, metadata: {name: y, labels: {a: b}, finalizers: [f]}}`,
			want:   `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"finalizers":["f"],"labels":{"a":"b"},"name":"x","namespace":"openshift-image-registry"}}`,
		},
		{
			name:   "empty spec left out",
			object: `{kind: ImagePruner, spec: {}}`,
			want:   `{"apiVersion":"imageregistry.operator.openshift.io/v1","kind":"ImagePruner","metadata":{"name":"cluster"}}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := manifest(given(t, tc.object))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(u.Object)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if _, err := manifest(&v1alpha1.Object{Kind: "Configmap"}); err == nil || !strings.Contains(err.Error(), `unknown kind "Configmap"`) {
		t.Errorf("unknown kind: got %v", err)
	}
}

func TestMergeBody(t *testing.T) {
	u, err := manifest(given(t, `{kind: Secret, name: s, stringData: {k: v}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := mergeBody(u)
	if err != nil {
		t.Fatal(err)
	}
	// apiVersion and kind are not fields to merge; the rest is.
	want := `{"metadata":{"name":"s","namespace":"openshift-image-registry"},"stringData":{"k":"v"}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if u.GetKind() != "Secret" || u.GetAPIVersion() != "v1" {
		t.Errorf("the manifest lost its kind: %s %s", u.GetAPIVersion(), u.GetKind())
	}
}

func TestRef(t *testing.T) {
	cases := []struct {
		kind, name, namespace string
		wantAPIVersion        string
		wantName, wantNS      string
	}{
		{"Config", "", "", "imageregistry.operator.openshift.io/v1", "cluster", ""},
		{"Deployment", "", "", "apps/v1", "image-registry", "openshift-image-registry"},
		{"Secret", "s", "openshift-config", "v1", "s", "openshift-config"},
		{"ClusterRole", "r", "", "rbac.authorization.k8s.io/v1", "r", ""},
	}
	for _, tc := range cases {
		u, err := ref(tc.kind, tc.name, tc.namespace)
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		if u.GetAPIVersion() != tc.wantAPIVersion || u.GetKind() != tc.kind || u.GetName() != tc.wantName || u.GetNamespace() != tc.wantNS {
			t.Errorf("%s: got %s %s %s/%s", tc.kind, u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName())
		}
	}
	if _, err := ref("Pod", "p", ""); err == nil {
		t.Error("Pod is not a scenario kind: want an error")
	}
}

func TestPatchFor(t *testing.T) {
	cases := []struct {
		name, patch string
		wantType    ktypes.PatchType
		want        string
	}{
		{
			name:     "merge",
			patch:    `{kind: Config, merge: {spec: {managementState: Removed, replicas: 2}}}`,
			wantType: ktypes.MergePatchType,
			want:     `{"spec":{"managementState":"Removed","replicas":2}}`,
		},
		{
			// null is how a merge patch removes a field: it must reach the API.
			name:     "merge null removes",
			patch:    `{kind: Config, merge: {spec: {storage: {s3: null}}}}`,
			wantType: ktypes.MergePatchType,
			want:     `{"spec":{"storage":{"s3":null}}}`,
		},
		{
			name:     "status merge",
			patch:    `{kind: ImagePruner, status: true, merge: {status: {observedGeneration: 1}}}`,
			wantType: ktypes.MergePatchType,
			want:     `{"status":{"observedGeneration":1}}`,
		},
		{
			name:     "json ops",
			patch:    `{kind: Config, json: [{op: replace, path: /spec/replicas, value: 0}, {op: remove, path: /spec/storage/s3}, {op: move, from: /a, path: /b}, {op: add, path: /spec/readOnly, value: false}]}`,
			wantType: ktypes.JSONPatchType,
			want:     `[{"op":"replace","path":"/spec/replicas","value":0},{"op":"remove","path":"/spec/storage/s3"},{"from":"/a","op":"move","path":"/b"},{"op":"add","path":"/spec/readOnly","value":false}]`,
		},
		{
			// A JSON patch replace needs its value member even when the value is null.
			name:     "json replace with null",
			patch:    `{kind: Config, json: [{op: replace, path: /spec/nodeSelector, value: null}]}`,
			wantType: ktypes.JSONPatchType,
			want:     `[{"op":"replace","path":"/spec/nodeSelector","value":null}]`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := parseScenario(t, "steps:\n  - patch: "+tc.patch+"\n")
			p, err := patchFor(s.Steps[0].Patch)
			if err != nil {
				t.Fatal(err)
			}
			if p.Type() != tc.wantType {
				t.Errorf("type %s, want %s", p.Type(), tc.wantType)
			}
			b, err := p.Data(nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
}

func TestIndent(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"a: 1\n", "\n      a: 1"},
		{"a:\n  b: 1\n\n", "\n      a:\n        b: 1"},
	}
	for _, tc := range cases {
		if got := indent(tc.in); got != tc.want {
			t.Errorf("indent(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFindingsText(t *testing.T) {
	got := findingsText([]lint.Finding{
		{File: "x.yaml", Line: 3, Col: 5, Message: `unknown kind "Configmap"`, Hint: `did you mean "ConfigMap"?`},
		{File: "x.yaml", Line: 9, Col: 1, Message: "bad"},
	})
	want := "    x.yaml:3:5: unknown kind \"Configmap\" (hint: did you mean \"ConfigMap\"?)\n    x.yaml:9:1: bad\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// Nothing a scenario says makes the runner panic, even what lint would have caught: a bad
// regular expression or path is an error of the item.
func TestCompileNeverPanics(t *testing.T) {
	for _, item := range []string{
		`{kind: Config, path: spec.x, matches: "(unclosed"}`,
		`{kind: Deployment, env: {name: A, matches: "[0-9"}}`,
		`{kind: Config, path: "spec..x", equals: 1}`,
		`{kind: Config, path: "{.spec", equals: 1}`,
		`{kind: Nope, exists: true}`,
	} {
		if _, err := newRun().compile(expectation(t, item)); err == nil {
			t.Errorf("%s: want an error", item)
		}
	}
}

func TestRegisteredString(t *testing.T) {
	r := Registered{Specs: []string{"scenario a (scenarios/a.yaml)", "scenario b (scenarios/sub/b.yaml)"}, Files: []string{"scenarios/a.yaml", "scenarios/sub/b.yaml"}}
	want := "2 scenario specs from 2 files:\n  scenario a (scenarios/a.yaml)\n  scenario b (scenarios/sub/b.yaml)"
	if got := r.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
