#!/usr/bin/env bash
# The whole suite against the upstream operator, and the per-behaviour differential with the
# reference (make upstream-conformance UPSTREAM_SRC=<checkout> [FOCUS=<label filter>]):
#   1. builds the upstream operator from UPSTREAM_SRC (cached by commit, hack/upstream-build.sh);
#   2. runs the suite against the reference (in-process)      → reports/out/upstream/reference/
#   3. runs the suite against the upstream binary (a process) → reports/out/upstream/upstream/
#      (its log: reports/out/upstream/upstream/operator.log)
#   4. writes the differential: reports/upstream/<commit>.json, docs/upstream-differential.md
#      (merged spec by spec: a FOCUS run updates only the specs it ran, also in rows they
#      share with specs it did not select), copies in reports/out/upstream/.
# Failing specs are results, not errors; a run that cannot start stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."

src=${UPSTREAM_SRC:?set UPSTREAM_SRC to a checkout of github.com/openshift/cluster-image-registry-operator}
out=reports/out/upstream
eval "$(hack/upstream-build.sh "$src")"

mkdir -p "$out"
go build -o "$out/irconform" ./cmd/irconform
filter=()
if [[ -n "${FOCUS:-}" ]]; then
  filter=(--label-filter "$FOCUS")
fi

run() { # a run that fails specs exits 1: that is a result; anything else is not
  local rc=0
  "$@" || rc=$?
  if (( rc > 1 )); then
    echo "upstream-conformance: '$*' could not run (exit $rc)" >&2
    exit "$rc"
  fi
}

echo "== 1/3 the suite against the reference operator (in-process)" >&2
run "$out/irconform" run "${filter[@]}" --report-dir "$out/reference"
echo "== 2/3 the suite against the upstream operator ($UPSTREAM_BIN)" >&2
run "$out/irconform" run --operator upstream --operator-binary "$UPSTREAM_BIN" \
  --operator-manifests "$UPSTREAM_MANIFESTS" "${filter[@]}" --report-dir "$out/upstream"
echo "== 3/3 the differential" >&2
"$out/irconform" differential --reference "$out/reference/report.json" --upstream "$out/upstream/report.json" \
  --key "$UPSTREAM_KEY" --commit "$UPSTREAM_COMMIT" --out "$out"
