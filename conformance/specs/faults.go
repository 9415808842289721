package specs

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/fault"
)

const (
	faultMatrix = "faults"
	faultTitle  = "Storage fault matrix"
	// faultBackoffSeen: once two successive faulted calls are this far apart, the operator
	// is backing off (a hot loop retries within milliseconds).
	faultBackoffSeen = 500 * time.Millisecond
	// faultWindow is how long a fault is then held while the spec counts calls.
	faultWindow = 2 * time.Second
	// faultMaxCalls bounds the faulted calls in faultWindow: a few syncs (backoff past half a
	// second and doubling) of at most 3 SDK attempts each. A controller without backoff makes
	// hundreds.
	faultMaxCalls = 12
)

// faultLongestGap is the longest time between two successive calls of op.
func faultLongestGap(calls []fault.Call, op string) time.Duration {
	var last time.Time
	var longest time.Duration
	for _, c := range calls {
		if c.Op != op {
			continue
		}
		if !last.IsZero() && c.At.Sub(last) > longest {
			longest = c.At.Sub(last)
		}
		last = c.At
	}
	return longest
}

var faultColumns = []string{"backend", "fault", "operator reported", "converged", "user data lost"}

// faultCase is one row of the matrix.
type faultCase struct {
	backend string
	fault   string
	rule    fault.Rule
	// reported waits for what the operator must show while the fault holds; "" for faults that
	// only slow the backend down.
	reported func(g Gomega, cfg *imageregistryv1.Config)
	// createCalls is how many CreateBucket calls a converged run may have made at most (0: any).
	createCalls int
}

func faultSummary(cfg *imageregistryv1.Config, types ...string) string {
	s := ""
	for _, t := range types {
		for _, c := range cfg.Status.Conditions {
			if c.Type == t {
				if s != "" {
					s += "; "
				}
				s += fmt.Sprintf("%s=%s %q", t, c.Status, c.Reason)
			}
		}
	}
	return s
}

