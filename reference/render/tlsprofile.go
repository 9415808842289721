package render

import (
	"encoding/json"

	configv1 "github.com/openshift/api/config/v1"
)

// openSSLToIANA names, in Go's (IANA) spelling, the OpenSSL cipher names the TLS security
// profiles use. Names without an entry (DHE, some CBC suites Go does not implement) are
// dropped from the observed configuration.
var openSSLToIANA = map[string]string{
	"TLS_AES_128_GCM_SHA256":        "TLS_AES_128_GCM_SHA256",
	"TLS_AES_256_GCM_SHA384":        "TLS_AES_256_GCM_SHA384",
	"TLS_CHACHA20_POLY1305_SHA256":  "TLS_CHACHA20_POLY1305_SHA256",
	"ECDHE-ECDSA-AES128-GCM-SHA256": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"ECDHE-RSA-AES128-GCM-SHA256":   "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"ECDHE-RSA-AES256-GCM-SHA384":   "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	"ECDHE-RSA-CHACHA20-POLY1305":   "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	"ECDHE-ECDSA-AES128-SHA256":     "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	"ECDHE-RSA-AES128-SHA256":       "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
	"AES128-GCM-SHA256":             "TLS_RSA_WITH_AES_128_GCM_SHA256",
	"AES256-GCM-SHA384":             "TLS_RSA_WITH_AES_256_GCM_SHA384",
	"AES128-SHA256":                 "TLS_RSA_WITH_AES_128_CBC_SHA256",
	"ECDHE-ECDSA-AES128-SHA":        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	"ECDHE-RSA-AES128-SHA":          "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	"ECDHE-ECDSA-AES256-SHA":        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
	"ECDHE-RSA-AES256-SHA":          "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	"AES128-SHA":                    "TLS_RSA_WITH_AES_128_CBC_SHA",
	"AES256-SHA":                    "TLS_RSA_WITH_AES_256_CBC_SHA",
	"DES-CBC3-SHA":                  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	"ECDHE-RSA-DES-CBC3-SHA":        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
}

// TLSProfile is the minimum TLS version and the cipher suites (IANA names) of the API
// server's TLS security profile: Intermediate when none is set (or a Custom profile has no
// settings), the named profile's settings otherwise.
func TLSProfile(apiServer *configv1.APIServer) (minVersion string, ciphers []string) {
	var profile *configv1.TLSSecurityProfile
	if apiServer != nil {
		profile = apiServer.Spec.TLSSecurityProfile
	}
	typ := configv1.TLSProfileIntermediateType
	if profile != nil {
		typ = profile.Type
	}
	var spec *configv1.TLSProfileSpec
	if typ == configv1.TLSProfileCustomType {
		if profile.Custom != nil {
			spec = &profile.Custom.TLSProfileSpec
		}
	} else {
		spec = configv1.TLSProfiles[typ]
	}
	if spec == nil {
		spec = configv1.TLSProfiles[configv1.TLSProfileIntermediateType]
	}
	ciphers = make([]string, 0, len(spec.Ciphers))
	for _, c := range spec.Ciphers {
		if iana, ok := openSSLToIANA[c]; ok {
			ciphers = append(ciphers, iana)
		}
	}
	return string(spec.MinTLSVersion), ciphers
}

// ObservedConfig is what the operator observes into spec.observedConfig from the API
// server's TLS security profile: {"servingInfo": {"cipherSuites": [...], "minTLSVersion": ...}}.
// The registry's TLS env follows from it (TLSEnv).
// Implements TLS-002.
func ObservedConfig(apiServer *configv1.APIServer) ([]byte, error) {
	minVersion, ciphers := TLSProfile(apiServer)
	return json.Marshal(map[string]any{"servingInfo": map[string]any{"minTLSVersion": minVersion, "cipherSuites": ciphers}})
}
