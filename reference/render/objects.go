package render

import (
	"errors"
	"maps"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// PrivateConfigurationSecret is CRED-04: openshift-image-registry/
// image-registry-private-configuration holding every Secret=true storage env
// value (key = env name, value encoded as in the env) plus the driver's
// SecretData (verbatim). EmptyDir/PVC give an empty secret. Values are in
// .data (not stringData) so desired and live objects compare directly.
//
// Implements CRED-004, MGMT-002.
func PrivateConfigurationSecret(in RegistryInputs) (*corev1.Secret, error) {
	envData, err := SecretEnvData(in.Storage.Env)
	if err != nil {
		return nil, err
	}
	data := map[string][]byte{}
	for k, v := range in.Storage.SecretData {
		data[k] = []byte(v)
	}
	for k, v := range envData {
		if _, dup := in.Storage.SecretData[k]; dup {
			return nil, errors.New("storage secret key " + k + " is both a secret env var and secret data")
		}
		data[k] = []byte(v)
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: PrivateConfigurationSecretName, Namespace: Namespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}, nil
}

// InstallationPullSecret is CRED-05: a copy of openshift-config/pull-secret's
// data as openshift-image-registry/installation-pull-secrets
// (kubernetes.io/dockerconfigjson). A nil source gives nil.
func InstallationPullSecret(src *corev1.Secret) *corev1.Secret {
	if src == nil {
		return nil
	}
	data := map[string][]byte{}
	maps.Copy(data, src.Data)
	for k, v := range src.StringData {
		data[k] = []byte(v)
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: InstallationPullSecretName, Namespace: Namespace},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       data,
	}
}

// Service is SVC-01 / CA-06: image-registry, port "5000-tcp" 5000→5000/TCP,
// selector docker-registry=default, serving cert secret image-registry-tls.
//
// Implements MGMT-002.
func Service() *corev1.Service {
	return &corev1.Service{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        ServiceName,
			Namespace:   Namespace,
			Annotations: map[string]string{ServingCertSecretAnnotation: TLSSecretName},
		},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: DeploymentLabels(),
			Ports: []corev1.ServicePort{{
				Name:       ServicePortName,
				Port:       ContainerPort,
				Protocol:   corev1.ProtocolTCP,
				TargetPort: intstr.FromInt32(ContainerPort),
			}},
		},
	}
}

// ServiceAccount is the registry's service account "registry".
//
// Implements MGMT-002.
func ServiceAccount() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Name: ServiceAccountName, Namespace: Namespace},
	}
}

// ClusterRole is MISC-01 "system:registry": what the registry needs to serve
// image streams (read image metadata, record new images, enforce quota and
// authorize requests).
//
// Implements MGMT-002.
func ClusterRole() *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: ClusterRoleName},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"limitranges", "resourcequotas"}, Verbs: []string{"list"}},
			{
				APIGroups: []string{"image.openshift.io"},
				Resources: []string{"imagestreams", "imagestreamtags", "imagestreamimages", "imagetags", "images", "imagestreams/secrets"},
				Verbs:     []string{"get", "list", "watch"},
			},
			{APIGroups: []string{"image.openshift.io"}, Resources: []string{"images"}, Verbs: []string{"update"}},
			{APIGroups: []string{"image.openshift.io"}, Resources: []string{"imagestreammappings"}, Verbs: []string{"create"}},
			{APIGroups: []string{"authorization.k8s.io"}, Resources: []string{"subjectaccessreviews"}, Verbs: []string{"create"}},
		},
	}
}

// ClusterRoleBinding is MISC-01 "registry-registry-role": system:registry to
// openshift-image-registry/registry.
//
// Implements MGMT-002.
func ClusterRoleBinding() *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: ClusterRoleBindingName},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ClusterRoleName},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: ServiceAccountName, Namespace: Namespace}},
	}
}
