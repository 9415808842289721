package specs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/conformance/expect"
	"github.com/irconform/irconform/conformance/harness"
	"github.com/irconform/irconform/fakes/fault"
)

const (
	faultMatrix = "faults"
	faultTitle  = "Storage fault matrix"
	// faultTries: a fault is held until the operator has sent the failing request this many
	// times: a bounded number of requeues, not a wall-clock window. On the harness's fast
	// backoff (5 ms doubling, capped at 160 ms) seven tries take about a third of a second.
	faultTries = 7
	// faultMaxAttempts bounds the HTTP requests per try: the cloud SDK may re-send a failed
	// request a few times itself (the AWS and Google SDKs: 3 attempts by default) before the
	// operator sees the error. More per try is a loop inside the sync.
	faultMaxAttempts = 4
	// faultRestarts bounds how often the operator is restarted to get a series of tries that
	// nothing but the backoff spaced (see faultBackingOff).
	faultRestarts = 3
	// faultQuietRequeues: once converged, the operator is watched for as long as its
	// backoff takes to requeue this many times from the start (base·(2^n − 1)); a failing
	// sync retried that often, or a sync that wakes itself, shows as more calls than a few
	// incidental syncs make.
	faultQuietRequeues = 6
	// faultQuietSyncs bounds the syncs seen in that window (the most repeated read) that no
	// watched change explains: a resync or two.
	faultQuietSyncs = 3
	// faultSettle: before the operator is restarted to watch its backoff, the cluster must
	// have been still this long (the first operator's start-up writes done), or the restarted
	// operator's first retries are woken by them; see faultBackingOff.
	faultSettle = 50 * time.Millisecond
)

// faultWakers are the kinds whose changes wake the registry's sync at once, besides its
// backoff: the upstream operator's informers for it (Deployments, Services, Secrets,
// ConfigMaps, ServiceAccounts, PodDisruptionBudgets, NetworkPolicies, Routes, ClusterRoles,
// ClusterRoleBindings in its namespaces, the Proxy, the Config, the Infrastructure), and
// PersistentVolumeClaims, which some operators watch too. Changes to anything else (the
// ClusterOperator, the pruner, DaemonSets, Events) do not make a pause shorter.
var faultWakers = map[string]bool{
	"Deployment": true, "Service": true, "Secret": true, "ConfigMap": true, "ServiceAccount": true,
	"PodDisruptionBudget": true, "NetworkPolicy": true, "Route": true, "ClusterRole": true,
	"ClusterRoleBinding": true, "Proxy": true, "Config": true, "Infrastructure": true,
	"PersistentVolumeClaim": true,
}

// faultWoken is what of changes may have woken the registry's sync.
func faultWoken(changes []expect.Change) []expect.Change {
	var out []expect.Change
	for _, c := range changes {
		if faultWakers[c.Kind] {
			out = append(out, c)
		}
	}
	return out
}

// faultDelay is the backoff's delay after n failed syncs: base·2^(n−1), capped.
func faultDelay(n int) time.Duration {
	d := harness.FastRetryBase << (n - 1)
	if n > 20 || d > harness.FastRetryCap {
		return harness.FastRetryCap
	}
	return d
}

