package controller

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/reference/storage"
)

const (
	T = operatorv1.ConditionTrue
	F = operatorv1.ConditionFalse
	U = operatorv1.ConditionUnknown
)

var errSlowDown = errors.New("api error SlowDown: Please reduce your request rate. RequestID: 7F3A")

// TestManaged is the Managed table: the storage outcome decides conditions, what is applied
// and whether the controller retries.
func TestManaged(t *testing.T) {
	storageOK := storage.Exists(T, "Creation Successful", "EmptyDir storage successfully created")
	readyDeployment := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-image-registry", Name: "image-registry"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(1))},
		Status: appsv1.DeploymentStatus{AvailableReplicas: 1, UpdatedReplicas: 1, Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"}}}}
	for _, tc := range []struct {
		name   string
		cfg    *imageregistryv1.Config
		infra  *configv1.Infrastructure
		driver fakeDriver
		before []client.Object
		// want
		conds      map[string]cond
		applied    bool // the registry objects were applied
		retry      bool // Reconcile returned an error (backoff)
		storageErr bool // ... that is a *storage.StorageError down the chain
		calls      []string
	}{
		{
			name: "storage ready, no replica available yet", cfg: configWith(operatorv1.Managed), driver: fakeDriver{syncConds: storageOK},
			conds: map[string]cond{
				"StorageExists": {T, "Creation Successful", "EmptyDir storage successfully created"},
				"Available":     {F, "NoReplicasAvailable", "The deployment does not have available replicas"},
				"Progressing":   {T, "DeploymentNotCompleted", "The deployment has not completed"},
				"Degraded":      {F, "", ""},
				"Removed":       {F, "", ""},
			},
			applied: true, calls: []string{"Sync", "Configure"},
		},
		{
			name: "storage ready, registry rolled out", cfg: configWith(operatorv1.Managed), driver: fakeDriver{syncConds: storageOK},
			before: []client.Object{readyDeployment},
			conds: map[string]cond{
				"Available":   {T, "Ready", "The registry is ready"},
				"Progressing": {F, "Ready", "The registry is ready"},
				"Degraded":    {F, "", ""},
			},
			applied: true, calls: []string{"Sync", "Configure"},
		},
		{
			name: "storage backend refuses for now: retried, nothing applied, stable message", cfg: configWith(operatorv1.Managed),
			driver: fakeDriver{syncConds: storage.Exists(U, "Unknown Error Occurred", "SlowDown: Please reduce your request rate."),
				syncErr: storage.Failed(errSlowDown, "SlowDown", "SlowDown: Please reduce your request rate.", "unable to check S3 bucket %s", "b1")},
			conds: map[string]cond{
				"StorageExists": {U, "Unknown Error Occurred", "SlowDown: Please reduce your request rate."},
				"Progressing": {T, "Error", "Unable to apply resources: unable to sync storage configuration: " +
					"unable to check S3 bucket b1: SlowDown: Please reduce your request rate."},
				"Degraded": {F, "", ""},
			},
			retry: true, storageErr: true, calls: []string{"Sync"},
		},
		{
			// STOR-007: an ordinary error, retried, as in the upstream operator.
			name: "more than one storage: retried, not Degraded", driver: fakeDriver{syncConds: storageOK},
			cfg: configWith(operatorv1.Managed, func(c *imageregistryv1.Config) {
				c.Spec.Storage.PVC = &imageregistryv1.ImageRegistryConfigStoragePVC{}
			}),
			conds: map[string]cond{
				"Progressing": {T, "Error", "Unable to apply resources: exactly one storage type should be configured at the same time, got 2: [emptyDir pvc]"},
				"Degraded":    {F, "", ""},
			},
			retry: true,
		},
		{
			name: "no storage and the platform has none: permanent", infra: infraOn(configv1.NonePlatformType), driver: fakeDriver{syncConds: storageOK},
			cfg: configWith(operatorv1.Managed, func(c *imageregistryv1.Config) { c.Spec.Storage = imageregistryv1.ImageRegistryConfigStorage{} }),
			conds: map[string]cond{
				"Available": {F, "StorageNotConfigured", "Error: storage backend not configured"},
				"Degraded":  {T, "StorageNotConfigured", "Error: storage backend not configured"},
			},
		},
		{
			name: "negative replicas: permanent, storage untouched", driver: fakeDriver{syncConds: storageOK},
			cfg: configWith(operatorv1.Managed, func(c *imageregistryv1.Config) { c.Spec.Replicas = -1 }),
			conds: map[string]cond{
				"Degraded": {T, "VerificationFailed", "Error: unable to complete resource: replicas must be greater than or equal to 0"},
			},
		},
		{
			name: "a backend the operator has no driver for: retried with a clear message", driver: fakeDriver{syncConds: storageOK},
			cfg: configWith(operatorv1.Managed, func(c *imageregistryv1.Config) {
				c.Spec.Storage = imageregistryv1.ImageRegistryConfigStorage{IBMCOS: &imageregistryv1.ImageRegistryConfigStorageIBMCOS{}}
			}),
			conds: map[string]cond{
				"Progressing": {T, "Error", "Unable to apply resources: storage backend ibmcos is not supported by the reference operator"},
			},
			retry: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			infra := tc.infra
			if infra == nil {
				infra = infraOn(configv1.AWSPlatformType)
			}
			c := world(t, infra, append(tc.before, tc.cfg)...)
			now := t0
			r := &ConfigReconciler{Client: c, Settings: Settings{Clock: fixedClock(&now)}, Drivers: tc.driver.drivers()}
			_, err := reconcileOnce(t, r)
			if (err != nil) != tc.retry {
				t.Errorf("Reconcile error = %v, want an error (a retry) = %v", err, tc.retry)
			}
			var se *storage.StorageError
			if got := errors.As(err, &se); got != tc.storageErr {
				t.Errorf("Reconcile error %v: a *storage.StorageError in its chain = %v, want %v", err, got, tc.storageErr)
			}
			if tc.storageErr && !errors.Is(err, errSlowDown) {
				t.Errorf("Reconcile error %v: the backend's own error is not in the chain", err)
			}
			cfg := getConfig(t, c)
			expectConds(t, "configs/cluster", cfg.Status.Conditions, tc.conds)
			for _, o := range registryObjects() {
				if tc.before != nil && o.GetName() == "image-registry" {
					continue // brought by the row
				}
				if got := exists(t, c, o); got != tc.applied {
					t.Errorf("%T %s exists = %v, want %v", o, o.GetName(), got, tc.applied)
				}
			}
			if !slices.Equal(tc.driver.calls, tc.calls) {
				t.Errorf("driver calls %v, want %v", tc.driver.calls, tc.calls)
			}
			if !slices.Contains(cfg.Finalizers, "imageregistry.operator.openshift.io/finalizer") {
				t.Errorf("finalizers %v: the operator's finalizer is missing", cfg.Finalizers)
			}
			if cfg.Spec.HTTPSecret == "" {
				t.Error("spec.httpSecret not generated")
			}
		})
	}
}

