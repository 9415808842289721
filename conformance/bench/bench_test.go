package bench

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(ds)
	if s.N != 100 || s.P50Ms != 51 || s.P95Ms != 95 || s.MinMs != 1 || s.MaxMs != 100 {
		t.Fatalf("%+v", s)
	}
	if (Summarize(nil) != Stats{}) {
		t.Fatal("empty")
	}
	if s := Summarize([]time.Duration{time.Millisecond}); s.P95Ms != 1 {
		t.Fatalf("%+v", s)
	}
}
