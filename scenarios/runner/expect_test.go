package runner

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/irconform/irconform/conformance/expect"
	failuremsg "github.com/irconform/irconform/internal/failure"
)

// TestObjectExpectations checks each kind of object expectation, as a scenario writes it,
// against real typed objects served by a fake client: once holding, once not.
func TestObjectExpectations(t *testing.T) {
	cases := []struct {
		name string
		item string
		// wantErr is "" when the item must hold, else a substring of what is wrong.
		wantErr string
	}{
		// exists / absent
		{"exists", `{kind: Config, exists: true}`, ""},
		{"exists but missing", `{kind: Service, name: image-registry, exists: true}`, "Service openshift-image-registry/image-registry: is absent, want present"},
		{"absent", `{kind: Service, name: image-registry, absent: true}`, ""},
		{"absent but exists", `{kind: Deployment, absent: true}`, "Deployment openshift-image-registry/image-registry: is present, want absent"},
		{"namespaced default name", `{kind: CronJob, exists: true}`, ""},

		// equals
		{"equals text", `{kind: Config, path: spec.managementState, equals: Managed}`, ""},
		{"equals text differs", `{kind: Config, path: spec.managementState, equals: Removed}`, "Config cluster spec.managementState: is Managed, want Removed"},
		{"equals number", `{kind: Config, path: spec.replicas, equals: 2}`, ""},
		{"equals number as text", `{kind: Config, path: spec.replicas, equals: "2"}`, ""},
		{"equals number differs", `{kind: Config, path: spec.replicas, equals: 3}`, "spec.replicas: is 2, want 3"},
		{"equals map exactly", `{kind: Config, path: "spec.routes[0]", equals: {name: public, hostname: registry.example.com}}`, ""},
		{"equals map with a key less", `{kind: Config, path: "spec.routes[0]", equals: {name: public}}`, `want {"name":"public"}`},
		{"equals on unset field", `{kind: Config, path: spec.storage.gcs.bucket, equals: x}`, "spec.storage.gcs.bucket: is not set, want x"},
		// `equals: null` holds for an unset field; an omitted equals checks nothing.
		{"equals null on unset field", `{kind: Config, path: spec.storage.gcs, equals: null}`, ""},
		{"equals null on set field", `{kind: Config, path: spec.storage.s3.bucket, equals: null}`, "spec.storage.s3.bucket: is team-registry, want null"},
		// A false bool or a 0 is omitted from the object (omitempty): unset holds equals false / 0,
		// but nothing else.
		{"equals false on omitted bool", `{kind: Config, path: spec.defaultRoute, equals: false}`, ""},
		{"equals 0 on omitted number", `{kind: Config, path: spec.requests.read.maxRunning, equals: 0}`, ""},
		{"equals true on omitted bool", `{kind: Config, path: spec.defaultRoute, equals: true}`, "spec.defaultRoute: is not set, want true"},
		{"equals \"false\" text on omitted bool", `{kind: Config, path: spec.defaultRoute, equals: "false"}`, "spec.defaultRoute: is not set"},
		{"equals 1 on omitted number", `{kind: Config, path: spec.requests.read.maxRunning, equals: 1}`, "is not set"},
		{"missing on omitted bool", `{kind: Config, path: spec.defaultRoute, missing: true}`, ""},

		// contains
		{"contains substring", `{kind: Config, path: spec.storage.s3.bucket, contains: team}`, ""},
		{"contains substring differs", `{kind: Config, path: spec.storage.s3.bucket, contains: other}`, "want a value containing other"},
		{"contains map key", `{kind: Config, path: spec.storage, contains: s3}`, ""},
		{"contains map key differs", `{kind: Config, path: spec.storage, contains: gcs}`, "want a value containing gcs"},
		{"contains list element", `{kind: CronJob, path: "spec.jobTemplate.spec.template.spec.containers[0].args", contains: --prune-registry=false}`, ""},
		// An element, not a substring of one: contains is not a looser equals.
		{"contains list element prefix", `{kind: CronJob, path: "spec.jobTemplate.spec.template.spec.containers[0].args", contains: --prune-registry}`, "want a value containing --prune-registry"},

		// matches
		{"matches", `{kind: Config, path: spec.storage.s3.bucket, matches: "^team-"}`, ""},
		{"matches differs", `{kind: Config, path: spec.storage.s3.bucket, matches: "^other-"}`, "want a match for /^other-/"},
		{"matches number as text", `{kind: Config, path: spec.replicas, matches: "^[0-9]+$"}`, ""},

		// missing
		{"missing", `{kind: Config, path: spec.storage.swift, missing: true}`, ""},
		{"missing but set", `{kind: Config, path: spec.storage.s3.bucket, missing: true}`, "spec.storage.s3.bucket: is team-registry, want not set"},

		// path forms
		{"list index", `{kind: Config, path: "status.conditions[0].type", equals: Available}`, ""},
		{"list filter", `{kind: Config, path: "status.conditions[type=Degraded].status", equals: "False"}`, ""},
		{"list filter no match", `{kind: Config, path: "status.conditions[type=Progressing].status", equals: "False"}`, "is not set"},
		{"jsonpath", `{kind: Config, path: "{.spec.routes[0].hostname}", equals: registry.example.com}`, ""},
		{"jsonpath filter", `{kind: Config, path: '{.status.conditions[?(@.type=="Available")].reason}', equals: Ready}`, ""},
		{"jsonpath filter differs", `{kind: Config, path: '{.status.conditions[?(@.type=="Available")].reason}', equals: Other}`, "is Ready, want Other"},

		// conditions
		{"condition status", `{kind: Config, condition: {type: Available, status: "True"}}`, ""},
		{"condition status differs", `{kind: Config, condition: {type: Degraded, status: "True"}}`, "status.conditions[type=Degraded]: is {status: False}, want {status: True}"},
		{"condition reason", `{kind: Config, condition: {type: Available, reason: Ready}}`, ""},
		{"condition reason differs", `{kind: Config, condition: {type: Available, reason: Removed}}`, "is {reason: Ready}, want {reason: Removed}"},
		{"condition message", `{kind: Config, condition: {type: Available, message: "The registry is ready"}}`, ""},
		// message is exact; messageContains is the substring form.
		{"condition message is exact", `{kind: Config, condition: {type: Available, message: "registry is ready"}}`, "want {message: registry is ready}"},
		{"condition messageContains", `{kind: Config, condition: {type: Available, messageContains: "registry is"}}`, ""},
		{"condition messageContains differs", `{kind: Config, condition: {type: Available, messageContains: removed}}`, "is {message: The registry is ready}, want {message containing removed}"},
		{"condition missing", `{kind: Config, condition: {type: Progressing, status: "True"}}`, "status.conditions[type=Progressing]: is not set, want {status: True}"},
		{"deployment condition", `{kind: Deployment, condition: {type: Available, status: "True"}}`, ""},

		// env
		{"env value", `{kind: Deployment, env: {name: REGISTRY_STORAGE, value: s3}}`, ""},
		{"env value differs", `{kind: Deployment, env: {name: REGISTRY_STORAGE, value: gcs}}`, "env REGISTRY_STORAGE: is s3, want gcs"},
		{"env set with any value", `{kind: Deployment, env: {name: REGISTRY_STORAGE_S3_BUCKET}}`, ""},
		{"env not set", `{kind: Deployment, env: {name: REGISTRY_STORAGE_GCS_BUCKET}}`, "env REGISTRY_STORAGE_GCS_BUCKET: is not set, want set"},
		{"env absent", `{kind: Deployment, env: {name: REGISTRY_STORAGE_MAINTENANCE_READONLY, absent: true}}`, ""},
		{"env absent but set", `{kind: Deployment, env: {name: REGISTRY_STORAGE, absent: true}}`, "env REGISTRY_STORAGE: is set (value s3), want not set"},
		{"env matches", `{kind: Deployment, env: {name: REGISTRY_STORAGE_S3_BUCKET, matches: "^team-"}}`, ""},
		{"env matches differs", `{kind: Deployment, env: {name: REGISTRY_STORAGE_S3_BUCKET, matches: "^other-"}}`, "want a match for /^other-/"},
		{"env secretKeyRef", `{kind: Deployment, env: {name: REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH, secretKeyRef: {name: image-registry-private-configuration, key: credentials}}}`, ""},
		{"env secretKeyRef other key", `{kind: Deployment, env: {name: REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH, secretKeyRef: {name: image-registry-private-configuration, key: other}}}`, `want from secret "image-registry-private-configuration" key "other"`},
		{"env value wanted, secretKeyRef found", `{kind: Deployment, env: {name: REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH, value: /x}}`, "(no literal value)"},
		{"cronjob env", `{kind: CronJob, env: {name: HTTP_PROXY, value: "http://proxy:3128"}}`, ""},

		// arg / noArg
		{"arg present", `{kind: CronJob, arg: --prune-registry=false}`, ""},
		{"arg missing", `{kind: CronJob, arg: --prune-registry=true}`, "want a list containing --prune-registry=true"},
		{"noArg absent", `{kind: CronJob, noArg: --prune-registry=true}`, ""},
		{"noArg present", `{kind: CronJob, noArg: --prune-registry=false}`, "want a list without --prune-registry=false"},
		{"arg in command", `{kind: CronJob, arg: prune}`, ""},
		{"deployment arg", `{kind: Deployment, arg: --log-level=info}`, ""},

		// several assertions in one item: all must hold.
		{"path and condition both hold", `{kind: Config, path: spec.managementState, equals: Managed, condition: {type: Available, status: "True"}}`, ""},
		{"path holds, condition does not", `{kind: Config, path: spec.managementState, equals: Managed, condition: {type: Available, status: "False"}}`, "status.conditions[type=Available]: is {status: True}, want {status: False}"},
		{"arg and noArg", `{kind: CronJob, arg: --keep-tag-revisions=3, noArg: --loglevel=1}`, "want a list without --loglevel=1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			failsWith(t, checkOne(t, newRun(), tc.item, allFixtures()...), tc.wantErr)
		})
	}
}

