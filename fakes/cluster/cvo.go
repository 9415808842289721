package cluster

import (
	"context"
	"fmt"

	configv1 "github.com/openshift/api/config/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The cluster-version operator's part in alerting: it exports, from every ClusterOperator's
// status, the gauge cluster_operator_conditions{name, condition, reason}: 1 for a True
// condition, 0 for False; Unknown conditions are not exported. A spec scrapes it at the
// (simulated) times it chooses and feeds the samples to a Prometheus rule evaluation.

// ClusterOperatorConditionsMetric is the metric name the cluster-version operator exports.
const ClusterOperatorConditionsMetric = "cluster_operator_conditions"

// MetricSample is one series' labels (including __name__) and value at scrape time.
type MetricSample struct {
	Labels map[string]string
	Value  float64
}

// ClusterOperatorConditionSamples derives the cluster_operator_conditions series of co.
//
// Models ALERT-001.
func ClusterOperatorConditionSamples(co *configv1.ClusterOperator) []MetricSample {
	var out []MetricSample
	for _, c := range co.Status.Conditions {
		var v float64
		switch c.Status {
		case configv1.ConditionTrue:
			v = 1
		case configv1.ConditionFalse:
			v = 0
		default:
			continue
		}
		out = append(out, MetricSample{Labels: map[string]string{
			"__name__":  ClusterOperatorConditionsMetric,
			"name":      co.Name,
			"condition": string(c.Type),
			"reason":    c.Reason,
		}, Value: v})
	}
	return out
}

// ScrapeClusterOperator reads ClusterOperator name from the API server (not a cache) and
// returns its cluster_operator_conditions samples, as a scrape of the CVO would now.
func (s *Simulator) ScrapeClusterOperator(ctx context.Context, name string) ([]MetricSample, error) {
	var co configv1.ClusterOperator
	if err := s.reader.Get(ctx, client.ObjectKey{Name: name}, &co); err != nil {
		return nil, fmt.Errorf("scraping ClusterOperator %s: %w", name, err)
	}
	return ClusterOperatorConditionSamples(&co), nil
}
