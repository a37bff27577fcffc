package aws

import (
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/dnstest"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// Route 53 CNAMEs whose targets no longer resolve are dangling, the way the dns provider reports them; a target
// whose lookup fails is partial coverage, never dangling; private zones are not queried.
func TestRoute53DanglingCNAMEs(t *testing.T) {
	srv := dnstest.New(t,
		"northwind-lp.unbouncepages.com. 300 IN A 192.0.2.7",
		`dkim.mcsv.net. 300 IN TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"`,
		"go.northwind.example. 300 IN CNAME nw.hs-sites.example.",
		"nw.hs-sites.example. 300 IN CNAME gone.hs-edge.example.",
	)
	srv.ServFail("events.flaky-vendor.example")
	f := newNorthwind(t)
	z := &f.accounts[acctMarketing].Zones[0]
	z.Sets = append(z.Sets,
		fakeRRSet{Name: "promo.northwind.example", Type: "CNAME", TTL: 300, Values: []string{"pages.landing-vendor.example."}},
		fakeRRSet{Name: "events.northwind.example", Type: "CNAME", TTL: 300, Values: []string{"events.flaky-vendor.example."}},
		fakeRRSet{Name: "go.northwind.example", Type: "CNAME", TTL: 300, Values: []string{"nw.hs-sites.example."}},
	)
	on := true
	h := newHarness(t, f, func(c *Config) {
		c.DNS.DanglingCNAMEs = &on
		c.DNS.Resolver = srv.Addr
		c.DNS.TimeoutPerQuery = 300 * time.Millisecond
		c.DNS.Retries = 0
	})
	recs, err := scannertest.Collect(t, h.provider(t))
	if err != nil {
		t.Fatal(err)
	}
	m := scannertest.ByID(recs)
	p := "aws:222222222222:route53:Z1NORTHWIND:dns:"
	for _, tc := range []struct {
		id                 string
		resolves, dangling any
		chain              string
	}{
		{id: "promo.northwind.example:CNAME:cname", resolves: false, dangling: true, chain: "pages.landing-vendor.example"},
		{id: "lp.northwind.example:CNAME:cname", resolves: true, dangling: false, chain: "northwind-lp.unbouncepages.com"},
		{id: "k1._domainkey.northwind.example:CNAME:dkim", resolves: true, dangling: false, chain: "dkim.mcsv.net"},
		// The chain goes on outside the zone and its end is gone.
		{id: "go.northwind.example:CNAME:cname", resolves: false, dangling: true, chain: "nw.hs-sites.example,gone.hs-edge.example"},
		// SERVFAIL: not known, so not marked.
		{id: "events.northwind.example:CNAME:cname", resolves: nil, dangling: nil, chain: "events.flaky-vendor.example"},
	} {
		r := scannertest.MustRecord(t, m, p+tc.id)
		if r.Attributes["resolves"] != tc.resolves || r.Attributes["dangling"] != tc.dangling {
			t.Errorf("%s: resolves %v dangling %v, want %v %v", tc.id, r.Attributes["resolves"], r.Attributes["dangling"], tc.resolves, tc.dangling)
		}
		if got, _ := r.Attributes["cname_chain"].([]string); strings.Join(got, ",") != tc.chain {
			t.Errorf("%s: chain %v, want %s", tc.id, got, tc.chain)
		}
		if strings.Contains(r.Summary, "dangling") != (tc.dangling == true) {
			t.Errorf("%s: summary %q", tc.id, r.Summary)
		}
	}
	if srv.Asked("northwind.my.salesforce.com", "A") != 0 {
		t.Error("a private zone's target was queried")
	}
	errs := errorsText(h.diag)
	if !strings.Contains(errs, "dns:CNAME targets | account 222222222222 (northwind-marketing) | zone northwind.example: 1 of 5 CNAME targets could not be checked for dangling (first: A events.flaky-vendor.example: SERVFAIL from ") {
		t.Errorf("coverage errors:\n%s", errs)
	}
}

// Off (the default in export mode, or set false) nothing is queried; on in export mode it checks export files too.
func TestRoute53DanglingModes(t *testing.T) {
	c := NewConfig()
	if !c.checksTargets() {
		t.Error("API mode: the check should be on by default")
	}
	c.Export.Route53RecordSets = []Route53Export{{Zone: "northwind.example", File: "x.json"}}
	if c.checksTargets() {
		t.Error("export mode: the check should be off by default")
	}
	on := true
	c.DNS.DanglingCNAMEs = &on
	if !c.checksTargets() {
		t.Error("export mode with dangling_cnames: true")
	}
	for _, tc := range []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.DNS.Resolver = "a b" }, "dns.resolver:"},
		{func(c *Config) { c.DNS.TimeoutPerQuery = 0 }, "dns.timeout_per_query: must be positive"},
		{func(c *Config) { c.DNS.Retries = 11 }, "dns.retries: must be between 0 and 10"},
		{func(c *Config) { c.DNS.Concurrency = 0 }, "dns.concurrency: must be between 1 and 256"},
		{func(c *Config) { c.DNS.MaxCNAMEDepth = 33 }, "dns.max_cname_depth: must be between 1 and 32"},
	} {
		c := NewConfig()
		tc.mut(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want %q", err, tc.want)
		}
	}
}
