package dns

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/shadowscan/shadowscan/providers/internal/dnssignal"
	"github.com/shadowscan/shadowscan/scanner"
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

// Attributes the SPF walk adds to every spf_include record of a root, and to its "spf" problem record.
const (
	attrSPFLookupsTotal = "spf_lookups_total"    // int64: DNS-querying terms over the whole include tree
	attrSPFTooMany      = "spf_too_many_lookups" // bool: over RFC 7208's limit of 10
	attrSPFLoop         = "spf_loop"             // bool: an include loop was found
	attrSPFProblems     = "spf_problems"         // []string: every problem found in the tree
	attrSPFNotFollowed  = "spf_not_followed"     // []string: hosts not followed (zone-file mode: outside the zones)
)

// maxSPFFetches bounds the SPF records read for one root, whatever the tree looks like.
const maxSPFFetches = 40

// spfWalker follows one root SPF record's include: and redirect= hosts recursively.
type spfWalker struct {
	src      source
	zone     string
	root     string
	maxDepth int
	// failed reports a lookup that could not be made (it makes coverage partial).
	failed func(api, target string, err error)

	lookups     int
	problems    []string
	loop        bool
	fetched     int
	subtree     map[string]int // lookups under a host already walked, counted again when it is met again
	recs        []scanner.Record
	notFollowed []string
}

func newSPFWalker(src source, zone, root string, maxDepth int, failed func(api, target string, err error)) *spfWalker {
	return &spfWalker{src: src, zone: zone, root: dnssignal.Norm(root), maxDepth: maxDepth, failed: failed,
		subtree: map[string]int{}}
}

// walk reads one SPF record found at path[len(path)-1] and follows its hosts.
func (w *spfWalker) walk(ctx context.Context, spf string, path []string) {
	p, _ := dnssignal.ParseSPF(spf)
	w.lookups += p.Lookups()
	where := path[len(path)-1]
	for _, e := range p.Errors {
		w.problems = append(w.problems, where+": "+e)
	}
	for _, t := range p.Terms {
		if ctx.Err() != nil {
			return
		}
		mech := ""
		switch {
		case !t.Modifier && t.Name == "include":
			mech = "include"
		case t.Modifier && t.Name == "redirect":
			mech = "redirect"
		default:
			continue
		}
		if dnssignal.HasMacro(t.Value) {
			continue
		}
		host := dnssignal.Norm(t.Value)
		w.recs = append(w.recs, dnssignal.SPFIncludeRecord(w.zone, w.root, path, mech, host))
		if i := indexOf(path, host); i >= 0 {
			w.loop = true
			w.problems = append(w.problems, "include loop: "+strings.Join(append(append([]string(nil), path[i:]...), host), " → "))
			continue
		}
		if n, done := w.subtree[host]; done {
			w.lookups += n
			continue
		}
		if len(path) > w.maxDepth {
			w.problems = append(w.problems, fmt.Sprintf("includes nested deeper than %d at %s", w.maxDepth, host))
			continue
		}
		if w.fetched >= maxSPFFetches {
			w.problems = append(w.problems, fmt.Sprintf("stopped following after %d SPF records (at %s)", maxSPFFetches, host))
			continue
		}
		w.fetched++
		before := w.lookups
		w.follow(ctx, host, mech, append(append([]string(nil), path...), host))
		w.subtree[host] = w.lookups - before
	}
}

func (w *spfWalker) follow(ctx context.Context, host, mech string, path []string) {
	res, err := follow(ctx, w.src, host, mdns.TypeTXT, 8)
	switch {
	case errors.Is(err, errOffline):
		w.notFollowed = append(w.notFollowed, host)
		return
	case err != nil:
		if ctx.Err() == nil {
			w.failed("dns TXT", host, err)
			w.problems = append(w.problems, fmt.Sprintf("%s:%s could not be read: %v", mech, host, err))
		}
		return
	}
	var spfs []string
	for _, v := range rrset(host, mdns.TypeTXT, res.rrs).Values {
		if dnssignal.IsSPF(v) {
			spfs = append(spfs, v)
		}
	}
	sort.Strings(spfs)
	switch {
	case res.rcode == mdns.RcodeNameError:
		w.problems = append(w.problems, fmt.Sprintf("%s:%s does not exist (NXDOMAIN)", mech, host))
		return
	case len(spfs) == 0:
		w.problems = append(w.problems, fmt.Sprintf("%s:%s has no SPF record", mech, host))
		return
	case len(spfs) > 1:
		w.problems = append(w.problems, fmt.Sprintf("%s has %d SPF records", host, len(spfs)))
	}
	w.walk(ctx, spfs[0], path)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// walkSPF follows the SPF record(s) in rs (the TXT set at root) and returns recs (the records dnssignal.Records
// made of rs) merged with the deeper include records, every SPF record carrying the totals of the tree.
func walkSPF(ctx context.Context, src source, zone string, rs dnssignal.RRSet, recs []scanner.Record, maxDepth int,
	failed func(api, target string, err error)) []scanner.Record {
	var spfs []string
	for _, v := range rs.Values {
		if dnssignal.IsSPF(v) {
			spfs = append(spfs, v)
		}
	}
	if len(spfs) == 0 {
		return recs
	}
	sort.Strings(spfs)
	w := newSPFWalker(src, zone, rs.Name, maxDepth, failed)
	w.walk(ctx, spfs[0], []string{w.root})

	tooMany := w.lookups > dnssignal.MaxSPFLookups
	problems := w.problems
	if tooMany {
		problems = append(problems, fmt.Sprintf("%d DNS-querying terms, over RFC 7208's limit of %d", w.lookups, dnssignal.MaxSPFLookups))
	}
	if len(spfs) > 1 {
		problems = append([]string{fmt.Sprintf("%d SPF records at %s", len(spfs), w.root)}, problems...)
	}

	out := append([]scanner.Record(nil), recs...)
	seen := map[string]int{}
	for i, r := range out {
		seen[r.ID] = i
	}
	for _, r := range w.recs {
		if _, dup := seen[r.ID]; !dup {
			seen[r.ID] = len(out)
			out = append(out, r)
		}
	}
	problemID := dnssignal.ID(w.root, "TXT", dnssignal.SignalSPF)
	if _, ok := seen[problemID]; !ok && len(problems) > 0 {
		out = append(out, scanner.Record{Kind: scanner.KindDNSRecord, ID: problemID,
			Attributes: map[string]any{dnssignal.AttrName: w.root, dnssignal.AttrType: "TXT",
				dnssignal.AttrSignal: dnssignal.SignalSPF, dnssignal.AttrValue: spfs[0], dnssignal.AttrZone: zone}})
	}
	for i := range out {
		r := &out[i]
		sig, _ := r.Attributes[dnssignal.AttrSignal].(string)
		if r.Attributes[dnssignal.AttrName] != w.root || (sig != dnssignal.SignalSPFInclude && sig != dnssignal.SignalSPF) {
			continue
		}
		r.Attributes[attrSPFLookupsTotal] = int64(w.lookups)
		r.Attributes[attrSPFTooMany] = tooMany
		r.Attributes[attrSPFLoop] = w.loop
		if len(problems) > 0 {
			r.Attributes[attrSPFProblems] = problems
		}
		if len(w.notFollowed) > 0 {
			r.Attributes[attrSPFNotFollowed] = w.notFollowed
		}
		if r.ID == problemID {
			r.Summary = "SPF record with problems at " + w.root + ": " + truncate(strings.Join(problems, "; "), 240)
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
