package reports

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		gone    []string // must not remain
		keep    []string // must remain
	}{
		{"literal", "token is hunter2hunter2 ok", []string{"hunter2hunter2"}, []string{"hunter2hunter2"}, []string{"token is", "ok"}},
		{"literal base64", "data: " + base64.StdEncoding.EncodeToString([]byte("hunter2hunter2")), []string{"hunter2hunter2"}, []string{base64.StdEncoding.EncodeToString([]byte("hunter2hunter2"))}, []string{"data:"}},
		{"empty secret ignored", "nothing to hide", []string{""}, nil, []string{"nothing to hide"}},
		{"aws ini", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + awsSecretKey + "\n", nil, []string{awsSecretKey, "AKIAIOSFODNN7EXAMPLE"}, []string{"aws_secret_access_key = " + Mask}},
		{"aws key bare", "key " + awsSecretKey + " end", nil, []string{awsSecretKey}, []string{"key ", " end"}},
		{"azure conn string", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + azureKey + ";EndpointSuffix=core.windows.net", nil, []string{azureKey}, []string{"AccountName=acct", "AccountKey=" + Mask, "EndpointSuffix"}},
		{"gcs private key", `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n", "client_email": "x@y"}`, nil, []string{"MIIEvQIBADANBg"}, []string{`"private_key": "` + Mask + `"`, "client_email"}},
		{"pem block", "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIabc\ndef\n-----END RSA PRIVATE KEY-----\nafter", nil, []string{"MIIabc"}, []string{"after"}},
		{"password=", "connect password=Sup3rS3cret&user=x", nil, []string{"Sup3rS3cret"}, []string{"password=" + Mask, "user=x"}},
		{"password json", `{"password": "Sup3rS3cret"}`, nil, []string{"Sup3rS3cret"}, []string{`"password": "` + Mask}},
		{"registry env =", "REGISTRY_STORAGE_S3_SECRETKEY=abcdef123", nil, []string{"abcdef123"}, []string{"REGISTRY_STORAGE_S3_SECRETKEY=" + Mask}},
		{"registry env struct", `{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTKEY", Value: "abcdef123"}`, nil, []string{"abcdef123"}, []string{"REGISTRY_STORAGE_AZURE_ACCOUNTKEY"}},
		{"registry env yaml", "REGISTRY_STORAGE_SWIFT_PASSWORD: swiftpass1\nREGISTRY_STORAGE_SWIFT_USERNAME: bob", nil, []string{"swiftpass1"}, []string{"USERNAME: bob"}},
		{"registry keyfile", `"REGISTRY_STORAGE_GCS_KEYFILE": "/gcs/keyfile-data-xyz"`, nil, []string{"keyfile-data-xyz"}, nil},
		{"url userinfo", "https://admin:pa55word@registry.example/v2", nil, []string{"pa55word"}, []string{"https://admin:" + Mask + "@registry.example/v2"}},
		{"bearer", "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.abc", nil, []string{"eyJhbGciOiJSUzI1NiJ9"}, []string{"Bearer " + Mask}},
		{"hex digest kept", "checksum 0123456789abcdef0123456789abcdef01234567 ok", nil, nil, []string{"0123456789abcdef0123456789abcdef01234567"}},
		{"path kept", "at /work/main/reports/some/long/path/file_test.go:12", nil, nil, []string{"/work/main/reports/some/long/path/file_test.go:12"}},
		{"plain kept", "expected replicas 2, got 1", nil, nil, []string{"expected replicas 2, got 1"}},
		{"idempotent", "password=" + Mask, nil, nil, []string{"password=" + Mask}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Redact(tt.in, tt.secrets)
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("%q still in %q", g, got)
				}
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("%q missing from %q", k, got)
				}
			}
			if again := Redact(got, tt.secrets); again != got {
				t.Errorf("not idempotent: %q → %q", got, again)
			}
		})
	}
}

func TestRedactorLongestFirst(t *testing.T) {
	r := NewRedactor("abcd", "abcdefgh")
	if got := r.Redact("x abcdefgh y"); got != "x "+Mask+" y" {
		t.Fatalf("got %q", got)
	}
	var nilR *Redactor
	if got := nilR.Redact("password=foo1"); got != "password="+Mask {
		t.Fatalf("nil redactor: %q", got)
	}
}

func TestRunRedacted(t *testing.T) {
	run := fixtureRun("envtest")
	red := run.Redacted(DefaultRedactor())
	for _, s := range red.Specs {
		assertNoSecrets(t, s.Name, s.Failure)
	}
	assertNoSecrets(t, "extra", strings.Join(red.Extra["faults"].Rows[1], " "))
	// the original is untouched
	if !strings.Contains(run.Specs[1].Failure, plantedSecret) {
		t.Fatal("Redacted modified its receiver")
	}
}
