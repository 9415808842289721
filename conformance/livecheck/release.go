package livecheck

import (
	"fmt"
	"regexp"
	"strconv"
)

// Release is an OpenShift minor release (4.4, 4.18, ...). The zero value means "not known".
type Release struct {
	Major, Minor int
}

// Oldest and Newest bound the releases whose shapes the checks know, from the upstream
// operator's release branches (release-4.4 … release-5.1 of
// openshift/cluster-image-registry-operator). A release outside them is judged by the
// nearest known shapes, and said so once.
var (
	Oldest = Release{4, 4}
	Newest = Release{5, 1}
)

// Current is what envtest runs are judged as: the reference operator follows today's shapes.
var Current = Newest

var releaseRE = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:[.\-+].*)?$`)

// ParseRelease reads "4.7.16", "4.4.0-0.nightly-2020-03-18-092817" or "4.18" as a minor release.
func ParseRelease(version string) (Release, bool) {
	m := releaseRE.FindStringSubmatch(version)
	if m == nil {
		return Release{}, false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return Release{major, minor}, true
}

func (r Release) String() string {
	if r.IsZero() {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d", r.Major, r.Minor)
}

// IsZero is true for an unknown release.
func (r Release) IsZero() bool { return r.Major == 0 && r.Minor == 0 }

// Before is true when r is an older release than o.
func (r Release) Before(o Release) bool {
	if r.Major != o.Major {
		return r.Major < o.Major
	}
	return r.Minor < o.Minor
}

// AtLeast is true when r is o or newer.
func (r Release) AtLeast(o Release) bool { return !r.Before(o) }

// knownReleases are the releases with an upstream release branch.
var knownReleases = func() []Release {
	var out []Release
	for minor := 4; minor <= 23; minor++ {
		out = append(out, Release{4, minor})
	}
	return append(out, Release{5, 0}, Release{5, 1})
}()

// Known is true when the checks know this release's shapes.
func (r Release) Known() bool {
	for _, k := range knownReleases {
		if k == r {
			return true
		}
	}
	return false
}

// JudgedAs is the release whose shapes the checks apply: r itself when known, else the
// newest known release before it (its shapes are the latest r can have), the oldest for
// anything older, and the newest for an unreadable version.
func (r Release) JudgedAs() Release {
	if r.IsZero() {
		return Newest
	}
	out := Oldest
	for _, k := range knownReleases {
		if !r.Before(k) {
			out = k
		}
	}
	return out
}

// Releases where the operator's observable shapes changed. Each is cited to the upstream
// history it was read from (git -C <upstream> log/show on the named branch or commit).
var (
	// ClusterOperator conditions become a union of every controller's conditions: messages
	// prefixed "<Type>: ", reasons joined with "::", "AsExpected" when normal; and
	// relatedObjects become the static list of six. Upstream 9485764ea "Aggregate
	// conditions from all controllers" and 2e5523193 "Use static list for relatedObjects",
	// first on release-4.5; release-4.4 copies the Config's three conditions as they are
	// and lists the Config, the namespace and every object it generates.
	coUnion = Release{4, 5}
	// The Config API gains spec/status.storage.managementState and spec.logLevel
	// (Normal/Debug/Trace/TraceAll); before, spec.logging (an integer) alone set the registry
	// log level (0 error, 1 warn, 2-3 info, more debug). release-4.6 vendor/github.com/
	// openshift/api/imageregistry/v1/types.go and pkg/resource/podtemplatespec.go.
	storageManagementState = Release{4, 6}
	logLevelField          = Release{4, 6}
	// The pruner's --prune-registry follows the image config's internalRegistryHostname
	// (set while the registry Service exists, also when Unmanaged) and --registry-url is
	// added; before, it was true exactly when the Config was Managed. release-4.6
	// pkg/resource/prunercronjob.go (upstream PR 627, "Make pruner always aware of registry
	// name").
	prunerFollowsHostname = Release{4, 6}
	// Alert rules in PrometheusRule image-registry-operator-alerts (manifests/
	// 09-prometheus-rules.yaml on each release branch): ImageRegistryRemoved up to 4.4;
	// the storage alerts ImageRegistryStorageReadOnly and ImageRegistryStorageFull from 4.18.
	removedAlertLast    = Release{4, 4}
	storageAlertsArrive = Release{4, 18}
)
