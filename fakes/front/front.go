// Package front is a TLS front for the storage fakes: an HTTP forward proxy that an operator
// process reaches through HTTPS_PROXY, the way a cluster-wide proxy is configured. For a
// CONNECT to any host it terminates TLS with a certificate made for that host on the fly and
// signed by its own CA (the process trusts it through SSL_CERT_FILE), reads the requests in
// the tunnel and hands each to the route that claims the host. So an operator that only knows
// real cloud host names (bucket.s3.dualstack.us-east-1.amazonaws.com,
// account.blob.core.windows.net, login.microsoftonline.com) reaches the fakes on 127.0.0.1
// without an endpoint override, a hosts file or DNS.
//
// A host no route claims gets 502 naming the host: an unexpected call shows at once in the
// operator's log instead of a DNS failure or a dial to the internet.
package front

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/irconform/irconform/fakes/internal/httpfake"
)

// Route claims hosts (names without port, lower case) and serves their requests.
type Route struct {
	// Name identifies the route for Remove and in errors.
	Name    string
	Match   func(host string) bool
	Handler http.Handler
}

// Front is a running forward proxy.
type Front struct {
	// URL is the proxy's address, "http://127.0.0.1:<port>": the value for HTTPS_PROXY.
	URL string
	// CAPEM is the CA certificate every host certificate is signed with: the content for
	// SSL_CERT_FILE.
	CAPEM []byte

	ca      *x509.Certificate
	caKey   *ecdsa.PrivateKey
	leafKey *ecdsa.PrivateKey
	srv     *httpfake.Server
	inner   *http.Server
	conns   *connListener

	mu     sync.Mutex
	certs  map[string]*tls.Certificate
	routes []Route
	misses map[string]int
	serial int64
}

// Start serves a front on 127.0.0.1 until ctx ends or Close is called.
func Start(ctx context.Context) (*Front, error) {
	f := &Front{certs: map[string]*tls.Certificate{}, misses: map[string]int{}}
	if err := f.makeCA(); err != nil {
		return nil, err
	}
	hs, err := httpfake.Listen("tls front", 0)
	if err != nil {
		return nil, err
	}
	f.srv, f.URL = hs, hs.URL()
	f.conns = newConnListener(hs.Addr())
	// The tunnelled requests are served by a second server over the CONNECT connections.
	// HTTP/1.1 only: every client here falls back to it, and one protocol is less to debug.
	f.inner = &http.Server{Handler: http.HandlerFunc(f.serveRouted), ReadHeaderTimeout: 30 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = f.inner.Serve(f.conns) }()
	hs.Serve(ctx, http.HandlerFunc(f.serveProxy), func() {
		_ = f.inner.Close()
		_ = f.conns.Close()
	})
	return f, nil
}

// Close stops the front.
func (f *Front) Close() error { return f.srv.Close() }

// Handle adds a route, replacing one of the same name. Routes are tried in the order added.
func (f *Front) Handle(r Route) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.routes {
		if f.routes[i].Name == r.Name {
			f.routes[i] = r
			return
		}
	}
	f.routes = append(f.routes, r)
}

// Remove drops the route of that name (nothing if there is none).
func (f *Front) Remove(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.routes {
		if f.routes[i].Name == name {
			f.routes = append(f.routes[:i], f.routes[i+1:]...)
			return
		}
	}
}

// Misses returns how many requests each unclaimed host got since the last call, and forgets
// them (what a spec or a report can name as "the operator called a host nothing serves").
func (f *Front) Misses() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.misses
	f.misses = map[string]int{}
	return out
}

func (f *Front) route(host string) (http.Handler, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.routes {
		if r.Match(host) {
			return r.Handler, true
		}
	}
	f.misses[host]++
	return nil, false
}

// serveProxy is the proxy's own listener: CONNECT tunnels, or plain http:// requests in
// absolute form.
func (f *Front) serveProxy(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		if r.URL.Host == "" {
			http.Error(w, "irconform tls front: this is a forward proxy (HTTPS_PROXY), not a server", http.StatusBadRequest)
			return
		}
		r.Host = r.URL.Host
		r.RequestURI = ""
		f.serveRouted(w, r)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "irconform tls front: cannot tunnel", http.StatusInternalServerError)
		return
	}
	host := hostOnly(r.Host)
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		_ = conn.Close()
		return
	}
	raw := net.Conn(conn)
	if buf != nil && buf.Reader.Buffered() > 0 {
		raw = &bufferedConn{Conn: conn, r: buf.Reader}
	}
	tc := tls.Server(raw, &tls.Config{
		NextProtos: []string{"http/1.1"},
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name = host // an IP, or a client that sends no SNI
			}
			return f.certFor(name)
		},
	})
	f.conns.push(tc)
}

// serveRouted serves one request from inside a tunnel (or a plain proxied one).
func (f *Front) serveRouted(w http.ResponseWriter, r *http.Request) {
	host := hostOnly(r.Host)
	h, ok := f.route(host)
	if !ok {
		http.Error(w, fmt.Sprintf("irconform tls front: no fake serves host %q", host), http.StatusBadGateway)
		return
	}
	if r.TLS != nil {
		r.URL.Scheme = "https"
	} else {
		r.URL.Scheme = "http"
	}
	r.URL.Host = r.Host
	h.ServeHTTP(w, r)
}

func hostOnly(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = hostport
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// makeCA makes the front's CA and the one key every host certificate carries.
func (f *Front) makeCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("tls front: CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "irconform tls front CA", Organization: []string{"irconform"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("tls front: CA certificate: %w", err)
	}
	if f.ca, err = x509.ParseCertificate(der); err != nil {
		return err
	}
	f.caKey = key
	f.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if f.leafKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return fmt.Errorf("tls front: host key: %w", err)
	}
	return nil
}

// certFor returns (and keeps) the certificate for one host name or IP.
func (f *Front) certFor(name string) (*tls.Certificate, error) {
	name = strings.ToLower(name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.certs[name]; ok {
		return c, nil
	}
	f.serial++
	sn := f.serial + 1 // 1 is the CA's
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(sn),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.ca, &f.leafKey.PublicKey, f.caKey)
	if err != nil {
		return nil, fmt.Errorf("tls front: certificate for %s: %w", name, err)
	}
	c := &tls.Certificate{Certificate: [][]byte{der, f.ca.Raw}, PrivateKey: f.leafKey}
	f.certs[name] = c
	return c, nil
}

// connListener hands hijacked tunnel connections to the inner HTTP server.
type connListener struct {
	addr   net.Addr
	ch     chan net.Conn
	once   sync.Once
	closed chan struct{}
}

func newConnListener(addr string) *connListener {
	a, _ := net.ResolveTCPAddr("tcp", addr)
	return &connListener{addr: a, ch: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *connListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.closed:
		_ = c.Close()
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }

// bufferedConn reads what the proxy's reader already buffered before the connection itself.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
