package specs

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/fault"
	"github.com/irconform/irconform/fakes/swift"
)

// Literal values from the catalogue and upstream-facts used by the storage specs.
const (
	storInfraName    = "irconform-x7k2p" // the harness's default infrastructure name
	storS3Bucket     = "irconform-x7k2p-image-registry-us-east-1"
	storUserSecret   = "image-registry-private-configuration-user"
	storMinted       = "installer-cloud-credentials"
	storGCPRegion    = "us-central1"
	storLongTimeout  = 40 * time.Second
	storBystander    = "irconform-user-archive" // a user's unrelated bucket, never to be touched
	storBystanderObj = 3
)

// storFakes are the current spec's storage fakes (set by storUseFakes).
var storFakes *harness.StorageFakes

// storageFakes starts fresh storage fakes for the spec (Keystone's identity per opts), the
// next operator pointed at them; when the spec ends the operator stops, then the fakes.
func storageFakes(opts ...swift.Option) *harness.StorageFakes {
	GinkgoHelper()
	f, err := env.StartStorageFakes(ctx(), opts...)
	Expect(err).NotTo(HaveOccurred(), "start storage fakes")
	DeferCleanup(func() { Expect(f.Stop()).To(Succeed(), "stop") })
	return f
}

// storUseFakes gives every spec of the container fresh S3/GCS fakes, the operator pointed at
// them, and a bystander bucket holding a user's data in each fake.
func storUseFakes() {
	BeforeEach(func() {
		f := storageFakes()
		storFakes = f
		Expect(f.S3.Seed(ctx(), storBystander, storBystanderObj)).To(Succeed(), "seed S3 bucket irconform-user-archive")
		Expect(f.GCS.Seed(ctx(), storBystander, storBystanderObj)).To(Succeed(), "seed GCS bucket irconform-user-archive")
		DeferCleanup(func() { storFakes = nil })
	})
}

// storStart creates the Infrastructure (mutated by infra, if given), the minted cloud
// credentials for the platform, and starts the operator.
func storStart(p configv1.PlatformType, infra func(*configv1.Infrastructure)) {
	GinkgoHelper()
	region := "us-east-1"
	if p == configv1.GCPPlatformType {
		region = storGCPRegion
	}
	if infra == nil {
		Expect(env.CreateInfrastructure(ctx(), harness.Platform{Type: p, Region: region})).To(Succeed(), "create Infrastructure cluster")
	} else {
		// Some platform fields may only be set at installation (the CRD refuses later edits):
		// write the whole status at once, as the installer does.
		in := &configv1.Infrastructure{}
		in.Name = "cluster"
		Expect(env.Client.Create(ctx(), in)).To(Succeed(), "create Infrastructure")
		ps := &configv1.PlatformStatus{Type: p}
		switch p {
		case configv1.AWSPlatformType:
			ps.AWS = &configv1.AWSPlatformStatus{Region: region}
		case configv1.GCPPlatformType:
			ps.GCP = &configv1.GCPPlatformStatus{Region: region, ProjectID: "irconform-project"}
		}
		in.Status = configv1.InfrastructureStatus{
			InfrastructureName: storInfraName, Platform: p, PlatformStatus: ps, //nolint:staticcheck // older readers
			ControlPlaneTopology: configv1.HighlyAvailableTopologyMode, InfrastructureTopology: configv1.HighlyAvailableTopologyMode,
			CPUPartitioning: configv1.CPUPartitioningNone,
			APIServerURL:    "https://api.irconform.example:6443", APIServerInternalURL: "https://api-int.irconform.example:6443",
		}
		infra(in)
		Expect(env.Client.Status().Update(ctx(), in)).To(Succeed(), "update Infrastructure status")
	}
	Expect(storFakes.CreateCloudCredentials(ctx(), p)).To(Succeed(), "create the cloud credentials Secret")
	Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator")
}

// storManaged is a Managed Config (1 replica) with the given storage.
func storManaged(st imageregistryv1.ImageRegistryConfigStorage) imageregistryv1.ImageRegistrySpec {
	return imageregistryv1.ImageRegistrySpec{
		OperatorSpec: operatorv1.OperatorSpec{ManagementState: operatorv1.Managed},
		Replicas:     1,
		Storage:      st,
	}
}

