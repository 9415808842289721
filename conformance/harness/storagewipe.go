package harness

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/conformance/target"
)

// storageWiper empties the embedded cluster between specs by deleting the objects' keys in
// etcd, in one transaction, instead of one API request each.
//
// Why: a spec leaves ~30 objects, and on two cores their ~20 delete requests took ~35 ms of
// every spec's ~150 ms (each is authenticated, decoded, admitted, read, deleted, encoded), with
// the operator stopped and nothing else to do. kube-apiserver learns of the deletions from its
// etcd watch, as it does of its own writes, so its watch cache and every watcher (the harness's
// cache, the next operator's) see ordinary DELETED events. Finalizers are skipped, which Reset
// wants anyway (nothing in envtest clears them).
//
// Only envtest: kube-apiserver stores under the default /registry prefix, unencrypted, and the
// harness started it. A Service's cluster IPs are IPAddress objects kube-apiserver made when it
// allocated them (its only record of them since 1.35); they go in the same transaction, or
// the addresses would leak. A Service with node ports (kept in an allocator's bitmap) goes
// through the API.
type storageWiper struct {
	url    string // etcd's client URL; its JSON gateway serves /v3/kv/txn
	hc     *http.Client
	scheme *runtime.Scheme
}

// storageURLer is a target whose etcd the harness may write to (envtest).
type storageURLer interface{ StorageURL() string }

// errStorageUnreachable marks a transaction that etcd's JSON gateway did not carry out as
// expected (no answer, an error status, an answer of another shape): the caller may delete
// through the API instead.
var errStorageUnreachable = errors.New("etcd's JSON gateway did not carry out the transaction")

// etcdMaxTxnOps is etcd's default --max-txn-ops: a larger transaction is refused.
const etcdMaxTxnOps = 128

// storagePrefixes are the etcd key prefixes (under /registry) of the kinds Reset deletes by
// key. Built-in kinds live under their resource, custom resources under group/resource. A
// kind not named here, or whose key turns out absent, is deleted through the API.
var storagePrefixes = map[schema.GroupKind]string{
	{Group: "", Kind: "ConfigMap"}:                                      "configmaps",
	{Group: "", Kind: "Secret"}:                                         "secrets",
	{Group: "", Kind: "ServiceAccount"}:                                 "serviceaccounts",
	{Group: "", Kind: "PersistentVolumeClaim"}:                          "persistentvolumeclaims",
	{Group: "", Kind: "Event"}:                                          "events",
	{Group: "", Kind: "Service"}:                                        "services/specs",
	{Group: "apps", Kind: "Deployment"}:                                 "deployments",
	{Group: "apps", Kind: "DaemonSet"}:                                  "daemonsets",
	{Group: "batch", Kind: "CronJob"}:                                   "cronjobs",
	{Group: "batch", Kind: "Job"}:                                       "jobs",
	{Group: "policy", Kind: "PodDisruptionBudget"}:                      "poddisruptionbudgets",
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"}:                 "networkpolicies",
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:           "clusterroles",
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:    "clusterrolebindings",
	{Group: "imageregistry.operator.openshift.io", Kind: "Config"}:      "imageregistry.operator.openshift.io/configs",
	{Group: "imageregistry.operator.openshift.io", Kind: "ImagePruner"}: "imageregistry.operator.openshift.io/imagepruners",
	{Group: "config.openshift.io", Kind: "ClusterOperator"}:             "config.openshift.io/clusteroperators",
	{Group: "config.openshift.io", Kind: "Infrastructure"}:              "config.openshift.io/infrastructures",
	{Group: "config.openshift.io", Kind: "Image"}:                       "config.openshift.io/images",
	{Group: "config.openshift.io", Kind: "Proxy"}:                       "config.openshift.io/proxies",
	{Group: "config.openshift.io", Kind: "APIServer"}:                   "config.openshift.io/apiservers",
	{Group: "config.openshift.io", Kind: "FeatureGate"}:                 "config.openshift.io/featuregates",
	{Group: "config.openshift.io", Kind: "ClusterVersion"}:              "config.openshift.io/clusterversions",
	{Group: "route.openshift.io", Kind: "Route"}:                        "route.openshift.io/routes",
	{Group: "monitoring.coreos.com", Kind: "PrometheusRule"}:            "monitoring.coreos.com/prometheusrules",
	{Group: "monitoring.coreos.com", Kind: "ServiceMonitor"}:            "monitoring.coreos.com/servicemonitors",
}

func newStorageWiper(t target.Target, hc *http.Client) *storageWiper {
	s, ok := t.(storageURLer)
	if !ok || s.StorageURL() == "" {
		return nil
	}
	return &storageWiper{url: strings.TrimSuffix(s.StorageURL(), "/"), hc: hc, scheme: t.Scheme()}
}

// ipAddressPrefix holds kube-apiserver's IPAddress objects (networking.k8s.io), one per
// allocated cluster IP, named by the address.
const ipAddressPrefix = "/registry/ipaddresses/"

