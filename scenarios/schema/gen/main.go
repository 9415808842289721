// Command gen writes the scenario JSON Schema (go generate ./scenarios/schema).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/irconform/irconform/scenarios/schema"
)

func main() {
	out := flag.String("out", schema.File, "output file")
	flag.Parse()
	b, err := schema.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
