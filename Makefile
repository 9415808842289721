# irconform — two commands matter:
#   make conformance   full suite on the embedded envtest; reports in reports/out/latest/
#   make test          every test (unit tests, fakes, reports, scenarios lint, the suite)
# Both install what they need: envtest binaries (built from the Go module proxy, cached
# outside the checkout), Azurite (npm, pinned by lockfile) and Chromium (Debian) for the
# HTML report test.

SHELL := /bin/bash
K8S_VERSION  ?= 1.37.2
ETCD_VERSION ?= 3.7.0
GOOS   := $(shell go env GOOS)
GOARCH := $(shell go env GOARCH)
CACHE_HOME   := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)
ENVTEST_ASSETS ?= $(CACHE_HOME)/irconform/k8s/$(K8S_VERSION)-$(GOOS)-$(GOARCH)
# A KUBEBUILDER_ASSETS set by the user wins.
export KUBEBUILDER_ASSETS ?= $(ENVTEST_ASSETS)

FOCUS        ?=
LABEL_FILTER ?= $(if $(FOCUS),$(FOCUS),)
GO_TEST_FLAGS ?=
# make conformance runs the suite in this many processes, each with its own envtest and
# operator (irconform run --parallel): one per CPU by default.
PARALLEL ?= $(shell nproc 2>/dev/null || echo 1)
# make bench: suite runs compared for flakes, and the chainsaw the side-by-side runs.
BENCH_RUNS ?= 5
CHAINSAW_VERSION ?= v0.2.12
CHAINSAW_DIR := $(CACHE_HOME)/irconform/chainsaw/$(CHAINSAW_VERSION)

.PHONY: all test tidy-check hygiene conformance upstream-conformance envtest-bins azurite chromium chainsaw deps bench lint unit build cli help image image-reproducible mutate

all: test

help:
	@echo "make conformance [FOCUS=BOOT-003]  run the conformance suite, write reports/out/latest/ (latest-partial with FOCUS)"
	@echo "make test                          run every test"
	@echo "make upstream-conformance UPSTREAM_SRC=<checkout> [FOCUS=..]  the suite against the upstream operator + differential"
	@echo "make conformance PARALLEL=1         the same in one process (default: one per CPU)"
	@echo "make bench [BENCH_RUNS=5]          benchmarks (figures to reports/out/bench.json), chainsaw side-by-side"
	@echo "make mutate [MUTATION=name,...]    break the reference on purpose, report which specs catch it"
	@echo "make envtest-bins                  build kube-apiserver + etcd into $(ENVTEST_ASSETS)"
	@echo "make image                         OCI image (layout tar) of irconform + irconform-tests-ext, no daemon"

## envtest-bins: kube-apiserver and etcd built from the module proxy (first run ~10 min on 2 cores).
envtest-bins:
	@if [ -x "$(KUBEBUILDER_ASSETS)/kube-apiserver" ] && [ -x "$(KUBEBUILDER_ASSETS)/etcd" ]; then :; \
	elif [ "$(KUBEBUILDER_ASSETS)" != "$(ENVTEST_ASSETS)" ]; then \
	  echo "KUBEBUILDER_ASSETS=$(KUBEBUILDER_ASSETS) has no kube-apiserver/etcd; unset it to use the irconform cache" >&2; exit 1; \
	else K8S_VERSION=$(K8S_VERSION) ETCD_VERSION=$(ETCD_VERSION) hack/envtest-bins.sh "$(ENVTEST_ASSETS)"; fi

## azurite: the official Azure Storage emulator, for the Azure fake's differential test.
azurite: fakes/azure/azurite/node_modules/.package-lock.json
fakes/azure/azurite/node_modules/.package-lock.json: fakes/azure/azurite/package-lock.json
	cd fakes/azure/azurite && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## chromium: headless browser for the HTML report test (Debian package).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { echo "installing chromium (Debian)"; (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	    { echo "could not install chromium: run 'apt-get install chromium' as root" >&2; exit 1; }; }

deps: envtest-bins azurite chromium

build:
	go build ./...

## image: the container image of irconform and irconform-tests-ext, built without a daemon
## (static binaries on an empty base, CA bundle, non-root user; times from SOURCE_DATE_EPOCH,
## default the last commit's) as an OCI layout tar; its digest in bin/image/irconform-oci.tar.digest.
image:
	go run ./hack/image -out bin/image/irconform-oci.tar

