// Command gen regenerates reports/catalogue/behaviors.yaml from shared/spec/behaviors.md.
//
//	go generate ./reports/catalogue
//	go run ./reports/catalogue/gen -in ../shared/spec/behaviors.md -out reports/catalogue/behaviors.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/irconform/irconform/reports/catalogue"
)

func main() {
	in := flag.String("in", "../shared/spec/behaviors.md", "behaviors.md to read")
	out := flag.String("out", "reports/catalogue/behaviors.yaml", "YAML file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	md, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	c, err := catalogue.Parse(md)
	if err != nil {
		return err
	}
	data, err := catalogue.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d behaviours\n", out, len(c.Behaviors))
	return nil
}
