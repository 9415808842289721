package gcs

import (
	"context"
	"strings"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/irconform/irconform/fakes/fault"
	gcsfake "github.com/irconform/irconform/fakes/gcs"
	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

func gcpInfra() *configv1.Infrastructure {
	return &configv1.Infrastructure{Status: configv1.InfrastructureStatus{InfrastructureName: "infra-1",
		PlatformStatus: &configv1.PlatformStatus{Type: configv1.GCPPlatformType, GCP: &configv1.GCPPlatformStatus{
			Region: "us-central1", ProjectID: "proj", ResourceLabels: []configv1.GCPResourceLabel{{Key: "team", Value: "registry"}}}}}}
}

func TestEffectiveLabelsAndStorageConfig(t *testing.T) {
	e := Effective(imageregistryv1.ImageRegistryConfigStorageGCS{Bucket: "b"}, gcpInfra())
	if e.Region != "us-central1" || e.ProjectID != "proj" || e.Bucket != "b" {
		t.Errorf("Effective = %+v", e)
	}
	if e := Effective(imageregistryv1.ImageRegistryConfigStorageGCS{Region: "europe-west1"}, gcpInfra()); e.Region != "europe-west1" {
		t.Errorf("spec region must win: %+v", e)
	}
	l := Labels(gcpInfra())
	if len(l) != 2 || l["kubernetes-io-cluster-infra-1"] != "owned" || l["team"] != "registry" {
		t.Errorf("Labels = %v", l)
	}
	sc := StorageConfig(imageregistryv1.ImageRegistryConfigStorageGCS{Bucket: "b"}, "{}")
	env, err := render.ContainerEnv(sc.Env)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range env {
		got[e.Name] = e.Value
	}
	if len(got) != 3 || got["REGISTRY_STORAGE"] != "gcs" || got["REGISTRY_STORAGE_GCS_BUCKET"] != "b" || got["REGISTRY_STORAGE_GCS_KEYFILE"] != "/gcs/keyfile" {
		t.Errorf("env = %v", got)
	}
	v := sc.Volumes[0]
	if v.Name != "registry-storage-keyfile" || v.Secret.SecretName != "image-registry-private-configuration" ||
		v.Secret.Items[0].Key != "REGISTRY_STORAGE_GCS_KEYFILE" || v.Secret.Items[0].Path != "keyfile" || sc.Mounts[0].MountPath != "/gcs" {
		t.Errorf("volume = %+v mounts %+v", v, sc.Mounts)
	}
	if sc.SecretData["REGISTRY_STORAGE_GCS_KEYFILE"] != "{}" {
		t.Errorf("secret data = %v", sc.SecretData)
	}
}

func TestSyncAndRemoveAgainstFake(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := gcsfake.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := scheme.New()
	cl := fake.NewClientBuilder().WithScheme(s).WithObjects(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: storage.Namespace, Name: storage.ClusterCredentialsName},
		Data:       map[string][]byte{"service_account.json": srv.KeyfileJSON}}).Build()
	deps := storage.Deps{Client: cl, Infra: gcpInfra(), Endpoints: map[string]string{"gcs": srv.Endpoint}}
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{
		GCS: &imageregistryv1.ImageRegistryConfigStorageGCS{KeyID: "projects/p/locations/l/keyRings/r/cryptoKeys/k"}}}}
	conds, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err != nil {
		t.Fatalf("Sync: %v %+v", err, conds)
	}
	b := cfg.Spec.Storage.GCS.Bucket
	if len(b) != 62 || !strings.HasPrefix(b, "infra-1-image-registry-us-central1-") || cfg.Spec.Storage.ManagementState != "Managed" {
		t.Errorf("spec = %+v %q", cfg.Spec.Storage.GCS, cfg.Spec.Storage.ManagementState)
	}
	want := map[string]string{"StorageExists": "Creation Successful", "StorageLabeled": "Bucket Labeled Successfully", "StorageEncrypted": "Encryption Successful"}
	for _, c := range conds {
		if r, ok := want[c.Type]; ok && (r != c.Reason || c.Status != operatorv1.ConditionTrue) {
			t.Errorf("%s = %+v", c.Type, c)
		}
	}
	bs, _ := srv.Buckets(ctx)
	if len(bs) != 1 || bs[0].Settings["location"] != "US-CENTRAL1" || bs[0].Settings["label:kubernetes-io-cluster-infra-1"] != "owned" ||
		bs[0].Settings["kmsKey"] != "projects/p/locations/l/keyRings/r/cryptoKeys/k" {
		t.Errorf("buckets = %+v", bs)
	}
	// A sync whose spec write was lost adopts the bucket instead of drawing a new name.
	lost := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{
		GCS: &imageregistryv1.ImageRegistryConfigStorageGCS{KeyID: "projects/p/locations/l/keyRings/r/cryptoKeys/k"}}}}
	if _, err := New(deps, &lost.Spec.Storage).Sync(ctx, lost); err != nil || lost.Spec.Storage.GCS.Bucket != b {
		t.Errorf("lost write: bucket %q (want %q), %v", lost.Spec.Storage.GCS.Bucket, b, err)
	}
	if n := srv.Faults().Count(fault.OpCreateBucket, ""); n != 1 {
		t.Errorf("CreateBucket calls = %d", n)
	}
	conds, err = New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err != nil || len(conds) != 1 || conds[0].Reason != "GCS Bucket Exists" {
		t.Errorf("steady: %+v %v", conds, err)
	}
	_ = srv.Seed(ctx, b, 2)
	conds, err = New(deps, cfg.Status.Storage.DeepCopy()).Remove(ctx, cfg)
	if err != nil || conds[0].Reason != "GCS Bucket Deleted" {
		t.Errorf("Remove: %+v %v", conds, err)
	}
	if bs, _ := srv.Buckets(ctx); len(bs) != 0 {
		t.Errorf("left: %+v", bs)
	}
	if srv.Faults().Count(fault.OpDeleteBucket, b) != 1 {
		t.Errorf("delete calls: %d", srv.Faults().Count(fault.OpDeleteBucket, b))
	}
}
