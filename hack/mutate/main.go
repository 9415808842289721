// Command mutate runs the deliberate breaks of hack/mutate/mutations.yaml against the specs
// of their behaviour IDs and reports which specs caught each (make mutate). A developer
// tool, not a CI gate: it takes a build and a suite run per break.
//
//	go run ./hack/mutate                          # every mutation
//	go run ./hack/mutate -only bootstrap-forgets-powervs,ca-trust-target-keeps-dots
//	go run ./hack/mutate -list
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/irconform/irconform/internal/behaviorindex"
	"github.com/irconform/irconform/internal/mutate"
)

func main() {
	file := flag.String("file", "hack/mutate/mutations.yaml", "mutations list, relative to the repository root")
	only := flag.String("only", "", "comma-separated mutation names to run (default: all)")
	list := flag.Bool("list", false, "list the mutations and exit")
	out := flag.String("out", "reports/out/mutate", "work folder (builds, per-break reports) and mutate.json")
	verbose := flag.Bool("v", false, "show the suite's output")
	flag.Parse()
	if err := run(*file, *only, *out, *list, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(2)
	}
}

func run(file, only, out string, list, verbose bool) error {
	root, err := behaviorindex.FindRoot(".")
	if err != nil {
		return err
	}
	muts, err := mutate.Load(filepath.Join(root, file))
	if err != nil {
		return err
	}
	if only != "" {
		want := map[string]bool{}
		for _, n := range strings.Split(only, ",") {
			want[strings.TrimSpace(n)] = true
		}
		var sel []mutate.Mutation
		for _, m := range muts {
			if want[m.Name] {
				sel = append(sel, m)
				delete(want, m.Name)
			}
		}
		for n := range want {
			return fmt.Errorf("no mutation named %q (see -list)", n)
		}
		muts = sel
	}
	if list {
		for _, m := range muts {
			fmt.Printf("%-40s %-20s %s\n", m.Name, strings.Join(m.IDs, ","), m.Why)
		}
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	work := filepath.Join(root, out)
	rep, err := mutate.Execute(ctx, root, work, muts, mutate.GoRunner{Root: root, Verbose: verbose, Stdout: os.Stdout}, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Print(mutate.Table(rep))
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(work, "mutate.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Println("details:", path)
	return nil
}
