package render

import (
	"reflect"
	"strings"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func int64p(v int64) *int64 { return &v }

func baseInputs(mut ...func(*imageregistryv1.Config)) RegistryInputs {
	return RegistryInputs{
		Config:               testConfig(mut...),
		Storage:              EmptyDirStorage(),
		Image:                "quay.io/openshift/registry:test",
		ReleaseVersion:       "4.99.0",
		FSGroup:              int64p(1000430000),
		DependenciesChecksum: "sha256:deps",
	}
}

func mustDeployment(t *testing.T, in RegistryInputs) *appsv1.Deployment {
	t.Helper()
	d, err := Deployment(in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseSupplementalGroups(t *testing.T) {
	ns := func(ann map[string]string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace, Annotations: ann}}
	}
	cases := []struct {
		name    string
		ns      *corev1.Namespace
		want    int64
		wantErr string
	}{
		{"typical", ns(map[string]string{SupplementalGroupsAnnotation: "1000430000/10000"}), 1000430000, ""},
		{"zero", ns(map[string]string{SupplementalGroupsAnnotation: "0/1"}), 0, ""},
		{"missing", ns(nil), 0, `namespace "openshift-image-registry" doesn't have annotation openshift.io/sa.scc.supplemental-groups`},
		{"no slash", ns(map[string]string{SupplementalGroupsAnnotation: "1000430000"}), 0, "doesn't contain '/'"},
		{"not a number", ns(map[string]string{SupplementalGroupsAnnotation: "abc/10"}), 0, "unable to parse annotation"},
		{"empty first", ns(map[string]string{SupplementalGroupsAnnotation: "/10"}), 0, "unable to parse annotation"},
		{"nil namespace", nil, 0, "namespace is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSupplementalGroups(tc.ns)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestStrategy(t *testing.T) {
	iv := func(i int32) *intstr.IntOrString { v := intstr.FromInt32(i); return &v }
	sv := func(s string) *intstr.IntOrString { v := intstr.FromString(s); return &v }
	cases := []struct {
		name        string
		replicas    int32
		rollout     string
		force       bool
		wantType    appsv1.DeploymentStrategyType
		unavailable *intstr.IntOrString
		surge       *intstr.IntOrString
	}{
		{"1 replica", 1, "", false, appsv1.RollingUpdateDeploymentStrategyType, iv(0), sv("25%")},
		{"2 replicas", 2, "RollingUpdate", false, appsv1.RollingUpdateDeploymentStrategyType, iv(1), iv(1)},
		{"3 replicas", 3, "", false, appsv1.RollingUpdateDeploymentStrategyType, iv(2), sv("25%")},
		{"0 replicas (upstream -1)", 0, "", false, appsv1.RollingUpdateDeploymentStrategyType, iv(-1), sv("25%")},
		{"recreate", 2, "Recreate", false, appsv1.RecreateDeploymentStrategyType, nil, nil},
		{"force recreate (pvc)", 3, "RollingUpdate", true, appsv1.RecreateDeploymentStrategyType, nil, nil},
		{"unknown strategy → rolling", 1, "Bogus", false, appsv1.RollingUpdateDeploymentStrategyType, iv(0), sv("25%")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(func(c *imageregistryv1.Config) { c.Spec.Replicas = tc.replicas; c.Spec.RolloutStrategy = tc.rollout })
			s := Strategy(cfg, tc.force)
			if s.Type != tc.wantType {
				t.Fatalf("type %s", s.Type)
			}
			if tc.unavailable == nil {
				if s.RollingUpdate != nil {
					t.Fatal("recreate has rollingUpdate")
				}
				return
			}
			if !reflect.DeepEqual(s.RollingUpdate.MaxUnavailable, tc.unavailable) || !reflect.DeepEqual(s.RollingUpdate.MaxSurge, tc.surge) {
				t.Fatalf("got %v/%v", s.RollingUpdate.MaxUnavailable, s.RollingUpdate.MaxSurge)
			}
		})
	}
}

func TestAffinity(t *testing.T) {
	user := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{}}
	for _, tc := range []struct {
		replicas int32
		user     *corev1.Affinity
		wantAnti bool
		wantUser bool
	}{
		{0, nil, false, false}, {1, nil, false, false}, {2, nil, true, false}, {3, nil, false, false}, {2, user, false, true}, {1, user, false, true},
	} {
		a := Affinity(testConfig(func(c *imageregistryv1.Config) { c.Spec.Replicas = tc.replicas; c.Spec.Affinity = tc.user }))
		switch {
		case tc.wantUser:
			if a != user {
				t.Errorf("replicas %d: user affinity not used", tc.replicas)
			}
		case tc.wantAnti:
			terms := a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
			if len(terms) != 1 || terms[0].TopologyKey != "kubernetes.io/hostname" ||
				!reflect.DeepEqual(terms[0].Namespaces, []string{"openshift-image-registry"}) ||
				!reflect.DeepEqual(terms[0].LabelSelector.MatchLabels, map[string]string{"docker-registry": "default"}) {
				t.Errorf("anti-affinity %+v", terms)
			}
		default:
			if a != nil {
				t.Errorf("replicas %d: unexpected affinity %+v", tc.replicas, a)
			}
		}
	}
}

func TestNodeSelector(t *testing.T) {
	cases := []struct {
		in, want map[string]string
	}{
		{nil, map[string]string{"kubernetes.io/os": "linux"}},
		{map[string]string{}, map[string]string{"kubernetes.io/os": "linux"}},
		{map[string]string{"node-role.kubernetes.io/infra": ""}, map[string]string{"node-role.kubernetes.io/infra": "", "kubernetes.io/os": "linux"}},
		{map[string]string{"kubernetes.io/os": "windows"}, map[string]string{"kubernetes.io/os": "windows"}},
	}
	for _, tc := range cases {
		orig := map[string]string{}
		for k, v := range tc.in {
			orig[k] = v
		}
		if got := NodeSelector(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("NodeSelector(%v) = %v", tc.in, got)
		}
		if len(tc.in) != len(orig) {
			t.Errorf("input mutated")
		}
	}
}

func TestTopologySpreadConstraints(t *testing.T) {
	keys := func(c []corev1.TopologySpreadConstraint) []string {
		var out []string
		for _, x := range c {
			out = append(out, x.TopologyKey)
		}
		return out
	}
	user := []corev1.TopologySpreadConstraint{{MaxSkew: 3, TopologyKey: "x"}}
	cases := []struct {
		name     string
		mut      func(*imageregistryv1.Config)
		zone     bool
		wantKeys []string
	}{
		{"default no zone", func(*imageregistryv1.Config) {}, false, []string{"kubernetes.io/hostname", "node-role.kubernetes.io/worker"}},
		{"default zone", func(*imageregistryv1.Config) {}, true, []string{"kubernetes.io/hostname", "node-role.kubernetes.io/worker", "topology.kubernetes.io/zone"}},
		{"nodeSelector set → none", func(c *imageregistryv1.Config) { c.Spec.NodeSelector = map[string]string{"a": "b"} }, true, nil},
		{"empty nodeSelector map → none", func(c *imageregistryv1.Config) { c.Spec.NodeSelector = map[string]string{} }, true, nil},
		{"user constraints win", func(c *imageregistryv1.Config) {
			c.Spec.NodeSelector = map[string]string{"a": "b"}
			c.Spec.TopologySpreadConstraints = user
		}, true, []string{"x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := TopologySpreadConstraints(testConfig(tc.mut), tc.zone)
			if !reflect.DeepEqual(keys(got), tc.wantKeys) {
				t.Fatalf("keys %v want %v", keys(got), tc.wantKeys)
			}
		})
	}
	c := TopologySpreadConstraints(testConfig(), false)[0]
	if c.MaxSkew != 1 || c.WhenUnsatisfiable != corev1.DoNotSchedule || !reflect.DeepEqual(c.MatchLabelKeys, []string{"pod-template-hash"}) ||
		*c.NodeAffinityPolicy != corev1.NodeInclusionPolicyHonor || *c.NodeTaintsPolicy != corev1.NodeInclusionPolicyHonor ||
		!reflect.DeepEqual(c.LabelSelector.MatchLabels, map[string]string{"docker-registry": "default"}) {
		t.Fatalf("constraint %+v", c)
	}
}

func TestDeploymentObject(t *testing.T) {
	d := mustDeployment(t, baseInputs())
	if d.Name != "image-registry" || d.Namespace != "openshift-image-registry" {
		t.Fatalf("name %s/%s", d.Namespace, d.Name)
	}
	if !reflect.DeepEqual(d.Labels, map[string]string{"docker-registry": "default"}) {
		t.Fatalf("labels %v", d.Labels)
	}
	if d.Annotations["release.openshift.io/version"] != "4.99.0" || !strings.HasPrefix(d.Annotations["imageregistry.operator.openshift.io/checksum"], "sha256:") {
		t.Fatalf("annotations %v", d.Annotations)
	}
	if *d.Spec.Replicas != 1 || *d.Spec.ProgressDeadlineSeconds != 120 ||
		!reflect.DeepEqual(d.Spec.Selector.MatchLabels, map[string]string{"docker-registry": "default"}) {
		t.Fatalf("spec %+v", d.Spec)
	}
	pod := d.Spec.Template
	if !reflect.DeepEqual(pod.Labels, map[string]string{"docker-registry": "default"}) {
		t.Fatalf("pod labels %v", pod.Labels)
	}
	wantAnn := map[string]string{
		"target.workload.openshift.io/management":                   `{"effect": "PreferredDuringScheduling"}`,
		"imageregistry.operator.openshift.io/dependencies-checksum": "sha256:deps",
		"openshift.io/required-scc":                                 "restricted-v2",
	}
	if !reflect.DeepEqual(pod.Annotations, wantAnn) {
		t.Fatalf("pod annotations %v", pod.Annotations)
	}
	ps := pod.Spec
	if ps.ServiceAccountName != "registry" || ps.PriorityClassName != "system-cluster-critical" || *ps.TerminationGracePeriodSeconds != 55 {
		t.Fatalf("pod spec basics %+v", ps)
	}
	if *ps.SecurityContext.FSGroup != 1000430000 || *ps.SecurityContext.FSGroupChangePolicy != corev1.FSGroupChangeOnRootMismatch {
		t.Fatalf("security context %+v", ps.SecurityContext)
	}
	if !reflect.DeepEqual(ps.NodeSelector, map[string]string{"kubernetes.io/os": "linux"}) {
		t.Fatalf("nodeSelector %v", ps.NodeSelector)
	}
	if len(ps.Containers) != 1 {
		t.Fatal("containers")
	}
	c := ps.Containers[0]
	if c.Name != "registry" || c.Image != "quay.io/openshift/registry:test" {
		t.Fatalf("container %s %s", c.Name, c.Image)
	}
	if !reflect.DeepEqual(c.Command, []string{"/bin/sh", "-c", "mkdir -p /etc/pki/ca-trust/extracted/{edk2,java,openssl,pem} && update-ca-trust extract --output /etc/pki/ca-trust/extracted/ && exec /usr/bin/dockerregistry"}) {
		t.Fatalf("command %q", c.Command)
	}
	if !reflect.DeepEqual(c.Ports, []corev1.ContainerPort{{ContainerPort: 5000, Protocol: corev1.ProtocolTCP}}) {
		t.Fatalf("ports %v", c.Ports)
	}
	if !*c.SecurityContext.ReadOnlyRootFilesystem || c.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError {
		t.Fatal("container security/termination")
	}
	if !reflect.DeepEqual(c.Lifecycle.PreStop.Exec.Command, []string{"sleep", "25"}) {
		t.Fatal("preStop")
	}
	for _, p := range []struct {
		probe *corev1.Probe
		delay int32
	}{{c.LivenessProbe, 5}, {c.ReadinessProbe, 15}} {
		h := p.probe.HTTPGet
		if h.Scheme != corev1.URISchemeHTTPS || h.Path != "/healthz" || h.Port.IntValue() != 5000 || p.probe.TimeoutSeconds != 5 || p.probe.InitialDelaySeconds != p.delay {
			t.Fatalf("probe %+v", p.probe)
		}
	}
	if !c.Resources.Requests.Cpu().Equal(resource.MustParse("100m")) || !c.Resources.Requests.Memory().Equal(resource.MustParse("256Mi")) || len(c.Resources.Limits) != 0 {
		t.Fatalf("resources %v", c.Resources)
	}
	// volumes (DEP-VOL-01): storage first, then the fixed ones.
	var vnames []string
	for _, v := range ps.Volumes {
		vnames = append(vnames, v.Name)
	}
	wantV := []string{"registry-storage", "registry-tls", "ca-trust-extracted", "registry-certificates", "trusted-ca", "installation-pull-secrets", "bound-sa-token"}
	if !reflect.DeepEqual(vnames, wantV) {
		t.Fatalf("volumes %v", vnames)
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m
	}
	wantM := map[string]string{
		"registry-storage": "/registry", "registry-tls": "/etc/secrets", "ca-trust-extracted": "/etc/pki/ca-trust/extracted",
		"registry-certificates": "/etc/pki/ca-trust/source/anchors", "trusted-ca": "/usr/share/pki/ca-trust-source",
		"installation-pull-secrets": "/var/lib/kubelet/", "bound-sa-token": "/var/run/secrets/openshift/serviceaccount",
	}
	for n, p := range wantM {
		if mounts[n].MountPath != p {
			t.Errorf("mount %s at %q want %q", n, mounts[n].MountPath, p)
		}
	}
	if !mounts["bound-sa-token"].ReadOnly {
		t.Error("bound-sa-token not read-only")
	}
	vol := map[string]corev1.Volume{}
	for _, v := range ps.Volumes {
		vol[v.Name] = v
	}
	if vol["registry-tls"].Projected.Sources[0].Secret.Name != "image-registry-tls" {
		t.Error("registry-tls source")
	}
	if tc := vol["trusted-ca"].ConfigMap; tc.Name != "trusted-ca" || !*tc.Optional || tc.Items[0].Key != "ca-bundle.crt" || tc.Items[0].Path != "anchors/ca-bundle.crt" {
		t.Errorf("trusted-ca %+v", tc)
	}
	if ps := vol["installation-pull-secrets"].Secret; ps.SecretName != "installation-pull-secrets" || !*ps.Optional || ps.Items[0].Key != ".dockerconfigjson" || ps.Items[0].Path != "config.json" {
		t.Errorf("pull secret %+v", ps)
	}
	if sa := vol["bound-sa-token"].Projected.Sources[0].ServiceAccountToken; sa.Audience != "openshift" || sa.Path != "token" {
		t.Errorf("sa token %+v", sa)
	}
	if vol["registry-certificates"].ConfigMap.Name != "image-registry-certificates" {
		t.Error("registry-certificates")
	}
}

func TestDeploymentVariants(t *testing.T) {
	limits := &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")}}
	tol := []corev1.Toleration{{Key: "node-role.kubernetes.io/master", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
	cases := []struct {
		name  string
		in    func() RegistryInputs
		check func(*testing.T, *appsv1.Deployment)
	}{
		{"resources replace defaults", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.Resources = limits })
		}, func(t *testing.T, d *appsv1.Deployment) {
			r := d.Spec.Template.Spec.Containers[0].Resources
			if len(r.Requests) != 0 || r.Limits.Memory().String() != "512Mi" {
				t.Fatalf("resources %v", r)
			}
		}},
		{"tolerations copied", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.Tolerations = tol })
		}, func(t *testing.T, d *appsv1.Deployment) {
			if !reflect.DeepEqual(d.Spec.Template.Spec.Tolerations, tol) {
				t.Fatal("tolerations")
			}
		}},
		{"no fsGroup when unknown", func() RegistryInputs { in := baseInputs(); in.FSGroup = nil; return in },
			func(t *testing.T, d *appsv1.Deployment) {
				if d.Spec.Template.Spec.SecurityContext != nil {
					t.Fatal("security context without fsGroup")
				}
			}},
		{"pvc forces recreate and mounts claim", func() RegistryInputs {
			in := baseInputs(func(c *imageregistryv1.Config) { c.Spec.Replicas = 1; c.Spec.RolloutStrategy = "RollingUpdate" })
			in.Storage = PVCStorage("my-claim")
			return in
		}, func(t *testing.T, d *appsv1.Deployment) {
			if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				t.Fatal("not recreate")
			}
			if d.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "my-claim" {
				t.Fatal("claim")
			}
		}},
		{"replicas 3", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.Replicas = 3 })
		}, func(t *testing.T, d *appsv1.Deployment) {
			if *d.Spec.Replicas != 3 || d.Spec.Template.Spec.Affinity != nil {
				t.Fatal("replicas/affinity")
			}
		}},
		{"overrides", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) {
				c.Spec.UnsupportedConfigOverrides = runtime.RawExtension{Raw: []byte(`{"deployment":{"runtimeClassName":"kata","annotations":{"x/y":"z"}}}`)}
			})
		}, func(t *testing.T, d *appsv1.Deployment) {
			if *d.Spec.Template.Spec.RuntimeClassName != "kata" || d.Annotations["x/y"] != "z" || d.Spec.Template.Annotations["x/y"] != "z" {
				t.Fatal("overrides not applied")
			}
		}},
		{"zone spread", func() RegistryInputs { in := baseInputs(); in.NodesHaveZoneLabel = true; return in },
			func(t *testing.T, d *appsv1.Deployment) {
				if len(d.Spec.Template.Spec.TopologySpreadConstraints) != 3 {
					t.Fatal("zone constraint")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, mustDeployment(t, tc.in())) })
	}
}