// storageKeys are o's etcd key and those of what must go with it (a Service's IPAddresses),
// or false for a kind that cannot be deleted by key.
func storageKeys(s *runtime.Scheme, o client.Object) ([]string, bool) {
	gvk, err := apiutil.GVKForObject(o, s)
	if err != nil {
		return nil, false
	}
	prefix, ok := storagePrefixes[gvk.GroupKind()]
	if !ok {
		return nil, false
	}
	key := "/registry/" + prefix + "/" + o.GetName()
	if ns := o.GetNamespace(); ns != "" {
		key = "/registry/" + prefix + "/" + ns + "/" + o.GetName()
	}
	svc, isService := o.(*corev1.Service)
	if !isService {
		return []string{key}, true
	}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			return nil, false
		}
	}
	keys := []string{key}
	for _, ip := range svc.Spec.ClusterIPs {
		if ip != "" && ip != corev1.ClusterIPNone {
			keys = append(keys, ipAddressPrefix+ip)
		}
	}
	return keys, true
}

// keyedObject is an object Reset deletes by key: its own key first, then those that go with
// it (storageKeys).
type keyedObject struct {
	obj  client.Object
	keys []string
}

// Split parts objs into those Delete can remove by key (with their keys) and the rest.
func (w *storageWiper) Split(objs []client.Object) (byKey []keyedObject, rest []client.Object) {
	for _, o := range objs {
		if keys, ok := storageKeys(w.scheme, o); ok {
			byKey = append(byKey, keyedObject{obj: o, keys: keys})
		} else {
			rest = append(rest, o)
		}
	}
	return byKey, rest
}

// Delete removes objs by key, as few transactions as etcd's limit on operations allows, and
// tells which went (wiped) and which did not (missed: the key held nothing, a wrong prefix or
// already gone). The API deletes the missed ones, so a mistake here costs time, never a
// leftover. A Service deleted while its cluster IP's IPAddress was not found is an error:
// that address would stay allocated.
func (w *storageWiper) Delete(ctx context.Context, objs []keyedObject) (wiped, missed []client.Object, err error) {
	for len(objs) > 0 {
		n, ops := 0, 0
		for n < len(objs) && ops+len(objs[n].keys) <= etcdMaxTxnOps {
			ops += len(objs[n].keys)
			n++
		}
		n = max(n, 1) // an object with more keys than the limit: etcd refuses it, the API deletes it
		gone, left, err := w.deleteOnce(ctx, objs[:n])
		if err != nil {
			return nil, nil, err
		}
		wiped, missed, objs = append(wiped, gone...), append(missed, left...), objs[n:]
	}
	return wiped, missed, nil
}

// deleteOnce deletes objs' keys in one transaction.
func (w *storageWiper) deleteOnce(ctx context.Context, objs []keyedObject) (wiped, missed []client.Object, err error) {
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.keys...)
	}
	deleted, err := w.txnDelete(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range objs {
		own, along := deleted[0], deleted[1:len(o.keys)]
		deleted = deleted[len(o.keys):]
		if own == 0 {
			missed = append(missed, o.obj)
			continue
		}
		for i, n := range along {
			if n == 0 {
				return nil, nil, fmt.Errorf("reset: deleted %s by its etcd key, but %s held nothing: kube-apiserver keeps its cluster IPs elsewhere, and they would leak; delete Services through the API (storagePrefixes)",
					expect.Describe(o.obj), o.keys[1+i])
			}
		}
		wiped = append(wiped, o.obj)
	}
	return wiped, missed, nil
}

// etcdTxnResponse is what the JSON gateway answers a transaction of deletes: one response per
// op, keyed by its kind; int64 counts come as strings and are left out when 0.
type etcdTxnResponse struct {
	Responses []map[string]struct {
		Deleted string `json:"deleted"`
	} `json:"responses"`
}

// txnDelete deletes keys in one etcd transaction and returns how many objects each removed.
func (w *storageWiper) txnDelete(ctx context.Context, keys []string) ([]int64, error) {
	type deleteRange struct {
		Key string `json:"key"`
	}
	type op struct {
		DeleteRange deleteRange `json:"requestDeleteRange"`
	}
	req := struct {
		Success []op `json:"success"`
	}{}
	for _, k := range keys {
		req.Success = append(req.Success, op{deleteRange{Key: base64.StdEncoding.EncodeToString([]byte(k))}})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url+"/v3/kv/txn", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := w.hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("reset: etcd transaction deleting %d keys: %w: %w", len(keys), errStorageUnreachable, err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reset: etcd transaction deleting %d keys: %w: %w", len(keys), errStorageUnreachable, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reset: etcd transaction deleting %d keys: %w: %s: %s", len(keys), errStorageUnreachable, resp.Status, bytes.TrimSpace(out))
	}
	var txn etcdTxnResponse
	if err := json.Unmarshal(out, &txn); err != nil {
		return nil, fmt.Errorf("reset: etcd transaction response: %w: %w", errStorageUnreachable, err)
	}
	if len(txn.Responses) != len(keys) {
		return nil, fmt.Errorf("reset: etcd transaction deleting %d keys: %w: %d responses", len(keys), errStorageUnreachable, len(txn.Responses))
	}
	deleted := make([]int64, len(keys))
	for i, r := range txn.Responses {
		if d := r["response_delete_range"].Deleted; d != "" {
			if deleted[i], err = strconv.ParseInt(d, 10, 64); err != nil {
				return nil, fmt.Errorf("reset: etcd transaction response %d: deleted %q: %w: %w", i, d, errStorageUnreachable, err)
			}
		}
	}
	return deleted, nil
}
