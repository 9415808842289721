// Package httpfake is the lifecycle every storage fake shares: listen on 127.0.0.1, serve
// until the context ends or Close is called, close exactly once; and StatusWriter, for fakes
// that act on what the server they wrap answered.
package httpfake

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/irconform/irconform/fakes/fault"
)

// Server is one fake's listener and HTTP server.
type Server struct {
	ln      net.Listener
	scheme  string
	srv     *http.Server
	onClose []func()

	mu     sync.Mutex // guards srv against a Close racing Serve
	once   sync.Once
	done   chan struct{}
	closed error
}

// Listen reserves 127.0.0.1:port (0: any free port). Call Serve once the handler, which
// may need URL, is built; Close without Serve just releases the port. name starts errors
// ("s3 fake").
func Listen(name string, port int) (*Server, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("%s: listen: %w", name, err)
	}
	return &Server{ln: ln, scheme: "http", done: make(chan struct{})}, nil
}

// ListenTLS is Listen with HTTPS: a fresh self-signed certificate for 127.0.0.1 (ECDSA
// P-256, valid one day). caPEM is that certificate, for clients to trust: some SDKs refuse
// plain HTTP (MSAL's authority must be https).
func ListenTLS(name string, port int) (s *Server, caPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: key: %w", name, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: certificate: %w", name, err)
	}
	s, err = Listen(name, port)
	if err != nil {
		return nil, nil, err
	}
	s.ln = tls.NewListener(s.ln, &tls.Config{MinVersion: tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	s.scheme = "https"
	return s, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// Addr is "127.0.0.1:<port>".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is "http://127.0.0.1:<port>" ("https://" after ListenTLS).
func (s *Server) URL() string { return s.scheme + "://" + s.Addr() }

// Serve serves h until ctx ends or Close is called; onClose runs once, after the server
// has stopped (the fake's own teardown). Each request carries what the call log records of
// it (fault.Annotate: the request's shape, the SDK's attempt number).
func (s *Server) Serve(ctx context.Context, h http.Handler, onClose ...func()) {
	annotated := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, fault.Annotate(r)) })
	s.mu.Lock()
	s.srv = &http.Server{Handler: annotated, ReadHeaderTimeout: 30 * time.Second}
	if s.scheme == "https" {
		// Clients that close mid-handshake (a stopped operator) are no news.
		s.srv.ErrorLog = log.New(io.Discard, "", 0)
	}
	s.onClose = onClose
	s.mu.Unlock()
	go func() { _ = s.srv.Serve(s.ln) }()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
}

// Close stops the server; it is safe to call more than once, and before Serve.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		srv, onClose := s.srv, s.onClose
		s.mu.Unlock()
		if srv != nil {
			s.closed = srv.Close()
		} else {
			s.closed = s.ln.Close()
		}
		if errors.Is(s.closed, http.ErrServerClosed) || errors.Is(s.closed, net.ErrClosed) {
			s.closed = nil
		}
		for _, f := range onClose {
			f()
		}
		close(s.done)
	})
	return s.closed
}

// Done is closed once the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.done }
