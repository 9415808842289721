package harness

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"k8s.io/client-go/rest"
)

// apiFront is a plain-HTTP reverse proxy on 127.0.0.1 in front of the envtest API server,
// for an operator process. It forwards with the harness's credentials and runs the spec's
// BeforeOperatorWrite hook on the operator's requests, as the in-process operator's
// transport does: the same deterministic 409 Conflict, whatever the operator is.
type apiFront struct {
	URL string
	srv *http.Server
}

func startAPIFront(ctx context.Context, cfg *rest.Config, hook http.RoundTripper) (*apiFront, error) {
	target, err := url.Parse(cfg.Host)
	if err != nil {
		return nil, fmt.Errorf("api front: server URL %q: %w", cfg.Host, err)
	}
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("api front: transport: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("api front: listen: %w", err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = target.Host
		},
		Transport: hook,
		// Watches are long-lived streams: pass each event on at once.
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	if ht, ok := hook.(*hookTransport); ok {
		ht.next = rt
	}
	f := &apiFront{URL: "http://" + ln.Addr().String(),
		srv: &http.Server{Handler: proxy, ReadHeaderTimeout: 30 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}}
	go func() { _ = f.srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = f.srv.Close()
	}()
	return f, nil
}

func (f *apiFront) Close() error { return f.srv.Close() }
