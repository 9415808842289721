package main

import (
	"fmt"
	"os"
	"testing"
)

// cliDir holds the irconform binary the CLI tests share (built once, see buildCLI).
var cliDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "irconform-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cliDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
