package render

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	yaml "go.yaml.in/yaml/v2"
	corev1 "k8s.io/api/core/v1"
)

// EnvVar is one registry env var; Secret ones become secretKeyRef into
// image-registry-private-configuration (key = Name) and their values go into
// that Secret (STOR-ENV-01).
//
// Value encoding (STOR-ENV-01): a Literal is used verbatim; anything else is
// YAML-encoded (yaml.v2) with the trailing newline trimmed, so bool → "true",
// int → "10", string "10" → `"10"`, maps/lists → YAML.
//
// Implements CRED-004.
type EnvVar struct {
	Name   string
	Value  any
	Secret bool
}

// Literal is an env value used verbatim (no YAML encoding). The operator's own
// fixed env vars (DEP-ENV-01..07) are literals.
type Literal string

// EnvValue renders the value of e as it appears in the container env or in
// the private-configuration Secret.
func EnvValue(e EnvVar) (string, error) {
	switch v := e.Value.(type) {
	case Literal:
		return string(v), nil
	case *Literal:
		if v == nil {
			return "", nil
		}
		return string(*v), nil
	}
	buf, err := yamlMarshal(e.Value)
	if err != nil {
		return "", fmt.Errorf("unable to encode environment variable %s: %s", e.Name, err)
	}
	return strings.TrimRight(string(buf), "\n"), nil
}

// yamlMarshal is yaml.Marshal that reports, rather than panics on, values
// YAML cannot encode (funcs, channels).
func yamlMarshal(v any) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return yaml.Marshal(v)
}

// ContainerEnv turns the list into container env: Secret entries become
// valueFrom.secretKeyRef{name: image-registry-private-configuration, key: Name}.
//
// Implements CRED-004 (upstream STOR-ENV-01).
func ContainerEnv(list []EnvVar) ([]corev1.EnvVar, error) {
	out := make([]corev1.EnvVar, 0, len(list))
	for _, e := range list {
		if e.Name == "" {
			return nil, errors.New("environment variable with an empty name")
		}
		if e.Secret {
			out = append(out, corev1.EnvVar{
				Name: e.Name,
				ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: PrivateConfigurationSecretName},
					Key:                  e.Name,
				}},
			})
			continue
		}
		v, err := EnvValue(e)
		if err != nil {
			return nil, err
		}
		out = append(out, corev1.EnvVar{Name: e.Name, Value: v})
	}
	return out, nil
}

// SecretEnvData returns the encoded values of the Secret entries, keyed by env name.
func SecretEnvData(list []EnvVar) (map[string]string, error) {
	data := map[string]string{}
	for _, e := range list {
		if !e.Secret {
			continue
		}
		v, err := EnvValue(e)
		if err != nil {
			return nil, err
		}
		data[e.Name] = v
	}
	return data, nil
}

// Validation messages (DEP-DEF-03, DEP-ENV-06), exactly as upstream.
const (
	ErrReplicasNegative     = "replicas must be greater than or equal to 0"
	ErrDuplicateRouteNames  = "duplication of names has been detected in the additional routes"
	errRequestsNotPositive  = "Requests.%s.%s must be positive number"
	unsupportedOverridesErr = "invalid unsupportedConfigOverrides: %v"
)

// Validate checks the Config the way upstream refuses it: DEP-DEF-03
// (ValidateSpec: replicas, route names) and then the DEP-ENV-06 request
// limits (ValidateRequests). Upstream reports the first class as a permanent
// "VerificationFailed" error and the second as an apply error; callers that
// care use the two functions separately.
func Validate(cfg *imageregistryv1.Config) error {
	if err := ValidateSpec(cfg); err != nil {
		return err
	}
	return ValidateRequests(cfg)
}

// ValidateSpec is DEP-DEF-03: negative replicas; a spec.routes[] name equal to
// "default-route" or repeated.
//
// Implements STATUS-011.
func ValidateSpec(cfg *imageregistryv1.Config) error {
	if cfg == nil {
		return errors.New("config is nil")
	}
	if cfg.Spec.Replicas < 0 {
		return errors.New(ErrReplicasNegative)
	}
	seen := map[string]bool{DefaultRouteName: true}
	for _, r := range cfg.Spec.Routes {
		if seen[r.Name] {
			return errors.New(ErrDuplicateRouteNames)
		}
		seen[r.Name] = true
	}
	return nil
}

