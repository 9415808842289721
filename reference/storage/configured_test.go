package storage

import (
	"errors"
	"reflect"
	"testing"

	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
)

func TestConfiguredIgnoresRemovedOSSDriver(t *testing.T) {
	oss := &imageregistryv1.ImageRegistryConfigStorageAlibabaOSS{Bucket: "legacy", Region: "cn-hangzhou"}
	drivers := Drivers{"emptyDir": NewEmptyDir}
	if _, err := drivers.For(Deps{}, &imageregistryv1.ImageRegistryConfigStorage{OSS: oss}); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("only oss: %v, want %v", err, ErrNotConfigured)
	}
	st := imageregistryv1.ImageRegistryConfigStorage{OSS: oss, EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
	if got := Configured(st); !reflect.DeepEqual(got, []string{"emptyDir"}) {
		t.Errorf("oss beside emptyDir: %v, want [emptyDir]", got)
	}
	if d, err := drivers.For(Deps{}, &st); err != nil || d.Kind() != "EmptyDir" {
		t.Errorf("oss beside emptyDir: %v %v", d, err)
	}
}
