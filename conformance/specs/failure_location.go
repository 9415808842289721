package specs

import (
	"bytes"
	"io"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/irconform/irconform/conformance/expect"
)

// A scenario fails from the runner's Go code, so Ginkgo records that code as the failure's
// location and its reporter prints it ("In [It] at: scenarios/runner/run.go:84", and again
// under "Summarizing N Failures"). Ginkgo has no way to fail at a location of one's choosing,
// so the report files read the scenario's file:line:col from a report entry
// (failureLocation), and Ginkgo's own output goes through a locationWriter that puts the
// same file:line:col in place of the Go location.

// relocated maps the failed specs that recorded where they failed (their leaf text) to that
// location and to the Go location Ginkgo recorded instead. Filled before Ginkgo prints each
// spec (report-after-each nodes run first), read by the writer.
type relocated struct {
	mu    sync.Mutex
	specs []relocation
}

type relocation struct {
	text  string // the spec's leaf text, as Ginkgo prints it in its header lines
	goLoc string // "file:line" as Ginkgo prints it
	at    string // where the spec really failed
}

var relocations relocated

// record notes a failed spec's own failure location, if it gave one.
func (rl *relocated) record(r types.SpecReport) {
	if !r.State.Is(types.SpecStateFailureStates) || r.LeafNodeText == "" {
		return
	}
	for _, e := range r.ReportEntries {
		if e.Name == expect.FailureLocationEntry {
			rl.mu.Lock()
			rl.specs = append(rl.specs, relocation{text: r.LeafNodeText, goLoc: r.Failure.Location.String(), at: e.Location.String()})
			rl.mu.Unlock()
			return
		}
	}
}

var _ = ginkgo.ReportAfterEach(func(r ginkgo.SpecReport) { relocations.record(r) })

// locationWriter rewrites Ginkgo's output line by line: after a line naming a relocated spec
// (its header, in the spec's own block and in the final summary), that spec's Go failure
// location reads as its own location. Each Write from Ginkgo's reporter holds whole lines.
type locationWriter struct {
	w       io.Writer
	rl      *relocated
	mu      sync.Mutex
	current *relocation
}

func newLocationWriter(w io.Writer, rl *relocated) *locationWriter {
	return &locationWriter{w: w, rl: rl}
}

func (lw *locationWriter) Write(p []byte) (int, error) {
	lw.rl.mu.Lock()
	specs := lw.rl.specs
	lw.rl.mu.Unlock()
	if len(specs) == 0 {
		return lw.w.Write(p)
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lines := bytes.SplitAfter(p, []byte("\n"))
	var out bytes.Buffer
	for _, l := range lines {
		line := string(l)
		for i := range specs {
			if strings.Contains(line, specs[i].text) {
				lw.current = &specs[i]
			}
		}
		if c := lw.current; c != nil && c.goLoc != "" && strings.Contains(line, c.goLoc) {
			line = strings.ReplaceAll(line, c.goLoc, c.at)
		}
		out.WriteString(line)
	}
	if _, err := lw.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
