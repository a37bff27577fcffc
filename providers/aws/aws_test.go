package aws

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

var marketingTagsCfg = map[string]string{"cost-center": "marketing", "team": "marketing"}

// harness runs the provider against a fake through the production newClients, with a literal aws.Config.
type harness struct {
	fake *fakeAWS
	srv  *httptest.Server
	cfg  *Config
	diag *scanner.Diagnostics
}

func newHarness(t testing.TB, f *fakeAWS, mut func(*Config)) *harness {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := NewConfig()
	cfg.Regions = []string{"us-east-1", "eu-west-1"}
	cfg.EndpointURL = srv.URL
	cfg.Organization.Enabled = true
	cfg.Organization.ExternalID = "nw-org-scan"
	off := false
	cfg.DNS.DanglingCNAMEs = &off // tests never query the machine's resolver; dangling_test.go turns it on
	if mut != nil {
		mut(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	return &harness{fake: f, srv: srv, cfg: cfg}
}

// provider returns a fresh provider over the fake (each has its own Diagnostics, kept in h.diag).
func (h *harness) provider(t *testing.T) scanner.Provider {
	t.Helper()
	return h.providerTB(t)
}

func (h *harness) providerTB(t testing.TB) scanner.Provider {
	h.diag = &scanner.Diagnostics{}
	awsCfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(baseAccessKey, "fake-secret", ""),
		HTTPClient:  h.srv.Client(),
		Retryer:     func() aws.Retryer { return newRetryer(h.cfg.MaxAttempts, time.Millisecond) },
	}
	d := scanner.Deps{Name: "aws-org", Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
		Diagnostics: h.diag, Now: nowFn,
		Org: scanner.Organization{Name: "Northwind Outfitters", Domains: []string{"northwind.example"},
			Marketing: scanner.Marketing{AWSTags: marketingTagsCfg}}}
	return newProvider(h.cfg, d, func(context.Context) (aws.Config, error) { return awsCfg, nil })
}

func hintValue(r scanner.Record, typ scanner.HintType) string {
	h, _ := r.Hint(typ)
	return h.Value
}

// wantHint checks the value of r's hint of type typ ("": r has none).
func wantHint(t *testing.T, r scanner.Record, typ scanner.HintType, want string) {
	t.Helper()
	if got := hintValue(r, typ); got != want {
		t.Errorf("%s: %s hint %q, want %q (hints %+v)", r.ID, typ, got, want, r.Hints)
	}
}

func errorsText(d *scanner.Diagnostics) string {
	var b strings.Builder
	for _, e := range d.Errors() {
		b.WriteString(e.API + " | " + e.Target + " | " + e.Message + "\n")
	}
	return b.String()
}

func TestCollectOrganization(t *testing.T) {
	f := newNorthwind(t)
	// Throttling and a 5xx on the way, each on a page after the first: nothing may be lost or read twice.
	f.faults["*/ListAccounts"] = &fault{Kind: "throttle", Count: 1}
	f.faults[acctMarketing+"/GetAccountAuthorizationDetails"] = &fault{Kind: "throttle", After: 1, Count: 2}
	f.faults[acctMarketing+"/ListResourceRecordSets"] = &fault{Kind: "5xx", After: 1, Count: 1}
	f.faults[acctMarketing+"/SearchAgreements"] = &fault{Kind: "throttle", After: 1, Count: 1}
	f.faults[acctMarketing+"/GetResources"] = &fault{Kind: "throttle", Count: 1} // bare 429 + Retry-After
	h := newHarness(t, f, nil)
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	m := scannertest.ByID(recs)
	if len(m) != len(recs) {
		t.Fatalf("%d records but %d distinct IDs", len(recs), len(m))
	}

	t.Run("trust", func(t *testing.T) {
		seg := scannertest.MustRecord(t, m, "aws:222222222222:role/segment-s3-export:trust:107630771604")
		if seg.Kind != scanner.KindCloudTrust || hintValue(seg, scanner.HintAWSAccount) != "107630771604" {
			t.Errorf("segment trust: %+v", seg)
		}
		wantAttrs(t, seg, map[string]any{"external_id_present": true, "principal_type": "account", "wildcard": false,
			"role_arn": "arn:aws:iam::222222222222:role/segment-s3-export", "account_id": acctMarketing,
			"account_name": "northwind-marketing", "role_last_used": "2026-11-21T09:30:00Z", "role_unused_days": int64(1),
			"principal": "arn:aws:iam::107630771604:root", "account_ou": ""})

		ht := scannertest.MustRecord(t, m, "aws:222222222222:role/hightouch-sync:trust:324528010823")
		wantAttrs(t, ht, map[string]any{"external_id_present": false, "principal_type": "account"})
		wantHint(t, ht, scanner.HintAWSAccount, "324528010823")
		lm := scannertest.MustRecord(t, m, "aws:222222222222:role/leadmagnet-export:trust:arn:aws:iam::999988887777:role/leadmagnet-worker")
		wantAttrs(t, lm, map[string]any{"principal_type": "arn", "external_id_present": false, "role_never_used": true,
			"role_unused_days": int64(82)})
		wantHint(t, lm, scanner.HintAWSAccount, "999988887777")
		open := scannertest.MustRecord(t, m, "aws:222222222222:role/open-debug:trust:*")
		wantAttrs(t, open, map[string]any{"wildcard": true, "principal_type": "wildcard", "org_restricted": false})
		if len(open.Hints) != 0 {
			t.Errorf("wildcard has hints %+v", open.Hints)
		}
		org := scannertest.MustRecord(t, m, "aws:222222222222:role/org-reader:trust:*")
		wantAttrs(t, org, map[string]any{"wildcard": true, "org_restricted": true})
		mixed := scannertest.MustRecord(t, m, "aws:222222222222:role/mixed:trust:arn:aws:iam::324528010823:role/ht-worker")
		wantAttrs(t, mixed, map[string]any{"external_id_present": true, "principal_type": "arn"})
		ghost := scannertest.MustRecord(t, m, "aws:222222222222:role/ghost:trust:AROAEXAMPLEGHOST12345")
		wantAttrs(t, ghost, map[string]any{"principal_type": "unique_id"})
		gh := scannertest.MustRecord(t, m, "aws:222222222222:role/github-actions:trust:arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com")
		wantHint(t, gh, scanner.HintDomain, "token.actions.githubusercontent.com")
		okta := scannertest.MustRecord(t, m, "aws:111111111111:role/sso-okta:trust:arn:aws:iam::111111111111:saml-provider/Okta")
		wantHint(t, okta, scanner.HintName, "Okta")
		np := scannertest.MustRecord(t, m, "aws:222222222222:role/all-but-admins:trust:*")
		wantAttrs(t, np, map[string]any{"not_principal": true, "wildcard": true})
		legacy := scannertest.MustRecord(t, m, "aws:222222222222:role/segment-legacy:trust:595280932656")
		wantAttrs(t, legacy, map[string]any{"external_id_present": false}) // one of two statements lacks it
		weak := scannertest.MustRecord(t, m, "aws:222222222222:role/weak-extid:trust:834469178297")
		wantAttrs(t, weak, map[string]any{"external_id_present": false})
		ft := scannertest.MustRecord(t, m, "aws:666666666666:role/fivetran:trust:834469178297")
		wantAttrs(t, ft, map[string]any{"external_id_present": true, "account_name": "northwind-analytics"})

		// Not third parties: services, Cognito, the organisation's own accounts (member, management, sandbox).
		for _, id := range []string{
			"aws:222222222222:role/lambda-exec:trust:lambda.amazonaws.com",
			"aws:222222222222:role/mixed:trust:ec2.amazonaws.com",
			"aws:222222222222:role/mixed:trust:555555555555",
			"aws:222222222222:role/ops-cross-account:trust:333333333333",
			"aws:222222222222:role/ops-cross-account:trust:123456789012", // a Deny statement
			"aws:222222222222:role/cognito-app:trust:cognito-identity.amazonaws.com",
			"aws:111111111111:role/marketing-admin:trust:222222222222",
		} {
			if _, ok := m[id]; ok {
				t.Errorf("record %s should not be emitted", id)
			}
		}
	})

	t.Run("credentials", func(t *testing.T) {
		k1 := scannertest.MustRecord(t, m, "aws:222222222222:user/hubspot-sync:key/AKIAHUBSPOTKEY000001")
		wantAttrs(t, k1, map[string]any{"user_name": "hubspot-sync", "key_id": "AKIAHUBSPOTKEY000001", "status": "Active",
			"key_age_days": int64(1349), "key_last_used": "2026-11-20T09:30:00Z", "key_last_used_service": "s3"})
		if got := hints(k1, scanner.HintName); !slices.Equal(got, []string{"HubSpot", "hubspot sync"}) {
			t.Errorf("hubspot-sync name hints = %v", got)
		}
		k2 := scannertest.MustRecord(t, m, "aws:222222222222:user/hubspot-sync:key/AKIAHUBSPOTKEY000002")
		wantAttrs(t, k2, map[string]any{"key_never_used": true, "key_age_days": int64(539)})
		for id := range m {
			if strings.Contains(id, "zapier") || strings.Contains(id, "alice") {
				t.Errorf("inactive key or keyless user emitted: %s", id)
			}
		}
	})

	t.Run("identity providers", func(t *testing.T) {
		o := scannertest.MustRecord(t, m, "aws:222222222222:oidc-provider/token.actions.githubusercontent.com")
		if o.Kind != scanner.KindIdentityProvider || hintValue(o, scanner.HintDomain) != "token.actions.githubusercontent.com" {
			t.Errorf("oidc: %+v", o)
		}
		s := scannertest.MustRecord(t, m, "aws:111111111111:saml-provider/Okta")
		wantAttrs(t, s, map[string]any{"entity_id": "http://www.okta.com/exk1northwind", "provider_type": "saml"})
		wantHint(t, s, scanner.HintDomain, "www.okta.com")
	})

	t.Run("route53", func(t *testing.T) {
		p := "aws:222222222222:route53:Z1NORTHWIND:"
		spf := scannertest.MustRecord(t, m, p+"dns:northwind.example:TXT:spf_include:servers.mcsv.net")
		if hintValue(spf, scanner.HintSPFInclude) != "servers.mcsv.net" || spf.Kind != scanner.KindDNSRecord {
			t.Errorf("spf: %+v", spf)
		}
		wantAttrs(t, spf, map[string]any{"hosted_zone_id": "Z1NORTHWIND", "private_zone": false, "account_id": acctMarketing})
		lp := scannertest.MustRecord(t, m, p+"dns:lp.northwind.example:CNAME:cname")
		wantHint(t, lp, scanner.HintCNAMETarget, "northwind-lp.unbouncepages.com")
		hs := findRecord(recs, func(r scanner.Record) bool {
			return strings.HasPrefix(r.ID, p) && hintValue(r, scanner.HintTXTToken) != "" &&
				strings.HasPrefix(hintValue(r, scanner.HintTXTToken), "hubspot-developer-verification=")
		})
		if hs == nil || !strings.Contains(hintValue(*hs, scanner.HintTXTToken), "OTQ5NGIxZGYtZjA2") {
			t.Errorf("split TXT not joined: %+v", hs)
		}
		if findRecord(recs, func(r scanner.Record) bool { return strings.Contains(r.ID, "k1._domainkey") }) == nil {
			t.Error("no DKIM record")
		}
		crm := findRecord(recs, func(r scanner.Record) bool { return strings.HasPrefix(r.ID, "aws:222222222222:route53:Z2PRIVATE:") })
		if crm == nil || crm.Attributes["private_zone"] != true {
			t.Errorf("private zone record: %+v", crm)
		}
		if r := findRecord(recs, func(r scanner.Record) bool { return strings.Contains(r.ID, "www.northwind.example") }); r != nil {
			t.Errorf("alias record gave %s", r.ID)
		}
	})

	t.Run("marketplace", func(t *testing.T) {
		ag := scannertest.MustRecord(t, m, "aws:222222222222:marketplace-agreement/agmt-hightouch00001")
		if ag.Kind != scanner.KindSaaSSubscription || hintValue(ag, scanner.HintAWSAccount) != "324528010823" {
			t.Errorf("agreement: %+v", ag)
		}
		wantAttrs(t, ag, map[string]any{"product_id": "prod-ht12345abcde", "product_type": "SaaSProduct",
			"seller_account_id": "324528010823", "start_time": "2026-02-01T09:30:00Z", "end_time": "2027-02-01T09:30:00Z",
			"agreement_value": "12000.00", "status": "ACTIVE"})
		if ag.Amount == nil || *ag.Amount != (scanner.Amount{Value: 12000, Currency: "USD", Period: scanner.PeriodAnnual}) {
			t.Errorf("agreement amount %+v", ag.Amount)
		}
		lm := scannertest.MustRecord(t, m, "aws:222222222222:marketplace-agreement/agmt-leadmagnet0001")
		if lm.Amount == nil || *lm.Amount != (scanner.Amount{Value: 499, Currency: "USD", Period: scanner.PeriodMonthly}) {
			t.Errorf("monthly agreement amount %+v", lm.Amount)
		}
		c := scannertest.MustRecord(t, m, "aws:222222222222:marketplace-agreement/agmt-census00000001") // on page 2, after a throttle
		if c.Amount == nil || c.Amount.Value != 12000 || c.Amount.Period != scanner.PeriodAnnual {
			t.Errorf("3-year agreement amount %+v", c.Amount)
		}
	})

	t.Run("tagged resources", func(t *testing.T) {
		s3 := scannertest.MustRecord(t, m, "aws:222222222222:resource:arn:aws:s3:::northwind-landing-pages")
		if hintValue(s3, scanner.HintName) != "Unbounce" || s3.Kind != scanner.KindCloudResource {
			t.Errorf("s3: %+v", s3)
		}
		fn := scannertest.MustRecord(t, m, "aws:222222222222:resource:arn:aws:lambda:us-east-1:222222222222:function:hubspot-webhook")
		wantAttrs(t, fn, map[string]any{"marketing_tags": []string{"cost-center=marketing", "team=marketing"}, "region": "us-east-1"})
		scannertest.MustRecord(t, m, "aws:222222222222:resource:arn:aws:dynamodb:eu-west-1:222222222222:table/campaigns")
		if _, ok := m["aws:222222222222:resource:arn:aws:lambda:us-east-1:222222222222:function:billing"]; ok {
			t.Error("finance resource emitted")
		}
	})

	t.Run("coverage", func(t *testing.T) {
		errs := errorsText(h.diag)
		for _, want := range []string{
			"sts:AssumeRole | account 333333333333 (northwind-data) | assuming arn:aws:iam::333333333333:role/ShadowscanReadOnly",
			"aws-marketplace:SearchAgreements | account 666666666666 (northwind-analytics)",
		} {
			if !strings.Contains(errs, want) {
				t.Errorf("coverage errors lack %q:\n%s", want, errs)
			}
		}
		if n := len(h.diag.Errors()); n != 2 {
			t.Errorf("%d coverage errors, want 2 (throttling and 5xx must be retried):\n%s", n, errs)
		}
		skipped := strings.Join(h.diag.Skipped(), "\n")
		if !strings.Contains(skipped, "account 444444444444 (northwind-legacy): SUSPENDED") {
			t.Errorf("suspended account not listed as skipped: %q", skipped)
		}
		if f.callCount(acctLegacy, "GetAccountAuthorizationDetails") != 0 {
			t.Error("suspended account was scanned")
		}
		// The management account was scanned with the caller's own credentials, members through the role.
		if f.callCount(acctMgmt+"/AssumeRole:extid=nw-org-scan", "") != 0 {
			t.Error("assumed a role into the caller's own account")
		}
		for _, a := range []string{acctMarketing, acctAnalytics, acctSandbox} {
			if f.callCount(a, "AssumeRole:extid=nw-org-scan") != 1 {
				t.Errorf("account %s: AssumeRole with the organisation external ID called %d times", a,
					f.callCount(a, "AssumeRole:extid=nw-org-scan"))
			}
		}
		// Paging happened and throttled pages were retried, not restarted.
		if got := f.callCount(acctMarketing, "GetAccountAuthorizationDetails"); got != 9+2 {
			t.Errorf("GetAccountAuthorizationDetails calls = %d, want 11 (9 pages of 14 roles and 3 users + 2 throttled)", got)
		}
		if got := f.callCount(acctMarketing, "GetResources"); got != 1+2+2 {
			t.Errorf("GetResources calls = %d, want 5 (4 queries over 2 regions + one 429)", got)
		}
	})
}

func wantAttrs(t *testing.T, r scanner.Record, want map[string]any) {
	t.Helper()
	for k, v := range want {
		got, ok := r.Attributes[k]
		if v == "" {
			if ok {
				t.Errorf("%s: attribute %s = %v, want absent", r.ID, k, got)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no attribute %s (want %v)", r.ID, k, v)
			continue
		}
		if gl, ok := got.([]string); ok {
			if wl, ok := v.([]string); !ok || !slices.Equal(gl, wl) {
				t.Errorf("%s: attribute %s = %v, want %v", r.ID, k, got, v)
			}
			continue
		}
		if got != v {
			t.Errorf("%s: attribute %s = %#v, want %#v", r.ID, k, got, v)
		}
	}
}

func hints(r scanner.Record, typ scanner.HintType) []string {
	var out []string
	for _, h := range r.Hints {
		if h.Type == typ {
			out = append(out, h.Value)
		}
	}
	return out
}

func findRecord(recs []scanner.Record, pred func(scanner.Record) bool) *scanner.Record {
	for i := range recs {
		if pred(recs[i]) {
			return &recs[i]
		}
	}
	return nil
}

func TestContract(t *testing.T) {
	h := newHarness(t, newNorthwind(t), nil)
	scannertest.RunProviderContract(t, h.provider, scannertest.Contract{
		Kinds: []string{scanner.KindCloudTrust, scanner.KindCloudCredential, scanner.KindIdentityProvider,
			scanner.KindDNSRecord, scanner.KindSaaSSubscription, scanner.KindCloudResource},
		Populated: map[string][]string{
			scanner.KindCloudTrust: {"Hints", "Summary", "Principal.ID", "FirstSeen", "LastSeen", "Attributes.role_arn",
				"Attributes.external_id_present", "Attributes.role_last_used", "Attributes.account_id",
				"Attributes.account_name", "Attributes.principal", "Attributes.principal_type"},
			scanner.KindCloudCredential: {"Hints", "Summary", "Principal.Name", "FirstSeen", "LastSeen", "Attributes.user_name",
				"Attributes.key_id", "Attributes.key_age_days", "Attributes.key_last_used", "Attributes.status"},
			scanner.KindIdentityProvider: {"Hints", "Attributes.provider_arn"},
			scanner.KindDNSRecord:        {"Hints", "Attributes.hosted_zone_id", "Attributes.account_id"},
			scanner.KindSaaSSubscription: {"Hints", "Amount", "FirstSeen", "Attributes.product_id", "Attributes.seller_account_id",
				"Attributes.start_time", "Attributes.end_time"},
			scanner.KindCloudResource: {"Hints", "Attributes.arn", "Attributes.marketing_tags"},
		},
	})
}

func TestSkipOUsAndAccounts(t *testing.T) {
	f := newNorthwind(t)
	h := newHarness(t, f, func(c *Config) {
		c.Organization.SkipOUs = []string{"Sandbox"}
		c.Organization.SkipAccounts = []string{acctAnalytics}
	})
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	skipped := strings.Join(h.diag.Skipped(), "\n")
	for _, want := range []string{
		"account 555555555555 (northwind-sandbox): under OU /Workloads/Sandbox (ou-ab12-sandbox01) in organization.skip_ous",
		"account 666666666666 (northwind-analytics): in organization.skip_accounts",
		"account 444444444444 (northwind-legacy): SUSPENDED",
	} {
		if !strings.Contains(skipped, want) {
			t.Errorf("skipped lacks %q:\n%s", want, skipped)
		}
	}
	for _, a := range []string{acctSandbox, acctAnalytics} {
		if n := f.callCount(a, "AssumeRole:extid=nw-org-scan"); n != 0 {
			t.Errorf("assumed into skipped account %s", a)
		}
	}
	m := scannertest.ByID(recs)
	r := scannertest.MustRecord(t, m, "aws:222222222222:role/segment-s3-export:trust:107630771604")
	wantAttrs(t, r, map[string]any{"account_ou": "/Marketing"})
}

func TestSkipOUByID(t *testing.T) {
	f := newNorthwind(t)
	h := newHarness(t, f, func(c *Config) { c.Organization.SkipOUs = []string{"ou-ab12-workload1"} })
	if _, err := scannertest.Collect(t, h.provider(t)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(h.diag.Skipped(), "\n"), "account 555555555555 (northwind-sandbox): under OU /Workloads (ou-ab12-workload1)") {
		t.Errorf("nested account under a skipped OU not skipped: %v", h.diag.Skipped())
	}
}

func TestSingleAccount(t *testing.T) {
	f := newNorthwind(t)
	f.mgmt = acctMarketing // the base credentials belong to the marketing account
	h := newHarness(t, f, func(c *Config) { c.Organization.Enabled = false })
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	m := scannertest.ByID(recs)
	scannertest.MustRecord(t, m, "aws:222222222222:role/hightouch-sync:trust:324528010823")
	// Without the organisation, other Northwind accounts are outside parties.
	scannertest.MustRecord(t, m, "aws:222222222222:role/ops-cross-account:trust:333333333333")
	for id := range m {
		if !strings.HasPrefix(id, "aws:222222222222:") {
			t.Errorf("record from another account: %s", id)
		}
	}
	if f.callCount(acctMarketing, "ListAccounts") != 0 {
		t.Error("Organizations called with organization.enabled false")
	}
}

func TestRoleARNAssumedFirst(t *testing.T) {
	f := newNorthwind(t)
	h := newHarness(t, f, func(c *Config) {
		c.Organization.Enabled = false
		c.RoleARN = "arn:aws:iam::666666666666:role/ShadowscanEntry"
		c.ExternalID = "entry-ext-id"
	})
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := f.callCount(acctAnalytics, "AssumeRole:extid=entry-ext-id"); n != 1 {
		t.Errorf("role_arn assumed %d times with its external ID", n)
	}
	scannertest.MustRecord(t, scannertest.ByID(recs), "aws:666666666666:role/fivetran:trust:834469178297")
}

func TestRoleARNDenied(t *testing.T) {
	f := newNorthwind(t)
	h := newHarness(t, f, func(c *Config) {
		c.Organization.Enabled = false
		c.RoleARN = "arn:aws:iam::333333333333:role/ShadowscanEntry"
	})
	_, err := scannertest.Collect(t, h.provider(t))
	if err == nil || !strings.Contains(err.Error(), "assuming role_arn") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("Collect error = %v, want the role_arn AccessDenied", err)
	}
}

func TestCostExplorer(t *testing.T) {
	f := newNorthwind(t)
	h := newHarness(t, f, func(c *Config) { c.CostExplorer = true })
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	m := scannertest.ByID(recs)
	sp := scannertest.MustRecord(t, m, "aws:222222222222:marketplace-spend/Hightouch (SaaS)")
	if hintValue(sp, scanner.HintName) != "Hightouch" || sp.Amount == nil ||
		*sp.Amount != (scanner.Amount{Value: 1000, Currency: "USD", Period: scanner.PeriodMonthly}) {
		t.Errorf("spend record: %+v amount %+v", sp, sp.Amount)
	}
	wantAttrs(t, sp, map[string]any{"period_start": "2026-10-01", "period_end": "2026-11-01", "account_name": "northwind-marketing"})
	scannertest.MustRecord(t, m, "aws:666666666666:marketplace-spend/Fivetran Managed Data Pipelines") // page 2
	ag := scannertest.MustRecord(t, m, "aws:222222222222:marketplace-agreement/agmt-hightouch00001")
	if ag.Amount != nil {
		t.Errorf("agreement carries an amount with Cost Explorer on (spend would count twice): %+v", ag.Amount)
	}
	if n := f.callCount(acctMgmt, "GetCostAndUsage"); n != 2 {
		t.Errorf("GetCostAndUsage from the management account %d times, want 2 pages", n)
	}
}

func TestOrganizationDenied(t *testing.T) {
	f := newNorthwind(t)
	f.deny[acctMgmt+"/ListAccounts"] = true
	h := newHarness(t, f, nil)
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errorsText(h.diag), "organizations:ListAccounts | account 111111111111 | page 1: ") {
		t.Errorf("errors: %s", errorsText(h.diag))
	}
	scannertest.MustRecord(t, scannertest.ByID(recs), "aws:111111111111:saml-provider/Okta")
	for _, r := range recs {
		if !strings.HasPrefix(r.ID, "aws:111111111111:") {
			t.Errorf("scanned beyond the caller's account: %s", r.ID)
		}
	}
}

