// Package dns is the DNS provider: the marketing and email tools a domain reveals in its own public DNS (SPF
// includes, verification tokens, DMARC report destinations, DKIM selectors, marketing CNAMEs, MX and NS), read
// live from a resolver or offline from zone files. It needs no credentials. The signal extraction itself is in
// providers/internal/dnssignal, shared with the AWS provider's Route 53 records.
package dns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
)

// Type is the provider type in the configuration.
const Type = "dns"

func init() {
	scanner.Register(scanner.Registration[*Config]{
		Type: Type,
		Description: "Public DNS of the organisation's domains (SPF, TXT verification tokens, DMARC, DKIM, " +
			"marketing CNAMEs, MX, NS), live or from zone files; no credentials",
		NewConfig: NewConfig,
		Shards:    true, // domains (zones) by name
		New: func(c *Config, d scanner.Deps) (scanner.Provider, error) {
			return New(c, d)
		},
		Shape: shape,
		Permissions: []scanner.Permission{{
			Name: "none: DNS queries (UDP and TCP port 53) to the configured or system resolver",
			Why:  "SPF, TXT, DMARC, DKIM, CNAME, MX and NS records are public; zone_files mode makes no queries at all",
		}},
	})
}

// Provider reads one set of domains.
type Provider struct {
	cfg        *Config
	domains    []string // ASCII, lower-case
	subdomains []string // ASCII labels or full names
	selectors  []string
	deps       scanner.Deps
	log        zerolog.Logger
	resolvConf string
}

// New builds a provider from a validated config. Empty domains fall back to the organisation's domains.
func New(cfg *Config, d scanner.Deps) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg, deps: d, log: d.Logger, resolvConf: "/etc/resolv.conf"}
	domains := cfg.Domains
	if len(domains) == 0 && len(cfg.ZoneFiles) == 0 {
		domains = d.Org.Domains
		if len(domains) == 0 {
			return nil, errors.New("domains: must not be empty (and organization.domains is empty too)")
		}
	}
	seen := map[string]bool{}
	for i, dom := range domains {
		a, err := toASCII(dom)
		if err != nil {
			return nil, fmt.Errorf("domains[%d]: %v", i, err)
		}
		if !seen[a] {
			seen[a] = true
			p.domains = append(p.domains, a)
		}
	}
	for _, s := range cfg.Subdomains {
		a, _ := toASCII(s) // validated
		p.subdomains = append(p.subdomains, a)
	}
	p.selectors = DefaultDKIMSelectors
	if len(cfg.DKIMSelectors) > 0 {
		p.selectors = nil
		for _, s := range cfg.DKIMSelectors {
			a, _ := toASCII(s)
			p.selectors = append(p.selectors, a)
		}
	}
	return p, nil
}

// emitter serialises emit calls from concurrent lookups, drops duplicate IDs and remembers the first emit error.
type emitter struct {
	mu     sync.Mutex
	emit   func(scanner.Record) error
	cancel context.CancelFunc
	seen   map[string]bool
	err    error
	n      int
	closed bool
}

func (e *emitter) send(recs ...scanner.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range recs {
		if e.err != nil {
			return e.err
		}
		if e.closed {
			return scanner.ErrStop
		}
		if e.seen[r.ID] {
			continue
		}
		e.seen[r.ID] = true
		if err := e.emit(r); err != nil {
			e.err = err
			e.cancel()
			return err
		}
		e.n++
	}
	return nil
}

func (e *emitter) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
}

// Collect reads every configured domain (or zone file) and emits one record per signal.
func (p *Provider) Collect(ctx context.Context, emit func(scanner.Record) error) error {
	start := time.Now()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	em := &emitter{emit: emit, cancel: cancel, seen: map[string]bool{}}
	defer em.close()
	var err error
	mode := "live"
	if len(p.cfg.ZoneFiles) > 0 {
		mode = "zone_files"
		p.log.Debug().Str("mode", mode).Int("zone_files", len(p.cfg.ZoneFiles)).Msg("dns collection started")
		err = p.collectZones(cctx, em)
	} else {
		p.log.Debug().Str("mode", mode).Strs("domains", p.domains).Msg("dns collection started")
		err = p.collectLive(cctx, em)
	}
	em.close()
	em.mu.Lock()
	emitErr, n := em.err, em.n
	em.mu.Unlock()
	if emitErr != nil {
		return emitErr
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		p.log.Error().Err(err).Int("records", n).Msg("dns collection failed")
		return err
	}
	p.log.Debug().Str("mode", mode).Int("records", n).Int64("took_ms", time.Since(start).Milliseconds()).Msg("dns collection finished")
	return nil
}

// failed reports a name that could not be read: coverage becomes partial, the scan goes on.
func (p *Provider) failed(ctx context.Context) func(api, target string, err error) {
	return func(api, target string, err error) {
		if ctx.Err() != nil || err == nil {
			return
		}
		p.log.Warn().Str("api", api).Str("name", target).Err(err).Msg("dns lookup failed")
		p.deps.Diagnostics.Error(api, target, err)
	}
}

