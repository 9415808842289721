// Package swift is an in-memory OpenStack Swift object store fronted by a fake Keystone v3,
// served over HTTP on 127.0.0.1 so that the real gophercloud/v2 client (the one the image
// registry operator uses) can authenticate, read the service catalog and manage containers.
//
// One listener serves both APIs:
//
//	/v3/...            Keystone v3 (token issue/validate, version document)
//	/v1/AUTH_<project>  Swift account / container / object API
//
// A hand-written handler is used instead of ncw/swift's swifttest because gophercloud's
// strict status-code checks and JSON listing negotiation need exact answers (see
// shared/notes/fakes.md §3).
package swift

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/internal/httpfake"
)

// Defaults for the configured identity. They are fixed (not random) so that the standalone
// CLI prints stable values; specs should read them from the Server fields anyway.
const (
	DefaultUsername    = "irconform"
	DefaultPassword    = "irconform-swift-password"
	DefaultDomainName  = "Default"
	DefaultDomainID    = "default"
	DefaultProjectName = "irconform"
	DefaultRegion      = "RegionOne"
)

type config struct {
	port        int
	username    string
	password    string
	domainName  string
	projectName string
	region      string
	objectStore bool
	appCredID   string
	appCredName string
	appCredSec  string
	tokenTTL    time.Duration
}

// Option configures Start.
type Option func(*config)

// WithPort listens on a fixed port (0 = random), for the standalone CLI.
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithCredentials sets the only username/password Keystone accepts.
func WithCredentials(username, password string) Option {
	return func(c *config) { c.username, c.password = username, password }
}

// WithDomain sets the user and project domain name (its id stays "default" unless the name
// is changed, in which case the id is the lower-cased name).
func WithDomain(name string) Option { return func(c *config) { c.domainName = name } }

// WithProject sets the project (tenant) name the credentials are scoped to.
func WithProject(name string) Option { return func(c *config) { c.projectName = name } }

// WithRegion sets the region of the catalog endpoints.
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithoutObjectStore leaves the object-store endpoint out of the service catalog, as on an
// OpenStack cloud without Swift (SWIFT-004: the operator then bootstraps a PVC). The Swift
// API itself keeps answering, so a spec can prove the operator never used it.
//
// Models SWIFT-004.
func WithoutObjectStore() Option { return func(c *config) { c.objectStore = false } }

// WithApplicationCredential makes Keystone also accept application-credential auth, by id
// or by name (+ user), with this secret.
func WithApplicationCredential(id, name, secret string) Option {
	return func(c *config) { c.appCredID, c.appCredName, c.appCredSec = id, name, secret }
}

// WithTokenTTL sets how long issued tokens stay valid (default 1h); expired tokens get 401
// from Swift, which makes gophercloud re-authenticate.
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

// AuthAttempt is one POST /v3/auth/tokens (or token validation GET) as Keystone saw it, so a
// spec can assert which identity the operator really logged in with. Secrets are not kept.
type AuthAttempt struct {
	At            time.Time
	Method        string // "password", "application_credential", "token"; "validate" for GET /v3/auth/tokens
	User          string // user name, or user id when no name was sent
	UserDomain    string // user domain name, or id
	Project       string // requested scope: project name, or id
	ProjectDomain string // requested scope: project domain name, or id
	AppCredential string // application credential id, or name
	Status        int    // HTTP status answered (201 success, 401 refused, or an injected one)
}

// Server is a running fake Keystone + Swift.
type Server struct {
	// AuthURL is the Keystone v3 endpoint, ending in /v3 (what clouds.yaml auth_url and
	// REGISTRY_STORAGE_SWIFT_AUTHURL carry).
	AuthURL string
	// SwiftURL is the object-store endpoint of the project: <endpoint>/v1/AUTH_<ProjectID>.
	SwiftURL    string
	Username    string
	Password    string
	UserID      string
	DomainName  string
	DomainID    string
	ProjectName string
	ProjectID   string
	Region      string
	// Application credential accepted by Keystone; empty unless WithApplicationCredential.
	ApplicationCredentialID     string
	ApplicationCredentialName   string
	ApplicationCredentialSecret string

	endpoint string // http://127.0.0.1:<port>
	cfg      config
	faults   *fault.Injector
	srv      *httpfake.Server

	mu         sync.Mutex
	objstore   bool
	tokens     map[string]token
	authLog    []AuthAttempt
	containers map[string]*container // by name, in the one project account
	seq        int64
}

