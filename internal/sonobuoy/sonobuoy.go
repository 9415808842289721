// Package sonobuoy speaks the plugin side of sonobuoy's contract: results go into a folder
// (SONOBUOY_RESULTS_DIR), then a file named "done" in that folder names the result path the
// sonobuoy worker sidecar sends to the aggregator; while the run goes on, progress updates may
// be POSTed as JSON to localhost:SONOBUOY_PROGRESS_PORT/progress.
package sonobuoy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Environment variables sonobuoy sets in a plugin's container.
const (
	ResultsDirEnv   = "SONOBUOY_RESULTS_DIR"
	ProgressPortEnv = "SONOBUOY_PROGRESS_PORT"
)

// DoneFile is the name of the file the worker waits for.
const DoneFile = "done"

// ResultsDir is where results go: the flag's value, else $SONOBUOY_RESULTS_DIR ("" for neither).
func ResultsDir(flag string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(ResultsDirEnv)
}

// WriteDone tells the worker that the results are complete: dir/done holds resultPath. It is
// written to a temporary name and renamed, so the worker (which polls every second) never
// reads half a path.
func WriteDone(dir, resultPath string) error {
	abs, err := filepath.Abs(resultPath)
	if err != nil {
		return fmt.Errorf("result path %s: %w", resultPath, err)
	}
	tmp := filepath.Join(dir, "."+DoneFile+".tmp")
	if err := os.WriteFile(tmp, []byte(abs), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, DoneFile)); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, DoneFile), err)
	}
	return nil
}

// Update is one progress update, in the JSON shape sonobuoy's worker relays to its aggregator.
type Update struct {
	Plugin    string    `json:"name"`
	Node      string    `json:"node"`
	Timestamp time.Time `json:"timestamp"`
	Message   string    `json:"msg"`
	Total     int64     `json:"total"`
	Completed int64     `json:"completed"`
	Failures  []string  `json:"failures,omitempty"`
}

// Progress posts updates for one plugin. A zero port (no sonobuoy worker) makes it a no-op;
// a worker that does not answer never slows the run down by more than a short timeout per
// update, and is reported once.
type Progress struct {
	url    string
	plugin string
	client *http.Client

	mu       sync.Mutex
	total    int64
	done     int64
	failures []string
	warned   bool
	warn     func(error)
}

// NewProgress posts to localhost:port/progress ("" port: disabled). warn is told the first
// time an update cannot be delivered.
func NewProgress(port, plugin string, warn func(error)) *Progress {
	p := &Progress{plugin: plugin, client: &http.Client{Timeout: 2 * time.Second}, warn: warn}
	if port != "" {
		p.url = "http://localhost:" + port + "/progress"
	}
	return p
}

// Enabled reports whether updates are sent anywhere.
func (p *Progress) Enabled() bool { return p != nil && p.url != "" }

// Done records one finished item of total (failed: its name joins the failures) and posts
// the tally.
func (p *Progress) Done(ctx context.Context, total int, name string, failed bool) {
	p.mu.Lock()
	p.total = int64(total)
	p.done++
	if failed {
		p.failures = append(p.failures, name)
	}
	p.mu.Unlock()
	p.post(ctx, name)
}

func (p *Progress) post(ctx context.Context, msg string) {
	if !p.Enabled() {
		return
	}
	p.mu.Lock()
	u := Update{Plugin: p.plugin, Node: "global", Timestamp: time.Now().UTC(), Message: msg,
		Total: p.total, Completed: p.done, Failures: append([]string(nil), p.failures...)}
	p.mu.Unlock()
	body, _ := json.Marshal(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		var resp *http.Response
		if resp, err = p.client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode >= 300 {
				err = fmt.Errorf("%s answered %s", p.url, resp.Status)
			}
		}
	}
	if err != nil {
		p.mu.Lock()
		first := !p.warned
		p.warned = true
		p.mu.Unlock()
		if first && p.warn != nil {
			p.warn(fmt.Errorf("progress update to the sonobuoy worker: %w", err))
		}
	}
}
