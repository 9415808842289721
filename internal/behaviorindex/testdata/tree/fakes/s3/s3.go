package s3

// Settings keeps what was put. Models S3-003.
type Settings struct{}
