// Package armfake is an Azure management-plane fake: Microsoft Entra ID's token endpoint
// (client credentials with a secret, or with a federated token as workload identity does)
// and the Azure Resource Manager calls the image registry operator makes — storage
// accounts (create, get, update, list keys, delete, name availability), virtual networks
// and subnets (listed to be discovered), private endpoints and their network interfaces,
// private DNS zones, A record sets, zone groups and virtual network links. It serves HTTPS
// on 127.0.0.1 (MSAL insists on an https authority) with a self-signed certificate; the
// real azidentity and resourcemanager clients talk to it once they trust CAPEM.
//
// Every storage account gets its own blob data-plane fake (fakes/azure) whose URL the
// account's properties.primaryEndpoints.blob names, and whose shared key is what listKeys
// answers. Resources are kept generically (ID, type, location, tags, properties); only the
// side effects ARM has on its own (a private endpoint's network interface, an account's
// endpoints and keys) are modelled per type.
//
// Inspection: Resources, Resource, StorageAccount, Blob. Faults: one fault.Injector; an
// ARM call's op is its verb and resource type (OpCreate+"StorageAccount" =
// "CreateStorageAccount"), its bucket the resource's name; token requests are fault.OpAuth.
package armfake

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/irconform/irconform/fakes/azure"
	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/internal/httpfake"
)

// Defaults of the fake's one tenant, service principal and subscription. Fixed so that the
// standalone CLI prints stable values.
const (
	DefaultTenantID       = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	DefaultClientID       = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
	DefaultClientSecret   = "irconform-fake-client-secret"
	DefaultSubscriptionID = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
	DefaultResourceGroup  = "irconform-rg"
	DefaultRegion         = "eastus"
	// ARMAudience is the audience ARM tokens are issued for (scope ARMAudience+"/.default").
	ARMAudience = "https://management.azure.com"
)

// Ops: ARM calls are named verb + resource kind, e.g. "CreateStorageAccount",
// "ListVirtualNetwork", "DeletePrivateEndpoint", "ListKeysStorageAccount",
// "CheckNameAvailability". Token requests are fault.OpAuth.
const (
	OpCreate                = "Create" // PUT
	OpGet                   = "Get"
	OpList                  = "List"   // GET of a collection
	OpUpdate                = "Update" // PATCH
	OpDelete                = "Delete"
	OpListKeys              = "ListKeysStorageAccount"
	OpCheckNameAvailability = "CheckNameAvailability"
)

// Kinds by resource type segment (the last type segment of an ID).
var kinds = map[string]string{
	"storageaccounts":      "StorageAccount",
	"virtualnetworks":      "VirtualNetwork",
	"subnets":              "Subnet",
	"privateendpoints":     "PrivateEndpoint",
	"networkinterfaces":    "NetworkInterface",
	"privatednszones":      "PrivateDNSZone",
	"a":                    "RecordSet",
	"virtualnetworklinks":  "VirtualNetworkLink",
	"privatednszonegroups": "PrivateDNSZoneGroup",
}

// Type names of the resources the fake models (Resource.Type).
const (
	TypeStorageAccount      = "Microsoft.Storage/storageAccounts"
	TypeVirtualNetwork      = "Microsoft.Network/virtualNetworks"
	TypeSubnet              = "Microsoft.Network/virtualNetworks/subnets"
	TypePrivateEndpoint     = "Microsoft.Network/privateEndpoints"
	TypeNetworkInterface    = "Microsoft.Network/networkInterfaces"
	TypePrivateDNSZone      = "Microsoft.Network/privateDnsZones"
	TypeRecordSetA          = "Microsoft.Network/privateDnsZones/A"
	TypeVirtualNetworkLink  = "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
	TypePrivateDNSZoneGroup = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
)

type config struct {
	port                                   int
	tenant, clientID, secret, subscription string
	groups                                 []string
	federatedToken                         string
}

// Option configures Start.
type Option func(*config)

// WithPort listens on a fixed port (0 = random), for the standalone CLI.
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithResourceGroups replaces the resource groups that exist (default DefaultResourceGroup);
// calls into any other group answer 404 ResourceGroupNotFound.
func WithResourceGroups(names ...string) Option { return func(c *config) { c.groups = names } }

