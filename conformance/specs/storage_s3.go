package specs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/fault"
)

// storS3Mirror is an S3 endpoint an Infrastructure may name (never dialled: the fake
// stands in for it).
const storS3Mirror = "https://s3.mirror.irconform.example"

// s3StorageConditions are the Managed-only default-setting conditions (S3-003..006).
var s3StorageConditions = []string{"StorageEncrypted", "StoragePublicAccessBlocked", "StorageTagged", "StorageIncompleteUploadCleanupEnabled"}

// s3Managed creates a Managed Config with the given S3 stanza on AWS and waits for the bucket.
func s3Managed(s3spec *imageregistryv1.ImageRegistryConfigStorageS3, infra func(*configv1.Infrastructure)) *imageregistryv1.Config {
	GinkgoHelper()
	createConfig(storManaged(storS3(s3spec)))
	storStart(configv1.AWSPlatformType, infra)
	var out *imageregistryv1.Config
	storWait(storLongTimeout, func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		storExpectStorageExistsTrue(g, cfg, "Creation Successful", "S3 Bucket Exists")
		g.Expect(cfg.Spec.Storage.S3.Bucket).NotTo(BeEmpty(), "Config cluster spec.storage.s3.bucket")
		out = cfg
	})
	return out
}

// s3SelfSignedPEM is a CA certificate that signed nothing the operator will meet.
func s3SelfSignedPEM() []byte {
	GinkgoHelper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred(), "generate a CA key")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "irconform unrelated CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred(), "create a CA certificate")
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

