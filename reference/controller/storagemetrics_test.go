package controller

import (
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
)

func TestStorageReconfigured(t *testing.T) {
	empty := imageregistryv1.ImageRegistryConfigStorage{}
	emptyDir := imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
	s3 := func(b string) imageregistryv1.ImageRegistryConfigStorage {
		return imageregistryv1.ImageRegistryConfigStorage{S3: &imageregistryv1.ImageRegistryConfigStorageS3{Bucket: b}}
	}
	for _, tc := range []struct {
		name      string
		prev, cur imageregistryv1.ImageRegistryConfigStorage
		want      bool
	}{
		{"first storage", empty, s3("a"), false},
		{"same bucket", s3("a"), s3("a"), false},
		{"other bucket", s3("a"), s3("b"), true},
		{"other backend", emptyDir, s3("a"), true},
		{"storage removed", s3("a"), empty, false},
	} {
		if got := storageReconfigured(tc.prev, tc.cur); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
