// Package dnstest runs a small recursive-resolver stand-in on loopback (miekg/dns over UDP and TCP) for tests
// of code that asks DNS: names it holds answer with their records (CNAME chains followed as a recursive server
// does), other names are NXDOMAIN, and names marked SERVFAIL fail.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"testing"

	mdns "github.com/miekg/dns"
)

// Server is the test server. Addr is its UDP and TCP host:port.
type Server struct {
	Addr string

	mu       sync.Mutex
	rrs      map[string][]mdns.RR // owner (lower case, FQDN) → records
	servfail map[string]bool
	asked    map[string]int // "name TYPE" → questions
}

// New starts a server holding records in zone-file syntax ("a.example. 300 IN A 192.0.2.1"); it stops when the
// test ends.
func New(t testing.TB, records ...string) *Server {
	t.Helper()
	s := &Server{rrs: map[string][]mdns.RR{}, servfail: map[string]bool{}, asked: map[string]int{}}
	for _, r := range records {
		rr, err := mdns.NewRR(r)
		if err != nil {
			t.Fatalf("record %q: %v", r, err)
		}
		owner := strings.ToLower(rr.Header().Name)
		s.rrs[owner] = append(s.rrs[owner], rr)
	}
	pc, l := Listen(t)
	s.Addr = pc.LocalAddr().String()
	udp := &mdns.Server{PacketConn: pc, Handler: s}
	tcp := &mdns.Server{Listener: l, Handler: s}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	return s
}

// Listen opens a UDP socket and a TCP listener on the same loopback port, as a DNS server needs.
func Listen(t testing.TB) (net.PacketConn, net.Listener) {
	t.Helper()
	var err error
	for range 20 { // the TCP port must match the UDP one, which something else may hold for TCP
		var pc net.PacketConn
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, lerr := net.Listen("tcp", pc.LocalAddr().String())
		if lerr == nil {
			return pc, l
		}
		err = lerr
		pc.Close()
	}
	t.Fatal(err)
	return nil, nil
}

// ServFail makes questions about name fail with SERVFAIL.
func (s *Server) ServFail(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.servfail[mdns.Fqdn(strings.ToLower(name))] = true
}

// Asked returns how many questions of type qtype ("A", "TXT") were asked about name.
func (s *Server) Asked(name, qtype string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[mdns.Fqdn(strings.ToLower(name))+" "+qtype]
}

// ServeDNS implements mdns.Handler.
func (s *Server) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	if len(req.Question) != 1 {
		m.Rcode = mdns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked[name+" "+mdns.TypeToString[q.Qtype]]++
	for hops := 0; hops < 16; hops++ {
		if s.servfail[name] {
			m.Answer = nil
			m.Rcode = mdns.RcodeServerFailure
			break
		}
		rrs, ok := s.rrs[name]
		if !ok {
			m.Rcode = mdns.RcodeNameError
			break
		}
		var cname *mdns.CNAME
		for _, rr := range rrs {
			switch {
			case rr.Header().Rrtype == q.Qtype:
				m.Answer = append(m.Answer, rr)
			case rr.Header().Rrtype == mdns.TypeCNAME:
				cname = rr.(*mdns.CNAME)
			}
		}
		if cname == nil || q.Qtype == mdns.TypeCNAME {
			break
		}
		m.Answer = append(m.Answer, cname)
		name = strings.ToLower(cname.Target)
	}
	_ = w.WriteMsg(m)
}
