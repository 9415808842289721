package swift

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	"sigs.k8s.io/yaml"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

// User-secret keys (CRED-002, SWIFT-001); the same names are the registry's secret envs.
const (
	KeyUsername        = "REGISTRY_STORAGE_SWIFT_USERNAME"
	KeyPassword        = "REGISTRY_STORAGE_SWIFT_PASSWORD"
	KeyAppCredID       = "REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALID"
	KeyAppCredName     = "REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALNAME"
	KeyAppCredSecret   = "REGISTRY_STORAGE_SWIFT_APPLICATIONCREDENTIALSECRET"
	KeyTokenID         = "REGISTRY_STORAGE_SWIFT_TOKENID"
	CloudsYAMLKey      = "clouds.yaml"
	CACertKey          = "cacert"
	DefaultCloudName   = "openstack"
	DefaultAuthVersion = "3"
)

// Condition reasons and messages (STOR-SWIFT-03/04).
const (
	ReasonContainerExists   = "Container exists"
	MsgContainerExists      = "User supplied container already exists"
	ReasonContainerCreated  = "Swift Container Created"
	MsgContainerCreated     = "Swift container was successfully created"
	ReasonCreationFailed    = "Creation Failed"
	ReasonSteadyExists      = "Swift container Exists"
	MsgSteadyExists         = "Swift container exists"
	ReasonDoesNotExist      = "Storage does not exist"
	ReasonCannotConnect     = "Could not connect to registry storage"
	ReasonContainerDeleted  = "Swift Container Deleted"
	MsgContainerDeleted     = "The swift container has been removed."
	MetaClusterID           = "Openshiftclusterid"
	MetaName                = "Name"
	maxGeneratedNameRetries = 5000
)

// Config is the effective Swift configuration: location from spec (else clouds.yaml),
// credentials from the user secret (else clouds.yaml).
type Config struct {
	AuthURL     string
	AuthVersion string
	Container   string
	Domain      string
	DomainID    string
	Tenant      string
	TenantID    string
	Region      string

	Username                    string
	Password                    string
	ApplicationCredentialID     string
	ApplicationCredentialName   string
	ApplicationCredentialSecret string
	TokenID                     string
}

// flexString accepts a YAML string or number (identity_api_version: 3).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// Cloud is one entry of clouds.yaml (the fields the operator reads).
type Cloud struct {
	Auth struct {
		AuthURL                     string `json:"auth_url"`
		Username                    string `json:"username"`
		Password                    string `json:"password"`
		ProjectName                 string `json:"project_name"`
		ProjectID                   string `json:"project_id"`
		DomainName                  string `json:"domain_name"`
		DomainID                    string `json:"domain_id"`
		UserDomainName              string `json:"user_domain_name"`
		UserDomainID                string `json:"user_domain_id"`
		ApplicationCredentialID     string `json:"application_credential_id"`
		ApplicationCredentialName   string `json:"application_credential_name"`
		ApplicationCredentialSecret string `json:"application_credential_secret"`
		Token                       string `json:"token"`
	} `json:"auth"`
	RegionName         string     `json:"region_name"`
	IdentityAPIVersion flexString `json:"identity_api_version"`
}

