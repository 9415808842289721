// Package render is a fixture for the citation scan.
package render

// TrustTarget turns a trust key back into host:port.
// Implements CA-006 (upstream CA-06).
func TrustTarget(key string) string { return key }

type Driver struct{}

// Sync implements the Driver interface. Implements S3-003, S3-004 and STOR-002.
func (d *Driver) Sync() {
	// Implements S3-005.
}

// Names the tags carry; what upstream implements is written elsewhere.
const (
	// Implements S3-006.
	LifecycleRuleID = "cleanup"
	Other           = "x"
)

// Implements STOR-S3-11.
var bad = 1