// A failure message starts with the "is X, want Y (IDs)" line, then says where the item is,
// then shows the object it saw, indented.
func TestFailureMessage(t *testing.T) {
	cases := []struct {
		name, item string
		first      string
		// wantDetail is in the indented details; notDetail must not be there.
		wantDetail, notDetail string
	}{
		{
			name:  "namespaced object",
			item:  `{kind: Deployment, env: {name: REGISTRY_STORAGE, value: gcs}}`,
			first: "Deployment openshift-image-registry/image-registry env REGISTRY_STORAGE: is s3, want gcs (BOOT-001)",
		},
		{
			name:       "cluster-scoped object, field failure shows the object",
			item:       `{kind: Config, path: spec.managementState, equals: Removed}`,
			first:      "Config cluster spec.managementState: is Managed, want Removed (BOOT-001)",
			wantDetail: "\n      kind: Config",
		},
		{
			// Only the status is shown for a condition: the spec would bury it.
			name:       "condition failure shows the status only",
			item:       `{kind: Config, condition: {type: Available, status: "False"}}`,
			first:      "Config cluster status.conditions[type=Available]: is {status: True}, want {status: False} (BOOT-001)",
			wantDetail: "type: Available",
			notDetail:  "managementState",
		},
		{
			name:       "absent object that exists is shown",
			item:       `{kind: CronJob, absent: true}`,
			first:      "CronJob openshift-image-registry/image-pruner: is present, want absent (BOOT-001)",
			wantDetail: "name: image-pruner",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := checkOne(t, newRun(), tc.item, allFixtures()...)
			lines := strings.Split(res.line, "\n")
			if lines[0] != tc.first {
				t.Fatalf("first line\n%s\nwant\n%s\n(message:\n%s)", lines[0], tc.first, res.line)
			}
			at := "    " + expectationPos + ": " + strings.TrimSuffix(tc.first, " (BOOT-001)")
			if !strings.Contains(res.line+"\n", "\n  1 of 1 expectations not met in the test:\n"+at+"\n") {
				t.Errorf("the message does not place the item at %s:\n%s", expectationPos, res.line)
			}
			// Reports take the unindented lines as the failure's statements: only the is/want line.
			if hl := failuremsg.Headlines(res.line); len(hl) != 1 || hl[0] != tc.first {
				t.Errorf("headlines %q, want only %q", hl, tc.first)
			}
			if tc.wantDetail != "" && !strings.Contains(res.line, tc.wantDetail) {
				t.Errorf("message does not show %q:\n%s", tc.wantDetail, res.line)
			}
			if tc.notDetail != "" && strings.Contains(res.line, tc.notDetail) {
				t.Errorf("message shows %q:\n%s", tc.notDetail, res.line)
			}
			if res.detail != "" && (!strings.Contains(res.line, indent(res.detail)) || strings.Index(res.line, indent(res.detail)) < strings.Index(res.line, at)) {
				t.Errorf("message does not end with the indented details, after every is/want line:\n%s", res.line)
			}
		})
	}
}