// ValidateRequests is DEP-ENV-06: negative maxRunning / maxInQueue (checked
// read first, then write; maxRunning before maxInQueue).
//
// Implements DEPLOY-005.
func ValidateRequests(cfg *imageregistryv1.Config) error {
	if cfg == nil {
		return errors.New("config is nil")
	}
	for _, rw := range []struct {
		name string
		l    imageregistryv1.ImageRegistryConfigRequestsLimits
	}{{"Read", cfg.Spec.Requests.Read}, {"Write", cfg.Spec.Requests.Write}} {
		if rw.l.MaxRunning == 0 && rw.l.MaxInQueue == 0 {
			continue
		}
		if rw.l.MaxRunning < 0 {
			return fmt.Errorf(errRequestsNotPositive, rw.name, "MaxRunning")
		}
		if rw.l.MaxInQueue < 0 {
			return fmt.Errorf(errRequestsNotPositive, rw.name, "MaxInQueue")
		}
	}
	return nil
}

// RegistryLogLevel is DEP-ENV-02: Debug/Trace/TraceAll → "debug"; otherwise by
// the deprecated spec.logging: 1 → "warn", 0/2/3 → "info", anything else → "debug".
//
// Implements DEPLOY-001.
func RegistryLogLevel(cfg *imageregistryv1.Config) string {
	switch cfg.Spec.LogLevel {
	case operatorv1.Debug, operatorv1.Trace, operatorv1.TraceAll:
		return "debug"
	}
	switch cfg.Spec.Logging {
	case 1:
		return "warn"
	case 0, 2, 3:
		return "info"
	}
	return "debug"
}

// RegistryEnv is the env of container "registry", ordered as upstream: storage
// env first, then the fixed env (DEP-ENV-01), readOnly, disableRedirect,
// proxy, request limits, TLS cert paths, and the TLS profile from
// spec.observedConfig.
//
// Implements DEPLOY-001, DEPLOY-002, DEPLOY-003, DEPLOY-004, DEPLOY-005, DEPLOY-007, DEPLOY-008.
func RegistryEnv(in RegistryInputs) ([]EnvVar, error) {
	cfg := in.Config
	if cfg == nil {
		return nil, errors.New("config is nil")
	}
	env := make([]EnvVar, 0, len(in.Storage.Env)+24)
	env = append(env, in.Storage.Env...)
	lit := func(name, value string) { env = append(env, EnvVar{Name: name, Value: Literal(value)}) }

	lit("REGISTRY_HTTP_ADDR", fmt.Sprintf(":%d", ContainerPort))
	lit("REGISTRY_HTTP_NET", "tcp")
	lit("REGISTRY_HTTP_SECRET", cfg.Spec.HTTPSecret)
	lit("REGISTRY_LOG_LEVEL", RegistryLogLevel(cfg))
	lit("REGISTRY_OPENSHIFT_QUOTA_ENABLED", "true")
	lit("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", "inmemory")
	lit("REGISTRY_STORAGE_DELETE_ENABLED", "true")
	lit("REGISTRY_HEALTH_STORAGEDRIVER_ENABLED", "true")
	lit("REGISTRY_HEALTH_STORAGEDRIVER_INTERVAL", "10s")
	lit("REGISTRY_HEALTH_STORAGEDRIVER_THRESHOLD", "1")
	lit("REGISTRY_OPENSHIFT_METRICS_ENABLED", "true")
	lit("REGISTRY_OPENSHIFT_SERVER_ADDR", InternalRegistryHostname)

	if cfg.Spec.ReadOnly {
		lit("REGISTRY_STORAGE_MAINTENANCE_READONLY", "{enabled: true}")
	}
	if cfg.Spec.DisableRedirect {
		lit("REGISTRY_STORAGE_REDIRECT_DISABLE", "true")
	}

	// DEP-ENV-05: each field independently, spec first, then cluster Proxy status.
	var cluster struct{ http, https, no string }
	if in.ClusterProxy != nil {
		cluster.http = in.ClusterProxy.Status.HTTPProxy
		cluster.https = in.ClusterProxy.Status.HTTPSProxy
		cluster.no = in.ClusterProxy.Status.NoProxy
	}
	for _, p := range []struct{ name, spec, cluster string }{
		{"HTTP_PROXY", cfg.Spec.Proxy.HTTP, cluster.http},
		{"HTTPS_PROXY", cfg.Spec.Proxy.HTTPS, cluster.https},
		{"NO_PROXY", cfg.Spec.Proxy.NoProxy, cluster.no},
	} {
		switch {
		case p.spec != "":
			lit(p.name, p.spec)
		case p.cluster != "":
			lit(p.name, p.cluster)
		}
	}

	if err := ValidateRequests(cfg); err != nil {
		return nil, err
	}
	for _, rw := range []struct {
		name string
		l    imageregistryv1.ImageRegistryConfigRequestsLimits
	}{{"READ", cfg.Spec.Requests.Read}, {"WRITE", cfg.Spec.Requests.Write}} {
		if rw.l.MaxRunning == 0 && rw.l.MaxInQueue == 0 {
			continue
		}
		prefix := "REGISTRY_OPENSHIFT_REQUESTS_" + rw.name + "_"
		lit(prefix+"MAXRUNNING", fmt.Sprintf("%d", rw.l.MaxRunning))
		lit(prefix+"MAXINQUEUE", fmt.Sprintf("%d", rw.l.MaxInQueue))
		lit(prefix+"MAXWAITINQUEUE", rw.l.MaxWaitInQueue.Duration.String())
	}

	lit("REGISTRY_HTTP_TLS_CERTIFICATE", TLSMountPath+"/tls.crt")
	lit("REGISTRY_HTTP_TLS_KEY", TLSMountPath+"/tls.key")

	tlsEnv, err := TLSEnv(cfg)
	if err != nil {
		return nil, err
	}
	env = append(env, tlsEnv...)
	return env, nil
}

