package redact

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
)

// secretish are words in env var and field names whose literal values are never printed.
var secretish = []string{"secret", "password", "passwd", "token", "accesskey", "accountkey", "apikey", "credential", "private"}

// whereNotWhat are name endings that say where or which a secret is, not what it is: a
// file's path (REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH=/var/run/secrets/cloud/credentials,
// REGISTRY_STORAGE_GCS_KEYFILE=/gcs/keyfile, AZURE_FEDERATED_TOKEN_FILE) or a Swift
// application credential's ID or name. Their values are printed: hiding a mount path in a
// failure ("want [REDACTED]") hides what is wrong and protects nothing. (The files
// themselves are Secret data, masked as such.)
var whereNotWhat = []string{"path", "file", "credentialid", "credentialname"}

// IsSecretName reports whether an env var or key name looks like it holds a secret value.
// (Substring tests, not a case-insensitive regexp: the suite asks for every env var of
// every Deployment event it sees.)
func IsSecretName(name string) bool {
	l := strings.ToLower(name)
	for _, w := range whereNotWhat {
		if strings.HasSuffix(l, w) {
			return false
		}
	}
	for _, w := range secretish {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// secretFields are object fields (exact names) whose string values are secret wherever they
// appear: the Config's httpSecret, passwords and keys of any API. Names such as secretName or
// tokenRef only refer to a secret and stay readable.
var secretFields = map[string]bool{
	"httpSecret": true, "password": true, "secretKey": true, "secretAccessKey": true,
	"accountKey": true, "privateKey": true, "clientSecret": true, "token": true,
	"applicationCredentialSecret": true,
}

// visit calls hide for every secret place of obj (a JSON-shaped object: maps with string
// keys, []any, strings): set replaces the value there. The one definition of "what an
// object holds in secret", shared by Object (mask) and SecretValues (learn).
func visit(obj map[string]any, hide func(v any, set func(any))) {
	if obj["kind"] == "Secret" {
		for _, k := range []string{"data", "stringData"} {
			if d, ok := obj[k].(map[string]any); ok {
				for key, v := range d {
					hide(v, func(nv any) { d[key] = nv })
				}
			}
		}
	}
	walk(obj, hide)
}

func walk(v any, hide func(v any, set func(any))) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			switch {
			case secretFields[k]:
				if s, ok := e.(string); ok && s != "" {
					hide(e, func(nv any) { t[k] = nv })
				}
				continue
			case k == "tls":
				// A Route's spec.tls.key: the private key, copied from a Secret.
				if m, ok := e.(map[string]any); ok {
					if s, ok := m["key"].(string); ok && s != "" {
						hide(s, func(nv any) { m["key"] = nv })
					}
				}
			case k == "env":
				if l, ok := e.([]any); ok {
					for _, ev := range l {
						if m, ok := ev.(map[string]any); ok {
							if n, _ := m["name"].(string); IsSecretName(n) {
								if val, has := m["value"]; has {
									hide(val, func(nv any) { m["value"] = nv })
								}
							}
						}
					}
				}
			case k == "annotations":
				// kubectl's copy of the last applied object holds whatever it held.
				if m, ok := e.(map[string]any); ok {
					if s, ok := m["kubectl.kubernetes.io/last-applied-configuration"].(string); ok {
						hide(s, func(nv any) { m["kubectl.kubernetes.io/last-applied-configuration"] = nv })
					}
				}
			}
			walk(e, hide)
		}
	case []any:
		for _, e := range t {
			walk(e, hide)
		}
	}
}

// Object returns a deep copy of obj fit for a failure message: managedFields dropped, and
// Mask in place of Secret data and stringData values, a Route's spec.tls.key, httpSecret,
// passwords and keys, and literal values of env vars named like secrets. obj must be
// JSON-shaped (as from runtime.DefaultUnstructuredConverter); it is not modified.
func Object(obj map[string]any) map[string]any {
	cp, _ := jsonCopy(obj).(map[string]any)
	if cp == nil {
		return nil
	}
	if md, ok := cp["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
	}
	visit(cp, func(_ any, set func(any)) { set(Mask) })
	return cp
}

