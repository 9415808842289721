package specs

import (
	"context"
	"log/slog"
	"math"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/util/teststorage"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	alertRulesName = "image-registry-operator-alerts"
	alertRemoved   = "ImageRegistryRemoved"
	// The documented alert text (A§baremetal).
	alertRemovedMessage = "Image Registry has been removed. ImageStreamTags, BuildConfigs and DeploymentConfigs which reference ImageStreamTags may not work as expected. Please configure storage and update the config to Managed state by editing configs.imageregistry.operator.openshift.io."
)

func alertRules(g Gomega, r client.Reader) *monitoringv1.PrometheusRule {
	var pr monitoringv1.PrometheusRule
	g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: alertRulesName}, &pr)).To(Succeed(), "PrometheusRule %s", alertRulesName)
	return &pr
}

// alertFind returns the alerting rule named alert in pr, and its group's name.
func alertFind(g Gomega, pr *monitoringv1.PrometheusRule, alert string) (monitoringv1.Rule, string) {
	for _, grp := range pr.Spec.Groups {
		for _, r := range grp.Rules {
			if r.Alert == alert {
				return r, grp.Name
			}
		}
	}
	g.Expect(false).To(BeTrue(), "alert %s not found in PrometheusRule %s", alert, pr.Name)
	return monitoringv1.Rule{}, ""
}

// alertEvaluator evaluates one alerting rule, as read from the cluster, over samples the
// simulated cluster-version operator exports from the ClusterOperator's status.
type alertEvaluator struct {
	rule    *rules.AlertingRule
	storage *teststorage.TestStorage
	engine  *promql.Engine
	// last are the series of the previous scrape: a series gone from a scrape gets a
	// staleness marker, as Prometheus writes one, so it ends at once rather than after the
	// 5-minute lookback.
	last map[string]labels.Labels
}

func alertNewEvaluator(r monitoringv1.Rule) *alertEvaluator {
	GinkgoHelper()
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(r.Expr.String())
	Expect(err).NotTo(HaveOccurred(), "rule expression %q", r.Expr.String())
	var hold time.Duration
	if r.For != nil {
		d, err := model.ParseDuration(string(*r.For))
		Expect(err).NotTo(HaveOccurred(), "rule for: duration")
		hold = time.Duration(d)
	}
	st, err := teststorage.NewWithError()
	Expect(err).NotTo(HaveOccurred(), "Prometheus test storage")
	DeferCleanup(func() { _ = st.Close() })
	logger := slog.New(slog.DiscardHandler)
	return &alertEvaluator{
		rule: rules.NewAlertingRule(r.Alert, expr, hold, 0, labels.FromMap(r.Labels), labels.FromMap(r.Annotations),
			labels.EmptyLabels(), "", true, logger),
		storage: st,
		engine: promql.NewEngine(promql.EngineOpts{Logger: logger, MaxSamples: 100000, Timeout: 10 * time.Second,
			LookbackDelta: 5 * time.Minute}),
	}
}

// step scrapes the ClusterOperator now, stores the samples at ts and evaluates the rule at
// ts; it returns the states of the rule's pending and firing alerts.
func (a *alertEvaluator) step(ts time.Time) []*rules.Alert {
	GinkgoHelper()
	samples, err := env.Simulator.ScrapeClusterOperator(ctx(), clusterOpName)
	Expect(err).NotTo(HaveOccurred(), "Simulator scrape cluster operator")
	app := a.storage.Appender(context.Background())
	seen := map[string]labels.Labels{}
	for _, s := range samples {
		ls := labels.FromMap(s.Labels)
		seen[ls.String()] = ls
		_, err := app.Append(0, ls, ts.UnixMilli(), s.Value)
		Expect(err).NotTo(HaveOccurred(), "Prometheus test storage: append sample")
	}
	for k, ls := range a.last {
		if _, ok := seen[k]; !ok {
			_, err := app.Append(0, ls, ts.UnixMilli(), math.Float64frombits(value.StaleNaN))
			Expect(err).NotTo(HaveOccurred(), "Prometheus test storage: append sample")
		}
	}
	a.last = seen
	Expect(app.Commit()).To(Succeed(), "Prometheus test storage: commit")
	_, err = a.rule.Eval(ctx(), 0, ts, rules.EngineQueryFunc(a.engine, a.storage), nil, 0)
	Expect(err).NotTo(HaveOccurred(), "evaluate the alerting rule")
	var active []*rules.Alert
	for _, al := range a.rule.ActiveAlerts() {
		if al.State == rules.StatePending || al.State == rules.StateFiring {
			active = append(active, al)
		}
	}
	return active
}

