package specs

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const pruneRegistryURL = "--registry-url=https://image-registry.openshift-image-registry.svc:5000"

func pruneCronJob(g Gomega, r client.Reader) *batchv1.CronJob {
	var cj batchv1.CronJob
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-pruner"}, &cj)).To(Succeed(), "CronJob image-pruner")
	return &cj
}

func pruneArgs(cj *batchv1.CronJob) []string {
	cs := cj.Spec.JobTemplate.Spec.Template.Spec.Containers
	if len(cs) == 0 {
		return nil
	}
	return cs[0].Args
}

func prunePruner(g Gomega, r client.Reader) *imageregistryv1.ImagePruner {
	var p imageregistryv1.ImagePruner
	g.Expect(r.Get(ctx(), types.NamespacedName{Name: "cluster"}, &p)).To(Succeed(), "ImagePruner cluster")
	return &p
}

// pruneUpdate edits the ImagePruner as a user would, retrying on conflicts.
func pruneUpdate(mutate func(p *imageregistryv1.ImagePruner)) {
	GinkgoHelper()
	Eventually(func() error {
		var p imageregistryv1.ImagePruner
		if err := env.Client.Get(ctx(), types.NamespacedName{Name: "cluster"}, &p); err != nil {
			return err
		}
		mutate(&p)
		return env.Client.Update(ctx(), &p)
	}).WithTimeout(defaultTimeout).WithPolling(10*time.Millisecond).Should(Succeed(), "update ImagePruner cluster")
}

