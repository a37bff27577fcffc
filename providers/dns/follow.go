package dns

import (
	"context"
	"errors"
	"fmt"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
)

// chainResult is where following a name's CNAME chain ended.
type chainResult struct {
	chain []string  // CNAME hops after the name; the last is the final name
	rcode int       // response code for the final name
	rrs   []mdns.RR // records of the asked type at the final name
}

// final is the last name of the chain (the name itself when there is no CNAME).
func (c chainResult) final(name string) string {
	if len(c.chain) == 0 {
		return name
	}
	return c.chain[len(c.chain)-1]
}

var (
	errCNAMELoop    = errors.New("CNAME loop")
	errCNAMETooLong = errors.New("CNAME chain too long")
)

// follow asks for qtype at name and follows CNAMEs, both those a recursive server puts in one answer and those an
// authoritative server leaves at its zone's edge (by asking again), up to maxDepth hops. On an error the chain read
// so far is returned with it.
func follow(ctx context.Context, src source, name string, qtype uint16, maxDepth int) (chainResult, error) {
	cur := dnssignal.Norm(name)
	seen := map[string]bool{cur: true}
	var chain []string
	for {
		ans, err := src.query(ctx, cur, qtype)
		if err != nil {
			return chainResult{chain: chain}, err
		}
		cnames := map[string]string{}
		data := map[string][]mdns.RR{}
		for _, rr := range ans.rrs {
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
				return chainResult{chain: chain, rcode: mdns.RcodeSuccess, rrs: d}, nil
			}
			nx, ok := cnames[x]
			if !ok {
				break
			}
			if seen[nx] {
				return chainResult{chain: chain}, fmt.Errorf("%w at %s → %s", errCNAMELoop, x, nx)
			}
			seen[nx] = true
			chain = append(chain, nx)
			if len(chain) > maxDepth {
				return chainResult{chain: chain}, fmt.Errorf("%w: more than %d hops from %s", errCNAMETooLong, maxDepth, name)
			}
			x = nx
		}
		if x == cur || ans.rcode == mdns.RcodeNameError {
			return chainResult{chain: chain, rcode: ans.rcode}, nil
		}
		cur = x // an authoritative server stops at its zone's edge: ask for the new end of the chain
	}
}

// rrset turns the records of one name into a dnssignal.RRSet (TXT strings joined per record).
func rrset(name string, qtype uint16, rrs []mdns.RR) dnssignal.RRSet {
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

// txtLookup adapts a source to dnssignal.TXTLookup for the SPF walk, following CNAMEs.
func txtLookup(src source, maxCNAME int) dnssignal.TXTLookup {
	return func(ctx context.Context, host string) ([]string, bool, error) {
		res, err := follow(ctx, src, host, mdns.TypeTXT, maxCNAME)
		if err != nil {
			return nil, false, err
		}
		if res.rcode == mdns.RcodeNameError {
			return nil, false, nil
		}
		return rrset(host, mdns.TypeTXT, res.rrs).Values, true, nil
	}
}