type token struct {
	project string // project id ("" = unscoped)
	user    string
	methods []string
	issued  time.Time
	expires time.Time
}

type container struct {
	name    string
	created time.Time
	meta    map[string]string // canonical header suffix → value
	objects map[string]*object
}

type object struct {
	data        []byte
	contentType string
	etag        string
	modified    time.Time
	meta        map[string]string
}

// Start serves Keystone and Swift on 127.0.0.1 until ctx is done or Close is called.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	cfg := config{
		username:    DefaultUsername,
		password:    DefaultPassword,
		domainName:  DefaultDomainName,
		projectName: DefaultProjectName,
		region:      DefaultRegion,
		objectStore: true,
		tokenTTL:    time.Hour,
	}
	for _, o := range opts {
		o(&cfg)
	}
	hs, err := httpfake.Listen("swift fake", cfg.port)
	if err != nil {
		return nil, err
	}
	domainID := DefaultDomainID
	if cfg.domainName != DefaultDomainName {
		domainID = strings.ToLower(cfg.domainName)
	}
	s := &Server{
		endpoint:                    hs.URL(),
		Username:                    cfg.username,
		Password:                    cfg.password,
		UserID:                      hexID("user:" + cfg.username),
		DomainName:                  cfg.domainName,
		DomainID:                    domainID,
		ProjectName:                 cfg.projectName,
		ProjectID:                   hexID("project:" + cfg.projectName),
		Region:                      cfg.region,
		ApplicationCredentialID:     cfg.appCredID,
		ApplicationCredentialName:   cfg.appCredName,
		ApplicationCredentialSecret: cfg.appCredSec,
		cfg:                         cfg,
		faults:                      fault.New(),
		srv:                         hs,
		objstore:                    cfg.objectStore,
		tokens:                      map[string]token{},
		containers:                  map[string]*container{},
	}
	s.AuthURL = s.endpoint + "/v3"
	s.SwiftURL = s.endpoint + "/v1/AUTH_" + s.ProjectID

	mux := http.NewServeMux()
	mux.HandleFunc("/v3", s.serveKeystone)
	mux.HandleFunc("/v3/", s.serveKeystone)
	mux.HandleFunc("/v1/", s.serveSwift)
	mux.HandleFunc("/", s.serveRoot)
	hs.Serve(ctx, mux)
	return s, nil
}

// hexID makes a stable Keystone-looking 32-hex id.
func hexID(seed string) string {
	sum := md5.Sum([]byte("irconform-swift:" + seed))
	return hex.EncodeToString(sum[:])
}

// Close stops the server; it is safe to call more than once.
func (s *Server) Close() error { return s.srv.Close() }

// Endpoint is the base URL, http://127.0.0.1:<port> (no path).
func (s *Server) Endpoint() string { return s.endpoint }

// Describe is a one-line summary for the standalone `irconform fakes swift` command.
func (s *Server) Describe() string {
	store := s.SwiftURL
	if !s.ObjectStoreEnabled() {
		store = "(no object-store endpoint in catalog)"
	}
	d := fmt.Sprintf("swift+keystone v3: auth_url=%s user=%s password=%s domain=%s project=%s region=%s object-store=%s",
		s.AuthURL, s.Username, s.Password, s.DomainName, s.ProjectName, s.Region, store)
	if s.ApplicationCredentialID != "" {
		d += fmt.Sprintf(" app-cred-id=%s app-cred-name=%s app-cred-secret=%s",
			s.ApplicationCredentialID, s.ApplicationCredentialName, s.ApplicationCredentialSecret)
	}
	return d
}

