package dnslive

import (
	"context"
	"errors"
	"fmt"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
)

// Chain is where following a name's CNAME chain ended.
type Chain struct {
	Hops  []string  // CNAME hops after the name; the last is the final name
	Rcode int       // response code for the final name
	RRs   []mdns.RR // records of the asked type at the final name
}

// Final is the last name of the chain (name itself when there is no CNAME).
func (c Chain) Final(name string) string {
	if len(c.Hops) == 0 {
		return name
	}
	return c.Hops[len(c.Hops)-1]
}

// Errors of Follow.
var (
	ErrCNAMELoop    = errors.New("CNAME loop")
	ErrCNAMETooLong = errors.New("CNAME chain too long")
)

// Follow asks for qtype at name and follows CNAMEs, both those a recursive server puts in one answer and those an
// authoritative server leaves at its zone's edge (by asking again), up to maxDepth hops. On an error the chain read
// so far is returned with it.
func Follow(ctx context.Context, src Source, name string, qtype uint16, maxDepth int) (Chain, error) {
	cur := dnssignal.Norm(name)
	seen := map[string]bool{cur: true}
	var hops []string
	for {
		ans, err := src.Query(ctx, cur, qtype)
		if err != nil {
			return Chain{Hops: hops}, err
		}
		cnames := map[string]string{}
		data := map[string][]mdns.RR{}
		for _, rr := range ans.RRs {
			h := rr.Header()
			owner := dnssignal.Norm(h.Name)
			if c, ok := rr.(*mdns.CNAME); ok && qtype != mdns.TypeCNAME {
				if _, dup := cnames[owner]; !dup {
					cnames[owner] = dnssignal.Norm(c.Target)
				}
				continue
			}
			if h.Rrtype == qtype {
				data[owner] = append(data[owner], rr)
			}
		}
		x := cur
		for {
			if d := data[x]; len(d) > 0 {
				return Chain{Hops: hops, Rcode: mdns.RcodeSuccess, RRs: d}, nil
			}
			nx, ok := cnames[x]
			if !ok {
				break
			}
			if seen[nx] {
				return Chain{Hops: hops}, fmt.Errorf("%w at %s → %s", ErrCNAMELoop, x, nx)
			}
			seen[nx] = true
			hops = append(hops, nx)
			if len(hops) > maxDepth {
				return Chain{Hops: hops}, fmt.Errorf("%w: more than %d hops from %s", ErrCNAMETooLong, maxDepth, name)
			}
			x = nx
		}
		if x == cur || ans.Rcode == mdns.RcodeNameError {
			return Chain{Hops: hops, Rcode: ans.Rcode}, nil
		}
		cur = x // an authoritative server stops at its zone's edge: ask for the new end of the chain
	}
}

// RRSet turns the records of one name into a dnssignal.RRSet (TXT strings joined per record).
func RRSet(name string, qtype uint16, rrs []mdns.RR) dnssignal.RRSet {
	out := dnssignal.RRSet{Name: dnssignal.Norm(name), Type: mdns.TypeToString[qtype]}
	for i, rr := range rrs {
		if ttl := rr.Header().Ttl; i == 0 || ttl < out.TTL {
			out.TTL = ttl
		}
		switch v := rr.(type) {
		case *mdns.TXT:
			out.Values = append(out.Values, strings.Join(v.Txt, ""))
		case *mdns.SPF:
			out.Values = append(out.Values, strings.Join(v.Txt, ""))
		case *mdns.CNAME:
			out.Values = append(out.Values, v.Target)
		case *mdns.MX:
			out.Values = append(out.Values, fmt.Sprintf("%d %s", v.Preference, v.Mx))
		case *mdns.NS:
			out.Values = append(out.Values, v.Ns)
		}
	}
	return out
}

// TXTLookup adapts a source to dnssignal.TXTLookup for the SPF walk, following CNAMEs.
func TXTLookup(src Source, maxCNAME int) dnssignal.TXTLookup {
	return func(ctx context.Context, host string) ([]string, bool, error) {
		res, err := Follow(ctx, src, host, mdns.TypeTXT, maxCNAME)
		if err != nil {
			return nil, false, err
		}
		if res.Rcode == mdns.RcodeNameError {
			return nil, false, nil
		}
		return RRSet(host, mdns.TypeTXT, res.RRs).Values, true, nil
	}
}

// Reach is whether the end of a CNAME chain exists.
type Reach struct {
	Dangling bool // the final target is NXDOMAIN: whoever claims it serves the name (subdomain takeover risk)
	Resolves bool // it has an A or AAAA record
}

// Settle decides the Reach of a chain that Follow read for an A question at name: NXDOMAIN is dangling; else it
// resolves when the end has an A record or, asked next, an AAAA record. The error is that of the AAAA question;
// the Reach then says only what the A answer showed.
func Settle(ctx context.Context, src Source, ch Chain, name string, maxDepth int) (Reach, error) {
	if ch.Rcode == mdns.RcodeNameError {
		return Reach{Dangling: true}, nil
	}
	if len(ch.RRs) > 0 {
		return Reach{Resolves: true}, nil
	}
	six, err := Follow(ctx, src, ch.Final(name), mdns.TypeAAAA, maxDepth)
	return Reach{Resolves: len(six.RRs) > 0}, err
}

// Mark records a reach on a CNAME record (dnssignal.CNAMERecord): the resolves and dangling attributes that the
// dangling-CNAME rule reads, and a word in the summary when it dangles.
func (r Reach) Mark(rec *scanner.Record) {
	if rec.Attributes == nil {
		rec.Attributes = map[string]any{}
	}
	rec.Attributes[dnssignal.AttrResolves] = r.Resolves
	rec.Attributes[dnssignal.AttrDangling] = r.Dangling
	if r.Dangling {
		rec.Summary += " (dangling: target does not exist)"
	}
}
