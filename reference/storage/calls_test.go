package storage

import (
	"testing"
	"time"
)

// TestCallLimitsDefaults: zero fields are the real clouds' bounds; set fields are kept.
func TestCallLimitsDefaults(t *testing.T) {
	if got := (CallLimits{}).WithDefaults(); got != (CallLimits{MaxBackoff: time.Second, RequestTimeout: 10 * time.Second}) {
		t.Errorf("zero CallLimits with defaults = %+v, want 1s pauses and 10s requests", got)
	}
	set := CallLimits{MaxBackoff: 5 * time.Millisecond, RequestTimeout: time.Second}
	if got := set.WithDefaults(); got != set {
		t.Errorf("CallLimits %+v with defaults = %+v, want unchanged", set, got)
	}
}
