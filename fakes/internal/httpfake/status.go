package httpfake

import "net/http"

// StatusWriter passes a response through and remembers its status, for fakes that act on
// what the server they wrap answered (record a call, drop an overlay after a delete).
type StatusWriter struct {
	http.ResponseWriter
	// Status is the status written (200 once a body is written without one), 0 before.
	Status int
}

func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Succeeded reports whether the status written is a 2xx.
func (w *StatusWriter) Succeeded() bool { return w.Status/100 == 2 }
