// Command mutate runs the deliberate breaks of hack/mutate/mutations/*.yaml against the specs
// of their behaviour IDs and reports which specs caught each (make mutate). A developer
// tool, not a CI gate: it takes a build and a suite run per break.
//
//	go run ./hack/mutate                          # every mutation
//	go run ./hack/mutate -only bootstrap-forgets-powervs,ca-trust-target-keeps-dots
//	go run ./hack/mutate -list
//	go run ./hack/mutate -summary reports/mutate/summary.md   # also write a Markdown summary
//	go run ./hack/mutate -from a/mutate.json,b/mutate.json -summary reports/mutate/summary.md
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
	"github.com/irconform/irconform/reports/catalogue"
)

func main() {
	file := flag.String("file", "hack/mutate/mutations", "mutations folder (every *.yaml in it) or one file, relative to the repository root")
	only := flag.String("only", "", "comma-separated mutation names to run (default: all)")
	list := flag.Bool("list", false, "list the mutations and exit")
	out := flag.String("out", "reports/out/mutate", "work folder (builds, per-break reports) and mutate.json")
	verbose := flag.Bool("v", false, "show the suite's output")
	summary := flag.String("summary", "", "also write the results as Markdown to this file (e.g. reports/mutate/summary.md)")
	from := flag.String("from", "", "comma-separated mutate.json files of earlier runs: merge them (no run) and write -summary")
	flag.Parse()
	if *from != "" {
		if err := summarize(*file, *from, *summary); err != nil {
			fmt.Fprintln(os.Stderr, "mutate:", err)
			os.Exit(2)
		}
		return
	}
	if err := run(*file, *only, *out, *summary, *list, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(2)
	}
}

func run(file, only, out, summary string, list, verbose bool) error {
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
	path := filepath.Join(work, mutate.FileJSON)
	if err := mutate.WriteJSON(path, rep); err != nil {
		return err
	}
	fmt.Println("details:", path)
	if summary != "" {
		if !filepath.IsAbs(summary) {
			summary = filepath.Join(root, summary)
		}
		if err := writeSummary(summary, rep); err != nil {
			return err
		}
		fmt.Println("summary:", summary)
	}
	return nil
}

// summarize merges the reports of earlier runs (batches, in the order they ran) into one
// summary of the breaks listed now, with the catalogue IDs no caught break names.
func summarize(file, from, summary string) error {
	if summary == "" {
		return fmt.Errorf("-from needs -summary FILE")
	}
	var reps []mutate.Report
	for _, p := range strings.Split(from, ",") {
		data, err := os.ReadFile(strings.TrimSpace(p))
		if err != nil {
			return err
		}
		var r mutate.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		reps = append(reps, r)
	}
	root, err := behaviorindex.FindRoot(".")
	if err != nil {
		return err
	}
	muts, err := mutate.Load(filepath.Join(root, file))
	if err != nil {
		return err
	}
	var ids []string
	for _, b := range catalogue.MustLoad().Behaviors {
		ids = append(ids, b.ID)
	}
	return writeSummary(summary, mutate.Current(mutate.Merge(reps...), muts, ids))
}

func writeSummary(path string, rep mutate.Report) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(mutate.Markdown(rep)), 0o644)
}