// faultStorageError expects StorageExists with status/reason and Progressing True "Error"
// naming the backend's code.
func faultStorageError(s operatorv1.ConditionStatus, reason, message, inProgressing string) func(g Gomega, cfg *imageregistryv1.Config) {
	return func(g Gomega, cfg *imageregistryv1.Config) {
		expectCondition(g, cfg.Status.Conditions, "StorageExists", s, reason, message)
		p := condition(g, cfg.Status.Conditions, "Progressing")
		g.Expect(p.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition Progressing status")
		g.Expect(p.Reason).To(Equal("Error"), "Config cluster condition Progressing reason")
		g.Expect(p.Message).To(ContainSubstring(inProgressing), "Config cluster condition Progressing message")
	}
}

// faultSettingsError expects the bucket to exist, the first default setting (the public
// access block) to report the code, and no default setting to claim success.
func faultSettingsError(reason, message string) func(g Gomega, cfg *imageregistryv1.Config) {
	return func(g Gomega, cfg *imageregistryv1.Config) {
		storExpectStorageExistsTrue(g, cfg, "Creation Successful", "S3 Bucket Exists")
		expectCondition(g, cfg.Status.Conditions, "StoragePublicAccessBlocked", operatorv1.ConditionFalse, reason, message)
		for _, c := range cfg.Status.Conditions {
			for _, t := range s3StorageConditions {
				if c.Type == t {
					g.Expect(c.Status).NotTo(Equal(operatorv1.ConditionTrue), "%s while every PutSetting fails", t)
				}
			}
		}
		p := condition(g, cfg.Status.Conditions, "Progressing")
		g.Expect(p.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition Progressing status")
		g.Expect(p.Message).To(ContainSubstring(reason), "Config cluster condition Progressing message")
	}
}

// faultConverged waits for the healthy end state: exactly one registry bucket with its
// defaults (S3) or labels (GCS), StorageExists True, the registry Deployment applied.
func faultConverged(backend string) string {
	GinkgoHelper()
	var bucket string
	storWait(storLongTimeout, func(g Gomega, r client.Reader) {
		cfg := getConfig(g, r)
		getDeployment(g, r)
		bs := storBuckets(g, backend)
		g.Expect(bs).To(HaveLen(1), "exactly one registry bucket (calls: %s)", storOps(backend))
		bucket = bs[0].Name
		if backend == "s3" {
			storExpectStorageExistsTrue(g, cfg, "Creation Successful", "S3 Bucket Exists")
			for _, t := range s3StorageConditions {
				c := condition(g, cfg.Status.Conditions, t)
				g.Expect(c.Status).To(Equal(operatorv1.ConditionTrue), "%s %s %s", t, c.Reason, c.Message)
			}
			g.Expect(cfg.Spec.Storage.S3.Bucket).To(Equal(bucket), "Config cluster spec.storage.s3.bucket")
			st := bs[0].Settings
			g.Expect(st).To(HaveKeyWithValue("encryption", "AES256"), "the backend's buckets[0].settings encryption")
			g.Expect(st).To(HaveKeyWithValue("publicAccessBlock", "true,true,true,true"), "the backend's buckets[0].settings publicAccessBlock")
			g.Expect(st).To(HaveKeyWithValue("tag:kubernetes.io/cluster/irconform-x7k2p", "owned"), "the backend's buckets[0].settings tag:kubernetes.io/cluster/irconform-x7k2p")
			g.Expect(st).To(HaveKeyWithValue("lifecycle:cleanup-incomplete-multipart-registry-uploads", "abort-incomplete-multipart-days=1"), "the backend's buckets[0].settings lifecycle:cleanup-incomplete-multipart-registry-uploads")
		} else {
			storExpectStorageExistsTrue(g, cfg, "Creation Successful", "GCS Bucket Exists")
			g.Expect(cfg.Spec.Storage.GCS.Bucket).To(Equal(bucket), "Config cluster spec.storage.gcs.bucket")
			g.Expect(bs[0].Settings).To(HaveKeyWithValue("label:kubernetes-io-cluster-irconform-x7k2p", "owned"), "the backend's buckets[0].settings label:kubernetes-io-cluster-irconform-x7k2p")
		}
		g.Expect(cfg.Spec.Storage.ManagementState).To(Equal("Managed"), "Config cluster spec.storage.managementState")
	})
	Expect(storInspector(backend).Faults().Count(fault.OpDeleteBucket, "")).To(BeZero(), "no DeleteBucket was ever sent")
	return bucket
}

var _ = Describe("Storage faults", Label("faults", "storage", "envtest-only"), func() {
	storUseFakes()

	DescribeTable("reports a backend fault, then converges once it clears, without hot-looping or losing user data",
		func(fc faultCase) {
			start := time.Now()
			platform, st := configv1.AWSPlatformType, storS3(nil)
			if fc.backend == "gcs" {
				platform, st = configv1.GCPPlatformType, storGCS(nil)
			}
			in := storInspector(fc.backend).Faults()
			in.Inject(fc.rule)
			createConfig(storManaged(st))
			storStart(platform, nil)

			reported := "nothing (slower only)"
			if fc.reported != nil {
				storWait(storLongTimeout, func(g Gomega, r client.Reader) {
					cfg := getConfig(g, r)
					fc.reported(g, cfg)
					reported = faultSummary(cfg, "StorageExists", "StorageEncrypted", "Progressing")
				})
				// While the fault holds the operator retries with a growing backoff. First wait
				// until that shows (two faulted calls faultBackoffSeen apart), then hold the fault
				// for a window and bound the calls in it: a hot loop keeps its rate.
				Eventually(func(g Gomega) {
					g.Expect(faultLongestGap(in.Calls(), fc.rule.Op)).To(BeNumerically(">=", faultBackoffSeen),
						"%s calls so far: %d", fc.rule.Op, in.Count(fc.rule.Op, ""))
				}).WithTimeout(storLongTimeout).WithPolling(20*time.Millisecond).Should(Succeed(), "the operator backs off while the fault holds")
				before := in.Count(fc.rule.Op, "")
				Consistently(func(g Gomega) {
					g.Expect(in.Count(fc.rule.Op, "")-before).To(BeNumerically("<=", faultMaxCalls),
						"%s calls in %s while the fault held, once backing off", fc.rule.Op, faultWindow)
				}).WithTimeout(faultWindow).WithPolling(50*time.Millisecond).Should(Succeed(), "calls to the faulted operation while it holds")
				n := in.Count(fc.rule.Op, "") - before
				reported += fmt.Sprintf("; %d %s calls in %s once backing off (total %d)", n, fc.rule.Op, faultWindow, in.Count(fc.rule.Op, ""))
				in.Clear()
			}
			faultConverged(fc.backend)
			if fc.createCalls > 0 {
				Expect(in.Count(fault.OpCreateBucket, "")).To(BeNumerically("<=", fc.createCalls), "calls: %s", storOps(fc.backend))
			}
			readyRegistry()
			storQuiet(fc.backend, 3*time.Second)
			lost := storBystanderIntact(fc.backend)
			addRow(faultMatrix, faultTitle, faultColumns, fc.backend, fc.fault, reported,
				fmt.Sprintf("yes, one bucket, %s after start (%s)", time.Since(start).Round(100*time.Millisecond), storOps(fc.backend)), lost)
		},
		Entry("S3 CreateBucket 503 SlowDown", Label("STOR-001", "S3-002", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket 503 SlowDown", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 503},
			reported: faultStorageError(operatorv1.ConditionFalse, "SlowDown", "SlowDown: Please reduce your request rate.", "SlowDown"),
		}),
		Entry("S3 CreateBucket 500 InternalError", Label("STOR-001", "S3-002", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket 500 InternalError", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 500},
			reported: faultStorageError(operatorv1.ConditionFalse, "InternalError", "InternalError: We encountered an internal error. Please try again.", "InternalError"),
		}),
		Entry("S3 CreateBucket 403 AccessDenied", Label("STOR-001", "S3-002", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket 403 AccessDenied", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 403},
			reported: faultStorageError(operatorv1.ConditionFalse, "AccessDenied", "AccessDenied: Access Denied", "AccessDenied"),
		}),
		Entry("S3 PutSetting 503 SlowDown", Label("STOR-002", "S3-003", "S3-004", "S3-005", "S3-006", "platform:aws"), faultCase{
			backend: "s3", fault: "PutSetting 503 SlowDown (all four defaults)", rule: fault.Rule{Op: fault.OpPutSetting, Status: 503},
			reported: faultSettingsError("SlowDown", "SlowDown: Please reduce your request rate."), createCalls: 1,
		}),
		Entry("S3 PutSetting 403 AccessDenied", Label("STOR-002", "S3-003", "platform:aws"), faultCase{
			backend: "s3", fault: "PutSetting 403 AccessDenied", rule: fault.Rule{Op: fault.OpPutSetting, Status: 403},
			reported: faultSettingsError("AccessDenied", "AccessDenied: Access Denied"), createCalls: 1,
		}),
		Entry("S3 CreateBucket +3s latency", Label("STOR-001", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket +3s latency", rule: fault.Rule{Op: fault.OpCreateBucket, Latency: 3 * time.Second}, createCalls: 1,
		}),
		Entry("S3 CreateBucket +12s latency once (client gives up, server creates anyway)", Label("STOR-001", "S3-002", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket +12s latency once: the request times out after the bucket was made",
			rule: fault.Rule{Op: fault.OpCreateBucket, Latency: 12 * time.Second, Times: 1},
		}),
		Entry("GCS CreateBucket 503", Label("STOR-001", "GCS-001", "platform:gcp"), faultCase{
			backend: "gcs", fault: "CreateBucket 503 backendError", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 503},
			reported: faultStorageError(operatorv1.ConditionFalse, "503", "503: Backend Error", "503"),
		}),
		Entry("GCS CreateBucket 429", Label("STOR-001", "GCS-001", "platform:gcp"), faultCase{
			backend: "gcs", fault: "CreateBucket 429 rateLimitExceeded", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 429},
			reported: faultStorageError(operatorv1.ConditionFalse, "429", "429: The rate of change requests to the bucket is too high.", "429"),
		}),
	)

	It("adopts its own bucket after a crash between CreateBucket and the status write", Label("S3-002", "STOR-001", "platform:aws"), func() {
		start := time.Now()
		in := storFakes.S3.Faults()
		// The first call after the bucket exists hangs: the operator is stopped right there.
		in.Inject(fault.Rule{Op: fault.OpPutSetting, Latency: time.Minute, Times: 1})
		createConfig(storManaged(storS3(nil)))
		storStart(configv1.AWSPlatformType, nil)
		Eventually(func(g Gomega) {
			g.Expect(storBuckets(g, "s3")).To(ConsistOf(HaveField("Name", storS3Bucket)), "s3 buckets")
			g.Expect(in.Count(fault.OpPutSetting, storS3Bucket)).To(BeNumerically(">=", 1), "S3 fake: calls to PutSetting on the bucket")
		}).WithTimeout(storLongTimeout).Should(Succeed(), "the operator is stopped inside its first bucket setting")
		Expect(env.StopOperator()).To(Succeed(), "stop the operator")
		in.Clear()
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
		Expect(cfg.Spec.Storage.S3.Bucket).To(BeEmpty(), "the crash came before the operator recorded the bucket")
		Expect(cfg.Status.Storage.S3).To(BeNil(), "the crash came before the operator recorded the bucket")

		Expect(env.StartOperator(ctx())).To(Succeed(), "start the operator") // a fresh operator, as after a restart
		bucket := faultConverged("s3")
		Expect(bucket).To(Equal(storS3Bucket), "Config cluster spec.storage bucket")
		// The fresh operator looked under the deterministic name and adopted: no second create.
		Expect(in.Count(fault.OpCreateBucket, storS3Bucket)).To(Equal(1), "calls: %s", storOps("s3"))
		lost := storBystanderIntact("s3")
		addRow(faultMatrix, faultTitle, faultColumns, "s3", "operator stopped after CreateBucket, before any status write",
			"nothing recorded (spec.storage.s3.bucket empty)",
			fmt.Sprintf("yes, the restarted operator adopted %s; no DeleteBucket; %s after start", bucket, time.Since(start).Round(100*time.Millisecond)), lost)
	})
})
