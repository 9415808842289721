package ote

import (
	"fmt"
	"sort"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
)

// Environment is what openshift-tests knows about the cluster, passed to `list` as flags
// (--platform, --optional-capability, ...).
type Environment struct {
	APIGroups            []string
	Architecture         string
	ExternalConnectivity string
	Facts                map[string]string
	FeatureGates         []string
	Network              string
	NetworkStack         string
	OptionalCapabilities []string
	Platform             string
	Topology             string
	Upgrade              string
	Version              string
}

// IsEmpty is true when no flag was given: then every test is listed.
func (e Environment) IsEmpty() bool {
	return len(e.APIGroups) == 0 && e.Architecture == "" && e.ExternalConnectivity == "" && len(e.Facts) == 0 &&
		len(e.FeatureGates) == 0 && e.Network == "" && e.NetworkStack == "" && len(e.OptionalCapabilities) == 0 &&
		e.Platform == "" && e.Topology == "" && e.Upgrade == "" && e.Version == ""
}

func (e Environment) vars() map[string]any {
	keys := make([]string, 0, len(e.Facts))
	for k := range e.Facts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	facts := e.Facts
	if facts == nil {
		facts = map[string]string{}
	}
	list := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	return map[string]any{
		"apiGroups": list(e.APIGroups), "architecture": e.Architecture, "externalConnectivity": e.ExternalConnectivity,
		"fact_keys": keys, "facts": facts, "featureGates": list(e.FeatureGates), "network": e.Network,
		"networkStack": e.NetworkStack, "optionalCapabilities": list(e.OptionalCapabilities), "platform": e.Platform,
		"topology": e.Topology, "upgrade": e.Upgrade, "version": e.Version,
	}
}

// newEnvironmentEnv declares the variables an environment selector may use.
func newEnvironmentEnv() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("apiGroups", cel.ListType(cel.StringType)),
		cel.Variable("architecture", cel.StringType),
		cel.Variable("externalConnectivity", cel.StringType),
		cel.Variable("fact_keys", cel.ListType(cel.StringType)),
		cel.Variable("facts", cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable("featureGates", cel.ListType(cel.StringType)),
		cel.Variable("network", cel.StringType),
		cel.Variable("networkStack", cel.StringType),
		cel.Variable("optionalCapabilities", cel.ListType(cel.StringType)),
		cel.Variable("platform", cel.StringType),
		cel.Variable("topology", cel.StringType),
		cel.Variable("upgrade", cel.StringType),
		cel.Variable("version", cel.StringType),
	)
}

// newSpecEnv declares the variables a suite qualifier may use.
func newSpecEnv() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("source", cel.StringType),
		cel.Variable("name", cel.StringType),
		cel.Variable("originalName", cel.StringType),
		cel.Variable("labels", cel.ListType(cel.StringType)),
		cel.Variable("codeLocations", cel.ListType(cel.StringType)),
		cel.Variable("tags", cel.MapType(cel.StringType, cel.StringType)),
	)
}

// eval compiles and evaluates one boolean CEL expression.
func eval(env *cel.Env, expr string, vars map[string]any) (bool, error) {
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return false, fmt.Errorf("CEL expression %q: %w", expr, iss.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		return false, fmt.Errorf("CEL expression %q: %w", expr, err)
	}
	out, _, err := prg.Eval(vars)
	if err != nil {
		return false, fmt.Errorf("evaluating CEL expression %q: %w", expr, err)
	}
	return out == types.True, nil
}

// ForEnvironment keeps the specs whose environment selector admits env: an exclusion that
// holds drops a spec; else an inclusion, when there is one, must hold. No flags: all specs.
func ForEnvironment(specs []Spec, env Environment) ([]Spec, error) {
	if env.IsEmpty() {
		return specs, nil
	}
	environmentEnv, err := newEnvironmentEnv()
	if err != nil {
		return nil, fmt.Errorf("CEL environment for environment selectors: %w", err)
	}
	vars := env.vars()
	var out []Spec
	for _, s := range specs {
		sel := s.EnvironmentSelector
		if sel.Exclude != "" {
			excluded, err := eval(environmentEnv, sel.Exclude, vars)
			if err != nil {
				return nil, fmt.Errorf("test %q: %w", s.Name, err)
			}
			if excluded {
				continue
			}
		}
		if sel.Include != "" {
			included, err := eval(environmentEnv, sel.Include, vars)
			if err != nil {
				return nil, fmt.Errorf("test %q: %w", s.Name, err)
			}
			if !included {
				continue
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// InSuite keeps the specs any of the qualifiers selects (none: all specs).
func InSuite(specs []Spec, qualifiers []string) ([]Spec, error) {
	if len(qualifiers) == 0 {
		return specs, nil
	}
	specEnv, err := newSpecEnv()
	if err != nil {
		return nil, fmt.Errorf("CEL environment for suite qualifiers: %w", err)
	}
	var out []Spec
	for _, s := range specs {
		tags := s.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		codeLocations := s.CodeLocations
		if codeLocations == nil {
			codeLocations = []string{}
		}
		vars := map[string]any{"name": s.Name, "source": s.Source, "originalName": s.OriginalName,
			"labels": s.Labels.List(), "codeLocations": codeLocations, "tags": tags}
		for _, q := range qualifiers {
			ok, err := eval(specEnv, q, vars)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, s)
				break
			}
		}
	}
	return out, nil
}
