package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/client-go/tools/clientcmd"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/irconform/irconform/internal/redact"
	"github.com/irconform/irconform/reference/controller"
	"github.com/irconform/irconform/reference/operator"
)

func newOperatorCmd() *cobra.Command {
	var kubeconfig, kubecontext, metrics string
	var leader bool
	settings := controller.Settings{}
	cmd := &cobra.Command{
		Use:   "operator",
		Short: "Run the reference image registry operator against a cluster",
		Long: `Runs the reference operator (the same code the embedded suite runs in-process) against
the cluster of a kubeconfig until interrupted. It manages configs.imageregistry.operator.openshift.io/cluster
and everything the registry needs in openshift-image-registry.`,
		Example: `  irconform operator --kubeconfig /tmp/envtest.kubeconfig
  KUBECONFIG=~/.kube/config irconform operator --leader-elect`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules := clientcmd.NewDefaultClientConfigLoadingRules()
			if kubeconfig != "" {
				rules.ExplicitPath = kubeconfig
			}
			cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
				&clientcmd.ConfigOverrides{CurrentContext: kubecontext}).ClientConfig()
			if err != nil {
				return &exitError{code: 3, err: fmt.Errorf("loading kubeconfig: %w", err)}
			}
			cfg.QPS, cfg.Burst = 100, 200
			// Logs are an output like any other: through the one redactor.
			logger := zap.New(zap.UseDevMode(false), zap.WriteTo(redact.Writer(os.Stderr, redact.Default(), "")))
			ctrllog.SetLogger(logger)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return operator.Run(ctx, cfg, operator.Options{Settings: settings, LeaderElection: leader, MetricsAddr: metrics, Logger: logger})
		},
	}
	f := cmd.Flags()
	f.StringVar(&kubeconfig, "kubeconfig", "", "path to a kubeconfig (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&kubecontext, "context", "", "kubeconfig context to use")
	f.StringVar(&metrics, "metrics-bind-address", "0", "address for controller-runtime metrics (0 disables)")
	f.BoolVar(&leader, "leader-elect", false, "use leader election (several replicas)")
	f.StringVar(&settings.Image, "image", envOr("IMAGE", "quay.io/openshift/origin-docker-registry:latest"), "registry image (env IMAGE)")
	f.StringVar(&settings.PrunerImage, "pruner-image", envOr("IMAGE_PRUNER", "quay.io/openshift/origin-cli:latest"), "pruner image (env IMAGE_PRUNER)")
	f.StringVar(&settings.OperatorImage, "operator-image", envOr("OPERATOR_IMAGE", "quay.io/openshift/origin-cluster-image-registry-operator:latest"), "the operator's own image, run by the node-ca DaemonSet (env OPERATOR_IMAGE)")
	f.StringVar(&settings.ReleaseVersion, "release-version", envOr("RELEASE_VERSION", "0.0.1-snapshot"), "version reported on the ClusterOperator (env RELEASE_VERSION)")
	return cmd
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