// CloudsYAML is a clouds.yaml with cloud "openstack" for the installer-cloud-credentials
// secret (key "clouds.yaml", SWIFT-001).
//
// Models SWIFT-001.
func (s *Server) CloudsYAML() string {
	var b strings.Builder
	b.WriteString("clouds:\n  openstack:\n    auth:\n")
	kv := func(indent, k, v string) { fmt.Fprintf(&b, "%s%s: %s\n", indent, k, yamlQuote(v)) }
	kv("      ", "auth_url", s.AuthURL)
	kv("      ", "username", s.Username)
	kv("      ", "password", s.Password)
	kv("      ", "project_name", s.ProjectName)
	kv("      ", "project_id", s.ProjectID)
	kv("      ", "user_domain_name", s.DomainName)
	kv("      ", "project_domain_name", s.DomainName)
	kv("    ", "region_name", s.Region)
	kv("    ", "interface", "public")
	b.WriteString("    identity_api_version: 3\n")
	return b.String()
}

// yamlQuote double-quotes a scalar; the escapes used are valid in YAML double-quoted style.
func yamlQuote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(v) + `"`
}

// SetObjectStore adds or removes the object-store endpoint from catalogs issued from now on.
func (s *Server) SetObjectStore(enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objstore = enabled
}

// ObjectStoreEnabled reports whether issued catalogs list the object-store endpoint.
func (s *Server) ObjectStoreEnabled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objstore
}

// IssueToken mints a valid project-scoped token without going through Keystone's API (not
// logged), e.g. for a REGISTRY_STORAGE_SWIFT_TOKENID user secret.
func (s *Server) IssueToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := s.newTokenLocked(s.ProjectID, s.UserID, []string{"token"})
	return id
}

// ExpireTokens invalidates every issued token, so the next Swift call answers 401 and the
// client has to log in again.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]token{}
}

// AuthLog returns a copy of the Keystone authentication attempts.
func (s *Server) AuthLog() []AuthAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AuthAttempt(nil), s.authLog...)
}

// Faults implements fault.Inspector.
func (s *Server) Faults() *fault.Injector { return s.faults }

// Buckets implements fault.Inspector: containers sorted by name, Settings "meta:<Suffix>"
// for each X-Container-Meta-<Suffix> (suffix in Go's canonical header case, e.g.
// "meta:Openshiftclusterid").
func (s *Server) Buckets(ctx context.Context) ([]fault.BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]fault.BucketInfo, 0, len(s.containers))
	for _, c := range s.containers {
		bi := fault.BucketInfo{Name: c.name, Objects: len(c.objects), Settings: map[string]string{}}
		for k, v := range c.meta {
			bi.Settings["meta:"+k] = v
		}
		out = append(out, bi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Seed implements fault.Inspector: it creates the container (if missing) with n small
// objects "seed-<i>" directly in the state, without touching the call log.
func (s *Server) Seed(ctx context.Context, bucket string, objects int) error {
	if bucket == "" || strings.Contains(bucket, "/") {
		return fmt.Errorf("swift fake: invalid container name %q", bucket)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.containers[bucket]
	if c == nil {
		c = &container{name: bucket, created: time.Now(), meta: map[string]string{}, objects: map[string]*object{}}
		s.containers[bucket] = c
	}
	for i := 0; i < objects; i++ {
		data := []byte(fmt.Sprintf("seed object %d of %s\n", i, bucket))
		c.objects[fmt.Sprintf("seed-%d", i)] = newObject(data, "text/plain", nil)
	}
	return nil
}

// SetContainerMeta sets X-Container-Meta-<key> on an existing container behind the API's
// back (for "the user's container carries metadata" setups). key is canonicalised.
func (s *Server) SetContainerMeta(bucket, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.containers[bucket]
	if c == nil {
		return fmt.Errorf("swift fake: no container %q", bucket)
	}
	c.meta[canonicalSuffix(key)] = value
	return nil
}

func newObject(data []byte, contentType string, meta map[string]string) *object {
	sum := md5.Sum(data)
	if meta == nil {
		meta = map[string]string{}
	}
	return &object{data: data, contentType: contentType, etag: hex.EncodeToString(sum[:]), modified: time.Now().UTC(), meta: meta}
}

// serveRoot answers the unversioned identity discovery document (GET /) for clients whose
// auth URL lacks /v3; everything else is 404 in Swift's plain style.
func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		writeJSON(w, http.StatusMultipleChoices, map[string]any{
			"versions": map[string]any{"values": []any{s.versionDoc()}},
		})
		return
	}
	swiftError(w, http.StatusNotFound, "")
}
