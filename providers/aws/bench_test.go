package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/scanner"
)

func BenchmarkTrustRecords(b *testing.B) {
	a := account{ID: "222222222222", Name: "northwind-marketing"}
	roles := make([]iamRole, len(fixtureRoles))
	for i, r := range fixtureRoles {
		raw, _ := json.Marshal(iamEncode(r.Doc))
		roles[i] = iamRole{Name: r.Name, ARN: "arn:aws:iam::222222222222:role/" + r.Name, TrustPolicy: raw, Created: r.Created}
	}
	internal := func(s string) bool { return s == "333333333333" || s == "555555555555" }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range roles {
			if _, err := trustRecords(a, r, internal, testNow); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(roles)), "roles/op")
}

func BenchmarkExportDemo(b *testing.B) {
	c := demoConfig()
	for _, f := range c.Export.IAMAuthorizationDetails {
		if _, err := os.Stat(f); err != nil {
			b.Skip(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		p := newProvider(c, scanner.Deps{Logger: zerolog.Nop(), Diagnostics: &scanner.Diagnostics{}, Now: nowFn}, nil)
		if err := p.Collect(context.Background(), func(scanner.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRecordSets(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(demoDir, "route53-northwind.example.json"))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sets, err := parseRecordSets("z", data)
		if err != nil {
			b.Fatal(err)
		}
		_ = zoneRecords(account{ID: "1"}, hostedZone{ID: "Z", Name: "northwind.example"}, sets)
	}
}

// BenchmarkCollectOrganization is a whole scan of the fake organisation (6 accounts, ~60 API requests over
// loopback HTTP through the real SDK clients).
func BenchmarkCollectOrganization(b *testing.B) {
	f := newNorthwind(b)
	h := newHarness(b, f, nil)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p := h.providerTB(b)
		n = 0
		if err := p.Collect(context.Background(), func(scanner.Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "records/op")
}

// largeOrg is an organisation of n member accounts (plus the management account), each with what a real member
// account carries for this provider: a vendor role, an integration user with an active key, an OIDC and a SAML
// provider, a hosted zone, a Marketplace agreement and marketing-tagged resources in two regions. A scan of one
// account makes 14 API requests (AssumeRole included).
func largeOrg(tb testing.TB, n int) *fakeAWS {
	f := newFakeAWS(tb, acctMgmt)
	f.pageSize = 100
	f.add(&fakeAccount{ID: acctMgmt, Name: "northwind-management"})
	for i := range n {
		id := fmt.Sprintf("%012d", 400000000000+i)
		f.add(&fakeAccount{ID: id, Name: fmt.Sprintf("member-%04d", i),
			Roles: []fakeRole{{Name: "fivetran", Created: day(2025, 1, 1), Doc: trustDoc(
				`[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::834469178297:root"},"Action":"sts:AssumeRole",` +
					`"Condition":{"StringEquals":{"sts:ExternalId":"nw-ft"}}}]`)}},
			Users: []fakeUser{{Name: "hubspot-sync", Created: day(2023, 3, 14), Keys: []fakeKey{
				{ID: fmt.Sprintf("AKIA%016d", i), Status: "Active", Created: day(2023, 3, 14), LastUsed: day(2026, 11, 20), Service: "s3", Region: "us-east-1"}}}},
			OIDC: []fakeOIDC{{Host: "token.actions.githubusercontent.com", ClientIDs: []string{"sts.amazonaws.com"}}},
			SAML: []fakeSAML{{Name: "Okta", EntityID: "http://www.okta.com/exk1northwind"}},
			Zones: []fakeZone{{ID: fmt.Sprintf("Z%d", i), Name: fmt.Sprintf("m%d.northwind.example", i), Sets: []fakeRRSet{
				{Name: fmt.Sprintf("m%d.northwind.example", i), Type: "TXT", TTL: 300, Values: []string{`"v=spf1 include:servers.mcsv.net ~all"`}},
			}}},
			Agreements: []fakeAgreement{{ID: fmt.Sprintf("agmt-%012d", i), Seller: "324528010823", Product: "prod-ht12345abcde",
				ProductType: "SaaSProduct", Offer: "offer-ht001", Start: day(2026, 2, 1), End: day(2027, 2, 1), Value: "12000.00", Currency: "USD"}},
			Resources: map[string][]fakeResource{
				"us-east-1": {{ARN: fmt.Sprintf("arn:aws:s3:::landing-%d", i), Tags: map[string]string{"cost-center": "marketing"}}},
				"eu-west-1": {{ARN: fmt.Sprintf("arn:aws:dynamodb:eu-west-1:%s:table/campaigns", id), Tags: map[string]string{"team": "marketing"}}},
			},
		})
	}
	return f
}

// BenchmarkOrganization1000 scans 1,000 member accounts whose every request takes 50 ms, at the default settings
// (the figure: 123 s with accounts four at a time and each account's calls one after another). Run once:
//
//	go test -run '^$' -bench BenchmarkOrganization1000 -benchtime 1x ./providers/aws/
func BenchmarkOrganization1000(b *testing.B) {
	const accounts = 1000
	f := largeOrg(b, accounts)
	f.latency = 50 * time.Millisecond
	h := newHarness(b, f, nil)
	var took time.Duration
	n := 0
	for b.Loop() {
		p := h.providerTB(b)
		n = 0
		start := time.Now()
		if err := p.Collect(context.Background(), func(scanner.Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		if errs := h.diag.Errors(); len(errs) > 0 {
			b.Fatalf("coverage not complete: %v", errs[0])
		}
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "s/scan")
	b.ReportMetric(float64(n), "records/scan")
	b.ReportMetric(float64(f.callCount(acctMgmt, "ListAccounts")), "ListAccounts")
}
