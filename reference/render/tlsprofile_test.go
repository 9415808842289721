package render

import (
	"encoding/json"
	"reflect"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
)

func TestTLSProfile(t *testing.T) {
	intermediate := []string{
		"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	}
	profile := func(p *configv1.TLSSecurityProfile) *configv1.APIServer {
		return &configv1.APIServer{Spec: configv1.APIServerSpec{TLSSecurityProfile: p}}
	}
	for name, tc := range map[string]struct {
		as      *configv1.APIServer
		min     string
		ciphers []string
	}{
		"no API server": {nil, "VersionTLS12", intermediate},
		"no profile":    {profile(nil), "VersionTLS12", intermediate},
		"intermediate":  {profile(&configv1.TLSSecurityProfile{Type: configv1.TLSProfileIntermediateType}), "VersionTLS12", intermediate},
		"modern":        {profile(&configv1.TLSSecurityProfile{Type: configv1.TLSProfileModernType}), "VersionTLS13", intermediate[:3]},
		"custom, empty": {profile(&configv1.TLSSecurityProfile{Type: configv1.TLSProfileCustomType}), "VersionTLS12", intermediate},
		"custom, DHE dropped": {profile(&configv1.TLSSecurityProfile{Type: configv1.TLSProfileCustomType, Custom: &configv1.CustomTLSProfile{
			TLSProfileSpec: configv1.TLSProfileSpec{MinTLSVersion: configv1.VersionTLS11, Ciphers: []string{"DHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"}},
		}}), "VersionTLS11", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}},
	} {
		min, ciphers := TLSProfile(tc.as)
		if min != tc.min || !reflect.DeepEqual(ciphers, tc.ciphers) {
			t.Errorf("%s: %s %v, want %s %v", name, min, ciphers, tc.min, tc.ciphers)
		}
	}
	raw, err := ObservedConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil || doc["servingInfo"]["minTLSVersion"] != "VersionTLS12" || len(doc["servingInfo"]["cipherSuites"].([]any)) != 9 {
		t.Errorf("observed config %s (%v)", raw, err)
	}
}