// WithFederatedToken makes the token endpoint also accept client_assertion=token for the
// client (workload identity: the projected service account token).
func WithFederatedToken(token string) Option { return func(c *config) { c.federatedToken = token } }

// Resource is one ARM resource as the fake holds it.
type Resource struct {
	ID, Type, Name, ResourceGroup, Location string
	Tags                                    map[string]string
	// Properties is the resource's properties object as JSON decodes it.
	Properties map[string]any
	// Extra are top-level fields besides the common ones (a storage account's kind, sku).
	Extra map[string]any
}

// Server is a running management-plane fake.
type Server struct {
	// URL is the base of both Entra ID (the authority host) and ARM (the resource manager
	// endpoint): https://127.0.0.1:<port>.
	URL string
	// CAPEM is the server's self-signed certificate, for the client's trust.
	CAPEM                                            []byte
	TenantID, ClientID, ClientSecret, SubscriptionID string

	federatedToken string
	faults         *fault.Injector
	srv            *httpfake.Server
	ctx            context.Context

	mu        sync.Mutex
	groups    map[string]bool // lower-case names
	resources map[string]*Resource
	tokens    map[string]bool
	blobs     map[string]*azure.Server // account name → its blob service
	keys      map[string][2]string
	reserved  []string
	nextIP    int
}

// Start serves Entra ID and ARM on 127.0.0.1 until ctx is done or Close is called.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	cfg := config{tenant: DefaultTenantID, clientID: DefaultClientID, secret: DefaultClientSecret,
		subscription: DefaultSubscriptionID, groups: []string{DefaultResourceGroup}}
	for _, o := range opts {
		o(&cfg)
	}
	hs, ca, err := httpfake.ListenTLS("azure arm fake", cfg.port)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: hs.URL(), CAPEM: ca, TenantID: cfg.tenant, ClientID: cfg.clientID, ClientSecret: cfg.secret,
		SubscriptionID: cfg.subscription, federatedToken: cfg.federatedToken, faults: fault.New(), srv: hs, ctx: ctx,
		groups: map[string]bool{}, resources: map[string]*Resource{}, tokens: map[string]bool{},
		blobs: map[string]*azure.Server{}, keys: map[string][2]string{}, nextIP: 4}
	for _, g := range cfg.groups {
		s.groups[strings.ToLower(g)] = true
	}
	hs.Serve(ctx, http.HandlerFunc(s.serve), s.closeBlobs)
	return s, nil
}

// ServeHTTP serves Entra ID and ARM requests handed over by another listener (a TLS front
// that stands in for login.microsoftonline.com and management.azure.com), the same as on
// the fake's own listener.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r) }

// BlobRouter serves host-style blob requests (<account>.blob.<suffix>, as a TLS front hands
// them over): an account this fake created or seeded is served by its own blob service,
// any other by fallback (a blob service of accounts made outside ARM).
func (s *Server) BlobRouter(fallback http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		account, _, _ := strings.Cut(strings.ToLower(host), ".")
		if b := s.Blob(account); b != nil {
			b.ServeHTTP(w, r)
			return
		}
		fallback.ServeHTTP(w, r)
	})
}

// Close stops the server and the accounts' blob services; safe to call more than once.
func (s *Server) Close() error { return s.srv.Close() }

func (s *Server) closeBlobs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.blobs {
		_ = b.Close()
	}
}

// Faults is the fake's injector (rules and call log).
func (s *Server) Faults() *fault.Injector { return s.faults }

// Describe is a one-line summary for the standalone CLI.
func (s *Server) Describe() string {
	return fmt.Sprintf("azure arm+entra: url=%s tenant=%s client=%s secret=%s subscription=%s",
		s.URL, s.TenantID, s.ClientID, s.ClientSecret, s.SubscriptionID)
}

// Credentials is installer-cloud-credentials as the cloud-credential operator mints it for
// Azure with a service principal.
func (s *Server) Credentials() map[string][]byte {
	return map[string][]byte{
		"azure_subscription_id": []byte(s.SubscriptionID),
		"azure_client_id":       []byte(s.ClientID),
		"azure_client_secret":   []byte(s.ClientSecret),
		"azure_tenant_id":       []byte(s.TenantID),
		"azure_resourcegroup":   []byte(DefaultResourceGroup),
		"azure_region":          []byte(DefaultRegion),
	}
}

