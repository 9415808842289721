package swift

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/irconform/irconform/fakes/fault"
)

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = s.Close() })
	return s
}

// login follows the operator's path: Keystone v3 password auth, then the object-store
// endpoint from the catalog.
func login(t *testing.T, s *Server, password string) (*gophercloud.ServiceClient, error) {
	t.Helper()
	ctx := context.Background()
	pc, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: s.AuthURL,
		Username:         s.Username,
		Password:         password,
		DomainName:       s.DomainName,
		TenantName:       s.ProjectName,
	})
	if err != nil {
		return nil, err
	}
	return openstack.NewObjectStorageV1(pc, gophercloud.EndpointOpts{Region: s.Region})
}

func mustLogin(t *testing.T, s *Server) *gophercloud.ServiceClient {
	t.Helper()
	sc, err := login(t, s, s.Password)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return sc
}

func TestGophercloudLifecycle(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	sc := mustLogin(t, s)
	if sc.Endpoint != s.SwiftURL+"/" {
		t.Errorf("endpoint %q, want %q", sc.Endpoint, s.SwiftURL+"/")
	}

	// Create with the metadata the operator writes (STOR-SWIFT-03).
	cres := containers.Create(ctx, sc, "reg", containers.CreateOpts{
		Metadata: map[string]string{"Openshiftclusterid": "infra-1", "Name": "reg"},
	})
	if _, err := cres.Extract(); err != nil {
		t.Fatalf("create: %v", err)
	}
	// A second PUT is accepted (202, checked in TestSeedAndRawProtocol).
	if _, err := containers.Create(ctx, sc, "reg", nil).Extract(); err != nil {
		t.Errorf("re-create: %v", err)
	}

	get := containers.Get(ctx, sc, "reg", nil)
	h, err := get.Extract()
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	md, err := get.ExtractMetadata()
	if err != nil {
		t.Fatal(err)
	}
	if md["Openshiftclusterid"] != "infra-1" || md["Name"] != "reg" {
		t.Errorf("metadata %v", md)
	}
	if h.ObjectCount != 0 || h.Date.IsZero() {
		t.Errorf("header %+v", h)
	}

	for _, name := range []string{"a", "docker/registry/v2/blobs/x", "docker/registry/v2/repositories/y"} {
		res := objects.Create(ctx, sc, "reg", name, objects.CreateOpts{Content: strings.NewReader("data-" + name)})
		if _, err := res.Extract(); err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
	}
	dl := objects.Download(ctx, sc, "reg", "a", nil)
	body, err := dl.ExtractContent()
	if err != nil || string(body) != "data-a" {
		t.Fatalf("download: %q %v", body, err)
	}

	var names []string
	err = objects.List(sc, "reg", objects.ListOpts{Prefix: "docker/"}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		n, err := objects.ExtractNames(p)
		names = append(names, n...)
		return true, err
	})
	if err != nil || strings.Join(names, ",") != "docker/registry/v2/blobs/x,docker/registry/v2/repositories/y" {
		t.Fatalf("list: %v %v", names, err)
	}
	// Paging through limit=1 must terminate (gophercloud uses the last name as marker).
	var infos []objects.Object
	err = objects.List(sc, "reg", objects.ListOpts{Limit: 1}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		o, err := objects.ExtractInfo(p)
		infos = append(infos, o...)
		return true, err
	})
	if err != nil || len(infos) != 3 || infos[0].Bytes != 6 || infos[0].LastModified.IsZero() || infos[0].Hash == "" {
		t.Fatalf("paged list: %+v %v", infos, err)
	}
	var dirs []string
	err = objects.List(sc, "reg", objects.ListOpts{Prefix: "docker/registry/v2/", Delimiter: "/"}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		o, err := objects.ExtractInfo(p)
		for _, x := range o {
			dirs = append(dirs, x.Subdir)
		}
		return true, err
	})
	if err != nil || strings.Join(dirs, ",") != "docker/registry/v2/blobs/,docker/registry/v2/repositories/" {
		t.Fatalf("delimiter list: %v %v", dirs, err)
	}

	var cnames []string
	err = containers.List(sc, nil).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		n, err := containers.ExtractNames(p)
		cnames = append(cnames, n...)
		return true, err
	})
	if err != nil || strings.Join(cnames, ",") != "reg" {
		t.Fatalf("container list: %v %v", cnames, err)
	}

	bs, _ := s.Buckets(ctx)
	if len(bs) != 1 || bs[0].Objects != 3 || bs[0].Settings["meta:Openshiftclusterid"] != "infra-1" || bs[0].Settings["meta:Name"] != "reg" {
		t.Errorf("Buckets: %+v", bs)
	}

	// Non-empty delete → 409.
	_, err = containers.Delete(ctx, sc, "reg").Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusConflict) {
		t.Fatalf("delete non-empty: %v", err)
	}
	if _, err := objects.Delete(ctx, sc, "reg", "a", nil).Extract(); err != nil {
		t.Fatalf("delete object: %v", err)
	}
	if _, err := objects.Delete(ctx, sc, "reg", "a", nil).Extract(); !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Fatalf("delete missing object: %v", err)
	}
	// The operator's RemoveStorage path: bulk delete the rest, then the container.
	br, err := objects.BulkDelete(ctx, sc, "reg", []string{"docker/registry/v2/blobs/x", "docker/registry/v2/repositories/y", "gone"}).Extract()
	if err != nil || br.NumberDeleted != 2 || br.NumberNotFound != 1 || br.ResponseStatus != "200 OK" {
		t.Fatalf("bulk delete: %+v %v", br, err)
	}
	if _, err := containers.Delete(ctx, sc, "reg").Extract(); err != nil {
		t.Fatalf("delete empty: %v", err)
	}
	_, err = containers.Get(ctx, sc, "reg", nil).Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	_, err = containers.Delete(ctx, sc, "reg").Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Fatalf("delete after delete: %v", err)
	}
	if _, err := objects.Create(ctx, sc, "reg", "x", objects.CreateOpts{Content: strings.NewReader("x")}).Extract(); !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		t.Fatalf("put into missing container: %v", err)
	}

	// The call log names the operations.
	f := s.Faults()
	if f.Count(fault.OpCreateBucket, "reg") != 2 || f.Count(fault.OpDeleteBucket, "reg") != 3 || f.Count(fault.OpAuth, "") != 1 {
		t.Errorf("call log: %+v", f.Calls())
	}
	log := s.AuthLog()
	if len(log) != 1 {
		t.Fatalf("auth log %+v", log)
	}
	want := AuthAttempt{At: log[0].At, Method: "password", User: s.Username, UserDomain: "Default", Project: s.ProjectName, ProjectDomain: "Default", Status: 201}
	if log[0] != want {
		t.Errorf("auth log %+v, want %+v", log[0], want)
	}
}

