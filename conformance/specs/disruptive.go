package specs

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	routev1 "github.com/openshift/api/route/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Disruptive specs change the cluster on purpose. On a live cluster they run only with
// --disruptive; each snapshots the raw JSON of what it touches and restores exactly the
// fields that changed afterwards (also on failure or interrupt, through DeferCleanup), then
// verifies the whole spec byte for byte. Changes are merge patches of the one field a spec
// means to change: a typed read-modify-write would drop fields the compiled types do not
// know.
var _ = Describe(disruptiveContainer, Label("live", "disruptive"), func() {
	BeforeEach(func() {
		if env.Live {
			return
		}
		createConfig(managedEmptyDir(1))
		onPlatform(configv1.LibvirtPlatformType)
		readyRegistry()
	})

	snapshot := func(objs ...client.Object) {
		GinkgoHelper()
		snap, err := env.TakeSnapshot(ctx(), objs...)
		Expect(err).NotTo(HaveOccurred(), "snapshot what the spec will change")
		DeferCleanup(func() {
			// The error's first line names the object, the field, now and snapshot.
			if err := env.Restore(ctx(), snap); err != nil {
				Fail(err.Error())
			}
		})
	}
	cfgObj := func() client.Object { return &imageregistryv1.Config{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}} }

	It(disruptiveRoute.Title, Label(disruptiveRoute.IDs...), func() {
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
		if cfg.Spec.ManagementState != operatorv1.Managed {
			Skip("needs a Managed registry; the cluster's is " + string(cfg.Spec.ManagementState))
		}
		snapshot(cfgObj())
		patchObject(cfgObj(), `{"spec":{"defaultRoute":true}}`)
		eventually(func(g Gomega, r client.Reader) {
			var rt routev1.Route
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "default-route"}, &rt)).To(Succeed(), "read Route default-route")
			g.Expect(rt.Spec.To.Name).To(Equal("image-registry"), "Route default-route spec.to.name")
			g.Expect(rt.Spec.Host).To(BeEmpty(), "no explicit host")
		})
		patchObject(cfgObj(), `{"spec":{"defaultRoute":false}}`)
		eventually(func(g Gomega, r client.Reader) {
			absent(g, r, &routev1.Route{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "default-route"}})
		})
	})

	It(disruptivePruner.Title, Label(disruptivePruner.IDs...), func() {
		snapshot(&imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}})
		patchObject(&imageregistryv1.ImagePruner{ObjectMeta: metav1.ObjectMeta{Name: "cluster"}}, `{"spec":{"suspend":true}}`)
		eventually(func(g Gomega, r client.Reader) {
			var cj batchv1.CronJob
			g.Expect(r.Get(ctx(), types.NamespacedName{Namespace: ns, Name: "image-pruner"}, &cj)).To(Succeed(), "read CronJob image-pruner")
			g.Expect(cj.Spec.Suspend).To(HaveValue(BeTrue()), "CronJob image-pruner spec.suspend")
			var p imageregistryv1.ImagePruner
			g.Expect(r.Get(ctx(), types.NamespacedName{Name: "cluster"}, &p)).To(Succeed(), "read ImagePruner cluster")
			expectCondition(g, p.Status.Conditions, "Scheduled", operatorv1.ConditionFalse, "Suspended", "The pruner job has been suspended")
		})
	})

	It(disruptiveUnmanaged.Title, Label(disruptiveUnmanaged.IDs...), func() {
		var cfg imageregistryv1.Config
		Expect(env.Client.Get(ctx(), configKey, &cfg)).To(Succeed(), "read Config cluster")
		if cfg.Spec.ManagementState != operatorv1.Managed {
			Skip("needs a Managed registry; the cluster's is " + string(cfg.Spec.ManagementState))
		}
		snapshot(cfgObj())
		patchObject(cfgObj(), `{"spec":{"managementState":"Unmanaged"}}`)
		eventually(func(g Gomega, r client.Reader) {
			expectCondition(g, getConfig(g, r).Status.Conditions, "Available", operatorv1.ConditionTrue, "Unmanaged",
				"The registry configuration is set to unmanaged mode")
		})
	})
})

// LiveSpec is a spec that runs on live clusters, named as Ginkgo names it: the container's
// text and the It's. Entry points outside Ginkgo (the openshift-tests extension) list and
// select live specs by these names.
type LiveSpec struct {
	Container, Title string
	IDs              []string
}

// FullText is the spec's name as Ginkgo reports it.
func (s LiveSpec) FullText() string { return s.Container + " " + s.Title }

const disruptiveContainer = "Disruptive"

// The disruptive specs' names and behaviours, one place for the specs below and for
// DisruptiveSpecs.
var (
	disruptiveRoute = LiveSpec{Container: disruptiveContainer, Title: "toggling defaultRoute creates, then removes, default-route",
		IDs: []string{"ROUTE-001", "ROUTE-002"}}
	disruptivePruner = LiveSpec{Container: disruptiveContainer, Title: "suspending the pruner suspends its CronJob",
		IDs: []string{"PRUNE-006", "PRUNE-007"}}
	disruptiveUnmanaged = LiveSpec{Container: disruptiveContainer, Title: "switching to Unmanaged reports Unmanaged, and back",
		IDs: []string{"STATUS-002", "MGMT-003"}}
)

// DisruptiveSpecs lists the disruptive specs (each restores what it changed).
func DisruptiveSpecs() []LiveSpec {
	return []LiveSpec{disruptiveRoute, disruptivePruner, disruptiveUnmanaged}
}

// patchObject sends a JSON merge patch: the server applies it to the object as stored, so
// nothing but the named field changes.
func patchObject(obj client.Object, patch string) {
	GinkgoHelper()
	Expect(env.Client.Patch(ctx(), obj, client.RawPatch(types.MergePatchType, []byte(patch)))).To(Succeed(), "patching %T %s with %s", obj, obj.GetName(), patch)
}
