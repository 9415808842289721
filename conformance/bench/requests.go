package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/irconform/irconform/conformance/harness"
)

// SpecRequests is the load-independent side of a suite run: kube-apiserver requests per spec
// (its own apiserver_request_total, read before and after each spec; watches left out), by
// verb and by verb and resource, and the share of spec time the harness's Reset took. Wall
// times on a shared machine move with the load; these counts do not.
type SpecRequests struct {
	Specs      int                `json:"specs"`
	PerSpec    float64            `json:"requests_per_spec"`
	ByVerb     map[string]float64 `json:"per_spec_by_verb"`
	ByResource map[string]float64 `json:"per_spec_by_verb_resource"`
	Reset      Stats              `json:"reset"`
	ResetShare float64            `json:"reset_share"`
	// ResetByKey and ResetByAPI: objects per spec the Reset deleted by etcd key and through
	// the API (a kind without a known key, or a key that held nothing).
	ResetByKey  float64 `json:"reset_by_key_per_spec"`
	ResetByAPI  float64 `json:"reset_by_api_per_spec"`
	ProfilePath string  `json:"profile"`
}

// ReadSpecRequests summarises a spec profile the harness wrote (harness.ProfileEnv).
func ReadSpecRequests(path string) (SpecRequests, error) {
	f, err := os.Open(path)
	if err != nil {
		return SpecRequests{}, fmt.Errorf("reading the spec profile: %w", err)
	}
	defer func() { _ = f.Close() }()
	out := SpecRequests{ByVerb: map[string]float64{}, ByResource: map[string]float64{}, ProfilePath: path}
	var resets []time.Duration
	var total, reset time.Duration
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p harness.SpecProfile
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return SpecRequests{}, fmt.Errorf("spec profile %s: %w", path, err)
		}
		out.Specs++
		resets = append(resets, p.Reset)
		total += p.Total
		reset += p.Reset
		out.ResetByKey += float64(p.ResetByKey)
		out.ResetByAPI += float64(p.ResetByAPI)
		for k, n := range p.Requests {
			out.ByResource[k] += float64(n)
			out.ByVerb[strings.SplitN(k, " ", 2)[0]] += float64(n)
			out.PerSpec += float64(n)
		}
	}
	if err := sc.Err(); err != nil {
		return SpecRequests{}, err
	}
	if out.Specs == 0 {
		return out, nil
	}
	n := float64(out.Specs)
	out.PerSpec /= n
	out.ResetByKey /= n
	out.ResetByAPI /= n
	for k := range out.ByVerb {
		out.ByVerb[k] /= n
	}
	for k := range out.ByResource {
		out.ByResource[k] /= n
	}
	out.Reset = Summarize(resets)
	if total > 0 {
		out.ResetShare = reset.Seconds() / total.Seconds()
	}
	return out, nil
}

// VerbLine is ByVerb as one line, most requests first ("PUT 30.1, POST 27.7, ...").
func (r SpecRequests) VerbLine() string {
	verbs := make([]string, 0, len(r.ByVerb))
	for v := range r.ByVerb {
		verbs = append(verbs, v)
	}
	sort.Slice(verbs, func(i, j int) bool { return r.ByVerb[verbs[i]] > r.ByVerb[verbs[j]] })
	parts := make([]string, len(verbs))
	for i, v := range verbs {
		parts[i] = fmt.Sprintf("%s %.1f", v, r.ByVerb[v])
	}
	return strings.Join(parts, ", ")
}
