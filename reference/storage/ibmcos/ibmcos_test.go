package ibmcos

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/IBM/ibm-cos-sdk-go/aws/awserr"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/irconform/irconform/fakes/fault"
	ibmcosfake "github.com/irconform/irconform/fakes/ibmcos"
	"github.com/irconform/irconform/internal/scheme"
	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

func ibmInfra(rg string) *configv1.Infrastructure {
	return &configv1.Infrastructure{Status: configv1.InfrastructureStatus{InfrastructureName: "ibm-x7k2p",
		PlatformStatus: &configv1.PlatformStatus{Type: configv1.IBMCloudPlatformType,
			IBMCloud: &configv1.IBMCloudPlatformStatus{Location: "us-south", ResourceGroupName: rg}}}}
}

func setup(t *testing.T) (*ibmcosfake.Server, storage.Deps) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := ibmcosfake.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheme.New()
	if err != nil {
		t.Fatal(err)
	}
	minted := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: storage.Namespace, Name: storage.ClusterCredentialsName},
		Data: map[string][]byte{MintedAPIKeyKey: []byte(srv.APIKey)}}
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(minted).Build()
	return srv, storage.Deps{Client: c, Infra: ibmInfra(srv.ResourceGroup), Endpoints: map[string]string{EndpointOverrideKey: srv.Endpoint}}
}

func lastExists(t *testing.T, conds []operatorv1.OperatorCondition) operatorv1.OperatorCondition {
	t.Helper()
	for i := len(conds) - 1; i >= 0; i-- {
		if conds[i].Type == storage.CondStorageExists {
			return conds[i]
		}
	}
	t.Fatalf("no StorageExists in %+v", conds)
	return operatorv1.OperatorCondition{}
}

