package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/irconform/irconform/scenarios/api/v1alpha1"
)

// testFile is the display name of the scenario file the tests decode; failure lines start
// with it.
const testFile = "scenarios/unit.yaml"

// scenarioHeader is a minimal scenario; parseScenario appends steps to it. Expectations are
// decoded from YAML (not built as structs) because the runner reads their Src nodes: `equals`
// given as null differs from no `equals`, and failure lines carry the item's line and column.
const scenarioHeader = `apiVersion: irconform.io/v1alpha1
kind: Scenario
metadata: {name: unit}
behaviors: [BOOT-001]
platform: AWS
`

// parseScenario decodes scenarioHeader followed by body (which starts with "steps:" or
// "given:").
func parseScenario(t *testing.T, body string) *v1alpha1.Scenario {
	t.Helper()
	docs, err := v1alpha1.ParseDocuments(testFile, []byte(scenarioHeader+body))
	if err != nil {
		t.Fatalf("parsing the scenario: %v", err)
	}
	if len(docs) != 1 {
		t.Fatalf("want one document, got %d", len(docs))
	}
	s, err := v1alpha1.DecodeDocument(docs[0])
	if err != nil {
		t.Fatalf("decoding the scenario: %v", err)
	}
	return s
}

// expectation decodes one expect item, written as a YAML flow mapping. It sits at line 8,
// column 7 of testFile.
func expectation(t *testing.T, flow string) *v1alpha1.Expectation {
	t.Helper()
	s := parseScenario(t, "steps:\n  - expect:\n    - "+flow+"\n")
	return &s.Steps[0].Expect[0]
}

// expectationPos is where expectation puts its item.
const expectationPos = testFile + ":8:7"

// checkResult is what one compiled expectation says about a cluster state.
type checkResult struct {
	// err is the first failure's line ("" subject-less form is not used: it names the
	// subject), nil when the item holds.
	err    error
	detail string
	// line is the whole failure message the step would print ("" when the item holds).
	line string
}

// checkOne compiles the expect item flow and checks it against a fake cluster holding objs.
func checkOne(t *testing.T, r *run, flow string, objs ...client.Object) checkResult {
	t.Helper()
	it, err := r.compile(expectation(t, flow))
	if err != nil {
		t.Fatalf("compiling %s: %v", flow, err)
	}
	rd := fake.NewClientBuilder().WithScheme(typeScheme).WithObjects(objs...).Build()
	ctx := context.Background()
	var res checkResult
	fails := it.check(ctx, rd)
	if len(fails) > 0 {
		res.err = errors.New(fails[0].line(it.subject, nil))
		res.detail = fails[0].detail
	}
	if unmet := r.unmet(ctx, rd, []*item{it}); len(unmet) > 0 {
		res.line = r.report("in the test", unmet, 1)
	}
	if (res.err == nil) != (res.line == "") {
		t.Fatalf("check says %v but unmet says %q", res.err, res.line)
	}
	return res
}

// Values the fixtures hold that a failure message must never show.
const (
	secretCredentials = "[default]\naws_access_key_id = AKIAUNITTESTKEY\naws_secret_access_key = unitTestSecretAccessKey/42"
	secretAccessKey   = "unitTestSecretAccessKey/42"
	httpSecretValue   = "f00dfeedc0ffee"
	envSecretValue    = "env-literal-http-secret-9481"
)

func registryConfig() *imageregistryv1.Config {
	return &imageregistryv1.Config{
		ObjectMeta: metav1.ObjectMeta{Name: "cluster"},
		Spec: imageregistryv1.ImageRegistrySpec{
			OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
			HTTPSecret:   httpSecretValue,
			Replicas:     2,
			Storage: imageregistryv1.ImageRegistryConfigStorage{
				S3: &imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "team-registry", Region: "us-east-1"},
			},
			Routes: []imageregistryv1.ImageRegistryConfigRoute{
				{Name: "public", Hostname: "registry.example.com"},
			},
		},
		Status: imageregistryv1.ImageRegistryStatus{
			OperatorStatus: operatorv1.OperatorStatus{Conditions: []operatorv1.OperatorCondition{
				{Type: "Available", Status: operatorv1.ConditionTrue, Reason: "Ready", Message: "The registry is ready"},
				{Type: "Degraded", Status: operatorv1.ConditionFalse, Reason: "AsExpected"},
			}},
		},
	}
}

func registryDeployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "image-registry", Namespace: v1alpha1.DefaultNamespace},
		Spec: appsv1.DeploymentSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name:    "registry",
				Command: []string{"/usr/bin/dockerregistry"},
				Args:    []string{"--log-level=info"},
				Env: []corev1.EnvVar{
					{Name: "REGISTRY_STORAGE", Value: "s3"},
					{Name: "REGISTRY_STORAGE_S3_BUCKET", Value: "team-registry"},
					{Name: "REGISTRY_HTTP_SECRET", Value: envSecretValue},
					{Name: "REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", ValueFrom: &corev1.EnvVarSource{
						SecretKeyRef: &corev1.SecretKeySelector{
							LocalObjectReference: corev1.LocalObjectReference{Name: "image-registry-private-configuration"},
							Key:                  "credentials",
						},
					}},
				},
			}}}},
		},
		Status: appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
		}},
	}
}

func prunerCronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "image-pruner", Namespace: v1alpha1.DefaultNamespace},
		Spec: batchv1.CronJobSpec{
			Schedule: "0 0 * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:    "image-pruner",
					Command: []string{"hypershift", "experimental", "prune", "images"},
					Args:    []string{"--keep-tag-revisions=3", "--prune-registry=false", "--loglevel=1"},
					Env:     []corev1.EnvVar{{Name: "HTTP_PROXY", Value: "http://proxy:3128"}},
				}}},
			}}},
		},
	}
}

func privateConfigSecret() *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "image-registry-private-configuration", Namespace: v1alpha1.DefaultNamespace},
		Data: map[string][]byte{
			"credentials": []byte(secretCredentials),
			"region":      []byte("us-east-1"),
		},
	}
}

func allFixtures() []client.Object {
	return []client.Object{registryConfig(), registryDeployment(), prunerCronJob(), privateConfigSecret()}
}

// newRun is a run with no suite environment: enough for compiling and checking expectations.
func newRun() *run {
	return &run{display: testFile, ops: DefaultOperations(), s: &v1alpha1.Scenario{Behaviors: []string{"BOOT-001"}}}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return fmt.Sprint(err)
}

// failsWith checks res against wantErr: "" means the expectation must hold, otherwise it
// must fail with an error containing wantErr. It reports whether the expectation failed as
// wanted, so the caller can go on to check the failure's details.
func failsWith(t *testing.T, res checkResult, wantErr string) bool {
	t.Helper()
	if wantErr == "" {
		if res.err != nil {
			t.Fatalf("want the expectation to hold, got: %v\n%s", res.err, res.detail)
		}
		return false
	}
	if res.err == nil {
		t.Fatalf("want the expectation to fail with %q, but it holds", wantErr)
	}
	if !strings.Contains(res.err.Error(), wantErr) {
		t.Fatalf("error %q does not contain %q", res.err, wantErr)
	}
	return true
}
