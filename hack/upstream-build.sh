#!/usr/bin/env bash
# Builds the upstream cluster-image-registry-operator from a checkout the user points at and
# caches the binary outside the repository, keyed by what was built:
#   ~/.cache/irconform/upstream/<key>/cluster-image-registry-operator
# <key> is the checkout's commit (git, clean tree), <commit>-dirty-<hash of the diff> for a
# modified checkout, or tree-<hash of the files> for a folder without git. A second run with
# the same key reuses the binary (the first build takes ~10 minutes on 2 cores).
#
# Usage: hack/upstream-build.sh SRC
# Prints shell assignments on stdout: UPSTREAM_BIN, UPSTREAM_KEY, UPSTREAM_COMMIT (empty
# without git), UPSTREAM_MANIFESTS. Progress goes to stderr.
set -euo pipefail

src=${1:?usage: hack/upstream-build.sh PATH-TO-cluster-image-registry-operator-CHECKOUT}
src=$(cd "$src" && pwd)
cacheroot=${XDG_CACHE_HOME:-$HOME/.cache}/irconform/upstream
if [[ "$(git -C "$src" rev-parse --is-bare-repository 2>/dev/null)" == true ]]; then
  # A bare repository (a mirror or snapshot): build its HEAD from an export kept beside the
  # cached binary (the export is also where the manifests are read from).
  commit=$(git -C "$src" rev-parse HEAD)
  export_dir=$cacheroot/$commit/src
  if [[ ! -f "$export_dir/go.mod" ]]; then
    echo "exporting $commit from the bare repository $src to $export_dir..." >&2
    rm -rf "$export_dir.tmp" && mkdir -p "$export_dir.tmp"
    git -C "$src" archive --format=tar HEAD | tar -x -C "$export_dir.tmp"
    rm -rf "$export_dir" && mv "$export_dir.tmp" "$export_dir"
  fi
  bin=$cacheroot/$commit/cluster-image-registry-operator
  if [[ ! -x "$bin" ]]; then
    echo "building the upstream operator from $export_dir (key $commit; ~10 min on 2 cores)..." >&2
    start=$(date +%s)
    (cd "$export_dir" && GOFLAGS=-mod=vendor GOPROXY=off go build -o "$bin.tmp" ./cmd/cluster-image-registry-operator) >&2
    mv "$bin.tmp" "$bin"
    echo "built $bin in $(( $(date +%s) - start ))s" >&2
  else
    echo "reusing $bin" >&2
  fi
  printf 'UPSTREAM_BIN=%q\nUPSTREAM_KEY=%q\nUPSTREAM_COMMIT=%q\nUPSTREAM_MANIFESTS=%q\n' "$bin" "$commit" "$commit" "$export_dir/manifests"
  exit 0
fi
if [[ ! -f "$src/go.mod" ]] || ! grep -q '^module github.com/openshift/cluster-image-registry-operator' "$src/go.mod"; then
  echo "$src is not a checkout of github.com/openshift/cluster-image-registry-operator (no such module in go.mod)" >&2
  exit 2
fi

commit=""
if git -C "$src" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  commit=$(git -C "$src" rev-parse HEAD)
  if [[ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ]]; then
    key=$commit
  else
    key="$commit-dirty-$(git -C "$src" diff HEAD | sha256sum | cut -c1-12)"
  fi
else
  echo "hashing $src (no git: the cache key is the content)..." >&2
  key="tree-$(cd "$src" && find . -type f -not -path './.git/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
fi

cache=$cacheroot/$key
bin=$cache/cluster-image-registry-operator
if [[ -x "$bin" ]]; then
  echo "reusing $bin" >&2
else
  mkdir -p "$cache"
  if [[ -d "$src/vendor" ]]; then
    # The upstream vendors its dependencies: the build needs no network.
    export GOFLAGS=-mod=vendor GOPROXY=off
  fi
  echo "building the upstream operator from $src (key $key; ~10 min on 2 cores)..." >&2
  start=$(date +%s)
  (cd "$src" && go build -o "$bin.tmp" ./cmd/cluster-image-registry-operator) >&2
  mv "$bin.tmp" "$bin"
  echo "built $bin in $(( $(date +%s) - start ))s" >&2
fi

printf 'UPSTREAM_BIN=%q\nUPSTREAM_KEY=%q\nUPSTREAM_COMMIT=%q\nUPSTREAM_MANIFESTS=%q\n' "$bin" "$key" "$commit" "$src/manifests"
