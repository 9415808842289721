package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Secrets planted in the fixtures; none may appear in any output.
const (
	plantedSecret = "s3cr3t-Planted-Value-42"                  // registered literally
	awsSecretKey  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" // caught by pattern only
	azureKey      = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy=="
)

var allSecrets = []string{plantedSecret, awsSecretKey, azureKey}

func init() { RegisterSecrets(plantedSecret) }

const deployDiffFailure = `Deployment image-registry does not match the Config
Expected env to equal (-want +got):
  []v1.EnvVar{
  	{Name: "REGISTRY_STORAGE", Value: "s3"},
- 	{Name: "REGISTRY_STORAGE_S3_BUCKET", Value: "cluster-image-registry-us-east-1"},
+ 	{Name: "REGISTRY_STORAGE_S3_BUCKET", Value: "other"},
+ 	{Name: "REGISTRY_STORAGE_S3_SECRETKEY", Value: "` + awsSecretKey + `"},
  }
credentials were: ` + plantedSecret

// fixtureRun is a small synthetic run against kind ("envtest" or "live").
func fixtureRun(kind string) Run {
	return Run{
		Schema:    SchemaVersion,
		StartedAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		Duration:  12.5,
		Target:    Target{Kind: kind, Server: "https://api.example:6443", Platform: "AWS", Version: "v1.33.0", Mode: "read-only"},
		Simulated: []string{"Deployment rollout status", "PVC binding"},
		Specs: []Spec{
			{Name: "bootstrap on BareMetal bootstraps Removed", Area: "BOOT", Behaviors: []string{"BOOT-003"},
				Labels: []string{"BOOT-003"}, Source: "specs/boot_test.go:40", Result: Passed, Duration: 0.8},
			{Name: "bootstrap on AWS configures S3 storage", Area: "BOOT", Behaviors: []string{"BOOT-004", "BOOT-005"},
				Labels: []string{"BOOT-004", "BOOT-005", "platform:aws"}, Source: "specs/boot_test.go:60", Result: Failed, Duration: 2.1,
				Failure: deployDiffFailure, FailureLocation: "specs/boot_test.go:77"},
			{Name: "pruner while Unmanaged sets --prune-registry=false", Area: "PRUNE", Behaviors: []string{"PRUNE-005"},
				Labels: []string{"PRUNE-005", "divergence"}, Source: "specs/prune_test.go:12", Result: Failed, Duration: 1.0,
				Failure: "CronJob image-pruner args: expected --prune-registry=false, got --prune-registry=true", Divergence: true},
			{Name: "S3 managed bucket is encrypted", Area: "S3", Behaviors: []string{"S3-003"},
				Labels: []string{"S3-003", "platform:aws"}, Source: "specs/s3_test.go:30", Result: Skipped, Duration: 0,
				SkipReason: "needs platform AWS; target platform is BareMetal"},
			{Name: "Managed installs the registry objects", Area: "MGMT", Behaviors: []string{"MGMT-002"},
				Labels: []string{"MGMT-002"}, Source: "specs/mgmt_test.go:9", Result: Pending},
			{Name: "suite sanity <script>alert(1)</script>", Area: "OTHER", Labels: []string{}, Source: "specs/sanity_test.go:3", Result: Passed, Duration: 0.01},
		},
		Extra: map[string]Table{
			"faults": {Title: "Storage fault matrix", Columns: []string{"backend", "fault", "condition"},
				Rows: [][]string{{"s3", "throttle", "StorageExists=True"}, {"azure", "AccountKey=" + azureKey + ";", "StorageExists=False | Unknown"}}},
		},
	}
}

// assertNoSecrets fails when any planted secret is in s.
func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s leaks secret %q", what, sec)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tempPath(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }
