package specs

import (
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/fault"
)

// gcsGenerated is STOR-COMMON-06 for this cluster: the prefix, then random letters a..y up to 62.
var gcsGenerated = regexp.MustCompile(`^irconform-x7k2p-image-registry-us-central1-[a-y]{19}$`)

// gcsManaged creates a Managed Config with the given GCS stanza on GCP and waits for the bucket.
func gcsManaged(spec *imageregistryv1.ImageRegistryConfigStorageGCS, infra func(*configv1.Infrastructure)) *imageregistryv1.Config {
	GinkgoHelper()
	createConfig(storManaged(storGCS(spec)))
	storStart(configv1.GCPPlatformType, infra)
	var out *imageregistryv1.Config
	storWait(storLongTimeout, func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		storExpectStorageExistsTrue(g, cfg, "Creation Successful", "GCS Bucket Exists")
		g.Expect(cfg.Spec.Storage.GCS.Bucket).NotTo(BeEmpty(), "Config cluster spec.storage.gcs.bucket")
		out = cfg
	})
	return out
}

var _ = Describe("GCS storage", Label("platform:gcp", "storage"), func() {
	storUseFakes()

	It("creates the generated bucket in the Infrastructure's region with the cluster label and the resource labels", Label("GCS-001", "STOR-013", "divergence"), func() {
		log := storRecord("StorageExists")
		cfg := gcsManaged(nil, func(in *configv1.Infrastructure) {
			in.Status.PlatformStatus.GCP.ResourceLabels = []configv1.GCPResourceLabel{{Key: "team", Value: "registry"}}
		})
		bucket := cfg.Spec.Storage.GCS.Bucket
		Expect(bucket).To(MatchRegexp(gcsGenerated.String()), "Config cluster spec.storage.gcs.bucket")
		Expect(bucket).To(HaveLen(62), "Config cluster spec.storage.gcs.bucket")
		Expect(cfg.Spec.Storage.GCS.Region).To(Equal("us-central1"), "Config cluster spec.storage.gcs.region")
		Expect(cfg.Spec.Storage.GCS.ProjectID).To(Equal("irconform-project"), "Config cluster spec.storage.gcs.projectID")
		Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
		b := storBucket(Default, "gcs", bucket)
		Expect(b.Settings).To(HaveKeyWithValue("location", "US-CENTRAL1"), "GCS bucket settings location")
		Expect(b.Settings).To(HaveKeyWithValue("label:kubernetes-io-cluster-irconform-x7k2p", "owned"), "GCS bucket settings label:kubernetes-io-cluster-irconform-x7k2p")
		Expect(b.Settings).To(HaveKeyWithValue("label:team", "registry"), "GCS bucket settings label:team")
		Expect(b.Settings).NotTo(HaveKey("kmsKey"), "GCS bucket settings kmsKey")
		log.expectSeen(operatorv1.ConditionTrue, "Creation Successful", "GCS bucket was successfully created")
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			conds := getConfig(g, r).Status.Conditions
			expectCondition(g, conds, "StorageLabeled", operatorv1.ConditionTrue, "Bucket Labeled Successfully",
				"Successfully added user-defined labels to "+bucket+" storage bucket")
			expectCondition(g, conds, "StorageTagged", operatorv1.ConditionFalse, "SuccessTaggingBucket", "user did not define any tags")
			g.Expect(conds).NotTo(ContainElement(HaveField("Type", "StorageEncrypted")), "no keyID, no CMEK")
		})
		Expect(storBuckets(Default, "gcs")).To(HaveLen(1), "gcs buckets")
	})

	It("provisions its generated bucket once when the write of its name meets a 409 Conflict", Label("STOR-013", "divergence", "race"), func() {
		createConfig(storManaged(storGCS(nil)))
		landed := storConflictOnNameWrite()
		storStart(configv1.GCPPlatformType, nil)
		landed()
		var bucket string
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			storExpectStorageExistsTrue(g, cfg, "Creation Successful", "GCS Bucket Exists")
			bucket = cfg.Spec.Storage.GCS.Bucket
			g.Expect(bucket).To(MatchRegexp(gcsGenerated.String()), "Config cluster spec.storage.gcs.bucket")
			g.Expect(cfg.Status.Storage.GCS).NotTo(BeNil(), "Config cluster status.storage.gcs")
			g.Expect(cfg.Status.Storage.GCS.Bucket).To(Equal(bucket), "Config cluster status.storage.gcs.bucket")
			g.Expect(storBuckets(g, "gcs")).To(ConsistOf(HaveField("Name", bucket)), "exactly one generated bucket exists, the one spec and status record")
		})
		Expect(storFakes.GCS.Faults().Count(fault.OpCreateBucket, "")).To(Equal(1), "GCS fake: calls to CreateBucket on any bucket (calls: %s)", storOps("gcs"))
		// Removed deletes it, so nothing is left behind.
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		storWait(storLongTimeout, func(g Gomega, _ client.Reader) {
			g.Expect(storBuckets(g, "gcs")).To(BeEmpty(), "GCS buckets after Removed")
		})
		storBystanderIntact("gcs")
	})

	It("sets the keyID as the bucket's customer-managed encryption key", Label("GCS-001"), func() {
		const key = "projects/irconform-project/locations/us-central1/keyRings/registry/cryptoKeys/images"
		cfg := gcsManaged(&imageregistryv1.ImageRegistryConfigStorageGCS{KeyID: key}, nil)
		Expect(storBucket(Default, "gcs", cfg.Spec.Storage.GCS.Bucket).Settings).To(HaveKeyWithValue("kmsKey", key), "GCS bucket settings kmsKey")
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageEncrypted", operatorv1.ConditionTrue,
				"Encryption Successful", "KMS encryption was successfully enabled on the GCS bucket")
		})
	})

	It("adopts an existing user bucket as Unmanaged", Label("GCS-001", "STOR-006"), func() {
		Expect(storFakes.GCS.Seed(ctx(), "team-registry", 2)).To(Succeed(), "seed GCS bucket team-registry")
		log := storRecord("StorageExists")
		createConfig(storManaged(storGCS(&imageregistryv1.ImageRegistryConfigStorageGCS{Bucket: "team-registry"})))
		storStart(configv1.GCPPlatformType, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			storExpectStorageExistsTrue(g, cfg, "GCS Bucket Exists")
		})
		log.expectSeen(operatorv1.ConditionTrue, "GCS Bucket Exists", "User supplied GCS bucket exists and is accessible")
		Expect(storFakes.GCS.Faults().Count("CreateBucket", "")).To(BeZero(), "GCS fake: calls to CreateBucket on any bucket")
		Expect(storFakes.GCS.Faults().Count("PutSetting", "")).To(BeZero(), "GCS fake: calls to PutSetting on any bucket")
	})

	It("configures the registry for GCS with the keyfile mounted from the private secret", Label("GCS-002", "CRED-004"), func() {
		cfg := gcsManaged(nil, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			e := storEnv(g, d)
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE", "gcs"), "Deployment image-registry env REGISTRY_STORAGE")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_GCS_BUCKET", cfg.Spec.Storage.GCS.Bucket), "Deployment image-registry env REGISTRY_STORAGE_GCS_BUCKET")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_GCS_KEYFILE", "/gcs/keyfile"), "Deployment image-registry env REGISTRY_STORAGE_GCS_KEYFILE")
			pod := d.Spec.Template.Spec
			g.Expect(pod.Volumes).To(ContainElement(And(
				HaveField("Name", "registry-storage-keyfile"),
				HaveField("VolumeSource.Secret.SecretName", "image-registry-private-configuration"),
				HaveField("VolumeSource.Secret.Items", ContainElement(And(
					HaveField("Key", "REGISTRY_STORAGE_GCS_KEYFILE"), HaveField("Path", "keyfile")))))), "Deployment image-registry spec.template.spec.volumes")
			var mountedAt string
			for _, c := range pod.Containers {
				for _, m := range c.VolumeMounts {
					if m.Name == "registry-storage-keyfile" {
						mountedAt = m.MountPath
					}
				}
			}
			g.Expect(mountedAt).To(Equal("/gcs"), "Deployment image-registry volume registry-storage-keyfile mountPath")
			s := storPrivateSecret(g, r)
			g.Expect(s.Data["REGISTRY_STORAGE_GCS_KEYFILE"]).To(Equal(storFakes.GCS.KeyfileJSON), "the keyfile in the private secret")
		})
	})
})
