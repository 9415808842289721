package redact

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const credentialsFile = "[default]\naws_access_key_id = CANARYKEYID0001\naws_secret_access_key = CANARYSECRET0001\n"

func objects() map[string]map[string]any {
	return map[string]map[string]any{
		"secret": {"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s", "managedFields": []any{"x"}},
			"data":       map[string]any{"credentials": base64.StdEncoding.EncodeToString([]byte(credentialsFile))},
			"stringData": map[string]any{"password": "canary-string-data"}},
		"route": {"kind": "Route", "spec": map[string]any{"host": "h", "tls": map[string]any{"termination": "edge",
			"certificate": "public-cert", "key": "canary-route-tls-key"}}},
		"config": {"kind": "Config", "spec": map[string]any{"httpSecret": "canary-http-secret", "replicas": 2}},
		"deployment": {"kind": "Deployment", "spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "registry", "env": []any{
				map[string]any{"name": "REGISTRY_HTTP_SECRET", "value": "canary-env-secret"},
				map[string]any{"name": "REGISTRY_STORAGE", "value": "s3"},
				map[string]any{"name": "REGISTRY_STORAGE_S3_SECRETKEY", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "x", "key": "k"}}},
			}}}}}}},
	}
}

func TestObject(t *testing.T) {
	for name, obj := range objects() {
		t.Run(name, func(t *testing.T) {
			before := jsonCopy(obj)
			red := Object(obj)
			if !reflect.DeepEqual(jsonCopy(obj), before) {
				t.Fatal("Object modified its argument")
			}
			s := strings.ToLower(toText(red))
			if strings.Contains(s, "canary") || strings.Contains(s, base64.StdEncoding.EncodeToString([]byte(credentialsFile))[:20]) {
				t.Fatalf("secret left in %s", s)
			}
			if !strings.Contains(toText(red), Mask) {
				t.Fatalf("no mask in %s", toText(red))
			}
		})
	}
	red := Object(objects()["deployment"])
	if !strings.Contains(toText(red), "s3") || !strings.Contains(toText(red), "secretKeyRef") {
		t.Fatalf("non-secret env changed: %s", toText(red))
	}
	if md := Object(objects()["secret"])["metadata"].(map[string]any); md["managedFields"] != nil || md["name"] != "s" {
		t.Fatalf("metadata: %v", md)
	}
	if got := Object(objects()["route"])["spec"].(map[string]any)["tls"].(map[string]any)["certificate"]; got != "public-cert" {
		t.Fatalf("certificate masked: %v", got)
	}
}

func TestSecretValues(t *testing.T) {
	want := map[string][]string{
		"secret":     {credentialsFile, "CANARYKEYID0001", "CANARYSECRET0001", "canary-string-data"},
		"route":      {"canary-route-tls-key"},
		"config":     {"canary-http-secret"},
		"deployment": {"canary-env-secret"},
	}
	for name, obj := range objects() {
		got := SecretValues(obj)
		for _, w := range want[name] {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %q not among %q", name, w, got)
			}
		}
		if slices.Contains(got, "s3") || slices.Contains(got, "public-cert") || slices.Contains(got, "[default]") {
			t.Errorf("%s: non-secret value learned: %q", name, got)
		}
	}
	// Learned values mask the way Gomega prints them: one escaped line, or one value.
	r := New()
	for _, obj := range objects() {
		r.Learn(SecretValues(obj)...)
	}
	for _, printed := range []string{
		`<string>: [default]\naws_access_key_id = CANARYKEYID0001\naws_secret_access_key = CANARYSECRET0001\n`,
		`Expected <[]uint8 | len:94>: "[default]\naws_access_key_id = CANARYKEYID0001\n…"`,
		`{Termination: "edge", Key: "canary-route-tls-key"}`,
	} {
		if got := r.Redact(printed); strings.Contains(strings.ToLower(got), "canary") {
			t.Errorf("learned values left %q", got)
		}
	}
}

