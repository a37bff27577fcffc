package dns

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/internal/dnstest"

	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
)

// testServer is a real DNS server (miekg/dns) on a loopback port, UDP and TCP, serving the zones of a master
// file. By default it answers like an authoritative server: it follows CNAMEs within the zone of the question and
// stops at the zone's edge. With recursive set it follows chains across zones like a recursive resolver, answering
// NXDOMAIN when the chain ends at a name that does not exist. UDP answers larger than the client's EDNS0 size (512
// without EDNS0) are truncated (TC set), as real servers do.
type testServer struct {
	t         testing.TB
	addr      string
	recursive bool

	names map[string]map[uint16][]mdns.RR
	zones []string

	mu       sync.Mutex
	servfail map[string]bool          // names answered with SERVFAIL
	slow     map[string]time.Duration // names answered only after this delay
	refuse   bool                     // answer every question with REFUSED
	udp, tcp map[string]int           // questions seen per name
	// hook, when set, may answer a question itself (true) instead of the server: n counts the questions for
	// name over that transport, from 1. It runs outside the lock.
	hook func(w mdns.ResponseWriter, req *mdns.Msg, name string, tcp bool, n int) bool
	done chan struct{}
	// shutdown stops the server (also at the end of the test); it may be called more than once.
	shutdown func()
}

func newTestServer(t testing.TB, zoneFile string) *testServer {
	t.Helper()
	s := &testServer{t: t, names: map[string]map[uint16][]mdns.RR{}, servfail: map[string]bool{},
		slow: map[string]time.Duration{}, udp: map[string]int{}, tcp: map[string]int{}, done: make(chan struct{})}
	if zoneFile != "" {
		f, err := os.Open(zoneFile)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		zp := mdns.NewZoneParser(f, "", zoneFile)
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			s.add(rr)
		}
		if err := zp.Err(); err != nil {
			t.Fatal(err)
		}
	}
	s.start()
	return s
}

func (s *testServer) add(rr mdns.RR) {
	owner := dnssignal.Norm(rr.Header().Name)
	if s.names[owner] == nil {
		s.names[owner] = map[uint16][]mdns.RR{}
	}
	s.names[owner][rr.Header().Rrtype] = append(s.names[owner][rr.Header().Rrtype], rr)
	if rr.Header().Rrtype == mdns.TypeSOA {
		s.zones = append(s.zones, owner)
	}
}

// addRR adds records written in zone-file syntax, before or after start.
func (s *testServer) addRR(lines ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		rr, err := mdns.NewRR(l)
		if err != nil {
			s.t.Fatal(err)
		}
		s.add(rr)
	}
}

func (s *testServer) start() {
	t := s.t
	pc, l := dnstest.Listen(t)
	s.addr = pc.LocalAddr().String()
	udpSrv := &mdns.Server{PacketConn: pc, Handler: s}
	tcpSrv := &mdns.Server{Listener: l, Handler: s}
	var wg sync.WaitGroup
	wg.Add(2)
	udpSrv.NotifyStartedFunc = wg.Done
	tcpSrv.NotifyStartedFunc = wg.Done
	go func() { _ = udpSrv.ActivateAndServe() }()
	go func() { _ = tcpSrv.ActivateAndServe() }()
	wg.Wait()
	s.shutdown = sync.OnceFunc(func() {
		close(s.done)
		_ = udpSrv.Shutdown()
		_ = tcpSrv.Shutdown()
	})
	t.Cleanup(s.shutdown)
}

func (s *testServer) zoneOf(name string) string {
	best := ""
	for _, z := range s.zones {
		if dnssignal.InZone(name, z) && len(z) > len(best) {
			best = z
		}
	}
	return best
}

func (s *testServer) exists(name string) bool {
	if s.names[name] != nil {
		return true
	}
	for o := range s.names {
		if strings.HasSuffix(o, "."+name) {
			return true // empty non-terminal
		}
	}
	return false
}

func (s *testServer) resolve(qname string, qtype uint16) (int, []mdns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := qname
	start := s.zoneOf(cur)
	if start == "" {
		return mdns.RcodeRefused, nil
	}
	var ans []mdns.RR
	for range 16 {
		z := s.zoneOf(cur)
		if z == "" {
			return mdns.RcodeNameError, ans
		}
		if z != start && !s.recursive {
			return mdns.RcodeSuccess, ans // zone edge: the client asks again
		}
		byType := s.names[cur]
		if byType == nil && !s.exists(cur) && strings.Contains(cur, ".") {
			if w := s.names["*."+cur[strings.IndexByte(cur, '.')+1:]]; w != nil { // wildcard: synthesise at cur
				byType = map[uint16][]mdns.RR{}
				for t, rrs := range w {
					for _, rr := range rrs {
						c := mdns.Copy(rr)
						c.Header().Name = mdns.Fqdn(cur)
						byType[t] = append(byType[t], c)
					}
				}
			}
		}
		if byType == nil {
			if s.exists(cur) {
				return mdns.RcodeSuccess, ans
			}
			return mdns.RcodeNameError, ans
		}
		if c := byType[mdns.TypeCNAME]; len(c) > 0 && qtype != mdns.TypeCNAME {
			ans = append(ans, c...)
			cur = dnssignal.Norm(c[0].(*mdns.CNAME).Target)
			continue
		}
		return mdns.RcodeSuccess, append(ans, byType[qtype]...)
	}
	return mdns.RcodeServerFailure, ans
}

func (s *testServer) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetReply(req)
	if len(req.Question) != 1 {
		m.Rcode = mdns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := dnssignal.Norm(q.Name)
	tcp := w.LocalAddr().Network() == "tcp"
	s.mu.Lock()
	var n int
	if tcp {
		s.tcp[name]++
		n = s.tcp[name]
	} else {
		s.udp[name]++
		n = s.udp[name]
	}
	servfail, slow, refuse, recursive, hook := s.servfail[name], s.slow[name], s.refuse, s.recursive, s.hook
	s.mu.Unlock()
	if hook != nil && hook(w, req, name, tcp, n) {
		return
	}
	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-s.done:
			return
		}
	}
	switch {
	case refuse:
		m.Rcode = mdns.RcodeRefused
	case servfail:
		m.Rcode = mdns.RcodeServerFailure
	default:
		m.Authoritative = !recursive
		m.RecursionAvailable = recursive
		m.Rcode, m.Answer = s.resolve(name, q.Qtype)
	}
	if !tcp {
		size := mdns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
			m.SetEdns0(opt.UDPSize(), false)
		}
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// set changes the server's behaviour safely while it runs.
func (s *testServer) set(f func(s *testServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *testServer) counts(name string) (udp, tcp int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.udp[name], s.tcp[name]
}