// alertCanon is a PromQL expression in the parser's canonical form: two spellings of one
// expression (spaces in a grouping list, say) compare equal.
func alertCanon(g Gomega, expr string) string {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	g.Expect(err).NotTo(HaveOccurred(), "PromQL expression %q", expr)
	return e.String()
}

// alertTick keeps the in-process operator's simulated clock with the evaluation's timeline
// (one minute per step). The evaluation itself runs at the explicit times it is given, so an
// operator process on the machine's clock is checked the same way.
func alertTick() {
	if env.Operator.InProcess() {
		env.Advance(time.Minute)
	}
}

// alertWaitCOAvailableReason waits until the ClusterOperator's Available has reason, once the
// node-ca controller has reported its DaemonSet available. Why wait for that too: the
// ClusterOperator's Available is the union of every *Available condition of the Config, and a
// node-ca controller that reports after this wait (its first report says NotFound or
// NoAvailableReplicas) moves Available's reason away from the one waited for, for a moment
// the alert's evaluation would then catch (an ALERT-001 flake, 1 run in ~20).
func alertWaitCOAvailableReason(status configv1.ConditionStatus, reason string) {
	GinkgoHelper()
	eventually(func(g Gomega, r client.Reader) {
		nodeCA := condition(g, getConfig(g, r).Status.Conditions, "NodeCADaemonAvailable")
		g.Expect(nodeCA.Status).To(Equal(operatorv1.ConditionTrue), "Config cluster condition NodeCADaemonAvailable status")
	})
	eventually(func(g Gomega, r client.Reader) {
		av := coCondition(g, getCO(g, r), configv1.OperatorAvailable)
		g.Expect(av.Status).To(Equal(status), "ClusterOperator image-registry condition Available status")
		g.Expect(av.Reason).To(Equal(reason), "ClusterOperator image-registry condition Available reason")
	})
}