// TestStorageManagementStateAfterSync is GEN-01: an empty spec.storage.managementState is
// derived from status.storageManaged once storage syncs; a failed sync leaves it empty.
func TestStorageManagementStateAfterSync(t *testing.T) {
	for _, tc := range []struct {
		name           string
		storageManaged bool
		syncErr        error
		want           string
	}{
		{"was managed", true, nil, "Managed"},
		{"was not managed", false, nil, "Unmanaged"},
		{"sync failed", true, errors.New("boom"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := configWith(operatorv1.Managed)
			cfg.Status.StorageManaged = tc.storageManaged
			c := world(t, infraOn(configv1.AWSPlatformType), cfg)
			d := fakeDriver{syncErr: tc.syncErr}
			_, _ = reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()})
			got := getConfig(t, c)
			if got.Spec.Storage.ManagementState != tc.want {
				t.Errorf("spec.storage.managementState = %q, want %q", got.Spec.Storage.ManagementState, tc.want)
			}
			if got.Status.Storage.ManagementState != tc.want {
				t.Errorf("status.storage.managementState = %q, want %q", got.Status.Storage.ManagementState, tc.want)
			}
		})
	}
}

// TestUnmanaged: the user owns everything; the operator changes nothing but its status.
func TestUnmanaged(t *testing.T) {
	edited := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-image-registry", Name: "image-registry",
		Labels: map[string]string{"edited-by": "user"}}}
	for _, tc := range []struct {
		name   string
		before []client.Object
	}{
		{"nothing deployed", nil},
		{"a hand-edited Deployment", []client.Object{edited.DeepCopy()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := world(t, infraOn(configv1.AWSPlatformType), append(tc.before, configWith(operatorv1.Unmanaged))...)
			d := fakeDriver{}
			res, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()})
			if err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			if res.RequeueAfter != 0 {
				t.Errorf("RequeueAfter = %v, want none while Unmanaged", res.RequeueAfter)
			}
			expectConds(t, "configs/cluster", getConfig(t, c).Status.Conditions, map[string]cond{
				"Available":   {T, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Progressing": {F, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Degraded":    {F, "Unmanaged", "The registry configuration is set to unmanaged mode"},
				"Removed":     {F, "", ""},
			})
			if len(d.calls) > 0 {
				t.Errorf("driver called %v while Unmanaged", d.calls)
			}
			var dep appsv1.Deployment
			dep.Namespace, dep.Name = "openshift-image-registry", "image-registry"
			switch ok := exists(t, c, &dep); {
			case tc.before == nil && ok:
				t.Error("Deployment created while Unmanaged")
			case tc.before != nil && (!ok || dep.Labels["edited-by"] != "user"):
				t.Errorf("hand-edited Deployment changed while Unmanaged: exists %v, labels %v", ok, dep.Labels)
			}
			for _, o := range registryObjects()[1:] {
				if exists(t, c, o) {
					t.Errorf("%T %s created while Unmanaged", o, o.GetName())
				}
			}
		})
	}
}

