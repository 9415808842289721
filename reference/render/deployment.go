package render

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// RegistryInputs is everything the registry Deployment and its private
// Secret are rendered from.
type RegistryInputs struct {
	Config       *imageregistryv1.Config
	ClusterProxy *configv1.Proxy // may be nil
	Storage      StorageConfig
	Image        string
	// ReleaseVersion goes to annotation release.openshift.io/version.
	ReleaseVersion string
	// FSGroup comes from the namespace annotation
	// openshift.io/sa.scc.supplemental-groups (ParseSupplementalGroups). Nil
	// renders no fsGroup (upstream refuses to render without it; the caller
	// decides).
	FSGroup *int64
	// DependenciesChecksum is computed by the caller over the referenced
	// secrets/configmaps (DependencyNames + Checksum) and lands in the pod
	// annotation imageregistry.operator.openshift.io/dependencies-checksum.
	DependenciesChecksum string
	// NodesHaveZoneLabel adds the topology.kubernetes.io/zone spread
	// constraint (DEP-POD-06: only when ≥1 node carries that label).
	NodesHaveZoneLabel bool
}

// ParseSupplementalGroups returns the first group id of the namespace
// annotation openshift.io/sa.scc.supplemental-groups (e.g. "1000430000/10000"
// → 1000430000), with upstream's error messages (DEP-POD-04).
func ParseSupplementalGroups(ns *corev1.Namespace) (int64, error) {
	if ns == nil {
		return 0, errors.New("namespace is nil")
	}
	sg, ok := ns.Annotations[SupplementalGroupsAnnotation]
	if !ok {
		return 0, fmt.Errorf("namespace %q doesn't have annotation %s", ns.Name, SupplementalGroupsAnnotation)
	}
	idx := strings.Index(sg, "/")
	if idx == -1 {
		return 0, fmt.Errorf("annotation %s in namespace %q doesn't contain '/'", SupplementalGroupsAnnotation, ns.Name)
	}
	gid, err := strconv.ParseInt(sg[:idx], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("unable to parse annotation %s in namespace %q: %s", SupplementalGroupsAnnotation, ns.Name, err)
	}
	return gid, nil
}

// Checksum returns "sha256:<hex>" over the JSON of objs, in order. Secrets and
// ConfigMaps are reduced to kind, name and content (metadata such as
// resourceVersion is ignored); a nil Secret/ConfigMap pointer stands for an
// absent (optional) object and hashes differently from an empty one.
//
// Implements DEPLOY-010, CRED-005 (upstream DEP-OBJ-01).
func Checksum(objs ...any) string {
	norm := make([]any, 0, len(objs))
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.Secret:
			if v == nil {
				norm = append(norm, "absent-secret")
				continue
			}
			data := map[string][]byte{}
			maps.Copy(data, v.Data)
			for k, s := range v.StringData {
				data[k] = []byte(s)
			}
			norm = append(norm, struct {
				Kind, Name, Type string
				Data             map[string][]byte
			}{"Secret", v.Name, string(v.Type), data})
		case *corev1.ConfigMap:
			if v == nil {
				norm = append(norm, "absent-configmap")
				continue
			}
			norm = append(norm, struct {
				Kind, Name string
				Data       map[string]string
				BinaryData map[string][]byte
			}{"ConfigMap", v.Name, v.Data, v.BinaryData})
		default:
			norm = append(norm, o)
		}
	}
	b, err := json.Marshal(norm)
	if err != nil {
		b = fmt.Appendf(nil, "%#v", norm)
	}
	return fmt.Sprintf("sha256:%x", sha256.Sum256(b))
}

// DependencyNames lists (sorted) the ConfigMaps and Secrets in the namespace
// whose content the registry pod consumes (CRED-06): the private
// configuration, image-registry-tls, installation-pull-secrets,
// image-registry-certificates, trusted-ca and whatever the storage driver's
// env and volumes reference.
//
// Implements CRED-005.
func DependencyNames(st StorageConfig) (configMaps, secrets []string) {
	cms := map[string]bool{ImageRegistryCertificatesName: true, TrustedCAName: true}
	secs := map[string]bool{PrivateConfigurationSecretName: true, TLSSecretName: true, InstallationPullSecretName: true}
	for _, v := range st.Volumes {
		if v.Secret != nil {
			secs[v.Secret.SecretName] = true
		}
		if v.ConfigMap != nil {
			cms[v.ConfigMap.Name] = true
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					secs[s.Secret.Name] = true
				}
				if s.ConfigMap != nil {
					cms[s.ConfigMap.Name] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(cms)), slices.Sorted(maps.Keys(secs))
}

// RegistryCommand is the registry container command (DEP-POD-01).
var RegistryCommand = []string{
	"/bin/sh", "-c",
	"mkdir -p /etc/pki/ca-trust/extracted/{edk2,java,openssl,pem} && update-ca-trust extract --output /etc/pki/ca-trust/extracted/ && exec /usr/bin/dockerregistry",
}

// DefaultRegistryResources are the requests used when spec.resources is nil (DEP-POD-03).
//
// Implements DEPLOY-009.
func DefaultRegistryResources() corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("256Mi"),
	}}
}