func TestSecretValuesOfFiles(t *testing.T) {
	clouds := "clouds:\n  openstack:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: team-user\n      password: kanarie-swift-pass\n    region_name: RegionOne\n"
	keyfile := `{"type": "service_account", "client_email": "sa@p.iam", "private_key_id": "kanarie-key-id-1", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}`
	got := SecretValues(map[string]any{"kind": "Secret", "stringData": map[string]any{"clouds.yaml": clouds, "key.json": keyfile}})
	for _, w := range []string{clouds, keyfile, "kanarie-swift-pass", "kanarie-key-id-1"} {
		if !slices.Contains(got, w) {
			t.Errorf("%q not learned", w)
		}
	}
	for _, w := range []string{"http://127.0.0.1:5000/v3", "team-user", "RegionOne", "sa@p.iam", "service_account"} {
		if slices.Contains(got, w) {
			t.Errorf("%q learned: it would be masked wherever it appears", w)
		}
	}
}

func toText(v any) string {
	b, _ := jsonMarshal(v)
	return string(b)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// Names of secrets are masked; names of where a secret is (a mounted file's path, an
// application credential's ID) are not: their values say what is wrong in a failure.
func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"REGISTRY_HTTP_SECRET":                               true,
		"REGISTRY_STORAGE_S3_SECRETKEY":                      true,
		"REGISTRY_STORAGE_S3_ACCESSKEY":                      true,
		"REGISTRY_STORAGE_AZURE_ACCOUNTKEY":                  true,
		"REGISTRY_STORAGE_SWIFT_PASSWORD":                    true,
		"REGISTRY_STORAGE_SWIFT_TOKENID":                     true,
		"REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALSECRET": true,
		"REGISTRY_STORAGE_IBMCOS_IAMAPIKEY":                  true,
		"AZURE_CLIENT_SECRET":                                true,
		"REGISTRY_STORAGE":                                   false,
		"REGISTRY_STORAGE_S3_BUCKET":                         false,
		"REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH":          false,
		"REGISTRY_STORAGE_GCS_KEYFILE":                       false,
		"AZURE_FEDERATED_TOKEN_FILE":                         false,
		"REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALID":     false,
		"REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALNAME":   false,
		"REGISTRY_STORAGE_SWIFT_USERNAME":                    false,
	} {
		if got := IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%s) = %v, want %v", name, got, want)
		}
	}
	// A path in a secret-named place is neither masked in a dump nor learned.
	d := map[string]any{"kind": "Deployment", "env": []any{
		map[string]any{"name": "REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", "value": "/var/run/secrets/cloud/credentials"},
		map[string]any{"name": "REGISTRY_HTTP_SECRET", "value": "kanarie-env-secret"},
	}}
	if got := SecretValues(d); !slices.Equal(got, []string{"kanarie-env-secret"}) {
		t.Errorf("learned %q, want only the http secret", got)
	}
	if s := toText(Object(d)); !strings.Contains(s, "/var/run/secrets/cloud/credentials") || strings.Contains(s, "kanarie") {
		t.Errorf("dump: %s", s)
	}
}

// A Secret's account or user name is not learned: masking it in any text would hide the
// word wherever it appears ("irconform conformance", "4.99.0-irconform"). Its credentials are.
func TestSecretIdentifiersNotLearned(t *testing.T) {
	got := SecretValues(map[string]any{"kind": "Secret", "data": map[string]any{
		"azure_storage_account_name":      base64.StdEncoding.EncodeToString([]byte("irconform")),
		"azure_storage_account_key":       base64.StdEncoding.EncodeToString([]byte("kanarie-account-key")),
		"REGISTRY_STORAGE_SWIFT_USERNAME": base64.StdEncoding.EncodeToString([]byte("swift-user-1")),
		"REGISTRY_STORAGE_SWIFT_PASSWORD": base64.StdEncoding.EncodeToString([]byte("kanarie-swift-password")),
	}})
	for _, w := range []string{"kanarie-account-key", "kanarie-swift-password"} {
		if !slices.Contains(got, w) {
			t.Errorf("%q not learned", w)
		}
	}
	for _, w := range []string{"irconform", "swift-user-1"} {
		if slices.Contains(got, w) {
			t.Errorf("%q learned: it would be masked wherever it appears", w)
		}
	}
	// Dumps still mask the whole of a Secret's data.
	red := Object(map[string]any{"kind": "Secret", "data": map[string]any{"azure_storage_account_name": "aXJjb25mb3Jt"}})
	if red["data"].(map[string]any)["azure_storage_account_name"] != Mask {
		t.Errorf("dump: %v", red)
	}
}