func TestDeploymentErrors(t *testing.T) {
	cases := []struct {
		name string
		in   RegistryInputs
		want string
	}{
		{"nil config", RegistryInputs{}, "config is nil"},
		{"negative replicas", baseInputs(func(c *imageregistryv1.Config) { c.Spec.Replicas = -1 }), "replicas must be greater than or equal to 0"},
		{"dup routes", baseInputs(func(c *imageregistryv1.Config) {
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "x"}, {Name: "x"}}
		}), "duplication of names"},
		{"negative requests", baseInputs(func(c *imageregistryv1.Config) { c.Spec.Requests.Write.MaxRunning = -1 }), "Requests.Write.MaxRunning must be positive number"},
		{"bad overrides", baseInputs(func(c *imageregistryv1.Config) {
			c.Spec.UnsupportedConfigOverrides = runtime.RawExtension{Raw: []byte(`{"deployment":`)}
		}), "invalid unsupportedConfigOverrides: "},
		{"bad env value", func() RegistryInputs {
			in := baseInputs()
			in.Storage.Env = append(in.Storage.Env, EnvVar{Name: "X", Value: make(chan int)})
			return in
		}(), "unable to encode environment variable X"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Deployment(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
}

// The checksum annotation must change when any input that affects the pod
// changes, and stay equal otherwise.
func TestDeploymentChecksum(t *testing.T) {
	base := mustDeployment(t, baseInputs()).Annotations[ChecksumAnnotation]
	if again := mustDeployment(t, baseInputs()).Annotations[ChecksumAnnotation]; again != base {
		t.Fatal("checksum not stable across identical renders")
	}
	changes := []struct {
		name string
		in   func() RegistryInputs
	}{
		{"image", func() RegistryInputs { in := baseInputs(); in.Image = "other"; return in }},
		{"release version", func() RegistryInputs { in := baseInputs(); in.ReleaseVersion = "5"; return in }},
		{"fsGroup", func() RegistryInputs { in := baseInputs(); in.FSGroup = int64p(1); return in }},
		{"deps checksum", func() RegistryInputs { in := baseInputs(); in.DependenciesChecksum = "sha256:other"; return in }},
		{"zone label", func() RegistryInputs { in := baseInputs(); in.NodesHaveZoneLabel = true; return in }},
		{"storage", func() RegistryInputs { in := baseInputs(); in.Storage = PVCStorage("c"); return in }},
		{"cluster proxy", func() RegistryInputs {
			in := baseInputs()
			in.ClusterProxy = &configv1.Proxy{Status: configv1.ProxyStatus{HTTPProxy: "http://p"}}
			return in
		}},
		{"http secret", func() RegistryInputs { return baseInputs(func(c *imageregistryv1.Config) { c.Spec.HTTPSecret = "x" }) }},
		{"log level", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.LogLevel = operatorv1.Debug })
		}},
		{"readOnly", func() RegistryInputs { return baseInputs(func(c *imageregistryv1.Config) { c.Spec.ReadOnly = true }) }},
		{"replicas", func() RegistryInputs { return baseInputs(func(c *imageregistryv1.Config) { c.Spec.Replicas = 2 }) }},
		{"rollout", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.RolloutStrategy = "Recreate" })
		}},
		{"nodeSelector", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.NodeSelector = map[string]string{"a": "b"} })
		}},
		{"resources", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.Resources = &corev1.ResourceRequirements{} })
		}},
	}
	seen := map[string]string{base: "base"}
	for _, ch := range changes {
		sum := mustDeployment(t, ch.in()).Annotations[ChecksumAnnotation]
		if prev, dup := seen[sum]; dup {
			t.Errorf("%s: checksum equal to %s", ch.name, prev)
		}
		seen[sum] = ch.name
	}
	// Inputs that do not affect the Deployment leave it unchanged.
	same := []struct {
		name string
		in   func() RegistryInputs
	}{
		{"config metadata", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.ResourceVersion = "99"; c.Generation = 7 })
		}},
		{"routes", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Spec.DefaultRoute = true })
		}},
		{"status", func() RegistryInputs {
			return baseInputs(func(c *imageregistryv1.Config) { c.Status.ReadyReplicas = 3 })
		}},
		{"storage secret data", func() RegistryInputs {
			in := baseInputs()
			in.Storage.SecretData = map[string]string{"credentials": "x"}
			return in
		}},
	}
	for _, s := range same {
		if sum := mustDeployment(t, s.in()).Annotations[ChecksumAnnotation]; sum != base {
			t.Errorf("%s changed the checksum", s.name)
		}
	}
}

