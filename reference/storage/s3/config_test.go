package s3

import (
	"reflect"
	"strings"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/irconform/irconform/reference/render"
)

func TestBucketName(t *testing.T) {
	for _, tc := range []struct{ infra, region, want string }{
		{"irconform-x7k2p", "us-east-1", "irconform-x7k2p-image-registry-us-east-1"},
		{"My--Cluster", "eu-west-2", "my-cluster-image-registry-eu-west-2"},
		{"a-", "-us-east-1", "a-image-registry-us-east-1"},
		// 62-character cut landing on a dash: the dash becomes "s".
		{strings.Repeat("x", 46), "us-east-1", strings.Repeat("x", 46) + "-image-registrys"},
		{strings.Repeat("y", 70), "us-east-1", strings.Repeat("y", 62)},
	} {
		got := BucketName(tc.infra, tc.region)
		if got != tc.want {
			t.Errorf("BucketName(%q, %q) = %q, want %q", tc.infra, tc.region, got, tc.want)
		}
		if len(got) > 62 {
			t.Errorf("BucketName(%q, %q) longer than 62: %d", tc.infra, tc.region, len(got))
		}
	}
}

func awsInfra(region string, endpoints ...configv1.AWSServiceEndpoint) *configv1.Infrastructure {
	return &configv1.Infrastructure{Status: configv1.InfrastructureStatus{InfrastructureName: "infra-1",
		PlatformStatus: &configv1.PlatformStatus{Type: configv1.AWSPlatformType,
			AWS: &configv1.AWSPlatformStatus{Region: region, ServiceEndpoints: endpoints,
				ResourceTags: []configv1.AWSResourceTag{{Key: "team", Value: "registry"}}}}}}
}

func TestEffective(t *testing.T) {
	ep := configv1.AWSServiceEndpoint{Name: "s3", URL: "https://s3.mirror.example"}
	for name, tc := range map[string]struct {
		spec  imageregistryv1.ImageRegistryConfigStorageS3
		infra *configv1.Infrastructure
		want  imageregistryv1.ImageRegistryConfigStorageS3
	}{
		"region from infra": {spec: imageregistryv1.ImageRegistryConfigStorageS3{}, infra: awsInfra("eu-west-2"),
			want: imageregistryv1.ImageRegistryConfigStorageS3{Region: "eu-west-2"}},
		"endpoint from infra turns on virtual-hosted style": {infra: awsInfra("eu-west-2", ep),
			want: imageregistryv1.ImageRegistryConfigStorageS3{Region: "eu-west-2", RegionEndpoint: ep.URL, VirtualHostedStyle: true}},
		"spec region wins, no endpoint taken": {spec: imageregistryv1.ImageRegistryConfigStorageS3{Region: "ap-south-1"}, infra: awsInfra("eu-west-2", ep),
			want: imageregistryv1.ImageRegistryConfigStorageS3{Region: "ap-south-1"}},
		"spec endpoint alone keeps region empty": {spec: imageregistryv1.ImageRegistryConfigStorageS3{RegionEndpoint: "https://minio"}, infra: awsInfra("eu-west-2"),
			want: imageregistryv1.ImageRegistryConfigStorageS3{RegionEndpoint: "https://minio"}},
		"no infra": {spec: imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "b"}, want: imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "b"}},
	} {
		if got := Effective(tc.spec, tc.infra); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", name, got, tc.want)
		}
	}
}

func TestTags(t *testing.T) {
	got := Tags(awsInfra("us-east-1"))
	want := map[string]string{"kubernetes.io/cluster/infra-1": "owned", "Name": "infra-1-image-registry", "team": "registry"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tags = %v, want %v", got, want)
	}
}

func envMap(t *testing.T, c imageregistryv1.ImageRegistryConfigStorageS3) (map[string]string, []string) {
	t.Helper()
	env, err := Env(c)
	if err != nil {
		t.Fatal(err)
	}
	list, err := render.ContainerEnv(env)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	var order []string
	for _, e := range list {
		if e.ValueFrom != nil {
			t.Errorf("%s must not be secret-backed", e.Name)
		}
		m[e.Name] = e.Value
		order = append(order, e.Name)
	}
	return m, order
}

func TestEnv(t *testing.T) {
	m, order := envMap(t, imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "b-1", Region: "us-east-1", Encrypt: true})
	want := map[string]string{
		"REGISTRY_STORAGE": "s3", "REGISTRY_STORAGE_S3_BUCKET": "b-1", "REGISTRY_STORAGE_S3_REGION": "us-east-1",
		"REGISTRY_STORAGE_S3_ENCRYPT": "true", "REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH": "/var/run/secrets/cloud/credentials",
		"REGISTRY_STORAGE_S3_FORCEPATHSTYLE": "true", "REGISTRY_STORAGE_S3_USEDUALSTACK": "true",
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("env = %v\nwant %v", m, want)
	}
	if order[0] != "REGISTRY_STORAGE" {
		t.Errorf("REGISTRY_STORAGE must come first: %v", order)
	}

	m, _ = envMap(t, imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "b", Region: "r", RegionEndpoint: "https://s3.mirror.example",
		VirtualHostedStyle: true, KeyID: "arn:aws:kms:k", ChunkSizeMiB: 10})
	for k, v := range map[string]string{
		"REGISTRY_STORAGE_S3_REGIONENDPOINT": "https://s3.mirror.example", "REGISTRY_STORAGE_S3_KEYID": "arn:aws:kms:k",
		"REGISTRY_STORAGE_S3_FORCEPATHSTYLE": "false", "REGISTRY_STORAGE_S3_ENCRYPT": "false",
		"REGISTRY_STORAGE_S3_CHUNKSIZE": "10485760", "REGISTRY_STORAGE_S3_USEDUALSTACK": "true",
	} {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	m, _ = envMap(t, imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "b", Region: "us-iso-east-1", ChunkSizeMiB: 4})
	for _, k := range []string{"REGISTRY_STORAGE_S3_REGIONENDPOINT", "REGISTRY_STORAGE_S3_KEYID", "REGISTRY_STORAGE_S3_CHUNKSIZE", "REGISTRY_STORAGE_S3_USEDUALSTACK", "REGISTRY_STORAGE_S3_VIRTUALHOSTEDSTYLE"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s must be absent", k)
		}
	}
}

