package specs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/irconform/irconform/internal/redact"
	"github.com/irconform/irconform/reports"
)

// ClaimedElsewhere is the skip reason of a spec that another of the parallel processes ran;
// merging the processes' reports takes that process's result instead.
const ClaimedElsewhere = "run by another process of this parallel run"

// NotSelected is the skip reason convert gives a spec the focus or label filter left out.
const NotSelected = "not selected by the focus or label filter"

// claim makes this process the one that runs spec s: every process walks the same specs in
// the same order (one random seed), and the first to create the spec's file in dir runs it.
// Work is thereby shared as it goes (a process that is done with a long spec takes the next
// free one), like Ginkgo's own parallel mode, without its server. The file holds the
// process number, for a parent that must name who ran what when a process dies.
func claim(dir string, s types.SpecReport) bool {
	sum := sha256.Sum256([]byte(s.FullText() + "\x00" + s.LeafNodeLocation.String()))
	f, err := os.OpenFile(filepath.Join(dir, hex.EncodeToString(sum[:12])), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, os.ErrExist) {
		return false
	}
	if err != nil {
		// A claims folder that cannot be written would run every spec in every process
		// (wrong counts) or none: stop loudly.
		panic(fmt.Sprintf("claiming spec %q in %s: %v", s.FullText(), dir, err))
	}
	_, _ = fmt.Fprintf(f, "%d\n", suiteOpts.Process)
	_ = f.Close()
	return true
}

// WriteMerged writes a run merged from parallel processes exactly as a serial run's reports
// are written (folder, latest links, summary on out, redacted). It returns the folder.
func WriteMerged(run reports.Run, o Options, out io.Writer) (string, error) {
	suiteOpts = o
	terminal = redact.Writer(out, redact.Default(), repoRoot()+string(filepath.Separator))
	return writeRun(run, o)
}
