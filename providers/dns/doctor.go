package dns

import (
	"context"
	"fmt"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/providers/internal/dnslive"
	"github.com/shadowscan/shadowscan/scanner"
)

// CheckPermissions implements scanner.PermissionChecker for doctor. DNS needs no credentials, but it needs a
// resolver that answers: each server over UDP and over TCP (the fallback for truncated answers, which large SPF
// and TXT sets need), then one NS query per configured domain through the scan's own client (timeouts and retries
// as configured). The provider sends no DNSSEC (DO) queries, so there is nothing of DNSSEC to check. Zone-file
// mode checks that the files can be read.
func (p *Provider) CheckPermissions(ctx context.Context) []scanner.PermissionCheck {
	if len(p.cfg.ZoneFiles) > 0 {
		out := scanner.CheckFilesReadable(p.cfg.ZoneFiles...)
		for i := range out {
			if out[i].OK {
				out[i].Detail = "zone_files mode: no query"
			}
		}
		return out
	}
	servers, err := dnslive.Servers(p.cfg.Resolver, p.resolvConf)
	if err != nil {
		return []scanner.PermissionCheck{{Permission: "resolver", Detail: fmt.Sprintf("%v: set resolver: to a DNS server (host or host:port)", err)}}
	}
	probe := "."
	if len(p.domains) > 0 {
		probe = p.domains[0]
	}
	var out []scanner.PermissionCheck
	for _, s := range servers {
		for _, transport := range []string{"udp", "tcp"} {
			out = append(out, p.checkServer(ctx, s, transport, probe))
		}
	}
	src := dnslive.NewClient(servers, p.cfg.TimeoutPerQuery, p.cfg.Retries, 1, p.log)
	for _, d := range p.domains {
		c := scanner.PermissionCheck{Permission: "domain " + d}
		ans, err := src.Query(ctx, d, mdns.TypeNS)
		switch {
		case err != nil:
			c.Detail = fmt.Sprintf("NS %s: %v — this domain's records would be missing (coverage partial)", d, err)
		case ans.Rcode == mdns.RcodeNameError:
			c.Detail = fmt.Sprintf("NS %s: NXDOMAIN — the domain does not exist in DNS: check domains: for a typo", d)
		default:
			c.OK = true
			c.Detail = fmt.Sprintf("NS %s answered with %d record(s)", d, len(ans.RRs))
		}
		out = append(out, c)
	}
	return out
}

// checkServer asks server one question over transport, once, within timeout_per_query.
func (p *Provider) checkServer(ctx context.Context, server, transport, name string) scanner.PermissionCheck {
	c := scanner.PermissionCheck{Permission: strings.ToUpper(transport) + " " + server}
	cl := &mdns.Client{Net: transport, Timeout: p.cfg.TimeoutPerQuery}
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), mdns.TypeSOA)
	m.RecursionDesired = true
	qctx, cancel := context.WithTimeout(ctx, p.cfg.TimeoutPerQuery)
	defer cancel()
	resp, _, err := cl.ExchangeContext(qctx, m, server)
	switch {
	case err != nil && transport == "tcp":
		c.Detail = fmt.Sprintf("SOA %s over TCP: %v — answers too large for UDP (long SPF and TXT sets) would be lost: allow TCP port 53 to the resolver", name, err)
	case err != nil:
		c.Detail = fmt.Sprintf("SOA %s: %v — nothing can be read through this server: check resolver: and that UDP port 53 is open", name, err)
	case resp.Rcode == mdns.RcodeRefused || resp.Rcode == mdns.RcodeServerFailure:
		c.Detail = fmt.Sprintf("SOA %s: %s — the server does not resolve for us: use a recursive resolver that does", name, rcodeText(resp.Rcode))
	default:
		c.OK = true
		c.Detail = fmt.Sprintf("SOA %s answered %s", name, rcodeText(resp.Rcode))
	}
	return c
}

func rcodeText(rc int) string {
	if s, ok := mdns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}