var _ = Describe("S3 storage", Label("platform:aws", "storage"), func() {
	storUseFakes()

	It("takes region and endpoint from the Infrastructure when both are unset", Label("S3-001", "S3-012"), func() {
		cfg := s3Managed(nil, func(in *configv1.Infrastructure) {
			in.Status.PlatformStatus.AWS.Region = "eu-west-2"
			in.Status.PlatformStatus.AWS.ServiceEndpoints = []configv1.AWSServiceEndpoint{{Name: "s3", URL: storS3Mirror}}
		})
		Expect(cfg.Spec.Storage.S3.Region).To(Equal("eu-west-2"), "Config cluster spec.storage.s3.region")
		Expect(cfg.Spec.Storage.S3.RegionEndpoint).To(Equal(storS3Mirror), "Config cluster spec.storage.s3.regionEndpoint")
		Expect(cfg.Spec.Storage.S3.VirtualHostedStyle).To(BeTrue(), "an Infrastructure endpoint means virtual-hosted style")
		Expect(cfg.Spec.Storage.S3.Bucket).To(Equal("irconform-x7k2p-image-registry-eu-west-2"), "Config cluster spec.storage.s3.bucket")
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			st := getConfig(g, r).Status.Storage.S3
			g.Expect(st).NotTo(BeNil(), "Config cluster status.storage.s3")
			g.Expect(st.Region).To(Equal("eu-west-2"), "Config cluster status.storage.s3.region")
			g.Expect(st.RegionEndpoint).To(Equal(storS3Mirror), "Config cluster status.storage.s3.regionEndpoint")
			e := storEnv(g, getDeployment(g, r))
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGION", "eu-west-2"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGION")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGIONENDPOINT", storS3Mirror), "Deployment image-registry env REGISTRY_STORAGE_S3_REGIONENDPOINT")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "false"), "Deployment image-registry env REGISTRY_STORAGE_S3_FORCEPATHSTYLE")
		})
		storBucket(Default, "s3", "irconform-x7k2p-image-registry-eu-west-2")
	})

	It("keeps a region set in spec and then takes nothing from the Infrastructure", Label("S3-001"), func() {
		cfg := s3Managed(&imageregistryv1.ImageRegistryConfigStorageS3{Region: "ap-south-1"}, func(in *configv1.Infrastructure) {
			in.Status.PlatformStatus.AWS.ServiceEndpoints = []configv1.AWSServiceEndpoint{{Name: "s3", URL: storS3Mirror}}
		})
		Expect(cfg.Spec.Storage.S3.Region).To(Equal("ap-south-1"), "Config cluster spec.storage.s3.region")
		Expect(cfg.Spec.Storage.S3.RegionEndpoint).To(BeEmpty(), "Config cluster spec.storage.s3.regionEndpoint")
		Expect(cfg.Spec.Storage.S3.VirtualHostedStyle).To(BeFalse(), "Config cluster spec.storage.s3.virtualHostedStyle")
		Expect(cfg.Spec.Storage.S3.Bucket).To(Equal("irconform-x7k2p-image-registry-ap-south-1"), "Config cluster spec.storage.s3.bucket")
	})

	It("generates <infraName>-image-registry-<region>: dashes collapsed, lowercase, at most 62 characters, a trailing dash made 's'", Label("S3-002"), func() {
		// 46 characters once "--" collapses; + "-image-registry-" is exactly 62 and ends with "-".
		cfg := s3Managed(nil, func(in *configv1.Infrastructure) {
			in.Status.InfrastructureName = "IRConform--Cluster-With-A-Long-Name-01234567890"
		})
		const want = "irconform-cluster-with-a-long-name-01234567890-image-registrys"
		Expect(cfg.Spec.Storage.S3.Bucket).To(Equal(want), "Config cluster spec.storage.s3.bucket")
		Expect(len(want)).To(BeNumerically("<=", 62), "length of the expected bucket name")
		storBucket(Default, "s3", want)
	})

	It("reuses a bucket it already owns under the generated name", Label("S3-002"), func() {
		Expect(storFakes.S3.Seed(ctx(), storS3Bucket, 2)).To(Succeed(), "seed S3 bucket irconform-x7k2p-image-registry-us-east-1")
		cfg := s3Managed(nil, nil)
		Expect(cfg.Spec.Storage.S3.Bucket).To(Equal(storS3Bucket), "Config cluster spec.storage.s3.bucket")
		Expect(storBuckets(Default, "s3")).To(ConsistOf(And(HaveField("Name", storS3Bucket), HaveField("Objects", 2))), "s3 buckets")
		Expect(storFakes.S3.Faults().Count(fault.OpDeleteBucket, "")).To(BeZero(), "S3 fake: calls to DeleteBucket on any bucket")
		Expect(storFakes.S3.Faults().Count(fault.OpDeleteObject, "")).To(BeZero(), "S3 fake: calls to DeleteObject on any bucket")
	})

	It("reports a generated name owned by another account as Unable to Access Bucket", Label("S3-002"), func() {
		storFakes.S3.Foreign(storS3Bucket)
		createConfig(storManaged(storS3(nil)))
		storStart(configv1.AWSPlatformType, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionFalse, "Unable to Access Bucket",
				"The bucket irconform-x7k2p-image-registry-us-east-1 exists, but is owned by another account")
		})
		Expect(storBuckets(Default, "s3")).To(BeEmpty(), "s3 buckets")
		Expect(storFakes.S3.Faults().Count(fault.OpPutSetting, "")).To(BeZero(), "no settings on a bucket that is not ours")
	})

	It("enables AES256 default encryption with a bucket key", Label("S3-003", "STOR-002"), func() {
		log := storRecord("StorageEncrypted")
		s3Managed(nil, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageEncrypted", operatorv1.ConditionTrue, "Encryption Successful",
				"Default AES256 encryption was successfully enabled on the S3 bucket")
			g.Expect(cfg.Spec.Storage.S3.Encrypt).To(BeTrue(), "Config cluster spec.storage.s3.encrypt")
			g.Expect(cfg.Status.Storage.S3.Encrypt).To(BeTrue(), "Config cluster status.storage.s3.encrypt")
			g.Expect(storEnv(g, getDeployment(g, r))).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_ENCRYPT", "true"), "Deployment image-registry env REGISTRY_STORAGE_S3_ENCRYPT")
		})
		st := storBucket(Default, "s3", storS3Bucket).Settings
		Expect(st).To(HaveKeyWithValue("encryption", "AES256"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings encryption")
		Expect(st).To(HaveKeyWithValue("bucketKeyEnabled", "true"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings bucketKeyEnabled")
		Expect(st).NotTo(HaveKey("kmsKeyID"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings kmsKeyID")
		log.expectSeen(operatorv1.ConditionTrue, "Encryption Successful", "Default AES256 encryption was successfully enabled on the S3 bucket")
	})

	It("enables aws:kms default encryption with the keyID", Label("S3-003"), func() {
		const key = "arn:aws:kms:us-east-1:111122223333:key/irconform-registry"
		s3Managed(&imageregistryv1.ImageRegistryConfigStorageS3{KeyID: key}, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "StorageEncrypted", operatorv1.ConditionTrue, "Encryption Successful",
				"Default aws:kms encryption was successfully enabled on the S3 bucket")
			g.Expect(storEnv(g, getDeployment(g, r))).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_KEYID", key), "Deployment image-registry env REGISTRY_STORAGE_S3_KEYID")
		})
		st := storBucket(Default, "s3", storS3Bucket).Settings
		Expect(st).To(HaveKeyWithValue("encryption", "aws:kms"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings encryption")
		Expect(st).To(HaveKeyWithValue("kmsKeyID", key), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings kmsKeyID")
		Expect(st).To(HaveKeyWithValue("bucketKeyEnabled", "true"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings bucketKeyEnabled")
	})

	It("blocks all public access to a Managed bucket", Label("S3-004"), func() {
		s3Managed(nil, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StoragePublicAccessBlocked", operatorv1.ConditionTrue,
				"Public Access Block Successful", "Public access to the S3 bucket and its contents have been successfully blocked.")
		})
		// BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets.
		Expect(storBucket(Default, "s3", storS3Bucket).Settings).To(HaveKeyWithValue("publicAccessBlock", "true,true,true,true"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings publicAccessBlock")
	})

	It("tags a Managed bucket with the cluster tags and the Infrastructure's resource tags", Label("S3-005"), func() {
		s3Managed(nil, func(in *configv1.Infrastructure) {
			in.Status.PlatformStatus.AWS.ResourceTags = []configv1.AWSResourceTag{{Key: "team", Value: "registry"}, {Key: "cost-center", Value: "4711"}}
		})
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageTagged", operatorv1.ConditionTrue,
				"Tagging Successful", "Tags were successfully applied to the S3 bucket")
		})
		st := storBucket(Default, "s3", storS3Bucket).Settings
		Expect(st).To(HaveKeyWithValue("tag:kubernetes.io/cluster/irconform-x7k2p", "owned"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings tag:kubernetes.io/cluster/irconform-x7k2p")
		Expect(st).To(HaveKeyWithValue("tag:Name", "irconform-x7k2p-image-registry"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings tag:Name")
		Expect(st).To(HaveKeyWithValue("tag:team", "registry"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings tag:team")
		Expect(st).To(HaveKeyWithValue("tag:cost-center", "4711"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings tag:cost-center")
	})

	It("aborts incomplete multipart uploads after one day on a Managed bucket", Label("S3-006"), func() {
		s3Managed(nil, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "StorageIncompleteUploadCleanupEnabled", operatorv1.ConditionTrue,
				"Enable Cleanup Successful", "Default cleanup of incomplete multipart uploads after one (1) day was successfully enabled")
		})
		Expect(storBucket(Default, "s3", storS3Bucket).Settings).To(HaveKeyWithValue(
			"lifecycle:cleanup-incomplete-multipart-registry-uploads", "abort-incomplete-multipart-days=1"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings lifecycle:cleanup-incomplete-multipart-registry-uploads")
	})

	It("leaves an existing user bucket Unmanaged and applies none of the defaults", Label("S3-007", "STOR-006"), func() {
		const bucket = "team-registry"
		Expect(storFakes.S3.Seed(ctx(), bucket, 3)).To(Succeed(), "seed S3 bucket team-registry")
		log := storRecord("StorageExists")
		createConfig(storManaged(storS3(&imageregistryv1.ImageRegistryConfigStorageS3{Bucket: bucket, Region: "us-east-1"})))
		storStart(configv1.AWSPlatformType, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			storExpectStorageExistsTrue(g, cfg, "S3 Bucket Exists")
			g.Expect(cfg.Status.Storage.S3).NotTo(BeNil(), "Config cluster status.storage.s3")
			g.Expect(cfg.Status.Storage.S3.Bucket).To(Equal(bucket), "Config cluster status.storage.s3.bucket")
			getDeployment(g, r)
		})
		log.expectSeen(operatorv1.ConditionTrue, "S3 Bucket Exists", "User supplied S3 bucket exists and is accessible")
		waitObserved()
		cfg := getConfig(Default, env.Watch.Reader())
		for _, t := range s3StorageConditions {
			Expect(cfg.Status.Conditions).NotTo(ContainElement(HaveField("Type", t)), "no %s condition for an Unmanaged bucket", t)
		}
		Expect(storFakes.S3.Faults().Count(fault.OpPutSetting, "")).To(BeZero(), "calls: %s", storOps("s3"))
		Expect(storFakes.S3.Faults().Count(fault.OpCreateBucket, "")).To(BeZero(), "S3 fake: calls to CreateBucket on any bucket")
		Expect(storBucket(Default, "s3", bucket).Settings).To(BeEmpty(), "s3 bucket team-registry settings")
	})

	It("configures the registry for S3 through env and the credentials file from the private secret", Label("S3-008", "CRED-004"), func() {
		s3Managed(nil, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			d := getDeployment(g, r)
			e := storEnv(g, d)
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE", "s3"), "Deployment image-registry env REGISTRY_STORAGE")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_BUCKET", storS3Bucket), "Deployment image-registry env REGISTRY_STORAGE_S3_BUCKET")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGION", "us-east-1"), "Deployment image-registry env REGISTRY_STORAGE_S3_REGION")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_ENCRYPT", "true"), "Deployment image-registry env REGISTRY_STORAGE_S3_ENCRYPT")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "true"), "Deployment image-registry env REGISTRY_STORAGE_S3_FORCEPATHSTYLE")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH", "/var/run/secrets/cloud/credentials"), "Deployment image-registry env REGISTRY_STORAGE_S3_CREDENTIALSCONFIGPATH")
			g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_REGIONENDPOINT"), "no endpoint set")
			g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_KEYID"), "no keyID set")
			g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_VIRTUALHOSTEDSTYLE"), "replaced by FORCEPATHSTYLE")
			g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_ACCESSKEY"), "credentials only through the file")
			g.Expect(e).NotTo(HaveKey("REGISTRY_STORAGE_S3_SECRETKEY"), "credentials only through the file")
			pod := d.Spec.Template.Spec
			g.Expect(pod.Volumes).To(ContainElement(And(
				HaveField("Name", "image-registry-private-configuration"),
				HaveField("VolumeSource.Secret.SecretName", "image-registry-private-configuration"))), "Deployment image-registry spec.template.spec.volumes")
			var mounted bool
			for _, c := range pod.Containers {
				for _, m := range c.VolumeMounts {
					if m.Name == "image-registry-private-configuration" {
						g.Expect(m.MountPath).To(Equal("/var/run/secrets/cloud"), "Deployment image-registry volume image-registry-private-configuration mountPath")
						g.Expect(m.ReadOnly).To(BeTrue(), "Deployment image-registry volume image-registry-private-configuration readOnly")
						mounted = true
					}
				}
			}
			g.Expect(mounted).To(BeTrue(), "private configuration mounted at /var/run/secrets/cloud")
			s := storPrivateSecret(g, r)
			g.Expect(string(s.Data["credentials"])).To(Equal("[default]\naws_access_key_id = "+storFakes.S3.AccessKey+
				"\naws_secret_access_key = "+storFakes.S3.SecretKey+"\n"), "Secret image-registry-private-configuration data[credentials]")
		})
	})

	It("sets regionEndpoint and keyID env when the spec has them", Label("S3-008"), func() {
		const key = "arn:aws:kms:us-east-1:111122223333:key/env"
		s3Managed(&imageregistryv1.ImageRegistryConfigStorageS3{Region: "us-east-1", RegionEndpoint: storS3Mirror, KeyID: key}, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			e := storEnv(g, getDeployment(g, r))
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGIONENDPOINT", storS3Mirror), "Deployment image-registry env REGISTRY_STORAGE_S3_REGIONENDPOINT")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_KEYID", key), "Deployment image-registry env REGISTRY_STORAGE_S3_KEYID")
			g.Expect(e).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_FORCEPATHSTYLE", "true"), "Deployment image-registry env REGISTRY_STORAGE_S3_FORCEPATHSTYLE")
		})
	})

	It("reaches the endpoint with the CA bundle named by trustedCA, and only with it", Label("S3-009"), func() {
		url, caPEM := storFakes.ServeS3OverTLS()
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-config", Name: "irconform-s3-ca"},
			Data: map[string]string{"ca-bundle.crt": string(s3SelfSignedPEM())}}
		Expect(env.Client.Create(ctx(), cm)).To(Succeed(), "create ConfigMap irconform-s3-ca")
		createConfig(storManaged(storS3(&imageregistryv1.ImageRegistryConfigStorageS3{Region: "us-east-1", RegionEndpoint: url,
			TrustedCA: imageregistryv1.S3TrustedCASource{Name: "irconform-s3-ca"}})))
		storStart(configv1.AWSPlatformType, nil)
		// A bundle that did not sign the endpoint's certificate: no TLS session, nothing created.
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			c := condition(g, getConfig(g, r).Status.Conditions, "Progressing")
			g.Expect(c.Message).To(ContainSubstring("certificate"), "Progressing %s %s", c.Reason, c.Message)
		})
		Expect(storBuckets(Default, "s3")).To(BeEmpty(), "s3 buckets")
		// The right bundle: the operator gets through.
		cm.Data["ca-bundle.crt"] = string(caPEM)
		Expect(env.Client.Update(ctx(), cm)).To(Succeed(), "update ConfigMap irconform-s3-ca")
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			storExpectStorageExistsTrue(g, cfg, "Creation Successful", "S3 Bucket Exists")
			g.Expect(storBuckets(g, "s3")).To(ConsistOf(HaveField("Name", storS3Bucket)), "s3 buckets")
			g.Expect(storEnv(g, getDeployment(g, r))).To(HaveKeyWithValue("REGISTRY_STORAGE_S3_REGIONENDPOINT", url), "Deployment image-registry env REGISTRY_STORAGE_S3_REGIONENDPOINT")
		})
	})

	It("requires the key ca-bundle.crt in the trustedCA config map", Label("S3-009"), func() {
		storFakes.ServeS3OverTLS()
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "openshift-config", Name: "irconform-s3-ca"},
			Data: map[string]string{"ca.crt": "not the key the operator reads"}}
		Expect(env.Client.Create(ctx(), cm)).To(Succeed(), "create ConfigMap irconform-s3-ca")
		createConfig(storManaged(storS3(&imageregistryv1.ImageRegistryConfigStorageS3{Region: "us-east-1",
			TrustedCA: imageregistryv1.S3TrustedCASource{Name: "irconform-s3-ca"}})))
		storStart(configv1.AWSPlatformType, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			c := condition(g, getConfig(g, r).Status.Conditions, "Progressing")
			g.Expect(c.Message).To(ContainSubstring("ca-bundle.crt"), "Config cluster condition Progressing message")
		})
		Expect(storFakes.S3.Faults().Calls()).To(BeEmpty(), "S3 fake: calls")
	})
})