// TestRemoved: registry objects go; the driver removes storage recorded in status (and
// decides from spec whether it may); status.storage is cleared only when that worked.
func TestRemoved(t *testing.T) {
	recorded := func(c *imageregistryv1.Config) {
		c.Spec.Storage.ManagementState = "Managed"
		c.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
		c.Status.StorageManaged = true
	}
	gone := storage.Exists(F, "Storage Deleted", "The storage has been removed.")
	for _, tc := range []struct {
		name        string
		cfg         *imageregistryv1.Config
		driver      fakeDriver
		retry       bool
		calls       []string
		statusClear bool
		conds       map[string]cond
	}{
		{
			name: "storage recorded: removed, status cleared", cfg: configWith(operatorv1.Removed, recorded),
			driver: fakeDriver{removeConds: gone}, calls: []string{"Remove"}, statusClear: true,
			conds: map[string]cond{"StorageExists": {F, "Storage Deleted", "The storage has been removed."}},
		},
		{
			name: "removal fails: retried, status kept", cfg: configWith(operatorv1.Removed, recorded),
			driver: fakeDriver{removeErr: errors.New("bucket is busy")}, calls: []string{"Remove"}, retry: true,
		},
		{
			name: "nothing recorded and storage not managed: driver not asked", cfg: configWith(operatorv1.Removed),
			statusClear: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := append(registryObjects(), tc.cfg)
			c := world(t, infraOn(configv1.AWSPlatformType), before...)
			_, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: tc.driver.drivers()})
			if (err != nil) != tc.retry {
				t.Errorf("Reconcile error = %v, want a retry = %v", err, tc.retry)
			}
			if tc.retry && (err == nil || !strings.Contains(err.Error(), "unable to remove storage: bucket is busy")) {
				t.Errorf("Reconcile error %v, want it to say \"unable to remove storage: bucket is busy\"", err)
			}
			for _, o := range registryObjects() {
				if exists(t, c, o) {
					t.Errorf("%T %s still exists while Removed", o, o.GetName())
				}
			}
			cfg := getConfig(t, c)
			if cleared := cfg.Status.Storage.EmptyDir == nil; cleared != tc.statusClear {
				t.Errorf("status.storage cleared = %v, want %v", cleared, tc.statusClear)
			}
			if !slices.Equal(tc.driver.calls, tc.calls) {
				t.Errorf("driver calls %v, want %v", tc.driver.calls, tc.calls)
			}
			want := map[string]cond{
				"Available":   {T, "Removed", "The registry is removed"},
				"Progressing": {F, "Removed", "All registry resources are removed"},
				"Degraded":    {F, "Removed", "The registry is removed"},
				"Removed":     {T, "Removed", "The registry is removed"},
			}
			for k, v := range tc.conds {
				want[k] = v
			}
			expectConds(t, "configs/cluster", cfg.Status.Conditions, want)
		})
	}
}

// TestUnknownManagementState: an unknown state does nothing (and says so in the log).
func TestUnknownManagementState(t *testing.T) {
	c := world(t, infraOn(configv1.AWSPlatformType), configWith("Sideways"))
	d := fakeDriver{}
	if _, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()}); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if len(d.calls) > 0 {
		t.Errorf("driver called %v for an unknown managementState", d.calls)
	}
	for _, o := range registryObjects() {
		if exists(t, c, o) {
			t.Errorf("%T %s created for an unknown managementState", o, o.GetName())
		}
	}
}