// A Secret's data is compared decoded, as `oc extract` shows it.
func TestSecretDataComparedDecoded(t *testing.T) {
	cases := []struct{ name, item string }{
		{"equals", `{kind: Secret, name: image-registry-private-configuration, path: data.region, equals: us-east-1}`},
		{"contains", `{kind: Secret, name: image-registry-private-configuration, path: data.credentials, contains: "aws_access_key_id = AKIAUNITTESTKEY"}`},
		{"matches", `{kind: Secret, name: image-registry-private-configuration, path: data.credentials, matches: "(?m)^aws_secret_access_key = "}`},
		{"jsonpath", `{kind: Secret, name: image-registry-private-configuration, path: "{.data.region}", equals: us-east-1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if res := checkOne(t, newRun(), tc.item, privateConfigSecret()); res.err != nil {
				t.Fatalf("want the expectation to hold, got: %v", res.err)
			}
		})
	}
}

// No failure line about a Secret, or about a secret-looking env var, shows a secret value,
// plain or base64 (the project rule: no report or log prints a secret's value).
func TestFailureLinesNeverShowSecretValues(t *testing.T) {
	secrets := []string{
		secretAccessKey,
		"AKIAUNITTESTKEY",
		base64.StdEncoding.EncodeToString([]byte(secretCredentials)),
		envSecretValue,
		httpSecretValue,
	}
	const name = "name: image-registry-private-configuration"
	cases := []struct {
		name, item string
		// wantErr is in the failure line: the failure says what is wrong without the value.
		wantErr string
	}{
		{"equals differs", `{kind: Secret, ` + name + `, path: data.credentials, equals: other}`, "data.credentials: is " + expect.Redacted + ", want " + expect.Redacted},
		{"contains differs", `{kind: Secret, ` + name + `, path: data.credentials, contains: nothere}`, "secret values are not shown"},
		{"matches differs", `{kind: Secret, ` + name + `, path: data.credentials, matches: "^nothere$"}`, "secret values are not shown"},
		{"missing but set", `{kind: Secret, ` + name + `, path: data.credentials, missing: true}`, "secret values are not shown"},
		{"equals null but set", `{kind: Secret, ` + name + `, path: data.credentials, equals: null}`, "secret values are not shown"},
		{"whole data map", `{kind: Secret, ` + name + `, path: data, equals: {}}`, "data: is " + expect.Redacted},
		{"jsonpath", `{kind: Secret, ` + name + `, path: "{.data.credentials}", equals: other}`, "secret values are not shown"},
		{"unset key", `{kind: Secret, ` + name + `, path: data.other, equals: x}`, "data.other: is not set, want x"},
		{"absent but exists", `{kind: Secret, ` + name + `, absent: true}`, "is present, want absent"},
		{"env literal value differs", `{kind: Deployment, env: {name: REGISTRY_HTTP_SECRET, value: other}}`, "env REGISTRY_HTTP_SECRET: is " + expect.Redacted + ", want " + expect.Redacted},
		{"env literal value should be absent", `{kind: Deployment, env: {name: REGISTRY_HTTP_SECRET, absent: true}}`, "is set (value " + expect.Redacted + "), want not set"},
		{"env literal value does not match", `{kind: Deployment, env: {name: REGISTRY_HTTP_SECRET, matches: "^[0-9]+$"}}`, "is " + expect.Redacted + ", want a match for"},
		// Not Secrets, yet secret: the Config's httpSecret and the env var carrying it.
		{"config httpSecret does not match", `{kind: Config, path: spec.httpSecret, matches: "^[0-9a-f]{128}$"}`, "spec.httpSecret: is " + expect.Redacted + ", want " + expect.Redacted},
		{"env value by path", `{kind: Deployment, path: "spec.template.spec.containers[0].env[name=REGISTRY_HTTP_SECRET].value", equals: x}`, "secret values are not shown"},
		{"env list by path", `{kind: Deployment, path: "spec.template.spec.containers[0].env", contains: x}`, "secret values are not shown"},
		// The Deployment dump under an unrelated failure holds the env var.
		{"deployment dump", `{kind: Deployment, path: spec.replicas, equals: 9}`, "spec.replicas"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := checkOne(t, newRun(), tc.item, allFixtures()...)
			if res.err == nil {
				t.Fatal("want the expectation to fail, but it holds")
			}
			if !strings.Contains(res.line, tc.wantErr) {
				t.Errorf("failure line does not contain %q:\n%s", tc.wantErr, res.line)
			}
			for _, s := range secrets {
				if strings.Contains(res.line, s) {
					t.Errorf("failure line shows the secret value %q:\n%s", s, res.line)
				}
			}
		})
	}
}

// Only secrets are masked: a wanted value that is no secret is printed, also when its field
// is named like a credential (a mounted file's path) or holds secrets among other values.
func TestNonSecretWantIsShown(t *testing.T) {
	cases := []struct{ name, item, wantErr string }{
		{"path of the credentials file", `{kind: Deployment, env: {name: REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH, value: /var/run/secrets/cloud/credentials}}`,
			`is from secret "image-registry-private-configuration" key "credentials" (no literal value), want /var/run/secrets/cloud/credentials`},
		{"path of the GCS key file", `{kind: Deployment, env: {name: REGISTRY_STORAGE_GCS_KEYFILE, value: /gcs/keyfile}}`,
			"env REGISTRY_STORAGE_GCS_KEYFILE: is not set, want /gcs/keyfile"},
		{"env list holding a secret", `{kind: Deployment, path: "spec.template.spec.containers[0].env", contains: {name: REGISTRY_STORAGE, value: gcs}}`,
			`, want a value containing {"name":"REGISTRY_STORAGE","value":"gcs"}`},
		{"spec holding httpSecret", `{kind: Config, path: spec, contains: defaultRoute}`,
			"want a value containing defaultRoute"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := checkOne(t, newRun(), tc.item, allFixtures()...)
			failsWith(t, res, tc.wantErr)
			for _, s := range []string{envSecretValue, httpSecretValue} {
				if strings.Contains(res.line, s) {
					t.Errorf("failure shows the secret value %q:\n%s", s, res.line)
				}
			}
		})
	}
	// What the field holds besides its secrets is shown too.
	res := checkOne(t, newRun(), `{kind: Deployment, path: "spec.template.spec.containers[0].env", contains: x}`, allFixtures()...)
	failsWith(t, res, `{"name":"REGISTRY_STORAGE","value":"s3"}`)
	if !strings.Contains(res.detail, "value: "+expect.Redacted) || strings.Contains(res.line, envSecretValue) {
		t.Errorf("the env list's secret is not masked in the dump:\n%s", res.line)
	}
	// A long value is cut on the statement line, not in the dump below it.
	if first, _, _ := strings.Cut(res.line, "\n"); !strings.Contains(first, "…, want a value containing x") {
		t.Errorf("statement line not cut: %s", first)
	}
}

// The Secret's data is still shown, key by key, with every value redacted: enough to see
// which keys exist.
func TestSecretDumpKeepsKeys(t *testing.T) {
	res := checkOne(t, newRun(), `{kind: Secret, name: image-registry-private-configuration, path: data.credentials, equals: other}`,
		privateConfigSecret())
	for _, want := range []string{"credentials: " + expect.Redacted, "region: " + expect.Redacted} {
		if !strings.Contains(res.detail, want) {
			t.Errorf("details do not show %q:\n%s", want, res.detail)
		}
	}
}

func TestCompileUnknownKind(t *testing.T) {
	_, err := newRun().compile(expectation(t, `{kind: Configmap, exists: true}`))
	if err == nil || !strings.Contains(err.Error(), `unknown kind "Configmap"`) {
		t.Fatalf("got %v, want an unknown kind error", err)
	}
}

func TestCompileBadPath(t *testing.T) {
	_, err := newRun().compile(expectation(t, `{kind: Config, path: "spec..managementState", equals: x}`))
	if err == nil {
		t.Fatal("want an error for an empty field name")
	}
}

func TestCompileSubject(t *testing.T) {
	cases := []struct{ item, want string }{
		{`{kind: Config, exists: true}`, "Config cluster"},
		{`{kind: ClusterOperator, exists: true}`, "ClusterOperator image-registry"},
		{`{kind: Deployment, exists: true}`, "Deployment openshift-image-registry/image-registry"},
		{`{kind: Secret, name: s, namespace: other, exists: true}`, "Secret other/s"},
		{`{bucket: {backend: s3, name: team-registry}, exists: true}`, "bucket team-registry in the s3 fake"},
	}
	for _, tc := range cases {
		it, err := newRun().compile(expectation(t, tc.item))
		if err != nil {
			t.Fatalf("%s: %v", tc.item, err)
		}
		if it.subject != tc.want {
			t.Errorf("%s: subject %q, want %q", tc.item, it.subject, tc.want)
		}
	}
}

func TestDecodeSecretData(t *testing.T) {
	obj := map[string]any{"data": map[string]any{
		"plain":   base64.StdEncoding.EncodeToString([]byte("hello")),
		"notb64":  "%%%",
		"nonText": 3,
	}}
	decodeSecretData(obj)
	d := obj["data"].(map[string]any)
	if d["plain"] != "hello" {
		t.Errorf("plain: %v, want hello", d["plain"])
	}
	if d["notb64"] != "%%%" {
		t.Errorf("a value that is not base64 changed: %v", d["notb64"])
	}
	if d["nonText"] != 3 {
		t.Errorf("a value that is not text changed: %v", d["nonText"])
	}
	// A Secret without data is left alone.
	decodeSecretData(map[string]any{"kind": "Secret"})
}
