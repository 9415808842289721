// Package swift is the reference operator's OpenStack Swift storage driver
// (STOR-SWIFT-01..06), over gophercloud/v2.
//
// Credentials come from the user secret image-registry-private-configuration-user
// (username+password, application credential, or token), else from clouds.yaml in
// installer-cloud-credentials (cloud infra.status.platformStatus.openstack.cloudName, or
// "openstack"). Location fields (auth URL, domain, project, region, auth version) come from
// spec.storage.swift, each falling back to clouds.yaml. The pure parts (clouds.yaml
// parsing, credential resolution, auth URL normalisation, env, names) are in config.go.
//
// Probe tells bootstrap whether the cloud offers Swift (the Keystone catalog has an
// object-store endpoint and listing containers works, STOR-SWIFT-06).
package swift

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"
	"github.com/gophercloud/gophercloud/v2/pagination"
	configv1 "github.com/openshift/api/config/v1"
	imageregistryv1 "github.com/openshift/api/imageregistry/v1"
	operatorv1 "github.com/openshift/api/operator/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/irconform/irconform/reference/render"
	"github.com/irconform/irconform/reference/storage"
)

// Driver is the Swift backend.
type Driver struct{ deps storage.Deps }

// New is the storage.Factory for "swift" (wired in reference/operator).
func New(deps storage.Deps, _ *imageregistryv1.ImageRegistryConfigStorage) storage.Driver {
	return &Driver{deps: deps}
}

func (*Driver) Kind() string { return "Swift" }

func cloudName(infra *configv1.Infrastructure) string {
	if infra != nil && infra.Status.PlatformStatus != nil && infra.Status.PlatformStatus.OpenStack != nil &&
		infra.Status.PlatformStatus.OpenStack.CloudName != "" {
		return infra.Status.PlatformStatus.OpenStack.CloudName
	}
	return DefaultCloudName
}

// loadConfig reads both secrets and resolves the effective configuration; it also returns
// the cloud's CA bundle (installer-cloud-credentials key "cacert"), if any.
func loadConfig(ctx context.Context, c client.Reader, infra *configv1.Infrastructure, spec *imageregistryv1.ImageRegistryConfigStorageSwift) (Config, []byte, error) {
	user, err := storage.SecretData(ctx, c, storage.UserSecretName)
	if err != nil {
		return Config{}, nil, err
	}
	cluster, err := storage.SecretData(ctx, c, storage.ClusterCredentialsName)
	if err != nil {
		return Config{}, nil, err
	}
	var cloud *Cloud
	if raw, ok := cluster[CloudsYAMLKey]; ok {
		cloud, err = ParseCloudsYAML(raw, cloudName(infra))
		if err != nil && user == nil {
			return Config{}, nil, err
		}
	} else if user == nil && cluster != nil {
		return Config{}, nil, fmt.Errorf("secret %q does not contain required key %q", storage.Namespace+"/"+storage.ClusterCredentialsName, CloudsYAMLKey)
	}
	cfg, err := ResolveConfig(spec, user, cloud)
	return cfg, cluster[CACertKey], err
}

