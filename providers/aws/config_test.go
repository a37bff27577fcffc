package aws

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

func TestDefaultsValidate(t *testing.T) {
	c := NewConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if c.Organization.RoleName != "ShadowscanReadOnly" || c.Concurrency != 16 || c.MaxInFlight != 64 || c.IAMConcurrency != 4 || c.AccountTimeout != 10*time.Minute || len(c.Regions) != 1 || c.Regions[0] != "us-east-1" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mut  func(*Config)
		want string
	}{
		{"no regions", func(c *Config) { c.Regions = nil }, "regions: must not be empty"},
		{"bad region", func(c *Config) { c.Regions = []string{"us-east-1", "Mars"} }, `regions[1]: "Mars" is not an AWS region name`},
		{"endpoint scheme", func(c *Config) { c.EndpointURL = "localhost:4566" }, "endpoint_url: "},
		{"role arn", func(c *Config) { c.RoleARN = "arn:aws:iam::12:role/x" }, "role_arn: "},
		{"external id alone", func(c *Config) { c.ExternalID = "abc" }, "external_id: set without role_arn"},
		{"external id chars", func(c *Config) {
			c.RoleARN = "arn:aws:iam::123456789012:role/x"
			c.ExternalID = "has space"
		}, "external_id: must be"},
		{"concurrency", func(c *Config) { c.Concurrency = 0 }, "concurrency: must be between 1 and 64"},
		{"max in flight", func(c *Config) { c.MaxInFlight = 0 }, "max_in_flight: must be between 1 and 1024"},
		{"iam concurrency", func(c *Config) { c.IAMConcurrency = 33 }, "iam_concurrency: must be between 1 and 32"},
		{"account timeout", func(c *Config) { c.AccountTimeout = time.Millisecond }, "account_timeout: must be at least 1s"},
		{"attempts", func(c *Config) { c.MaxAttempts = 50 }, "max_attempts: "},
		{"role name", func(c *Config) { c.Organization.Enabled = true; c.Organization.RoleName = "" }, "organization.role_name: "},
		{"org external id", func(c *Config) { c.Organization.ExternalID = "x" }, "organization.external_id: "},
		{"skip account", func(c *Config) { c.Organization.SkipAccounts = []string{"1234"} }, `organization.skip_accounts[0]: "1234"`},
		{"skip ou id", func(c *Config) { c.Organization.SkipOUs = []string{"ou-bad"} }, `organization.skip_ous[0]: "ou-bad" is not an OU ID`},
		{"skip ou empty", func(c *Config) { c.Organization.SkipOUs = []string{" "} }, "organization.skip_ous[0]: must not be empty"},
		{"export with org", func(c *Config) {
			c.Organization.Enabled = true
			c.Export.IAMAuthorizationDetails = []string{"a.json"}
		}, "export: cannot be combined with organization.enabled"},
		{"export with ce", func(c *Config) {
			c.CostExplorer = true
			c.Export.MarketplaceAgreements = []string{"a.json"}
		}, "export: cannot be combined with cost_explorer"},
		{"export account", func(c *Config) { c.Export.AccountID = "x" }, "export.account_id: "},
		{"export zone", func(c *Config) { c.Export.Route53RecordSets = []Route53Export{{File: "z.json"}} }, "export.route53_record_sets[0].zone: must not be empty"},
		{"export file", func(c *Config) { c.Export.Route53RecordSets = []Route53Export{{Zone: "a.example"}} }, "export.route53_record_sets[0].file: must not be empty"},
		{"export empty path", func(c *Config) { c.Export.IAMCredentialReports = []string{""} }, "export.iam_credential_reports[0]: must not be empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewConfig()
			tc.mut(c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
	ok := NewConfig()
	ok.Organization = OrganizationConfig{Enabled: true, RoleName: "path/ShadowscanReadOnly", ExternalID: "ext-1",
		SkipAccounts: []string{"123456789012"}, SkipOUs: []string{"ou-ab12-sandbox01", "Sandbox", "r-ab12"}}
	ok.RoleARN, ok.ExternalID = "arn:aws-us-gov:iam::123456789012:role/path/Entry", "x@y:z"
	ok.EndpointURL = "http://localhost:4566"
	if err := ok.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func TestResolvePaths(t *testing.T) {
	c := NewConfig()
	c.Export = ExportConfig{IAMAuthorizationDetails: []string{"a.json"}, IAMCredentialReports: []string{"b.json"},
		MarketplaceAgreements: []string{"c.json"}, Route53RecordSets: []Route53Export{{Zone: "z", File: "d.json"}}}
	c.ResolvePaths(func(p string) string { return "/cfg/" + p })
	e := c.Export
	if e.IAMAuthorizationDetails[0] != "/cfg/a.json" || e.IAMCredentialReports[0] != "/cfg/b.json" ||
		e.MarketplaceAgreements[0] != "/cfg/c.json" || e.Route53RecordSets[0].File != "/cfg/d.json" {
		t.Errorf("paths: %+v", e)
	}
}

func TestRegistered(t *testing.T) {
	f, ok := scanner.Lookup("aws")
	if !ok {
		t.Fatal("aws not registered")
	}
	if len(f.Permissions) == 0 || f.Description == "" {
		t.Error("factory without permissions or description")
	}
	for _, p := range f.Permissions {
		if !strings.Contains(p.Name, ":") || p.Why == "" {
			t.Errorf("permission %+v", p)
		}
		if strings.Contains(p.Name, "*") || strings.HasPrefix(strings.SplitN(p.Name, ":", 2)[1], "Put") ||
			strings.HasPrefix(strings.SplitN(p.Name, ":", 2)[1], "Create") {
			t.Errorf("permission %s is not a least-privilege read", p.Name)
		}
	}
	if _, err := f.New(f.NewConfig(), scanner.Deps{}); err != nil {
		t.Errorf("New with defaults: %v", err)
	}
	bad := NewConfig()
	bad.Regions = nil
	if _, err := f.New(bad, scanner.Deps{}); err == nil {
		t.Error("New accepted an invalid config")
	}
}

// The production path: LoadDefaultConfig (credentials from the environment, as the SDK's default chain reads
// them), our retryer, and the SDK's standard AWS_ENDPOINT_URL variable instead of endpoint_url.
func TestProductionConfigPath(t *testing.T) {
	f := newNorthwind(t)
	f.faults[acctMgmt+"/GetAccountAuthorizationDetails"] = &fault{Kind: "throttle", Count: 1}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", baseAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	c := NewConfig()
	c.Regions = []string{"eu-west-1"}
	p, err := New(c, scanner.Deps{Logger: zerolog.New(zerolog.NewTestWriter(t)), Diagnostics: &scanner.Diagnostics{},
		Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := scannertest.Collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	scannertest.MustRecord(t, scannertest.ByID(recs), "aws:111111111111:saml-provider/Okta")
	if n := f.callCount(acctMgmt, "GetAccountAuthorizationDetails"); n != 2 {
		t.Errorf("throttled call not retried by the production retryer: %d calls", n)
	}
}

func TestRetryAfter(t *testing.T) {
	mk := func(h http.Header) error {
		resp := &smithyhttp.Response{Response: &http.Response{StatusCode: 429, Header: h}}
		return &smithy.OperationError{ServiceID: "x", OperationName: "y", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: resp, Err: errors.New("too many")}}}
	}
	b := retryAfterBackoff{jitter: retry.NewExponentialJitterBackoff(time.Second), max: 5 * time.Second}
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second},
		{http.Header{"Retry-After": {"3600"}}, 5 * time.Second},
		{http.Header{"X-Amz-Retry-After": {"1500"}}, 1500 * time.Millisecond},
		{http.Header{"Retry-After": {time.Now().Add(-time.Minute).UTC().Format(http.TimeFormat)}}, 0},
	} {
		got, err := b.BackoffDelay(1, mk(tc.h))
		if err != nil || got != tc.want {
			t.Errorf("%v: delay %v, %v; want %v", tc.h, got, err, tc.want)
		}
	}
	if d, _ := b.BackoffDelay(1, mk(http.Header{"Retry-After": {"soon"}})); d > time.Second {
		t.Errorf("unparseable Retry-After: %v", d)
	}
	r := newRetryer(3, time.Second)
	if !r.IsErrorRetryable(mk(http.Header{})) {
		t.Error("bare 429 not retryable")
	}
	if r.MaxAttempts() != 3 {
		t.Errorf("MaxAttempts %d", r.MaxAttempts())
	}
}

func TestGlobalRegion(t *testing.T) {
	for in, want := range map[string]string{"eu-west-1": "us-east-1", "us-gov-east-1": "us-gov-west-1", "cn-north-1": "cn-northwest-1"} {
		if got := globalRegion(in); got != want {
			t.Errorf("globalRegion(%s) = %s", in, got)
		}
	}
}

func TestHelpers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		f        func(string) string
		in, want string
	}{
		{"nameFromIdentifier", nameFromIdentifier, "hubspot-sync", "hubspot sync"},
		{"nameFromIdentifier", nameFromIdentifier, "svc_mailchimp.export@prod", "svc mailchimp export prod"},
		{"marketplaceProductName", marketplaceProductName, "Hightouch (SaaS) [Annual]", "Hightouch"},
		{"samlEntityID", samlEntityID, `<EntityDescriptor entityID=" https://idp.example/x "/>`, "https://idp.example/x"},
		{"samlEntityID", samlEntityID, `<<<`, ""},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
	if s, e := lastFullMonth(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)); s != "2025-12-01" || e != "2026-01-01" {
		t.Errorf("lastFullMonth: %s %s", s, e)
	}
	svc, typ, region, name := splitARN("arn:aws:lambda:us-east-1:1:function:f")
	if svc != "lambda" || typ != "function" || region != "us-east-1" || name != "f" {
		t.Errorf("splitARN: %s %s %s %s", svc, typ, region, name)
	}
	if !isAccessDenied(&smithy.GenericAPIError{Code: "AccessDeniedException"}) || isAccessDenied(errors.New("x")) {
		t.Error("isAccessDenied")
	}
	a := agreement{Value: "1200", StartTime: testNow, EndTime: testNow.AddDate(0, 0, 10)}
	if am := agreementAmount(a); am == nil || am.Period != scanner.PeriodOneTime || am.Currency != "USD" {
		t.Errorf("short agreement amount %+v", am)
	}
}
