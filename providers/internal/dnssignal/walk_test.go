package dnssignal

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/scannertest"
)

// mapLookup serves TXT from a map; names absent are NXDOMAIN, names under "offline." are ErrNotAvailable and names
// under "broken." fail.
func mapLookup(m map[string][]string) TXTLookup {
	return func(_ context.Context, host string) ([]string, bool, error) {
		switch {
		case strings.HasSuffix(host, ".offline"):
			return nil, false, ErrNotAvailable
		case strings.HasSuffix(host, ".broken"):
			return nil, false, errors.New("SERVFAIL")
		}
		v, ok := m[host]
		return v, ok, nil
	}
}

func walkRoot(t *testing.T, m map[string][]string, failed func(string, error)) map[string]scanner.Record {
	t.Helper()
	rs := RRSet{Name: "example.com", Type: "TXT", Values: m["example.com"]}
	out := WalkSPF(context.Background(), "example.com", rs, Records("example.com", rs), mapLookup(m), failed)
	return scannertest.ByID(out)
}

func TestWalkSPF(t *testing.T) {
	t.Run("nested", func(t *testing.T) {
		recs := walkRoot(t, map[string][]string{
			"example.com":   {"v=spf1 include:a.example mx -all", "other"},
			"a.example":     {"v=spf1 include:b.example redirect=c.example"},
			"b.example":     {"v=spf1 ip4:192.0.2.1 -all"},
			"c.example":     {"v=spf1 a -all"},
			"x.example.com": {"unused"},
		}, nil)
		c := recs["dns:example.com:TXT:spf_include:c.example"]
		if !reflect.DeepEqual(c.Attributes[AttrSPFPath], []string{"example.com", "a.example", "c.example"}) ||
			c.Attributes[AttrSPFMechanism] != "redirect" {
			t.Errorf("c: %+v", c.Attributes)
		}
		if n := recs["dns:example.com:TXT:spf_include:a.example"].Attributes[AttrSPFLookupsTotal]; n != int64(5) {
			t.Errorf("lookups %v, want 5", n)
		}
		if _, ok := recs["dns:example.com:TXT:spf"]; ok {
			t.Error("problem record for a clean tree")
		}
	})
	t.Run("problems", func(t *testing.T) {
		var failedHosts []string
		recs := walkRoot(t, map[string][]string{
			"example.com":   {"v=spf1 include:loop1.example include:none.example include:text.example include:x.offline include:y.broken include:dup.example include:bad.example -all"},
			"loop1.example": {"v=spf1 include:loop2.example"},
			"loop2.example": {"v=spf1 include:loop1.example"},
			"text.example":  {"hello"},
			"dup.example":   {"v=spf1 -all", "v=spf1 ~all"},
			"bad.example":   {"v=spf1 nope"},
		}, func(h string, err error) { failedHosts = append(failedHosts, h) })
		p := recs["dns:example.com:TXT:spf"]
		probs, _ := p.Attributes[AttrSPFProblems].([]string)
		want := []string{
			"include loop: loop1.example → loop2.example → loop1.example",
			"include:none.example does not exist (NXDOMAIN)",
			"include:text.example has no SPF record",
			"include:y.broken could not be read: SERVFAIL",
			"dup.example has 2 SPF records",
			`bad.example: "nope": unknown mechanism`,
		}
		if !reflect.DeepEqual(probs, want) {
			t.Errorf("problems:\n%q\nwant\n%q", probs, want)
		}
		if p.Attributes[AttrSPFLoop] != true || !reflect.DeepEqual(p.Attributes[AttrSPFNotFollowed], []string{"x.offline"}) {
			t.Errorf("attrs %+v", p.Attributes)
		}
		if !reflect.DeepEqual(failedHosts, []string{"y.broken"}) {
			t.Errorf("failed %q", failedHosts)
		}
		if !strings.HasPrefix(p.Summary, "SPF record with problems at example.com: include loop") {
			t.Errorf("summary %q", p.Summary)
		}
	})
	t.Run("too many lookups, shared subtree counted twice", func(t *testing.T) {
		recs := walkRoot(t, map[string][]string{
			"example.com":    {"v=spf1 include:s.example include:t.example -all"},
			"s.example":      {"v=spf1 include:shared.example"},
			"t.example":      {"v=spf1 include:shared.example"},
			"shared.example": {"v=spf1 a mx ptr"},
		}, nil)
		// 2 + 1 + 3 + 1 + 3 (shared again) = 10: at the limit, not over.
		if n := recs["dns:example.com:TXT:spf_include:s.example"].Attributes[AttrSPFLookupsTotal]; n != int64(10) {
			t.Errorf("lookups %v", n)
		}
		if _, ok := recs["dns:example.com:TXT:spf"]; ok {
			t.Error("10 lookups reported as a problem")
		}
	})
	t.Run("eleven lookups are over the limit", func(t *testing.T) {
		recs := walkRoot(t, map[string][]string{
			"example.com":    {"v=spf1 include:s.example include:t.example a -all"},
			"s.example":      {"v=spf1 include:shared.example"},
			"t.example":      {"v=spf1 include:shared.example"},
			"shared.example": {"v=spf1 a mx ptr"},
		}, nil)
		// The tree above plus one "a" at the top: 11, one over RFC 7208's 10.
		p, ok := recs["dns:example.com:TXT:spf"]
		if !ok {
			t.Fatal("11 lookups not reported")
		}
		probs, _ := p.Attributes[AttrSPFProblems].([]string)
		if !reflect.DeepEqual(probs, []string{"11 DNS-querying terms, over RFC 7208's limit of 10"}) {
			t.Errorf("problems %q", probs)
		}
		if MaxSPFLookups != 10 {
			t.Errorf("MaxSPFLookups = %d; RFC 7208 §4.6.4 says 10", MaxSPFLookups)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		m := map[string][]string{"example.com": {"v=spf1 include:h0.example"}}
		for i := range 200 { // a deep chain and a wide fan-out
			m[fmt.Sprintf("h%d.example", i)] = []string{fmt.Sprintf("v=spf1 include:h%d.example include:w%d.example", i+1, i)}
			m[fmt.Sprintf("w%d.example", i)] = []string{"v=spf1 -all"}
		}
		recs := walkRoot(t, m, nil)
		if len(recs) > 2*maxSPFFetches+4 {
			t.Errorf("%d records: walk not bounded", len(recs))
		}
		probs, _ := recs["dns:example.com:TXT:spf"].Attributes[AttrSPFProblems].([]string)
		if !strings.Contains(strings.Join(probs, "\n"), "nested deeper than 10") {
			t.Errorf("problems %q", probs)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rs := RRSet{Name: "example.com", Type: "TXT", Values: []string{"v=spf1 include:a.example include:b.example"}}
		out := WalkSPF(ctx, "example.com", rs, nil, mapLookup(nil), nil)
		if len(out) > 1 {
			t.Errorf("walk went on after cancel: %d records", len(out))
		}
	})
}

func TestZoneRecords(t *testing.T) {
	sets := []RRSet{
		{Name: "example.com.", Type: "TXT", Values: []string{"v=spf1 include:_spf.example.com include:servers.mcsv.net -all", "facebook-domain-verification=x"}},
		{Name: "_spf.example.com", Type: "TXT", Values: []string{"v=spf1 include:sendgrid.net -all", "keep-me=1"}},
		{Name: "mkt.example.com", Type: "TXT", Values: []string{"v=spf1 include:example.com -all"}},
		{Name: "go.example.com", Type: "CNAME", Values: []string{"hop.example.com."}},
		{Name: "hop.example.com", Type: "CNAME", Values: []string{"t.vendor.example."}},
		{Name: "loop.example.com", Type: "CNAME", Values: []string{"loop2.example.com."}},
		{Name: "loop2.example.com", Type: "CNAME", Values: []string{"loop.example.com."}},
		{Name: "k1._domainkey.example.com", Type: "CNAME", Values: []string{"dkim.vendor.example."}},
		{Name: "dkim.vendor.example", Type: "TXT", Values: []string{"v=DKIM1; p=abc"}}, // outside the zone: lookups only
		{Name: "example.com", Type: "MX", Values: []string{"10 mx.vendor.example."}},
		{Name: "example.com", Type: "TXT", Values: []string{"split-set=1"}}, // a second set of the same type merges
	}
	m := scannertest.ByID(ZoneRecords("example.com", sets))
	for _, id := range []string{
		"dns:example.com:TXT:spf_include:_spf.example.com",
		"dns:example.com:TXT:spf_include:sendgrid.net",
		"dns:example.com:TXT:spf_include:servers.mcsv.net",
		"dns:example.com:TXT:txt_token:facebook-domain-verification=x",
		"dns:example.com:TXT:txt_token:split-set=1",
		"dns:_spf.example.com:TXT:txt_token:keep-me=1",
		"dns:mkt.example.com:TXT:spf_include:example.com",
		"dns:go.example.com:CNAME:cname",
		"dns:hop.example.com:CNAME:cname",
		"dns:k1._domainkey.example.com:CNAME:dkim",
		"dns:example.com:MX:mx.vendor.example",
	} {
		if _, ok := m[id]; !ok {
			t.Errorf("missing %s", id)
		}
	}
	for id := range m {
		if strings.HasPrefix(id, "dns:_spf.example.com:TXT:spf") || strings.HasPrefix(id, "dns:dkim.vendor.example") ||
			strings.HasPrefix(id, "dns:loop") {
			t.Errorf("unexpected %s", id)
		}
	}
	sg := m["dns:example.com:TXT:spf_include:sendgrid.net"]
	if !reflect.DeepEqual(sg.Attributes[AttrSPFPath], []string{"example.com", "_spf.example.com", "sendgrid.net"}) {
		t.Errorf("path %v", sg.Attributes[AttrSPFPath])
	}
	if !reflect.DeepEqual(sg.Attributes[AttrSPFNotFollowed], []string{"sendgrid.net", "servers.mcsv.net"}) {
		t.Errorf("not followed %v", sg.Attributes[AttrSPFNotFollowed])
	}
	if got := m["dns:go.example.com:CNAME:cname"].Attributes[AttrCNAMEChain]; !reflect.DeepEqual(got, []string{"hop.example.com", "t.vendor.example"}) {
		t.Errorf("chain %v", got)
	}
	if got := m["dns:k1._domainkey.example.com:CNAME:dkim"].Attributes[AttrDKIMKeyPresent]; got != true {
		t.Errorf("dkim key %v", got)
	}
}
