// Package dnslive asks DNS servers (miekg/dns) and follows CNAME chains: the live half of the DNS checks, shared
// by the dns provider and the aws provider's Route 53 zones. dnssignal turns what it reads into records.
package dnslive

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/rs/zerolog"
)

// Answer is what a source says about one name and type: the response code (mdns.RcodeSuccess or
// mdns.RcodeNameError) and the answer section, which may hold a CNAME chain.
type Answer struct {
	Rcode int
	RRs   []mdns.RR
}

// Source answers DNS questions: live DNS (Client) or zone files read offline.
type Source interface {
	Query(ctx context.Context, name string, qtype uint16) (Answer, error)
}

// Client queries DNS servers over UDP, retrying over TCP when an answer is truncated, with a timeout per attempt
// and a few retries (on other servers when there are several) after timeouts, SERVFAIL and REFUSED. It bounds
// the questions in flight.
type Client struct {
	servers []string
	udp     *mdns.Client
	tcp     *mdns.Client
	timeout time.Duration
	retries int
	sem     chan struct{}
	log     zerolog.Logger

	queries  atomic.Int64 // questions asked (not attempts)
	answered atomic.Int64 // questions that got NOERROR or NXDOMAIN
	failed   atomic.Int64 // questions given up on
	tcpUsed  atomic.Int64 // attempts retried over TCP after truncation
	next     atomic.Uint64
}

// Stats counts a client's questions.
type Stats struct {
	Queries, Answered, Failed, TCPFallbacks int64
}

// ednsSize is the EDNS0 UDP payload size advertised (the DNS Flag Day 2020 value).
const ednsSize = 1232

// NewClient returns a client of servers (host:port), each attempt bounded by timeout, retries more attempts
// after a failure, at most concurrency questions in flight.
func NewClient(servers []string, timeout time.Duration, retries, concurrency int, log zerolog.Logger) *Client {
	return &Client{
		servers: servers,
		udp:     &mdns.Client{Net: "udp", Timeout: timeout, UDPSize: ednsSize},
		tcp:     &mdns.Client{Net: "tcp", Timeout: timeout},
		timeout: timeout,
		retries: retries,
		sem:     make(chan struct{}, max(concurrency, 1)),
		log:     log,
	}
}

// Servers returns the servers asked.
func (s *Client) Servers() []string { return s.servers }

// Stats returns the counts so far.
func (s *Client) Stats() Stats {
	return Stats{Queries: s.queries.Load(), Answered: s.answered.Load(), Failed: s.failed.Load(), TCPFallbacks: s.tcpUsed.Load()}
}

// Query implements Source.
func (s *Client) Query(ctx context.Context, name string, qtype uint16) (Answer, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return Answer{}, ctx.Err()
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
			return Answer{}, err
		}
		server := s.servers[(int(start)+attempt)%len(s.servers)]
		m.Id = mdns.Id()
		resp, viaTCP, err := s.exchange(ctx, m, server)
		if err != nil {
			if ctx.Err() != nil {
				return Answer{}, ctx.Err()
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
			return Answer{Rcode: resp.Rcode, RRs: resp.Answer}, nil
		case mdns.RcodeServerFailure, mdns.RcodeRefused:
			lastErr = fmt.Errorf("%s from %s", mdns.RcodeToString[resp.Rcode], server)
			continue
		default:
			lastErr = fmt.Errorf("%s from %s", rcodeName(resp.Rcode), server)
			attempt = s.retries // a malformed question is not worth retrying
		}
	}
	s.failed.Add(1)
	return Answer{}, fmt.Errorf("%s %s: %w (%d attempts)", tname, name, lastErr, s.retries+1)
}

func rcodeName(rc int) string {
	if n, ok := mdns.RcodeToString[rc]; ok {
		return n
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// exchange makes one attempt: UDP, then TCP if the UDP answer came back truncated. The attempt has its own
// timeout and is cut short when ctx is cancelled.
func (s *Client) exchange(ctx context.Context, m *mdns.Msg, server string) (*mdns.Msg, bool, error) {
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

func (s *Client) exchangeOn(ctx context.Context, c *mdns.Client, m *mdns.Msg, server string) (*mdns.Msg, error) {
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

// SystemServers reads the name servers of a resolv.conf file as host:port.
func SystemServers(path string) ([]string, error) {
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

// ServerAddr turns "host", "host:port", "[v6]:port" or a bare IPv6 address into host:port.
func ServerAddr(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty address")
	}
	if host, port, err := net.SplitHostPort(s); err == nil {
		p, perr := strconv.Atoi(port)
		if host == "" || perr != nil || p < 1 || p > 65535 {
			return "", fmt.Errorf("%q is not host:port", s)
		}
		return s, nil
	}
	if strings.ContainsAny(s, "[]/ ") {
		return "", fmt.Errorf("%q is not host or host:port", s)
	}
	return net.JoinHostPort(s, "53"), nil
}

// Servers returns the servers to ask: resolver (host or host:port) when set, else those of resolvConf.
func Servers(resolver, resolvConf string) ([]string, error) {
	if resolver != "" {
		s, err := ServerAddr(resolver)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	return SystemServers(resolvConf)
}