// objectStore logs in to Keystone and returns the object-store client of the region.
func objectStore(ctx context.Context, c Config, ca []byte) (*gophercloud.ServiceClient, error) {
	authURL, err := NormalizeAuthURL(c.AuthURL, c.AuthVersion)
	if err != nil {
		return nil, err
	}
	pc, err := openstack.NewClient(authURL)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if len(ca) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(ca) {
			return nil, errors.New("the cloud's cacert is not a valid PEM bundle")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	pc.HTTPClient = http.Client{Transport: tr, Timeout: 30 * time.Second}
	opts := gophercloud.AuthOptions{
		IdentityEndpoint:            authURL,
		Username:                    c.Username,
		Password:                    c.Password,
		DomainName:                  c.Domain,
		DomainID:                    c.DomainID,
		TenantName:                  c.Tenant,
		TenantID:                    c.TenantID,
		ApplicationCredentialID:     c.ApplicationCredentialID,
		ApplicationCredentialName:   c.ApplicationCredentialName,
		ApplicationCredentialSecret: c.ApplicationCredentialSecret,
		TokenID:                     c.TokenID,
		AllowReauth:                 c.TokenID == "",
	}
	if opts.ApplicationCredentialID != "" || opts.ApplicationCredentialName != "" {
		// Application credentials carry their own scope.
		opts.TenantName, opts.TenantID = "", ""
		if opts.ApplicationCredentialID != "" {
			opts.Username, opts.DomainName, opts.DomainID = "", "", ""
		}
		opts.Password = ""
	}
	if opts.TokenID != "" {
		opts.Username, opts.Password = "", ""
	}
	if err := openstack.Authenticate(ctx, pc, opts); err != nil {
		return nil, err
	}
	return openstack.NewObjectStorageV1(pc, gophercloud.EndpointOpts{Region: c.Region})
}

// connect logs in with the effective configuration for spec and returns the object store.
func (d *Driver) connect(ctx context.Context, spec *imageregistryv1.ImageRegistryConfigStorageSwift) (*gophercloud.ServiceClient, error) {
	c, ca, err := loadConfig(ctx, d.deps.Client, d.deps.Infra, spec)
	if err != nil {
		return nil, err
	}
	return objectStore(ctx, c, ca)
}

func containerExists(ctx context.Context, sc *gophercloud.ServiceClient, name string) (bool, error) {
	err := containers.Get(ctx, sc, name, nil).Err
	switch {
	case err == nil:
		return true, nil
	case gophercloud.ResponseCodeIs(err, http.StatusNotFound):
		return false, nil
	}
	return false, err
}

// Implements SWIFT-002, STOR-001, STOR-006, STOR-010 (upstream STOR-SWIFT-03).
func (d *Driver) Sync(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Swift
	sc, err := d.connect(ctx, spec)
	if err != nil {
		return storage.Exists(operatorv1.ConditionFalse, err.Error(), err.Error()), err
	}

	// Unchanged since the last successful sync: only check the container is still there
	// (STOR-SWIFT-04); a container deleted behind the operator's back is recreated.
	if st := cfg.Status.Storage.Swift; st != nil && spec.Container != "" && reflect.DeepEqual(*st, *spec) {
		exists, err := containerExists(ctx, sc, spec.Container)
		if err != nil {
			return storage.Exists(operatorv1.ConditionUnknown, ReasonCannotConnect, err.Error()), err
		}
		if exists {
			return storage.Exists(operatorv1.ConditionTrue, ReasonSteadyExists, MsgSteadyExists), nil
		}
		return d.create(ctx, cfg, sc, spec.Container)
	}

	if spec.Container == "" {
		// A container this cluster generated earlier whose name never reached the spec (a
		// conflicting write, a stale read) is adopted rather than leaked.
		adopted, err := d.findOwned(ctx, sc)
		if err != nil {
			return storage.Exists(operatorv1.ConditionUnknown, ReasonCannotConnect, err.Error()), err
		}
		if adopted != "" {
			return d.adopt(cfg, adopted)
		}
		for i := 0; ; i++ {
			if i == maxGeneratedNameRetries {
				err := errors.New("unable to generate a unique container name")
				return storage.Exists(operatorv1.ConditionFalse, ReasonCreationFailed, err.Error()), err
			}
			name := storage.GenerateName(nil, storage.InfraName(d.deps.Infra), "image-registry")
			exists, err := containerExists(ctx, sc, name)
			if err != nil {
				return storage.Exists(operatorv1.ConditionUnknown, ReasonCannotConnect, err.Error()), err
			}
			if !exists {
				return d.create(ctx, cfg, sc, name)
			}
		}
	}
	meta, err := containers.Get(ctx, sc, spec.Container, nil).ExtractMetadata()
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return d.create(ctx, cfg, sc, spec.Container)
	}
	if err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonCannotConnect, err.Error()), err
	}
	if owned(meta, storage.InfraName(d.deps.Infra)) {
		// Created by this operator in an earlier sync whose write did not land.
		return d.adopt(cfg, spec.Container)
	}
	if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = storage.Unmanaged
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{Swift: spec.DeepCopy()}
	return storage.Exists(operatorv1.ConditionTrue, ReasonContainerExists, MsgContainerExists), nil
}

// findOwned returns a container named like a generated one whose metadata says this
// cluster created it, or "".
func (d *Driver) findOwned(ctx context.Context, sc *gophercloud.ServiceClient) (string, error) {
	prefix := storage.GeneratedPrefix(storage.InfraName(d.deps.Infra), "image-registry")
	var candidates []string
	err := containers.List(sc, containers.ListOpts{Prefix: prefix}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		n, err := containers.ExtractNames(p)
		candidates = append(candidates, n...)
		return true, err
	})
	if err != nil {
		return "", fmt.Errorf("listing swift containers: %w", err)
	}
	for _, name := range candidates {
		meta, err := containers.Get(ctx, sc, name, nil).ExtractMetadata()
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			continue
		}
		if err != nil {
			return "", err
		}
		if owned(meta, storage.InfraName(d.deps.Infra)) {
			return name, nil
		}
	}
	return "", nil
}

// owned tells whether container metadata marks it as created for this cluster.
func owned(meta map[string]string, infraName string) bool {
	for k, v := range meta {
		if strings.EqualFold(k, MetaClusterID) && v == infraName && infraName != "" {
			return true
		}
	}
	return false
}

func (d *Driver) adopt(cfg *imageregistryv1.Config, name string) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Swift
	spec.Container = name
	if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = storage.Managed
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{Swift: spec.DeepCopy()}
	return storage.Exists(operatorv1.ConditionTrue, ReasonContainerCreated, MsgContainerCreated), nil
}