// TLSEnv is DEP-ENV-07: spec.observedConfig.servingInfo.minTLSVersion →
// REGISTRY_HTTP_TLS_MINVERSION and .cipherSuites → OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES
// (comma-joined). Unknown versions or ciphers are errors.
// Implements TLS-001.
func TLSEnv(cfg *imageregistryv1.Config) ([]EnvVar, error) {
	raw := cfg.Spec.ObservedConfig.Raw
	if len(raw) == 0 && cfg.Spec.ObservedConfig.Object != nil {
		b, err := json.Marshal(cfg.Spec.ObservedConfig.Object)
		if err != nil {
			return nil, fmt.Errorf("failed to read observedConfig: %w", err)
		}
		raw = b
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var oc struct {
		ServingInfo *struct {
			MinTLSVersion string   `json:"minTLSVersion"`
			CipherSuites  []string `json:"cipherSuites"`
		} `json:"servingInfo"`
	}
	if err := json.Unmarshal(raw, &oc); err != nil {
		return nil, fmt.Errorf("failed to read observedConfig: %w", err)
	}
	if oc.ServingInfo == nil {
		return nil, nil
	}
	var out []EnvVar
	if v := oc.ServingInfo.MinTLSVersion; v != "" {
		if !tlsVersions[v] {
			return nil, fmt.Errorf("invalid TLS version: unknown tls version %q", v)
		}
		out = append(out, EnvVar{Name: "REGISTRY_HTTP_TLS_MINVERSION", Value: Literal(v)})
	}
	if cs := oc.ServingInfo.CipherSuites; len(cs) > 0 {
		known := knownCiphers()
		for _, c := range cs {
			if !known[c] {
				return nil, fmt.Errorf("invalid cipher suite: unknown cipher name %q", c)
			}
		}
		out = append(out, EnvVar{Name: "OPENSHIFT_REGISTRY_HTTP_TLS_CIPHERSUITES", Value: Literal(strings.Join(cs, ","))})
	}
	return out, nil
}

var tlsVersions = map[string]bool{"VersionTLS10": true, "VersionTLS11": true, "VersionTLS12": true, "VersionTLS13": true}

func knownCiphers() map[string]bool {
	m := map[string]bool{}
	for _, c := range tls.CipherSuites() {
		m[c.Name] = true
	}
	for _, c := range tls.InsecureCipherSuites() {
		m[c.Name] = true
	}
	// Older spellings still accepted by OpenShift's TLS profiles.
	m["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"] = true
	m["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"] = true
	return m
}
