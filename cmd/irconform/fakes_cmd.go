package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/irconform/irconform/fakes/azure"
	armfake "github.com/irconform/irconform/fakes/azure/arm"
	gcsfake "github.com/irconform/irconform/fakes/gcs"
	s3fake "github.com/irconform/irconform/fakes/s3"
	"github.com/irconform/irconform/fakes/swift"
)

// describer is what every fake offers for the standalone command.
type describer interface {
	Describe() string
	Close() error
}

func newFakesCmd() *cobra.Command {
	var port int
	cmd := &cobra.Command{
		Use:       "fakes s3|gcs|swift|azure|azure-arm",
		Short:     "Serve a storage fake on 127.0.0.1 until interrupted",
		Long:      "Starts one storage fake standalone and prints its endpoint and credentials; point any client (aws, gsutil, swift, az) or the reference operator at it.",
		Example:   "  irconform fakes s3\n  irconform fakes swift --port 5000\n  irconform fakes azure\n  irconform fakes azure-arm",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"s3", "gcs", "swift", "azure", "azure-arm"},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			f, err := startFake(ctx, args[0], port)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			defer f.Close()
			fmt.Fprintln(cmd.OutOrStdout(), f.Describe())
			fmt.Fprintln(cmd.OutOrStdout(), "serving until interrupted (Ctrl-C)")
			<-ctx.Done()
			return nil
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, "listen on this port (0: any free port)")
	return cmd
}

func startFake(ctx context.Context, kind string, port int) (describer, error) {
	switch kind {
	case "s3":
		return s3fake.Start(ctx, s3fake.WithPort(port))
	case "gcs":
		return gcsfake.Start(ctx, gcsfake.WithPort(port))
	case "swift":
		return swift.Start(ctx, swift.WithPort(port))
	case "azure":
		return azure.Start(ctx, azure.WithPort(port))
	case "azure-arm":
		// Entra ID + Resource Manager over HTTPS (self-signed): clients must trust its certificate.
		return armfake.Start(ctx, armfake.WithPort(port))
	}
	return nil, fmt.Errorf("unknown fake %q: choose s3, gcs, swift, azure or azure-arm", kind)
}
