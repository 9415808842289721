package bench

import (
	"context"
	"testing"
)

// The four storage fakes, each holding one bucket, take some heap, and not much: a figure of
// 0 means the measurement lost them in noise, one of megabytes that it counted something
// else (or that a fake keeps far more than it serves).
func TestMeasureFakesMemory(t *testing.T) {
	m, err := MeasureFakesMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m.HeapBytes == 0 || m.HeapBytes > 16<<20 {
		t.Errorf("storage fakes heap %d bytes, want more than 0 and under 16 MiB", m.HeapBytes)
	}
}
