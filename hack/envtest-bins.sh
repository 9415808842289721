#!/usr/bin/env bash
# Builds the envtest control plane (kube-apiserver + etcd) from the Go module proxy only:
# setup-envtest's release-bucket downloads are not reachable from this workplace.
#
# usage: hack/envtest-bins.sh <out-dir>
# env:   K8S_VERSION (default 1.37.2), ETCD_VERSION (default 3.7.0, the etcd Kubernetes 1.37 tests with)
#
# Idempotent: when both binaries exist and answer --version, it exits at once.
set -euo pipefail
K8S_VERSION=${K8S_VERSION:-1.37.2}
ETCD_VERSION=${ETCD_VERSION:-3.7.0}
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
START=$(date +%s)
step() { printf '[envtest-bins %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ] \
  && "$OUT/kube-apiserver" --version >/dev/null 2>&1 && "$OUT/etcd" --version >/dev/null 2>&1; then
  exit 0
fi

FREE_KB=$(df -Pk "${HOME}" | awk 'NR==2{print $4}')
if [ "${FREE_KB:-0}" -lt 7000000 ]; then
  echo "envtest-bins: only $((FREE_KB/1024)) MB free; the first build needs ~7 GB (module cache ~2.8 GB, build cache ~4 GB)." >&2
  echo "envtest-bins: free space (e.g. 'go clean -cache' once the binaries exist) and run 'make envtest-bins' again." >&2
  exit 1
fi

step "building kube-apiserver v$K8S_VERSION and etcd v$ETCD_VERSION into $OUT"
step "first build takes ~10 min on 2 cores; cached after (a second run is instant)"
STAGING=0.${K8S_VERSION#1.}   # 1.37.2 -> 0.37.2
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export GOFLAGS=-mod=mod GOWORK=off

# The two builds run in parallel: etcd is small and finishes while kube-apiserver still links.
(
  mkdir -p "$W/etcd" && cd "$W/etcd"
  printf 'module envtestbins/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" > go.mod
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' > main.go
  go mod tidy >/dev/null 2>&1 || go mod tidy
  step "etcd: compiling"
  go build -trimpath -ldflags "-s -w" -o "$OUT/etcd.tmp" . && mv "$OUT/etcd.tmp" "$OUT/etcd"
  step "etcd: done ($("$OUT/etcd" --version | head -1))"
) &
ETCD_PID=$!

mkdir -p "$W/kas" && cd "$W/kas"
step "kube-apiserver: resolving modules"
MOD=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
{ echo "module envtestbins/kas"; echo "go 1.26"; echo "require k8s.io/kubernetes v$K8S_VERSION"; echo "replace ("
  grep -E '=> \./staging/src/' "$MOD" | awk -v v="v$STAGING" '{print "\t" $1 " => " $1 " " v}'; echo ")"; } > go.mod
printf 'package tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' > tools.go
go mod tidy >/dev/null 2>&1 || go mod tidy
step "kube-apiserver: compiling (the long part)"
V=k8s.io/component-base/version
( while sleep 60; do step "kube-apiserver: still compiling..."; done ) &
TICK=$!
go build -trimpath -ldflags "-s -w -X $V.gitVersion=v$K8S_VERSION -X $V.gitMajor=1 -X $V.gitMinor=${STAGING#0.}" \
  -o "$OUT/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
kill $TICK 2>/dev/null || true
mv "$OUT/kube-apiserver.tmp" "$OUT/kube-apiserver"
step "kube-apiserver: done ($("$OUT/kube-apiserver" --version))"
wait $ETCD_PID
step "ready: KUBEBUILDER_ASSETS=$OUT"
