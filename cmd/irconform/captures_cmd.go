package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/irconform/irconform/conformance/livecheck/captures"
	"github.com/irconform/irconform/conformance/target"
)

func newCapturesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "captures",
		Short: "List the real-cluster captures the live checks are tested on",
		Long: `Captures are the image registry's objects as real clusters of releases 4.4 to 4.18 hold
them (sources in conformance/livecheck/captures/data/README.md). 'irconform captures serve NAME'
loads one into a bare API server with no operator and writes kubeconfigs for an admin and for
a cluster-reader without Secrets, so 'irconform run --kubeconfig' can be tried against it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names, err := captures.Names()
			if err != nil {
				return err
			}
			for _, n := range names {
				fmt.Fprintf(cmd.OutOrStdout(), "%-26s %s\n", n, captureSummary(n))
			}
			return nil
		},
	}
	cmd.AddCommand(newCapturesServeCmd())
	return cmd
}

// captureSummary is the first comment line of a capture's objects.yaml.
func captureSummary(name string) string {
	raw, err := captures.Raw(name)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	if sc.Scan() {
		return strings.TrimSpace(strings.TrimPrefix(sc.Text(), "#"))
	}
	return ""
}

func newCapturesServeCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "serve NAME",
		Short: "Serve one capture from a bare API server until interrupted",
		Example: `  irconform captures serve 4.4-only-clusteroperator --dir /tmp/cap
  irconform run --kubeconfig /tmp/cap/reader.kubeconfig`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := captures.Get(args[0])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			env, err := target.StartEnvtest(ctx)
			if err != nil {
				return err
			}
			defer func() { _ = env.Stop() }()
			if err := c.Load(ctx, env.Client()); err != nil {
				return err
			}
			reader, err := env.AddUser("capture-reader", nil)
			if err != nil {
				return err
			}
			if err := captures.GrantReader(ctx, env.Client(), "capture-reader"); err != nil {
				return err
			}
			if dir == "" {
				if dir, err = os.MkdirTemp("", "irconform-capture-"); err != nil {
					return err
				}
			}
			admin := filepath.Join(dir, "admin.kubeconfig")
			readerPath := filepath.Join(dir, "reader.kubeconfig")
			if err := writeKubeconfigFile(admin, env.Server(), env.RESTConfig()); err != nil {
				return err
			}
			if err := writeKubeconfigFile(readerPath, env.Server(), reader); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "serving capture %s at %s\n  admin:  %s\n  reader: %s (may not read Secrets)\nCtrl-C to stop.\n",
				c.Name, env.Server(), admin, readerPath)
			<-ctx.Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write the kubeconfigs here (default: a new temporary folder)")
	return cmd
}

// writeKubeconfigFile writes a one-context kubeconfig for cfg's credentials.
func writeKubeconfigFile(path, server string, cfg *rest.Config) error {
	kc := clientcmdapi.NewConfig()
	cl := clientcmdapi.NewCluster()
	cl.Server = server
	cl.CertificateAuthorityData = cfg.CAData
	au := clientcmdapi.NewAuthInfo()
	au.ClientCertificateData, au.ClientKeyData, au.Token = cfg.CertData, cfg.KeyData, cfg.BearerToken
	kc.Clusters["capture"] = cl
	kc.AuthInfos["user"] = au
	kc.Contexts["capture"] = &clientcmdapi.Context{Cluster: "capture", AuthInfo: "user"}
	kc.CurrentContext = "capture"
	return clientcmd.WriteToFile(*kc, path)
}
