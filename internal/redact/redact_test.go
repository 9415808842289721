package redact

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

const (
	awsSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	azureKey     = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy=="
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
		{"literal escaped", `<string>: [default]\naws_access_key_id = KEYID\n`, []string{"[default]\naws_access_key_id = KEYID\n"}, []string{"KEYID"}, []string{"<string>: "}},
		{"empty secret ignored", "nothing to hide", []string{""}, nil, []string{"nothing to hide"}},
		{"aws ini", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + awsSecretKey + "\n", nil, []string{awsSecretKey, "AKIAIOSFODNN7EXAMPLE"}, []string{"aws_secret_access_key = " + Mask}},
		{"aws key bare", "key " + awsSecretKey + " end", nil, []string{awsSecretKey}, []string{"key ", " end"}},
		{"azure conn string", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + azureKey + ";EndpointSuffix=core.windows.net", nil, []string{azureKey}, []string{"AccountName=acct", "AccountKey=" + Mask, "EndpointSuffix"}},
		{"gcs private key", `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n", "client_email": "x@y"}`, nil, []string{"MIIEvQIBADANBg"}, []string{"client_email"}},
		{"pem block", "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIabc\ndef\n-----END RSA PRIVATE KEY-----\nafter", nil, []string{"MIIabc"}, []string{"after"}},
		{"pem block escaped", `{Key: "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n", Cert: "c"}`, nil, []string{"MHcCAQEE"}, []string{`Cert: "c"`}},
		{"password=", "connect password=Sup3rS3cret&user=x", nil, []string{"Sup3rS3cret"}, []string{"password=" + Mask, "user=x"}},
		{"password json", `{"password": "Sup3rS3cret"}`, nil, []string{"Sup3rS3cret"}, []string{`"password": "` + Mask}},
		{"statement", "Deployment image-registry env REGISTRY_HTTP_SECRET: is abcdef123, want other", nil, []string{"abcdef123"}, []string{"REGISTRY_HTTP_SECRET: is " + Mask + ", want"}},
		{"httpSecret yaml", "httpSecret: 0123abcd", nil, []string{"0123abcd"}, []string{"httpSecret: " + Mask}},
		{"registry env =", "REGISTRY_STORAGE_S3_SECRETKEY=abcdef123", nil, []string{"abcdef123"}, []string{"REGISTRY_STORAGE_S3_SECRETKEY=" + Mask}},
		{"registry env struct", `{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTKEY", Value: "abcdef123"}`, nil, []string{"abcdef123"}, []string{"REGISTRY_STORAGE_AZURE_ACCOUNTKEY"}},
		{"registry env yaml", "REGISTRY_STORAGE_SWIFT_PASSWORD: swiftpass1\nREGISTRY_STORAGE_SWIFT_USERNAME: bob", nil, []string{"swiftpass1"}, []string{"USERNAME: bob"}},
		{"registry keyfile", `"REGISTRY_STORAGE_GCS_KEYFILE": "keyfile-data-xyz"`, nil, []string{"keyfile-data-xyz"}, nil},
		// Where a key file is mounted is no secret: a failure about it must say what is wrong.
		{"registry keyfile path kept", "env REGISTRY_STORAGE_GCS_KEYFILE: is /gcs/keyfile, want /gcs/other", nil, nil, []string{"is /gcs/keyfile, want /gcs/other"}},
		{"credentials config path kept", "REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH=/var/run/secrets/cloud/credentials", nil, nil, []string{"=/var/run/secrets/cloud/credentials"}},
		{"url userinfo", "https://admin:pa55word@registry.example/v2", nil, []string{"pa55word"}, []string{"https://admin:" + Mask + "@registry.example/v2"}},
		{"bearer", "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.abc", nil, []string{"eyJhbGciOiJSUzI1NiJ9"}, []string{"Bearer " + Mask}},
		{"hex digest kept", "checksum 0123456789abcdef0123456789abcdef01234567 ok", nil, nil, []string{"0123456789abcdef0123456789abcdef01234567"}},
		{"path kept", "at /work/main/reports/some/long/path/file_test.go:12", nil, nil, []string{"/work/main/reports/some/long/path/file_test.go:12"}},
		{"plain kept", "expected replicas 2, got 1", nil, nil, []string{"expected replicas 2, got 1"}},
		{"idempotent", "password=" + Mask, nil, nil, []string{"password=" + Mask}},
		{"prose about a secret kept", "httpSecret: the operator generates one when it is empty", nil, nil, []string{"httpSecret: the operator generates one"}},
		{"prose value still masked when it is not a word", "httpSecret: the0perat0r", nil, []string{"the0perat0r"}, nil},
		// A certificate is public; its last line can look like an Azure key (88 chars "…==")
		// or an AWS secret key (40 mixed characters).
		{"certificate kept", "ca.crt: -----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n" + azureKey + "\n-----END CERTIFICATE-----\n and key " + azureKey, nil, nil, []string{"\n" + azureKey + "\n-----END CERTIFICATE-----", "and key " + Mask}},
		{"certificate 40-char line kept", "-----BEGIN CERTIFICATE-----\n" + awsSecretKey + "\n-----END CERTIFICATE-----", nil, nil, []string{awsSecretKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(tt.secrets...)
			got := r.Redact(tt.in)
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
			if again := r.Redact(got); again != got {
				t.Errorf("not idempotent: %q → %q", got, again)
			}
		})
	}
}

func TestRedactorLongestFirst(t *testing.T) {
	r := New("abcd", "abcdefgh")
	if got := r.Redact("x abcdefgh y"); got != "x "+Mask+" y" {
		t.Fatalf("got %q", got)
	}
	var nilR *Redactor
	if got := nilR.Redact("password=foo1"); got != "password="+Mask {
		t.Fatalf("nil redactor: %q", got)
	}
}

func TestLearnSkipsShortValues(t *testing.T) {
	r := New()
	r.Learn("true", "us-east", "long-enough-value")
	got := r.Redact("true us-east long-enough-value")
	if got != "true us-east "+Mask {
		t.Fatalf("got %q", got)
	}
	// Add takes any length: the user asked for it.
	r.Add("bob")
	if got := r.Redact("bob"); got != Mask {
		t.Fatalf("Add: %q", got)
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := Writer(&buf, New("canary-value-1"), "/repo/root/")
	n, err := w.Write([]byte("at /repo/root/conformance/specs/x.go:12: canary-value-1\n"))
	if err != nil || n != len("at /repo/root/conformance/specs/x.go:12: canary-value-1\n") {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if got := buf.String(); got != "at conformance/specs/x.go:12: "+Mask+"\n" {
		t.Fatalf("got %q", got)
	}
}