// faultBackingOff checks, while the fault holds, that the operator retries with a growing
// backoff, as counts and ratios against the backoff it was given rather than wall-clock
// windows. It restarts the operator (a fresh work queue: the first operator's start-up
// events woke it on top of its backoff), waits for faultTries tries of the failing request
// and looks at the pauses between them (the longest silence at the fake between one try
// and the next, so the SDK's own pauses and the rest of the sync are left out):
//   - at most faultMaxAttempts HTTP requests per try (the SDK does not loop);
//   - no hot loop: the pause after the n-th failed try is at least half the backoff's delay
//     for n failures (base·2^(n−1));
//   - the backoff grows: a later pause is at least twice an earlier one whose delay was a
//     quarter of it or less.
//
// A pause counts only when nothing the operator watches changed from the try before it to
// the try after it (a change wakes the operator at once, and the backoff's pending requeue
// then fires early), and not the first two after a start (the informers' initial events
// do the same). When changes leave too few such pauses, the operator is restarted again.
// It returns a summary for the fault matrix.
func faultBackingOff(backend string, in *fault.Injector, op string) string {
	GinkgoHelper()
	var woken []expect.Change
	for round := 1; round <= faultRestarts; round++ {
		env.Watch.Settle(ctx(), faultSettle, 2*time.Second)
		Expect(env.StopOperator()).To(Succeed(), "stop the reference operator")
		from := len(in.Calls())
		Expect(env.StartOperator(ctx())).To(Succeed(), "restart the reference operator")
		var r fault.Retries
		var calls []fault.Call
		Eventually(func(g Gomega) {
			calls = in.Calls()[from:]
			r = fault.RetriesOf(calls, op)
			g.Expect(len(r.Tries)).To(BeNumerically(">=", faultTries),
				"%s fake: tries of %s since the operator started: %d, want %d (the fault holds; calls: %s)", backend, op, len(r.Tries), faultTries, storOps(backend))
		}).WithTimeout(storLongTimeout).WithPolling(5*time.Millisecond).Should(Succeed(), "%s fake: tries of %s while the fault holds", backend, op)
		for i, t := range r.Tries {
			Expect(t.Attempts).To(BeNumerically("<=", faultMaxAttempts),
				"%s fake: try %d of %s (%s) took %d HTTP requests, want at most %d", backend, i+1, op, r.Request, t.Attempts, faultMaxAttempts)
		}
		r.Tries = r.Tries[:faultTries]
		pauses := r.Pauses(calls)
		// clean lists the pauses the backoff alone spaced; pause i follows try i+1.
		var clean []int
		for i := 2; i < len(pauses); i++ {
			changes := faultWoken(env.Watch.ChangesBetween(r.Tries[i-1].First.Add(-2*time.Millisecond), r.Tries[i+1].First))
			if len(changes) > 0 {
				woken = append(woken, changes...)
				continue
			}
			clean = append(clean, i)
			want := faultDelay(i+1) / 2
			Expect(pauses[i]).To(BeNumerically(">=", want),
				"%s fake: %s (%s) sent again %s after failed try %d, want at least %s (half the backoff's %s): a hot loop (pauses %s)",
				backend, op, r.Request, pauses[i].Round(time.Millisecond), i+1, want, faultDelay(i+1), faultPauses(pauses))
		}
		// Growth: the last clean pause against the shortest clean pause whose delay is at most a
		// quarter of its own. A stalled machine only lengthens pauses, so the shortest earlier
		// pause is the backoff's own; comparing with any one of them fails on a load spike.
		for k := len(clean) - 1; k >= 0; k-- {
			b := clean[k]
			a := -1
			for _, i := range clean {
				if faultDelay(b+1) >= 4*faultDelay(i+1) && (a < 0 || pauses[i] < pauses[a]) {
					a = i
				}
			}
			if a < 0 {
				continue
			}
			Expect(pauses[b]).To(BeNumerically(">=", 2*pauses[a]),
				"%s fake: %s (%s): pause after try %d is %s, want at least twice the %s after try %d (the backoff does not grow; pauses %s)",
				backend, op, r.Request, b+1, pauses[b].Round(time.Millisecond), pauses[a].Round(time.Millisecond), a+1, faultPauses(pauses))
			return fmt.Sprintf("operator restarted: %d tries, pauses %s, %d HTTP requests", faultTries, faultPauses(pauses), r.Attempts)
		}
	}
	Fail(fmt.Sprintf("%s fake: %s: in %d operator starts, changes to what the operator watches (%s) woke it between its retries every time, so no pause was its backoff's: an operator that changes what it watches on every failed sync retries at once, a hot loop",
		backend, op, faultRestarts, faultChanges(woken)))
	return ""
}

// faultChanges summarises changes by object, most frequent first.
func faultChanges(cs []expect.Change) string {
	count := map[string]int{}
	for _, c := range cs {
		count[c.String()]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return count[keys[i]] > count[keys[j]] || count[keys[i]] == count[keys[j]] && keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, count[k])
	}
	return strings.Join(parts, ", ")
}

// faultOps summarises calls by op: "GetSetting=4 HeadBucket=2".
func faultOps(calls []fault.Call) string {
	in := fault.New()
	for _, c := range calls {
		in.Before(context.Background(), c.Op, c.Bucket, c.Object)
	}
	return storOpsOf(in)
}

// faultPauses renders pauses in milliseconds: "0/11/21/42/83/165 ms".
func faultPauses(gaps []time.Duration) string {
	parts := make([]string, len(gaps))
	for i, g := range gaps {
		parts[i] = strconv.FormatInt(g.Milliseconds(), 10)
	}
	return strings.Join(parts, "/") + " ms"
}

