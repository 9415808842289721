package httpfake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestServeUntilClose(t *testing.T) {
	s, err := Listen("test fake", 0)
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	s.Serve(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }),
		func() { closed++ })
	resp, err := http.Get(s.URL() + "/x")
	if err != nil {
		t.Fatalf("GET %s: %v", s.URL(), err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Errorf("body %q, want ok", body)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if closed != 1 {
		t.Errorf("onClose ran %d times, want 1", closed)
	}
	select {
	case <-s.Done():
	default:
		t.Error("Done not closed after Close")
	}
	if _, err := http.Get(s.URL() + "/x"); err == nil {
		t.Error("still serving after Close")
	}
}

func TestContextEndStops(t *testing.T) {
	s, err := Listen("test fake", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.Serve(ctx, http.NotFoundHandler())
	cancel()
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not stopped 5s after its context ended")
	}
}

func TestCloseBeforeServeReleasesThePort(t *testing.T) {
	s, err := Listen("test fake", 0)
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Addr()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := http.Get("http://" + addr); err == nil {
		t.Error("port still answers after Close without Serve")
	}
}

func TestListenErrorNamesTheFake(t *testing.T) {
	s, err := Listen("test fake", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, p, _ := net.SplitHostPort(s.Addr())
	port, _ := strconv.Atoi(p)
	if _, err := Listen("second fake", port); err == nil || !strings.HasPrefix(err.Error(), "second fake: listen") {
		t.Errorf("Listen on a taken port: %v, want an error starting with the fake's name", err)
	}
}

func TestStatusWriter(t *testing.T) {
	for _, tc := range []struct {
		name      string
		write     func(w http.ResponseWriter)
		status    int
		succeeded bool
	}{
		{"body without a status", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, http.StatusOK, true},
		{"no content", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, http.StatusNoContent, true},
		{"first status wins", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound); w.WriteHeader(http.StatusOK) }, http.StatusNotFound, false},
		{"nothing written", func(http.ResponseWriter) {}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			sw := &StatusWriter{ResponseWriter: rec}
			tc.write(sw)
			if sw.Status != tc.status || sw.Succeeded() != tc.succeeded {
				t.Errorf("Status %d Succeeded %v, want %d %v", sw.Status, sw.Succeeded(), tc.status, tc.succeeded)
			}
		})
	}
}

func TestListenTLSServesWithItsCertificate(t *testing.T) {
	s, caPEM, err := ListenTLS("test fake", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %q, want https://127.0.0.1:<port>", s.URL())
	}
	s.Serve(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("caPEM holds no certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := c.Get(s.URL() + "/x")
	if err != nil {
		t.Fatalf("GET %s trusting caPEM: %v", s.URL(), err)
	}
	resp.Body.Close()
	if _, err := http.Get(s.URL() + "/x"); err == nil {
		t.Error("a client that does not trust the certificate got through")
	}
}