func TestStorageConfigVolumes(t *testing.T) {
	sc, err := StorageConfig(imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "b"}, "FILE")
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Volumes) != 1 || sc.Volumes[0].Secret == nil || sc.Volumes[0].Secret.SecretName != "image-registry-private-configuration" ||
		sc.Volumes[0].Secret.Optional == nil || *sc.Volumes[0].Secret.Optional {
		t.Errorf("volumes = %+v", sc.Volumes)
	}
	if len(sc.Mounts) != 1 || sc.Mounts[0].MountPath != "/var/run/secrets/cloud" || !sc.Mounts[0].ReadOnly {
		t.Errorf("mounts = %+v", sc.Mounts)
	}
	if !reflect.DeepEqual(sc.SecretData, map[string]string{"credentials": "FILE"}) {
		t.Errorf("secret data = %v", sc.SecretData)
	}
}

func TestCredentialsFile(t *testing.T) {
	f := CredentialsFile("AK", "SK")
	if f != "[default]\naws_access_key_id = AK\naws_secret_access_key = SK\n" {
		t.Errorf("file = %q", f)
	}
	for _, tc := range []struct {
		file     string
		ak, sk   string
		okWanted bool
	}{
		{f, "AK", "SK", true},
		{"[profile other]\naws_access_key_id=A2\naws_secret_access_key=S2\n", "A2", "S2", true},
		{"[default]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n", "", "", false},
	} {
		ak, sk, ok := ParseCredentialsFile(tc.file)
		if ak != tc.ak || sk != tc.sk || ok != tc.okWanted {
			t.Errorf("ParseCredentialsFile(%q) = %q %q %v", tc.file, ak, sk, ok)
		}
	}
}

func TestDualStack(t *testing.T) {
	for _, tc := range []struct {
		region, endpoint string
		want             bool
		wantErr          bool
	}{
		{"us-east-1", "", true, false},
		{"eu-west-2", "", true, false},
		{"cn-north-1", "", true, false},
		{"us-gov-west-1", "", true, false},
		{"moon-1", "", true, false}, // no partition matches: the SDK falls back to the standard one
		{"us-iso-east-1", "", false, false},
		{"us-isob-east-1", "", false, false},
		{"eu-isoe-west-1", "", false, false},
		{"", "", false, false},
		{"us-iso-east-1", "https://s3.mirror.example", true, false},
		{"us_east_1", "", false, true},
	} {
		got, err := DualStack(imageregistryv1.ImageRegistryConfigStorageS3{Region: tc.region, RegionEndpoint: tc.endpoint})
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("DualStack(%q, %q) = %v, %v; want %v (error %v)", tc.region, tc.endpoint, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestCloudFrontVolumeNotOptional(t *testing.T) {
	vols, mounts := Volumes(imageregistryv1.ImageRegistryConfigStorageS3{CloudFront: &imageregistryv1.ImageRegistryConfigStorageS3CloudFront{
		BaseURL: "https://d.example", KeypairID: "K", PrivateKey: corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cf"}, Key: "pem"},
	}})
	if len(vols) != 2 || vols[1].Name != "registry-cloudfront" || vols[1].Secret.Optional == nil || *vols[1].Secret.Optional {
		t.Errorf("cloudfront volume %+v", vols)
	}
	if len(mounts) != 2 || mounts[1].MountPath != "/etc/docker/cloudfront" || !mounts[1].ReadOnly {
		t.Errorf("cloudfront mount %+v", mounts)
	}
}

func TestCloudFrontMiddlewareEnv(t *testing.T) {
	cf := &imageregistryv1.ImageRegistryConfigStorageS3CloudFront{BaseURL: "https://d.example", KeypairID: "K1"}
	m, _ := envMap(t, imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "b", Region: "us-east-1", CloudFront: cf})
	want := "- name: cloudfront\n  options:\n    baseurl: https://d.example\n    privatekey: /etc/docker/cloudfront/private.pem\n" +
		"    keypairid: K1\n    duration: 1200s\n    ipfilteredby: none"
	if m["REGISTRY_MIDDLEWARE_STORAGE"] != want {
		t.Errorf("REGISTRY_MIDDLEWARE_STORAGE =\n%s\nwant\n%s", m["REGISTRY_MIDDLEWARE_STORAGE"], want)
	}
}
