package rules_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/rules"
	"github.com/shadowscan/shadowscan/rules/catalog"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// synthConfig drives a provider that emits n synthetic records with a realistic mix of kinds and hints.
type synthConfig struct{ n int }

func (*synthConfig) Validate() error { return nil }

type synthProvider struct{ n int }

var synthHints = []scanner.Hint{
	{Type: scanner.HintName, Value: "HubSpot"}, {Type: scanner.HintName, Value: "Typeform"},
	{Type: scanner.HintMerchant, Value: "SQ *HOTJAR"}, {Type: scanner.HintMerchant, Value: "PAYPAL *CANVA 4029357733"},
	{Type: scanner.HintSPFInclude, Value: "servers.mcsv.net"}, {Type: scanner.HintSPFInclude, Value: "147202787.spf04.hubspotemail.net"},
	{Type: scanner.HintTXTToken, Value: "facebook-domain-verification=abc123"}, {Type: scanner.HintCNAMETarget, Value: "482-nwo-117.mktoweb.com"},
	{Type: scanner.HintAWSAccount, Value: "107630771604"}, {Type: scanner.HintAWSAccount, Value: "324528010823"},
	{Type: scanner.HintDomain, Value: "calendly.com"}, {Type: scanner.HintEntraAppID, Value: "1fec8e78-bce4-4aaf-ab1b-5451cc387264"},
	{Type: scanner.HintGoogleClientID, Value: "48213377201-leadmagnet.apps.googleusercontent.com"}, {Type: scanner.HintName, Value: "Unknown Widget Co"},
}

var synthKinds = []string{scanner.KindOAuthGrant, scanner.KindOAuthGrant, scanner.KindSaaSSubscription, scanner.KindSaaSSubscription,
	scanner.KindDNSRecord, scanner.KindDNSRecord, scanner.KindDNSRecord, scanner.KindDNSRecord, scanner.KindCloudTrust,
	scanner.KindCloudTrust, scanner.KindOAuthGrant, scanner.KindOAuthGrant, scanner.KindOAuthGrant, scanner.KindOAuthGrant}

func (p synthProvider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	scopes := []string{"openid", "email", "https://www.googleapis.com/auth/gmail.readonly"}
	for i := 0; i < p.n; i++ {
		j := i % len(synthHints)
		r := scanner.Record{Kind: synthKinds[j], ID: fmt.Sprint("r", i), Hints: synthHints[j : j+1],
			Principal: &scanner.Principal{Type: "user", Email: fmt.Sprintf("user%d@example.com", i%5000)}}
		switch r.Kind {
		case scanner.KindOAuthGrant:
			r.Scopes = scopes[:1+i%3]
		case scanner.KindSaaSSubscription:
			r.Amount = &scanner.Amount{Value: 49, Currency: "USD", Period: scanner.PeriodMonthly}
		case scanner.KindDNSRecord:
			r.Attributes = map[string]any{"zone": "example.com", "name": "example.com"}
		case scanner.KindCloudTrust:
			r.Attributes = map[string]any{"external_id_present": i%2 == 0}
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	scanner.Register(scanner.Registration[scanner.ProviderConfig]{Type: "test_synth", NewConfig: func() scanner.ProviderConfig { return &synthConfig{} },
		New: func(c scanner.ProviderConfig, _ scanner.Deps) (scanner.Provider, error) {
			return synthProvider{n: c.(*synthConfig).n}, nil
		}})
}

type catalogIndex struct {
	c *catalog.Catalog
	r *catalog.Resolver
}

func (x catalogIndex) Lookup(s string) (scanner.Vendor, bool) {
	e, ok := x.c.Lookup(s)
	if !ok {
		return scanner.Vendor{}, false
	}
	v, ok := x.r.Vendor(e.ID)
	if !ok {
		return scanner.Vendor{}, false
	}
	return *v, true
}
func (x catalogIndex) Suggest(s string) []string { return x.c.Suggest(s) }

// BenchmarkPipeline1M streams 1,000,000 synthetic records through scanner.Run with the real catalogue resolver,
// the built-in rule pack and real approvals: collect → resolve → evaluate → fold into findings → inventory.
func BenchmarkPipeline1M(b *testing.B) {
	const n = 1_000_000
	cat, err := catalog.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	res := catalog.NewResolver(cat)
	rs, err := rules.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	a, err := policy.ParseApprovals("approved.yaml", []byte("- {vendor: hubspot, status: approved, owner: it, scopes: [openid, email]}\n"+
		"- {vendor: segment, status: approved, owner: it, aws_accounts: [\"107630771604\"]}\n"), catalogIndex{cat, res}, now)
	if err != nil {
		b.Fatal(err)
	}
	appr := policy.New(a, nil)
	org := scanner.Organization{Name: "Bench", Domains: []string{"example.com"}}
	eng := rules.NewEngine(rs, rules.OrgInfo{Organization: org, Policy: appr, Now: func() time.Time { return now }})
	b.ReportAllocs()
	b.ResetTimer()
	var findings int
	for i := 0; i < b.N; i++ {
		rep, err := scanner.Run(context.Background(), scanner.Options{
			Instances: []scanner.Instance{{Name: "synth", Type: "test_synth", Config: &synthConfig{n: n}}},
			Logger:    zerolog.Nop(), Org: org, Resolver: res, Policy: appr, Evaluator: eng,
			Now: func() time.Time { return now },
		})
		if err != nil {
			b.Fatal(err)
		}
		findings = len(rep.Findings)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(findings), "findings")
}