func TestSyncProvisionsInstanceKeyAndBucket(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{IBMCOS: &imageregistryv1.ImageRegistryConfigStorageIBMCOS{}}}}
	conds, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := lastExists(t, conds); c.Status != operatorv1.ConditionTrue || c.Reason != ReasonCreated || c.Message != MsgCreated {
		t.Fatalf("StorageExists = %+v", c)
	}
	sp := cfg.Spec.Storage.IBMCOS
	if cfg.Spec.Storage.ManagementState != storage.Managed || sp.Location != "us-south" || sp.ResourceGroupName != srv.ResourceGroup ||
		!strings.HasPrefix(sp.Bucket, "ibm-x7k2p-image-registry-us-south-") || len(sp.Bucket) != 62 {
		t.Fatalf("spec = %+v (%s)", sp, cfg.Spec.Storage.ManagementState)
	}
	ins, keys := srv.Instances(), srv.ResourceKeys()
	if len(ins) != 1 || ins[0].Name != "ibm-x7k2p-image-registry" || ins[0].CRN != sp.ServiceInstanceCRN || ins[0].Tags[0] != "kubernetes.io_cluster_ibm-x7k2p:owned" {
		t.Fatalf("instances = %+v", ins)
	}
	if len(keys) != 1 || keys[0].CRN != sp.ResourceKeyCRN || !keys[0].HMAC || keys[0].Role != WriterRole {
		t.Fatalf("keys = %+v", keys)
	}
	bs, _ := srv.Buckets(ctx)
	if len(bs) != 1 || bs[0].Name != sp.Bucket || bs[0].Settings[ibmcosfake.SettingLocationConstraint] != "us-south-smart" {
		t.Fatalf("buckets = %+v", bs)
	}
	if cfg.Status.Storage.IBMCOS == nil || *cfg.Status.Storage.IBMCOS != *sp {
		t.Fatalf("status = %+v", cfg.Status.Storage)
	}

	sc, err := New(deps, &cfg.Spec.Storage).Configure(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := CredentialsFile(keys[0].AccessKeyID, keys[0].SecretAccessKey); sc.SecretData[CredentialsKey] != want {
		t.Fatalf("credentials file differs")
	}
	env := map[string]any{}
	for _, e := range sc.Env {
		env[e.Name] = e.Value
	}
	if env["REGISTRY_STORAGE"] != "s3" || env["REGISTRY_STORAGE_S3_REGIONENDPOINT"] != "s3.us-south.cloud-object-storage.appdomain.cloud" ||
		env["REGISTRY_STORAGE_S3_FORCEPATHSTYLE"] != true || env["REGISTRY_STORAGE_S3_ENCRYPT"] != false {
		t.Fatalf("env = %v", env)
	}

	// Steady state: a token and one HeadBucket, nothing created.
	before := len(srv.Faults().Calls())
	conds, err = New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := lastExists(t, conds); c.Status != operatorv1.ConditionTrue || c.Reason != ReasonBucketExists || c.Message != "" {
		t.Fatalf("steady StorageExists = %+v", c)
	}
	for _, c := range srv.Faults().Calls()[before:] {
		if c.Op != fault.OpHeadBucket && c.Op != fault.OpAuth {
			t.Fatalf("steady sync called %s", c.Op)
		}
	}
	if len(srv.Instances()) != 1 || len(srv.ResourceKeys()) != 1 {
		t.Fatal("steady sync provisioned again")
	}

	// Remove: the bucket goes, the instance and key stay.
	if err := srv.Seed(ctx, sp.Bucket, 3); err != nil {
		t.Fatal(err)
	}
	conds, err = New(deps, cfg.Status.Storage.DeepCopy()).Remove(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := lastExists(t, conds); c.Reason != ReasonDeleted || c.Message != MsgDeleted || cfg.Spec.Storage.IBMCOS.Bucket != "" {
		t.Fatalf("remove: %+v, bucket %q", c, cfg.Spec.Storage.IBMCOS.Bucket)
	}
	if bs, _ := srv.Buckets(ctx); len(bs) != 0 {
		t.Fatalf("buckets after remove = %+v", bs)
	}
}

func TestUserBucketIsAdoptedUnmanagedAndNeverRemoved(t *testing.T) {
	ctx := context.Background()
	srv, deps := setup(t)
	if err := srv.Seed(ctx, "team-registry", 2); err != nil {
		t.Fatal(err)
	}
	cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{
		IBMCOS: &imageregistryv1.ImageRegistryConfigStorageIBMCOS{Bucket: "team-registry"}}}}
	conds, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := lastExists(t, conds); c.Status != operatorv1.ConditionTrue || c.Reason != ReasonBucketExists || c.Message != MsgUserBucketExists {
		t.Fatalf("StorageExists = %+v", c)
	}
	// The bucket decides: the user's bucket is Unmanaged even though the operator had to
	// create the service instance (upstream would say Managed here).
	if cfg.Spec.Storage.ManagementState != storage.Unmanaged {
		t.Fatalf("managementState = %q", cfg.Spec.Storage.ManagementState)
	}
	conds, err = New(deps, cfg.Status.Storage.DeepCopy()).Remove(ctx, cfg)
	if err != nil || len(conds) != 0 {
		t.Fatalf("remove of an Unmanaged bucket: %v %v", conds, err)
	}
	if bs, _ := srv.Buckets(ctx); len(bs) != 1 || bs[0].Objects != 2 {
		t.Fatalf("the user's bucket was touched: %+v", bs)
	}
}