// ParseCloudsYAML returns the named cloud of a clouds.yaml document.
func ParseCloudsYAML(data []byte, cloudName string) (*Cloud, error) {
	var doc struct {
		Clouds map[string]Cloud `json:"clouds"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("unable to parse clouds.yaml: %w", err)
	}
	c, ok := doc.Clouds[cloudName]
	if !ok {
		return nil, fmt.Errorf("clouds.yaml does not contain required cloud %q", cloudName)
	}
	return &c, nil
}

// ResolveConfig builds the effective configuration (STOR-SWIFT-01). user is the user
// secret's data (nil when absent); cloud is the clouds.yaml cloud (nil when unavailable).
//
// Implements SWIFT-001, CRED-001, CRED-002.
func ResolveConfig(spec *imageregistryv1.ImageRegistryConfigStorageSwift, user map[string][]byte, cloud *Cloud) (Config, error) {
	var c Config
	if spec != nil {
		c = Config{AuthURL: spec.AuthURL, AuthVersion: spec.AuthVersion, Container: spec.Container, Domain: spec.Domain,
			DomainID: spec.DomainID, Tenant: spec.Tenant, TenantID: spec.TenantID, Region: spec.RegionName}
	}
	if cloud != nil {
		a := cloud.Auth
		fill := func(dst *string, vals ...string) {
			for _, v := range vals {
				if *dst == "" {
					*dst = v
				}
			}
		}
		fill(&c.AuthURL, a.AuthURL)
		fill(&c.AuthVersion, string(cloud.IdentityAPIVersion))
		fill(&c.Domain, a.DomainName, a.UserDomainName)
		fill(&c.DomainID, a.DomainID, a.UserDomainID)
		fill(&c.Tenant, a.ProjectName)
		fill(&c.TenantID, a.ProjectID)
		fill(&c.Region, cloud.RegionName)
	}
	if c.AuthVersion == "" {
		c.AuthVersion = DefaultAuthVersion
	}
	switch {
	case user != nil:
		get := func(k string) string { return string(user[k]) }
		c.Username, c.Password = get(KeyUsername), get(KeyPassword)
		c.ApplicationCredentialID, c.ApplicationCredentialName, c.ApplicationCredentialSecret = get(KeyAppCredID), get(KeyAppCredName), get(KeyAppCredSecret)
		c.TokenID = get(KeyTokenID)
		userPass := c.Username != "" && c.Password != ""
		appCred := c.ApplicationCredentialID != "" && c.ApplicationCredentialName != "" && c.ApplicationCredentialSecret != ""
		if !userPass && !appCred && c.TokenID == "" {
			return Config{}, fmt.Errorf("secret %q does not contain required keys: %s and %s, or %s, %s and %s, or %s",
				storage.Namespace+"/"+storage.UserSecretName, KeyUsername, KeyPassword, KeyAppCredID, KeyAppCredName, KeyAppCredSecret, KeyTokenID)
		}
	case cloud != nil:
		a := cloud.Auth
		c.Username, c.Password = a.Username, a.Password
		c.ApplicationCredentialID, c.ApplicationCredentialName, c.ApplicationCredentialSecret = a.ApplicationCredentialID, a.ApplicationCredentialName, a.ApplicationCredentialSecret
		c.TokenID = a.Token
	default:
		return Config{}, fmt.Errorf("no Swift credentials: neither secret %s nor %s/%s (key %s) is available",
			storage.UserSecretName, storage.Namespace, storage.ClusterCredentialsName, CloudsYAMLKey)
	}
	if c.AuthURL == "" {
		return Config{}, fmt.Errorf("swift authURL is not configured (spec.storage.swift.authURL or clouds.yaml auth_url)")
	}
	return c, nil
}

var versionSegment = regexp.MustCompile(`^v\d+(\.\d+)?$`)

// NormalizeAuthURL appends "/v<authVersion>" when the URL's path has no version segment.
func NormalizeAuthURL(authURL, authVersion string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("invalid authURL %q: %w", authURL, err)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if versionSegment.MatchString(seg) {
			return authURL, nil
		}
	}
	if authVersion == "" {
		authVersion = DefaultAuthVersion
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v" + authVersion
	return u.String(), nil
}

// Env is STOR-SWIFT-02. Credentials are always secret-backed envs (all six present,
// possibly empty); optional location envs only when set.
//
// Implements SWIFT-003.
func Env(c Config) ([]render.EnvVar, error) {
	authURL, err := NormalizeAuthURL(c.AuthURL, c.AuthVersion)
	if err != nil {
		return nil, err
	}
	env := []render.EnvVar{
		{Name: "REGISTRY_STORAGE", Value: "swift"},
		{Name: "REGISTRY_STORAGE_SWIFT_CONTAINER", Value: c.Container},
		{Name: "REGISTRY_STORAGE_SWIFT_AUTHVERSION", Value: c.AuthVersion},
		{Name: "REGISTRY_STORAGE_SWIFT_AUTHURL", Value: authURL},
		{Name: KeyUsername, Value: c.Username, Secret: true},
		{Name: KeyPassword, Value: c.Password, Secret: true},
		{Name: KeyTokenID, Value: c.TokenID, Secret: true},
		{Name: KeyAppCredID, Value: c.ApplicationCredentialID, Secret: true},
		{Name: KeyAppCredName, Value: c.ApplicationCredentialName, Secret: true},
		{Name: KeyAppCredSecret, Value: c.ApplicationCredentialSecret, Secret: true},
	}
	for _, o := range []struct{ name, v string }{
		{"REGISTRY_STORAGE_SWIFT_DOMAIN", c.Domain}, {"REGISTRY_STORAGE_SWIFT_DOMAINID", c.DomainID},
		{"REGISTRY_STORAGE_SWIFT_TENANT", c.Tenant}, {"REGISTRY_STORAGE_SWIFT_TENANTID", c.TenantID},
		{"REGISTRY_STORAGE_SWIFT_REGION", c.Region},
	} {
		if o.v != "" {
			env = append(env, render.EnvVar{Name: o.name, Value: o.v})
		}
	}
	return env, nil
}
