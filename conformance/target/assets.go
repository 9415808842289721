package target

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"
)

// K8sVersion is the kube-apiserver version the envtest binaries are built at; it matches
// controller-runtime's k8s.io/* minor. Keep in sync with K8S_VERSION in the Makefile.
const K8sVersion = "1.37.2"

// FixCommand is what a user runs to build the control-plane binaries.
const FixCommand = "make envtest-bins"

// AssetsDir finds the directory holding kube-apiserver and etcd. KUBEBUILDER_ASSETS set by
// the user wins; otherwise the versioned cache that `make envtest-bins` fills
// (~/.cache/irconform/k8s/<version>-<os>-<arch>, outside the checkout so clean clones reuse it).
func AssetsDir() (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	source := "KUBEBUILDER_ASSETS"
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("locating the user cache directory: %w (set KUBEBUILDER_ASSETS or run `%s`)", err, FixCommand)
		}
		dir = filepath.Join(cache, "irconform", "k8s", fmt.Sprintf("%s-%s-%s", K8sVersion, runtime.GOOS, runtime.GOARCH))
		source = "the irconform cache"
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		st, err := os.Stat(filepath.Join(dir, bin))
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 || st.Size() < 1<<20 {
			return "", fmt.Errorf("envtest binary %s missing or unusable in %s (%s): run `%s` (first build ~10 min on 2 cores, cached after)", bin, dir, source, FixCommand)
		}
	}
	return dir, nil
}

// openshiftAPIModule is the module whose CRD YAML the suite installs (no copied CRDs).
const openshiftAPIModule = "github.com/openshift/api"

// prometheusOperatorModule ships the PrometheusRule CRD YAML under example/; it is not a Go
// dependency of irconform (only its pkg/apis/monitoring submodule is), so it is located with
// `go mod download`.
const (
	prometheusOperatorModule  = "github.com/prometheus-operator/prometheus-operator"
	prometheusOperatorVersion = "v0.85.0"
)

// CRDPaths lists exactly the CRD files to install, from irconform's own openshift/api.
func CRDPaths() ([]string, error) { return CRDPathsAt("") }