func TestPowerVSRegionAndEndpointOverrides(t *testing.T) {
	infra := &configv1.Infrastructure{Status: configv1.InfrastructureStatus{InfrastructureName: "pvs",
		PlatformStatus: &configv1.PlatformStatus{Type: configv1.PowerVSPlatformType, PowerVS: &configv1.PowerVSPlatformStatus{
			Region: "lon", ResourceGroup: "pvs-rg",
			ServiceEndpoints: []configv1.PowerVSServiceEndpoint{{Name: "COS", URL: "https://s3.private.eu-gb.example"}, {Name: "Power", URL: "https://power.example"}},
		}}}}
	p, err := PlatformFacts(infra)
	if err != nil {
		t.Fatal(err)
	}
	if p.Location != "eu-gb" || p.ResourceGroup != "pvs-rg" || len(p.Endpoints) != 1 || RegionEndpoint(p.Location, p) != "https://s3.private.eu-gb.example" {
		t.Fatalf("platform = %+v", p)
	}
	infra.Status.PlatformStatus.PowerVS.Region = "mars"
	if _, err := PlatformFacts(infra); err == nil {
		t.Fatal("unknown PowerVS region accepted")
	}
}

func TestCredentialErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := scheme.New()
	user := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: storage.Namespace, Name: storage.UserSecretName}, Data: map[string][]byte{"other": []byte("x")}}
	d := &Driver{deps: storage.Deps{Client: fake.NewClientBuilder().WithScheme(s).WithObjects(user).Build()}}
	_, err := d.apiKey(ctx)
	if err == nil || err.Error() != `secret "openshift-image-registry/image-registry-private-configuration-user" does not contain required key "REGISTRY_STORAGE_IBMCOS_IAMAPIKEY"` {
		t.Fatalf("user secret without key: %v", err)
	}
	d = &Driver{deps: storage.Deps{Client: fake.NewClientBuilder().WithScheme(s).Build()}}
	if _, err := d.apiKey(ctx); err == nil || !strings.HasPrefix(err.Error(), `unable to get cluster minted credentials "openshift-image-registry/installer-cloud-credentials"`) {
		t.Fatalf("no secrets: %v", err)
	}
	_ = render.StorageIBMCOS
}

// TestCallFailureIsAStableStorageError: a failed COS or platform call comes back as a
// *storage.StorageError whose text is the same on every retry and whose reason is the
// service's code (COS) or HTTP status (platform), with the SDK's error still in the chain.
func TestCallFailureIsAStableStorageError(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name       string
		fault      fault.Rule
		wantText   string
		wantReason string
		// sdkErr tells whether the SDK's own error type is in the chain.
		sdkErr func(error) bool
	}{
		{"platform call", fault.Rule{Op: ibmcosfake.OpCreateInstance, Status: 503}, "unable to create resource instance: ", "503",
			func(err error) bool { return errors.Unwrap(err) != nil }},
		{"COS call", fault.Rule{Op: fault.OpCreateBucket, Status: 500}, "unable to create IBM COS bucket ", "InternalError",
			func(err error) bool { var ae awserr.Error; return errors.As(err, &ae) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, deps := setup(t)
			srv.Faults().Inject(tc.fault)
			var texts []string
			for range 2 {
				cfg := &imageregistryv1.Config{Spec: imageregistryv1.ImageRegistrySpec{Storage: imageregistryv1.ImageRegistryConfigStorage{
					IBMCOS: &imageregistryv1.ImageRegistryConfigStorageIBMCOS{Bucket: "team-bucket"}}}}
				_, err := New(deps, &cfg.Spec.Storage).Sync(ctx, cfg)
				var se *storage.StorageError
				if !errors.As(err, &se) {
					t.Fatalf("Sync error %v (%T): want a *storage.StorageError", err, err)
				}
				if !strings.HasPrefix(se.Error(), tc.wantText) || se.Reason != tc.wantReason {
					t.Errorf("StorageError %q reason %q, want text %q… reason %q", se.Error(), se.Reason, tc.wantText, tc.wantReason)
				}
				if se.Err == nil || !tc.sdkErr(err) {
					t.Errorf("Sync error %v: the SDK's error is not in the chain", err)
				}
				texts = append(texts, err.Error())
			}
			if texts[0] != texts[1] {
				t.Errorf("error texts differ between retries: %q", texts)
			}
		})
	}
}
