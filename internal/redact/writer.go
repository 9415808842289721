package redact

import (
	"io"
	"strings"
)

// Writer returns a writer that redacts every Write with r before passing it on, and
// rewrites the absolute prefix trimPrefix (a checkout's root followed by a slash) to nothing,
// so that terminal and log output names files as the repository does. Each Write is
// redacted on its own: writers such as Ginkgo's reporter and zap write a whole message per
// call. The byte count returned is len(p) when the underlying write succeeds.
func Writer(w io.Writer, r *Redactor, trimPrefix string) io.Writer {
	return &writer{w: w, r: r, trim: trimPrefix}
}

type writer struct {
	w    io.Writer
	r    *Redactor
	trim string
}

func (w *writer) Write(p []byte) (int, error) {
	s := w.r.Redact(string(p))
	if w.trim != "" {
		s = strings.ReplaceAll(s, w.trim, "")
	}
	if _, err := io.WriteString(w.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
