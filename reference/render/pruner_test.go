package render

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPrunerDefaults(t *testing.T) {
	d := PrunerDefaults()
	if d.Suspend == nil || *d.Suspend || *d.KeepTagRevisions != 3 || *d.SuccessfulJobsHistoryLimit != 3 || *d.FailedJobsHistoryLimit != 3 || !d.IgnoreInvalidImageReferences {
		t.Fatalf("%+v", d)
	}
	if d.Schedule != "" || d.KeepYoungerThan != nil || d.KeepYoungerThanDuration != nil || d.LogLevel != "" || d.Resources != nil ||
		d.Affinity != nil || d.NodeSelector != nil || d.Tolerations != nil {
		t.Fatalf("unexpected fields set: %+v", d)
	}
}

func pruner(mut ...func(*imageregistryv1.ImagePrunerSpec)) *imageregistryv1.ImagePruner {
	p := &imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}, Spec: PrunerDefaults()}
	for _, m := range mut {
		m(&p.Spec)
	}
	return p
}

func TestPrunerArgs(t *testing.T) {
	h := time.Hour
	cases := []struct {
		name     string
		mut      func(*imageregistryv1.ImagePrunerSpec)
		prune    bool
		url      string
		wantTail []string // args after "oc adm prune images"
	}{
		{"managed", func(*imageregistryv1.ImagePrunerSpec) {}, true, "https://image-registry.openshift-image-registry.svc:5000", []string{
			"--confirm=true", "--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt", "--keep-tag-revisions=3",
			"--keep-younger-than=60m", "--ignore-invalid-refs=true", "--loglevel=1",
			"--prune-registry=true", "--registry-url=https://image-registry.openshift-image-registry.svc:5000"}},
		{"bare host gets https", func(*imageregistryv1.ImagePrunerSpec) {}, true, "image-registry.openshift-image-registry.svc:5000", []string{
			"--confirm=true", "--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt", "--keep-tag-revisions=3",
			"--keep-younger-than=60m", "--ignore-invalid-refs=true", "--loglevel=1",
			"--prune-registry=true", "--registry-url=https://image-registry.openshift-image-registry.svc:5000"}},
		{"managed without url", func(*imageregistryv1.ImagePrunerSpec) {}, true, "", []string{
			"--confirm=true", "--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt", "--keep-tag-revisions=3",
			"--keep-younger-than=60m", "--ignore-invalid-refs=true", "--loglevel=1", "--prune-registry=true"}},
		{"removed/unmanaged ignore url", func(s *imageregistryv1.ImagePrunerSpec) {
			k := 5
			s.KeepTagRevisions = &k
			s.IgnoreInvalidImageReferences = false
			s.LogLevel = operatorv1.Debug
			s.KeepYoungerThanDuration = &metav1.Duration{Duration: h}
		}, false, "https://ignored", []string{
			"--confirm=true", "--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt", "--keep-tag-revisions=5",
			"--keep-younger-than=1h0m0s", "--ignore-invalid-refs=false", "--loglevel=4", "--prune-registry=false"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := pruner(tc.mut)
			args := PrunerArgs(p.Spec, tc.prune, tc.url)
			want := append([]string{"oc", "adm", "prune", "images"}, tc.wantTail...)
			if !reflect.DeepEqual(args, want) {
				t.Fatalf("args\n got %q\nwant %q", args, want)
			}
			cj := PrunerCronJob(p, tc.prune, tc.url, "img")
			if !reflect.DeepEqual(cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args, want) {
				t.Fatal("cronjob args differ")
			}
		})
	}
}

func TestPrunerKeepYoungerThanAndLogLevel(t *testing.T) {
	d90 := 90 * time.Minute
	cases := []struct {
		name string
		spec imageregistryv1.ImagePrunerSpec
		want string
	}{
		{"default literal", imageregistryv1.ImagePrunerSpec{}, "60m"},
		{"deprecated field", imageregistryv1.ImagePrunerSpec{KeepYoungerThan: &d90}, "1h30m0s"},
		{"duration wins", imageregistryv1.ImagePrunerSpec{KeepYoungerThan: &d90, KeepYoungerThanDuration: &metav1.Duration{Duration: time.Hour}}, "1h0m0s"},
		{"zero duration", imageregistryv1.ImagePrunerSpec{KeepYoungerThanDuration: &metav1.Duration{}}, "0s"},
	}
	for _, tc := range cases {
		if got := PrunerKeepYoungerThan(tc.spec); got != tc.want {
			t.Errorf("%s: %q want %q", tc.name, got, tc.want)
		}
	}
	for l, want := range map[operatorv1.LogLevel]int{"": 1, operatorv1.Normal: 1, operatorv1.Debug: 4, operatorv1.Trace: 6, operatorv1.TraceAll: 8, "Bogus": 1} {
		if got := PrunerLogLevel(l); got != want {
			t.Errorf("loglevel %q: %d want %d", l, got, want)
		}
	}
}

