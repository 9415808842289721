package render

import (
	"reflect"
	"strings"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func testConfig(mut ...func(*imageregistryv1.Config)) *imageregistryv1.Config {
	c := &imageregistryv1.Config{
		ObjectMeta: metav1.ObjectMeta{Name: ConfigName},
		Spec: imageregistryv1.ImageRegistrySpec{
			OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed, LogLevel: operatorv1.Normal},
			HTTPSecret:   "0123456789abcdef",
			Replicas:     1,
			Storage:      imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}},
		},
	}
	for _, m := range mut {
		m(c)
	}
	return c
}

func envMap(t *testing.T, list []EnvVar) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range list {
		v, err := EnvValue(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := out[e.Name]; dup {
			t.Fatalf("duplicate env %s", e.Name)
		}
		out[e.Name] = v
	}
	return out
}

func envNames(list []EnvVar) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Name)
	}
	return out
}

func TestEnvValue(t *testing.T) {
	cases := []struct {
		name    string
		value   any
		want    string
		wantErr bool
	}{
		{"int", 10, "10", false},
		{"int64", int64(5242880), "5242880", false},
		{"bool true", true, "true", false},
		{"bool false", false, "false", false},
		{"plain string", "foo", "foo", false},
		{"numeric string is quoted", "10", `"10"`, false},
		{"bool-like string is quoted", "true", `"true"`, false},
		{"string with quotes", `# foo'bar"baz`, `'# foo''bar"baz'`, false},
		{"literal kept verbatim", Literal("{enabled: true}"), "{enabled: true}", false},
		{"literal numeric kept verbatim", Literal("10"), "10", false},
		{"nil literal pointer", (*Literal)(nil), "", false},
		{"list of maps", []map[string]string{{"name": "cloudfront"}}, "- name: cloudfront", false},
		{"unencodable", func() {}, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EnvValue(EnvVar{Name: "X", Value: tc.value})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), "unable to encode environment variable X") {
				t.Fatalf("error %q does not name the variable", err)
			}
		})
	}
}

