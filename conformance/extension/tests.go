// Package extension lists irconform's live specs as openshift-tests extension tests: stable
// names carrying behaviour IDs, labels, lifecycle (divergence: informing; else blocking),
// environment selectors (the ImageRegistry capability; platforms for the storage checks) and
// the two suites, irconform/readonly and irconform/disruptive. Each test is one Ginkgo spec
// of conformance/specs, run against the live cluster by cmd/irconform-tests-ext.
package extension

import (
	"fmt"
	"strings"
	"time"

	"github.com/irconform/irconform/conformance/livecheck"
	"github.com/irconform/irconform/conformance/specs"
	"github.com/irconform/irconform/internal/ote"
)

// Component is what the extension is about, as openshift-tests identifies it.
var Component = ote.Component{Product: "openshift", Kind: "non-payload", Name: "irconform"}

// Suite names.
const (
	SuiteReadOnly   = "irconform/readonly"
	SuiteDisruptive = "irconform/disruptive"
)

// Test is one extension test and the spec that runs it.
type Test struct {
	ote.Spec
	// Spec is the Ginkgo spec (by name) that runs this test.
	GinkgoSpec specs.LiveSpec
	Disruptive bool
}

// Capability is the optional cluster capability that installs the image registry operator.
const Capability = "ImageRegistry"

// capabilityExclude drops every test on a cluster whose optional capabilities are known and
// do not include the image registry (with none listed at all, the tests run and skip with
// "serves no imageregistry API" if it is absent).
var capabilityExclude = fmt.Sprintf(`size(optionalCapabilities) > 0 && !optionalCapabilities.exists(c, c == %q)`, Capability)

// storagePlatforms are the platforms (openshift-tests' --platform: the Infrastructure's
// platform type in lower case) on which the operator configures storage the checks know how
// to judge: every platform with a default storage stanza in the behaviour catalogue (BOOT).
var storagePlatforms = []string{"aws", "azure", "gcp", "ibmcloud", "powervs", "openstack", "ovirt",
	"baremetal", "vsphere", "none", "nutanix", "kubevirt", "equinixmetal", "alibabacloud", "external", "libvirt"}

// credentialPlatforms are those whose storage is an object store reached with cloud
// credentials (the operator writes them into image-registry-private-configuration).
var credentialPlatforms = []string{"aws", "azure", "gcp", "ibmcloud", "powervs", "openstack"}

func platformIn(ps []string) string {
	quoted := make([]string, len(ps))
	for i, p := range ps {
		quoted[i] = fmt.Sprintf("%q", p)
	}
	return "platform in [" + strings.Join(quoted, ", ") + "]"
}

// Name is a test's stable name: sig, project, behaviour IDs, then what it checks; disruptive
// tests carry [Serial][Disruptive] as openshift-tests expects.
func Name(s specs.LiveSpec, disruptive bool) string {
	var b strings.Builder
	b.WriteString("[sig-imageregistry][irconform]")
	for _, id := range s.IDs {
		b.WriteString("[" + id + "]")
	}
	if disruptive {
		b.WriteString("[Serial][Disruptive]")
	}
	b.WriteString(" " + s.Title)
	return b.String()
}

// Tests lists every extension test: the live checks, then the disruptive specs.
func Tests() []Test {
	var out []Test
	for _, c := range livecheck.Checks() {
		out = append(out, newTest(specs.LiveCheckSpec(c), c.Traits, c.Name, false))
	}
	for _, d := range specs.DisruptiveSpecs() {
		out = append(out, newTest(d, nil, "", true))
	}
	return out
}

func newTest(s specs.LiveSpec, traits []string, check string, disruptive bool) Test {
	labels := append(append([]string{"live"}, s.IDs...), traits...)
	if disruptive {
		labels = append(labels, "disruptive")
	}
	spec := ote.Spec{
		Name:          Name(s, disruptive),
		Labels:        ote.NewLabels(labels...),
		Tags:          map[string]string{"behaviours": strings.Join(s.IDs, " ")},
		Source:        Component.Identifier(),
		CodeLocations: []string{"github.com/irconform/irconform/conformance/specs: " + s.FullText()},
		Lifecycle:     ote.Blocking,
		EnvironmentSelector: ote.EnvironmentSelector{
			Exclude: capabilityExclude,
		},
	}
	if check != "" {
		spec.Tags["check"] = check
		spec.CodeLocations = append(spec.CodeLocations, "github.com/irconform/irconform/conformance/livecheck: check "+check)
	}
	for _, t := range traits {
		if t == "divergence" {
			// The documents and the upstream operator disagree: worth knowing, not worth a red job.
			spec.Lifecycle = ote.Informing
		}
	}
	if disruptive {
		spec.Resources.Isolation = ote.Isolation{Mode: "exclusive"}
	}
	switch {
	case hasArea(s.IDs, "CRED"):
		spec.EnvironmentSelector.Include = platformIn(credentialPlatforms)
	case hasArea(s.IDs, "STOR"):
		spec.EnvironmentSelector.Include = platformIn(storagePlatforms)
	}
	return Test{Spec: spec, GinkgoSpec: s, Disruptive: disruptive}
}

func hasArea(ids []string, area string) bool {
	for _, id := range ids {
		if strings.HasPrefix(id, area+"-") {
			return true
		}
	}
	return false
}

// Suites are the suites the extension advertises. Read-only checks run in parallel on a
// stable cluster; disruptive ones one at a time, as they change the registry (and restore it).
func Suites() []ote.Suite {
	readonlyTimeout, disruptiveTimeout := 5*time.Minute, 15*time.Minute
	source := fmt.Sprintf("source == %q", Component.Identifier())
	return []ote.Suite{
		{
			Name:             SuiteReadOnly,
			Description:      "irconform live checks of the image registry: read-only, each object read by name",
			Parents:          []string{"openshift/conformance/parallel"},
			Qualifiers:       []string{fmt.Sprintf(`(%s) && !labels.exists(l, l == "disruptive")`, source)},
			Count:            1,
			Parallelism:      10,
			ClusterStability: ote.Stable,
			TestTimeout:      &readonlyTimeout,
		},
		{
			Name:             SuiteDisruptive,
			Description:      "irconform disruptive specs: each changes one registry setting and restores it exactly",
			Parents:          []string{"openshift/disruptive"},
			Qualifiers:       []string{fmt.Sprintf(`(%s) && labels.exists(l, l == "disruptive")`, source)},
			Count:            1,
			Parallelism:      1,
			ClusterStability: ote.Disruptive,
			TestTimeout:      &disruptiveTimeout,
		},
	}
}
