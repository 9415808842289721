package ibmcos

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/IBM/go-sdk-core/v5/core"
	"github.com/IBM/ibm-cos-sdk-go/aws"
	"github.com/IBM/ibm-cos-sdk-go/aws/credentials/ibmiam"
	"github.com/IBM/ibm-cos-sdk-go/aws/request"
	"github.com/IBM/ibm-cos-sdk-go/aws/session"
	"github.com/IBM/ibm-cos-sdk-go/service/s3"
)

// requestTimeout bounds one HTTP request to any IBM Cloud service.
const requestTimeout = 10 * time.Second

// userAgent names the operator to IBM Cloud (upstream's wording).
const userAgent = "openshift.io cluster-image-registry-operator"

// cloud is one sync's view of IBM Cloud: one IAM authenticator (its token is exchanged once
// and reused by the Resource Controller and Manager calls), and the endpoints in force.
type cloud struct {
	version  string // operator version, in the COS user agent
	apiKey   string
	iam      string // IAM base URL
	rc       string // Resource Controller base URL
	rm       string // Resource Manager base URL
	cos      string // COS endpoint (host or URL)
	location string
	http     *http.Client
	auth     *core.IamAuthenticator
}

// redirect sends every request to target instead of the host it names, and says which host
// it meant in X-Forwarded-Host. It is how the operator reaches the fakes (a transport
// detail, never written into the Config or the registry's env).
type redirect struct {
	target *url.URL
	next   http.RoundTripper
}

func (t redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	out.Header.Set("X-Forwarded-Host", r.URL.Host)
	out.URL.Scheme, out.URL.Host, out.Host = t.target.Scheme, t.target.Host, t.target.Host
	return t.next.RoundTrip(out)
}

// newCloud builds the clients for the platform's endpoints; override (a base URL) reroutes
// every call, keeping the endpoint choice visible to the other side.
//
// Implements IBMCOS-002.
func newCloud(apiKey string, p Platform, location, override string) (*cloud, error) {
	c := &cloud{version: "reference", apiKey: apiKey, iam: DefaultIAMEndpoint, rc: DefaultResourceControllerEndpoint,
		rm: DefaultResourceManagerEndpoint, location: location}
	if v := p.Endpoints[EndpointIAM]; v != "" {
		c.iam = v
	}
	if v := p.Endpoints[EndpointResourceController]; v != "" {
		c.rc = v
	}
	if v := p.Endpoints[EndpointResourceManager]; v != "" {
		c.rm = v
	}
	c.cos = RegionEndpoint(location, p)
	var tr http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if override != "" {
		u, err := url.Parse(override)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("invalid IBM Cloud endpoint override %q", override)
		}
		tr = redirect{target: u, next: tr}
	}
	c.http = &http.Client{Transport: tr, Timeout: requestTimeout}
	c.auth = &core.IamAuthenticator{ApiKey: apiKey, URL: c.iam, Client: c.http}
	return c, nil
}

// service is a go-sdk-core client of one IBM Cloud REST service.
func (c *cloud) service(base string) (*core.BaseService, error) {
	svc, err := core.NewBaseService(&core.ServiceOptions{URL: base, Authenticator: c.auth})
	if err != nil {
		return nil, err
	}
	svc.SetHTTPClient(c.http)
	svc.SetUserAgent(userAgent)
	return svc, nil
}

// call sends one JSON request to a service and decodes the answer into out. The error
// names the HTTP status when there was an answer.
func (c *cloud) call(ctx context.Context, base, method, path string, pathParams map[string]string, query map[string]string, body, out any) (int, error) {
	svc, err := c.service(base)
	if err != nil {
		return 0, err
	}
	b := core.NewRequestBuilder(method).WithContext(ctx)
	if _, err := b.ResolveRequestURL(base, path, pathParams); err != nil {
		return 0, err
	}
	for k, v := range query {
		if v != "" {
			b.AddQuery(k, v)
		}
	}
	b.AddHeader("Accept", "application/json")
	if body != nil {
		if _, err := b.SetBodyContentJSON(body); err != nil {
			return 0, err
		}
	}
	req, err := b.Build()
	if err != nil {
		return 0, err
	}
	resp, err := svc.Request(req, out)
	if resp != nil {
		return resp.StatusCode, err
	}
	return 0, err
}