// CRDPathsAt lists the CRD files to install from openshift/api at version ("": the version
// irconform is built with). An operator built against another openshift/api is tested with
// that version's CRDs, so that the fields it writes exist (the module proxy serves it).
//
// Where openshift/api ships feature-set variants, only the -Default one is listed: a whole
// directory would load every variant and silently keep the last (TechPreview), and the
// non-Default infrastructures variants exceed the 1.37 CEL cost budget and are rejected.
func CRDPathsAt(version string) ([]string, error) {
	out, err := openShiftCRDPaths(version)
	if err != nil {
		return nil, err
	}
	prom, err := downloadedModuleDir(prometheusOperatorModule, prometheusOperatorVersion)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"prometheusrules", "servicemonitors"} {
		p := filepath.Join(prom, "example/prometheus-operator-crd/monitoring.coreos.com_"+name+".yaml")
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s CRD not found at %s: %w", name, p, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// openShiftCRD is one CRD file the suite installs: base is its path without the feature-set
// suffix and ".crd.yaml"; variants are the suffixes tried in order ("" is the plain file, which
// a version has where there is only one).
type openShiftCRD struct {
	base     string
	variants []string
}

// openShiftCRDs are the CRD files the suite installs: the -Default variant where there are
// variants, the plain file where a version has only one (images became a single file in 2026).
func openShiftCRDs() []openShiftCRD {
	def := []string{"-Default", ""}
	return []openShiftCRD{
		{"imageregistry/v1/zz_generated.crd-manifests/00_configs", def},
		{"imageregistry/v1/zz_generated.crd-manifests/01_imagepruners", def},
		{"config/v1/zz_generated.crd-manifests/0000_00_cluster-version-operator_01_clusteroperators", def},
		// TechPreviewNoUpgrade: the Default variant prunes status.desired.architecture (it is
		// served under the ImageStreamImportMode feature gate), so a multi-architecture payload
		// could not be stated (IMGCFG-002); otherwise it adds only spec.signatureStores.
		{"config/v1/zz_generated.crd-manifests/0000_00_cluster-version-operator_01_clusterversions", []string{"-TechPreviewNoUpgrade", "-Default", ""}},
		{"config/v1/zz_generated.crd-manifests/0000_10_config-operator_01_infrastructures", def},
		// TechPreviewNoUpgrade differs from Default only in serving imageStreamImportMode
		// (spec and status), which the operator writes when that feature gate is on (IMGCFG-002).
		{"config/v1/zz_generated.crd-manifests/0000_10_config-operator_01_images", []string{"-TechPreviewNoUpgrade", ""}},
		{"config/v1/zz_generated.crd-manifests/0000_03_config-operator_01_proxies", def},
		// FeatureGate and APIServer: the cluster-wide settings an operator process reads at start
		// (an upstream operator waits for its version in the FeatureGate status).
		{"config/v1/zz_generated.crd-manifests/0000_10_config-operator_01_featuregates", def},
		{"config/v1/zz_generated.crd-manifests/0000_10_config-operator_01_apiservers", def},
		{"route/v1/zz_generated.crd-manifests/routes", def},
	}
}

// OpenShiftCRDPaths lists the openshift/api CRD files the suite installs (the scenario linter
// checks scenarios against the same files).
func OpenShiftCRDPaths() ([]string, error) { return openShiftCRDPaths("") }

func openShiftCRDPaths(version string) ([]string, error) {
	var dir string
	var err error
	if version == "" {
		dir, err = moduleDir(openshiftAPIModule)
	} else {
		dir, err = downloadedModuleDir(openshiftAPIModule, version)
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, crd := range openShiftCRDs() {
		found := ""
		for _, variant := range crd.variants {
			p := filepath.Join(dir, crd.base+variant+".crd.yaml")
			if _, err := os.Stat(p); err == nil {
				found = p
				break
			}
		}
		if found == "" {
			return nil, fmt.Errorf("CRD %s%v.crd.yaml not found in %s: run `go mod download` (module cache incomplete?)", crd.base, crd.variants, dir)
		}
		out = append(out, found)
	}
	return out, nil
}

// moduleDir finds a dependency's directory in the module cache from the binary's own build
// info, so no `go` command is needed at run time.
func moduleDir(path string) (string, error) {
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				version = d.Version
				if d.Replace != nil {
					version = d.Replace.Version
				}
			}
		}
	}
	if version == "" {
		// Test binaries carry no dependency list: ask the go command (go test runs inside
		// the module, so `go list -m` knows the pinned version).
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
		if err != nil || strings.TrimSpace(string(out)) == "" {
			return "", fmt.Errorf("module %s is not in this binary's build info and `go list -m %s` failed (%v): run from the irconform checkout", path, path, err)
		}
		return strings.TrimSpace(string(out)), nil
	}
	dir, err := cacheDir(path, version)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(dir); err != nil {
		return downloadedModuleDir(path, version)
	}
	return dir, nil
}

func cacheDir(path, version string) (string, error) {
	modcache := os.Getenv("GOMODCACHE")
	if modcache == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			gopath = filepath.Join(home, "go")
		}
		modcache = filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "pkg", "mod")
	}
	ep, err := module.EscapePath(path)
	if err != nil {
		return "", err
	}
	ev, err := module.EscapeVersion(version)
	if err != nil {
		return "", err
	}
	return filepath.Join(modcache, ep+"@"+ev), nil
}

// downloadedModuleDir asks the go command to fetch a module (from the module proxy, the
// only source reachable here) and returns its directory.
func downloadedModuleDir(path, version string) (string, error) {
	if dir, err := cacheDir(path, version); err == nil {
		if _, err := os.Stat(dir); err == nil {
			return dir, nil
		}
	}
	out, err := exec.Command("go", "mod", "download", "-json", path+"@"+version).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("go mod download %s@%s: %w", path, version, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, `"Dir": "`) {
			return strings.TrimSuffix(strings.TrimPrefix(line, `"Dir": "`), `",`), nil
		}
	}
	return "", fmt.Errorf("go mod download %s@%s printed no Dir", path, version)
}
