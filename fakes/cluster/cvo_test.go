package cluster_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	configv1 "github.com/openshift/api/config/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irconform/irconform/fakes/cluster"
)

func condition(typ configv1.ClusterStatusConditionType, status configv1.ConditionStatus, reason string) configv1.ClusterOperatorStatusCondition {
	return configv1.ClusterOperatorStatusCondition{Type: typ, Status: status, Reason: reason, LastTransitionTime: metav1.Now()}
}

func sample(operator, cond, reason string, value float64) cluster.MetricSample {
	return cluster.MetricSample{Labels: map[string]string{
		"__name__": "cluster_operator_conditions", "name": operator, "condition": cond, "reason": reason,
	}, Value: value}
}

func TestClusterOperatorConditionSamples(t *testing.T) {
	tests := []struct {
		name       string
		conditions []configv1.ClusterOperatorStatusCondition
		want       []cluster.MetricSample
	}{
		{"no conditions, no series", nil, nil},
		{"True is 1", []configv1.ClusterOperatorStatusCondition{condition(configv1.OperatorAvailable, configv1.ConditionTrue, "Ready")},
			[]cluster.MetricSample{sample("image-registry", "Available", "Ready", 1)}},
		{"False is 0", []configv1.ClusterOperatorStatusCondition{condition(configv1.OperatorDegraded, configv1.ConditionFalse, "AsExpected")},
			[]cluster.MetricSample{sample("image-registry", "Degraded", "AsExpected", 0)}},
		{"Unknown is not exported", []configv1.ClusterOperatorStatusCondition{condition(configv1.OperatorProgressing, configv1.ConditionUnknown, "NoData")}, nil},
		{"empty reason is an empty label",
			[]configv1.ClusterOperatorStatusCondition{condition(configv1.OperatorUpgradeable, configv1.ConditionTrue, "")},
			[]cluster.MetricSample{sample("image-registry", "Upgradeable", "", 1)}},
		{"one series per known condition, in status order",
			[]configv1.ClusterOperatorStatusCondition{
				condition(configv1.OperatorAvailable, configv1.ConditionFalse, "NoReplicasAvailable"),
				condition(configv1.OperatorProgressing, configv1.ConditionUnknown, ""),
				condition(configv1.OperatorDegraded, configv1.ConditionTrue, "Unavailable"),
			},
			[]cluster.MetricSample{
				sample("image-registry", "Available", "NoReplicasAvailable", 0),
				sample("image-registry", "Degraded", "Unavailable", 1),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			co := &configv1.ClusterOperator{ObjectMeta: metav1.ObjectMeta{Name: "image-registry"},
				Status: configv1.ClusterOperatorStatus{Conditions: tt.conditions}}
			if got := cluster.ClusterOperatorConditionSamples(co); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("samples\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// A scrape reads the API server, not a cache: a status written just before is what it sees.
// Many flips, because a cache usually catches up within milliseconds: one read could be lucky.
func TestScrapeClusterOperatorSeesLatestStatus(t *testing.T) {
	co := &configv1.ClusterOperator{ObjectMeta: metav1.ObjectMeta{GenerateName: "scraped-"}}
	create(t, co)
	for i := range 40 {
		status, value := configv1.ConditionTrue, 1.0
		if i%2 == 1 {
			status, value = configv1.ConditionFalse, 0.0
		}
		reason := fmt.Sprintf("Write%d", i)
		co.Status.Conditions = []configv1.ClusterOperatorStatusCondition{condition(configv1.OperatorAvailable, status, reason)}
		if err := kube.Status().Update(testCtx, co); err != nil {
			t.Fatalf("setting Available=%s (write %d): %v", status, i, err)
		}
		got, err := sim.ScrapeClusterOperator(testCtx, co.Name)
		if err != nil {
			t.Fatalf("scraping after write %d: %v", i, err)
		}
		want := []cluster.MetricSample{sample(co.Name, "Available", reason, value)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scrape right after write %d\n got %+v\nwant %+v", i, got, want)
		}
	}

	if _, err := sim.ScrapeClusterOperator(testCtx, "no-such-operator"); err == nil || !strings.Contains(err.Error(), "no-such-operator") {
		t.Errorf("scraping a missing ClusterOperator: error %v, want one naming it", err)
	}
}
