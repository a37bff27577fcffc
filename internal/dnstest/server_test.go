package dnstest

import (
	"fmt"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

func ask(t *testing.T, s *Server, network, name string, qtype uint16) *mdns.Msg {
	t.Helper()
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	c := &mdns.Client{Net: network}
	r, _, err := c.Exchange(m, s.Addr)
	if err != nil {
		t.Fatalf("%s %s: %v", network, name, err)
	}
	return r
}

// answers is the answer section as "name type" lines, for comparison.
func answers(r *mdns.Msg) string {
	var out []string
	for _, rr := range r.Answer {
		out = append(out, strings.TrimSuffix(rr.Header().Name, ".")+" "+mdns.TypeToString[rr.Header().Rrtype])
	}
	return strings.Join(out, ", ")
}

func TestServer(t *testing.T) {
	resolver := New(t, "www.a.example. 300 IN CNAME lp.vendor.example.", "lp.vendor.example. 300 IN A 192.0.2.1",
		"bad.a.example. 300 IN CNAME down.vendor.example.", "loop1.example. 300 IN CNAME loop2.example.",
		"loop2.example. 300 IN CNAME loop1.example.")
	resolver.ServFail("down.vendor.example")
	zone := NewZone(t, "")
	zone.AddRR("a.example. 300 IN SOA ns1.a.example. h.a.example. 1 2 3 4 5",
		"vendor.example. 300 IN SOA ns1.vendor.example. h.vendor.example. 1 2 3 4 5",
		"www.a.example. 300 IN CNAME lp.vendor.example.", "lp.vendor.example. 300 IN A 192.0.2.1",
		"*.w.a.example. 300 IN A 192.0.2.9", "x.deep.a.example. 300 IN A 192.0.2.3")
	for _, tc := range []struct {
		name    string
		s       *Server
		q       string
		rcode   int
		answers string
	}{
		{"resolver follows a chain across domains", resolver, "www.a.example", mdns.RcodeSuccess, "www.a.example CNAME, lp.vendor.example A"},
		{"resolver: unknown name", resolver, "nope.example", mdns.RcodeNameError, ""},
		{"resolver: a chain reaching a failing name", resolver, "bad.a.example", mdns.RcodeServerFailure, ""},
		{"resolver: a CNAME loop comes back as the chain", resolver, "loop1.example", mdns.RcodeSuccess, strings.TrimSuffix(strings.Repeat("loop1.example CNAME, loop2.example CNAME, ", 8), ", ")},
		{"zone: stops at the zone's edge", zone, "www.a.example", mdns.RcodeSuccess, "www.a.example CNAME"},
		{"zone: outside every zone", zone, "other.example", mdns.RcodeRefused, ""},
		{"zone: wildcard", zone, "any.w.a.example", mdns.RcodeSuccess, "any.w.a.example A"},
		{"zone: empty non-terminal", zone, "deep.a.example", mdns.RcodeSuccess, ""},
		{"zone: no such name", zone, "nope.a.example", mdns.RcodeNameError, ""},
	} {
		r := ask(t, tc.s, "udp", tc.q, mdns.TypeA)
		if r.Rcode != tc.rcode || answers(r) != tc.answers {
			t.Errorf("%s: %s, [%s]; want %s, [%s]", tc.name, mdns.RcodeToString[r.Rcode], answers(r), mdns.RcodeToString[tc.rcode], tc.answers)
		}
	}
	zone.SetRecursive(true)
	if r := ask(t, zone, "tcp", "www.a.example", mdns.TypeA); answers(r) != "www.a.example CNAME, lp.vendor.example A" || r.Authoritative {
		t.Errorf("recursive zone server: [%s], authoritative %v", answers(r), r.Authoritative)
	}
	if u, tc := zone.Counts("www.a.example."); u != 1 || tc != 1 || zone.Asked("WWW.a.example", "A") != 2 {
		t.Errorf("counts: udp %d tcp %d asked %d", u, tc, zone.Asked("www.a.example", "A"))
	}
	zone.SetRefuse(true)
	if r := ask(t, zone, "udp", "lp.vendor.example", mdns.TypeA); r.Rcode != mdns.RcodeRefused {
		t.Errorf("refusing server: %s", mdns.RcodeToString[r.Rcode])
	}
}

// A UDP answer larger than 512 bytes (no EDNS0) comes back truncated; over TCP it is whole.
func TestServerTruncatesUDP(t *testing.T) {
	var txt []string
	for i := range 8 {
		txt = append(txt, fmt.Sprintf(`big.example. 300 IN TXT "%02d%s"`, i, strings.Repeat("x", 100)))
	}
	s := New(t, txt...)
	if r := ask(t, s, "udp", "big.example", mdns.TypeTXT); !r.Truncated {
		t.Errorf("UDP: not truncated (%d answers)", len(r.Answer))
	}
	if r := ask(t, s, "tcp", "big.example", mdns.TypeTXT); r.Truncated || len(r.Answer) != 8 {
		t.Errorf("TCP: truncated %v, %d answers", r.Truncated, len(r.Answer))
	}
	if s.Questions() != 2 {
		t.Errorf("Questions() = %d, want 2", s.Questions())
	}
}