// TestDeletedConfigIsFinalized: deleting the Config removes the registry and its managed
// storage, then lets the Config go.
func TestDeletedConfigIsFinalized(t *testing.T) {
	cfg := configWith(operatorv1.Managed, func(c *imageregistryv1.Config) {
		c.Finalizers = []string{"imageregistry.operator.openshift.io/finalizer"}
		c.Spec.Storage.ManagementState = "Managed"
		c.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
	})
	c := world(t, infraOn(configv1.AWSPlatformType), append(registryObjects(), cfg)...)
	if err := c.Delete(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	d := fakeDriver{}
	if _, err := reconcileOnce(t, &ConfigReconciler{Client: c, Drivers: d.drivers()}); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if exists(t, c, &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}) {
		t.Error("configs/cluster still exists: finalizer not removed")
	}
	for _, o := range registryObjects() {
		if exists(t, c, o) {
			t.Errorf("%T %s still exists after the Config was deleted", o, o.GetName())
		}
	}
	if !slices.Equal(d.calls, []string{"Remove"}) {
		t.Errorf("driver calls %v, want [Remove]", d.calls)
	}
}

// TestBootstrap: without a Config the operator creates the platform's default, and never
// guesses without a platform.
func TestBootstrap(t *testing.T) {
	for _, tc := range []struct {
		name     string
		infra    *configv1.Infrastructure
		existing *imageregistryv1.Config
		wantErr  string
		storage  string // the bootstrapped backend
		state    operatorv1.ManagementState
	}{
		{name: "no Infrastructure: waits", wantErr: "infrastructures.config.openshift.io/cluster not found"},
		{name: "Infrastructure without platform status: waits", infra: &configv1.Infrastructure{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}},
			wantErr: "infrastructures.config.openshift.io/cluster has no platform status yet"},
		{name: "AWS: S3, Managed", infra: infraOn(configv1.AWSPlatformType), storage: "s3", state: operatorv1.Managed},
		{name: "bare metal: no storage, Removed", infra: infraOn(configv1.BareMetalPlatformType), state: operatorv1.Removed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := world(t, tc.infra)
			_, err := reconcileOnce(t, &ConfigReconciler{Client: c})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Reconcile error = %v, want %q", err, tc.wantErr)
				}
				if exists(t, c, &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}) {
					t.Error("a Config was created without knowing the platform")
				}
				return
			}
			if err != nil {
				t.Fatalf("Reconcile: %v", err)
			}
			cfg := getConfig(t, c)
			if cfg.Spec.ManagementState != tc.state {
				t.Errorf("managementState = %q, want %q", cfg.Spec.ManagementState, tc.state)
			}
			if got := storage.Configured(cfg.Spec.Storage); !slices.Equal(got, nonEmpty(tc.storage)) {
				t.Errorf("storage %v, want %v", got, nonEmpty(tc.storage))
			}
		})
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// TestDegradedAfterFiveMinutesUnavailable drives the one clock (Settings.Clock): Available
// False for more than 5 minutes turns Degraded True, and the controller asks to look again
// exactly when that window closes.
func TestDegradedAfterFiveMinutesUnavailable(t *testing.T) {
	c := world(t, infraOn(configv1.AWSPlatformType), configWith(operatorv1.Managed))
	now := t0
	d := fakeDriver{syncConds: storage.Exists(T, "Creation Successful", "")}
	r := &ConfigReconciler{Client: c, Settings: Settings{Clock: fixedClock(&now)}, Drivers: d.drivers()}
	res, err := reconcileOnce(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := 5*time.Minute + time.Second; res.RequeueAfter != want {
		t.Errorf("RequeueAfter = %v, want %v (the end of the unavailable window)", res.RequeueAfter, want)
	}
	cfg := getConfig(t, c)
	expectConds(t, "at t0", cfg.Status.Conditions, map[string]cond{"Degraded": {F, "", ""}})
	if av := findCond(cfg.Status.Conditions, "Available"); av == nil || !av.LastTransitionTime.Time.Equal(t0) {
		t.Errorf("Available lastTransitionTime = %v, want the clock's %v", av, t0)
	}

	now = t0.Add(4 * time.Minute)
	if res, _ = reconcileOnce(t, r); res.RequeueAfter != time.Minute+time.Second {
		t.Errorf("at t0+4m RequeueAfter = %v, want 1m1s", res.RequeueAfter)
	}
	expectConds(t, "at t0+4m", getConfig(t, c).Status.Conditions, map[string]cond{"Degraded": {F, "", ""}})

	now = t0.Add(5*time.Minute + time.Second)
	if _, err := reconcileOnce(t, r); err != nil {
		t.Fatal(err)
	}
	expectConds(t, "at t0+5m1s", getConfig(t, c).Status.Conditions, map[string]cond{
		"Degraded": {T, "Unavailable", "The deployment does not have available replicas"},
	})
}

func findCond(conds []operatorv1.OperatorCondition, t string) *operatorv1.OperatorCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