// accountID is the account of the API key: the "account.bss" claim of the IAM token.
func (c *cloud) accountID() (string, error) {
	tok, err := c.auth.GetToken()
	if err != nil {
		return "", fmt.Errorf("unable to get an IAM token: %w", err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errors.New("could not parse account id from token")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("could not parse account id from token")
	}
	var claims struct {
		Account struct {
			BSS string `json:"bss"`
		} `json:"account"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil || claims.Account.BSS == "" {
		return "", errors.New("could not parse account id from token")
	}
	return claims.Account.BSS, nil
}

type resourceGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type instance struct {
	ID              string `json:"id"`
	CRN             string `json:"crn"`
	Name            string `json:"name"`
	State           string `json:"state"`
	ResourceGroupID string `json:"resource_group_id"`
}

type resourceKey struct {
	ID          string `json:"id"`
	CRN         string `json:"crn"`
	SourceCRN   string `json:"source_crn"`
	Credentials *struct {
		IAMRoleCRN string `json:"iam_role_crn"`
		HMAC       *struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
		} `json:"cos_hmac_keys"`
	} `json:"credentials"`
}

func (c *cloud) listResourceGroups(ctx context.Context, account, name string) ([]resourceGroup, int, error) {
	var out struct {
		Resources []resourceGroup `json:"resources"`
	}
	code, err := c.call(ctx, c.rm, http.MethodGet, "/v2/resource_groups", nil, map[string]string{"account_id": account, "name": name}, nil, &out)
	return out.Resources, code, err
}

func (c *cloud) getResourceGroup(ctx context.Context, id string) (resourceGroup, int, error) {
	var out resourceGroup
	code, err := c.call(ctx, c.rm, http.MethodGet, "/v2/resource_groups/{id}", map[string]string{"id": id}, nil, nil, &out)
	return out, code, err
}

func (c *cloud) getInstance(ctx context.Context, id string) (instance, int, error) {
	var out instance
	code, err := c.call(ctx, c.rc, http.MethodGet, "/v2/resource_instances/{id}", map[string]string{"id": id}, nil, nil, &out)
	return out, code, err
}

func (c *cloud) listInstances(ctx context.Context, name, group, plan string) ([]instance, int, error) {
	var out struct {
		Resources []instance `json:"resources"`
	}
	code, err := c.call(ctx, c.rc, http.MethodGet, "/v2/resource_instances", nil,
		map[string]string{"name": name, "resource_group_id": group, "resource_plan_id": plan}, nil, &out)
	return out.Resources, code, err
}

func (c *cloud) createInstance(ctx context.Context, name, group string, tags []string) (instance, int, error) {
	var out instance
	body := map[string]any{"name": name, "target": ServiceTarget, "resource_group": group, "resource_plan_id": StandardPlanID, "tags": tags}
	code, err := c.call(ctx, c.rc, http.MethodPost, "/v2/resource_instances", nil, nil, body, &out)
	return out, code, err
}

func (c *cloud) createKey(ctx context.Context, name, source string) (resourceKey, int, error) {
	var out resourceKey
	body := map[string]any{"name": name, "source": source, "role": WriterRole, "parameters": map[string]any{"HMAC": true}}
	code, err := c.call(ctx, c.rc, http.MethodPost, "/v2/resource_keys", nil, nil, body, &out)
	return out, code, err
}

func (c *cloud) listKeys(ctx context.Context, name string) ([]resourceKey, int, error) {
	var out struct {
		Resources []resourceKey `json:"resources"`
	}
	code, err := c.call(ctx, c.rc, http.MethodGet, "/v2/resource_keys", nil, map[string]string{"name": name}, nil, &out)
	return out.Resources, code, err
}

func (c *cloud) getKey(ctx context.Context, id string) (resourceKey, int, error) {
	var out resourceKey
	code, err := c.call(ctx, c.rc, http.MethodGet, "/v2/resource_keys/{id}", map[string]string{"id": id}, nil, nil, &out)
	return out, code, err
}

// cosClient is an S3 client of COS authenticated with IAM (bearer token) for an instance.
func (c *cloud) cosClient(instanceCRN string) (*s3.S3, error) {
	if c.location == "" {
		return nil, errors.New("unable to get location from infrastructure")
	}
	tokenURL := strings.TrimRight(c.iam, "/") + IAMTokenPath
	creds := ibmiam.NewStaticCredentials(aws.NewConfig().WithHTTPClient(c.http), tokenURL, c.apiKey, instanceCRN)
	sess, err := session.NewSessionWithOptions(session.Options{Config: aws.Config{
		Endpoint:         aws.String(c.cos),
		Region:           aws.String(c.location),
		HTTPClient:       &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
		S3ForcePathStyle: aws.Bool(true),
		Credentials:      creds,
		MaxRetries:       aws.Int(2),
	}})
	if err != nil {
		return nil, err
	}
	// The session applies process-wide settings (AWS_CA_BUNDLE) to its HTTP client, and
	// only to a bare *http.Transport; the operator's client is set afterwards so that its
	// transport (and trust) is the same for every IBM Cloud call.
	sess.Config.HTTPClient = c.http
	sess.Handlers.Build.PushBackNamed(request.NamedHandler{
		Name: "openshift.io/cluster-image-registry-operator",
		Fn:   request.MakeAddToUserAgentHandler(userAgent, c.version),
	})
	return s3.New(sess), nil
}