func TestThrottlingExhaustedKeepsPagesRead(t *testing.T) {
	f := newNorthwind(t)
	// Page 3 of the marketing account's roles and users never stops throttling.
	f.faults[acctMarketing+"/GetAccountAuthorizationDetails"] = &fault{Kind: "throttle", After: 2, Count: 1000}
	f.faults[acctMarketing+"/ListResourceRecordSets"] = &fault{Kind: "throttle", After: 1, Count: 3}
	h := newHarness(t, f, func(c *Config) { c.MaxAttempts = 3 })
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	m := scannertest.ByID(recs)
	if len(m) != len(recs) {
		t.Errorf("duplicate records after throttling")
	}
	// Pages 1 and 2 (four roles) were kept.
	for _, role := range []string{"segment-s3-export:trust:107630771604", "hightouch-sync:trust:324528010823",
		"open-debug:trust:*", "leadmagnet-export:trust:arn:aws:iam::999988887777:role/leadmagnet-worker"} {
		scannertest.MustRecord(t, m, "aws:222222222222:role/"+role)
	}
	if _, ok := m["aws:222222222222:role/org-reader:trust:*"]; ok {
		t.Error("a role from the unread page appeared")
	}
	errs := errorsText(h.diag)
	for _, want := range []string{
		"iam:GetAccountAuthorizationDetails | account 222222222222 (northwind-marketing) | page 3 (roles and users after it not read)",
		"route53:ListResourceRecordSets | account 222222222222 (northwind-marketing) | zone northwind.example (Z1NORTHWIND), page 2",
		"Throttling",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	if got := f.callCount(acctMarketing, "GetAccountAuthorizationDetails"); got != 2+3 {
		t.Errorf("GetAccountAuthorizationDetails calls = %d, want 5 (2 pages, 3 attempts at page 3)", got)
	}
	// The private zone is still read after the public one failed.
	if findRecord(recs, func(r scanner.Record) bool { return strings.Contains(r.ID, "Z2PRIVATE") }) == nil {
		t.Error("zone after a failed zone not read")
	}
	// The other parts of the account still ran.
	scannertest.MustRecord(t, m, "aws:222222222222:marketplace-agreement/agmt-hightouch00001")
}

func TestMalformedResponses(t *testing.T) {
	f := newNorthwind(t)
	f.faults[acctMarketing+"/ListHostedZones"] = &fault{Kind: "malformed", Count: 1000}
	f.faults[acctMarketing+"/SearchAgreements"] = &fault{Kind: "malformed", Count: 1000}
	f.faults[acctAnalytics+"/GetResources"] = &fault{Kind: "malformed", Count: 1000}
	h := newHarness(t, f, nil)
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	errs := errorsText(h.diag)
	for _, want := range []string{"route53:ListHostedZones | account 222222222222", "aws-marketplace:SearchAgreements | account 222222222222",
		"tag:GetResources | account 666666666666"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	scannertest.MustRecord(t, scannertest.ByID(recs), "aws:222222222222:role/hightouch-sync:trust:324528010823")
}

func TestAccessDeniedPerAPI(t *testing.T) {
	f := newNorthwind(t)
	f.deny[acctMarketing+"/GetAccountAuthorizationDetails"] = true
	f.deny[acctMarketing+"/GetAccessKeyLastUsed"] = true
	h := newHarness(t, f, nil)
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errorsText(h.diag), "iam:GetAccountAuthorizationDetails | account 222222222222 (northwind-marketing) | page 1") {
		t.Errorf("errors: %s", errorsText(h.diag))
	}
	m := scannertest.ByID(recs)
	scannertest.MustRecord(t, m, "aws:222222222222:marketplace-agreement/agmt-hightouch00001")
	scannertest.MustRecord(t, m, "aws:666666666666:role/fivetran:trust:834469178297")
}

func TestKeyLastUsedDenied(t *testing.T) {
	f := newNorthwind(t)
	f.deny[acctMarketing+"/GetAccessKeyLastUsed"] = true
	h := newHarness(t, f, nil)
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	k := scannertest.MustRecord(t, scannertest.ByID(recs), "aws:222222222222:user/hubspot-sync:key/AKIAHUBSPOTKEY000002")
	if _, ok := k.Attributes["key_never_used"]; ok {
		t.Error("a key whose last use could not be read is reported as never used")
	}
	if !strings.Contains(errorsText(h.diag), "iam:GetAccessKeyLastUsed") {
		t.Errorf("errors: %s", errorsText(h.diag))
	}
}

func TestCancelMidScan(t *testing.T) {
	f := newNorthwind(t)
	h := newHarness(t, f, func(c *Config) { c.Concurrency = 4 })
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := h.provider(t).Collect(ctx, func(scanner.Record) error {
		n++
		if n == 3 {
			cancel()
		}
		return nil
	})
	if err == nil {
		t.Error("Collect returned nil after cancellation")
	}
	if len(h.diag.Errors()) > 2 {
		t.Errorf("cancellation reported as API failures:\n%s", errorsText(h.diag))
	}
}

func TestNoMarketingTagsIsASkip(t *testing.T) {
	f := newNorthwind(t)
	h := newHarness(t, f, nil)
	p := h.provider(t).(*provider)
	p.d.Org.Marketing.AWSTags = nil
	if _, err := scannertest.Collect(t, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(h.diag.Skipped(), "\n"), "organization.marketing.aws_tags is empty") {
		t.Errorf("skipped: %v", h.diag.Skipped())
	}
	if f.callCount(acctMarketing, "GetResources") != 0 {
		t.Error("tagging API called without marketing tags")
	}
}
