package specs

import (
	"sync"

	"github.com/irconform/irconform/reports"
)

// Tables produced by specs during the run (e.g. the storage fault matrix) land in the report.
var (
	extraMu sync.Mutex
	extra   = map[string]*reports.Table{}
)

// addRow appends a row to the named table, creating it with columns on first use.
func addRow(name, title string, columns []string, row ...string) {
	extraMu.Lock()
	defer extraMu.Unlock()
	t, ok := extra[name]
	if !ok {
		t = &reports.Table{Title: title, Columns: columns}
		extra[name] = t
	}
	t.Rows = append(t.Rows, row)
}

func extraTables() map[string]reports.Table {
	extraMu.Lock()
	defer extraMu.Unlock()
	if len(extra) == 0 {
		return nil
	}
	out := map[string]reports.Table{}
	for k, v := range extra {
		out[k] = *v
	}
	return out
}
