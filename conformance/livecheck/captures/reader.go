package captures

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ReaderRole is a least-privilege role shaped like OpenShift's cluster-reader: get, list and
// watch on what a registry check could want, and no Secrets at all (RBAC has no "all but",
// so the core kinds are named one by one).
const ReaderRole = "irconform-cluster-reader"

// GrantReader creates ReaderRole and binds it to user.
func GrantReader(ctx context.Context, cl client.Client, user string) error {
	read := []string{"get", "list", "watch"}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: ReaderRole},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Verbs: read, Resources: []string{
				"configmaps", "endpoints", "events", "namespaces", "nodes", "persistentvolumeclaims",
				"persistentvolumes", "pods", "serviceaccounts", "services"}},
			{APIGroups: []string{"apps", "batch", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
				"config.openshift.io", "imageregistry.operator.openshift.io", "route.openshift.io", "monitoring.coreos.com",
				"apiextensions.k8s.io"}, Resources: []string{"*"}, Verbs: read},
		},
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: ReaderRole + "-" + user},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: ReaderRole},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: user}},
	}
	for _, o := range []client.Object{role, binding} {
		if err := cl.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("granting %s to %s: %w", ReaderRole, user, err)
		}
	}
	return nil
}
