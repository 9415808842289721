#!/usr/bin/env bash
# Builds chainsaw (github.com/kyverno/chainsaw) for `make bench`'s side-by-side into DIR, outside
# the checkout, from the Go module proxy: DIR/chainsaw. When it does not build, DIR/chainsaw.err
# says why (bench prints it) and the script still exits 0: the bench is not a gate.
#
# v0.2.12 (the version served here) does not build with Go >= 1.25 as published: its test
# runner's TestDeps lacks testing.testDeps's new ModulePath method. The module's source is
# copied to DIR/src and that one method added (zz_irconform_module_path.go.txt beside this
# script); the build is otherwise the module's own go.mod and go.sum.
set -euo pipefail
version=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
fail() {
  { echo "$1"; grep -v '^go: downloading' "$dir/build.log" 2>/dev/null | head -8 || true; } > "$dir/chainsaw.err"
  echo "chainsaw did not build; why: $dir/chainsaw.err" >&2
  exit 0
}
echo "building chainsaw $version into $dir (first time: several minutes)"
(cd "$dir" && GOFLAGS= go mod download -json "github.com/kyverno/chainsaw@$version" >"$dir/build.log" 2>&1) || true
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$dir/build.log")
[ -n "$src" ] || fail "go mod download github.com/kyverno/chainsaw@$version failed:"
rm -rf "$dir/src" && mkdir -p "$dir/src"
cp -r "$src/go.mod" "$src/go.sum" "$src/main.go" "$src/pkg" "$dir/src/" && chmod -R u+w "$dir/src"
cp "$here/zz_irconform_module_path.go.txt" "$dir/src/pkg/runner/internal/zz_irconform_module_path.go"
(cd "$dir/src" && GOFLAGS= GOWORK=off go build -o "$dir/chainsaw" . >"$dir/build.log" 2>&1) ||
  fail "go build of github.com/kyverno/chainsaw@$version (plus the ModulePath shim) with $(go env GOVERSION) failed:"
rm -f "$dir/chainsaw.err"
