package dns

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/internal/dnstest"

	mdns "github.com/miekg/dns"
	"go.uber.org/goleak"

	"github.com/shadowscan/shadowscan/providers/internal/faulttest"
	"github.com/shadowscan/shadowscan/scanner"
)

// faultDomain is the configured domain every DNS fault hits; cleanDomain is never touched.
const (
	faultDomain = "faults.example"
	cleanDomain = "northwind.example"
)

// dnsFault is the DNS form of a row of the shared fault table: what the server does to questions under
// faultDomain, and the words the coverage must say.
type dnsFault struct {
	skip   string // why the row does not apply to DNS
	answer func(w mdns.ResponseWriter, req *mdns.Msg, tcp bool, n int) bool
	reason []string
	tcp    bool // the provider must have retried over TCP
}

func reply(w mdns.ResponseWriter, req *mdns.Msg, rcode int) bool {
	m := new(mdns.Msg)
	m.SetRcode(req, rcode)
	_ = w.WriteMsg(m)
	return true
}

var dnsFaults = map[faulttest.Kind]dnsFault{
	faulttest.Storm429RetryAfter: {skip: "DNS has no Retry-After: the SERVFAIL storm is the 429 storm without it"},
	faulttest.Storm429: {reason: []string{"SERVFAIL", faultDomain},
		answer: func(w mdns.ResponseWriter, req *mdns.Msg, _ bool, _ int) bool {
			return reply(w, req, mdns.RcodeServerFailure)
		}},
	faulttest.ServerErrorOnce: {answer: func(w mdns.ResponseWriter, req *mdns.Msg, _ bool, n int) bool {
		return n == 1 && reply(w, req, mdns.RcodeServerFailure)
	}},
	faulttest.ServerErrorStorm: {skip: "DNS has one server failure (SERVFAIL): the 429-storm row covers it"},
	// A question that gets no answer at first (the UDP datagram lost) is asked again.
	faulttest.Reset: {answer: func(_ mdns.ResponseWriter, _ *mdns.Msg, tcp bool, n int) bool { return !tcp && n == 1 }},
	// Every UDP answer comes back truncated (TC, no records): the provider must ask again over TCP.
	faulttest.Truncated: {tcp: true, answer: func(w mdns.ResponseWriter, req *mdns.Msg, tcp bool, _ int) bool {
		if tcp {
			return false
		}
		m := new(mdns.Msg)
		m.SetReply(req)
		m.Truncated = true
		_ = w.WriteMsg(m)
		return true
	}},
	// Half a message: it does not unpack.
	faulttest.Malformed: {reason: []string{faultDomain}, answer: func(w mdns.ResponseWriter, req *mdns.Msg, _ bool, _ int) bool {
		m := new(mdns.Msg)
		m.SetReply(req)
		m.Answer = append(m.Answer, &mdns.A{Hdr: mdns.RR_Header{Name: req.Question[0].Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 60}})
		b, err := m.Pack()
		if err != nil {
			panic(err)
		}
		_, _ = w.Write(b[:len(b)-3])
		return true
	}},
	faulttest.RepeatToken: {skip: "DNS answers have no paging"},
	// No answer ever: each question times out (timeout_per_query), is retried, and is given up on.
	faulttest.SlowBody: {reason: []string{"timed out", faultDomain},
		answer: func(mdns.ResponseWriter, *mdns.Msg, bool, int) bool { return true }},
	faulttest.DeniedOne: {reason: []string{"REFUSED", faultDomain},
		answer: func(w mdns.ResponseWriter, req *mdns.Msg, _ bool, _ int) bool {
			return reply(w, req, mdns.RcodeRefused)
		}},
}

// TestFaultMatrix runs the shared fault table (providers/internal/faulttest) against the provider's real DNS
// client and the loopback miekg/dns server: each fault hits the questions under one configured domain; the other
// domain's records must all be there, coverage must name the domain and the failure, and no goroutine is left.
func TestFaultMatrix(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	clean := runDNSFault(t, nil)
	if clean.Err != nil || len(clean.Errors) > 0 || len(clean.Records) == 0 {
		t.Fatalf("the clean run is not clean (%d records):\n%s", len(clean.Records), clean.Text())
	}
	faulttest.NoLeak(t, ignore)
	for _, c := range faulttest.Cases {
		t.Run(string(c.Kind), func(t *testing.T) {
			f, ok := dnsFaults[c.Kind]
			if !ok {
				t.Fatalf("no DNS form of %q", c.Kind)
			}
			if f.skip != "" {
				t.Skip(f.skip)
			}
			c.Reason = f.reason
			if c.Status == "" {
				c.Status = scanner.CoveragePartial // a per-query timeout, not the scan's: the other domain is read
			}
			ignore := goleak.IgnoreCurrent()
			var tcpAsked int
			out := runDNSFault(t, &f, &tcpAsked)
			if f.tcp && tcpAsked == 0 {
				t.Errorf("%s: no question was asked again over TCP", c.Kind)
			}
			// Every record of the untouched domain must be there; the faulted domain's only when it was retried away.
			served := map[string]bool{"domain:" + cleanDomain: true}
			if c.Status == scanner.CoverageComplete {
				served["domain:"+faultDomain] = true
			}
			faulttest.Check(t, c, clean.Records, out, served, dnsSources)
			faulttest.NoLeak(t, ignore)
		})
	}
}

// runDNSFault collects cleanDomain and faultDomain with f applied to the questions under faultDomain; tcpAsked
// counts the questions under it that came over TCP.
func runDNSFault(t *testing.T, f *dnsFault, tcpAsked ...*int) faulttest.Outcome {
	srv := dnstest.NewZone(t, "testdata/live.zone")
	var mu sync.Mutex
	if f != nil {
		srv.SetHook(func(w mdns.ResponseWriter, req *mdns.Msg, name string, tcp bool, n int) bool {
			if name != faultDomain && !strings.HasSuffix(name, "."+faultDomain) {
				return false
			}
			if tcp && len(tcpAsked) > 0 {
				mu.Lock()
				*tcpAsked[0]++
				mu.Unlock()
			}
			return f.answer(w, req, tcp, n)
		})
	}
	c := testConfig(srv.Addr)
	c.Domains = []string{cleanDomain, faultDomain}
	c.Subdomains = nil
	c.CommonSubdomains = false
	c.DKIMSelectors = []string{"google", "k2"}
	// Long enough that a loaded machine never times out a question by accident; the no-answer rows cost it.
	c.TimeoutPerQuery = time.Second
	c.Retries = 2
	diags := &scanner.Diagnostics{}
	p := newTestProvider(t, c, diags)
	out := faulttest.Collect(t.Context(), p, diags)
	srv.Shutdown()
	return out
}

// dnsSources is the configured domain a record belongs to.
func dnsSources(r scanner.Record) []string {
	parts := strings.SplitN(r.ID, ":", 3) // dns:<name>:…
	if len(parts) < 3 {
		return nil
	}
	for _, d := range []string{cleanDomain, faultDomain} {
		if parts[1] == d || strings.HasSuffix(parts[1], "."+d) {
			return []string{"domain:" + d}
		}
	}
	return nil
}
