package render

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPrivateConfigurationSecret(t *testing.T) {
	cases := []struct {
		name    string
		storage StorageConfig
		want    map[string]string
		wantErr string
	}{
		{"emptydir is empty", EmptyDirStorage(), map[string]string{}, ""},
		{"pvc is empty", PVCStorage(""), map[string]string{}, ""},
		{"secret env and secret data", StorageConfig{
			Env: []EnvVar{
				{Name: "REGISTRY_STORAGE", Value: "s3"},
				{Name: "REGISTRY_STORAGE_AZURE_ACCOUNTKEY", Value: "key==", Secret: true},
			},
			SecretData: map[string]string{"credentials": "[default]\naws_access_key_id = A\naws_secret_access_key = B\n"},
		}, map[string]string{
			"REGISTRY_STORAGE_AZURE_ACCOUNTKEY": "key==",
			"credentials":                       "[default]\naws_access_key_id = A\naws_secret_access_key = B\n",
		}, ""},
		{"empty secret env still present", StorageConfig{Env: []EnvVar{{Name: "REGISTRY_STORAGE_SWIFT_TOKENID", Value: Literal(""), Secret: true}}},
			map[string]string{"REGISTRY_STORAGE_SWIFT_TOKENID": ""}, ""},
		{"key collision", StorageConfig{
			Env:        []EnvVar{{Name: "K", Value: "a", Secret: true}},
			SecretData: map[string]string{"K": "b"},
		}, nil, "both a secret env var and secret data"},
		{"unencodable", StorageConfig{Env: []EnvVar{{Name: "K", Value: func() {}, Secret: true}}}, nil, "unable to encode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := PrivateConfigurationSecret(RegistryInputs{Config: testConfig(), Storage: tc.storage})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != "image-registry-private-configuration" || s.Namespace != "openshift-image-registry" || s.Type != corev1.SecretTypeOpaque {
				t.Fatalf("meta %s/%s %s", s.Namespace, s.Name, s.Type)
			}
			got := map[string]string{}
			for k, v := range s.Data {
				got[k] = string(v)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("data %v want %v", got, tc.want)
			}
		})
	}
}

func TestInstallationPullSecret(t *testing.T) {
	if InstallationPullSecret(nil) != nil {
		t.Fatal("nil source")
	}
	src := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "pull-secret", Namespace: "openshift-config", ResourceVersion: "5"},
		Data: map[string][]byte{".dockerconfigjson": []byte(`{"auths":{}}`)}}
	s := InstallationPullSecret(src)
	if s.Name != "installation-pull-secrets" || s.Namespace != Namespace || s.Type != corev1.SecretTypeDockerConfigJson ||
		string(s.Data[".dockerconfigjson"]) != `{"auths":{}}` || s.ResourceVersion != "" {
		t.Fatalf("%+v", s)
	}
	s.Data[".dockerconfigjson"][0] = 'X'
	src.Data[".dockerconfigjson"] = []byte("changed")
	if string(InstallationPullSecret(src).Data[".dockerconfigjson"]) != "changed" {
		t.Fatal("copy")
	}
}

func TestServiceAndAccounts(t *testing.T) {
	s := Service()
	if s.Name != "image-registry" || s.Namespace != "openshift-image-registry" {
		t.Fatal("service name")
	}
	if s.Annotations["service.alpha.openshift.io/serving-cert-secret-name"] != "image-registry-tls" {
		t.Fatal("serving cert annotation")
	}
	if !reflect.DeepEqual(s.Spec.Selector, map[string]string{"docker-registry": "default"}) || len(s.Spec.Ports) != 1 {
		t.Fatal("selector/ports")
	}
	p := s.Spec.Ports[0]
	if p.Name != "5000-tcp" || p.Port != 5000 || p.TargetPort.IntValue() != 5000 || p.Protocol != corev1.ProtocolTCP {
		t.Fatalf("port %+v", p)
	}
	if sa := ServiceAccount(); sa.Name != "registry" || sa.Namespace != Namespace {
		t.Fatal("sa")
	}
	if sa := PrunerServiceAccount(); sa.Name != "pruner" || sa.Namespace != Namespace {
		t.Fatal("pruner sa")
	}
	cr := ClusterRole()
	if cr.Name != "system:registry" || len(cr.Rules) == 0 {
		t.Fatal("clusterrole")
	}
	found := false
	for _, r := range cr.Rules {
		for _, res := range r.Resources {
			if res == "imagestreams" && strings.Contains(strings.Join(r.Verbs, ","), "get") && strings.Contains(strings.Join(r.Verbs, ","), "watch") {
				found = true
			}
		}
	}
	if !found {
		t.Fatal("system:registry cannot read imagestreams")
	}
	crb := ClusterRoleBinding()
	if crb.Name != "registry-registry-role" || crb.RoleRef.Name != "system:registry" || crb.RoleRef.Kind != "ClusterRole" ||
		len(crb.Subjects) != 1 || crb.Subjects[0].Kind != "ServiceAccount" || crb.Subjects[0].Name != "registry" || crb.Subjects[0].Namespace != Namespace {
		t.Fatalf("crb %+v", crb)
	}
	pcrb := PrunerClusterRoleBinding()
	if pcrb.Name != "openshift-image-registry-pruner" || pcrb.RoleRef.Name != "system:image-pruner" || pcrb.Subjects[0].Name != "pruner" {
		t.Fatalf("pruner crb %+v", pcrb)
	}
	if PrunerClusterRole().Name != pcrb.RoleRef.Name {
		t.Fatal("pruner role name")
	}
}

func TestSimpleStorage(t *testing.T) {
	e := EmptyDirStorage()
	if e.Kind != "emptydir" || e.ForceRecreate || e.Volumes[0].EmptyDir == nil || e.Volumes[0].Name != "registry-storage" || e.Mounts[0].MountPath != "/registry" {
		t.Fatalf("emptydir %+v", e)
	}
	for _, tc := range []struct{ claim, want string }{{"", "image-registry-storage"}, {"mine", "mine"}} {
		p := PVCStorage(tc.claim)
		if p.Kind != "pvc" || !p.ForceRecreate || p.Volumes[0].PersistentVolumeClaim.ClaimName != tc.want || p.Mounts[0].MountPath != "/registry" {
			t.Fatalf("pvc %+v", p)
		}
	}
	env := envMap(t, EmptyDirStorage().Env)
	if !reflect.DeepEqual(env, map[string]string{"REGISTRY_STORAGE": "filesystem", "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY": "/registry"}) {
		t.Fatalf("env %v", env)
	}
}
