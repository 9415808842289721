package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/privatedns/armprivatedns"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
)

// wantsPrivate: networkAccess.type Internal asks for a private account.
func wantsPrivate(spec *imageregistryv1.ImageRegistryConfigStorageAzure) bool {
	return spec.NetworkAccess != nil && spec.NetworkAccess.Type == imageregistryv1.AzureNetworkAccessTypeInternal
}

// ensurePrivate is STOR-AZ-06: a private endpoint for the account's blob service in the
// cluster's group, on the given (or discovered) VNet and subnet, the private DNS zone with
// the account's A record, the zone group and the VNet link, and then public network access
// disabled. An account whose public access is already disabled is done. The resolved
// names are written back into spec.storage.azure.networkAccess.internal.
// Implements AZ-009, AZ-010.
func (m *mgmt) ensurePrivate(ctx context.Context, spec *imageregistryv1.ImageRegistryConfigStorageAzure, acct armstorage.Account, infraName string, tags map[string]*string) error {
	internal := imageregistryv1.AzureNetworkAccessInternal{}
	if spec.NetworkAccess.Internal != nil {
		internal = *spec.NetworkAccess.Internal
	}
	if internal.PrivateEndpointName == "" {
		// An endpoint this cluster made for the account in an earlier sync whose names never
		// reached the spec (a conflicting write) is adopted rather than leaked.
		found, err := m.ownedEndpoint(ctx, *acct.ID, infraName)
		if err != nil {
			return err
		}
		if found != nil {
			internal.PrivateEndpointName = *found.Name
			if vnet, subnet := vnetAndSubnet(found); internal.VNetName == "" && vnet != "" {
				internal.VNetName, internal.SubnetName = vnet, subnet
			}
		} else {
			internal.PrivateEndpointName = GenerateAccountName(nil, infraName)
		}
	}
	netGroup := m.group
	if internal.NetworkResourceGroupName != "" {
		netGroup = internal.NetworkResourceGroupName
	}
	if acct.Properties != nil && acct.Properties.PublicNetworkAccess != nil && *acct.Properties.PublicNetworkAccess == armstorage.PublicNetworkAccessDisabled {
		spec.NetworkAccess.Internal = &internal
		return nil
	}
	if internal.VNetName == "" {
		name, err := m.discoverVNet(ctx, netGroup, infraName)
		if err != nil {
			return fmt.Errorf("failed to discover vnet name, please provide network details manually: %q", err)
		}
		internal.VNetName = name
	}
	if internal.SubnetName == "" {
		name, err := m.firstSubnet(ctx, netGroup, internal.VNetName)
		if err != nil {
			return fmt.Errorf("failed to discover subnet name, please provide network details manually: %q", err)
		}
		internal.SubnetName = name
	}
	account := *acct.Name
	pe, err := m.createPrivateEndpoint(ctx, internal, netGroup, account, tags)
	if err != nil {
		return err
	}
	if err := m.configurePrivateDNS(ctx, pe, netGroup, internal.VNetName, account, tags); err != nil {
		return err
	}
	if _, err := m.accounts.Update(ctx, m.group, account, armstorage.AccountUpdateParameters{
		Properties: &armstorage.AccountPropertiesUpdateParameters{PublicNetworkAccess: to.Ptr(armstorage.PublicNetworkAccessDisabled)},
	}, nil); err != nil {
		return err
	}
	spec.NetworkAccess.Internal = &internal
	return nil
}

// ownedEndpoint is a private endpoint in the cluster's group that carries the cluster's
// "owned" tag and connects to the account, or nil.
func (m *mgmt) ownedEndpoint(ctx context.Context, accountID, infraName string) (*armnetwork.PrivateEndpoint, error) {
	pager := m.endpoints.NewListPager(m.group, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, pe := range page.Value {
			if pe == nil || pe.Name == nil || pe.Properties == nil || !owned(pe.Tags, infraName) {
				continue
			}
			for _, c := range pe.Properties.PrivateLinkServiceConnections {
				if c != nil && c.Properties != nil && c.Properties.PrivateLinkServiceID != nil && strings.EqualFold(*c.Properties.PrivateLinkServiceID, accountID) {
					return pe, nil
				}
			}
		}
	}
	return nil, nil
}