// faultQuiet checks the converged operator leaves the backend alone. First the cluster must
// stop changing what the operator watches (a sync that wakes itself by writing never lets it
// settle). Then, for as long as its backoff needs to requeue faultQuietRequeues times, nothing
// is written and at most faultQuietSyncs syncs' reads arrive that no change it watches
// explains. A read right after such a change is an incidental sync (the registry's rollout
// finishing late on a loaded machine), not a loop; a failing sync retried by the backoff has
// no change before it. (The window is the operator's retry clock, not a guess at "long
// enough".)
func faultQuiet(backend string) {
	GinkgoHelper()
	window := harness.FastRetryBase * (1<<faultQuietRequeues - 1)
	settleFrom := time.Now()
	if !env.Watch.Settle(ctx(), faultSettle, storLongTimeout) {
		Fail(fmt.Sprintf("%s fake: what the operator watches never stayed still for %s within %s of convergence, want it to settle: a sync that wakes itself (changes: %s)",
			backend, faultSettle, storLongTimeout, faultChanges(faultWoken(env.Watch.ChangesBetween(settleFrom, time.Now())))))
	}
	in := storInspector(backend).Faults()
	before := len(in.Calls())
	start := time.Now()
	Consistently(func(g Gomega) {
		calls := in.Calls()[before:]
		syncs := 0
		for _, c := range calls {
			g.Expect(c.Op).To(BeElementOf(fault.OpHeadBucket, fault.OpGetSetting, fault.OpListBuckets, fault.OpAuth),
				"%s fake: %s once converged, want reads only (calls since: %+v)", backend, c.Op, calls)
			syncs = max(syncs, faultUnwoken(start, fault.RetriesOf(calls, c.Op).Tries))
		}
		g.Expect(syncs).To(BeNumerically("<=", faultQuietSyncs),
			"%s fake: the same read %d times within %s of convergence with no change the operator watches before it, want at most %d (calls since: %s)", backend, syncs, window, faultQuietSyncs, faultOps(calls))
	}).WithTimeout(window).WithPolling(10*time.Millisecond).Should(Succeed(), "%s fake: calls once converged", backend)
}

// faultUnwoken counts the tries no change to what the operator watches preceded (since the
// previous try, or since from for the first).
func faultUnwoken(from time.Time, tries []fault.Try) int {
	n := 0
	prev := from
	for _, t := range tries {
		if len(faultWoken(env.Watch.ChangesBetween(prev.Add(-2*time.Millisecond), t.First))) == 0 {
			n++
		}
		prev = t.First
	}
	return n
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
		faultExpectCloudError(g, cfg.Status.Conditions, "StorageExists", s, reason, message)
		p := condition(g, cfg.Status.Conditions, "Progressing")
		g.Expect(p.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition Progressing status")
		g.Expect(p.Reason).To(Equal("Error"), "Config cluster condition Progressing reason")
		g.Expect(p.Message).To(ContainSubstring(inProgressing), "Config cluster condition Progressing message")
	}
}

// faultExpectCloudError expects a condition that reports a cloud error: its status, its
// reason (the error code) and a message that starts with the cloud's "<code>: <message>".
// What an SDK appends after it (the upstream's aws-sdk-go adds "\n\tstatus code: 403,
// request id: ...") is the SDK's, not the rule's.
func faultExpectCloudError(g Gomega, conds []operatorv1.OperatorCondition, t string, s operatorv1.ConditionStatus, reason, message string) {
	c := condition(g, conds, t)
	g.Expect(c.Status).To(Equal(s), "Config cluster condition %s status (reason %q, message %q)", t, c.Reason, c.Message)
	g.Expect(c.Reason).To(Equal(reason), "Config cluster condition %s reason", t)
	g.Expect(c.Message).To(Or(Equal(message), HavePrefix(message+"\n")), "Config cluster condition %s message (the cloud's error, maybe with the SDK's request details on the next lines)", t)
}

