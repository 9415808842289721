package operator

// The S3 and GCS storage drivers register themselves with reference/storage.
import (
	_ "github.com/irconform/irconform/reference/storage/gcs"
	_ "github.com/irconform/irconform/reference/storage/s3"
)
