package render

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Problem is one additionalTrustedCA entry that was not copied, and why (CA-005).
//
// Implements CA-005.
type Problem struct {
	Key    string
	Reason string
}

func (p Problem) String() string { return p.Key + ": " + p.Reason }

// CheckPEMCertificates reports why value is not one or more PEM-encoded
// X.509 certificates ("" when it is). Text around the PEM blocks is ignored;
// every block must be a parseable CERTIFICATE.
//
// Implements CA-005.
func CheckPEMCertificates(value []byte) string {
	rest := value
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n++
		if block.Type != "CERTIFICATE" {
			return fmt.Sprintf("PEM block %d has type %q, not CERTIFICATE", n, block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Sprintf("PEM block %d is not a valid certificate: %v", n, err)
		}
	}
	if n == 0 {
		return "value is not a PEM-encoded certificate"
	}
	return ""
}

// ServiceCAKeys are the operator's own keys in image-registry-certificates:
// the Service hostnames with ":port" (omitted for 443) written as "..port".
//
// Implements CA-002, CA-003 (upstream CA-02).
func ServiceCAKeys(servicePort int32) []string {
	return []string{
		HostToCAKey(HostWithPort(ServiceHostname, servicePort)),
		HostToCAKey(HostWithPort(ServiceHostname+".cluster.local", servicePort)),
	}
}

// ImageRegistryCertificates is CA-02: ConfigMap
// openshift-image-registry/image-registry-certificates with (a) the service
// hostname keys set to serviceCA (skipped while serviceCA is empty), then (b)
// every data and binaryData key of the user's additionalTrustedCA ConfigMap
// (userCA, may be nil) copied with its key unchanged. Values that are not PEM
// certificates are left out and reported as Problems sorted by key (CA-005,
// the document's rule; upstream copies them blindly).
//
// Implements CA-001, CA-003, CA-005.
func ImageRegistryCertificates(userCA *corev1.ConfigMap, serviceCA string, servicePort int32) (*corev1.ConfigMap, []Problem) {
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        ImageRegistryCertificatesName,
			Namespace:   Namespace,
			Annotations: map[string]string{OwningComponentAnnotation: OwningComponent},
		},
		Data: map[string]string{},
	}
	if serviceCA != "" {
		for _, k := range ServiceCAKeys(servicePort) {
			cm.Data[k] = serviceCA
		}
	}
	var problems []Problem
	if userCA != nil {
		for _, k := range slices.Sorted(maps.Keys(userCA.Data)) {
			v := userCA.Data[k]
			if reason := CheckPEMCertificates([]byte(v)); reason != "" {
				problems = append(problems, Problem{Key: k, Reason: reason})
				continue
			}
			cm.Data[k] = v
		}
		for _, k := range slices.Sorted(maps.Keys(userCA.BinaryData)) {
			v := userCA.BinaryData[k]
			if reason := CheckPEMCertificates(v); reason != "" {
				problems = append(problems, Problem{Key: k, Reason: reason})
				continue
			}
			if cm.BinaryData == nil {
				cm.BinaryData = map[string][]byte{}
			}
			cm.BinaryData[k] = bytes.Clone(v)
		}
	}
	slices.SortStableFunc(problems, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) })
	return cm, problems
}

// ImageRegistryCA is CA-03: openshift-config-managed/image-registry-ca with
// only the service hostname keys (skipped while serviceCA is empty).
//
// Implements CA-007.
func ImageRegistryCA(serviceCA string, servicePort int32) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        ImageRegistryCAName,
			Namespace:   ConfigManagedNamespace,
			Annotations: map[string]string{OwningComponentAnnotation: OwningComponent},
		},
		Data: map[string]string{},
	}
	if serviceCA != "" {
		for _, k := range ServiceCAKeys(servicePort) {
			cm.Data[k] = serviceCA
		}
	}
	return cm
}

// AddStorageCABundle applies CA-02 (c) to a rendered certificates ConfigMap:
// in image-registry-certificates (withBundleKey) it adds "storage-ca-bundle.pem";
// unless disableRedirect it appends "\n"+bundle to the service hostname keys.
func AddStorageCABundle(cm *corev1.ConfigMap, bundle string, disableRedirect, withBundleKey bool, servicePort int32) {
	if bundle == "" || cm == nil {
		return
	}
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	if withBundleKey {
		cm.Data[StorageCABundleKey] = bundle
	}
	if disableRedirect {
		return
	}
	for _, k := range ServiceCAKeys(servicePort) {
		if v, ok := cm.Data[k]; ok {
			cm.Data[k] = v + "\n" + bundle
		}
	}
}

// CAKeyToHost is CA-006: turns a trust key back into the host a node trusts, as the
// node-ca program does: the LAST ".." becomes ":" ("host..5000" → "host:5000",
// "a..b..5000" → "a..b:5000"); a key without ".." is returned unchanged.
//
// Implements CA-006.
func CAKeyToHost(key string) string {
	i := strings.LastIndex(key, "..")
	if i < 0 {
		return key
	}
	return key[:i] + ":" + key[i+2:]
}

// HostToCAKey writes "host:port" as the ConfigMap key "host..port" (every ":"
// becomes ".."); "host" stays "host".
//
// Implements CA-002.
func HostToCAKey(hostport string) string {
	return strings.ReplaceAll(hostport, ":", "..")
}
