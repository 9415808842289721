// Package ibmcosfake is an in-process IBM Cloud Object Storage for the image registry
// operator's IBM COS driver: the four IBM Cloud services that driver talks to, on one
// listener of 127.0.0.1, told apart by path.
//
//   - IAM (POST /identity/token): exchanges an API key for a bearer token (a JWT-shaped
//     string whose claims carry the account ID, as IBM's do);
//   - Resource Manager (/v2/resource_groups): the account's resource group;
//   - Resource Controller (/v2/resource_instances, /v2/resource_keys): COS service instances
//     and their resource keys, with HMAC credentials;
//   - COS itself, S3-compatible: gofakes3 behind fakes/s3's fixing layer, fronted here by
//     IBM's authentication (a bearer token from IAM, plus header ibm-service-instance-id on
//     bucket creation naming an active instance) or an HMAC key of a resource key.
//
// Every request goes through the one fault injector of fakes/fault (the S3 layer's), so a
// spec injects faults and reads the call log the same way for every backend. Callers that
// reach the fake through a rewriting transport may say which host they meant in header
// X-Forwarded-Host; the fake records it (RequestedHosts), which is how a spec observes the
// endpoint an operator chose without DNS.
package ibmcosfake

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/internal/httpfake"
	s3fake "github.com/irconform/irconform/fakes/s3"
)

// Defaults of the fake account.
const (
	// DefaultAPIKey is the account's API key (what installer-cloud-credentials carries as
	// ibmcloud_api_key).
	DefaultAPIKey = "irconform-fake-ibmcloud-api-key-000000000001"
	// DefaultAccountID is the account (the "bss" claim of issued tokens).
	DefaultAccountID = "0123456789abcdef0123456789abcdef"
	// DefaultResourceGroup is the account's one resource group.
	DefaultResourceGroup = "irconform-rg"
	// DefaultTokenTTL is how long an issued token is valid.
	DefaultTokenTTL = time.Hour
)

// Op names for the IBM Cloud calls (COS's own S3 calls use fakes/fault's names).
const (
	OpAuth               = fault.OpAuth // IAM token exchange
	OpListResourceGroups = "ListResourceGroups"
	OpGetResourceGroup   = "GetResourceGroup"
	OpListInstances      = "ListServiceInstances"
	OpGetInstance        = "GetServiceInstance"
	OpCreateInstance     = "CreateServiceInstance"
	OpCreateKey          = "CreateResourceKey"
	OpGetKey             = "GetResourceKey"
	OpListKeys           = "ListResourceKeys"
)

// Services, as recorded in RequestedHosts.
const (
	ServiceIAM                = "IAM"
	ServiceResourceManager    = "ResourceManager"
	ServiceResourceController = "ResourceController"
	ServiceCOS                = "COS"
)

// Instance states (Resource Controller).
const (
	StateActive       = "active"
	StateProvisioning = "provisioning"
	StateRemoved      = "removed"
)

type config struct {
	port     int
	apiKeys  map[string]string
	ttl      time.Duration
	group    string
	instance []Instance
}

// Option configures Start.
type Option func(*config)

