package ibmcosfake

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/IBM/go-sdk-core/v5/core"
	"github.com/IBM/ibm-cos-sdk-go/aws"
	"github.com/IBM/ibm-cos-sdk-go/aws/awserr"
	"github.com/IBM/ibm-cos-sdk-go/aws/credentials"
	"github.com/IBM/ibm-cos-sdk-go/aws/credentials/ibmiam"
	"github.com/IBM/ibm-cos-sdk-go/aws/session"
	"github.com/IBM/ibm-cos-sdk-go/service/s3"

	"github.com/irconform/irconform/fakes/fault"
)

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// rest calls one Resource Controller/Manager route with IBM's Go SDK core (IAM
// authenticator included), as the operator does.
func rest(t *testing.T, s *Server, apiKey, method, path string, query map[string]string, body, out any) (int, error) {
	t.Helper()
	auth := &core.IamAuthenticator{ApiKey: apiKey, URL: s.Endpoint}
	svc, err := core.NewBaseService(&core.ServiceOptions{URL: s.Endpoint, Authenticator: auth})
	if err != nil {
		t.Fatal(err)
	}
	b := core.NewRequestBuilder(method)
	if _, err := b.ResolveRequestURL(s.Endpoint, path, nil); err != nil {
		t.Fatal(err)
	}
	for k, v := range query {
		b.AddQuery(k, v)
	}
	if body != nil {
		if _, err := b.SetBodyContentJSON(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := svc.Request(req, out)
	if resp != nil {
		return resp.StatusCode, err
	}
	return 0, err
}

type inst struct {
	CRN   string `json:"crn"`
	Name  string `json:"name"`
	State string `json:"state"`
}

type key struct {
	CRN         string `json:"crn"`
	SourceCRN   string `json:"source_crn"`
	Credentials struct {
		Role string `json:"iam_role_crn"`
		HMAC *struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
		} `json:"cos_hmac_keys"`
	} `json:"credentials"`
}

// provision makes an instance and an HMAC key through the REST API.
func provision(t *testing.T, s *Server) (inst, key) {
	t.Helper()
	var groups struct {
		Resources []struct{ ID, Name string } `json:"resources"`
	}
	if code, err := rest(t, s, s.APIKey, http.MethodGet, "/v2/resource_groups", map[string]string{"account_id": s.AccountID, "name": s.ResourceGroup}, nil, &groups); err != nil || code != 200 {
		t.Fatalf("list resource groups: %d %v", code, err)
	}
	if len(groups.Resources) != 1 || groups.Resources[0].ID != s.ResourceGroupID {
		t.Fatalf("resource groups = %+v", groups.Resources)
	}
	var in inst
	body := map[string]any{"name": "infra-image-registry", "target": "bluemix-global", "resource_group": s.ResourceGroupID,
		"resource_plan_id": StandardPlanID, "tags": []string{"kubernetes.io_cluster_infra:owned"}}
	if code, err := rest(t, s, s.APIKey, http.MethodPost, "/v2/resource_instances", nil, body, &in); err != nil || code != 201 {
		t.Fatalf("create instance: %d %v", code, err)
	}
	var k key
	if code, err := rest(t, s, s.APIKey, http.MethodPost, "/v2/resource_keys", nil,
		map[string]any{"name": "infra-image-registry", "source": in.CRN, "role": "crn:v1:bluemix:public:iam::::serviceRole:Writer",
			"parameters": map[string]any{"HMAC": true}}, &k); err != nil || code != 201 {
		t.Fatalf("create key: %d %v", code, err)
	}
	return in, k
}

func cosClient(t *testing.T, s *Server, apiKey, instanceCRN string) *s3.S3 {
	t.Helper()
	sess, err := session.NewSessionWithOptions(session.Options{Config: aws.Config{
		Endpoint: aws.String(s.Endpoint), Region: aws.String("us-south"), S3ForcePathStyle: aws.Bool(true), MaxRetries: aws.Int(0),
		Credentials: ibmiam.NewStaticCredentials(aws.NewConfig(), s.Endpoint+"/identity/token", apiKey, instanceCRN),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return s3.New(sess)
}

func code(err error) string {
	var ae awserr.Error
	if errors.As(err, &ae) {
		return ae.Code()
	}
	return ""
}

func TestIAMExchange(t *testing.T) {
	s := start(t, WithAPIKey("user-key-0001", "user"))
	auth := &core.IamAuthenticator{ApiKey: s.APIKey, URL: s.Endpoint}
	tok, err := auth.RequestToken()
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || strings.Count(tok.AccessToken, ".") != 2 {
		t.Fatalf("token = %+v", tok)
	}
	if _, err := (&core.IamAuthenticator{ApiKey: "user-key-0001", URL: s.Endpoint}).RequestToken(); err != nil {
		t.Fatal(err)
	}
	_, err = (&core.IamAuthenticator{ApiKey: "no-such-key", URL: s.Endpoint}).RequestToken()
	if err == nil || !strings.Contains(err.Error(), "Provided API key could not be found") {
		t.Fatalf("unknown key: %v", err)
	}
	toks := s.Tokens()
	if len(toks) != 2 || toks[0].KeyLabel != "default" || toks[1].KeyLabel != "user" {
		t.Fatalf("tokens = %+v", toks)
	}
	s.RevokeAPIKey("user-key-0001")
	if _, err := (&core.IamAuthenticator{ApiKey: "user-key-0001", URL: s.Endpoint}).RequestToken(); err == nil {
		t.Fatal("a revoked key still gets a token")
	}
	if n := s.Faults().Count(OpAuth, ""); n != 4 {
		t.Fatalf("%d Auth calls logged, want 4", n)
	}
}

func TestResourceControllerAndManager(t *testing.T) {
	s := start(t)
	in, k := provision(t, s)
	if in.State != StateActive || !strings.HasPrefix(in.CRN, "crn:v1:bluemix:public:cloud-object-storage:global:a/"+s.AccountID+":") || !strings.HasSuffix(in.CRN, "::") {
		t.Fatalf("instance = %+v", in)
	}
	if k.SourceCRN != in.CRN || k.Credentials.HMAC == nil || k.Credentials.HMAC.AccessKeyID == "" || !strings.Contains(k.CRN, ":resource-key:") {
		t.Fatalf("key = %+v", k)
	}
	// Found again by name, group and plan; and by CRN (escaped as a path segment).
	var list struct{ Resources []inst }
	if _, err := rest(t, s, s.APIKey, http.MethodGet, "/v2/resource_instances", map[string]string{"name": "infra-image-registry",
		"resource_group_id": s.ResourceGroupID, "resource_plan_id": StandardPlanID}, nil, &list); err != nil || len(list.Resources) != 1 {
		t.Fatalf("list instances: %+v %v", list, err)
	}
	var got inst
	auth := &core.IamAuthenticator{ApiKey: s.APIKey, URL: s.Endpoint}
	svc, _ := core.NewBaseService(&core.ServiceOptions{URL: s.Endpoint, Authenticator: auth})
	b := core.NewRequestBuilder(core.GET)
	if _, err := b.ResolveRequestURL(s.Endpoint, "/v2/resource_instances/{id}", map[string]string{"id": in.CRN}); err != nil {
		t.Fatal(err)
	}
	req, _ := b.Build()
	if _, err := svc.Request(req, &got); err != nil || got.CRN != in.CRN {
		t.Fatalf("get instance by CRN: %+v %v", got, err)
	}
	if err := s.SetInstanceState(in.CRN, StateRemoved); err != nil {
		t.Fatal(err)
	}
	list.Resources = nil
	if _, err := rest(t, s, s.APIKey, http.MethodGet, "/v2/resource_instances", map[string]string{"name": "infra-image-registry"}, nil, &list); err != nil || len(list.Resources) != 0 {
		t.Fatalf("a removed instance is listed: %+v %v", list, err)
	}
	ins := s.Instances()
	if len(ins) != 1 || ins[0].Tags[0] != "kubernetes.io_cluster_infra:owned" || ins[0].Target != "bluemix-global" || ins[0].PlanID != StandardPlanID {
		t.Fatalf("Instances() = %+v", ins)
	}
	if keys := s.ResourceKeys(); len(keys) != 1 || !keys[0].HMAC || keys[0].Role != "crn:v1:bluemix:public:iam::::serviceRole:Writer" {
		t.Fatalf("ResourceKeys() = %+v", keys)
	}
	// Without a token the services refuse.
	resp, err := http.Get(s.Endpoint + "/v2/resource_groups")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: status %d", resp.StatusCode)
	}
}

func TestCOSWithIAMAndHMAC(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	in, k := provision(t, s)
	c := cosClient(t, s, s.APIKey, in.CRN)
	_, err := c.CreateBucketWithContext(ctx, &s3.CreateBucketInput{Bucket: aws.String("infra-image-registry-us-south-abc"),
		CreateBucketConfiguration: &s3.CreateBucketConfiguration{LocationConstraint: aws.String("us-south-smart")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadBucketWithContext(ctx, &s3.HeadBucketInput{Bucket: aws.String("infra-image-registry-us-south-abc")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateBucketWithContext(ctx, &s3.CreateBucketInput{Bucket: aws.String("bad-constraint"),
		CreateBucketConfiguration: &s3.CreateBucketConfiguration{LocationConstraint: aws.String("mars")}})
	if code(err) != "InvalidLocationConstraint" {
		t.Fatalf("bad location constraint: %v", err)
	}
	bs, err := s.Buckets(ctx)
	if err != nil || len(bs) != 1 || bs[0].Settings[SettingLocationConstraint] != "us-south-smart" || bs[0].Settings[SettingServiceInstance] != in.CRN {
		t.Fatalf("Buckets() = %+v %v", bs, err)
	}

	// The registry's way in: the resource key's HMAC pair, signed SigV4.
	sess := session.Must(session.NewSessionWithOptions(session.Options{Config: aws.Config{
		Endpoint: aws.String(s.Endpoint), Region: aws.String("us-south"), S3ForcePathStyle: aws.Bool(true), MaxRetries: aws.Int(0),
		Credentials: credentials.NewStaticCredentials(k.Credentials.HMAC.AccessKeyID, k.Credentials.HMAC.SecretAccessKey, ""),
	}}))
	hc := s3.New(sess)
	if _, err := hc.PutObjectWithContext(ctx, &s3.PutObjectInput{Bucket: aws.String("infra-image-registry-us-south-abc"), Key: aws.String("docker/x"),
		Body: strings.NewReader("layer")}); err != nil {
		t.Fatal(err)
	}
	bad := s3.New(session.Must(session.NewSessionWithOptions(session.Options{Config: aws.Config{
		Endpoint: aws.String(s.Endpoint), Region: aws.String("us-south"), S3ForcePathStyle: aws.Bool(true), MaxRetries: aws.Int(0),
		Credentials: credentials.NewStaticCredentials("AKIDUNKNOWN", "secret", ""),
	}})))
	if _, err := bad.ListObjectsV2WithContext(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("infra-image-registry-us-south-abc")}); code(err) != "InvalidAccessKeyId" {
		t.Fatalf("unknown HMAC key: %v", err)
	}

	// Creation must name an active instance.
	if _, err := cosClient(t, s, s.APIKey, "").CreateBucketWithContext(ctx, &s3.CreateBucketInput{Bucket: aws.String("no-instance")}); code(err) != "AccessDenied" {
		t.Fatalf("create without instance: %v", err)
	}
	// Expired tokens are refused until the client exchanges its key again.
	s.ExpireTokens()
	if _, err := c.HeadBucketWithContext(ctx, &s3.HeadBucketInput{Bucket: aws.String("infra-image-registry-us-south-abc")}); code(err) != "Forbidden" {
		t.Fatalf("expired token: %v", err)
	}
	if _, err := cosClient(t, s, s.APIKey, in.CRN).HeadBucketWithContext(ctx, &s3.HeadBucketInput{Bucket: aws.String("infra-image-registry-us-south-abc")}); err != nil {
		t.Fatalf("fresh token: %v", err)
	}

	// Non-empty delete refused, then emptied and deleted; the bucket's metadata goes with it.
	fresh := cosClient(t, s, s.APIKey, in.CRN)
	if _, err := fresh.DeleteBucketWithContext(ctx, &s3.DeleteBucketInput{Bucket: aws.String("infra-image-registry-us-south-abc")}); code(err) != "BucketNotEmpty" {
		t.Fatalf("delete non-empty: %v", err)
	}
	if _, err := fresh.DeleteObjectWithContext(ctx, &s3.DeleteObjectInput{Bucket: aws.String("infra-image-registry-us-south-abc"), Key: aws.String("docker/x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.DeleteBucketWithContext(ctx, &s3.DeleteBucketInput{Bucket: aws.String("infra-image-registry-us-south-abc")}); err != nil {
		t.Fatal(err)
	}
	if bs, _ := s.Buckets(ctx); len(bs) != 0 {
		t.Fatalf("buckets after delete: %+v", bs)
	}
}

func TestFaultsAndRequestedHosts(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	in, _ := provision(t, s)
	s.Faults().Inject(fault.Rule{Op: OpAuth, Status: 500, Times: 1})
	if _, err := (&core.IamAuthenticator{ApiKey: s.APIKey, URL: s.Endpoint}).RequestToken(); err == nil {
		t.Fatal("an injected IAM fault did not fail the exchange")
	}
	s.Faults().Inject(fault.Rule{Op: OpCreateInstance, Status: 503, Times: 1})
	if code, _ := rest(t, s, s.APIKey, http.MethodPost, "/v2/resource_instances", nil, map[string]any{"name": "x"}, nil); code != 503 {
		t.Fatalf("injected RC fault: status %d", code)
	}
	s.Faults().Inject(fault.Rule{Op: fault.OpCreateBucket, Status: 503, Times: 1})
	c := cosClient(t, s, s.APIKey, in.CRN)
	if _, err := c.CreateBucketWithContext(ctx, &s3.CreateBucketInput{Bucket: aws.String("faulted")}); code(err) != "SlowDown" {
		t.Fatalf("injected COS fault: %v", err)
	}
	if _, err := c.CreateBucketWithContext(ctx, &s3.CreateBucketInput{Bucket: aws.String("faulted")}); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	if n := s.Faults().Count(fault.OpCreateBucket, "faulted"); n != 2 {
		t.Fatalf("%d CreateBucket calls logged, want 2", n)
	}

	req, _ := http.NewRequest(http.MethodPost, s.Endpoint+"/identity/token", strings.NewReader("grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey="+s.APIKey))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Host", "private.iam.cloud.ibm.com")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	hs := s.RequestedHosts()
	last := hs[len(hs)-1]
	if last != (RequestedHost{Service: ServiceIAM, Host: "private.iam.cloud.ibm.com"}) {
		t.Fatalf("last requested host = %+v", last)
	}
}