// ---- live DNS ----

func (p *Provider) collectLive(ctx context.Context, em *emitter) error {
	servers, err := dnslive.Servers(p.cfg.Resolver, p.resolvConf)
	if err != nil {
		return fmt.Errorf("resolver: %v", err)
	}
	src := dnslive.NewClient(servers, p.cfg.TimeoutPerQuery, p.cfg.Retries, p.cfg.Concurrency, p.log)
	for _, d := range p.domains {
		if ctx.Err() != nil {
			break
		}
		if !p.deps.Shard.Owns("dns-domain:" + d) {
			continue // another shard queries it
		}
		p.collectDomain(ctx, src, d, em)
	}
	st := src.Stats()
	q, ok, failed := st.Queries, st.Answered, st.Failed
	p.log.Debug().Int64("queries", q).Int64("answered", ok).Int64("failed", failed).Int64("tcp_fallbacks", st.TCPFallbacks).
		Strs("servers", servers).Msg("dns queries done")
	if ctx.Err() == nil && q > 0 && ok == 0 {
		return fmt.Errorf("no DNS server answered (%s): %d queries failed", strings.Join(servers, ", "), failed)
	}
	return nil
}

// wildcardProbe is a label no one publishes: a CNAME there means the domain has a wildcard CNAME.
const wildcardProbe = "shadowscan-wildcard-probe-7e1d0c"

func (p *Provider) collectDomain(ctx context.Context, src dnslive.Source, d string, em *emitter) {
	failed := p.failed(ctx)
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	run(func() { p.txtAt(ctx, src, d, d, em) })
	run(func() { p.plain(ctx, src, d, "_dmarc."+d, mdns.TypeTXT, em) })
	run(func() { p.plain(ctx, src, d, d, mdns.TypeMX, em) })
	run(func() { p.plain(ctx, src, d, d, mdns.TypeNS, em) })
	for _, sel := range p.selectors {
		run(func() { p.dkim(ctx, src, d, sel, em) })
	}
	configured := map[string]bool{}
	for _, s := range p.subdomains {
		name := s
		if !dnssignal.InZone(s, d) {
			name = s + "." + d
		} else if s == d {
			continue
		}
		if configured[name] {
			continue
		}
		configured[name] = true
		run(func() { p.subdomain(ctx, src, d, name, "", em) })
		run(func() { p.txtAt(ctx, src, d, name, em) })
	}
	if p.cfg.CommonSubdomains {
		run(func() {
			wild := ""
			res, err := dnslive.Follow(ctx, src, wildcardProbe+"."+d, mdns.TypeA, p.cfg.MaxCNAMEDepth)
			if err == nil && len(res.Hops) > 0 {
				wild = res.Final("")
				p.deps.Diagnostics.Skip(fmt.Sprintf("*.%s is a wildcard CNAME to %s: common subdomains that only reach it are not reported", d, wild))
			} else if err != nil {
				failed("dns A", wildcardProbe+"."+d, err)
			}
			var inner sync.WaitGroup
			for _, label := range CommonSubdomains {
				name := label + "." + d
				if configured[name] {
					continue
				}
				inner.Add(1)
				go func() { defer inner.Done(); p.subdomain(ctx, src, d, name, wild, em) }()
			}
			inner.Wait()
		})
	}
	wg.Wait()
}

// txtAt reads the TXT records at name (tokens, SPF with its include tree, DKIM keys).
func (p *Provider) txtAt(ctx context.Context, src dnslive.Source, zone, name string, em *emitter) {
	res, err := dnslive.Follow(ctx, src, name, mdns.TypeTXT, p.cfg.MaxCNAMEDepth)
	if err != nil {
		p.failed(ctx)("dns TXT", name, err)
		return
	}
	if len(res.RRs) == 0 {
		return
	}
	rs := dnslive.RRSet(name, mdns.TypeTXT, res.RRs)
	recs := p.annotate(dnssignal.Records(zone, rs), zone)
	failed := p.failed(ctx)
	recs = dnssignal.WalkSPF(ctx, zone, rs, recs, dnslive.TXTLookup(src, p.cfg.MaxCNAMEDepth),
		func(host string, err error) { failed("dns TXT", host, err) })
	_ = em.send(recs...)
}

// plain reads one record set that needs no following (DMARC TXT, MX, NS).
func (p *Provider) plain(ctx context.Context, src dnslive.Source, zone, name string, qtype uint16, em *emitter) {
	res, err := dnslive.Follow(ctx, src, name, qtype, p.cfg.MaxCNAMEDepth)
	if err != nil {
		p.failed(ctx)("dns "+mdns.TypeToString[qtype], name, err)
		return
	}
	if len(res.RRs) > 0 {
		_ = em.send(p.annotate(dnssignal.Records(zone, dnslive.RRSet(name, qtype, res.RRs)), zone)...)
	}
}

