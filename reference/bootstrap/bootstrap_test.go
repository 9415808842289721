package bootstrap

import (
	"regexp"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
)

func infra(p configv1.PlatformType, topo configv1.TopologyMode) *configv1.Infrastructure {
	return &configv1.Infrastructure{Status: configv1.InfrastructureStatus{
		PlatformStatus: &configv1.PlatformStatus{Type: p}, InfrastructureTopology: topo}}
}

func TestConfig(t *testing.T) {
	cases := []struct {
		platform configv1.PlatformType
		swift    bool
		topo     configv1.TopologyMode
		state    operatorv1.ManagementState
		backend  string
		replicas int32
		strategy string
	}{
		{configv1.BareMetalPlatformType, false, "", operatorv1.Removed, "", 1, "RollingUpdate"},
		{configv1.VSpherePlatformType, false, "", operatorv1.Removed, "", 1, "RollingUpdate"},
		{configv1.NonePlatformType, false, "", operatorv1.Removed, "", 1, "RollingUpdate"},
		{configv1.ExternalPlatformType, false, "", operatorv1.Removed, "", 1, "RollingUpdate"},
		{configv1.AWSPlatformType, false, "", operatorv1.Managed, "s3", 2, "RollingUpdate"},
		{configv1.AWSPlatformType, false, configv1.SingleReplicaTopologyMode, operatorv1.Managed, "s3", 1, "RollingUpdate"},
		{configv1.AzurePlatformType, false, "", operatorv1.Managed, "azure", 2, "RollingUpdate"},
		{configv1.GCPPlatformType, false, "", operatorv1.Managed, "gcs", 2, "RollingUpdate"},
		{configv1.IBMCloudPlatformType, false, "", operatorv1.Managed, "ibmcos", 2, "RollingUpdate"},
		{configv1.OpenStackPlatformType, true, "", operatorv1.Managed, "swift", 2, "RollingUpdate"},
		{configv1.OpenStackPlatformType, false, "", operatorv1.Managed, "pvc", 1, "Recreate"},
		{configv1.LibvirtPlatformType, false, "", operatorv1.Managed, "emptyDir", 1, "RollingUpdate"},
		{"Mars", false, "", operatorv1.Managed, "emptyDir", 1, "RollingUpdate"},
	}
	hexRE := regexp.MustCompile(`^[0-9a-f]{128}$`)
	for _, c := range cases {
		t.Run(string(c.platform)+"/"+c.backend, func(t *testing.T) {
			cfg, err := Config(infra(c.platform, c.topo), Facts{SwiftAvailable: c.swift})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Spec.ManagementState != c.state || cfg.Spec.Replicas != c.replicas || cfg.Spec.RolloutStrategy != c.strategy {
				t.Fatalf("got state=%s replicas=%d strategy=%s", cfg.Spec.ManagementState, cfg.Spec.Replicas, cfg.Spec.RolloutStrategy)
			}
			st := cfg.Spec.Storage
			got := map[string]bool{"s3": st.S3 != nil, "azure": st.Azure != nil, "gcs": st.GCS != nil, "ibmcos": st.IBMCOS != nil,
				"swift": st.Swift != nil, "pvc": st.PVC != nil, "emptyDir": st.EmptyDir != nil}
			for k, v := range got {
				if v != (k == c.backend) {
					t.Fatalf("backend %s set=%v, want only %q", k, v, c.backend)
				}
			}
			if c.backend == "pvc" && st.PVC.Claim != DefaultPVCClaim {
				t.Fatalf("claim %q", st.PVC.Claim)
			}
			if !hexRE.MatchString(cfg.Spec.HTTPSecret) || cfg.Spec.LogLevel != operatorv1.Normal {
				t.Fatalf("httpSecret/logLevel defaults wrong: %q %q", cfg.Spec.HTTPSecret, cfg.Spec.LogLevel)
			}
			if len(cfg.Finalizers) != 1 || cfg.Finalizers[0] != Finalizer || cfg.Name != "cluster" {
				t.Fatalf("meta %v %v", cfg.Name, cfg.Finalizers)
			}
		})
	}
}

func TestBootstrapClaim(t *testing.T) {
	for platform, class := range map[configv1.PlatformType]string{configv1.OpenStackPlatformType: "standard-csi", configv1.OvirtPlatformType: "ovirt-csi-sc"} {
		infra := &configv1.Infrastructure{Status: configv1.InfrastructureStatus{PlatformStatus: &configv1.PlatformStatus{Type: platform}}}
		c := BootstrapClaim(infra, "image-registry-storage")
		if c.Name != "image-registry-storage" || c.Namespace != "openshift-image-registry" || c.Annotations["imageregistry.openshift.io"] != "true" {
			t.Errorf("%s: meta %+v", platform, c.ObjectMeta)
		}
		if len(c.Spec.AccessModes) != 1 || c.Spec.AccessModes[0] != "ReadWriteOnce" || c.Spec.StorageClassName == nil || *c.Spec.StorageClassName != class {
			t.Errorf("%s: spec %+v", platform, c.Spec)
		}
		if q := c.Spec.Resources.Requests["storage"]; q.String() != "100Gi" {
			t.Errorf("%s: size %s", platform, q.String())
		}
	}
}
