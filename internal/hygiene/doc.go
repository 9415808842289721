// Package hygiene holds the repository's structure checks, as tests (run by `go test ./...`
// and `make hygiene`): which package may import which (ARCHITECTURE.md) and that no
// exported package-level variable is changed from outside its package. It has no code of
// its own.
package hygiene
