package harness

import (
	"debug/buildinfo"
	"fmt"
	"sort"
	"strings"
)

// Kinds of operator under test.
const (
	// OperatorInProcess is the reference operator run inside the suite's process (the
	// default): it shares the harness's clock, write hook and endpoint settings.
	OperatorInProcess = "in-process"
	// OperatorReference is the reference operator as its own process (`irconform operator`).
	OperatorReference = "reference"
	// OperatorUpstream is an upstream cluster-image-registry-operator binary as its own process.
	OperatorUpstream = "upstream"
)

// OperatorOptions choose the operator under test.
type OperatorOptions struct {
	// Kind is OperatorInProcess ("" too), OperatorReference or OperatorUpstream.
	Kind string
	// Binary is the executable of a process operator: `irconform` for the reference (it is
	// run as `irconform operator`), cluster-image-registry-operator for the upstream.
	Binary string
	// Manifests (upstream) is the operator's manifests folder: the PrometheusRules in it are
	// applied before each start, as the cluster-version operator does on a real cluster.
	Manifests string
	// LogDir receives operator.log, the process's output with one header line per start
	// ("" keeps it in the harness's work folder, deleted at the end).
	LogDir string
	// OpenShiftAPIVersion is the github.com/openshift/api version whose CRDs envtest
	// installs; "" takes it from the binary's build information, else irconform's own.
	OpenShiftAPIVersion string
}

// InProcess tells whether the operator runs inside the suite's process.
func (o OperatorOptions) InProcess() bool { return o.Kind == "" || o.Kind == OperatorInProcess }

// Validate says what is wrong with the options, in one line.
func (o OperatorOptions) Validate() error {
	switch o.Kind {
	case "", OperatorInProcess:
		if o.Binary != "" {
			return fmt.Errorf("operator binary %s given, but the operator runs in-process: choose --operator %s or %s", o.Binary, OperatorReference, OperatorUpstream)
		}
		return nil
	case OperatorReference, OperatorUpstream:
		if o.Binary == "" {
			return fmt.Errorf("operator %s runs as a process: give its binary (--operator-binary PATH)", o.Kind)
		}
		return nil
	}
	return fmt.Errorf("unknown operator %q: want %s, %s or %s", o.Kind, OperatorInProcess, OperatorReference, OperatorUpstream)
}

// Capability labels. A spec that needs something only the in-process operator offers says so
// with one of these labels; against an operator process it is skipped with the reason.
const (
	// NeedsClock: the spec moves the operator's clock (Env.Advance). A process runs on the
	// machine's clock.
	NeedsClock = "needs:clock"
	// NeedsEndpointInjection: the spec points the operator at a fake through a setting only
	// the in-process reference has (Settings.StorageEndpoints), with no cluster setting that
	// does the same.
	NeedsEndpointInjection = "needs:endpoint-injection"
	// NeedsReferenceHooks: the spec replaces a part of the reference operator (its Swift
	// probe, a driver).
	NeedsReferenceHooks = "needs:reference-hooks"
	// NeedsAzureIdentity: the spec gives the in-process reference an existing account's name
	// and key in installer-cloud-credentials (azure_storage_account_name/key), a form only the
	// reference reads; the upstream wants a service principal and Resource Manager, which
	// the Azure management fake serves to a process (the AZ-007..AZ-013 specs use it).
	NeedsAzureIdentity = "needs:azure-identity"
	// NeedsIBMCloudAPIs: the spec's IBM COS storage needs IAM and the Resource Controller,
	// which only the in-process reference reaches (through its endpoint settings).
	NeedsIBMCloudAPIs = "needs:ibm-cloud-apis"
	// NeedsOperatorMetrics: the spec scrapes the operator's /metrics at the URL the harness
	// knows for the in-process reference; a process serves it over TLS behind delegated
	// authentication, which the harness does not wire.
	NeedsOperatorMetrics = "needs:operator-metrics"
)

// processLacks says, for each capability label, why an operator process cannot offer it.
func processLacks() map[string]string {
	return map[string]string{
		NeedsClock:             "needs simulated time (Env.Advance); an operator process runs on the machine's clock",
		NeedsEndpointInjection: "needs the in-process endpoint override (Settings.StorageEndpoints); no cluster setting reaches the fake the same way",
		NeedsReferenceHooks:    "replaces a part of the in-process reference operator",
		NeedsAzureIdentity:     "gives the reference an existing account's name and key in installer-cloud-credentials (azure_storage_account_name/key), which only the reference reads; the upstream gets the key through Resource Manager with a service principal, which these specs do not set up",
		NeedsIBMCloudAPIs:      "needs IBM Cloud IAM and the Resource Controller by their host names; the TLS front does not route them to the IBM COS fake",
		NeedsOperatorMetrics:   "scrapes the operator's /metrics; an operator process serves it over TLS behind delegated authentication, which the harness does not wire",
	}
}

// Unavailable returns why a spec with these labels cannot run against the operator under
// test ("" when it can), and an error for a needs: label nobody knows (a typo in a spec).
func (e *Env) Unavailable(labels []string) (string, error) {
	lacks := processLacks()
	var why []string
	for _, l := range labels {
		if !strings.HasPrefix(l, "needs:") {
			continue
		}
		reason, known := lacks[l]
		if !known {
			keys := make([]string, 0, len(lacks))
			for k := range lacks {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return "", fmt.Errorf("unknown capability label %s (known: %s)", l, strings.Join(keys, ", "))
		}
		if !e.Operator.InProcess() {
			why = append(why, reason)
		}
	}
	if len(why) == 0 {
		return "", nil
	}
	return fmt.Sprintf("operator %s: %s", e.operatorName(), strings.Join(why, "; ")), nil
}

func (e *Env) operatorName() string {
	if e.Operator.InProcess() {
		return OperatorInProcess
	}
	return e.Operator.Kind
}

// builtWithOpenShiftAPI is the github.com/openshift/api version a Go binary was built with
// (from its build information; a replacement wins), "" when it does not say.
func builtWithOpenShiftAPI(binary string) (string, error) {
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("reading the build information of %s (is it a Go binary?): %w", binary, err)
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/openshift/api" {
			if d.Replace != nil {
				return d.Replace.Version, nil
			}
			return d.Version, nil
		}
	}
	return "", nil
}