// WithPort listens on a fixed port of 127.0.0.1 (0, the default, picks a free one).
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithAPIKey accepts one more API key; label names it in Tokens (so that a spec can tell
// which credential was exchanged without handling the key itself).
func WithAPIKey(key, label string) Option { return func(c *config) { c.apiKeys[key] = label } }

// WithTokenTTL sets the lifetime of issued tokens.
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithResourceGroup names the account's resource group (default DefaultResourceGroup).
func WithResourceGroup(name string) Option { return func(c *config) { c.group = name } }

// Server is a running fake. It implements fault.Inspector (buckets, faults, seeding).
type Server struct {
	// Endpoint is the base URL of every service, e.g. http://127.0.0.1:41234.
	Endpoint string
	// APIKey is the account's default API key.
	APIKey    string
	AccountID string
	// ResourceGroup and ResourceGroupID name the account's resource group.
	ResourceGroup   string
	ResourceGroupID string

	cos    *s3fake.Server
	faults *fault.Injector
	http   *httpfake.Server
	ttl    time.Duration

	mu        sync.Mutex
	apiKeys   map[string]string // key → label
	tokens    map[string]*IssuedToken
	instances []*Instance
	keys      []*ResourceKey
	buckets   map[string]bucketMeta
	hosts     []RequestedHost
	seq       int
}

var _ fault.Inspector = (*Server)(nil)

// IssuedToken is one IAM token the fake handed out (the token itself is not exposed).
type IssuedToken struct {
	// KeyLabel names the API key it was exchanged for ("default" for DefaultAPIKey).
	KeyLabel  string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Uses counts the requests that presented it.
	Uses    int
	expired bool
}

// Instance is a COS service instance.
//
// Models IBMCOS-003, IBMCOS-009.
type Instance struct {
	ID              string
	GUID            string
	CRN             string
	Name            string
	ResourceGroupID string
	PlanID          string
	Target          string
	Tags            []string
	State           string
}

// ResourceKey is a resource key of an instance.
type ResourceKey struct {
	ID        string
	GUID      string
	CRN       string
	Name      string
	SourceCRN string
	Role      string
	// HMAC is true when the key was created with parameters {"HMAC": true}; only then it
	// carries AccessKeyID/SecretAccessKey.
	HMAC            bool
	AccessKeyID     string
	SecretAccessKey string
}

// RequestedHost is one request's service and the host its caller meant.
type RequestedHost struct {
	Service string
	Host    string
}

type bucketMeta struct {
	locationConstraint string
	instanceCRN        string
}

// Setting keys reported by Buckets in fault.BucketInfo.Settings.
const (
	SettingLocationConstraint = "locationConstraint"
	SettingServiceInstance    = "serviceInstance"
)

// Start serves the fake on 127.0.0.1 until ctx is done or Close is called.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	cfg := config{apiKeys: map[string]string{DefaultAPIKey: "default"}, ttl: DefaultTokenTTL, group: DefaultResourceGroup}
	for _, o := range opts {
		o(&cfg)
	}
	cos, err := s3fake.Start(ctx, s3fake.WithRegion("us-south"))
	if err != nil {
		return nil, fmt.Errorf("ibmcos fake: %w", err)
	}
	hs, err := httpfake.Listen("ibmcos fake", cfg.port)
	if err != nil {
		_ = cos.Close()
		return nil, err
	}
	s := &Server{
		Endpoint:        hs.URL(),
		APIKey:          DefaultAPIKey,
		AccountID:       DefaultAccountID,
		ResourceGroup:   cfg.group,
		ResourceGroupID: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
		cos:             cos,
		faults:          cos.Faults(),
		http:            hs,
		ttl:             cfg.ttl,
		apiKeys:         cfg.apiKeys,
		tokens:          map[string]*IssuedToken{},
		buckets:         map[string]bucketMeta{},
	}
	hs.Serve(ctx, s, func() { _ = cos.Close() })
	return s, nil
}

// Close stops the server (and its COS layer); it is safe to call more than once.
func (s *Server) Close() error { return s.http.Close() }

// Done is closed once the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.http.Done() }

// Describe is a one-line summary for the standalone command (no secret values).
func (s *Server) Describe() string {
	return fmt.Sprintf("IBM Cloud (IAM, Resource Controller, Resource Manager, COS) at %s, account %s, resource group %s",
		s.Endpoint, s.AccountID, s.ResourceGroup)
}

// Faults returns the fault injector and call log shared by every service of the fake.
func (s *Server) Faults() *fault.Injector { return s.faults }

// Seed creates a bucket holding n objects directly in COS, bypassing the call log.
func (s *Server) Seed(ctx context.Context, bucket string, objects int) error {
	return s.cos.Seed(ctx, bucket, objects)
}

