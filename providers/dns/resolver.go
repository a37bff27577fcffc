package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/rs/zerolog"
)

// answer is what a source says about one name and type: the response code (mdns.RcodeSuccess or
// mdns.RcodeNameError) and the answer section, which may hold a CNAME chain.
type answer struct {
	rcode int
	rrs   []mdns.RR
}

// source answers DNS questions: live DNS (liveSource) or zone files read offline (zoneSource).
type source interface {
	query(ctx context.Context, name string, qtype uint16) (answer, error)
}

// errOffline is returned by the zone source for names outside every zone file: zone-file mode makes no queries.
var errOffline = errors.New("outside the zone files (zone-file mode makes no queries)")

// liveSource queries DNS servers over UDP, retrying over TCP when an answer is truncated, with a timeout per
// attempt and a few retries (on other servers when there are several) after timeouts, SERVFAIL and REFUSED.
type liveSource struct {
	servers []string
	udp     *mdns.Client
	tcp     *mdns.Client
	timeout time.Duration
	retries int
	sem     chan struct{} // bounds queries in flight
	log     zerolog.Logger

	queries  atomic.Int64 // questions asked (not attempts)
	answered atomic.Int64 // questions that got NOERROR or NXDOMAIN
	failed   atomic.Int64 // questions given up on
	tcpUsed  atomic.Int64 // attempts retried over TCP after truncation
	next     atomic.Uint64
}

// ednsSize is the EDNS0 UDP payload size advertised (the DNS Flag Day 2020 value).
const ednsSize = 1232

func newLiveSource(servers []string, timeout time.Duration, retries, concurrency int, log zerolog.Logger) *liveSource {
	return &liveSource{
		servers: servers,
		udp:     &mdns.Client{Net: "udp", Timeout: timeout, UDPSize: ednsSize},
		tcp:     &mdns.Client{Net: "tcp", Timeout: timeout},
		timeout: timeout,
		retries: retries,
		sem:     make(chan struct{}, concurrency),
		log:     log,
	}
}

func (s *liveSource) query(ctx context.Context, name string, qtype uint16) (answer, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return answer{}, ctx.Err()
	}
	defer func() { <-s.sem }()
	s.queries.Add(1)
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.SetEdns0(ednsSize, false)
	tname := mdns.TypeToString[qtype]
	var lastErr error
	start := s.next.Add(1)
	for attempt := 0; attempt <= s.retries; attempt++ {
		if err := ctx.Err(); err != nil {
			return answer{}, err
		}
		server := s.servers[(int(start)+attempt)%len(s.servers)]
		m.Id = mdns.Id()
		resp, viaTCP, err := s.exchange(ctx, m, server)
		if err != nil {
			if ctx.Err() != nil {
				return answer{}, ctx.Err()
			}
			lastErr = describeNetErr(err, s.timeout)
			s.log.Debug().Str("name", name).Str("qtype", tname).Str("server", server).Int("attempt", attempt+1).
				Str("error", lastErr.Error()).Msg("dns query failed")
			continue
		}
		s.log.Debug().Str("name", name).Str("qtype", tname).Str("server", server).Int("attempt", attempt+1).
			Bool("tcp", viaTCP).Str("rcode", mdns.RcodeToString[resp.Rcode]).Int("answers", len(resp.Answer)).Msg("dns query")
		switch resp.Rcode {
		case mdns.RcodeSuccess, mdns.RcodeNameError:
			s.answered.Add(1)
			return answer{rcode: resp.Rcode, rrs: resp.Answer}, nil
		case mdns.RcodeServerFailure, mdns.RcodeRefused:
			lastErr = fmt.Errorf("%s from %s", mdns.RcodeToString[resp.Rcode], server)
			continue
		default:
			lastErr = fmt.Errorf("%s from %s", rcodeName(resp.Rcode), server)
			attempt = s.retries // a malformed question is not worth retrying
		}
	}
	s.failed.Add(1)
	return answer{}, fmt.Errorf("%s %s: %w (%d attempts)", tname, name, lastErr, s.retries+1)
}

func rcodeName(rc int) string {
	if n, ok := mdns.RcodeToString[rc]; ok {
		return n
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// exchange makes one attempt: UDP, then TCP if the UDP answer came back truncated. The attempt has its own
// timeout and is cut short when ctx is cancelled.
func (s *liveSource) exchange(ctx context.Context, m *mdns.Msg, server string) (*mdns.Msg, bool, error) {
	actx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := s.exchangeOn(actx, s.udp, m, server)
	if err != nil {
		return nil, false, err
	}
	if !resp.Truncated {
		return resp, false, nil
	}
	s.tcpUsed.Add(1)
	resp, err = s.exchangeOn(actx, s.tcp, m, server)
	if err != nil {
		return nil, true, fmt.Errorf("tcp after truncated udp answer: %w", err)
	}
	return resp, true, nil
}

func (s *liveSource) exchangeOn(ctx context.Context, c *mdns.Client, m *mdns.Msg, server string) (*mdns.Msg, error) {
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// miekg/dns honours a context deadline but not a cancellation: unblock the read ourselves.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, m, conn)
	if err != nil {
		return nil, err
	}
	if len(resp.Question) > 0 && !strings.EqualFold(resp.Question[0].Name, m.Question[0].Name) {
		return nil, fmt.Errorf("answer for %q, asked %q", resp.Question[0].Name, m.Question[0].Name)
	}
	return resp, nil
}

func describeNetErr(err error, timeout time.Duration) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out after %s", timeout)
	}
	return err
}

// systemServers reads the name servers of a resolv.conf file as host:port.
func systemServers(path string) ([]string, error) {
	cc, err := mdns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var out []string
	for _, s := range cc.Servers {
		out = append(out, net.JoinHostPort(s, cc.Port))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no nameserver", path)
	}
	return out, nil
}
