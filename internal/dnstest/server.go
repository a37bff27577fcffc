// Package dnstest runs a real DNS server (miekg/dns over UDP and TCP) on a loopback port for tests of code that
// asks DNS. New gives a recursive-resolver stand-in holding a few records; NewZone serves the zones of a master
// file, authoritatively by default. Both follow CNAME chains, synthesise wildcards, answer NXDOMAIN for names
// that do not exist and truncate UDP answers larger than the client's EDNS0 size, as real servers do; faults
// (SERVFAIL, REFUSED, slow names, a hook that answers itself) are set per test.
package dnstest

import (
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// Hook may answer a question itself (true) instead of the server. name is the question's name (lower case, no
// trailing dot); n counts the questions for name over that transport, from 1. It runs outside the server's lock.
type Hook func(w mdns.ResponseWriter, req *mdns.Msg, name string, tcp bool, n int) bool

// Server is the test server. Addr is its UDP and TCP host:port.
type Server struct {
	Addr string

	t        testing.TB
	done     chan struct{}
	shutdown func()

	mu        sync.Mutex
	names     map[string]map[uint16][]mdns.RR // owner (norm) → type → records
	zones     []string                        // zone apexes (norm); "" is the root
	recursive bool
	servfail  map[string]bool
	slow      map[string]time.Duration
	refuse    bool
	hook      Hook
	udp, tcp  map[string]int // questions per name and transport
	asked     map[string]int // "name TYPE" → questions
}

// New starts a recursive-resolver stand-in holding records in zone-file syntax ("a.example. 300 IN A
// 192.0.2.1"): it answers for every name, following CNAME chains across domains, and names it does not hold are
// NXDOMAIN. It stops when the test ends.
func New(t testing.TB, records ...string) *Server {
	t.Helper()
	s := newServer(t)
	s.zones, s.recursive = []string{""}, true
	s.AddRR(records...)
	s.start()
	return s
}

// NewZone starts a server for the zones (SOA records) of a master file ("": none yet; see AddRR). It answers
// like an authoritative server: it follows CNAMEs within the zone of the question, stops at the zone's edge and
// refuses names outside its zones; SetRecursive(true) makes it follow chains across zones instead. It stops when
// the test ends.
func NewZone(t testing.TB, zoneFile string) *Server {
	t.Helper()
	s := newServer(t)
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

func newServer(t testing.TB) *Server {
	return &Server{t: t, done: make(chan struct{}), names: map[string]map[uint16][]mdns.RR{},
		servfail: map[string]bool{}, slow: map[string]time.Duration{}, udp: map[string]int{}, tcp: map[string]int{},
		asked: map[string]int{}}
}

func (s *Server) start() {
	pc, l := listen(s.t)
	s.Addr = pc.LocalAddr().String()
	udp := &mdns.Server{PacketConn: pc, Handler: s}
	tcp := &mdns.Server{Listener: l, Handler: s}
	var wg sync.WaitGroup
	wg.Add(2)
	udp.NotifyStartedFunc = wg.Done
	tcp.NotifyStartedFunc = wg.Done
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	wg.Wait()
	s.shutdown = sync.OnceFunc(func() {
		close(s.done)
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	s.t.Cleanup(s.shutdown)
}

// listen opens a UDP socket and a TCP listener on the same loopback port, as a DNS server needs. The TCP port
// must match the UDP one, which something else may hold for TCP: then the pair is tried again on a fresh port.
func listen(t testing.TB) (net.PacketConn, net.Listener) {
	t.Helper()
	var err error
	for range 20 {
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

// Shutdown stops the server before the test ends; it may be called more than once.
func (s *Server) Shutdown() { s.shutdown() }

func norm(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

func inZone(name, zone string) bool {
	return zone == "" || name == zone || strings.HasSuffix(name, "."+zone)
}

func (s *Server) add(rr mdns.RR) {
	owner := norm(rr.Header().Name)
	if s.names[owner] == nil {
		s.names[owner] = map[uint16][]mdns.RR{}
	}
	s.names[owner][rr.Header().Rrtype] = append(s.names[owner][rr.Header().Rrtype], rr)
	if rr.Header().Rrtype == mdns.TypeSOA {
		s.zones = append(s.zones, owner)
	}
}

// AddRR adds records in zone-file syntax, before or after the server started; an SOA record adds its zone.
func (s *Server) AddRR(records ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range records {
		rr, err := mdns.NewRR(r)
		if err != nil {
			s.t.Fatalf("record %q: %v", r, err)
		}
		s.add(rr)
	}
}

// ServFail makes questions about name, and chains that reach it, fail with SERVFAIL.
func (s *Server) ServFail(name string) { s.set(func() { s.servfail[norm(name)] = true }) }

// Slow delays the answers about name by d (the server's shutdown ends the wait).
func (s *Server) Slow(name string, d time.Duration) { s.set(func() { s.slow[norm(name)] = d }) }

// SetRefuse makes the server answer every question with REFUSED.
func (s *Server) SetRefuse(on bool) { s.set(func() { s.refuse = on }) }

// SetRecursive makes the server follow CNAME chains across zones, as a recursive resolver does.
func (s *Server) SetRecursive(on bool) { s.set(func() { s.recursive = on }) }

// SetHook lets h answer questions before the server does.
func (s *Server) SetHook(h Hook) { s.set(func() { s.hook = h }) }

func (s *Server) set(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// Asked returns how many questions of type qtype ("A", "TXT") were asked about name, over either transport.
func (s *Server) Asked(name, qtype string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[norm(name)+" "+qtype]
}

// Questions returns how many questions the server received.
func (s *Server) Questions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range s.asked {
		n += k
	}
	return n
}

// Counts returns how many questions about name came over UDP and over TCP.
func (s *Server) Counts(name string) (udp, tcp int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.udp[norm(name)], s.tcp[norm(name)]
}

func (s *Server) zoneOf(name string) (string, bool) {
	best, found := "", false
	for _, z := range s.zones {
		if inZone(name, z) && (!found || len(z) > len(best)) {
			best, found = z, true
		}
	}
	return best, found
}

func (s *Server) exists(name string) bool {
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

// lookup returns the records at name, synthesised from a wildcard when name does not exist.
func (s *Server) lookup(name string) map[uint16][]mdns.RR {
	if byType := s.names[name]; byType != nil || s.exists(name) {
		return byType
	}
	i := strings.IndexByte(name, '.')
	if i < 0 {
		return nil
	}
	w := s.names["*."+name[i+1:]]
	if w == nil {
		return nil
	}
	byType := map[uint16][]mdns.RR{}
	for t, rrs := range w {
		for _, rr := range rrs {
			c := mdns.Copy(rr)
			c.Header().Name = mdns.Fqdn(name)
			byType[t] = append(byType[t], c)
		}
	}
	return byType
}

func (s *Server) resolve(qname string, qtype uint16) (int, []mdns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := qname
	start, ok := s.zoneOf(cur)
	if !ok {
		return mdns.RcodeRefused, nil
	}
	var ans []mdns.RR
	for range 16 {
		if s.servfail[cur] {
			return mdns.RcodeServerFailure, nil
		}
		z, ok := s.zoneOf(cur)
		if !ok {
			return mdns.RcodeNameError, ans
		}
		if z != start && !s.recursive {
			return mdns.RcodeSuccess, ans // zone edge: the client asks again
		}
		byType := s.lookup(cur)
		if byType == nil {
			if s.exists(cur) {
				return mdns.RcodeSuccess, ans
			}
			return mdns.RcodeNameError, ans
		}
		if c := byType[mdns.TypeCNAME]; len(c) > 0 && qtype != mdns.TypeCNAME {
			ans = append(ans, c...)
			cur = norm(c[0].(*mdns.CNAME).Target)
			continue
		}
		return mdns.RcodeSuccess, append(ans, byType[qtype]...)
	}
	return mdns.RcodeSuccess, ans // a CNAME loop: the client sees the chain
}

// ServeDNS implements mdns.Handler.
func (s *Server) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	m := new(mdns.Msg)
	m.SetReply(req)
	if len(req.Question) != 1 {
		m.Rcode = mdns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := norm(q.Name)
	tcp := w.LocalAddr().Network() == "tcp"
	s.mu.Lock()
	s.asked[name+" "+mdns.TypeToString[q.Qtype]]++
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
