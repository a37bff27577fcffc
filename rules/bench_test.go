package rules

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// benchHints maps the synthetic records' hint values to vendors.
var benchHints = map[string]string{
	"hubspot-client.apps.googleusercontent.com":    "hubspot",
	"salesforce-client.apps.googleusercontent.com": "salesforce",
	"zoom-client.apps.googleusercontent.com":       "zoom",
	"slack-client.apps.googleusercontent.com":      "slack",
	"typeform-client.apps.googleusercontent.com":   "typeform",
	"calendly-client.apps.googleusercontent.com":   "calendly",
	"hootsuite-client.apps.googleusercontent.com":  "hootsuite",
	"apollo-client.apps.googleusercontent.com":     "apollo",
	"mailchimp-client.apps.googleusercontent.com":  "mailchimp",
	"107630771604":        "segment",
	"324528010823":        "hightouch",
	"servers.mcsv.net":    "mailchimp",
	"send.klaviyo.com":    "klaviyo",
	"_spf.google.com":     "google",
	"mail.zendesk.com":    "zendesk",
	"hotjar":              "hotjar",
	"canva":               "canva",
	"semrush":             "semrush",
	"zoominfo":            "zoominfo",
	"hubspot-sync":        "hubspot",
	"x.unbouncepages.com": "unbounce",
}

const benchApprovals = `
- {vendor: hubspot, status: approved, owner: marketing-ops, scopes: [openid, email, profile, "userinfo.*", "calendar.*"]}
- {vendor: salesforce, status: approved}
- {vendor: zoom, status: approved}
- {vendor: slack, status: approved}
- {vendor: google, status: approved}
- {vendor: segment, status: approved, aws_accounts: ["107630771604"]}
- {vendor: fullstory, status: approved}
- {vendor: canva, status: tolerated}
- {vendor: semrush, status: review}
- {vendor: mailchimp, status: approved, expires: "2026-06-30"}
- {vendor: apollo, status: banned}
`

var (
	gScopes = func(s ...string) []string {
		out := make([]string, len(s))
		for i, x := range s {
			out[i] = "https://www.googleapis.com/auth/" + x
		}
		return out
	}
	scopeSets = [][]string{
		append([]string{"openid"}, gScopes("userinfo.email", "userinfo.profile")...),
		append([]string{"openid"}, gScopes("userinfo.email", "calendar.events", "calendar.readonly")...),
		append([]string{"openid"}, gScopes("userinfo.email", "gmail.readonly")...),
		gScopes("gmail.readonly", "drive.readonly"),
		gScopes("drive.file", "userinfo.email"),
		{"User.Read", "offline_access", "Mail.Send"},
		{"User.Read", "Files.Read.All"},
	}
	oauthClients = []string{"hubspot-client", "salesforce-client", "zoom-client", "slack-client", "typeform-client",
		"calendly-client", "hootsuite-client", "apollo-client", "mailchimp-client", "unknown-1", "unknown-2"}
	departments = []string{"Marketing", "Sales", "Engineering", "Finance", "IT"}
)

// syntheticRecords builds n records with a realistic mix of kinds, hints and scopes: mostly OAuth grants, then
// expenses, DNS records, AWS trusts and keys, and a share that no vendor resolves.
func syntheticRecords(n int) []scanner.Record {
	out := make([]scanner.Record, n)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		r := &out[i]
		r.Provider, r.ID = "bench", fmt.Sprintf("rec-%d", i)
		r.FirstSeen, r.LastSeen = t0.Add(time.Duration(i)*time.Minute), t0.Add(time.Duration(i)*time.Hour)
		user := fmt.Sprintf("user%d@example.com", i%5000)
		switch m := i % 100; {
		case m < 60:
			c := oauthClients[i%len(oauthClients)]
			r.Kind, r.Source = scanner.KindOAuthGrant, "google_workspace"
			r.Principal = &scanner.Principal{Type: "user", Email: user, OrgUnit: "/" + departments[i%5], Department: departments[i%5]}
			r.Scopes = scopeSets[(i/7)%len(scopeSets)]
			r.Hints = []scanner.Hint{{Type: scanner.HintGoogleClientID, Value: c + ".apps.googleusercontent.com"},
				{Type: scanner.HintName, Value: c}}
			r.Summary = user + " granted " + c
		case m < 75:
			merchants := []string{"hotjar", "canva", "semrush", "zoominfo", "some cafe"}
			mer := merchants[i%len(merchants)]
			r.Kind, r.Source = scanner.KindSaaSSubscription, "expenses"
			if i%3 == 0 {
				r.Kind = scanner.KindExpense
			}
			r.Principal = &scanner.Principal{Type: "user", Email: user}
			periods := []string{scanner.PeriodMonthly, scanner.PeriodAnnual, scanner.PeriodOneTime}
			r.Amount = &scanner.Amount{Value: 49.5, Currency: "USD", Period: periods[i%3]}
			r.Hints = []scanner.Hint{{Type: scanner.HintMerchant, Value: mer}}
		case m < 88:
			hosts := []string{"servers.mcsv.net", "send.klaviyo.com", "_spf.google.com", "mail.zendesk.com", "spf.unknown.example"}
			r.Kind, r.Source = scanner.KindDNSRecord, "dns"
			r.Hints = []scanner.Hint{{Type: scanner.HintSPFInclude, Value: hosts[i%len(hosts)]}}
			r.Attributes = map[string]any{"zone": "example.com", "signal": "spf_include"}
			if i%13 == 0 {
				r.Hints = []scanner.Hint{{Type: scanner.HintCNAMETarget, Value: "x.unbouncepages.com"}}
				r.Attributes = map[string]any{"zone": "example.com", "name": "lp.example.com", "dangling": i%2 == 0}
			}
		case m < 95:
			accounts := []string{"107630771604", "324528010823", "999988887777"}
			r.Kind, r.Source = scanner.KindCloudTrust, "aws"
			r.Principal = &scanner.Principal{Type: "role", ID: "arn:aws:iam::111122223333:role/r" + fmt.Sprint(i%50)}
			r.Hints = []scanner.Hint{{Type: scanner.HintAWSAccount, Value: accounts[i%3]}}
			r.Attributes = map[string]any{"external_id_present": i%2 == 0}
		case m < 97:
			r.Kind, r.Source = scanner.KindCloudCredential, "aws"
			r.Hints = []scanner.Hint{{Type: scanner.HintName, Value: "hubspot-sync"}}
			r.Attributes = map[string]any{"status": "Active", "key_age_days": int64(400)}
		default:
			r.Kind, r.Source = scanner.KindCloudResource, "aws"
			r.Attributes = map[string]any{"tag:cost-center": "marketing"}
		}
	}
	return out
}