// dkim probes one selector: a CNAME (to the sending vendor) and/or the key record.
func (p *Provider) dkim(ctx context.Context, src dnslive.Source, zone, sel string, em *emitter) {
	name := sel + "._domainkey." + zone
	res, err := dnslive.Follow(ctx, src, name, mdns.TypeTXT, p.cfg.MaxCNAMEDepth)
	if err != nil && len(res.Hops) == 0 {
		p.failed(ctx)("dns TXT", name, err)
		return
	}
	if len(res.Hops) == 0 {
		if len(res.RRs) > 0 {
			_ = em.send(p.annotate(dnssignal.Records(zone, dnslive.RRSet(name, mdns.TypeTXT, res.RRs)), zone)...)
		}
		return
	}
	rec, ok := dnssignal.CNAMERecord(zone, name, res.Hops, 0)
	if !ok { // in-zone target: the key record itself is what there is to read
		if err == nil && len(res.RRs) > 0 {
			rs := dnslive.RRSet(name, mdns.TypeTXT, res.RRs)
			_ = em.send(p.annotate(dnssignal.Records(zone, rs), zone)...)
		}
		return
	}
	if err != nil {
		p.failed(ctx)("dns TXT", res.Final(name), err)
	} else {
		present := false
		for _, v := range dnslive.RRSet(name, mdns.TypeTXT, res.RRs).Values {
			present = present || dnssignal.DKIMKeyPresent(v)
		}
		rec.Attributes[dnssignal.AttrDKIMKeyPresent] = present
		rec.Attributes[dnssignal.AttrResolves] = len(res.RRs) > 0
		rec.Attributes[dnssignal.AttrDangling] = res.Rcode == mdns.RcodeNameError
	}
	_ = em.send(p.annotate([]scanner.Record{rec}, zone)...)
}

// subdomain follows the CNAME chain at name and records where it ends, whether that resolves, and whether it is
// dangling. wildcard, when set, is the target of the domain's wildcard CNAME: chains that only reach it are dropped.
func (p *Provider) subdomain(ctx context.Context, src dnslive.Source, zone, name, wildcard string, em *emitter) {
	res, err := dnslive.Follow(ctx, src, name, mdns.TypeA, p.cfg.MaxCNAMEDepth)
	if err != nil && len(res.Hops) == 0 {
		p.failed(ctx)("dns A", name, err)
		return
	}
	if len(res.Hops) == 0 {
		return // no CNAME: nothing points elsewhere
	}
	final := res.Final(name)
	if wildcard != "" && final == wildcard {
		return
	}
	rec, ok := dnssignal.CNAMERecord(zone, name, res.Hops, 0)
	if !ok {
		return
	}
	if err != nil {
		p.failed(ctx)("dns A", final, err)
	} else {
		reach, err6 := dnslive.Settle(ctx, src, res, name, p.cfg.MaxCNAMEDepth)
		if err6 != nil {
			p.failed(ctx)("dns AAAA", final, err6)
		}
		reach.Mark(&rec)
	}
	_ = em.send(p.annotate([]scanner.Record{rec}, zone)...)
}

// annotate adds the Unicode form of an internationalised zone.
func (p *Provider) annotate(recs []scanner.Record, zone string) []scanner.Record {
	u := toUnicode(zone)
	if u == "" {
		return recs
	}
	for i := range recs {
		recs[i].Attributes["zone_unicode"] = u
	}
	return recs
}

// ---- zone files ----

func (p *Provider) collectZones(ctx context.Context, em *emitter) error {
	z := newZoneData()
	read := 0
	for _, path := range p.cfg.ZoneFiles {
		if err := p.readZoneFile(z, path); err != nil {
			p.log.Warn().Str("file", path).Err(err).Msg("zone file")
			p.deps.Diagnostics.Error("zone_file", path, err)
			continue
		}
		read++
	}
	if len(z.order) == 0 {
		if read == 0 {
			return fmt.Errorf("zone_files: none could be read (%d files)", len(p.cfg.ZoneFiles))
		}
		return nil
	}
	for _, d := range p.domains {
		if z.apexOf(d) == "" {
			p.deps.Diagnostics.Skip(fmt.Sprintf("domain %s is in no zone file; zone-file mode makes no queries", d))
		}
	}
	p.deps.Diagnostics.Skip("zone-file mode: SPF includes and CNAME targets outside the zone files are not looked up (no resolves/dangling)")
	sets := z.rrsets()
	for _, apex := range z.apexes {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !p.deps.Shard.Owns("dns-domain:" + apex) {
			continue // another shard emits this zone
		}
		if err := em.send(p.annotate(dnssignal.ZoneRecords(apex, sets), apex)...); err != nil {
			return err
		}
	}
	return nil
}

func (p *Provider) readZoneFile(z *zoneData, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	origin := zoneOrigin(path)
	if origin == "" && len(p.domains) == 1 {
		origin = p.domains[0]
	}
	return z.parseZone(f, origin, path)
}