// vnetAndSubnet are the names in the endpoint's subnet ID
// (.../virtualNetworks/<vnet>/subnets/<subnet>).
func vnetAndSubnet(pe *armnetwork.PrivateEndpoint) (vnet, subnet string) {
	if pe.Properties == nil || pe.Properties.Subnet == nil || pe.Properties.Subnet.ID == nil {
		return "", ""
	}
	parts := strings.Split(*pe.Properties.Subnet.ID, "/")
	for i := 0; i+3 < len(parts); i++ {
		if strings.EqualFold(parts[i], "virtualNetworks") && strings.EqualFold(parts[i+2], "subnets") {
			return parts[i+1], parts[i+3]
		}
	}
	return "", ""
}

// discoverVNet is the first VNet in the group tagged as this cluster's, owned or shared.
func (m *mgmt) discoverVNet(ctx context.Context, group, infraName string) (string, error) {
	filter := map[string][]string{capzTag(infraName): {"owned", "shared"}, TagOwned(infraName): {"owned", "shared"}}
	pager := m.vnets.NewListPager(group, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, v := range page.Value {
			if v != nil && v.Name != nil && tagged(v.Tags, filter) {
				return *v.Name, nil
			}
		}
	}
	return "", fmt.Errorf("vnet with tags '%+v' not found", filter)
}

func tagged(tags map[string]*string, filter map[string][]string) bool {
	for k, values := range filter {
		if v := tags[k]; v != nil {
			for _, want := range values {
				if *v == want {
					return true
				}
			}
		}
	}
	return false
}

// firstSubnet: any subnet of the cluster's VNet reaches the account.
func (m *mgmt) firstSubnet(ctx context.Context, group, vnet string) (string, error) {
	pager := m.subnets.NewListPager(group, vnet, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, s := range page.Value {
			if s != nil && s.Name != nil {
				return *s.Name, nil
			}
		}
	}
	return "", fmt.Errorf("no subnets found on vnet %q", vnet)
}

func (m *mgmt) createPrivateEndpoint(ctx context.Context, in imageregistryv1.AzureNetworkAccessInternal, netGroup, account string, tags map[string]*string) (*armnetwork.PrivateEndpoint, error) {
	name := in.PrivateEndpointName
	poller, err := m.endpoints.BeginCreateOrUpdate(ctx, m.group, name, armnetwork.PrivateEndpoint{
		Location: to.Ptr(m.region),
		Tags:     tags,
		Properties: &armnetwork.PrivateEndpointProperties{
			CustomNetworkInterfaceName: to.Ptr(name + "-nic"),
			Subnet:                     &armnetwork.Subnet{ID: to.Ptr(m.resourceID(netGroup, "Microsoft.Network", "virtualNetworks", in.VNetName, "subnets", in.SubnetName))},
			PrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{
				Name: to.Ptr(name),
				Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
					PrivateLinkServiceID: to.Ptr(m.resourceID(m.group, "Microsoft.Storage", "storageAccounts", account)),
					GroupIDs:             []*string{to.Ptr(blobSubResource)},
				},
			}},
		},
	}, nil)
	if err != nil {
		return nil, err
	}
	resp, err := poller.PollUntilDone(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &resp.PrivateEndpoint, nil
}

