package harness

import (
	"context"
	"fmt"
	"maps"
	"sort"

	configv1 "github.com/openshift/api/config/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ibmcosfake "github.com/irconform/irconform/fakes/ibmcos"
)

// IBMResourceGroup is the resource group of the Infrastructure the harness writes for
// IBMCloud and PowerVS; the IBM COS fake's account has a group of that name.
const IBMResourceGroup = "irconform-rg"

// IBMCOSFake is one spec's IBM Cloud fake (IAM, Resource Controller/Manager, COS). While it
// runs, the operator started next sends every IBM Cloud call to it
// (Settings.StorageEndpoints["ibmcos"], a transport detail it never writes anywhere).
type IBMCOSFake struct {
	*ibmcosfake.Server

	env   *Env
	saved map[string]string
}

// StartIBMCOSFake starts a fresh IBM Cloud fake and points the next operator at it.
func (e *Env) StartIBMCOSFake(ctx context.Context, opts ...ibmcosfake.Option) (*IBMCOSFake, error) {
	srv, err := ibmcosfake.Start(context.WithoutCancel(ctx), append([]ibmcosfake.Option{ibmcosfake.WithResourceGroup(IBMResourceGroup)}, opts...)...)
	if err != nil {
		return nil, err
	}
	f := &IBMCOSFake{Server: srv, env: e, saved: e.Settings.StorageEndpoints}
	eps := maps.Clone(e.Settings.StorageEndpoints)
	if eps == nil {
		eps = map[string]string{}
	}
	eps["ibmcos"] = srv.Endpoint
	e.Settings.StorageEndpoints = eps
	return f, nil
}

// Stop restores the operator's endpoints and closes the fake.
func (f *IBMCOSFake) Stop() {
	f.env.Settings.StorageEndpoints = f.saved
	_ = f.Close()
}

// CreateCloudCredentials creates installer-cloud-credentials as the cloud-credential
// operator mints it on IBM Cloud: ibmcloud_api_key = the fake account's API key.
func (f *IBMCOSFake) CreateCloudCredentials(ctx context.Context) error {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: NS, Name: CloudCredentialsSecret},
		Data: map[string][]byte{"ibmcloud_api_key": []byte(f.APIKey)}}
	if err := f.env.Client.Create(ctx, s); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %s: %w", CloudCredentialsSecret, err)
	}
	return nil
}

// ibmPlatformStatus fills platformStatus for IBMCloud (location, resource group) or PowerVS
// (region, zone, resource group), with service endpoint overrides in name order.
func ibmPlatformStatus(ps *configv1.PlatformStatus, p Platform) {
	names := make([]string, 0, len(p.ServiceEndpoints))
	for n := range p.ServiceEndpoints {
		names = append(names, n)
	}
	sort.Strings(names)
	if ps.Type == configv1.IBMCloudPlatformType {
		loc := p.Location
		if loc == "" {
			loc = "us-south"
		}
		ps.IBMCloud = &configv1.IBMCloudPlatformStatus{Location: loc, ResourceGroupName: IBMResourceGroup, ProviderType: configv1.IBMCloudProviderTypeVPC}
		for _, n := range names {
			ps.IBMCloud.ServiceEndpoints = append(ps.IBMCloud.ServiceEndpoints,
				configv1.IBMCloudServiceEndpoint{Name: configv1.IBMCloudServiceName(n), URL: p.ServiceEndpoints[n]})
		}
		return
	}
	region := p.Location
	if region == "" {
		region = "dal"
	}
	ps.PowerVS = &configv1.PowerVSPlatformStatus{Region: region, Zone: region + "10", ResourceGroup: IBMResourceGroup}
	for _, n := range names {
		ps.PowerVS.ServiceEndpoints = append(ps.PowerVS.ServiceEndpoints, configv1.PowerVSServiceEndpoint{Name: n, URL: p.ServiceEndpoints[n]})
	}
}