// SecretValues lists the secret values obj holds (the places Object masks), for a Redactor
// to Learn: Secret data decoded from base64, and the secret fields of a structured value (the
// keys in a credentials file, the private key of a key file), since text output may show
// them one by one.
func SecretValues(obj map[string]any) []string {
	var out []string
	isSecret := obj["kind"] == "Secret"
	// No copy: nothing is changed, and the suite calls this on every watch event.
	cp := obj
	if isSecret && hasIdentifierKeys(obj) {
		// Learned values are masked in any text, wherever they appear: a Secret's account or
		// user name ("irconform") would mask every mention of the word. They stay masked in
		// dumps of the Secret (Object), just not learned.
		cp = withoutIdentifierKeys(obj)
	}
	visit(cp, func(v any, _ func(any)) {
		s, ok := v.(string)
		if !ok {
			if b, err := json.Marshal(v); err == nil {
				s = string(b)
			}
		}
		out = append(out, s)
		if isSecret {
			if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
				out = append(out, string(dec))
				s = string(dec)
			}
		}
		out = append(out, parts(s)...)
	})
	return out
}

// identifierKeys are words in a Secret's keys that name who or where, not a credential:
// azure_storage_account_name, REGISTRY_STORAGE_SWIFT_USERNAME, a region, an auth URL.
var identifierKeys = []string{"username", "accountname", "projectname", "domainname", "tenantname", "region", "authurl"}

func isIdentifierKey(key string) bool {
	k := strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(key))
	for _, w := range identifierKeys {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func hasIdentifierKeys(secret map[string]any) bool {
	for _, f := range []string{"data", "stringData"} {
		if d, ok := secret[f].(map[string]any); ok {
			for k := range d {
				if isIdentifierKey(k) {
					return true
				}
			}
		}
	}
	return false
}

// withoutIdentifierKeys is a shallow copy of secret without its identifier keys.
func withoutIdentifierKeys(secret map[string]any) map[string]any {
	cp := make(map[string]any, len(secret))
	for k, v := range secret {
		cp[k] = v
	}
	for _, f := range []string{"data", "stringData"} {
		if d, ok := secret[f].(map[string]any); ok {
			nd := make(map[string]any, len(d))
			for k, v := range d {
				if !isIdentifierKey(k) {
					nd[k] = v
				}
			}
			cp[f] = nd
		}
	}
	return cp
}

// field is one "key = value", "key: value" or "key": "value" on a line.
var field = regexp.MustCompile(`^\s*"?([\w.-]+)"?\s*[:=]\s*"?(.*?)"?,?\s*$`)

// secretKey names a field of a credentials file that holds a secret: aws_access_key_id,
// aws_secret_access_key, password, private_key, application_credential_secret, … but not
// auth_url, region, username or client_email, which stay readable wherever else they appear.
var secretKey = regexp.MustCompile(`(?i)(secret|passw|token|key|credential|private)`)

// parts picks the secret values out of a structured secret (an INI credentials file, a
// clouds.yaml, a JSON key file), which text output may show one by one.
func parts(s string) []string {
	var out []string
	var doc map[string]any
	if json.Unmarshal([]byte(s), &doc) == nil {
		for k, v := range doc {
			if str, ok := v.(string); ok && secretKey.MatchString(k) {
				out = append(out, str)
			}
		}
		return out
	}
	for _, l := range strings.Split(strings.ReplaceAll(s, `\n`, "\n"), "\n") {
		if m := field.FindStringSubmatch(l); m != nil && secretKey.MatchString(m[1]) {
			out = append(out, m[2])
		}
	}
	return out
}

// jsonCopy deep-copies a value into JSON shape (maps with string keys, []any, float64
// numbers), so that maps of any Go type are walked alike.
func jsonCopy(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil
	}
	return out
}