// unsupportedOverrides is the part of spec.unsupportedConfigOverrides the
// reference honours (DEP-OBJ-03).
type unsupportedOverrides struct {
	Deployment *struct {
		RuntimeClassName *string           `json:"runtimeClassName,omitempty"`
		Annotations      map[string]string `json:"annotations,omitempty"`
	} `json:"deployment,omitempty"`
}

func parseOverrides(cfg *imageregistryv1.Config) (unsupportedOverrides, error) {
	var o unsupportedOverrides
	raw := cfg.Spec.UnsupportedConfigOverrides.Raw
	if len(raw) == 0 && cfg.Spec.UnsupportedConfigOverrides.Object != nil {
		b, err := json.Marshal(cfg.Spec.UnsupportedConfigOverrides.Object)
		if err != nil {
			return o, fmt.Errorf(unsupportedOverridesErr, err)
		}
		raw = b
	}
	if len(raw) == 0 || string(raw) == "null" {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf(unsupportedOverridesErr, err)
	}
	return o, nil
}

// Strategy is DEP-OBJ-02: Recreate when spec.rolloutStrategy is Recreate or
// the storage forces it (PVC); otherwise RollingUpdate with 1/1 at exactly 2
// replicas and maxUnavailable=replicas-1, maxSurge 25% otherwise (upstream
// renders -1 at 0 replicas; kept as is).
//
// Implements DEPLOY-006, DEPLOY-009, PVC-005.
func Strategy(cfg *imageregistryv1.Config, forceRecreate bool) appsv1.DeploymentStrategy {
	if forceRecreate || cfg.Spec.RolloutStrategy == string(appsv1.RecreateDeploymentStrategyType) {
		return appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	var unavailable, surge intstr.IntOrString
	if cfg.Spec.Replicas == 2 {
		unavailable, surge = intstr.FromInt32(1), intstr.FromInt32(1)
	} else {
		unavailable, surge = intstr.FromInt32(cfg.Spec.Replicas-1), intstr.FromString("25%")
	}
	return appsv1.DeploymentStrategy{
		Type:          appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &unavailable, MaxSurge: &surge},
	}
}

func spreadConstraint(key string) corev1.TopologySpreadConstraint {
	honor := corev1.NodeInclusionPolicyHonor
	return corev1.TopologySpreadConstraint{
		MaxSkew:            1,
		TopologyKey:        key,
		WhenUnsatisfiable:  corev1.DoNotSchedule,
		LabelSelector:      &metav1.LabelSelector{MatchLabels: DeploymentLabels()},
		MatchLabelKeys:     []string{"pod-template-hash"},
		NodeAffinityPolicy: &honor,
		NodeTaintsPolicy:   &honor,
	}
}

// ZoneTopologyKey is the node label of a zone failure domain.
const ZoneTopologyKey = "topology.kubernetes.io/zone"

// TopologySpreadConstraints is DEP-POD-06: spec.topologySpreadConstraints when set (also
// empty); none when spec.nodeSelector is set; else a skew of at most 1 per hostname, per
// worker role, and per zone when some node has a zone label.
// Implements DEPLOY-011.
func TopologySpreadConstraints(cfg *imageregistryv1.Config, nodesHaveZoneLabel bool) []corev1.TopologySpreadConstraint {
	if cfg.Spec.TopologySpreadConstraints != nil {
		return cfg.Spec.TopologySpreadConstraints
	}
	if cfg.Spec.NodeSelector != nil {
		return nil
	}
	out := []corev1.TopologySpreadConstraint{
		spreadConstraint("kubernetes.io/hostname"),
		spreadConstraint("node-role.kubernetes.io/worker"),
	}
	if nodesHaveZoneLabel {
		out = append(out, spreadConstraint(ZoneTopologyKey))
	}
	return out
}