func TestContainerEnvAndSecretData(t *testing.T) {
	list := []EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "swift"},
		{Name: "REGISTRY_STORAGE_SWIFT_PASSWORD", Value: "p@ss", Secret: true},
		{Name: "REGISTRY_STORAGE_SWIFT_TOKENID", Value: "", Secret: true},
	}
	env, err := ContainerEnv(list)
	if err != nil {
		t.Fatal(err)
	}
	want := []corev1.EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "swift"},
		{Name: "REGISTRY_STORAGE_SWIFT_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "image-registry-private-configuration"}, Key: "REGISTRY_STORAGE_SWIFT_PASSWORD"}}},
		{Name: "REGISTRY_STORAGE_SWIFT_TOKENID", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "image-registry-private-configuration"}, Key: "REGISTRY_STORAGE_SWIFT_TOKENID"}}},
	}
	if !reflect.DeepEqual(env, want) {
		t.Fatalf("got %#v\nwant %#v", env, want)
	}
	for _, e := range env {
		if e.ValueFrom != nil && e.Value != "" {
			t.Fatalf("secret env %s has an inline value", e.Name)
		}
	}
	data, err := SecretEnvData(list)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(data, map[string]string{"REGISTRY_STORAGE_SWIFT_PASSWORD": "p@ss", "REGISTRY_STORAGE_SWIFT_TOKENID": `""`}) {
		t.Fatalf("secret data %v", data)
	}
	if _, err := ContainerEnv([]EnvVar{{Name: "", Value: "x"}}); err == nil {
		t.Fatal("empty name accepted")
	}
	if _, err := ContainerEnv([]EnvVar{{Name: "BAD", Value: make(chan int)}}); err == nil {
		t.Fatal("unencodable value accepted")
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		mut  func(*imageregistryv1.Config)
		want string // "" = valid
	}{
		{"valid default", func(*imageregistryv1.Config) {}, ""},
		{"zero replicas ok", func(c *imageregistryv1.Config) { c.Spec.Replicas = 0 }, ""},
		{"negative replicas", func(c *imageregistryv1.Config) { c.Spec.Replicas = -1 }, "replicas must be greater than or equal to 0"},
		{"route named default-route", func(c *imageregistryv1.Config) {
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "default-route"}}
		}, "duplication of names has been detected in the additional routes"},
		{"duplicate route names", func(c *imageregistryv1.Config) {
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "a"}, {Name: "b"}, {Name: "a"}}
		}, "duplication of names has been detected in the additional routes"},
		{"distinct routes ok", func(c *imageregistryv1.Config) {
			c.Spec.DefaultRoute = true
			c.Spec.Routes = []imageregistryv1.ImageRegistryConfigRoute{{Name: "a"}, {Name: "b"}}
		}, ""},
		{"read maxRunning negative", func(c *imageregistryv1.Config) { c.Spec.Requests.Read.MaxRunning = -1 }, "Requests.Read.MaxRunning must be positive number"},
		{"read maxInQueue negative", func(c *imageregistryv1.Config) { c.Spec.Requests.Read.MaxInQueue = -3 }, "Requests.Read.MaxInQueue must be positive number"},
		{"read both negative reports maxRunning", func(c *imageregistryv1.Config) {
			c.Spec.Requests.Read.MaxRunning, c.Spec.Requests.Read.MaxInQueue = -1, -1
		}, "Requests.Read.MaxRunning must be positive number"},
		{"write maxRunning negative", func(c *imageregistryv1.Config) { c.Spec.Requests.Write.MaxRunning = -1 }, "Requests.Write.MaxRunning must be positive number"},
		{"write maxInQueue negative", func(c *imageregistryv1.Config) {
			c.Spec.Requests.Write.MaxRunning, c.Spec.Requests.Write.MaxInQueue = 5, -1
		}, "Requests.Write.MaxInQueue must be positive number"},
		{"replicas checked before requests", func(c *imageregistryv1.Config) {
			c.Spec.Replicas = -1
			c.Spec.Requests.Read.MaxRunning = -1
		}, "replicas must be greater than or equal to 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(testConfig(tc.mut))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if Validate(nil) == nil || ValidateSpec(nil) == nil || ValidateRequests(nil) == nil {
		t.Fatal("nil config accepted")
	}
}

func TestRegistryLogLevel(t *testing.T) {
	cases := []struct {
		level   operatorv1.LogLevel
		logging int64
		want    string
	}{
		{operatorv1.Normal, 0, "info"},
		{"", 0, "info"},
		{operatorv1.Debug, 0, "debug"},
		{operatorv1.Trace, 0, "debug"},
		{operatorv1.TraceAll, 0, "debug"},
		{operatorv1.Debug, 1, "debug"},
		{operatorv1.Normal, 1, "warn"},
		{operatorv1.Normal, 2, "info"},
		{operatorv1.Normal, 3, "info"},
		{operatorv1.Normal, 4, "debug"},
		{operatorv1.Normal, 9, "debug"},
		{operatorv1.Normal, -1, "debug"},
		{"Bogus", 0, "info"},
	}
	for _, tc := range cases {
		c := testConfig(func(c *imageregistryv1.Config) { c.Spec.LogLevel = tc.level; c.Spec.Logging = tc.logging })
		if got := RegistryLogLevel(c); got != tc.want {
			t.Errorf("logLevel=%q logging=%d: got %q want %q", tc.level, tc.logging, got, tc.want)
		}
		env, err := RegistryEnv(RegistryInputs{Config: c})
		if err != nil {
			t.Fatal(err)
		}
		if got := envMap(t, env)["REGISTRY_LOG_LEVEL"]; got != tc.want {
			t.Errorf("env REGISTRY_LOG_LEVEL = %q, want %q", got, tc.want)
		}
	}
}