var _ = Describe("Alerts", func() {
	It("ships PrometheusRule image-registry-operator-alerts with the storage alerts", Label("ALERT-002"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		eventually(func(g Gomega, r client.Reader) {
			pr := alertRules(g, r)
			for _, name := range []string{"ImageRegistryStorageReadOnly", "ImageRegistryStorageFull"} {
				rule, group := alertFind(g, pr, name)
				g.Expect(group).To(Equal("pvc-problem-detector.rules"), "PrometheusRule image-registry-operator-alerts group of the alert")
				g.Expect(rule.For).To(HaveValue(Equal(monitoringv1.Duration("10m"))), "PrometheusRule image-registry-operator-alerts storage alert for")
				g.Expect(rule.Labels).To(HaveKeyWithValue("severity", "warning"), "PrometheusRule image-registry-operator-alerts storage alert labels severity")
				g.Expect(rule.Labels).To(HaveKeyWithValue("kubernetes_operator_part_of", "image-registry"), "PrometheusRule image-registry-operator-alerts storage alert labels kubernetes_operator_part_of")
			}
			ro, _ := alertFind(g, pr, "ImageRegistryStorageReadOnly")
			g.Expect(alertCanon(g, ro.Expr.String())).To(Equal(alertCanon(g, `sum without(instance,pod,operation)(rate(imageregistry_storage_errors_total{code="READ_ONLY_FILESYSTEM"}[5m])) > 0`)),
				"PrometheusRule image-registry-operator-alerts alert ImageRegistryStorageReadOnly expr")
			full, _ := alertFind(g, pr, "ImageRegistryStorageFull")
			g.Expect(alertCanon(g, full.Expr.String())).To(Equal(alertCanon(g, `sum without(instance,pod,operation)(rate(imageregistry_storage_errors_total{code="DEVICE_OUT_OF_SPACE"}[5m])) > 0`)),
				"PrometheusRule image-registry-operator-alerts alert ImageRegistryStorageFull expr")
		})
		By("a hand edit is reverted")
		Eventually(func() error {
			var pr monitoringv1.PrometheusRule
			if err := env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: alertRulesName}, &pr); err != nil {
				return err
			}
			pr.Spec.Groups = nil
			return env.Client.Update(ctx(), &pr)
		}).WithTimeout(defaultTimeout).Should(Succeed(), "revert PrometheusRule image-registry-operator-alerts by hand")
		eventually(func(g Gomega, r client.Reader) {
			alertFind(g, alertRules(g, r), "ImageRegistryStorageFull")
		})
	})

	It("fires ImageRegistryRemoved after 5 minutes of Removed and goes silent once Managed", Label("ALERT-001", "divergence"), func() {
		onPlatform(configv1.BareMetalPlatformType) // bootstraps Removed
		var rule monitoringv1.Rule
		eventually(func(g Gomega, r client.Reader) {
			rule, _ = alertFind(g, alertRules(g, r), alertRemoved)
		})
		Expect(rule.Expr.String()).To(Equal(`cluster_operator_conditions{name="image-registry",condition="Available",reason="Removed"} > 0`), "PrometheusRule image-registry-operator-alerts alert ImageRegistryRemoved expr")
		Expect(rule.For).To(HaveValue(Equal(monitoringv1.Duration("5m"))), "PrometheusRule image-registry-operator-alerts alert ImageRegistryRemoved for")
		Expect(rule.Labels).To(HaveKeyWithValue("severity", "warning"), "PrometheusRule image-registry-operator-alerts alert ImageRegistryRemoved labels severity")
		Expect(rule.Annotations).To(HaveKeyWithValue("message", alertRemovedMessage), "PrometheusRule image-registry-operator-alerts alert ImageRegistryRemoved annotations message")
		alertWaitCOAvailableReason(configv1.ConditionTrue, "Removed")

		ev := alertNewEvaluator(rule)
		start := env.Now()
		at := func(min int) time.Time { return start.Add(time.Duration(min) * time.Minute) }
		for m := 0; m < 5; m++ {
			active := ev.step(at(m))
			Expect(active).To(HaveLen(1), "minute %d of Removed", m)
			Expect(active[0].State).To(Equal(rules.StatePending), "minute %d: pending before for: 5m has passed", m)
			alertTick()
		}
		active := ev.step(at(5))
		Expect(active).To(HaveLen(1), "active ImageRegistryRemoved alerts after 5 minutes of Removed")
		Expect(active[0].State).To(Equal(rules.StateFiring), "firing after 5 minutes of Removed")
		Expect(active[0].Labels.Get("alertname")).To(Equal(alertRemoved), "firing alert label alertname")
		Expect(active[0].Labels.Get("severity")).To(Equal("warning"), "firing alert label severity")
		Expect(active[0].Annotations.Get("message")).To(Equal(alertRemovedMessage), "firing alert annotation message")
		Expect(active[0].Annotations.Get("message")).To(And(ContainSubstring("ImageStreamTags"), ContainSubstring("BuildConfigs"),
			ContainSubstring("DeploymentConfigs"), ContainSubstring("Managed")), "firing alert annotation message")

		By("configuring storage and setting Managed")
		updateConfig(func(cfg *imageregistryv1.Config) {
			cfg.Spec.ManagementState = operatorv1.Managed
			cfg.Spec.Storage = imageregistryv1.ImageRegistryConfigStorage{EmptyDir: &imageregistryv1.ImageRegistryConfigStorageEmptyDir{}}
		})
		readyRegistry()
		alertWaitCOAvailableReason(configv1.ConditionTrue, "Ready")
		for m := 6; m < 12; m++ {
			alertTick()
			Expect(ev.step(at(m))).To(BeEmpty(), "minute %d: silent while Managed", m)
		}
	})

	It("stays silent while the registry is Managed", Label("ALERT-001", "divergence"), func() {
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
		alertWaitCOAvailableReason(configv1.ConditionTrue, "Ready")
		var rule monitoringv1.Rule
		eventually(func(g Gomega, r client.Reader) {
			rule, _ = alertFind(g, alertRules(g, r), alertRemoved)
		})
		ev := alertNewEvaluator(rule)
		start := env.Now()
		for m := 0; m < 10; m++ {
			Expect(ev.step(start.Add(time.Duration(m)*time.Minute))).To(BeEmpty(), "minute %d", m)
			alertTick()
		}
	})
})
