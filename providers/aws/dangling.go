package aws

import (
	"context"
	"fmt"
	"sync"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
)

// cnameChecker resolves the targets of Route 53 CNAMEs (see DNSConfig) with the same code the dns provider uses
// for the names it probes (dnslive.Follow, Settle, Mark), so a dangling CNAME is the same record and the same
// finding whichever provider saw it. One checker serves every account of a run.
type cnameChecker struct {
	src   *dnslive.Client
	depth int
	conc  int
}

// newCNAMEChecker returns nil when the check is off.
func (p *provider) newCNAMEChecker() (*cnameChecker, error) {
	if !p.cfg.checksTargets() {
		return nil, nil
	}
	d := p.cfg.DNS
	servers, err := dnslive.Servers(d.Resolver, p.resolvConf)
	if err != nil {
		return nil, fmt.Errorf("dns.resolver: %v (set dns.resolver, or dns.dangling_cnames: false)", err)
	}
	log := p.log.With().Str("part", "route53-dns").Logger()
	return &cnameChecker{src: dnslive.NewClient(servers, d.TimeoutPerQuery, d.Retries, d.Concurrency, log),
		depth: d.MaxCNAMEDepth, conc: d.Concurrency}, nil
}

// check resolves the final target of every CNAME record (DKIM selectors included) of a public zone and marks it
// resolves/dangling. Targets whose lookup failed (SERVFAIL, timeouts, loops) are left unmarked, never taken for
// dangling; the error then says how many, for the coverage. Private zones are skipped.
func (c *cnameChecker) check(ctx context.Context, z hostedZone, recs []scanner.Record) error {
	if c == nil || z.Private {
		return nil
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []error
		checked  int
	)
	sem := make(chan struct{}, c.conc)
	for i := range recs {
		rec := &recs[i]
		sig, _ := rec.Attributes[dnssignal.AttrSignal].(string)
		target, _ := rec.Attributes[dnssignal.AttrCNAMETarget].(string)
		if (sig != dnssignal.SignalCNAME && sig != dnssignal.SignalDKIM) || target == "" {
			continue
		}
		checked++
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := c.checkOne(ctx, rec, sig, target); err != nil {
				mu.Lock()
				failures = append(failures, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(failures) > 0 {
		return fmt.Errorf("zone %s: %d of %d CNAME targets could not be checked for dangling (first: %w)",
			z.Name, len(failures), checked, failures[0])
	}
	return nil
}

// checkOne follows one target beyond the zone: an A question for a CNAME (then AAAA, as the dns provider does),
// the key's TXT for a DKIM selector.
func (c *cnameChecker) checkOne(ctx context.Context, rec *scanner.Record, sig, target string) error {
	qtype := uint16(mdns.TypeA)
	if sig == dnssignal.SignalDKIM {
		qtype = mdns.TypeTXT
	}
	ch, err := dnslive.Follow(ctx, c.src, target, qtype, c.depth)
	if err != nil {
		return err
	}
	if len(ch.Hops) > 0 { // the chain goes on outside the zone
		if hops, ok := rec.Attributes[dnssignal.AttrCNAMEChain].([]string); ok {
			rec.Attributes[dnssignal.AttrCNAMEChain] = append(append([]string(nil), hops...), ch.Hops...)
		}
	}
	if sig == dnssignal.SignalDKIM {
		dnslive.Reach{Dangling: ch.Rcode == mdns.RcodeNameError, Resolves: len(ch.RRs) > 0}.Mark(rec)
		return nil
	}
	reach, err := dnslive.Settle(ctx, c.src, ch, target, c.depth)
	reach.Mark(rec)
	return err
}

// stats logs what the checker asked.
func (c *cnameChecker) stats(p *provider) {
	if c == nil {
		return
	}
	st := c.src.Stats()
	p.log.Debug().Int64("queries", st.Queries).Int64("answered", st.Answered).Int64("failed", st.Failed).
		Strs("servers", c.src.Servers()).Msg("Route 53 CNAME targets resolved")
}