func storS3(s *imageregistryv1.ImageRegistryConfigStorageS3) imageregistryv1.ImageRegistryConfigStorage {
	if s == nil {
		s = &imageregistryv1.ImageRegistryConfigStorageS3{}
	}
	return imageregistryv1.ImageRegistryConfigStorage{S3: s}
}

func storGCS(s *imageregistryv1.ImageRegistryConfigStorageGCS) imageregistryv1.ImageRegistryConfigStorage {
	if s == nil {
		s = &imageregistryv1.ImageRegistryConfigStorageGCS{}
	}
	return imageregistryv1.ImageRegistryConfigStorage{GCS: s}
}

// storInspector is the fake of a backend ("s3" or "gcs").
func storInspector(backend string) fault.Inspector {
	if backend == "gcs" {
		return storFakes.GCS
	}
	return storFakes.S3
}

// storBuckets lists the buckets of a backend's fake, the bystander left out.
func storBuckets(g Gomega, backend string) []fault.BucketInfo {
	all, err := storInspector(backend).Buckets(ctx())
	g.Expect(err).NotTo(HaveOccurred(), "list the fake's buckets")
	var out []fault.BucketInfo
	for _, b := range all {
		if b.Name != storBystander {
			out = append(out, b)
		}
	}
	return out
}

// storBucket is the one named bucket of the fake (fails when absent).
func storBucket(g Gomega, backend, name string) fault.BucketInfo {
	for _, b := range storBuckets(g, backend) {
		if b.Name == name {
			return b
		}
	}
	g.Expect(storBuckets(g, backend)).To(ContainElement(HaveField("Name", name)), "bucket %s in the %s fake", name, backend)
	return fault.BucketInfo{}
}

// storBystanderIntact checks the user's unrelated bucket: all objects there, never a delete
// or a write sent to it. It returns "no" for the fault matrix's "user data lost" column.
func storBystanderIntact(backend string) string {
	GinkgoHelper()
	in := storInspector(backend)
	all, err := in.Buckets(ctx())
	Expect(err).NotTo(HaveOccurred(), "list the fake's buckets")
	Expect(all).To(ContainElement(And(HaveField("Name", storBystander), HaveField("Objects", storBystanderObj))), "the user's bucket %s must keep its %d objects", storBystander, storBystanderObj)
	for _, op := range []string{fault.OpDeleteBucket, fault.OpDeleteObject, fault.OpPutObject, fault.OpPutSetting} {
		Expect(in.Faults().Count(op, storBystander)).To(BeZero(), "%s sent to the user's bucket %s", op, storBystander)
	}
	return "no"
}

// storCondLog records every distinct (status, reason, message) a Config condition type
// takes, from a watch opened before the operator starts: short-lived states (a reason the
// next sync replaces) are seen too.
type storCondLog struct {
	mu   sync.Mutex
	seen []operatorv1.OperatorCondition
}

func storRecord(condType string) *storCondLog {
	GinkgoHelper()
	wc, err := client.NewWithWatch(env.Target.RESTConfig(), client.Options{Scheme: env.Target.Scheme()})
	Expect(err).NotTo(HaveOccurred(), "watch client")
	w, err := wc.Watch(ctx(), &imageregistryv1.ConfigList{})
	Expect(err).NotTo(HaveOccurred(), "watch Configs")
	l := &storCondLog{}
	go func() {
		for ev := range w.ResultChan() {
			cfg, ok := ev.Object.(*imageregistryv1.Config)
			if !ok {
				continue
			}
			for _, c := range cfg.Status.Conditions {
				if c.Type != condType {
					continue
				}
				l.mu.Lock()
				if n := len(l.seen); n == 0 || l.seen[n-1].Status != c.Status || l.seen[n-1].Reason != c.Reason || l.seen[n-1].Message != c.Message {
					l.seen = append(l.seen, operatorv1.OperatorCondition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message})
				}
				l.mu.Unlock()
			}
		}
	}()
	DeferCleanup(w.Stop)
	return l
}