func TestBadPassword(t *testing.T) {
	s := start(t, WithCredentials("alice", "right"), WithProject("proj"), WithDomain("Corp"), WithRegion("r1"))
	_, err := login(t, s, "wrong")
	if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Fatalf("want 401, got %v", err)
	}
	if l := s.AuthLog(); len(l) != 1 || l[0].Status != 401 || l[0].User != "alice" || l[0].UserDomain != "Corp" {
		t.Errorf("auth log %+v", l)
	}
	if _, err := login(t, s, "right"); err != nil {
		t.Fatalf("good login: %v", err)
	}
	// Wrong project → 401 as well.
	_, err = openstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{
		IdentityEndpoint: s.AuthURL, Username: "alice", Password: "right", DomainName: "Corp", TenantName: "other",
	})
	if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Fatalf("wrong project: %v", err)
	}
}

func TestSwiftRejectsBadToken(t *testing.T) {
	s := start(t)
	for _, tok := range []string{"", "nope"} {
		req, _ := http.NewRequest(http.MethodGet, s.SwiftURL+"?format=json", nil)
		if tok != "" {
			req.Header.Set("X-Auth-Token", tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: status %d", tok, resp.StatusCode)
		}
	}
	// Another account with a valid token → 403.
	req, _ := http.NewRequest(http.MethodGet, s.Endpoint()+"/v1/AUTH_other", nil)
	req.Header.Set("X-Auth-Token", s.IssueToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("other account: %d", resp.StatusCode)
	}
}

// An expired token gets 401 from Swift and gophercloud logs in again transparently.
func TestReauthAfterExpiry(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	pc, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: s.AuthURL, Username: s.Username, Password: s.Password,
		DomainName: s.DomainName, TenantName: s.ProjectName, AllowReauth: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := openstack.NewObjectStorageV1(pc, gophercloud.EndpointOpts{Region: s.Region})
	if err != nil {
		t.Fatal(err)
	}
	s.ExpireTokens()
	if _, err := containers.Create(ctx, sc, "c", nil).Extract(); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := len(s.AuthLog()); n != 2 {
		t.Errorf("auth attempts %d, want 2", n)
	}
}

// SWIFT-004: without an object-store endpoint gophercloud reports ErrEndpointNotFound.
func TestWithoutObjectStore(t *testing.T) {
	s := start(t, WithoutObjectStore())
	_, err := login(t, s, s.Password)
	var nf *gophercloud.ErrEndpointNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("want ErrEndpointNotFound, got %v", err)
	}
	s.SetObjectStore(true)
	if _, err := login(t, s, s.Password); err != nil {
		t.Fatal(err)
	}
}

