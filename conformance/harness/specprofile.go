package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// ProfileEnv names a file the harness appends one JSON line per spec to: where the spec's
// wall time went (Reset, operator start) and the kube-apiserver requests it caused, by verb
// and resource, read from kube-apiserver's own apiserver_request_total before and after.
// Why counts: the machine is shared, so times are noisy; request counts are not.
const ProfileEnv = "IRCONFORM_SPEC_PROFILE"

// SpecProfile is one spec's line.
type SpecProfile struct {
	Spec  string        `json:"spec"`
	Reset time.Duration `json:"reset_ns"`
	// ResetStop is the part of Reset that stops the operator.
	ResetStop time.Duration `json:"reset_stop_ns"`
	// ResetByKey and ResetByAPI count the objects Reset deleted by etcd key and through the
	// API (storageWiper).
	ResetByKey    int            `json:"reset_by_key"`
	ResetByAPI    int            `json:"reset_by_api"`
	OperatorStart time.Duration  `json:"operator_start_ns"`
	Total         time.Duration  `json:"total_ns"`
	Requests      map[string]int `json:"requests"` // "VERB resource" → count, this spec and its Reset
}

type specProfiler struct {
	mu    sync.Mutex
	out   *os.File
	hc    *http.Client
	url   string
	last  map[string]int
	cur   SpecProfile
	start time.Time
}

func newSpecProfiler(cfg *rest.Config) (*specProfiler, error) {
	path := os.Getenv(ProfileEnv)
	if path == "" {
		return nil, nil
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("spec profile: %w", err)
	}
	return &specProfiler{out: f, hc: hc, url: strings.TrimSuffix(cfg.Host, "/") + "/metrics"}, nil
}

var requestTotal = regexp.MustCompile(`^apiserver_request_total\{(.*)\} (\d+)`)
var labelRe = regexp.MustCompile(`(\w+)="([^"]*)"`)

func (p *specProfiler) scrape(ctx context.Context) (map[string]int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("spec profile: GET %s: %s", p.url, resp.Status)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := requestTotal.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		labels := map[string]string{}
		for _, l := range labelRe.FindAllStringSubmatch(m[1], -1) {
			labels[l[1]] = l[2]
		}
		if labels["verb"] == "WATCH" {
			continue
		}
		res := labels["resource"]
		if res == "" {
			res = "(discovery and other non-resource paths)"
		}
		if labels["subresource"] != "" {
			res += "/" + labels["subresource"]
		}
		n, _ := strconv.Atoi(m[2])
		out[labels["verb"]+" "+res] += n
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return out, sc.Err()
}

// begin closes the previous spec's line and opens one for spec.
func (p *specProfiler) begin(ctx context.Context, spec string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now, err := p.scrape(ctx)
	if err != nil {
		return
	}
	if p.last != nil && p.cur.Spec != "" {
		p.cur.Total = time.Since(p.start)
		p.cur.Requests = map[string]int{}
		for k, v := range now {
			if d := v - p.last[k]; d > 0 {
				p.cur.Requests[k] = d
			}
		}
		b, _ := json.Marshal(p.cur)
		_, _ = p.out.Write(append(b, '\n'))
	}
	p.last = now
	p.cur = SpecProfile{Spec: spec}
	p.start = time.Now()
}

func (p *specProfiler) addReset(d time.Duration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.cur.Reset += d
	p.mu.Unlock()
}

func (p *specProfiler) addResetStop(d time.Duration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.cur.ResetStop += d
	p.mu.Unlock()
}

func (p *specProfiler) addResetDeletes(c resetDeletes) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.cur.ResetByKey += c.byKey
	p.cur.ResetByAPI += c.byAPI
	p.mu.Unlock()
}

func (p *specProfiler) addOperatorStart(d time.Duration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.cur.OperatorStart += d
	p.mu.Unlock()
}
