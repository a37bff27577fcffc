package dns

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/dnstest"
	"github.com/shadowscan/shadowscan/internal/testfile"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// faultyServer is the live test server with every fault of the issue set up.
func faultyServer(t *testing.T, recursive bool) *dnstest.Server {
	s := dnstest.NewZone(t, "testdata/live.zone")
	s.SetRecursive(recursive)
	var big []string
	for i := range 12 { // ~2 KB of TXT at faults.example: over the 1232-byte EDNS0 size, so UDP comes back truncated
		big = append(big, fmt.Sprintf(`faults.example. 300 IN TXT "bulk-verification=%02d%s"`, i, strings.Repeat("x", 150)))
	}
	s.AddRR(big...)
	s.ServFail("events.faults.example")
	s.Slow("webinar.faults.example", 5*time.Second)
	return s
}

func testConfig(addr string) *Config {
	c := NewConfig()
	c.Domains = []string{"northwind.example", "faults.example", "loop.example", "dup.example", "Bücher.example"}
	c.Subdomains = []string{"partners", "mkt"}
	c.Resolver = addr
	// Well above a loopback answer on a loaded machine under -race (250ms timed out there); the slow name waits 5s.
	c.TimeoutPerQuery = time.Second
	c.Retries = 1
	c.Concurrency = 16
	return c
}

