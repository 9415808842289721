package operator

import (
	// The Azure driver registers itself with reference/storage.
	_ "github.com/irconform/irconform/reference/storage/azure"
	"github.com/irconform/irconform/reference/storage/swift"
)

// Bootstrap picks Swift on OpenStack only when the cloud's Keystone catalog has an
// object-store endpoint (SWIFT-004, BOOT-004).
func init() { DefaultSwiftProbe = swift.Probe }