// expectSeen waits until the condition was seen with that status, reason and message.
func (l *storCondLog) expectSeen(s operatorv1.ConditionStatus, reason, message string) {
	GinkgoHelper()
	Eventually(func() []operatorv1.OperatorCondition {
		l.mu.Lock()
		defer l.mu.Unlock()
		return append([]operatorv1.OperatorCondition(nil), l.seen...)
	}).WithTimeout(defaultTimeout).WithPolling(50*time.Millisecond).Should(ContainElement(And(
		HaveField("Status", s), HaveField("Reason", reason), HaveField("Message", message))), "Config cluster condition seen")
}

// storExpectStorageExistsTrue accepts the two True forms of StorageExists: the reason of the
// sync that created/adopted the storage, or the steady-state existence check after it.
func storExpectStorageExistsTrue(g Gomega, cfg *imageregistryv1.Config, reasons ...string) {
	c := condition(g, cfg.Status.Conditions, "StorageExists")
	g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "StorageExists (reason %q, message %q)", c.Reason, c.Message)
	g.Expect(reasons).To(ContainElement(c.Reason), "StorageExists reason")
}

// storEnv reads the registry container's env as name → value (secret refs as "secret:<name>/<key>").
func storEnv(g Gomega, d *appsv1.Deployment) map[string]string {
	out := map[string]string{}
	for _, c := range d.Spec.Template.Spec.Containers {
		if c.Name != "registry" {
			continue
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				out[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
				continue
			}
			out[e.Name] = e.Value
		}
	}
	g.Expect(out).NotTo(BeEmpty(), "container registry env")
	return out
}

func storPrivateSecret(g Gomega, r client.Reader) *corev1.Secret {
	var s corev1.Secret
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: privateSecret}, &s)).To(Succeed(), "Secret %s", privateSecret)
	return &s
}

func storCreateSecret(name string, data map[string]string) {
	GinkgoHelper()
	s := &corev1.Secret{}
	s.Namespace, s.Name = ns, name
	s.StringData = data
	Expect(env.Client.Create(ctx(), s)).To(Succeed(), "create Secret")
}

// storOps summarises the call log by op, for failure messages and the fault matrix.
func storOps(backend string) string { return storOpsOf(storInspector(backend).Faults()) }

// storOpsOf summarises one injector's call log by op.
func storOpsOf(in *fault.Injector) string {
	counts := map[string]int{}
	for _, c := range in.Calls() {
		counts[c.Op]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return strings.Join(parts, " ")
}

// storS3Objects reads every object of an S3 bucket back through the fake's own client.
func storS3Objects(bucket string) map[string]string {
	GinkgoHelper()
	cl := storFakes.S3.NewClient()
	out := map[string]string{}
	list, err := cl.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	Expect(err).NotTo(HaveOccurred(), "S3 fake: list objects")
	for _, o := range list.Contents {
		obj, err := cl.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		Expect(err).NotTo(HaveOccurred(), "S3 fake: get object")
		b, err := io.ReadAll(obj.Body)
		obj.Body.Close()
		Expect(err).NotTo(HaveOccurred(), "S3 fake: read object")
		out[aws.ToString(o.Key)] = string(b)
	}
	return out
}

// storWait is eventually with a longer timeout (cloud retries and controller backoff).
func storWait(timeout time.Duration, fn func(g Gomega, r client.Reader)) {
	GinkgoHelper()
	Expect(env.Watch.Eventually(ctx(), timeout, fn)).To(Succeed(), "the awaited state")
}

// storTouch makes the operator look again without changing anything it reads (an
// annotation): how a spec stands in for the periodic resync.
func storTouch(note string) {
	GinkgoHelper()
	updateConfig(func(cfg *imageregistryv1.Config) {
		if cfg.Annotations == nil {
			cfg.Annotations = map[string]string{}
		}
		cfg.Annotations["irconform.io/touch"] = note
	})
}

// storConflictOnNameWrite makes the operator's first spec write of the Config (the one that
// records the storage name it generated, after it made the storage) meet a 409 Conflict: a
// user's spec edit (spec.logLevel) lands just before it, so the sync's outcome belongs to a
// spec that is gone and the next attempt starts over without the name. It returns a wait for
// that edit.
func storConflictOnNameWrite() (waitLanded func()) {
	GinkgoHelper()
	wait := editBeforeOperatorSpecWrite(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = operatorv1.Debug })
	return func() {
		GinkgoHelper()
		wait(storLongTimeout)
	}
}

