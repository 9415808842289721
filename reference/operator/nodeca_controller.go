package operator

import (
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/irconform/irconform/reference/controller"
)

// The node-ca controller (upstream NodeCADaemonController): the DaemonSet, and its
// conditions on the Config.
func init() { ExtraControllers = append(ExtraControllers, addNodeCA) }

func addNodeCA(mgr manager.Manager, settings controller.Settings) error {
	return addSingleton(mgr, "nodecadaemon", &controller.NodeCAReconciler{Client: mgr.GetClient(), Settings: settings}, &appsv1.DaemonSet{})
}
