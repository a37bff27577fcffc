package aws

import (
	"testing"
	"time"
)

// The fake organisation: Northwind Outfitters, as the demo story tells it, with every trust-policy shape.
const (
	acctMgmt      = "111111111111"
	acctMarketing = "222222222222"
	acctData      = "333333333333" // AssumeRole is denied here
	acctLegacy    = "444444444444" // SUSPENDED
	acctSandbox   = "555555555555" // under /Workloads/Sandbox
	acctAnalytics = "666666666666" // Marketplace is denied here (an SCP)
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func nowFn() time.Time { return testNow }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }

func trustDoc(statements string) string {
	return `{"Version":"2012-10-17","Statement":` + statements + `}`
}

// Trust policies in every principal shape.
var fixtureRoles = []fakeRole{
	{Name: "segment-s3-export", Created: day(2024, 2, 1), LastUsed: day(2026, 11, 21), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::107630771604:root"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringEquals":{"sts:ExternalId":"nw-7f3a9c"}}}]`)},
	{Name: "hightouch-sync", Created: day(2025, 5, 10), LastUsed: day(2026, 11, 20), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":["324528010823"]},"Action":["sts:AssumeRole","sts:TagSession"]}]`)},
	{Name: "leadmagnet-export", Created: day(2026, 9, 1), Doc: trustDoc(
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:role/leadmagnet-worker"},"Action":"sts:AssumeRole"}`)},
	{Name: "open-debug", Created: day(2023, 1, 5), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]`)},
	{Name: "org-reader", Created: day(2023, 1, 5), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdef1234"}}}]`)},
	{Name: "lambda-exec", Created: day(2023, 1, 5), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","edgelambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]`)},
	{Name: "ops-cross-account", Created: day(2022, 6, 1), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]`)},
	{Name: "mixed", Created: day(2025, 1, 1), Doc: trustDoc(
		`[{"Sid":"vendor","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::324528010823:role/ht-worker","555555555555"]},` +
			`"Action":"sts:AssumeRole","Condition":{"StringLike":{"sts:ExternalId":"nw-*"}}},` +
			`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]`)},
	{Name: "ghost", Created: day(2021, 3, 3), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEGHOST12345"},"Action":"sts:AssumeRole"}]`)},
	{Name: "github-actions", Created: day(2024, 5, 1), LastUsed: day(2026, 11, 22), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"},` +
			`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:northwind/*"}}}]`)},
	{Name: "cognito-app", Created: day(2024, 5, 1), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]`)},
	{Name: "all-but-admins", Created: day(2024, 5, 1), Doc: trustDoc(
		`[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::222222222222:role/admin"},"Action":"sts:AssumeRole"}]`)},
	{Name: "segment-legacy", Created: day(2020, 5, 1), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":"595280932656"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}},` +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::595280932656:root"},"Action":"sts:AssumeRole"}]`)},
	{Name: "weak-extid", Created: day(2020, 5, 1), Doc: trustDoc(
		`[{"Effect":"Allow","Principal":{"AWS":"834469178297"},"Action":"sts:*","Condition":{"StringEqualsIfExists":{"sts:ExternalId":"x"}}}]`)},
}

// newNorthwind builds the fake organisation.
func newNorthwind(t testing.TB) *fakeAWS {
	f := newFakeAWS(t, acctMgmt)
	f.ous = []fakeOU{
		{ID: "ou-ab12-marketing1", Name: "Marketing", Parent: f.rootID},
		{ID: "ou-ab12-workload1", Name: "Workloads", Parent: f.rootID},
		{ID: "ou-ab12-sandbox01", Name: "Sandbox", Parent: "ou-ab12-workload1"},
	}
	f.add(&fakeAccount{ID: acctMgmt, Name: "northwind-management",
		Roles: []fakeRole{
			{Name: "sso-okta", Created: day(2023, 1, 1), LastUsed: day(2026, 11, 22), Doc: trustDoc(
				`[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML",` +
					`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]`)},
			{Name: "marketing-admin", Created: day(2023, 1, 1), Doc: trustDoc(
				`[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]`)},
		},
		SAML: []fakeSAML{{Name: "Okta", EntityID: "http://www.okta.com/exk1northwind"}},
	})
	f.add(&fakeAccount{ID: acctMarketing, Name: "northwind-marketing", Parent: "ou-ab12-marketing1",
		Roles: fixtureRoles,
		Users: []fakeUser{
			{Name: "hubspot-sync", Created: day(2023, 3, 14), Tags: map[string]string{"vendor": "HubSpot", "team": "marketing"},
				Keys: []fakeKey{
					{ID: "AKIAHUBSPOTKEY000001", Status: "Active", Created: day(2023, 3, 14), LastUsed: day(2026, 11, 20), Service: "s3", Region: "us-east-1"},
					{ID: "AKIAHUBSPOTKEY000002", Status: "Active", Created: day(2025, 6, 1)},
				}},
			{Name: "zapier-legacy", Created: day(2021, 1, 1), Keys: []fakeKey{{ID: "AKIAZAPIERKEY0000001", Status: "Inactive", Created: day(2021, 1, 1)}}},
			{Name: "alice.moreau", Created: day(2022, 1, 1)},
		},
		OIDC: []fakeOIDC{{Host: "token.actions.githubusercontent.com", ClientIDs: []string{"sts.amazonaws.com"}}},
		Zones: []fakeZone{
			{ID: "Z1NORTHWIND", Name: "northwind.example", Sets: []fakeRRSet{
				{Name: "northwind.example", Type: "NS", TTL: 172800, Values: []string{"ns-1.awsdns-01.org.", "ns-2.awsdns-02.com."}},
				{Name: "northwind.example", Type: "SOA", TTL: 900, Values: []string{"ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}},
				{Name: "northwind.example", Type: "MX", TTL: 300, Values: []string{"1 aspmx.l.google.com."}},
				{Name: "northwind.example", Type: "TXT", TTL: 300, Values: []string{
					`"v=spf1 include:_spf.google.com include:servers.mcsv.net ~all"`,
					`"google-site-verification=abc123XYZ"`,
					`"hubspot-developer-verification=" "OTQ5NGIxZGYtZjA2"`,
				}},
				{Name: "_dmarc.northwind.example", Type: "TXT", TTL: 300, Values: []string{`"v=DMARC1; p=quarantine; rua=mailto:dmarc@northwind.example"`}},
				{Name: "k1._domainkey.northwind.example", Type: "CNAME", TTL: 300, Values: []string{"dkim.mcsv.net."}},
				{Name: "lp.northwind.example", Type: "CNAME", TTL: 300, Values: []string{"northwind-lp.unbouncepages.com."}},
				{Name: "www.northwind.example", Type: "A", Alias: "d111111abcdef8.cloudfront.net."},
			}},
			{ID: "Z2PRIVATE", Name: "internal.northwind.example", Private: true, Sets: []fakeRRSet{
				{Name: "crm.internal.northwind.example", Type: "CNAME", TTL: 60, Values: []string{"northwind.my.salesforce.com."}},
			}},
		},
		Agreements: []fakeAgreement{
			{ID: "agmt-hightouch00001", Seller: "324528010823", Product: "prod-ht12345abcde", ProductType: "SaaSProduct",
				Offer: "offer-ht001", Start: day(2026, 2, 1), End: day(2027, 2, 1), Value: "12000.00", Currency: "USD"},
			{ID: "agmt-leadmagnet0001", Seller: "999988887777", Product: "prod-lm999", ProductType: "SaaSProduct",
				Offer: "offer-lm001", Start: day(2026, 10, 1), End: day(2026, 11, 1), Value: "499", Currency: "USD"},
			{ID: "agmt-census00000001", Seller: "341876425553", Product: "prod-census1", ProductType: "SaaSProduct",
				Offer: "offer-c001", Start: day(2026, 1, 1), End: day(2029, 1, 1), Value: "36000", Currency: "USD"},
		},
		Resources: map[string][]fakeResource{
			"us-east-1": {
				{ARN: "arn:aws:s3:::northwind-landing-pages", Tags: map[string]string{"cost-center": "marketing", "vendor": "Unbounce"}},
				{ARN: "arn:aws:lambda:us-east-1:222222222222:function:hubspot-webhook", Tags: map[string]string{"cost-center": "marketing", "team": "marketing"}},
				{ARN: "arn:aws:lambda:us-east-1:222222222222:function:billing", Tags: map[string]string{"cost-center": "finance"}},
			},
			"eu-west-1": {
				{ARN: "arn:aws:dynamodb:eu-west-1:222222222222:table/campaigns", Tags: map[string]string{"team": "marketing"}},
			},
		},
	})
	f.add(&fakeAccount{ID: acctData, Name: "northwind-data"})
	f.deny[acctData+"/AssumeRole"] = true
	f.add(&fakeAccount{ID: acctLegacy, Name: "northwind-legacy", State: "SUSPENDED"})
	f.add(&fakeAccount{ID: acctSandbox, Name: "northwind-sandbox", Parent: "ou-ab12-sandbox01",
		Roles: []fakeRole{{Name: "sandbox-vendor", Created: day(2025, 1, 1), Doc: trustDoc(
			`[{"Effect":"Allow","Principal":{"AWS":"757913464184"},"Action":"sts:AssumeRole"}]`)}}})
	f.add(&fakeAccount{ID: acctAnalytics, Name: "northwind-analytics",
		Roles: []fakeRole{{Name: "fivetran", Created: day(2025, 1, 1), Doc: trustDoc(
			`[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::834469178297:root"},"Action":"sts:AssumeRole",` +
				`"Condition":{"StringEquals":{"sts:ExternalId":"nw-ft"}}}]`)}}})
	f.deny[acctAnalytics+"/SearchAgreements"] = true
	f.spend = []fakeSpend{
		{Account: acctMarketing, Service: "Hightouch (SaaS)", Amount: "1000.00"},
		{Account: acctMarketing, Service: "Census Data Activation", Amount: "1000.004"},
		{Account: acctAnalytics, Service: "Fivetran Managed Data Pipelines", Amount: "250.5"},
	}
	return f
}