// configurePrivateDNS: the zone (created when missing), the account's A record at the
// endpoint's address, the endpoint's zone group and the VNet link (named after the account).
func (m *mgmt) configurePrivateDNS(ctx context.Context, pe *armnetwork.PrivateEndpoint, netGroup, vnet, account string, tags map[string]*string) error {
	zp, err := m.zones.BeginCreateOrUpdate(ctx, m.group, privateZoneName, armprivatedns.PrivateZone{Location: to.Ptr(privateZoneLocation), Tags: tags}, nil)
	if err != nil {
		return err
	}
	if _, err := zp.PollUntilDone(ctx, nil); err != nil {
		return err
	}
	ip, err := m.endpointAddress(ctx, pe)
	if err != nil {
		return err
	}
	if _, err := m.records.CreateOrUpdate(ctx, m.group, privateZoneName, armprivatedns.RecordTypeA, account, armprivatedns.RecordSet{
		Properties: &armprivatedns.RecordSetProperties{TTL: to.Ptr[int64](recordSetTTL), ARecords: []*armprivatedns.ARecord{{IPv4Address: to.Ptr(ip)}}},
	}, nil); err != nil {
		return err
	}
	gp, err := m.zoneGroups.BeginCreateOrUpdate(ctx, m.group, *pe.Name, privateZoneGroup, armnetwork.PrivateDNSZoneGroup{
		Name: to.Ptr(privateZoneName + "/default"),
		Properties: &armnetwork.PrivateDNSZoneGroupPropertiesFormat{PrivateDNSZoneConfigs: []*armnetwork.PrivateDNSZoneConfig{{
			Name:       to.Ptr(privateZoneGroup),
			Properties: &armnetwork.PrivateDNSZonePropertiesFormat{PrivateDNSZoneID: to.Ptr(m.resourceID(m.group, "Microsoft.Network", "privateDnsZones", privateZoneName))},
		}}},
	}, nil)
	if err != nil {
		return err
	}
	if _, err := gp.PollUntilDone(ctx, nil); err != nil {
		return err
	}
	lp, err := m.links.BeginCreateOrUpdate(ctx, m.group, privateZoneName, account, armprivatedns.VirtualNetworkLink{
		Location: to.Ptr(privateZoneLocation),
		Tags:     tags,
		Properties: &armprivatedns.VirtualNetworkLinkProperties{
			RegistrationEnabled: to.Ptr(false),
			VirtualNetwork:      &armprivatedns.SubResource{ID: to.Ptr(m.resourceID(netGroup, "Microsoft.Network", "virtualNetworks", vnet))},
		},
	}, nil)
	if err == nil {
		_, err = lp.PollUntilDone(ctx, nil)
	}
	return err
}

// endpointAddress is the private IP of the endpoint's network interface.
func (m *mgmt) endpointAddress(ctx context.Context, pe *armnetwork.PrivateEndpoint) (string, error) {
	if pe.Properties == nil || len(pe.Properties.NetworkInterfaces) == 0 || pe.Properties.NetworkInterfaces[0].ID == nil {
		return "", fmt.Errorf("private endpoint %s did not have any network interfaces", *pe.Name)
	}
	id := *pe.Properties.NetworkInterfaces[0].ID
	nic, err := m.nics.Get(ctx, m.group, id[strings.LastIndex(id, "/")+1:], nil)
	if err != nil {
		return "", err
	}
	if nic.Properties == nil || len(nic.Properties.IPConfigurations) == 0 || nic.Properties.IPConfigurations[0].Properties == nil ||
		nic.Properties.IPConfigurations[0].Properties.PrivateIPAddress == nil {
		return "", fmt.Errorf("network interface %s did not have any IP configurations", id)
	}
	return *nic.Properties.IPConfigurations[0].Properties.PrivateIPAddress, nil
}

// destroyPrivateDNS undoes configurePrivateDNS for endpoint pe: the account's A record, the
// endpoint's zone group and the VNet link. The zone stays: other private endpoints of the
// group may use it. Anything already gone is fine.
// Implements AZ-011.
func (m *mgmt) destroyPrivateDNS(ctx context.Context, pe, account string) error {
	if _, err := m.records.Delete(ctx, m.group, privateZoneName, armprivatedns.RecordTypeA, account, nil); err != nil && !is404(err) {
		return err
	}
	if p, err := m.zoneGroups.BeginDelete(ctx, m.group, pe, privateZoneGroup, nil); err != nil && !is404(err) {
		return err
	} else if err == nil {
		if _, err := p.PollUntilDone(ctx, nil); err != nil && !is404(err) {
			return err
		}
	}
	if p, err := m.links.BeginDelete(ctx, m.group, privateZoneName, account, nil); err != nil && !is404(err) {
		return err
	} else if err == nil {
		if _, err := p.PollUntilDone(ctx, nil); err != nil && !is404(err) {
			return err
		}
	}
	return nil
}

// deletePrivateEndpoint removes the endpoint (Azure removes its NIC); gone already is fine.
func (m *mgmt) deletePrivateEndpoint(ctx context.Context, pe string) error {
	p, err := m.endpoints.BeginDelete(ctx, m.group, pe, nil)
	if err != nil {
		if is404(err) {
			return nil
		}
		return err
	}
	if _, err := p.PollUntilDone(ctx, nil); err != nil && !is404(err) {
		return err
	}
	return nil
}