func TestRegistryEnvFixedAndOrder(t *testing.T) {
	in := RegistryInputs{Config: testConfig(), Storage: EmptyDirStorage()}
	env, err := RegistryEnv(in)
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{
		"REGISTRY_STORAGE", "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY",
		"REGISTRY_HTTP_ADDR", "REGISTRY_HTTP_NET", "REGISTRY_HTTP_SECRET", "REGISTRY_LOG_LEVEL",
		"REGISTRY_OPENSHIFT_QUOTA_ENABLED", "REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "REGISTRY_STORAGE_DELETE_ENABLED",
		"REGISTRY_HEALTH_STORAGEDRIVER_ENABLED", "REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL", "REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD",
		"REGISTRY_OPENSHIFT_METRICS_ENABLED", "REGISTRY_OPENSHIFT_SERVER_ADDR",
		"REGISTRY_HTTP_TLS_CERTIFICATE", "REGISTRY_HTTP_TLS_KEY",
	}
	if got := envNames(env); !reflect.DeepEqual(got, wantNames) {
		t.Fatalf("order:\n got %v\nwant %v", got, wantNames)
	}
	m := envMap(t, env)
	want := map[string]string{
		"REGISTRY_STORAGE":                          "filesystem",
		"REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY": "/registry",
		"REGISTRY_HTTP_ADDR":                        ":5000",
		"REGISTRY_HTTP_NET":                         "tcp",
		"REGISTRY_HTTP_SECRET":                      "0123456789abcdef",
		"REGISTRY_LOG_LEVEL":                        "info",
		"REGISTRY_OPENSHIFT_QUOTA_ENABLED":          "true",
		"REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR":     "inmemory",
		"REGISTRY_STORAGE_DELETE_ENABLED":           "true",
		"REGISTRY_HEALTH_STORAGEDRIVER_ENABLED":     "true",
		"REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL":    "10s",
		"REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD":   "1",
		"REGISTRY_OPENSHIFT_METRICS_ENABLED":        "true",
		"REGISTRY_OPENSHIFT_SERVER_ADDR":            "image-registry.openshift-image-registry.svc:5000",
		"REGISTRY_HTTP_TLS_CERTIFICATE":             "/etc/secrets/tls.crt",
		"REGISTRY_HTTP_TLS_KEY":                     "/etc/secrets/tls.key",
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("values:\n got %v\nwant %v", m, want)
	}
	// An all-digit http secret is passed verbatim, not YAML-quoted.
	in.Config.Spec.HTTPSecret = "1234"
	env, _ = RegistryEnv(in)
	if got := envMap(t, env)["REGISTRY_HTTP_SECRET"]; got != "1234" {
		t.Fatalf("http secret %q", got)
	}
	if _, err := RegistryEnv(RegistryInputs{}); err == nil {
		t.Fatal("nil config accepted")
	}
}

