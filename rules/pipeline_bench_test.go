package rules_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"
	"sync"
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

// synthData is what the synthetic records share: IDs and principals are built once, outside the timed loop, so
// that the benchmark measures the pipeline (resolve, evaluate, fold) and not the generator.
type synthData struct {
	ids        []string
	principals []scanner.Principal
	dnsAttrs   map[string]any
	trustAttrs [2]map[string]any
	amount     scanner.Amount
}

var (
	synthOnce sync.Once
	synth     synthData
)

func synthShared(n int) *synthData {
	synthOnce.Do(func() {
		synth.principals = make([]scanner.Principal, 5000)
		for i := range synth.principals {
			synth.principals[i] = scanner.Principal{Type: "user", Email: fmt.Sprintf("user%d@example.com", i)}
		}
		synth.dnsAttrs = map[string]any{"zone": "example.com", "name": "example.com"}
		synth.trustAttrs = [2]map[string]any{{"external_id_present": true}, {"external_id_present": false}}
		synth.amount = scanner.Amount{Value: 49, Currency: "USD", Period: scanner.PeriodMonthly}
	})
	for i := len(synth.ids); i < n; i++ {
		synth.ids = append(synth.ids, "r"+strconv.Itoa(i))
	}
	return &synth
}

func (p synthProvider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	scopes := []string{"openid", "email", "https://www.googleapis.com/auth/gmail.readonly"}
	d := synthShared(p.n)
	for i := 0; i < p.n; i++ {
		j := i % len(synthHints)
		r := scanner.Record{Kind: synthKinds[j], ID: d.ids[i], Hints: synthHints[j : j+1], Principal: &d.principals[i%5000]}
		switch r.Kind {
		case scanner.KindOAuthGrant:
			r.Scopes = scopes[:1+i%3]
		case scanner.KindSaaSSubscription:
			r.Amount = &d.amount
		case scanner.KindDNSRecord:
			r.Attributes = d.dnsAttrs
		case scanner.KindCloudTrust:
			r.Attributes = d.trustAttrs[i%2]
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

// pipelineWant pins what Pipeline1M must find: the number of findings and a digest of every finding (fingerprint,
// rule, severity, title, message, remediation, evidence count and kept evidence), so that a speed-up cannot
// silently drop or change a finding. Recompute with -run '^$' -bench Pipeline1M after a deliberate change to the
// rules or the catalogue (the failure message prints both).
const (
	pipelineWantFindings = 71460
	pipelineWantDigest   = "5656a56db6bd4eccecf04d24d7ef8ef8f7c18246a1599275bcc99af8e35903c7"

	pipeline100kWantFindings = 7175
	pipeline100kWantDigest   = "14a13ecb1bc83952185ed703b730a50df90aeda84ec410113f4277f5fce8c9ae"
)

// findingsDigest hashes everything a reader of the report sees in the findings.
func findingsDigest(fs []scanner.Finding) string {
	h := sha256.New()
	for _, f := range fs {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\n", f.Fingerprint, f.RuleID, f.Severity, f.Title, f.Message,
			f.Remediation, f.EvidenceCount)
		for _, e := range f.Evidence {
			fmt.Fprintf(h, "\t%s\x00%s\x00%s\x00%s\n", e.Provider, e.Kind, e.ID, e.Summary)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// BenchmarkPipeline1M streams 1,000,000 synthetic records through scanner.Run with the real catalogue resolver,
// the built-in rule pack and real approvals: collect → resolve → evaluate → fold into findings → inventory.
// Besides ns/op (per 1,000,000 records) it reports records/s, records per CPU-second and allocations per record,
// and it fails if the findings differ from pipelineWant*.
func BenchmarkPipeline1M(b *testing.B) {
	benchPipeline(b, 1_000_000, pipelineWantFindings, pipelineWantDigest)
}

// BenchmarkPipeline100k is Pipeline1M on the first 100,000 records, for quick comparisons and profiles.
func BenchmarkPipeline100k(b *testing.B) {
	benchPipeline(b, 100_000, pipeline100kWantFindings, pipeline100kWantDigest)
}

// pipelineScan returns a function that scans n synthetic records with the real catalogue, the built-in rules and
// the benchmark's approvals, each time with a new engine (so that no render cache carries over).
func pipelineScan(tb testing.TB, n int) func() (*scanner.Report, error) {
	cat, err := catalog.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	res := catalog.NewResolver(cat)
	rs, err := rules.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	a, err := policy.ParseApprovals("approved.yaml", []byte("- {vendor: hubspot, status: approved, owner: it, scopes: [openid, email]}\n"+
		"- {vendor: segment, status: approved, owner: it, aws_accounts: [\"107630771604\"]}\n"), catalogIndex{cat, res}, now)
	if err != nil {
		tb.Fatal(err)
	}
	appr := policy.New(a, nil)
	org := scanner.Organization{Name: "Bench", Domains: []string{"example.com"}}
	synthShared(n)
	return func() (*scanner.Report, error) {
		eng := rules.NewEngine(rs, rules.OrgInfo{Organization: org, Policy: appr, Now: func() time.Time { return now }})
		return scanner.Run(context.Background(), scanner.Options{
			Instances: []scanner.Instance{{Name: "synth", Type: "test_synth", Config: &synthConfig{n: n}}},
			Logger:    zerolog.Nop(), Org: org, Resolver: res, Policy: appr, Evaluator: eng,
			Now: func() time.Time { return now },
		})
	}
}

// TestPipelineAllocsPerRecord holds the pipeline to at most 5 allocations per record (issue 14), measured as
// Pipeline1M measures them, on 50,000 records. Allocations, unlike time, do not depend on the machine's load.
func TestPipelineAllocsPerRecord(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector sync.Pool drops values at random, so allocations differ")
	}
	const n = 50_000
	scan := pipelineScan(t, n)
	var err error
	allocs := testing.AllocsPerRun(1, func() { _, err = scan() })
	if err != nil {
		t.Fatal(err)
	}
	perRecord := allocs / n
	t.Logf("%.3f allocations per record", perRecord)
	if perRecord > 5 {
		t.Errorf("%.3f allocations per record, want at most 5", perRecord)
	}
}

func benchPipeline(b *testing.B, n, wantFindings int, wantDigest string) {
	scan := pipelineScan(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	var rep *scanner.Report
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := rules.CPUTime()
	var err error
	for i := 0; i < b.N; i++ {
		if rep, err = scan(); err != nil {
			b.Fatal(err)
		}
	}
	cpu := rules.CPUTime() - cpu0
	runtime.ReadMemStats(&ms1)
	b.StopTimer()
	total := float64(n) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "records/s")
	if cpu > 0 {
		// On a shared machine wall time says little; records per CPU-second (all threads, GC included) compares.
		b.ReportMetric(total/cpu.Seconds(), "records/cpu-s")
	}
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/record")
	b.ReportMetric(float64(len(rep.Findings)), "findings")
	if got, d := len(rep.Findings), findingsDigest(rep.Findings); got != wantFindings || d != wantDigest {
		b.Fatalf("findings changed: %d findings, digest %s; want %d, %s", got, d, wantFindings, wantDigest)
	}
}