// ReserveAccountNames (Models AZ-008) makes every storage account name starting with prefix taken
// (checkNameAvailability answers AlreadyExists, as for a name another subscription owns).
func (s *Server) ReserveAccountNames(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reserved = append(s.reserved, prefix)
}

// ResourceID is the ARM ID of a resource in this subscription: provider type path and
// names alternate ("Microsoft.Network/privateDnsZones", "z", "A", "acct").
func (s *Server) ResourceID(group, namespace string, typesAndNames ...string) string {
	return "/subscriptions/" + s.SubscriptionID + "/resourceGroups/" + group + "/providers/" + namespace + "/" + strings.Join(typesAndNames, "/")
}

// SeedVirtualNetwork creates a virtual network with subnets (bypassing the call log), as
// the installer leaves one.
func (s *Server) SeedVirtualNetwork(group, name string, tags map[string]string, subnets ...string) {
	id := s.ResourceID(group, "Microsoft.Network", "virtualNetworks", name)
	s.put(&Resource{ID: id, Type: TypeVirtualNetwork, Name: name, ResourceGroup: group, Location: DefaultRegion, Tags: tags,
		Properties: map[string]any{"provisioningState": "Succeeded", "addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}}}})
	for i, sn := range subnets {
		s.put(&Resource{ID: id + "/subnets/" + sn, Type: TypeSubnet, Name: sn, ResourceGroup: group,
			Properties: map[string]any{"provisioningState": "Succeeded", "addressPrefix": fmt.Sprintf("10.0.%d.0/24", i)}})
	}
}

// SeedStorageAccount creates a storage account (and its blob service) bypassing the call
// log: an account someone else made.
func (s *Server) SeedStorageAccount(group, name string, tags map[string]string) error {
	r := &Resource{ID: s.ResourceID(group, "Microsoft.Storage", "storageAccounts", name), Type: TypeStorageAccount, Name: name,
		ResourceGroup: group, Location: DefaultRegion, Tags: tags, Properties: map[string]any{},
		Extra: map[string]any{"kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}}}
	return s.createAccount(r)
}

// Resources returns copies of the resources of type typ (e.g. TypePrivateEndpoint), by ID.
func (s *Server) Resources(typ string) []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Resource
	for _, r := range s.resources {
		if strings.EqualFold(r.Type, typ) {
			out = append(out, copyResource(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Resource returns a copy of the resource with that ID (case-insensitive), if any.
func (s *Server) Resource(id string) (Resource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.resources[strings.ToLower(id)]
	if !ok {
		return Resource{}, false
	}
	return copyResource(r), true
}

// StorageAccount returns the storage account with that name in any group, if any.
func (s *Server) StorageAccount(name string) (Resource, bool) {
	for _, r := range s.Resources(TypeStorageAccount) {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// Blob is the blob service of a storage account, nil when there is no such account.
func (s *Server) Blob(account string) *azure.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blobs[account]
}

// PrimaryKey is key1 of the account, "" when there is no such account.
func (s *Server) PrimaryKey(account string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[account][0]
}

func copyResource(r *Resource) Resource {
	c := *r
	b, _ := json.Marshal(r.Properties)
	c.Properties = nil
	_ = json.Unmarshal(b, &c.Properties)
	c.Tags = map[string]string{}
	for k, v := range r.Tags {
		c.Tags[k] = v
	}
	return c
}

func (s *Server) put(r *Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resources[strings.ToLower(r.ID)] = r
}

var accountNameRE = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

func newKey() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// createAccount gives a new account what Azure gives it: keys, a blob service, endpoints.
// Models AZ-007, AZ-008.
func (s *Server) createAccount(r *Resource) error {
	key1, key2 := newKey(), newKey()
	blob, err := azure.Start(s.ctx, azure.WithAccount(r.Name, key1))
	if err != nil {
		return err
	}
	if r.Properties == nil {
		r.Properties = map[string]any{}
	}
	r.Properties["provisioningState"] = "Succeeded"
	r.Properties["primaryEndpoints"] = map[string]any{"blob": blob.Endpoint}
	r.Properties["primaryLocation"] = r.Location
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blobs[r.Name] = blob
	s.keys[r.Name] = [2]string{key1, key2}
	s.resources[strings.ToLower(r.ID)] = r
	return nil
}
