package catalog

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// syntheticRecordsFrom builds n records with a realistic mix of hints, about a fifth of them for vendors the
// catalogue does not know: card descriptors (35%), OAuth grants with a client ID and an app name (25%), DNS
// signals (15%), AWS trusts (10%), domains (10%) and Entra apps (5%).
func syntheticRecordsFrom(c *Catalog, n int, seed uint64) []scanner.Record {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	digits := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	fill := func(p string) string { // instantiate a host pattern's placeholders
		for {
			i := strings.IndexByte(p, '{')
			if i < 0 {
				return strings.TrimPrefix(p, "*.")
			}
			j := strings.IndexByte(p[i:], '}')
			p = p[:i] + digits(2+rng.IntN(7)) + p[i+j+1:]
		}
	}
	var (
		merchants, names, spf, txt, cname, domains, aws, gids []string
		dkim                                                  []DKIM
	)
	for _, e := range c.Entries {
		merchants = append(merchants, e.Signals.Merchants...)
		merchants = append(merchants, strings.ToUpper(e.Name))
		names = append(names, e.Name)
		names = append(names, e.Signals.OAuthNames...)
		for _, p := range e.Signals.SPF {
			spf = append(spf, fill(p))
		}
		for _, p := range e.Signals.CNAME {
			cname = append(cname, fill(p))
		}
		for _, p := range e.Signals.TXT {
			if !strings.HasPrefix(p, "re:") {
				txt = append(txt, p+digits(20))
			}
		}
		for _, d := range e.Signals.DKIM {
			if d.Target != "" {
				dkim = append(dkim, DKIM{Selector: fill(d.Selector), Target: fill(d.Target)})
			}
		}
		domains = append(domains, e.Domains...)
		aws = append(aws, e.Signals.AWSAccounts...)
		gids = append(gids, e.Signals.GoogleClientIDs...)
	}
	var msApps []string
	for id := range c.MicrosoftApps {
		msApps = append(msApps, id)
	}
	slices.Sort(msApps)
	pick := func(list []string, unknown string) string {
		if len(list) == 0 || rng.IntN(5) == 0 {
			return unknown
		}
		return list[rng.IntN(len(list))]
	}
	prefixes := []string{"", "", "", "SQ *", "PAYPAL *", "PP*", "TST* "}
	suffixes := []string{"", " INC", " " + "P" + "1234", " 888-555-0100", " SAN FRANCISCO CA", "* MONTHLY", " LTD DUBLIN"}
	unknownMerchants := []string{"DRIPPING SPRINGS CAFE", "UBER *TRIP", "DELTA AIR 0062345", "STARBUCKS #1234",
		"HILTON HOTELS NYC", "AMTRAK", "LEADMAGNET PRO", "JOES DINER"}
	recs := make([]scanner.Record, n)
	for i := range recs {
		r := &recs[i]
		r.ID = fmt.Sprint(i)
		switch x := rng.IntN(100); {
		case x < 35:
			m := pick(merchants, unknownMerchants[rng.IntN(len(unknownMerchants))])
			m = prefixes[rng.IntN(len(prefixes))] + m + suffixes[rng.IntN(len(suffixes))]
			r.Kind = scanner.KindSaaSSubscription
			r.Hints = []scanner.Hint{{Type: scanner.HintMerchant, Value: m}}
		case x < 60:
			r.Kind = scanner.KindOAuthGrant
			r.Hints = []scanner.Hint{
				{Type: scanner.HintGoogleClientID, Value: pick(gids, digits(12)+"-x"+digits(8)+".apps.googleusercontent.com")},
				{Type: scanner.HintName, Value: pick(names, "LeadMagnet Pro "+digits(2))},
			}
		case x < 75:
			r.Kind = scanner.KindDNSRecord
			switch rng.IntN(4) {
			case 0:
				r.Hints = []scanner.Hint{{Type: scanner.HintSPFInclude, Value: pick(spf, "_spf.esp"+digits(3)+".example")}}
			case 1:
				r.Hints = []scanner.Hint{{Type: scanner.HintTXTToken, Value: pick(txt, "v=DMARC1; p=none")}}
			case 2:
				r.Hints = []scanner.Hint{{Type: scanner.HintCNAMETarget, Value: pick(cname, "lb"+digits(3)+".hosting.example")}}
			default:
				d := DKIM{Selector: "sel" + digits(2), Target: "dkim" + digits(3) + ".esp.example"}
				if len(dkim) > 0 && rng.IntN(5) != 0 {
					d = dkim[rng.IntN(len(dkim))]
				}
				r.Hints = []scanner.Hint{{Type: scanner.HintDKIMSelector, Value: d.Selector, Target: d.Target}}
			}
		case x < 85:
			r.Kind = scanner.KindCloudTrust
			r.Hints = []scanner.Hint{{Type: scanner.HintAWSAccount, Value: pick(aws, digits(12))}}
		case x < 95:
			r.Kind = scanner.KindApp
			r.Hints = []scanner.Hint{{Type: scanner.HintDomain, Value: "https://app." + pick(domains, "vendor"+digits(3)+".example") + "/login"}}
		default:
			r.Kind = scanner.KindOAuthGrant
			r.Hints = []scanner.Hint{{Type: scanner.HintEntraAppID, Value: pick(msApps, "00000000-0000-0000-0000-"+digits(12))}}
		}
	}
	return recs
}

func syntheticRecords(n int, seed uint64) []scanner.Record {
	return syntheticRecordsFrom(fixtureCatalog(), n, seed)
}

const benchRecords = 1_000_000

var benchData = sync.OnceValues(func() (*Resolver, []scanner.Record) {
	c := benchCatalog()
	return NewResolver(c), syntheticRecordsFrom(c, benchRecords, 42)
})

// BenchmarkResolve resolves 1,000,000 synthetic records per iteration and reports records/s (wall clock),
// records per CPU-second of the process (GC included; steadier on a shared machine) and allocations per record.
func BenchmarkResolve(b *testing.B) {
	r, recs := benchData()
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := processCPU()
	b.ResetTimer()
	resolved := 0
	for range b.N {
		for i := range recs {
			if r.Resolve(&recs[i]).Vendor != nil {
				resolved++
			}
		}
	}
	b.StopTimer()
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&ms1)
	n := float64(b.N) * float64(len(recs))
	b.ReportMetric(n/b.Elapsed().Seconds(), "records/s")
	if cpu > 0 {
		b.ReportMetric(n/cpu.Seconds(), "records/cpu-s") // all goroutines, GC included
	}
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/record")
	b.ReportMetric(float64(resolved)/n, "resolved")
}

// BenchmarkResolveByHint resolves one record per iteration for each hint type.
func BenchmarkResolveByHint(b *testing.B) {
	r, recs := benchData()
	by := map[scanner.HintType][]scanner.Record{}
	for _, rec := range recs[:100_000] {
		by[rec.Hints[0].Type] = append(by[rec.Hints[0].Type], rec)
	}
	for _, t := range scanner.HintTypes {
		list := by[t]
		if len(list) == 0 {
			continue
		}
		b.Run(string(t), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r.Resolve(&list[i])
				if i++; i == len(list) {
					i = 0
				}
			}
		})
	}
}

func BenchmarkNewResolver(b *testing.B) {
	c := benchCatalog()
	b.ReportAllocs()
	for b.Loop() {
		NewResolver(c)
	}
}