// Buckets lists COS buckets with object counts; Settings carry the location constraint and
// the service instance named at creation (absent for seeded buckets).
func (s *Server) Buckets(ctx context.Context) ([]fault.BucketInfo, error) {
	list, err := s.cos.Buckets(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range list {
		m, ok := s.buckets[list[i].Name]
		if !ok {
			continue
		}
		list[i].Settings[SettingLocationConstraint] = m.locationConstraint
		list[i].Settings[SettingServiceInstance] = m.instanceCRN
	}
	return list, nil
}

// Tokens lists the tokens issued so far, oldest first.
func (s *Server) Tokens() []IssuedToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]IssuedToken, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, *t)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].IssuedAt.Before(out[j].IssuedAt) })
	return out
}

// ExpireTokens makes every token issued so far invalid (as after its TTL): requests that
// present one are refused until the caller exchanges its API key again.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expired = true
	}
}

// AcceptAPIKey accepts one more API key from now on; label names it in Tokens.
func (s *Server) AcceptAPIKey(key, label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKeys[key] = label
}

// RevokeAPIKey stops accepting key (IAM answers as for an unknown key).
func (s *Server) RevokeAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.apiKeys, key)
}

// Instances lists the COS service instances, in creation order.
func (s *Server) Instances() []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Instance, 0, len(s.instances))
	for _, in := range s.instances {
		c := *in
		c.Tags = append([]string(nil), in.Tags...)
		out = append(out, c)
	}
	return out
}

// ResourceKeys lists the resource keys, in creation order.
func (s *Server) ResourceKeys() []ResourceKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ResourceKey, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, *k)
	}
	return out
}

// AddInstance creates a service instance directly (bypassing the call log): "the user's
// instance exists before the operator starts". Empty fields get the fake's defaults.
func (s *Server) AddInstance(name, state string) Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.newInstanceLocked(name, s.ResourceGroupID, StandardPlanID, "bluemix-global", nil)
	if state != "" {
		in.State = state
	}
	return *in
}

// SetInstanceState changes the state of the instance with crn (e.g. StateRemoved).
func (s *Server) SetInstanceState(crn, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.instances {
		if in.CRN == crn {
			in.State = state
			return nil
		}
	}
	return fmt.Errorf("ibmcos fake: no instance %s", crn)
}

// AddResourceKey creates a resource key for the instance with sourceCRN directly (bypassing
// the call log), with HMAC credentials when hmac is set.
func (s *Server) AddResourceKey(name, sourceCRN, role string, hmac bool) ResourceKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.newKeyLocked(name, sourceCRN, role, hmac)
}

// RequestedHosts lists, per request, the service and the host its caller meant (header
// X-Forwarded-Host, else the Host header).
func (s *Server) RequestedHosts() []RequestedHost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestedHost(nil), s.hosts...)
}

// ServeHTTP routes by path: IAM, Resource Manager, Resource Controller, else COS.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	service := ServiceCOS
	switch p := r.URL.Path; {
	case p == iamTokenPath:
		service = ServiceIAM
	case strings.HasPrefix(p, "/v2/resource_groups"):
		service = ServiceResourceManager
	case strings.HasPrefix(p, "/v2/resource_instances"), strings.HasPrefix(p, "/v2/resource_keys"):
		service = ServiceResourceController
	}
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" {
		host = r.Host
	}
	s.mu.Lock()
	s.hosts = append(s.hosts, RequestedHost{Service: service, Host: host})
	s.mu.Unlock()
	switch service {
	case ServiceIAM:
		s.serveToken(w, r)
	case ServiceResourceManager, ServiceResourceController:
		s.serveResources(w, r)
	default:
		s.serveCOS(w, r)
	}
}

func (s *Server) nextIDLocked() int {
	s.seq++
	return s.seq
}