func TestApplicationCredentialAndTokenAuth(t *testing.T) {
	ctx := context.Background()
	s := start(t, WithApplicationCredential("ac-id", "ac-name", "ac-secret"))
	for _, opts := range []gophercloud.AuthOptions{
		{IdentityEndpoint: s.AuthURL, ApplicationCredentialID: "ac-id", ApplicationCredentialSecret: "ac-secret"},
		{IdentityEndpoint: s.AuthURL, ApplicationCredentialName: "ac-name", ApplicationCredentialSecret: "ac-secret", Username: s.Username, DomainName: s.DomainName},
		{IdentityEndpoint: s.AuthURL, TokenID: s.IssueToken()},
	} {
		pc, err := openstack.AuthenticatedClient(ctx, opts)
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		sc, err := openstack.NewObjectStorageV1(pc, gophercloud.EndpointOpts{Region: s.Region})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := containers.Create(ctx, sc, "c", nil).Extract(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: s.AuthURL, ApplicationCredentialID: "ac-id", ApplicationCredentialSecret: "bad"})
	if !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Fatalf("bad app cred secret: %v", err)
	}
	var methods []string
	for _, a := range s.AuthLog() {
		methods = append(methods, a.Method+":"+a.AppCredential+":"+http.StatusText(a.Status))
	}
	want := "application_credential:ac-id:Created,application_credential:ac-name:Created,validate::OK,application_credential:ac-id:Unauthorized"
	if strings.Join(methods, ",") != want {
		t.Errorf("auth log %v", methods)
	}
}