// create makes the container with the cluster's metadata (STOR-SWIFT-03). The name is
// written to spec only once the container exists, so a failed attempt never leaves a
// name behind that a later sync could mistake for a user's container.
//
// Implements SWIFT-002.
func (d *Driver) create(ctx context.Context, cfg *imageregistryv1.Config, sc *gophercloud.ServiceClient, name string) ([]operatorv1.OperatorCondition, error) {
	opts := containers.CreateOpts{Metadata: map[string]string{MetaClusterID: storage.InfraName(d.deps.Infra), MetaName: name}}
	if err := containers.Create(ctx, sc, name, opts).Err; err != nil {
		return storage.Exists(operatorv1.ConditionFalse, ReasonCreationFailed, err.Error()), fmt.Errorf("creating swift container %s: %w", name, err)
	}
	spec := cfg.Spec.Storage.Swift
	spec.Container = name
	if cfg.Spec.Storage.ManagementState == "" {
		cfg.Spec.Storage.ManagementState = storage.Managed
	}
	cfg.Status.Storage = imageregistryv1.ImageRegistryConfigStorage{Swift: spec.DeepCopy()}
	return storage.Exists(operatorv1.ConditionTrue, ReasonContainerCreated, MsgContainerCreated), nil
}

func (d *Driver) Configure(ctx context.Context, cfg *imageregistryv1.Config) (render.StorageConfig, error) {
	c, _, err := loadConfig(ctx, d.deps.Client, d.deps.Infra, cfg.Spec.Storage.Swift)
	if err != nil {
		return render.StorageConfig{}, err
	}
	env, err := Env(c)
	if err != nil {
		return render.StorageConfig{}, err
	}
	return render.StorageConfig{Kind: render.StorageSwift, Env: env}, nil
}

// Remove bulk-deletes the objects, then the container, when Managed (STOR-SWIFT-04).
//
// Implements STOR-004, STOR-005.
func (d *Driver) Remove(ctx context.Context, cfg *imageregistryv1.Config) ([]operatorv1.OperatorCondition, error) {
	spec := cfg.Spec.Storage.Swift
	if cfg.Spec.Storage.ManagementState != storage.Managed || spec == nil || spec.Container == "" {
		return nil, nil
	}
	sc, err := d.connect(ctx, spec)
	if err != nil {
		return storage.Exists(operatorv1.ConditionFalse, err.Error(), err.Error()), err
	}
	if err := emptyContainer(ctx, sc, spec.Container); err != nil {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonCannotConnect, err.Error()), err
	}
	if err := containers.Delete(ctx, sc, spec.Container).Err; err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return storage.Exists(operatorv1.ConditionUnknown, ReasonCannotConnect, err.Error()), fmt.Errorf("deleting swift container %s: %w", spec.Container, err)
	}
	spec.Container = ""
	if st := cfg.Status.Storage.Swift; st != nil {
		st.Container = ""
	}
	return storage.Exists(operatorv1.ConditionFalse, ReasonContainerDeleted, MsgContainerDeleted), nil
}

// emptyContainer lists every object and bulk-deletes them in batches.
func emptyContainer(ctx context.Context, sc *gophercloud.ServiceClient, name string) error {
	var names []string
	err := objects.List(sc, name, objects.ListOpts{}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		n, err := objects.ExtractNames(p)
		names = append(names, n...)
		return true, err
	})
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing objects of swift container %s: %w", name, err)
	}
	const batch = 10000
	for len(names) > 0 {
		n := min(batch, len(names))
		res, err := objects.BulkDelete(ctx, sc, name, names[:n]).Extract()
		if err != nil {
			return fmt.Errorf("bulk-deleting objects of swift container %s: %w", name, err)
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("bulk-deleting objects of swift container %s: %s %v", name, res.ResponseStatus, res.Errors)
		}
		names = names[n:]
	}
	return nil
}

// Probe is STOR-SWIFT-06 for bootstrap: true only when the credentials log in, the
// Keystone catalog has an object-store endpoint, and listing containers succeeds.
//
// Implements SWIFT-004.
func Probe(ctx context.Context, c client.Client, infra *configv1.Infrastructure) bool {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cfg, ca, err := loadConfig(ctx, c, infra, nil)
	if err != nil {
		log.FromContext(ctx).Info("swift probe: no usable OpenStack credentials", "reason", err.Error())
		return false
	}
	sc, err := objectStore(ctx, cfg, ca)
	if err != nil {
		log.FromContext(ctx).Info("swift probe: no object-store endpoint", "reason", err.Error())
		return false
	}
	err = containers.List(sc, containers.ListOpts{Limit: 1}).EachPage(ctx, func(context.Context, pagination.Page) (bool, error) {
		return false, nil
	})
	if err != nil {
		log.FromContext(ctx).Info("swift probe: listing containers failed", "reason", err.Error())
		return false
	}
	return true
}
