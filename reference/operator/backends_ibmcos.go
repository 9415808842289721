package operator

// The IBM COS storage driver registers itself with reference/storage.
import (
	_ "github.com/irconform/irconform/reference/storage/ibmcos"
)
