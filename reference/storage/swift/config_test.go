package swift

import (
	"strings"
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"

	"github.com/irconform/irconform/reference/render"
)

const clouds = `clouds:
  openstack:
    auth:
      auth_url: "http://keystone:5000"
      username: "cloud-user"
      password: "cloud-pass"
      project_name: "proj"
      project_id: "pid"
      user_domain_name: "Dom"
    region_name: "RegionTwo"
    identity_api_version: 3
  other:
    auth:
      auth_url: http://other/v2.0
      application_credential_id: ac-id
      application_credential_secret: ac-secret
    identity_api_version: "2"
`

func TestParseCloudsYAML(t *testing.T) {
	c, err := ParseCloudsYAML([]byte(clouds), "openstack")
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth.AuthURL != "http://keystone:5000" || c.Auth.Username != "cloud-user" || c.RegionName != "RegionTwo" || c.IdentityAPIVersion != "3" {
		t.Errorf("parsed %+v", c)
	}
	o, err := ParseCloudsYAML([]byte(clouds), "other")
	if err != nil || o.IdentityAPIVersion != "2" || o.Auth.ApplicationCredentialID != "ac-id" {
		t.Errorf("other = %+v, %v", o, err)
	}
	if _, err := ParseCloudsYAML([]byte(clouds), "missing"); err == nil || err.Error() != `clouds.yaml does not contain required cloud "missing"` {
		t.Errorf("err = %v", err)
	}
}

func TestResolveConfig(t *testing.T) {
	cloud, _ := ParseCloudsYAML([]byte(clouds), "openstack")
	cases := []struct {
		name  string
		spec  *imageregistryv1.ImageRegistryConfigStorageSwift
		user  map[string][]byte
		cloud *Cloud
		want  Config
		err   string
	}{
		{"clouds.yaml only", nil, nil, cloud, Config{AuthURL: "http://keystone:5000", AuthVersion: "3", Domain: "Dom", Tenant: "proj", TenantID: "pid",
			Region: "RegionTwo", Username: "cloud-user", Password: "cloud-pass"}, ""},
		{"user secret wins for credentials, spec for location",
			&imageregistryv1.ImageRegistryConfigStorageSwift{AuthURL: "http://spec/v3", Domain: "SpecDom", Tenant: "spec-proj", Container: "c"},
			map[string][]byte{KeyUsername: []byte("u"), KeyPassword: []byte("p")}, cloud,
			Config{AuthURL: "http://spec/v3", AuthVersion: "3", Container: "c", Domain: "SpecDom", Tenant: "spec-proj", TenantID: "pid", Region: "RegionTwo",
				Username: "u", Password: "p"}, ""},
		{"token", &imageregistryv1.ImageRegistryConfigStorageSwift{AuthURL: "http://k"}, map[string][]byte{KeyTokenID: []byte("t")}, nil,
			Config{AuthURL: "http://k", AuthVersion: "3", TokenID: "t"}, ""},
		{"app cred needs all three", &imageregistryv1.ImageRegistryConfigStorageSwift{AuthURL: "http://k"},
			map[string][]byte{KeyAppCredID: []byte("i"), KeyAppCredSecret: []byte("s")}, nil, Config{}, "does not contain required keys"},
		{"username without password", &imageregistryv1.ImageRegistryConfigStorageSwift{AuthURL: "http://k"},
			map[string][]byte{KeyUsername: []byte("u")}, nil, Config{}, KeyPassword},
		{"nothing", nil, nil, nil, Config{}, "no Swift credentials"},
		{"no auth url", nil, map[string][]byte{KeyTokenID: []byte("t")}, nil, Config{}, "authURL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveConfig(tc.spec, tc.user, tc.cloud)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want containing %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tc.want)
			}
		})
	}
}

func TestNormalizeAuthURL(t *testing.T) {
	for _, tc := range []struct{ in, ver, want string }{
		{"http://k:5000", "3", "http://k:5000/v3"},
		{"http://k:5000/", "3", "http://k:5000/v3"},
		{"http://k:5000/v3", "3", "http://k:5000/v3"},
		{"http://k:5000/v2.0", "3", "http://k:5000/v2.0"},
		{"https://k/identity", "", "https://k/identity/v3"},
		{"https://k/identity/v3/", "3", "https://k/identity/v3/"},
	} {
		got, err := NormalizeAuthURL(tc.in, tc.ver)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeAuthURL(%q, %q) = %q, %v; want %q", tc.in, tc.ver, got, err, tc.want)
		}
	}
}

func TestEnv(t *testing.T) {
	env, err := Env(Config{AuthURL: "http://k:5000", AuthVersion: "3", Container: "ctr", Domain: "D", Region: "R", Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]render.EnvVar{}
	var order []string
	for _, e := range env {
		got[e.Name] = e
		order = append(order, e.Name)
	}
	if order[0] != "REGISTRY_STORAGE" || got["REGISTRY_STORAGE"].Value != "swift" {
		t.Errorf("first env %v", order)
	}
	if got["REGISTRY_STORAGE_SWIFT_AUTHURL"].Value != "http://k:5000/v3" || got["REGISTRY_STORAGE_SWIFT_CONTAINER"].Value != "ctr" ||
		got["REGISTRY_STORAGE_SWIFT_AUTHVERSION"].Value != "3" {
		t.Errorf("env %+v", env)
	}
	for _, k := range []string{KeyUsername, KeyPassword, KeyTokenID, KeyAppCredID, KeyAppCredName, KeyAppCredSecret} {
		if e, ok := got[k]; !ok || !e.Secret {
			t.Errorf("%s must be a secret env, got %+v", k, e)
		}
	}
	if got[KeyUsername].Value != "u" || got[KeyPassword].Value != "p" {
		t.Errorf("credential values %+v %+v", got[KeyUsername], got[KeyPassword])
	}
	for _, k := range []string{"REGISTRY_STORAGE_SWIFT_DOMAIN", "REGISTRY_STORAGE_SWIFT_REGION"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s missing", k)
		}
	}
	for _, k := range []string{"REGISTRY_STORAGE_SWIFT_DOMAINID", "REGISTRY_STORAGE_SWIFT_TENANT", "REGISTRY_STORAGE_SWIFT_TENANTID"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s set though empty", k)
		}
	}
}