// Affinity is DEP-POD-05: spec.affinity, else required pod anti-affinity on
// the hostname at exactly 2 replicas, else none.
//
// Implements DEPLOY-006, DEPLOY-009.
func Affinity(cfg *imageregistryv1.Config) *corev1.Affinity {
	if cfg.Spec.Affinity != nil {
		return cfg.Spec.Affinity
	}
	if cfg.Spec.Replicas != 2 {
		return nil
	}
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			TopologyKey:   "kubernetes.io/hostname",
			Namespaces:    []string{Namespace},
			LabelSelector: &metav1.LabelSelector{MatchLabels: DeploymentLabels()},
		}},
	}}
}

// NodeSelector is spec.nodeSelector plus kubernetes.io/os=linux unless that key is set (DEP-POD-04).
//
// Implements DEPLOY-009.
func NodeSelector(spec map[string]string) map[string]string {
	out := map[string]string{}
	maps.Copy(out, spec)
	if _, ok := out[OSNodeSelectorKey]; !ok {
		out[OSNodeSelectorKey] = OSNodeSelectorValue
	}
	return out
}

func deepCopyVolumes(vs []corev1.Volume) []corev1.Volume {
	if vs == nil {
		return nil
	}
	out := make([]corev1.Volume, len(vs))
	for i := range vs {
		vs[i].DeepCopyInto(&out[i])
	}
	return out
}

// registryVolumes returns the storage volumes followed by the fixed ones (DEP-VOL-01).
func registryVolumes(st StorageConfig) ([]corev1.Volume, []corev1.VolumeMount) {
	optional := true
	vols := slices.Clone(st.Volumes)
	mounts := slices.Clone(st.Mounts)
	vols = append(vols,
		corev1.Volume{Name: "registry-tls", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{{Secret: &corev1.SecretProjection{
				LocalObjectReference: corev1.LocalObjectReference{Name: TLSSecretName},
			}}},
		}}},
		corev1.Volume{Name: "ca-trust-extracted", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		corev1.Volume{Name: "registry-certificates", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: ImageRegistryCertificatesName},
		}}},
		corev1.Volume{Name: "trusted-ca", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: TrustedCAName},
			Items:                []corev1.KeyToPath{{Key: TrustedCAKey, Path: "anchors/ca-bundle.crt"}},
			Optional:             &optional,
		}}},
		corev1.Volume{Name: InstallationPullSecretName, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: InstallationPullSecretName,
			Items:      []corev1.KeyToPath{{Key: corev1.DockerConfigJsonKey, Path: "config.json"}},
			Optional:   &optional,
		}}},
		corev1.Volume{Name: "bound-sa-token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{
				Audience: "openshift", Path: "token",
			}}},
		}}},
	)
	mounts = append(mounts,
		corev1.VolumeMount{Name: "registry-tls", MountPath: TLSMountPath},
		corev1.VolumeMount{Name: "ca-trust-extracted", MountPath: CATrustExtractedMountPath},
		corev1.VolumeMount{Name: "registry-certificates", MountPath: RegistryCertificatesMountPath},
		corev1.VolumeMount{Name: "trusted-ca", MountPath: TrustedCAMountPath},
		corev1.VolumeMount{Name: InstallationPullSecretName, MountPath: KubeletPullSecretMountPath},
		corev1.VolumeMount{Name: "bound-sa-token", MountPath: BoundSATokenMountPath, ReadOnly: true},
	)
	return vols, mounts
}

func registryProbe(initialDelay int32) *corev1.Probe {
	return &corev1.Probe{
		InitialDelaySeconds: initialDelay,
		TimeoutSeconds:      HealthzTimeout,
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Scheme: corev1.URISchemeHTTPS,
			Path:   HealthzPath,
			Port:   intstr.FromInt32(ContainerPort),
		}},
	}
}