// faultSettingsError expects the bucket to exist, the first default setting (the public
// access block) to report the code, and no default setting to claim success.
func faultSettingsError(reason, message string) func(g Gomega, cfg *imageregistryv1.Config) {
	return func(g Gomega, cfg *imageregistryv1.Config) {
		storExpectStorageExistsTrue(g, cfg, "Creation Successful", "S3 Bucket Exists")
		faultExpectCloudError(g, cfg.Status.Conditions, "StoragePublicAccessBlocked", operatorv1.ConditionFalse, reason, message)
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
			env.UseFastRetries()
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
				// While the fault holds the operator retries with a growing backoff: hold it for
				// a bounded number of tries and check their pauses, then let the backend recover.
				reported += "; " + faultBackingOff(fc.backend, in, fc.rule.Op)
				in.Clear()
			}
			faultConverged(fc.backend)
			if fc.createCalls > 0 {
				Expect(in.Count(fault.OpCreateBucket, "")).To(BeNumerically("<=", fc.createCalls), "calls: %s", storOps(fc.backend))
			}
			readyRegistry()
			faultQuiet(fc.backend)
			lost := storBystanderIntact(fc.backend)
			addRow(faultMatrix, faultTitle, faultColumns, fc.backend, fc.fault, reported,
				fmt.Sprintf("yes, one bucket, %s after start (%s)", time.Since(start).Round(100*time.Millisecond), storOps(fc.backend)), lost)
		},
		Entry("S3 CreateBucket 503 SlowDown", Label("STOR-001", "S3-002", "S3-015", "divergence", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket 503 SlowDown", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 503},
			reported: faultStorageError(operatorv1.ConditionFalse, "SlowDown", "SlowDown: Please reduce your request rate.", "SlowDown"),
		}),
		Entry("S3 CreateBucket 500 InternalError", Label("STOR-001", "S3-002", "S3-015", "divergence", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket 500 InternalError", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 500},
			reported: faultStorageError(operatorv1.ConditionFalse, "InternalError", "InternalError: We encountered an internal error. Please try again.", "InternalError"),
		}),
		Entry("S3 CreateBucket 403 AccessDenied", Label("STOR-001", "S3-002", "S3-015", "divergence", "platform:aws"), faultCase{
			backend: "s3", fault: "CreateBucket 403 AccessDenied", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 403},
			reported: faultStorageError(operatorv1.ConditionFalse, "AccessDenied", "AccessDenied: Access Denied", "AccessDenied"),
		}),
		Entry("S3 PutSetting 503 SlowDown", Label("STOR-002", "S3-003", "S3-004", "S3-005", "S3-006", "S3-014", "divergence", "platform:aws"), faultCase{
			backend: "s3", fault: "PutSetting 503 SlowDown (all four defaults)", rule: fault.Rule{Op: fault.OpPutSetting, Status: 503},
			reported: faultSettingsError("SlowDown", "SlowDown: Please reduce your request rate."), createCalls: 1,
		}),
		Entry("S3 PutSetting 403 AccessDenied", Label("S3-014", "divergence", "STOR-002", "S3-003", "platform:aws"), faultCase{
			backend: "s3", fault: "PutSetting 403 AccessDenied", rule: fault.Rule{Op: fault.OpPutSetting, Status: 403},
			reported: faultSettingsError("AccessDenied", "AccessDenied: Access Denied"), createCalls: 1,
		}),
		// The latencies are relative to the operator's request timeout, which the fast retry
		// timings set to harness.FastRequestTimeout (real clouds: 10 s).
		Entry("S3 CreateBucket latency under the request timeout", Label("STOR-001", "platform:aws"), faultCase{
			backend: "s3", fault: fmt.Sprintf("CreateBucket +%s latency (request timeout %s)", harness.FastRequestTimeout*3/10, harness.FastRequestTimeout),
			rule: fault.Rule{Op: fault.OpCreateBucket, Latency: harness.FastRequestTimeout * 3 / 10}, createCalls: 1,
		}),
		Entry("S3 CreateBucket latency past the request timeout, once (client gives up, server creates anyway)", Label("STOR-001", "S3-002", "platform:aws"), faultCase{
			backend: "s3", fault: fmt.Sprintf("CreateBucket +%s latency once (request timeout %s): the request times out after the bucket was made", harness.FastRequestTimeout*3/2, harness.FastRequestTimeout),
			rule: fault.Rule{Op: fault.OpCreateBucket, Latency: harness.FastRequestTimeout * 3 / 2, Times: 1},
		}),
		Entry("GCS CreateBucket 503", Label("STOR-001", "GCS-001", "GCS-003", "divergence", "platform:gcp"), faultCase{
			backend: "gcs", fault: "CreateBucket 503 backendError", rule: fault.Rule{Op: fault.OpCreateBucket, Status: 503},
			reported: faultStorageError(operatorv1.ConditionFalse, "503", "503: Backend Error", "503"),
		}),
		Entry("GCS CreateBucket 429", Label("STOR-001", "GCS-001", "GCS-003", "divergence", "platform:gcp"), faultCase{
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
		// The fresh operator adopted the bucket under its deterministic name (faultConverged:
		// exactly one bucket, recorded) and deleted nothing. Whether it asks CreateBucket again
		// (the owner gets BucketAlreadyOwnedByYou, as the upstream does) is its own business.
		Expect(in.Count(fault.OpDeleteBucket, storS3Bucket)).To(BeZero(), "S3 fake: DeleteBucket calls on the adopted bucket (calls: %s)", storOps("s3"))
		lost := storBystanderIntact("s3")
		addRow(faultMatrix, faultTitle, faultColumns, "s3", "operator stopped after CreateBucket, before any status write",
			"nothing recorded (spec.storage.s3.bucket empty)",
			fmt.Sprintf("yes, the restarted operator adopted %s; no DeleteBucket; %s after start", bucket, time.Since(start).Round(100*time.Millisecond)), lost)
	})
})
