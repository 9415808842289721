package runner

// Reading the pod template of a workload object map (Deployment, Job, CronJob), for the env
// and arg checks.

// podSpec returns the pod spec inside a Deployment, Job, CronJob, DaemonSet, StatefulSet or
// Pod object map (nil when there is none).
func podSpec(obj map[string]any) map[string]any {
	dig := func(m map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			n, ok := m[k].(map[string]any)
			if !ok {
				return nil
			}
			m = n
		}
		return m
	}
	switch obj["kind"] {
	case "Pod":
		return dig(obj, "spec")
	case "CronJob":
		return dig(obj, "spec", "jobTemplate", "spec", "template", "spec")
	default:
		return dig(obj, "spec", "template", "spec")
	}
}

// containers lists the containers (init containers included) of an object's pod spec.
func containers(obj map[string]any) []map[string]any {
	ps := podSpec(obj)
	var out []map[string]any
	for _, k := range []string{"initContainers", "containers"} {
		l, _ := ps[k].([]any)
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// envVar is one environment variable as found in a pod template.
type envVar struct {
	value    string
	hasValue bool
	// secretName/secretKey are set when the value comes from valueFrom.secretKeyRef.
	secretName, secretKey string
}

// findEnv returns the first env var called name in any container.
func findEnv(obj map[string]any, name string) (envVar, bool) {
	for _, c := range containers(obj) {
		l, _ := c["env"].([]any)
		for _, e := range l {
			m, _ := e.(map[string]any)
			if m["name"] != name {
				continue
			}
			var ev envVar
			if v, ok := m["value"].(string); ok {
				ev.value, ev.hasValue = v, true
			}
			if vf, ok := m["valueFrom"].(map[string]any); ok {
				if sk, ok := vf["secretKeyRef"].(map[string]any); ok {
					ev.secretName, _ = sk["name"].(string)
					ev.secretKey, _ = sk["key"].(string)
				}
			}
			return ev, true
		}
	}
	return envVar{}, false
}

// args returns every command and args entry of every container of obj's pod template.
func args(obj map[string]any) []string {
	var out []string
	for _, c := range containers(obj) {
		for _, k := range []string{"command", "args"} {
			l, _ := c[k].([]any)
			for _, a := range l {
				if s, ok := a.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