// Without /v3 in the auth URL gophercloud discovers the version from GET /.
func TestVersionDiscovery(t *testing.T) {
	s := start(t)
	pc, err := openstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{
		IdentityEndpoint: s.Endpoint() + "/", Username: s.Username, Password: s.Password,
		DomainName: s.DomainName, TenantName: s.ProjectName,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openstack.NewObjectStorageV1(pc, gophercloud.EndpointOpts{Region: s.Region}); err != nil {
		t.Fatal(err)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	s := start(t)

	// Keystone down once: JSON error with the injected status.
	s.Faults().Inject(fault.Rule{Op: fault.OpAuth, Status: 503, Times: 1})
	if _, err := login(t, s, s.Password); !gophercloud.ResponseCodeIs(err, 503) {
		t.Fatalf("auth fault: %v", err)
	}
	sc := mustLogin(t, s)

	s.Faults().Inject(fault.Rule{Op: fault.OpCreateBucket, Bucket: "bad", Status: 500, Code: "InternalError"})
	_, err := containers.Create(ctx, sc, "bad", nil).Extract()
	if !gophercloud.ResponseCodeIs(err, 500) || !strings.Contains(err.Error(), "InternalError") {
		t.Fatalf("create fault: %v", err)
	}
	if _, err := containers.Create(ctx, sc, "good", nil).Extract(); err != nil {
		t.Fatalf("other container unaffected: %v", err)
	}
	if bs, _ := s.Buckets(ctx); len(bs) != 1 || bs[0].Name != "good" {
		t.Errorf("failed create must not create: %+v", bs)
	}
	s.Faults().Clear()

	// Bulk delete: a failing item is reported inside the 200 answer and not deleted.
	if err := s.Seed(ctx, "good", 3); err != nil {
		t.Fatal(err)
	}
	s.Faults().Inject(fault.Rule{Op: fault.OpDeleteObject, Bucket: "good", Status: 503, Times: 1})
	br, err := objects.BulkDelete(ctx, sc, "good", []string{"seed-0", "seed-1", "seed-2"}).Extract()
	if err != nil || br.NumberDeleted != 2 || len(br.Errors) != 1 || br.ResponseStatus != "503 Service Unavailable" {
		t.Fatalf("bulk fault: %+v %v", br, err)
	}

	// Latency-only rule delays but serves.
	s.Faults().Inject(fault.Rule{Op: fault.OpHeadBucket, Latency: 50 * time.Millisecond})
	t0 := time.Now()
	if _, err := containers.Get(ctx, sc, "good", nil).Extract(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 50*time.Millisecond {
		t.Errorf("latency not applied: %v", d)
	}
	calls := s.Faults().Calls()
	last := calls[len(calls)-1]
	if last.Op != fault.OpHeadBucket || last.Bucket != "good" || last.Injected != 0 {
		t.Errorf("last call %+v", last)
	}
}

func TestSeedAndRawProtocol(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	if err := s.Seed(ctx, "user", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetContainerMeta("user", "owner", "me"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Faults().Calls()); n != 0 {
		t.Errorf("seed logged %d calls", n)
	}
	tok := s.IssueToken()
	do := func(method, path string, hdr map[string]string, body string) *http.Response {
		req, _ := http.NewRequest(method, s.SwiftURL+path, strings.NewReader(body))
		req.Header.Set("X-Auth-Token", tok)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// ?format=json gives a JSON content type (swifttest did not, which looped gophercloud).
	resp := do("GET", "/user?format=json", nil, "")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !bytes.Contains(b, []byte(`"name":"seed-0"`)) {
		t.Errorf("json listing: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	// Plain listing.
	resp = do("GET", "/user", nil, "")
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "seed-0\nseed-1\n" {
		t.Errorf("text listing %q", b)
	}
	// Container PUT: 201 new, 202 existing; empty text listing is 204.
	for _, want := range []int{201, 202} {
		resp = do("PUT", "/empty", nil, "")
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("PUT container: %d, want %d", resp.StatusCode, want)
		}
	}
	if resp = do("GET", "/empty", nil, ""); resp.StatusCode != 204 {
		t.Errorf("empty text listing %d", resp.StatusCode)
	}
	resp.Body.Close()
	// HEAD shows metadata; POST updates and removes it.
	do("POST", "/user", map[string]string{"X-Container-Meta-Color": "blue", "X-Remove-Container-Meta-Owner": "x"}, "").Body.Close()
	resp = do("HEAD", "/user", nil, "")
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("X-Container-Meta-Color") != "blue" || resp.Header.Get("X-Container-Meta-Owner") != "" || resp.Header.Get("X-Container-Object-Count") != "2" {
		t.Errorf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
	// ETag mismatch → 422.
	resp = do("PUT", "/user/o", map[string]string{"Etag": "00000000000000000000000000000000"}, "abc")
	resp.Body.Close()
	if resp.StatusCode != 422 {
		t.Errorf("etag mismatch %d", resp.StatusCode)
	}
	if !strings.Contains(s.CloudsYAML(), `auth_url: "`+s.AuthURL+`"`) || !strings.Contains(s.Describe(), s.Password) {
		t.Errorf("clouds.yaml / Describe:\n%s\n%s", s.CloudsYAML(), s.Describe())
	}
}

func TestStopsOnContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := http.Get(s.AuthURL); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("server still answering after cancel")
}
