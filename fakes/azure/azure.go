// Package azure is an in-memory Azure Blob Storage data-plane fake (containers and block
// blobs) served over HTTP on 127.0.0.1 with path-style URLs
// (http://127.0.0.1:<port>/<account>/<container>/<blob>), like Azurite, so the real azblob
// SDK can talk to it with a shared-key credential. Shared Key signatures are verified
// against the account key, so a wrong key fails with 403 AuthenticationFailed.
//
// The management plane (storage account create/delete through ARM) is not part of this
// fake. The differential test in this package runs the same azblob sequence against the
// pinned Azurite (fakes/azure/azurite) to show the answers match the official emulator.
package azure

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/internal/httpfake"
)

// DefaultAccountName is used unless WithAccount is given.
const DefaultAccountName = "irconform"

// DevStoreAccount and DevStoreKey are Azurite's well-known development account; using them
// makes the fake interchangeable with Azurite.
const (
	DevStoreAccount = "devstoreaccount1"
	DevStoreKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// DefaultAccountKey returns the fixed default key (base64 of 64 bytes); fixed so that the
// standalone CLI prints stable values.
func DefaultAccountKey() string {
	sum := sha512.Sum512([]byte("irconform azure fake account key"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

type config struct {
	port    int
	account string
	key     string
	anyKey  bool
}

// Option configures Start.
type Option func(*config)

// WithPort listens on a fixed port (0 = random), for the standalone CLI.
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithAccount sets the storage account name and its base64 shared key.
func WithAccount(name, keyBase64 string) Option {
	return func(c *config) { c.account, c.key = name, keyBase64 }
}

// WithoutAuth accepts any (or no) Authorization header. Only for debugging clients; specs
// about credentials need the default verification.
func WithoutAuth() Option { return func(c *config) { c.anyKey = true } }

// Server is a running fake blob service.
//
// Models AZ-002, AZ-004, STOR-004, STOR-005.
type Server struct {
	AccountName string
	AccountKey  string // base64
	// Endpoint is the service URL for azblob.NewClientWithSharedKeyCredential, ending in
	// "/<account>/".
	Endpoint string

	key    []byte
	anyKey bool
	base   string // http://127.0.0.1:<port>
	faults *fault.Injector
	srv    *httpfake.Server

	mu         sync.Mutex
	containers map[string]*container
	seq        uint64
}

type container struct {
	name         string
	modified     time.Time
	etag         string
	meta         map[string]string
	publicAccess string // "", "blob", "container"
	blobs        map[string]*blob
	staged       map[string]map[string][]byte // blob name → block id → data
}

type blob struct {
	data        []byte
	contentType string
	encoding    string
	language    string
	cacheCtl    string
	disposition string
	md5         []byte
	etag        string
	created     time.Time
	modified    time.Time
	meta        map[string]string
}

// Start serves the blob API on 127.0.0.1 until ctx is done or Close is called.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	cfg := config{account: DefaultAccountName, key: DefaultAccountKey()}
	for _, o := range opts {
		o(&cfg)
	}
	key, err := base64.StdEncoding.DecodeString(cfg.key)
	if err != nil {
		return nil, fmt.Errorf("azure fake: account key is not base64: %w", err)
	}
	hs, err := httpfake.Listen("azure fake", cfg.port)
	if err != nil {
		return nil, err
	}
	s := &Server{
		AccountName: cfg.account,
		AccountKey:  cfg.key,
		key:         key,
		anyKey:      cfg.anyKey,
		base:        hs.URL(),
		faults:      fault.New(),
		srv:         hs,
		containers:  map[string]*container{},
	}
	s.Endpoint = s.base + "/" + s.AccountName + "/"
	hs.Serve(ctx, http.HandlerFunc(s.serve))
	return s, nil
}

// Close stops the server; it is safe to call more than once.
func (s *Server) Close() error { return s.srv.Close() }

// Describe is a one-line summary for the standalone `irconform fakes azure` command.
func (s *Server) Describe() string {
	auth := "shared key verified"
	if s.anyKey {
		auth = "any key accepted"
	}
	return fmt.Sprintf("azure blob: endpoint=%s account=%s key=%s (%s)", s.Endpoint, s.AccountName, s.AccountKey, auth)
}

// ConnectionString is the azblob/Azure CLI connection string for this account.
func (s *Server) ConnectionString() string {
	return fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;",
		s.AccountName, s.AccountKey, s.Endpoint)
}

// Faults implements fault.Inspector.
func (s *Server) Faults() *fault.Injector { return s.faults }

// Buckets implements fault.Inspector: containers sorted by name; Settings "meta:<Name>" per
// metadata entry (Name in Go's canonical header case, see package doc of blob.go) and
// "publicAccess" when a public access level is set.
func (s *Server) Buckets(ctx context.Context) ([]fault.BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]fault.BucketInfo, 0, len(s.containers))
	for _, c := range s.containers {
		bi := fault.BucketInfo{Name: c.name, Objects: len(c.blobs), Settings: map[string]string{}}
		for k, v := range c.meta {
			bi.Settings["meta:"+k] = v
		}
		if c.publicAccess != "" {
			bi.Settings["publicAccess"] = c.publicAccess
		}
		out = append(out, bi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Seed implements fault.Inspector: it creates the container (if missing) with n small block
// blobs "seed-<i>", bypassing the call log.
func (s *Server) Seed(ctx context.Context, bucket string, objects int) error {
	if !validContainerName(bucket) {
		return fmt.Errorf("azure fake: invalid container name %q", bucket)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.containers[bucket]
	if c == nil {
		c = s.newContainerLocked(bucket, nil)
		s.containers[bucket] = c
	}
	for i := 0; i < objects; i++ {
		data := []byte(fmt.Sprintf("seed blob %d of %s\n", i, bucket))
		c.blobs[fmt.Sprintf("seed-%d", i)] = s.newBlobLocked(data, "text/plain", nil)
	}
	return nil
}

// SetContainerMeta sets one metadata entry on an existing container behind the API's back.
func (s *Server) SetContainerMeta(bucket, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.containers[bucket]
	if c == nil {
		return fmt.Errorf("azure fake: no container %q", bucket)
	}
	c.meta[canonicalMetaName(key)] = value
	return nil
}