// PodTemplate renders the registry pod template (DEP-POD-*, DEP-VOL-01).
//
// Implements DEPLOY-009, MGMT-008, CRED-005 (upstream DEP-POD-03, DEP-POD-04).
func PodTemplate(in RegistryInputs) (corev1.PodTemplateSpec, error) {
	if in.Config == nil {
		return corev1.PodTemplateSpec{}, errors.New("config is nil")
	}
	// Work on copies so the result shares no memory with the inputs.
	cfg := in.Config.DeepCopy()
	in.Config = cfg
	in.Storage.Volumes = deepCopyVolumes(in.Storage.Volumes)
	if err := ValidateSpec(cfg); err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	overrides, err := parseOverrides(cfg)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	list, err := RegistryEnv(in)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	env, err := ContainerEnv(list)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	vols, mounts := registryVolumes(in.Storage)

	resources := DefaultRegistryResources()
	if cfg.Spec.Resources != nil {
		resources = *cfg.Spec.Resources.DeepCopy()
	}
	var sc *corev1.PodSecurityContext
	if in.FSGroup != nil {
		gid := *in.FSGroup
		policy := corev1.FSGroupChangeOnRootMismatch
		sc = &corev1.PodSecurityContext{FSGroup: &gid, FSGroupChangePolicy: &policy}
	}
	readOnlyRoot := true
	grace := int64(55)

	annotations := map[string]string{
		WorkloadManagementAnnotation:   WorkloadManagementValue,
		DependenciesChecksumAnnotation: in.DependenciesChecksum,
		RequiredSCCAnnotation:          RequiredSCC,
	}
	tmpl := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: DeploymentLabels(), Annotations: annotations},
		Spec: corev1.PodSpec{
			Tolerations:       cfg.Spec.Tolerations,
			NodeSelector:      NodeSelector(cfg.Spec.NodeSelector),
			PriorityClassName: PriorityClassName,
			Containers: []corev1.Container{{
				Name:                     ContainerName,
				Image:                    in.Image,
				Command:                  slices.Clone(RegistryCommand),
				Ports:                    []corev1.ContainerPort{{ContainerPort: ContainerPort, Protocol: corev1.ProtocolTCP}},
				Env:                      env,
				VolumeMounts:             mounts,
				LivenessProbe:            registryProbe(5),
				ReadinessProbe:           registryProbe(15),
				Resources:                resources,
				TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
				SecurityContext:          &corev1.SecurityContext{ReadOnlyRootFilesystem: &readOnlyRoot},
				Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{
					Exec: &corev1.ExecAction{Command: []string{"sleep", "25"}},
				}},
			}},
			Volumes:                       vols,
			ServiceAccountName:            ServiceAccountName,
			SecurityContext:               sc,
			Affinity:                      Affinity(cfg),
			TopologySpreadConstraints:     TopologySpreadConstraints(cfg, in.NodesHaveZoneLabel),
			TerminationGracePeriodSeconds: &grace,
		},
	}
	if d := overrides.Deployment; d != nil {
		if d.RuntimeClassName != nil {
			rc := *d.RuntimeClassName
			tmpl.Spec.RuntimeClassName = &rc
		}
		maps.Copy(tmpl.Annotations, d.Annotations)
	}
	return tmpl, nil
}

// Deployment renders openshift-image-registry/image-registry (DEP-OBJ-01/02).
// Annotation imageregistry.operator.openshift.io/checksum is the Checksum of
// the rendered object (before the annotation is set), so it changes with any
// input that changes the object and only then.
//
// Implements MGMT-002, DEPLOY-006, DEPLOY-010 (upstream DEP-OBJ-02).
func Deployment(in RegistryInputs) (*appsv1.Deployment, error) {
	tmpl, err := PodTemplate(in)
	if err != nil {
		return nil, err
	}
	overrides, _ := parseOverrides(in.Config) // already validated by PodTemplate
	replicas := in.Config.Spec.Replicas
	progressDeadline := int32(120)
	annotations := map[string]string{VersionAnnotation: in.ReleaseVersion}
	if overrides.Deployment != nil {
		maps.Copy(annotations, overrides.Deployment.Annotations)
	}
	d := &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        DeploymentName,
			Namespace:   Namespace,
			Labels:      DeploymentLabels(),
			Annotations: annotations,
		},
		Spec: appsv1.DeploymentSpec{
			Replicas:                &replicas,
			Selector:                &metav1.LabelSelector{MatchLabels: DeploymentLabels()},
			Template:                tmpl,
			Strategy:                Strategy(in.Config, in.Storage.ForceRecreate),
			ProgressDeadlineSeconds: &progressDeadline,
		},
	}
	d.Annotations[ChecksumAnnotation] = Checksum(d.ObjectMeta.Labels, d.ObjectMeta.Annotations, d.Spec)
	return d, nil
}

// PodDisruptionBudget is DEP-OBJ-04: minAvailable 1 when replicas > 1 (else 0),
// selector docker-registry=default, unhealthyPodEvictionPolicy AlwaysAllow.
//
// Implements DEPLOY-006, MGMT-002.
func PodDisruptionBudget(replicas int32) *policyv1.PodDisruptionBudget {
	minAvailable := intstr.FromInt32(0)
	if replicas > 1 {
		minAvailable = intstr.FromInt32(1)
	}
	policy := policyv1.AlwaysAllow
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: PDBName, Namespace: Namespace},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable:               &minAvailable,
			Selector:                   &metav1.LabelSelector{MatchLabels: DeploymentLabels()},
			UnhealthyPodEvictionPolicy: &policy,
		},
	}
}