func TestPrunerCronJob(t *testing.T) {
	cj := PrunerCronJob(pruner(), true, InternalRegistryHostname, "quay.io/openshift/cli:test")
	if cj.Name != "image-pruner" || cj.Namespace != "openshift-image-registry" {
		t.Fatal("name")
	}
	s := cj.Spec
	if s.Schedule != "0 0 * * *" || *s.Suspend || s.ConcurrencyPolicy != batchv1.ForbidConcurrent || *s.SuccessfulJobsHistoryLimit != 3 ||
		*s.FailedJobsHistoryLimit != 3 || *s.StartingDeadlineSeconds != 3600 {
		t.Fatalf("spec %+v", s)
	}
	if !reflect.DeepEqual(s.JobTemplate.Labels, map[string]string{"created-by": "image-pruner"}) || *s.JobTemplate.Spec.BackoffLimit != 0 {
		t.Fatal("job template")
	}
	pod := s.JobTemplate.Spec.Template
	if !reflect.DeepEqual(pod.Labels, map[string]string{"app": "image-pruner"}) || pod.Annotations["openshift.io/required-scc"] != "restricted-v2" {
		t.Fatal("pod meta")
	}
	ps := pod.Spec
	if ps.RestartPolicy != corev1.RestartPolicyNever || ps.ServiceAccountName != "pruner" || ps.PriorityClassName != "system-cluster-critical" {
		t.Fatal("pod spec")
	}
	if !reflect.DeepEqual(ps.Affinity, &corev1.Affinity{}) || !reflect.DeepEqual(ps.NodeSelector, map[string]string{}) || !reflect.DeepEqual(ps.Tolerations, []corev1.Toleration{}) {
		t.Fatal("placement defaults")
	}
	if len(ps.Volumes) != 1 || ps.Volumes[0].Name != "serviceca" || ps.Volumes[0].ConfigMap.Name != "serviceca" {
		t.Fatal("volume")
	}
	c := ps.Containers[0]
	if c.Name != "image-pruner" || c.Image != "quay.io/openshift/cli:test" || !*c.SecurityContext.ReadOnlyRootFilesystem ||
		c.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError {
		t.Fatal("container")
	}
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/var/run/configmaps/serviceca" || !c.VolumeMounts[0].ReadOnly {
		t.Fatal("mount")
	}
	if !reflect.DeepEqual(c.Command[:2], []string{"/bin/sh", "-c"}) || len(c.Command) != 3 {
		t.Fatalf("command %q", c.Command)
	}
	if !c.Resources.Requests.Cpu().Equal(resource.MustParse("100m")) || !c.Resources.Requests.Memory().Equal(resource.MustParse("256Mi")) {
		t.Fatal("resources")
	}
	if last := c.Args[len(c.Args)-1]; last != "--registry-url=https://image-registry.openshift-image-registry.svc:5000" {
		t.Fatalf("last arg %q", last)
	}

	// Spec values flow through.
	suspend := true
	ok, failed := int32(1), int32(7)
	tol := []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}}
	res := &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}
	aff := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{}}
	cj = PrunerCronJob(pruner(func(s *imageregistryv1.ImagePrunerSpec) {
		s.Schedule, s.Suspend, s.SuccessfulJobsHistoryLimit, s.FailedJobsHistoryLimit = "10 10 * * *", &suspend, &ok, &failed
		s.Tolerations, s.Resources, s.Affinity, s.NodeSelector = tol, res, aff, map[string]string{"a": "b"}
	}), false, "", "img")
	s = cj.Spec
	ps = s.JobTemplate.Spec.Template.Spec
	if s.Schedule != "10 10 * * *" || !*s.Suspend || *s.SuccessfulJobsHistoryLimit != 1 || *s.FailedJobsHistoryLimit != 7 ||
		!reflect.DeepEqual(ps.Tolerations, tol) || !reflect.DeepEqual(ps.Affinity, aff) || ps.NodeSelector["a"] != "b" ||
		ps.Containers[0].Resources.Limits.Memory().String() != "1Gi" {
		t.Fatalf("spec not honoured: %+v", s)
	}
	// A nil pruner renders the defaults.
	if nilCJ := PrunerCronJob(nil, false, "", "img"); nilCJ.Spec.Schedule != "0 0 * * *" || !strings.Contains(strings.Join(nilCJ.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args, " "), "--keep-tag-revisions=3") {
		t.Fatal("nil pruner")
	}
}

// The retry wrapper really retries: run it with a command that fails twice.
func TestPrunerRetryScript(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	// Replace the 30s×attempt wait with no wait so the test is fast.
	script := strings.ReplaceAll(PrunerRetryScript, "sleep $((30 * attempt))", "true")
	if script == PrunerRetryScript {
		t.Fatal("sleep expression changed; update the test")
	}
	counter := dir + "/n"
	flaky := `n=$(cat ` + counter + ` 2>/dev/null || echo 0); n=$((n+1)); echo $n > ` + counter + `; [ $n -ge 3 ]`
	out, err := exec.Command("sh", "-c", script, "sh", "-c", flaky).CombinedOutput()
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, out)
	}
	if strings.Count(string(out), "image pruning failed, attempt") != 2 {
		t.Fatalf("output %s", out)
	}
	out, err = exec.Command("sh", "-c", script, "false").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "failed after 6 attempts") {
		t.Fatalf("always-failing command: err %v\n%s", err, out)
	}
}