func TestChecksumAndDependencies(t *testing.T) {
	sec := func(v string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", ResourceVersion: v}, Data: map[string][]byte{"k": []byte("v")}}
	}
	if Checksum(sec("1")) != Checksum(sec("2")) {
		t.Error("metadata changes the checksum")
	}
	changed := sec("1")
	changed.Data["k"] = []byte("w")
	if Checksum(sec("1")) == Checksum(changed) {
		t.Error("data change not seen")
	}
	sd := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, StringData: map[string]string{"k": "v"}}
	if Checksum(sec("1")) != Checksum(sd) {
		t.Error("stringData and data should hash alike")
	}
	var nilSec *corev1.Secret
	var nilCM *corev1.ConfigMap
	if Checksum(nilSec) == Checksum(&corev1.Secret{}) || Checksum(nilCM) == Checksum(&corev1.ConfigMap{}) {
		t.Error("absent and empty hash alike")
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}, BinaryData: map[string][]byte{"b": {1}}}
	cm2 := cm.DeepCopy()
	cm2.BinaryData["b"] = []byte{2}
	if Checksum(cm) == Checksum(cm2) {
		t.Error("binaryData change not seen")
	}
	if Checksum("a", "b") == Checksum("b", "a") {
		t.Error("order ignored")
	}
	if !strings.HasPrefix(Checksum(), "sha256:") || len(Checksum()) != len("sha256:")+64 {
		t.Errorf("format %q", Checksum())
	}
	if Checksum(make(chan int)) == "" {
		t.Error("unmarshalable input must still hash")
	}

	st := StorageConfig{Volumes: []corev1.Volume{
		{Name: "a", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "cloudfront-key"}}},
		{Name: "b", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "ca"}}}},
		{Name: "c", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
			{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "proj-secret"}}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "proj-cm"}}},
		}}}},
	}}
	cms, secs := DependencyNames(st)
	if !reflect.DeepEqual(cms, []string{"ca", "image-registry-certificates", "proj-cm", "trusted-ca"}) {
		t.Errorf("configmaps %v", cms)
	}
	if !reflect.DeepEqual(secs, []string{"cloudfront-key", "image-registry-private-configuration", "image-registry-tls", "installation-pull-secrets", "proj-secret"}) {
		t.Errorf("secrets %v", secs)
	}
}

func TestPodDisruptionBudget(t *testing.T) {
	for _, tc := range []struct {
		replicas int32
		want     int
	}{{-1, 0}, {0, 0}, {1, 0}, {2, 1}, {5, 1}} {
		p := PodDisruptionBudget(tc.replicas)
		if p.Name != "image-registry" || p.Namespace != "openshift-image-registry" {
			t.Fatal("name")
		}
		if p.Spec.MinAvailable.IntValue() != tc.want {
			t.Errorf("replicas %d: minAvailable %v", tc.replicas, p.Spec.MinAvailable)
		}
		if *p.Spec.UnhealthyPodEvictionPolicy != "AlwaysAllow" || !reflect.DeepEqual(p.Spec.Selector.MatchLabels, map[string]string{"docker-registry": "default"}) {
			t.Error("policy/selector")
		}
	}
}