var _ = Describe("Image pruner", func() {
	It("creates a missing ImagePruner with the upstream defaults", Label("PRUNE-002"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			p := prunePruner(g, r)
			g.Expect(p.Spec.Suspend).To(HaveValue(BeFalse()), "ImagePruner cluster spec.suspend")
			g.Expect(p.Spec.KeepTagRevisions).To(HaveValue(Equal(3)), "ImagePruner cluster spec.keepTagRevisions")
			g.Expect(p.Spec.SuccessfulJobsHistoryLimit).To(HaveValue(Equal(int32(3))), "ImagePruner cluster spec.successfulJobsHistoryLimit")
			g.Expect(p.Spec.FailedJobsHistoryLimit).To(HaveValue(Equal(int32(3))), "ImagePruner cluster spec.failedJobsHistoryLimit")
			g.Expect(p.Spec.IgnoreInvalidImageReferences).To(BeTrue(), "ImagePruner cluster spec.ignoreInvalidImageReferences")
			g.Expect(p.Spec.Schedule).To(BeEmpty(), "schedule is left to the CronJob default")
			g.Expect(p.Spec.KeepYoungerThanDuration).To(BeNil(), "ImagePruner cluster spec.keepYoungerThanDuration")
			g.Expect(p.Spec.KeepYoungerThan).To(BeNil(), "ImagePruner cluster spec.keepYoungerThan")
		})
	})

	DescribeTable("--prune-registry follows the registry's managementState, suspended or not; the pruner is reconciled in every state",
		func(state operatorv1.ManagementState, suspend bool, pruneRegistry bool) {
			onPlatform(configv1.LibvirtPlatformType)
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(pruneArgs(pruneCronJob(g, r))).To(ContainElement("--prune-registry=true"), "CronJob image-pruner args")
			})
			if state != operatorv1.Managed {
				updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.ManagementState = state })
				waitObserved()
			}
			// Edit the pruner in this state: it must still be reconciled.
			pruneUpdate(func(p *imageregistryv1.ImagePruner) {
				p.Spec.Suspend = &suspend
				p.Spec.Schedule = "30 3 * * *"
			})
			eventually(func(g Gomega, r client.Reader) {
				cj := pruneCronJob(g, r)
				g.Expect(cj.Spec.Suspend).To(HaveValue(Equal(suspend)), "CronJob image-pruner spec.suspend")
				g.Expect(cj.Spec.Schedule).To(Equal("30 3 * * *"), "CronJob image-pruner spec.schedule")
				args := pruneArgs(cj)
				if pruneRegistry {
					g.Expect(args).To(ContainElement("--prune-registry=true"), "CronJob image-pruner args")
					g.Expect(args).To(ContainElement(pruneRegistryURL), "CronJob image-pruner args")
					g.Expect(args).NotTo(ContainElement("--prune-registry=false"), "CronJob image-pruner args")
				} else {
					g.Expect(args).To(ContainElement("--prune-registry=false"), "CronJob image-pruner args")
					g.Expect(args).NotTo(ContainElement("--prune-registry=true"), "CronJob image-pruner args")
					g.Expect(args).NotTo(ContainElement(pruneRegistryURL), "CronJob image-pruner args")
				}
				p := prunePruner(g, r)
				if suspend {
					expectCondition(g, p.Status.Conditions, "Scheduled", operatorv1.ConditionFalse, "Suspended", "The pruner job has been suspended")
				} else {
					expectCondition(g, p.Status.Conditions, "Scheduled", operatorv1.ConditionTrue, "Scheduled", "The pruner job has been scheduled")
				}
				g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation), "ImagePruner cluster status.observedGeneration")
			})
		},
		Entry("Managed", Label("PRUNE-003", "PRUNE-001"), operatorv1.Managed, false, true),
		Entry("Managed, suspended", Label("PRUNE-003", "PRUNE-001"), operatorv1.Managed, true, true),
		Entry("Removed", Label("PRUNE-004", "PRUNE-001"), operatorv1.Removed, false, false),
		Entry("Removed, suspended", Label("PRUNE-004", "PRUNE-001"), operatorv1.Removed, true, false),
		Entry("Unmanaged", Label("PRUNE-005", "PRUNE-001", "divergence"), operatorv1.Unmanaged, false, false),
		Entry("Unmanaged, suspended", Label("PRUNE-005", "PRUNE-001", "divergence"), operatorv1.Unmanaged, true, false),
	)

	It("goes back to --prune-registry=true when the registry returns to Managed", Label("PRUNE-003", "PRUNE-004"), func() {
		onPlatform(configv1.BareMetalPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(pruneArgs(pruneCronJob(g, r))).To(ContainElement("--prune-registry=false"), "CronJob image-pruner args")
		})
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.ManagementState = operatorv1.Managed
			cfg.Spec.Storage = imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
		})
		eventually(func(g Gomega, r client.Reader) {
			args := pruneArgs(pruneCronJob(g, r))
			g.Expect(args).To(ContainElement("--prune-registry=true"), "CronJob image-pruner args")
			g.Expect(args).To(ContainElement(pruneRegistryURL), "CronJob image-pruner args")
		})
	})

	It("renders the CronJob's defaults", Label("PRUNE-006"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			cj := pruneCronJob(g, r)
			g.Expect(cj.Spec.Schedule).To(Equal("0 0 * * *"), "CronJob image-pruner spec.schedule")
			g.Expect(cj.Spec.Suspend).To(HaveValue(BeFalse()), "CronJob image-pruner spec.suspend")
			g.Expect(cj.Spec.ConcurrencyPolicy).To(Equal(batchv1.ForbidConcurrent), "CronJob image-pruner spec.concurrencyPolicy")
			g.Expect(cj.Spec.SuccessfulJobsHistoryLimit).To(HaveValue(Equal(int32(3))), "CronJob image-pruner spec.successfulJobsHistoryLimit")
			g.Expect(cj.Spec.FailedJobsHistoryLimit).To(HaveValue(Equal(int32(3))), "CronJob image-pruner spec.failedJobsHistoryLimit")
			g.Expect(cj.Spec.StartingDeadlineSeconds).To(HaveValue(Equal(int64(3600))), "CronJob image-pruner spec.startingDeadlineSeconds")
			g.Expect(cj.Spec.JobTemplate.Spec.BackoffLimit).To(HaveValue(Equal(int32(0))), "CronJob image-pruner spec.jobTemplate.spec.backoffLimit")
			pod := cj.Spec.JobTemplate.Spec.Template.Spec
			g.Expect(pod.ServiceAccountName).To(Equal("pruner"), "CronJob image-pruner spec.jobTemplate.spec.template.spec.serviceAccountName")
			g.Expect(pod.Containers).To(HaveLen(1), "CronJob image-pruner spec.jobTemplate.spec.template.spec.containers")
			g.Expect(pod.Containers[0].Name).To(Equal("image-pruner"), "CronJob image-pruner spec.jobTemplate.spec.template.spec.containers[0].name")
			g.Expect(pruneArgs(cj)).To(ContainElements(
				"--confirm=true",
				"--certificate-authority=/var/run/configmaps/serviceca/service-ca.crt",
				"--keep-tag-revisions=3",
				"--keep-younger-than=60m",
				"--ignore-invalid-refs=true",
				"--loglevel=1",
			), "CronJob image-pruner args")
		})
	})

	It("renders the CronJob from the ImagePruner spec", Label("PRUNE-006"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) { prunePruner(g, r) })
		pruneUpdate(func(p *imageregistryv1.ImagePruner) {
			keep, ok, failed := 5, int32(1), int32(2)
			p.Spec.Schedule = "10 10 * * *"
			p.Spec.KeepTagRevisions = &keep
			p.Spec.KeepYoungerThanDuration = &metav1.Duration{Duration: 2 * time.Hour}
			p.Spec.IgnoreInvalidImageReferences = false
			p.Spec.SuccessfulJobsHistoryLimit = &ok
			p.Spec.FailedJobsHistoryLimit = &failed
		})
		eventually(func(g Gomega, r client.Reader) {
			cj := pruneCronJob(g, r)
			g.Expect(cj.Spec.Schedule).To(Equal("10 10 * * *"), "CronJob image-pruner spec.schedule")
			g.Expect(cj.Spec.SuccessfulJobsHistoryLimit).To(HaveValue(Equal(int32(1))), "CronJob image-pruner spec.successfulJobsHistoryLimit")
			g.Expect(cj.Spec.FailedJobsHistoryLimit).To(HaveValue(Equal(int32(2))), "CronJob image-pruner spec.failedJobsHistoryLimit")
			g.Expect(pruneArgs(cj)).To(ContainElements("--keep-tag-revisions=5", "--keep-younger-than=2h0m0s", "--ignore-invalid-refs=false"), "CronJob image-pruner args")
		})
		By("the deprecated keepYoungerThan counts only without keepYoungerThanDuration")
		pruneUpdate(func(p *imageregistryv1.ImagePruner) {
			d := 30 * time.Minute
			p.Spec.KeepYoungerThanDuration = nil
			p.Spec.KeepYoungerThan = &d
		})
		eventually(func(g Gomega, r client.Reader) {
			g.Expect(pruneArgs(pruneCronJob(g, r))).To(ContainElement("--keep-younger-than=30m0s"), "CronJob image-pruner args")
		})
	})

	DescribeTable("logLevel sets --loglevel",
		func(level operatorv1.LogLevel, arg string) {
			onPlatform(configv1.LibvirtPlatformType)
			eventually(func(g Gomega, r client.Reader) { prunePruner(g, r) })
			pruneUpdate(func(p *imageregistryv1.ImagePruner) { p.Spec.LogLevel = level })
			eventually(func(g Gomega, r client.Reader) {
				g.Expect(pruneArgs(pruneCronJob(g, r))).To(ContainElement(arg), "CronJob image-pruner args")
			})
		},
		Entry("Normal → 1", Label("PRUNE-006"), operatorv1.Normal, "--loglevel=1"),
		Entry("Debug → 4", Label("PRUNE-006"), operatorv1.Debug, "--loglevel=4"),
		Entry("Trace → 6", Label("PRUNE-006"), operatorv1.Trace, "--loglevel=6"),
		Entry("TraceAll → 8", Label("PRUNE-006"), operatorv1.TraceAll, "--loglevel=8"),
	)

	It("reports Available/Scheduled/Failed/Degraded with the upstream reasons", Label("PRUNE-007"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			c := prunePruner(g, r).Status.Conditions
			expectCondition(g, c, "Available", operatorv1.ConditionTrue, "AsExpected", "Pruner CronJob has been created")
			expectCondition(g, c, "Scheduled", operatorv1.ConditionTrue, "Scheduled", "The pruner job has been scheduled")
			expectCondition(g, c, "Failed", operatorv1.ConditionFalse, "Complete", "Pruner completed successfully")
			expectCondition(g, c, "Degraded", operatorv1.ConditionFalse, "AsExpected", "")
		})
		pruneUpdate(func(p *imageregistryv1.ImagePruner) { t := true; p.Spec.Suspend = &t })
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, prunePruner(g, r).Status.Conditions, "Scheduled", operatorv1.ConditionFalse, "Suspended", "The pruner job has been suspended")
		})
	})

	It("reports a failed prune job as Failed, and the ClusterOperator as Degraded ImagePrunerJobFailed", Label("PRUNE-007"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		eventually(func(g Gomega, r client.Reader) { pruneCronJob(g, r) })
		_, err := env.Simulator.RunPrunerJob(ctx(), ns, "image-pruner", false, "Job has reached the specified backoff limit")
		Expect(err).NotTo(HaveOccurred(), "Simulator run pruner job image-pruner Job has reached the specified backoff limit")
		eventually(func(g Gomega, r client.Reader) {
			c := prunePruner(g, r).Status.Conditions
			expectCondition(g, c, "Failed", operatorv1.ConditionTrue, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
			expectCondition(g, c, "Degraded", operatorv1.ConditionTrue, "JobFailed", "Job has reached the specified backoff limit")
			dg := coCondition(g, getCO(g, r), configv1.OperatorDegraded)
			g.Expect(dg.Status).To(Equal(configv1.ConditionTrue), "ClusterOperator image-registry condition Degraded status")
			g.Expect(dg.Reason).To(Equal("ImagePrunerJobFailed"), "ClusterOperator image-registry condition Degraded reason")
			g.Expect(dg.Message).To(ContainSubstring("ImagePrunerDegraded: Job has reached the specified backoff limit"), "ClusterOperator image-registry condition Degraded message")
		})
	})
})