## image-reproducible: build the image twice; the two digests (and files) must be equal.
image-reproducible:
	go run ./hack/image -out bin/image/repro-a/irconform-oci.tar >/dev/null
	go run ./hack/image -out bin/image/repro-b/irconform-oci.tar >/dev/null
	@cmp -s bin/image/repro-a/irconform-oci.tar bin/image/repro-b/irconform-oci.tar && \
	  echo "reproducible: two builds, one digest $$(cat bin/image/repro-a/irconform-oci.tar.digest)" || \
	  { echo "not reproducible: $$(cat bin/image/repro-a/irconform-oci.tar.digest) vs $$(cat bin/image/repro-b/irconform-oci.tar.digest)" >&2; exit 1; }

## lint: QA scenario linter over the shipped scenarios.
lint:
	go run ./cmd/irconform lint scenarios/

## tidy-check: go.mod/go.sum are exactly what `go mod tidy` writes (direct requires not marked indirect).
tidy-check:
	@go mod tidy -diff >/dev/null 2>&1 || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' (diff: go mod tidy -diff)" >&2; go mod tidy -diff | head -40 >&2; exit 1; }
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null))" || { echo "gofmt would change: $$(gofmt -l $$(git ls-files '*.go'))" >&2; exit 1; }

## hygiene: structure checks (internal/hygiene): which package may import which (ARCHITECTURE.md)
## and no exported package-level variable changed from outside its package. Fast; runs first.
hygiene:
	go test -count=1 ./internal/hygiene

## test: every test. The conformance suite runs as part of go test and writes reports too.
test: deps tidy-check hygiene
	go vet ./...
	go test -count=1 -timeout 40m $(GO_TEST_FLAGS) ./...

## cli: bin/irconform. go build's own cache makes this ~1 s when no source changed (it does
## not even re-link), where `go run` re-checks and copies the ~150 MB binary on every call.
cli:
	go build -o bin/irconform ./cmd/irconform

## conformance: the suite on the embedded envtest, reports in reports/out/latest/.
conformance: envtest-bins cli
	bin/irconform run --parallel $(PARALLEL) $(if $(LABEL_FILTER),--label-filter '$(LABEL_FILTER)',)

## chainsaw: the chainsaw binary for bench's side-by-side, built once from the Go module proxy
## into the cache, outside the checkout (hack/chainsaw/build.sh says how, and why a shim). A
## failed build leaves chainsaw.err there (bench prints it); it is not retried until that file
## is removed. Not part of make test.
chainsaw:
	@if [ -x "$(CHAINSAW_DIR)/chainsaw" ] || [ -f "$(CHAINSAW_DIR)/chainsaw.err" ]; then :; else \
	  hack/chainsaw/build.sh "$(CHAINSAW_VERSION)" "$(CHAINSAW_DIR)"; fi

## upstream-conformance: the suite against the upstream operator built from UPSTREAM_SRC (a checkout
## of github.com/openshift/cluster-image-registry-operator; binary cached by commit in
## ~/.cache/irconform/upstream/), the per-behaviour differential with the reference:
## reports/out/upstream/, reports/upstream/<commit>.json, docs/upstream-differential.md.
## Slow (failing specs wait out their timeouts): ~1 h on 2 cores; FOCUS=... runs a part.
upstream-conformance: envtest-bins
	@test -n "$(UPSTREAM_SRC)" || { echo "usage: make upstream-conformance UPSTREAM_SRC=<checkout of github.com/openshift/cluster-image-registry-operator> [FOCUS='<label filter>']" >&2; exit 2; }
	UPSTREAM_SRC="$(UPSTREAM_SRC)" FOCUS='$(LABEL_FILTER)' hack/upstream-conformance.sh

## bench: speed figures (not timed tests); JSON in reports/out/bench.json.
bench: envtest-bins cli chainsaw
	bin/irconform bench --out reports/out/bench.json --runs $(BENCH_RUNS) --chainsaw "$(CHAINSAW_DIR)/chainsaw"

## mutate: apply each break of hack/mutate/mutations/ alone (go build -overlay, the tree is
## not edited), run the specs of its IDs, report which caught it. A developer tool, not a gate.
## SUMMARY=reports/mutate/summary.md also writes the results as Markdown.
MUTATION ?=
SUMMARY ?=
mutate: envtest-bins
	go run ./hack/mutate $(if $(MUTATION),-only '$(MUTATION)',) $(if $(SUMMARY),-summary '$(SUMMARY)',)
