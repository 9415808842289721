package specs

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/irconform/irconform/fakes/fault"
)

const (
	credUserAccessKey = "AKIAIRCONFORMUSER001"
	credUserSecretKey = "irconform-user-SECRET-do-not-log-0001"
	credChecksumKey   = "imageregistry.operator.openshift.io/dependencies-checksum"
)

func credIni(ak, sk string) string {
	return "[default]\naws_access_key_id = " + ak + "\naws_secret_access_key = " + sk + "\n"
}

// credUserKeyfile is the GCS fake's keyfile with a marker, so that it differs from the minted one.
func credUserKeyfile() []byte {
	GinkgoHelper()
	var kf map[string]any
	Expect(json.Unmarshal(storFakes.GCS.KeyfileJSON, &kf)).To(Succeed(), "parse the GCS fake's key file")
	kf["client_id"] = "200000000000000000002"
	b, err := json.Marshal(kf)
	Expect(err).NotTo(HaveOccurred(), "write the user key file")
	return b
}

func credChecksum(g Gomega, r client.Reader) string {
	sum := getDeployment(g, r).Spec.Template.Annotations[credChecksumKey]
	g.Expect(sum).NotTo(BeEmpty(), "pod template annotation %s", credChecksumKey)
	return sum
}

// credLogs captures the operator's log lines.
type credLogs struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (c *credLogs) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.buf.WriteString(prefix + " " + args + "\n")
	}, funcr.Options{Verbosity: 10})
}

func (c *credLogs) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