func newTestProvider(t testing.TB, c *Config, diags *scanner.Diagnostics) *Provider {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := New(c, scanner.Deps{Name: "dns", Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
		Diagnostics: diags, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func recordMap(t *testing.T, recs []scanner.Record) map[string]scanner.Record {
	t.Helper()
	m := map[string]scanner.Record{}
	for _, r := range recs {
		if _, dup := m[r.ID]; dup {
			t.Errorf("duplicate record id %s", r.ID)
		}
		m[r.ID] = r
		for k, v := range r.Attributes {
			switch v.(type) {
			case string, bool, int64, float64, []string:
			default:
				t.Errorf("%s: attribute %s has type %T", r.ID, k, v)
			}
		}
		if r.Kind != scanner.KindDNSRecord || r.Summary == "" {
			t.Errorf("%s: kind %q summary %q", r.ID, r.Kind, r.Summary)
		}
	}
	return m
}

func attr(t *testing.T, r scanner.Record, key string, want any) {
	t.Helper()
	if got := r.Attributes[key]; !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %s = %#v, want %#v", r.ID, key, got, want)
	}
}

func hint(t *testing.T, r scanner.Record, want scanner.Hint) {
	t.Helper()
	for _, h := range r.Hints {
		if h == want {
			return
		}
	}
	t.Errorf("%s: hints %+v, want %+v", r.ID, r.Hints, want)
}

func TestCollectLive(t *testing.T) {
	for _, recursive := range []bool{false, true} {
		t.Run(map[bool]string{false: "authoritative", true: "recursive"}[recursive], func(t *testing.T) {
			t.Parallel()
			srv := faultyServer(t, recursive)
			diags := &scanner.Diagnostics{}
			p := newTestProvider(t, testConfig(srv.Addr), diags)
			recs, err := scannertest.Collect(t, p)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			m := recordMap(t, recs)
			checkNorthwind(t, m)
			checkFaults(t, m, srv)
			checkDiagnostics(t, diags)
		})
	}
}

func checkNorthwind(t *testing.T, m map[string]scanner.Record) {
	// SPF: every sender, nested includes with their path, lookups counted over the tree (4 + 3).
	for _, host := range []string{"_spf.google.com", "servers.mcsv.net", "send.klaviyo.com", "mail.zendesk.com"} {
		r := scannertest.MustRecord(t, m, "dns:northwind.example:TXT:spf_include:"+host)
		hint(t, r, scanner.Hint{Type: scanner.HintSPFInclude, Value: host})
		attr(t, r, dnssignal.AttrSPFPath, []string{"northwind.example", host})
		attr(t, r, dnssignal.AttrSPFLookupsTotal, int64(7))
		attr(t, r, dnssignal.AttrSPFTooMany, false)
		attr(t, r, dnssignal.AttrSPFLoop, false)
	}
	nb := scannertest.MustRecord(t, m, "dns:northwind.example:TXT:spf_include:_netblocks2.google.com")
	attr(t, nb, dnssignal.AttrSPFPath, []string{"northwind.example", "_spf.google.com", "_netblocks2.google.com"})
	attr(t, nb, dnssignal.AttrSPFDepth, int64(2))
	if nb.Summary != "SPF include _netblocks2.google.com (northwind.example → _spf.google.com)" {
		t.Errorf("summary %q", nb.Summary)
	}
	if _, ok := m["dns:northwind.example:TXT:spf"]; ok {
		t.Error("a clean SPF record got a problem record")
	}
	// The multi-string TXT was joined.
	attr(t, m["dns:northwind.example:TXT:spf_include:mail.zendesk.com"], dnssignal.AttrValue,
		"v=spf1 include:_spf.google.com include:servers.mcsv.net include:send.klaviyo.com include:mail.zendesk.com ~all")

	// TXT tokens.
	for _, tok := range []string{"facebook-domain-verification=q8x4n2m7k1v9d3w6z0j5h8t2r4p1c7",
		"hubspot-developer-verification=OTk4ZmQ2YjEtNzQ0Mi00Y2RlLWI0YTEt",
		"google-site-verification=Vd3kM8pQ2wX7rT1yN5bH9cF4gJ6sL0aZ3eU8iO2qW5t"} {
		hint(t, scannertest.MustRecord(t, m, "dns:northwind.example:TXT:txt_token:"+tok), scanner.Hint{Type: scanner.HintTXTToken, Value: tok, Target: "northwind.example"})
	}

	// DMARC destinations outside the organisation.
	hint(t, scannertest.MustRecord(t, m, "dns:_dmarc.northwind.example:TXT:dmarc:rua.dmarc-vendor.example"),
		scanner.Hint{Type: scanner.HintDomain, Value: "rua.dmarc-vendor.example"})
	attr(t, m["dns:_dmarc.northwind.example:TXT:dmarc:ruf.dmarc-vendor.example"], dnssignal.AttrDMARCTags, []string{"ruf"})
	if _, ok := m["dns:_dmarc.northwind.example:TXT:dmarc:northwind.example"]; ok {
		t.Error("own DMARC mailbox reported as a destination")
	}

	// DKIM: a key at the name, and CNAMEs to vendors with the key read at the target.
	g := scannertest.MustRecord(t, m, "dns:google._domainkey.northwind.example:TXT:dkim")
	hint(t, g, scanner.Hint{Type: scanner.HintDKIMSelector, Value: "google"})
	attr(t, g, dnssignal.AttrDKIMKeyPresent, true)
	k2 := scannertest.MustRecord(t, m, "dns:k2._domainkey.northwind.example:CNAME:dkim")
	hint(t, k2, scanner.Hint{Type: scanner.HintDKIMSelector, Value: "k2", Target: "dkim2.mcsv.net"})
	attr(t, k2, dnssignal.AttrDKIMKeyPresent, true)
	attr(t, k2, dnssignal.AttrResolves, true)
	s1 := scannertest.MustRecord(t, m, "dns:s1._domainkey.northwind.example:CNAME:dkim")
	hint(t, s1, scanner.Hint{Type: scanner.HintDKIMSelector, Value: "s1", Target: "s1.domainkey.u1234567.wl123.sendgrid.net"})
	attr(t, s1, dnssignal.AttrDKIMKeyPresent, false)

	// MX and NS (self-hosted MX is not a vendor).
	hint(t, scannertest.MustRecord(t, m, "dns:northwind.example:MX:aspmx.l.google.com"), scanner.Hint{Type: scanner.HintDomain, Value: "aspmx.l.google.com"})
	if _, ok := m["dns:northwind.example:MX:mail.northwind.example"]; ok {
		t.Error("in-zone MX reported")
	}
	scannertest.MustRecord(t, m, "dns:northwind.example:NS:ns-1024.awsdns-00.org")

	// Marketing CNAMEs: final target, chain, resolves, dangling.
	goRec := scannertest.MustRecord(t, m, "dns:go.northwind.example:CNAME:cname")
	hint(t, goRec, scanner.Hint{Type: scanner.HintCNAMETarget, Value: "mkto-ab0123.com"})
	attr(t, goRec, dnssignal.AttrResolves, true)
	attr(t, goRec, dnssignal.AttrDangling, false)
	pages := scannertest.MustRecord(t, m, "dns:pages.northwind.example:CNAME:cname")
	attr(t, pages, dnssignal.AttrCNAMEChain, []string{"482-nwo-117.mktoweb.com", "mkto-lp.mktoweb.com"})
	attr(t, pages, dnssignal.AttrResolves, true) // AAAA only
	info := scannertest.MustRecord(t, m, "dns:info.northwind.example:CNAME:cname")
	attr(t, info, dnssignal.AttrCNAMEChain, []string{"edge.northwind.example", "45847199.group49.sites.hubspot.net"})
	hint(t, info, scanner.Hint{Type: scanner.HintCNAMETarget, Value: "45847199.group49.sites.hubspot.net"})
	promo := scannertest.MustRecord(t, m, "dns:promo.northwind.example:CNAME:cname")
	attr(t, promo, dnssignal.AttrDangling, true)
	attr(t, promo, dnssignal.AttrResolves, false)
	if !strings.Contains(promo.Summary, "dangling") {
		t.Errorf("summary %q", promo.Summary)
	}
	if _, ok := m["dns:www.northwind.example:CNAME:cname"]; ok {
		t.Error("in-zone CNAME reported")
	}
	// Configured subdomains: one not in the built-in list, and one with its own SPF.
	scannertest.MustRecord(t, m, "dns:partners.northwind.example:CNAME:cname")
	mkt := scannertest.MustRecord(t, m, "dns:mkt.northwind.example:TXT:spf_include:sendgrid.net")
	attr(t, mkt, dnssignal.AttrSubdomain, nil)
	attr(t, mkt, dnssignal.AttrZone, "northwind.example")

	// IDNA: configured as Bücher.example, read as its ASCII form.
	idn := scannertest.MustRecord(t, m, "dns:xn--bcher-kva.example:TXT:spf_include:servers.mcsv.net")
	attr(t, idn, "zone_unicode", "bücher.example")
	scannertest.MustRecord(t, m, "dns:xn--bcher-kva.example:TXT:txt_token:facebook-domain-verification=idn0token")
	scannertest.MustRecord(t, m, "dns:go.xn--bcher-kva.example:CNAME:cname")
}

func checkFaults(t *testing.T, m map[string]scanner.Record, srv *dnstest.Server) {
	// 11 lookups over the tree.
	f := scannertest.MustRecord(t, m, "dns:faults.example:TXT:spf")
	attr(t, f, dnssignal.AttrSPFLookupsTotal, int64(11))
	attr(t, f, dnssignal.AttrSPFTooMany, true)
	if !strings.Contains(f.Summary, "11 DNS-querying terms") {
		t.Errorf("summary %q", f.Summary)
	}
	attr(t, scannertest.MustRecord(t, m, "dns:faults.example:TXT:spf_include:l3.faults.example"), dnssignal.AttrSPFTooMany, true)

	// The truncated UDP answer was read over TCP: every bulk token is there.
	for i := range 12 {
		scannertest.MustRecord(t, m, tokenID(i))
	}
	if _, tcp := srv.Counts("faults.example"); tcp == 0 {
		t.Error("truncated answer was not retried over TCP")
	}

	// Include loop, include of a name without SPF and of one that does not exist.
	l := scannertest.MustRecord(t, m, "dns:loop.example:TXT:spf")
	attr(t, l, dnssignal.AttrSPFLoop, true)
	probs, _ := l.Attributes[dnssignal.AttrSPFProblems].([]string)
	joined := strings.Join(probs, "\n")
	for _, want := range []string{"include loop: _spf.loop.example → _spf2.loop.example → _spf.loop.example",
		"include:nospf.loop.example has no SPF record", "include:gone.loop.example does not exist (NXDOMAIN)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("loop.example problems %q lack %q", probs, want)
		}
	}
	scannertest.MustRecord(t, m, "dns:loop.example:TXT:spf_include:_spf2.loop.example")

	// Duplicate SPF records and a syntax error.
	d := scannertest.MustRecord(t, m, "dns:dup.example:TXT:spf")
	attr(t, d, dnssignal.AttrSPFDuplicate, true)
	d2 := scannertest.MustRecord(t, m, "dns:dup.example:TXT:spf-2")
	attr(t, d2, dnssignal.AttrSPFErrors, []string{`"foo:bar": unknown mechanism`})
	attr(t, scannertest.MustRecord(t, m, "dns:dup.example:TXT:spf_include:servers.mcsv.net"), dnssignal.AttrSPFDuplicate, true)
}

func tokenID(i int) string {
	return dnssignal.ID("faults.example", "TXT", dnssignal.SignalTXTToken+":"+
		tokenKey(fmt.Sprintf("bulk-verification=%02d%s", i, strings.Repeat("x", 150))))
}

// tokenKey mirrors how dnssignal names long tokens, found through Records itself.
func tokenKey(v string) string {
	r := dnssignal.Records("faults.example", dnssignal.RRSet{Name: "faults.example", Type: "TXT", Values: []string{v}})
	return strings.TrimPrefix(r[0].ID, "dns:faults.example:TXT:txt_token:")
}

func checkDiagnostics(t *testing.T, diags *scanner.Diagnostics) {
	got := map[string]string{}
	for _, e := range diags.Errors() {
		got[e.Target] = e.API + ": " + e.Message
	}
	if msg := got["events.faults.example"]; !strings.Contains(msg, "SERVFAIL") {
		t.Errorf("SERVFAIL not in coverage: %q (all: %v)", msg, got)
	}
	if msg := got["webinar.faults.example"]; !strings.Contains(msg, "timed out") {
		t.Errorf("timeout not in coverage: %q (all: %v)", msg, got)
	}
	if len(got) != 2 {
		t.Errorf("coverage errors %v, want the SERVFAIL and the slow name only", got)
	}
}

func TestContract(t *testing.T) {
	srv := dnstest.NewZone(t, "testdata/live.zone")
	scannertest.RunProviderContract(t, func(t *testing.T) scanner.Provider {
		c := testConfig(srv.Addr)
		c.Domains = []string{"northwind.example"}
		return newTestProvider(t, c, &scanner.Diagnostics{})
	}, scannertest.Contract{
		Kinds: []string{scanner.KindDNSRecord},
		Populated: map[string][]string{scanner.KindDNSRecord: {"Hints", "Summary", "Attributes.name", "Attributes.type",
			"Attributes.zone", "Attributes.value", "Attributes.spf_path", "Attributes.cname_target", "Attributes.dkim_selector",
			"Attributes.resolves", "Attributes.dangling", "Attributes.dmarc_tags", "Attributes.txt_prefix"}},
	})
}

func TestContractZoneFile(t *testing.T) {
	scannertest.RunProviderContract(t, func(t *testing.T) scanner.Provider {
		c := NewConfig()
		c.ZoneFiles = []string{"testdata/northwind.example.zone"}
		return newTestProvider(t, c, &scanner.Diagnostics{})
	}, scannertest.Contract{
		Kinds:     []string{scanner.KindDNSRecord},
		Populated: map[string][]string{scanner.KindDNSRecord: {"Hints", "Summary", "Attributes.name", "Attributes.spf_path", "Attributes.cname_target"}},
	})
}

func TestCancelDuringSlowQueries(t *testing.T) {
	t.Parallel()
	srv := dnstest.NewZone(t, "testdata/live.zone")
	srv.Slow("northwind.example", 10*time.Second)
	c := testConfig(srv.Addr)
	c.Domains = []string{"northwind.example"}
	c.TimeoutPerQuery = 30 * time.Second
	p := newTestProvider(t, c, &scanner.Diagnostics{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Collect(ctx, func(scanner.Record) error { return nil }) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Collect after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Collect did not return after cancel")
	}
}

func TestNoServerAnswers(t *testing.T) {
	t.Parallel()
	srv := dnstest.NewZone(t, "")
	srv.SetRefuse(true)
	c := testConfig(srv.Addr)
	c.Domains = []string{"northwind.example"}
	c.CommonSubdomains = false
	c.DKIMSelectors = []string{"k1"}
	diags := &scanner.Diagnostics{}
	p := newTestProvider(t, c, diags)
	recs, err := scannertest.Collect(t, p)
	if err == nil || !strings.Contains(err.Error(), "no DNS server answered") {
		t.Errorf("Collect = %d records, %v; want a failure", len(recs), err)
	}
	if len(diags.Errors()) == 0 {
		t.Error("no coverage errors")
	}
}

func TestRetryOnNextServer(t *testing.T) {
	t.Parallel()
	bad := dnstest.NewZone(t, "")
	bad.SetRefuse(true)
	good := dnstest.NewZone(t, "testdata/live.zone")
	src := dnslive.NewClient([]string{bad.Addr, good.Addr}, time.Second, 1, 4, zerolog.Nop())
	for range 4 { // whichever server a question starts on, the retry reaches the good one
		ans, err := src.Query(context.Background(), "servers.mcsv.net", 16)
		if err != nil || len(ans.RRs) != 1 {
			t.Fatalf("query = %+v, %v", ans, err)
		}
	}
}

func TestSystemResolver(t *testing.T) {
	srv := dnstest.NewZone(t, "testdata/live.zone")
	host, _, _ := strings.Cut(srv.Addr, ":")
	conf := testfile.Write(t, t.TempDir(), "resolv.conf", "# test\nnameserver "+host+"\noptions ndots:1\n")
	servers, err := dnslive.SystemServers(conf)
	if err != nil || len(servers) != 1 || servers[0] != host+":53" {
		t.Fatalf("systemServers = %v, %v", servers, err)
	}
	if _, err := dnslive.SystemServers(t.TempDir() + "/missing"); err == nil {
		t.Error("missing resolv.conf accepted")
	}
	empty := testfile.Write(t, t.TempDir(), "empty.conf", "search example.com\n")
	if _, err := dnslive.SystemServers(empty); err == nil || !strings.Contains(err.Error(), "no nameserver") {
		t.Errorf("empty resolv.conf: %v", err)
	}
}

func BenchmarkCollectLive(b *testing.B) {
	srv := dnstest.NewZone(b, "testdata/live.zone").Addr
	c := NewConfig()
	c.Domains = []string{"northwind.example"}
	c.Resolver = srv
	c.Concurrency = 16
	p, err := New(c, scanner.Deps{Logger: zerolog.Nop(), Diagnostics: &scanner.Diagnostics{}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := p.Collect(context.Background(), func(scanner.Record) error { n++; return nil }); err != nil || n == 0 {
			b.Fatalf("Collect: %d records, %v", n, err)
		}
	}
}

func TestWildcardCNAME(t *testing.T) {
	t.Parallel()
	srv := dnstest.NewZone(t, "testdata/live.zone")
	srv.AddRR("wild.example. 300 IN SOA ns1.wild.example. h.wild.example. 1 2 3 4 5",
		"*.wild.example. 300 IN CNAME parking.partnerstack.example.",
		"go.wild.example. 300 IN CNAME mkto-ab0123.com.")
	c := testConfig(srv.Addr)
	c.Domains = []string{"wild.example"}
	c.Subdomains = []string{"partners"}
	diags := &scanner.Diagnostics{}
	recs, err := scannertest.Collect(t, newTestProvider(t, c, diags))
	if err != nil {
		t.Fatal(err)
	}
	var cnames []string
	for _, r := range recs {
		if r.Attributes[dnssignal.AttrSignal] == dnssignal.SignalCNAME {
			cnames = append(cnames, r.ID)
		}
	}
	sort.Strings(cnames)
	want := []string{"dns:go.wild.example:CNAME:cname", "dns:partners.wild.example:CNAME:cname"}
	if !reflect.DeepEqual(cnames, want) {
		t.Errorf("cnames %q, want %q (the wildcard hides the other probes)", cnames, want)
	}
	if s := strings.Join(diags.Skipped(), "\n"); !strings.Contains(s, "*.wild.example is a wildcard CNAME to parking.partnerstack.example") {
		t.Errorf("skipped: %s", s)
	}
}