var _ = Describe("Storage management (shared rules)", Label("storage"), func() {
	storUseFakes()

	DescribeTable("provisions storage when none is named and records it in spec and status",
		func(p configv1.PlatformType, backend string, st imageregistryv1.ImageRegistryConfigStorage) {
			createConfig(storManaged(st))
			storStart(p, nil)
			var bucket string
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "spec.storage.managementState")
				g.Expect(cfg.Status.Storage.ManagementState).To(Equal("Managed"), "status.storage.managementState")
				g.Expect(cfg.Status.StorageManaged).To(BeTrue(), "Config cluster status.storageManaged")
				if backend == "s3" {
					g.Expect(cfg.Spec.Storage.S3.Bucket).To(Equal(storS3Bucket), "Config cluster spec.storage.s3.bucket")
					g.Expect(cfg.Status.Storage.S3).NotTo(BeNil(), "Config cluster status.storage.s3")
					g.Expect(cfg.Status.Storage.S3.Bucket).To(Equal(storS3Bucket), "Config cluster status.storage.s3.bucket")
					bucket = storS3Bucket
				} else {
					g.Expect(cfg.Spec.Storage.GCS.Bucket).To(HavePrefix("irconform-x7k2p-image-registry-us-central1-"), "Config cluster spec.storage.gcs.bucket")
					g.Expect(cfg.Status.Storage.GCS).NotTo(BeNil(), "Config cluster status.storage.gcs")
					g.Expect(cfg.Status.Storage.GCS.Bucket).To(Equal(cfg.Spec.Storage.GCS.Bucket), "Config cluster status.storage.gcs.bucket")
					bucket = cfg.Spec.Storage.GCS.Bucket
				}
				storExpectStorageExistsTrue(g, cfg, "Creation Successful", map[string]string{"s3": "S3 Bucket Exists", "gcs": "GCS Bucket Exists"}[backend])
				g.Expect(storBuckets(g, backend)).To(ConsistOf(HaveField("Name", bucket)), "exactly the recorded bucket exists")
			})
			storBystanderIntact(backend)
		},
		Entry("S3", Label("STOR-001", "platform:aws"), configv1.AWSPlatformType, "s3", storS3(nil)),
		Entry("GCS", Label("STOR-001", "STOR-013", "divergence", "platform:gcp"), configv1.GCPPlatformType, "gcs", storGCS(nil)),
	)

	It("applies its default settings to the bucket before the registry uses it", Label("STOR-002", "platform:aws"), func() {
		createConfig(storManaged(storS3(nil)))
		storStart(configv1.AWSPlatformType, nil)
		// The moment the registry Deployment first exists, the bucket already has its defaults.
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			getDeployment(g, r)
		})
		b := storBucket(Default, "s3", storS3Bucket)
		Expect(b.Settings).To(HaveKeyWithValue("encryption", "AES256"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings encryption")
		Expect(b.Settings).To(HaveKeyWithValue("publicAccessBlock", "true,true,true,true"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings publicAccessBlock")
		Expect(b.Settings).To(HaveKeyWithValue("lifecycle:cleanup-incomplete-multipart-registry-uploads", "abort-incomplete-multipart-days=1"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings lifecycle:cleanup-incomplete-multipart-registry-uploads")
		Expect(b.Settings).To(HaveKeyWithValue("tag:kubernetes.io/cluster/"+storInfraName, "owned"), "s3 bucket irconform-x7k2p-image-registry-us-east-1 settings tag:kubernetes.io/cluster/irconform-x7k2p")
		// And in call order: every PutSetting came before anything else was done with the bucket.
		var created, lastSetting int
		for i, c := range storFakes.S3.Faults().Calls() {
			switch {
			case c.Op == fault.OpCreateBucket && c.Bucket == storS3Bucket && c.Injected == 0:
				created = i
			case c.Op == fault.OpPutSetting && c.Bucket == storS3Bucket:
				lastSetting = i
			case c.Op == fault.OpPutObject && c.Bucket == storS3Bucket:
				Fail("objects written to the bucket by the operator")
			}
		}
		Expect(lastSetting).To(BeNumerically(">", created), "position of the last bucket setting after the bucket's creation in the S3 call log")
	})

	DescribeTable("takes no action on Unmanaged storage: no create, no settings, no delete",
		func(p configv1.PlatformType, backend string, st imageregistryv1.ImageRegistryConfigStorage, bucket string) {
			Expect(storInspector(backend).Seed(ctx(), bucket, 4)).To(Succeed(), "seed the bucket in the backend's fake")
			spec := storManaged(st)
			spec.Storage.ManagementState = "Unmanaged"
			createConfig(spec)
			storStart(p, nil)
			readyRegistry()
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Replicas = 2 })
			waitObserved()
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				expectCondition(g, cfg.Status.Conditions, "Removed", operatorv1.ConditionTrue, "Removed", "The registry is removed")
				absent(g, r, &appsv1.Deployment{ObjectMeta: storDeploymentMeta()})
			})
			in := storInspector(backend).Faults()
			for _, op := range []string{fault.OpCreateBucket, fault.OpPutSetting, fault.OpDeleteBucket, fault.OpDeleteObject, fault.OpPutObject} {
				Expect(in.Count(op, "")).To(BeZero(), "%s calls (all calls: %s)", op, storOps(backend))
			}
			Expect(storBucket(Default, backend, bucket).Objects).To(Equal(4), "the backend's bucket objects")
			Expect(storBucket(Default, backend, bucket).Settings).NotTo(HaveKey("encryption"), "the backend's bucket settings encryption")
		},
		Entry("S3", Label("STOR-003", "platform:aws"), configv1.AWSPlatformType, "s3",
			storS3(&imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "team-registry", Region: "us-east-1"}), "team-registry"),
		Entry("GCS", Label("STOR-003", "platform:gcp"), configv1.GCPPlatformType, "gcs",
			storGCS(&imageregistryv1.ImageRegistryConfigStorageGCS{Bucket: "team-registry"}), "team-registry"),
	)

	DescribeTable("Removed with Managed storage deletes the objects, then the bucket",
		func(p configv1.PlatformType, backend, reason, message string, st imageregistryv1.ImageRegistryConfigStorage) {
			createConfig(storManaged(st))
			storStart(p, nil)
			var bucket string
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				storExpectStorageExistsTrue(g, cfg, "Creation Successful", map[string]string{"s3": "S3 Bucket Exists", "gcs": "GCS Bucket Exists"}[backend])
				getDeployment(g, r)
				if backend == "s3" {
					bucket = cfg.Spec.Storage.S3.Bucket
				} else {
					bucket = cfg.Spec.Storage.GCS.Bucket
				}
			})
			Expect(storInspector(backend).Seed(ctx(), bucket, 3)).To(Succeed(), "seed the bucket in the backend's fake") // images the registry pushed
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				expectCondition(g, cfg.Status.Conditions, "StorageExists", operatorv1.ConditionFalse, reason, message)
				g.Expect(storBuckets(g, backend)).To(BeEmpty(), "the managed bucket is gone")
				if backend == "s3" {
					g.Expect(cfg.Spec.Storage.S3.Bucket).To(BeEmpty(), "Config cluster spec.storage.s3.bucket cleared")
				} else {
					g.Expect(cfg.Spec.Storage.GCS.Bucket).To(BeEmpty(), "Config cluster spec.storage.gcs.bucket cleared")
				}
			})
			// Order: every object delete before the bucket delete.
			lastObj, bucketDel := -1, -1
			for i, c := range storInspector(backend).Faults().Calls() {
				if c.Bucket != bucket || c.Injected != 0 {
					continue
				}
				switch c.Op {
				case fault.OpDeleteObject:
					lastObj = i
				case fault.OpDeleteBucket:
					if bucketDel < 0 {
						bucketDel = i
					}
				}
			}
			Expect(lastObj).To(BeNumerically(">=", 0), "objects deleted (calls: %s)", storOps(backend))
			Expect(bucketDel).To(BeNumerically(">", lastObj), "bucket deleted after its objects")
			storBystanderIntact(backend)
		},
		Entry("S3", Label("STOR-004", "platform:aws"), configv1.AWSPlatformType, "s3", "S3 Bucket Deleted", "The S3 bucket has been removed.", storS3(nil)),
		Entry("GCS", Label("STOR-004", "STOR-013", "divergence", "platform:gcp"), configv1.GCPPlatformType, "gcs", "GCS Bucket Deleted", "The GCS bucket has been removed.", storGCS(nil)),
	)

	It("keeps Unmanaged storage byte for byte when the registry is Removed", Label("STOR-005", "platform:aws"), func() {
		const bucket = "team-registry"
		Expect(storFakes.S3.Seed(ctx(), bucket, 5)).To(Succeed(), "seed S3 bucket team-registry")
		before := storS3Objects(bucket)
		Expect(before).To(HaveLen(5), "S3 bucket team-registry objects")
		createConfig(storManaged(storS3(&imageregistryv1.ImageRegistryConfigStorageS3{Bucket: bucket, Region: "us-east-1"})))
		storStart(configv1.AWSPlatformType, nil)
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(getConfig(g, r).Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			getDeployment(g, r)
		})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = operatorv1.Removed })
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "Removed", operatorv1.ConditionTrue, "Removed", "The registry is removed")
			absent(g, r, &appsv1.Deployment{ObjectMeta: storDeploymentMeta()})
		})
		waitObserved()
		in := storFakes.S3.Faults()
		for _, op := range []string{fault.OpDeleteBucket, fault.OpDeleteObject, fault.OpPutObject, fault.OpPutSetting, fault.OpCreateBucket} {
			Expect(in.Count(op, bucket)).To(BeZero(), "%s sent to the Unmanaged bucket (calls: %s)", op, storOps("s3"))
		}
		after := storS3Objects(bucket)
		Expect(after).To(Equal(before), "objects byte for byte")
	})

	It("sets an unset storage managementState to Unmanaged for a user's bucket and never overwrites it once set", Label("STOR-006", "platform:aws"), func() {
		const bucket = "team-registry"
		Expect(storFakes.S3.Seed(ctx(), bucket, 1)).To(Succeed(), "seed S3 bucket team-registry")
		createConfig(storManaged(storS3(&imageregistryv1.ImageRegistryConfigStorageS3{Bucket: bucket, Region: "us-east-1"})))
		storStart(configv1.AWSPlatformType, nil)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Unmanaged"), "Config cluster spec.storage.managementState")
			g.Expect(cfg.Status.StorageManaged).To(BeFalse(), "Config cluster status.storageManaged")
		})
		for _, state := range []string{"Managed", "Unmanaged"} {
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Storage.ManagementState = state })
			waitObserved()
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Spec.Storage.ManagementState).To(Equal(state), "the user's choice stands")
				g.Expect(cfg.Status.Storage.ManagementState).To(Equal(state), "Config cluster status.storage.managementState")
				g.Expect(cfg.Status.StorageManaged).To(Equal(state == "Managed"), "Config cluster status.storageManaged")
			})
		}
		Expect(storFakes.S3.Faults().Count(fault.OpCreateBucket, "")).To(BeZero(), "S3 fake: calls to CreateBucket on any bucket")
	})

	It("refuses two storage backends at once and reports a missing one", Label("STOR-007", "platform:aws"), func() {
		st := storS3(nil)
		st.GCS = &imageregistryv1.ImageRegistryConfigStorageGCS{}
		createConfig(storManaged(st))
		storStart(configv1.AWSPlatformType, nil)
		eventually(func(g Gomega, r client.Reader) {
			conds := getConfig(g, r).Status.Conditions
			expectCondition(g, conds, "Progressing", operatorv1.ConditionTrue, "Error",
				"Unable to apply resources: exactly one storage type should be configured at the same time, got 2: [s3 gcs]")
			// An error the operator retries, not a permanent one.
			g.Expect(condition(g, conds, "Degraded").Status).NotTo(Equal(operatorv1.ConditionTrue), "Config cluster condition Degraded status")
		})
		Expect(storFakes.S3.Faults().Calls()).To(BeEmpty(), "no storage call with an invalid storage spec")
		Expect(storFakes.GCS.Faults().Calls()).To(BeEmpty(), "no storage call with an invalid storage spec")
	})

	It("reports a missing storage backend where the platform has no default", Label("STOR-007", "platform:baremetal"), func() {
		createConfig(storManaged(imageregistryv1.ImageRegistryConfigStorage{}))
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			expectCondition(g, cfg.Status.Conditions, "Degraded", operatorv1.ConditionTrue, "StorageNotConfigured", "Error: storage backend not configured")
		})
	})

	It("marks StorageExists Unknown while a changed storage spec is not reconciled, and a backend switch leaves only the new one in status", Label("STOR-008", "platform:aws"), func() {
		Expect(storFakes.S3.Seed(ctx(), "bucket-a", 1)).To(Succeed(), "seed S3 bucket bucket-a")
		Expect(storFakes.S3.Seed(ctx(), "bucket-b", 1)).To(Succeed(), "seed S3 bucket bucket-b")
		createConfig(storManaged(storS3(&imageregistryv1.ImageRegistryConfigStorageS3{Bucket: "bucket-a", Region: "us-east-1"})))
		storStart(configv1.AWSPlatformType, nil)
		eventually(func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			storExpectStorageExistsTrue(g, cfg, "S3 Bucket Exists")
			g.Expect(cfg.Status.Storage.S3.Bucket).To(Equal("bucket-a"), "Config cluster status.storage.s3.bucket")
		})
		// The new bucket cannot be checked yet: the change is not reconciled.
		storFakes.S3.Faults().Inject(fault.Rule{Op: fault.OpHeadBucket, Bucket: "bucket-b", Status: 500})
		updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.Storage.S3.Bucket = "bucket-b" })
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			// "Configuration Changed", or the failing check's own error (the upstream's).
			c := condition(g, getConfig(g, r).Status.Conditions, "StorageExists")
			g.Expect(c.Status).To(Equal(operatorv1.ConditionUnknown), "Config cluster condition StorageExists status (reason %q)", c.Reason)
			g.Expect(c.Reason).To(BeElementOf("S3 Configuration Changed", "Unknown Error Occurred"), "Config cluster condition StorageExists reason")
		})
		storFakes.S3.Faults().Clear()
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			cfg := getConfig(g, r)
			storExpectStorageExistsTrue(g, cfg, "S3 Bucket Exists")
			g.Expect(cfg.Status.Storage.S3.Bucket).To(Equal("bucket-b"), "Config cluster status.storage.s3.bucket")
		})
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.Storage = imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
		})
		eventually(func(g Gomega, r client.Reader) {
			st := getConfig(g, r).Status.Storage
			g.Expect(st.EmptyDir).NotTo(BeNil(), "Config cluster status.storage.emptyDir")
			g.Expect(st.S3).To(BeNil(), "Config cluster status.storage.s3 after the switch")
			g.Expect(st.GCS).To(BeNil(), "Config cluster status.storage.gcs")
		})
	})

	DescribeTable("fills the platform's default storage into an empty spec.storage while Managed",
		func(p configv1.PlatformType, backend string) {
			createConfig(storManaged(imageregistryv1.ImageRegistryConfigStorage{}))
			storStart(p, nil)
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				if backend == "s3" {
					g.Expect(cfg.Spec.Storage.S3).NotTo(BeNil(), "Config cluster spec.storage.s3")
					g.Expect(cfg.Spec.Storage.S3.Bucket).To(Equal(storS3Bucket), "Config cluster spec.storage.s3.bucket")
				} else {
					g.Expect(cfg.Spec.Storage.GCS).NotTo(BeNil(), "Config cluster spec.storage.gcs")
					g.Expect(cfg.Spec.Storage.GCS.Bucket).NotTo(BeEmpty(), "Config cluster spec.storage.gcs.bucket")
				}
				g.Expect(storBuckets(g, backend)).To(HaveLen(1), "the backend's buckets")
			})
		},
		Entry("AWS → s3", Label("STOR-009", "platform:aws"), configv1.AWSPlatformType, "s3"),
		Entry("GCP → gcs", Label("STOR-009", "STOR-013", "divergence", "platform:gcp"), configv1.GCPPlatformType, "gcs"),
	)

	DescribeTable("recreates Managed storage deleted behind its back",
		func(p configv1.PlatformType, backend string, st imageregistryv1.ImageRegistryConfigStorage) {
			createConfig(storManaged(st))
			storStart(p, nil)
			var bucket string
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				getDeployment(g, r)
				if backend == "s3" {
					bucket = cfg.Spec.Storage.S3.Bucket
				} else {
					bucket = cfg.Spec.Storage.GCS.Bucket
				}
				g.Expect(bucket).NotTo(BeEmpty(), "Config cluster spec.storage.gcs.bucket")
			})
			// Someone deletes the bucket in the cloud console.
			if backend == "s3" {
				_, err := storFakes.S3.NewClient().DeleteBucket(ctx(), &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
				Expect(err).NotTo(HaveOccurred(), "delete the S3 bucket behind the operator's back")
			} else {
				cl, err := storFakes.GCS.NewClient(ctx())
				Expect(err).NotTo(HaveOccurred(), "GCS new client")
				Expect(cl.Bucket(bucket).Delete(ctx())).To(Succeed(), "delete the GCS bucket behind the operator's back")
				cl.Close()
			}
			Eventually(func(g Gomega) { g.Expect(storBuckets(g, backend)).To(BeEmpty(), "the backend's buckets") }).Should(Succeed(), "bucket deleted")
			creates := storInspector(backend).Faults().Count(fault.OpCreateBucket, bucket)
			storTouch("bucket deleted behind the operator's back") // stands in for the periodic resync
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				g.Expect(storBuckets(g, backend)).To(ConsistOf(HaveField("Name", bucket)), "recreated under the same name")
				g.Expect(storInspector(backend).Faults().Count(fault.OpCreateBucket, bucket)).To(BeNumerically(">", creates), "calls to CreateBucket on the deleted bucket")
				storExpectStorageExistsTrue(g, getConfig(g, r), "Creation Successful", map[string]string{"s3": "S3 Bucket Exists", "gcs": "GCS Bucket Exists"}[backend])
				g.Expect(getConfig(g, r).Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
			})
			if backend == "s3" {
				storWait(storLongTimeout, func(g Gomega, _ client.Reader) {
					g.Expect(storBucket(g, "s3", bucket).Settings).To(HaveKeyWithValue("encryption", "AES256"), "defaults applied again")
				})
			}
		},
		Entry("S3", Label("STOR-010", "platform:aws"), configv1.AWSPlatformType, "s3", storS3(nil)),
		Entry("GCS", Label("STOR-010", "STOR-013", "divergence", "platform:gcp"), configv1.GCPPlatformType, "gcs", storGCS(nil)),
	)

	DescribeTable("fills an unset storage managementState from status.storageManaged (an older release's Config)",
		func(storageManaged bool, want string) {
			const bucket = "legacy-registry"
			Expect(storFakes.S3.Seed(ctx(), bucket, 2)).To(Succeed(), "seed S3 bucket legacy-registry")
			s3spec := &imageregistryv1.ImageRegistryConfigStorageS3{Bucket: bucket, Region: "us-east-1"}
			createConfig(storManaged(storS3(s3spec.DeepCopy())))
			// What the older release left in status: the storage set up, and whether it managed it.
			var cfg imageregistryv1.Config
			Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
			cfg.Status.StorageManaged = storageManaged
			cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{S3: s3spec.DeepCopy()}
			Expect(env.Client.Status().Update(ctx(), &cfg)).To(Succeed(), "update Config status cluster")
			storStart(configv1.AWSPlatformType, nil)
			eventually(func(g Gomega, r client.Reader) {
				cfg := getConfig(g, r)
				g.Expect(cfg.Spec.Storage.ManagementState).To(Equal(want), "Config cluster spec.storage.managementState")
				g.Expect(cfg.Status.Storage.ManagementState).To(Equal(want), "Config cluster status.storage.managementState mirrors spec")
				g.Expect(cfg.Status.StorageManaged).To(Equal(storageManaged), "Config cluster status.storageManaged")
			})
			Expect(storFakes.S3.Faults().Count(fault.OpCreateBucket, "")).To(BeZero(), "S3 fake: calls to CreateBucket on any bucket")
		},
		Entry("storageManaged true → Managed", Label("STOR-011", "platform:aws"), true, "Managed"),
		Entry("storageManaged false → Unmanaged", Label("STOR-011", "platform:aws"), false, "Unmanaged"),
	)
})

func storDeploymentMeta() metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: registryName}
}