var _ = Describe("Storage credentials", Label("storage"), func() {
	storUseFakes()

	It("S3: the user secret's two keys override installer-cloud-credentials", Label("CRED-001", "CRED-002", "platform:aws"), func() {
		storCreateSecret(storUserSecret, map[string]string{"REGISTRY_STORAGE_S3_ACCESSKEY": credUserAccessKey, "REGISTRY_STORAGE_S3_SECRETKEY": credUserSecretKey})
		createConfig(storManaged(storS3(nil)))
		storStart(configv1.AWSPlatformType, nil) // also mints installer-cloud-credentials with the fake's keys
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			s := storPrivateSecret(g, r)
			g.Expect(string(s.Data["credentials"])).To(Equal(credIni(credUserAccessKey, credUserSecretKey)), "Secret image-registry-private-configuration data[credentials]")
			storExpectStorageExistsTrue(g, getConfig(g, r), "Creation Successful", "S3 Bucket Exists")
		})
	})

	It("GCS: the user secret's REGISTRY_STORAGE_GCS_KEYFILE overrides installer-cloud-credentials", Label("CRED-001", "CRED-002", "platform:gcp"), func() {
		user := credUserKeyfile()
		storCreateSecret(storUserSecret, map[string]string{"REGISTRY_STORAGE_GCS_KEYFILE": string(user)})
		createConfig(storManaged(storGCS(nil)))
		storStart(configv1.GCPPlatformType, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			s := storPrivateSecret(g, r)
			g.Expect(s.Data["REGISTRY_STORAGE_GCS_KEYFILE"]).To(Equal(user), "Secret image-registry-private-configuration data[REGISTRY_STORAGE_GCS_KEYFILE]")
			storExpectStorageExistsTrue(g, getConfig(g, r), "Creation Successful", "GCS Bucket Exists")
		})
	})

	DescribeTable("a user secret missing a required key is named in status and nothing is created",
		func(p configv1.PlatformType, backend string, st imageregistryv1.ImageRegistryConfigStorage, partial map[string]string, missing string, value func() string) {
			storCreateSecret(storUserSecret, partial)
			createConfig(storManaged(st))
			storStart(p, nil)
			want := fmt.Sprintf(`secret "openshift-image-registry/image-registry-private-configuration-user" does not contain required key %q`, missing)
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				c := condition(g, getConfig(g, r).Status.Conditions, "Progressing")
				g.Expect(c.Message).To(ContainSubstring(want), "Config cluster condition Progressing message")
			})
			waitObserved()
			Expect(storInspector(backend).Faults().Calls()).To(BeEmpty(), "no storage call with partial credentials")
			var s corev1.Secret
			err := env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: privateSecret}, &s)
			Expect(err).To(HaveOccurred(), "no private configuration written from partial credentials")
			eventually(func(g Gomega, r client.Reader) {
				var cfg = getConfig(g, r)
				g.Expect(cfg.Status.Storage.S3).To(BeNil(), "Config status.storage.s3")
				g.Expect(cfg.Status.Storage.GCS).To(BeNil(), "Config status.storage.gcs")
			})
			// Completing the secret lets the operator proceed.
			var user corev1.Secret
			Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: storUserSecret}, &user)).To(Succeed(), "read Secret image-registry-private-configuration-user")
			user.Data[missing] = []byte(value())
			Expect(env.Client.Update(ctx(), &user)).To(Succeed(), "update Secret image-registry-private-configuration-user")
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				g.Expect(storBuckets(g, backend)).To(HaveLen(1), "the backend's buckets")
				storPrivateSecret(g, r)
			})
		},
		Entry("S3 without REGISTRY_STORAGE_S3_ACCESSKEY", Label("CRED-003", "platform:aws"), configv1.AWSPlatformType, "s3", storS3(nil),
			map[string]string{"REGISTRY_STORAGE_S3_SECRETKEY": credUserSecretKey}, "REGISTRY_STORAGE_S3_ACCESSKEY", func() string { return credUserAccessKey }),
		Entry("S3 without REGISTRY_STORAGE_S3_SECRETKEY", Label("CRED-003", "platform:aws"), configv1.AWSPlatformType, "s3", storS3(nil),
			map[string]string{"REGISTRY_STORAGE_S3_ACCESSKEY": credUserAccessKey}, "REGISTRY_STORAGE_S3_SECRETKEY", func() string { return credUserSecretKey }),
		Entry("GCS without REGISTRY_STORAGE_GCS_KEYFILE", Label("CRED-003", "platform:gcp"), configv1.GCPPlatformType, "gcs", storGCS(nil),
			map[string]string{"keyfile.json": "{}"}, "REGISTRY_STORAGE_GCS_KEYFILE", func() string { return string(storFakes.GCS.KeyfileJSON) }),
	)

	It("S3: a minted credentials file is carried verbatim, and env never holds a secret inline", Label("CRED-004", "platform:aws"), func() {
		// A minted file as the cloud-credential operator writes it, comment and all.
		file := "# minted by cloud-credential-operator\n[default]\naws_access_key_id = " + storFakes.S3.AccessKey +
			"\naws_secret_access_key = " + storFakes.S3.SecretKey + "\nregion = us-east-1\n"
		storCreateSecret(storMinted, map[string]string{"credentials": file})
		createConfig(storManaged(storS3(nil)))
		storStart(configv1.AWSPlatformType, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			s := storPrivateSecret(g, r)
			g.Expect(string(s.Data["credentials"])).To(Equal(file), "Secret image-registry-private-configuration data[credentials]")
			d := getDeployment(g, r)
			for _, c := range d.Spec.Template.Spec.Containers {
				for _, e := range c.Env {
					g.Expect(e.Value).NotTo(ContainSubstring(storFakes.S3.SecretKey), "Deployment image-registry env %s holds the secret key inline", e.Name)
					g.Expect(e.Value).NotTo(ContainSubstring(storFakes.S3.AccessKey), "Deployment image-registry env %s holds the access key inline", e.Name)
					if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
						g.Expect(e.ValueFrom.SecretKeyRef.Name).To(Equal("image-registry-private-configuration"), "env %s", e.Name)
					}
				}
			}
		})
	})

	DescribeTable("changing a credential rolls the registry (dependencies checksum)",
		func(p configv1.PlatformType, st imageregistryv1.ImageRegistryConfigStorage, user func() map[string]string, key string, next func() string) {
			storCreateSecret(storUserSecret, user())
			createConfig(storManaged(st))
			storStart(p, nil)
			// The checksum also covers image-registry-certificates, which another controller
			// creates a moment after the first rollout: take "before" from a sync that ran after
			// it exists (a spec change, then observed), so the change below is the credential's.
			eventually(func(g Gomega, r client.Reader) {
				var cm corev1.ConfigMap
				g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-registry-certificates"}, &cm)).To(Succeed(), "ConfigMap image-registry-certificates")
				getDeployment(g, r)
			})
			updateConfig(func(cfg *imageregistryv1.Config) { cfg.Spec.LogLevel = operatorv1.Debug })
			waitObserved()
			var before string
			storWait(storLongTimeout, func(g Gomega, r client.Reader) { before = credChecksum(g, r) })
			var s corev1.Secret
			Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: storUserSecret}, &s)).To(Succeed(), "read Secret image-registry-private-configuration-user")
			s.Data[key] = []byte(next())
			Expect(env.Client.Update(ctx(), &s)).To(Succeed(), "update Secret image-registry-private-configuration-user")
			storWait(storLongTimeout, func(g Gomega, r client.Reader) {
				g.Expect(credChecksum(g, r)).NotTo(Equal(before), "the pod template must change with the credentials")
			})
		},
		Entry("S3 secret key", Label("CRED-005", "platform:aws"), configv1.AWSPlatformType, storS3(nil),
			func() map[string]string {
				return map[string]string{"REGISTRY_STORAGE_S3_ACCESSKEY": credUserAccessKey, "REGISTRY_STORAGE_S3_SECRETKEY": credUserSecretKey}
			},
			"REGISTRY_STORAGE_S3_SECRETKEY", func() string { return "irconform-rotated-secret-0002" }),
		Entry("GCS keyfile", Label("CRED-005", "platform:gcp"), configv1.GCPPlatformType, storGCS(nil),
			func() map[string]string {
				return map[string]string{"REGISTRY_STORAGE_GCS_KEYFILE": string(storFakes.GCS.KeyfileJSON)}
			},
			"REGISTRY_STORAGE_GCS_KEYFILE", func() string { return string(credUserKeyfile()) }),
	)

	It("never shows a secret value in operator logs, Config status, events or this spec's output", Label("CRED-006", "platform:aws"), func() {
		logs := &credLogs{}
		saved := env.Logger
		env.Logger = logs.logger()
		DeferCleanup(func() { env.Logger = saved })
		// A partial secret first (an error path naming the secret), then a backend error, then success.
		storCreateSecret(storUserSecret, map[string]string{"REGISTRY_STORAGE_S3_SECRETKEY": credUserSecretKey})
		storFakes.S3.Faults().Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 403, Times: 2})
		createConfig(storManaged(storS3(nil)))
		storStart(configv1.AWSPlatformType, nil)
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			g.Expect(condition(g, getConfig(g, r).Status.Conditions, "Progressing").Message).To(ContainSubstring("REGISTRY_STORAGE_S3_ACCESSKEY"), "Config cluster condition Progressing message")
		})
		var s corev1.Secret
		Expect(env.Client.Get(ctx(), types.NamespacedName{Namespace: ns, Name: storUserSecret}, &s)).To(Succeed(), "read Secret image-registry-private-configuration-user")
		s.Data["REGISTRY_STORAGE_S3_ACCESSKEY"] = []byte(credUserAccessKey)
		Expect(env.Client.Update(ctx(), &s)).To(Succeed(), "update Secret image-registry-private-configuration-user")
		storWait(storLongTimeout, func(g Gomega, r client.Reader) {
			storExpectStorageExistsTrue(g, getConfig(g, r), "Creation Successful", "S3 Bucket Exists")
			storPrivateSecret(g, r)
		})
		secrets := []string{credUserSecretKey, storFakes.S3.SecretKey}

		opLogs := logs.String()
		if !env.Operator.InProcess() {
			opLogs = env.OperatorOutput() // an operator process writes its own log
		}
		Expect(opLogs).NotTo(BeEmpty(), "the operator's logs were captured")
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
		cfgJSON, _ := json.Marshal(cfg)
		var co configv1.ClusterOperator
		coJSON := []byte{}
		if env.Client.Get(ctx(), types.NamespacedName{Name: clusterOpName}, &co) == nil {
			coJSON, _ = json.Marshal(co)
		}
		var evs corev1.EventList
		Expect(env.Client.List(ctx(), &evs)).To(Succeed(), "list Events")
		evJSON, _ := json.Marshal(evs)
		report := CurrentSpecReport()
		for _, sec := range secrets {
			Expect(opLogs).NotTo(ContainSubstring(sec), "operator logs")
			Expect(string(cfgJSON)).NotTo(ContainSubstring(sec), "Config")
			Expect(string(coJSON)).NotTo(ContainSubstring(sec), "ClusterOperator")
			Expect(string(evJSON)).NotTo(ContainSubstring(sec), "events")
			Expect(report.CapturedGinkgoWriterOutput+report.CapturedStdOutErr).NotTo(ContainSubstring(sec), "spec output (what reports carry)")
		}
	})
})