// matchSink folds matches into findings the way the scanner's accumulator does: fingerprint, evidence dedupe
// and a cap on kept evidence.
type matchSink struct {
	mu       sync.Mutex
	findings map[string]*sinkFinding
	matches  int
}

type sinkFinding struct {
	f    scanner.Finding
	seen map[string]struct{}
}

func (s *matchSink) add(m scanner.Match) {
	fp := scanner.Fingerprint(m.RuleID, m.GroupKey)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.matches++
	f := s.findings[fp]
	if f == nil {
		f = &sinkFinding{f: scanner.Finding{Fingerprint: fp, RuleID: m.RuleID, Message: m.Message}, seen: map[string]struct{}{}}
		s.findings[fp] = f
	}
	for _, e := range m.Evidence {
		k := e.Provider + "\x00" + e.Kind + "\x00" + e.ID
		if _, dup := f.seen[k]; dup {
			continue
		}
		f.seen[k] = struct{}{}
		f.f.EvidenceCount++
		if len(f.f.Evidence) < 100 {
			f.f.Evidence = append(f.f.Evidence, e)
		}
	}
}

// BenchmarkEvaluate1M resolves and evaluates 1,000,000 synthetic records per op with the built-in rule pack.
// Sub-benchmark "fold" folds every match into findings as the scanner does (fingerprint, evidence dedupe);
// "engine" drops the matches, to show the engine's own cost.
func BenchmarkEvaluate1M(b *testing.B) {
	rs, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	appr := testPolicy(b, benchApprovals, now, nil)
	eng := NewEngine(rs, OrgInfo{Organization: scanner.Organization{Name: "Bench", Domains: []string{"example.com"}},
		Policy: appr, Now: func() time.Time { return now }})
	res := newFakeResolver(benchHints)
	recs := syntheticRecords(100_000)
	b.Run("fold", func(b *testing.B) { benchEvaluate(b, eng, res, appr, recs, true) })
	b.Run("engine", func(b *testing.B) { benchEvaluate(b, eng, res, appr, recs, false) })
}

func benchEvaluate(b *testing.B, eng *Engine, res *fakeResolver, appr scanner.Policy, recs []scanner.Record, fold bool) {
	const perOp = 1_000_000
	ctx := context.Background()
	var sink *matchSink
	matches := 0
	emit := func(scanner.Match) { matches++ }
	b.ReportAllocs()
	b.ResetTimer()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	start := time.Now()
	for n := 0; n < b.N; n++ {
		matches = 0
		if fold {
			sink = &matchSink{findings: map[string]*sinkFinding{}}
			emit = sink.add
		}
		for i := 0; i < perOp; i++ {
			rec := &recs[i%len(recs)]
			r := res.Resolve(rec)
			a := scanner.Approval{Status: scanner.ApprovalUnapproved}
			if r.Vendor != nil {
				a = appr.Approval(r.Vendor.ID)
			}
			if err := eng.EvaluateRecord(ctx, rec, r, a, emit); err != nil {
				b.Fatal(err)
			}
		}
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&ms1)
	b.StopTimer()
	total := float64(b.N) * perOp
	b.ReportMetric(total/elapsed.Seconds(), "records/s")
	// On a shared machine wall time says little; records per CPU-second (user+system, all threads, GC
	// included) is the figure to compare.
	if cpu > 0 {
		b.ReportMetric(total/cpu.Seconds(), "records/cpu-s")
	}
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/record")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/total, "B/record")
	if fold {
		b.ReportMetric(float64(sink.matches)/perOp, "matches/record")
		b.ReportMetric(float64(len(sink.findings)), "findings")
	} else {
		b.ReportMetric(float64(matches)/perOp, "matches/record")
	}
}