func TestRegistryEnvOptional(t *testing.T) {
	cases := []struct {
		name   string
		mut    func(*imageregistryv1.Config)
		want   map[string]string // must be present with value
		absent []string
	}{
		{"defaults", func(*imageregistryv1.Config) {}, nil, []string{
			"REGISTRY_STORAGE_MAINTENANCE_READONLY", "REGISTRY_STORAGE_REDIRECT_DISABLE",
			"REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING", "REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXRUNNING",
			"REGISTRY_HTTP_TLS_MINVERSION", "OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"}},
		{"readOnly", func(c *imageregistryv1.Config) { c.Spec.ReadOnly = true },
			map[string]string{"REGISTRY_STORAGE_MAINTENANCE_READONLY": "{enabled: true}"}, nil},
		{"disableRedirect", func(c *imageregistryv1.Config) { c.Spec.DisableRedirect = true },
			map[string]string{"REGISTRY_STORAGE_REDIRECT_DISABLE": "true"}, nil},
		{"read requests", func(c *imageregistryv1.Config) {
			c.Spec.Requests.Read = imageregistryv1.ImageRegistryConfigRequestsLimits{MaxRunning: 10, MaxInQueue: 0, MaxWaitInQueue: metav1.Duration{Duration: time.Minute}}
		}, map[string]string{
			"REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING":     "10",
			"REGISTRY_OPENSHIFT_REQUESTS_READ_MAXINQUEUE":     "0",
			"REGISTRY_OPENSHIFT_REQUESTS_READ_MAXWAITINQUEUE": "1m0s",
		}, []string{"REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXRUNNING"}},
		{"write requests only inQueue", func(c *imageregistryv1.Config) {
			c.Spec.Requests.Write = imageregistryv1.ImageRegistryConfigRequestsLimits{MaxInQueue: 7}
		}, map[string]string{
			"REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXRUNNING":     "0",
			"REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXINQUEUE":     "7",
			"REGISTRY_OPENSHIFT_REQUESTS_WRITE_MAXWAITINQUEUE": "0s",
		}, []string{"REGISTRY_OPENSHIFT_REQUESTS_READ_MAXRUNNING"}},
		{"only maxWaitInQueue set: nothing", func(c *imageregistryv1.Config) {
			c.Spec.Requests.Read.MaxWaitInQueue = metav1.Duration{Duration: time.Second}
		}, nil, []string{"REGISTRY_OPENSHIFT_REQUESTS_READ_MAXWAITINQUEUE"}},
		{"tls profile", func(c *imageregistryv1.Config) {
			c.Spec.ObservedConfig = runtime.RawExtension{Raw: []byte(`{"servingInfo":{"minTLSVersion":"VersionTLS12","cipherSuites":["TLS_AES_128_GCM_SHA256","TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]}}`)}
		}, map[string]string{
			"REGISTRY_HTTP_TLS_MINVERSION":             "VersionTLS12",
			"OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES": "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		}, nil},
		{"tls profile as object", func(c *imageregistryv1.Config) {
			c.Spec.ObservedConfig = runtime.RawExtension{Object: &runtime.Unknown{Raw: []byte(`{"servingInfo":{"minTLSVersion":"VersionTLS13"}}`)}}
		}, nil, nil}, // Unknown marshals to its raw bytes; just must not fail
		{"observedConfig without servingInfo", func(c *imageregistryv1.Config) {
			c.Spec.ObservedConfig = runtime.RawExtension{Raw: []byte(`{"other":1}`)}
		}, nil, []string{"REGISTRY_HTTP_TLS_MINVERSION"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, err := RegistryEnv(RegistryInputs{Config: testConfig(tc.mut), Storage: EmptyDirStorage()})
			if err != nil {
				t.Fatal(err)
			}
			m := envMap(t, env)
			for k, v := range tc.want {
				if got, ok := m[k]; !ok || got != v {
					t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := m[k]; ok {
					t.Errorf("%s should be absent", k)
				}
			}
		})
	}
}

func TestRegistryEnvErrors(t *testing.T) {
	cases := []struct {
		name string
		mut  func(*imageregistryv1.Config)
		want string
	}{
		{"negative read", func(c *imageregistryv1.Config) { c.Spec.Requests.Read.MaxRunning = -2 }, "Requests.Read.MaxRunning must be positive number"},
		{"negative write queue", func(c *imageregistryv1.Config) { c.Spec.Requests.Write.MaxInQueue = -2 }, "Requests.Write.MaxInQueue must be positive number"},
		{"bad tls version", func(c *imageregistryv1.Config) {
			c.Spec.ObservedConfig = runtime.RawExtension{Raw: []byte(`{"servingInfo":{"minTLSVersion":"TLSv1.2"}}`)}
		}, `invalid TLS version: unknown tls version "TLSv1.2"`},
		{"bad cipher", func(c *imageregistryv1.Config) {
			c.Spec.ObservedConfig = runtime.RawExtension{Raw: []byte(`{"servingInfo":{"cipherSuites":["ECDHE-RSA-AES128-GCM-SHA256"]}}`)}
		}, `invalid cipher suite: unknown cipher name "ECDHE-RSA-AES128-GCM-SHA256"`},
		{"observedConfig not json", func(c *imageregistryv1.Config) {
			c.Spec.ObservedConfig = runtime.RawExtension{Raw: []byte(`{not json`)}
		}, "failed to read observedConfig"},
		{"cipherSuites wrong type", func(c *imageregistryv1.Config) {
			c.Spec.ObservedConfig = runtime.RawExtension{Raw: []byte(`{"servingInfo":{"cipherSuites":"TLS_AES_128_GCM_SHA256"}}`)}
		}, "failed to read observedConfig"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RegistryEnv(RegistryInputs{Config: testConfig(tc.mut)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want containing %q", err, tc.want)
			}
		})
	}
}

func TestRegistryEnvProxy(t *testing.T) {
	cluster := &configv1.Proxy{Status: configv1.ProxyStatus{HTTPProxy: "http://c-http", HTTPSProxy: "http://c-https", NoProxy: "c.local"}}
	cases := []struct {
		name    string
		spec    imageregistryv1.ImageRegistryConfigProxy
		cluster *configv1.Proxy
		want    map[string]string
	}{
		{"none", imageregistryv1.ImageRegistryConfigProxy{}, nil, map[string]string{}},
		{"empty cluster proxy", imageregistryv1.ImageRegistryConfigProxy{}, &configv1.Proxy{}, map[string]string{}},
		{"cluster only", imageregistryv1.ImageRegistryConfigProxy{}, cluster,
			map[string]string{"HTTP_PROXY": "http://c-http", "HTTPS_PROXY": "http://c-https", "NO_PROXY": "c.local"}},
		{"spec only", imageregistryv1.ImageRegistryConfigProxy{HTTP: "http://s", HTTPS: "https://s", NoProxy: "s.local"}, nil,
			map[string]string{"HTTP_PROXY": "http://s", "HTTPS_PROXY": "https://s", "NO_PROXY": "s.local"}},
		{"spec wins per field", imageregistryv1.ImageRegistryConfigProxy{HTTPS: "https://s"}, cluster,
			map[string]string{"HTTP_PROXY": "http://c-http", "HTTPS_PROXY": "https://s", "NO_PROXY": "c.local"}},
		{"mixed partial", imageregistryv1.ImageRegistryConfigProxy{NoProxy: "s.local"},
			&configv1.Proxy{Status: configv1.ProxyStatus{HTTPProxy: "http://c-http"}},
			map[string]string{"HTTP_PROXY": "http://c-http", "NO_PROXY": "s.local"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, err := RegistryEnv(RegistryInputs{Config: testConfig(func(c *imageregistryv1.Config) { c.Spec.Proxy = tc.spec }), ClusterProxy: tc.cluster})
			if err != nil {
				t.Fatal(err)
			}
			m := envMap(t, env)
			got := map[string]string{}
			var order []string
			for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"} {
				if v, ok := m[k]; ok {
					got[k] = v
				}
			}
			for _, n := range envNames(env) {
				if strings.HasSuffix(n, "_PROXY") {
					order = append(order, n)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v want %v", got, tc.want)
			}
			for i := 1; i < len(order); i++ {
				rank := map[string]int{"HTTP_PROXY": 0, "HTTPS_PROXY": 1, "NO_PROXY": 2}
				if rank[order[i-1]] > rank[order[i]] {
					t.Fatalf("proxy env order %v", order)
				}
			}
		})
	}
}

func TestRegistryEnvStorageFirst(t *testing.T) {
	st := StorageConfig{Kind: StorageS3, Env: []EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "s3"},
		{Name: "REGISTRY_STORAGE_S3_ENCRYPT", Value: true},
		{Name: "REGISTRY_STORAGE_S3_CHUNKSIZE", Value: 10 * 1024 * 1024},
	}}
	env, err := RegistryEnv(RegistryInputs{Config: testConfig(), Storage: st})
	if err != nil {
		t.Fatal(err)
	}
	names := envNames(env)
	if !reflect.DeepEqual(names[:3], []string{"REGISTRY_STORAGE", "REGISTRY_STORAGE_S3_ENCRYPT", "REGISTRY_STORAGE_S3_CHUNKSIZE"}) || names[3] != "REGISTRY_HTTP_ADDR" {
		t.Fatalf("storage env not first: %v", names)
	}
	m := envMap(t, env)
	if m["REGISTRY_STORAGE_S3_ENCRYPT"] != "true" || m["REGISTRY_STORAGE_S3_CHUNKSIZE"] != "10485760" {
		t.Fatalf("encoding: %v", m)
	}
}
