package harness

import (
	"sort"

	configv1 "github.com/openshift/api/config/v1"
)

// IBMResourceGroup is the resource group of the Infrastructure the harness writes for
// IBMCloud and PowerVS; the IBM COS fake's account has a group of that name.
const IBMResourceGroup = "irconform-rg"

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
