package dnssignal

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
)

// Attributes WalkSPF adds to every spf_include record of a root, and to its "spf" problem record.
const (
	AttrSPFLookupsTotal = "spf_lookups_total"    // int64: DNS-querying terms over the whole include tree
	AttrSPFTooMany      = "spf_too_many_lookups" // bool: over RFC 7208's limit of 10
	AttrSPFLoop         = "spf_loop"             // bool: an include loop was found
	AttrSPFProblems     = "spf_problems"         // []string: every problem found in the tree
	AttrSPFNotFollowed  = "spf_not_followed"     // []string: hosts the source could not read (outside a zone)
)

// ErrNotAvailable is what a TXTLookup returns for a name its source does not hold (a name outside the zone when
// reading a zone offline). It is not a problem: the host is listed in AttrSPFNotFollowed.
var ErrNotAvailable = errors.New("not available from this source")

// TXTLookup returns the TXT strings (joined per record) at host. exists is false for NXDOMAIN. Errors other than
// ErrNotAvailable mean the host could not be read (timeouts, SERVFAIL).
type TXTLookup func(ctx context.Context, host string) (txt []string, exists bool, err error)

// Bounds of one SPF walk.
const (
	MaxSPFDepth   = 10 // includes nested deeper than this are not followed
	maxSPFFetches = 40 // SPF records read for one root, whatever the tree looks like
)

type spfWalker struct {
	lookup TXTLookup
	failed func(host string, err error)
	zone   string
	root   string

	lookups     int
	problems    []string
	loop        bool
	fetched     int
	subtree     map[string]int // lookups under a host already walked, counted again when it is met again
	recs        []scanner.Record
	notFollowed []string
}

// WalkSPF follows the SPF record in rs (the TXT set at its root name) through its include: and redirect= hosts,
// within RFC 7208's limits and with loop detection, using lookup. It returns recs (what Records made of rs)
// merged with one spf_include record per host met deeper in the tree (with its path from the root), every SPF
// record of the root carrying the totals (AttrSPFLookupsTotal, AttrSPFTooMany, AttrSPFLoop, AttrSPFProblems), and
// an "spf" record without hints when the tree has problems. failed, if not nil, is told about hosts that could not
// be read. It never panics on hostile records and stops early when ctx is done.
func WalkSPF(ctx context.Context, zone string, rs RRSet, recs []scanner.Record, lookup TXTLookup,
	failed func(host string, err error)) []scanner.Record {
	var spfs []string
	for _, v := range rs.Values {
		if IsSPF(v) {
			spfs = append(spfs, v)
		}
	}
	if len(spfs) == 0 {
		return recs
	}
	if failed == nil {
		failed = func(string, error) {}
	}
	sort.Strings(spfs)
	w := &spfWalker{lookup: lookup, failed: failed, zone: Norm(zone), root: Norm(rs.Name), subtree: map[string]int{}}
	w.walk(ctx, spfs[0], []string{w.root})

	tooMany := w.lookups > MaxSPFLookups
	problems := w.problems
	if tooMany {
		problems = append(problems, fmt.Sprintf("%d DNS-querying terms, over RFC 7208's limit of %d", w.lookups, MaxSPFLookups))
	}
	if len(spfs) > 1 {
		problems = append([]string{fmt.Sprintf("%d SPF records at %s", len(spfs), w.root)}, problems...)
	}

	out := append([]scanner.Record(nil), recs...)
	seen := map[string]bool{}
	for _, r := range out {
		seen[r.ID] = true
	}
	for _, r := range w.recs {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	problemID := ID(w.root, "TXT", SignalSPF)
	if !seen[problemID] && len(problems) > 0 {
		a := map[string]any{AttrName: w.root, AttrType: "TXT", AttrSignal: SignalSPF, AttrValue: spfs[0]}
		if w.zone != "" {
			a[AttrZone] = w.zone
		}
		out = append(out, scanner.Record{Kind: scanner.KindDNSRecord, ID: problemID, Attributes: a})
	}
	for i := range out {
		r := &out[i]
		sig, _ := r.Attributes[AttrSignal].(string)
		if r.Attributes[AttrName] != w.root || (sig != SignalSPFInclude && sig != SignalSPF) {
			continue
		}
		r.Attributes[AttrSPFLookupsTotal] = int64(w.lookups)
		r.Attributes[AttrSPFTooMany] = tooMany
		r.Attributes[AttrSPFLoop] = w.loop
		if len(problems) > 0 {
			r.Attributes[AttrSPFProblems] = append([]string(nil), problems...)
		}
		if len(w.notFollowed) > 0 {
			r.Attributes[AttrSPFNotFollowed] = append([]string(nil), w.notFollowed...)
		}
		if r.ID == problemID {
			r.Summary = "SPF record with problems at " + w.root + ": " + clip(strings.Join(problems, "; "), 240)
		}
	}
	return out
}

// walk reads one SPF record found at path[len(path)-1] and follows its hosts.
func (w *spfWalker) walk(ctx context.Context, spf string, path []string) {
	p, _ := ParseSPF(spf)
	w.lookups += p.Lookups()
	where := path[len(path)-1]
	if len(path) > 1 { // the root's own syntax errors are in AttrSPFErrors already, but the tree's list has all
		for _, e := range p.Errors {
			w.problems = append(w.problems, where+": "+e)
		}
	} else {
		for _, e := range p.Errors {
			w.problems = append(w.problems, e)
		}
	}
	for _, t := range p.Terms {
		if ctx.Err() != nil {
			return
		}
		mech, ok := t.Delegation()
		if !ok {
			continue
		}
		host := Norm(t.Value)
		w.recs = append(w.recs, SPFIncludeRecord(w.zone, w.root, path, mech, host))
		if i := indexOf(path, host); i >= 0 {
			w.loop = true
			cycle := append(append([]string(nil), path[i:]...), host)
			w.problems = append(w.problems, "include loop: "+strings.Join(cycle, " → "))
			continue
		}
		if n, done := w.subtree[host]; done {
			w.lookups += n
			continue
		}
		if len(path) > MaxSPFDepth {
			w.problems = append(w.problems, fmt.Sprintf("includes nested deeper than %d at %s", MaxSPFDepth, host))
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
	txt, exists, err := w.lookup(ctx, host)
	switch {
	case errors.Is(err, ErrNotAvailable):
		w.notFollowed = append(w.notFollowed, host)
		return
	case err != nil:
		if ctx.Err() == nil {
			w.failed(host, err)
			w.problems = append(w.problems, fmt.Sprintf("%s:%s could not be read: %v", mech, host, err))
		}
		return
	case !exists:
		w.problems = append(w.problems, fmt.Sprintf("%s:%s does not exist (NXDOMAIN)", mech, host))
		return
	}
	var spfs []string
	for _, v := range txt {
		if IsSPF(v) {
			spfs = append(spfs, v)
		}
	}
	sort.Strings(spfs)
	switch {
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

// maxZoneCNAMEHops bounds the CNAME chains ZoneRecords follows inside the given sets.
const maxZoneCNAMEHops = 16

// ZoneRecords turns a whole zone's record sets (a zone file, a Route 53 hosted zone) into records, offline: SPF
// includes and CNAME chains are followed as far as the given sets go (sets outside the zone are used only for
// that), hosts outside them are listed in AttrSPFNotFollowed, and SPF records that are only reached as includes of
// another SPF record in the zone (_spf.example.com) are not reported as roots of their own. Nothing says whether a
// target resolves: that needs live DNS. Output order follows the order of sets.
func ZoneRecords(zone string, sets []RRSet) []scanner.Record {
	zone = Norm(zone)
	idx := map[string]map[string]*RRSet{}
	for i := range sets {
		s := sets[i]
		s.Name, s.Type = Norm(s.Name), strings.ToUpper(strings.TrimSpace(s.Type))
		if idx[s.Name] == nil {
			idx[s.Name] = map[string]*RRSet{}
		}
		if prev := idx[s.Name][s.Type]; prev != nil {
			prev.Values = append(prev.Values, s.Values...)
			continue
		}
		s.Values = append([]string(nil), s.Values...)
		idx[s.Name][s.Type] = &s
	}
	included := map[string]bool{}
	for name, byType := range idx {
		if txt := byType["TXT"]; txt != nil {
			for _, v := range txt.Values {
				if !IsSPF(v) {
					continue
				}
				p, _ := ParseSPF(v)
				for _, t := range p.Terms {
					if (!t.Modifier && t.Name == "include") || (t.Modifier && t.Name == "redirect") {
						if h := Norm(t.Value); h != name {
							included[h] = true
						}
					}
				}
			}
		}
	}
	lookup := func(_ context.Context, host string) ([]string, bool, error) {
		host = Norm(host)
		if byType := idx[host]; byType != nil {
			if txt := byType["TXT"]; txt != nil {
				return txt.Values, true, nil
			}
			return nil, true, nil
		}
		if InZone(host, zone) {
			for n := range idx {
				if strings.HasSuffix(n, "."+host) {
					return nil, true, nil // empty non-terminal
				}
			}
			return nil, false, nil
		}
		return nil, false, ErrNotAvailable
	}
	var out []scanner.Record
	done := map[string]bool{}
	for _, s := range sets {
		name, typ := Norm(s.Name), strings.ToUpper(strings.TrimSpace(s.Type))
		if !InZone(name, zone) || done[name+" "+typ] {
			continue
		}
		done[name+" "+typ] = true
		rs := *idx[name][typ]
		switch typ {
		case "TXT", "SPF":
			if included[name] && name != zone { // the apex is always a root
				var keep []string
				for _, v := range rs.Values {
					if !IsSPF(v) {
						keep = append(keep, v)
					}
				}
				rs.Values = keep
				out = append(out, Records(zone, rs)...)
				continue
			}
			out = append(out, WalkSPF(context.Background(), zone, rs, Records(zone, rs), lookup, nil)...)
		case "CNAME":
			if len(rs.Values) == 0 {
				continue
			}
			hops := []string{Norm(rs.Values[0])}
			seen := map[string]bool{name: true, hops[0]: true}
			for len(hops) < maxZoneCNAMEHops {
				next := idx[hops[len(hops)-1]]["CNAME"]
				if next == nil || len(next.Values) == 0 || seen[Norm(next.Values[0])] {
					break
				}
				h := Norm(next.Values[0])
				seen[h] = true
				hops = append(hops, h)
			}
			r, ok := CNAMERecord(zone, name, hops, rs.TTL)
			if !ok {
				continue
			}
			if _, isDKIM := DKIMSelector(name); isDKIM {
				if txt := idx[hops[len(hops)-1]]["TXT"]; txt != nil {
					present := false
					for _, v := range txt.Values {
						present = present || DKIMKeyPresent(v)
					}
					r.Attributes[AttrDKIMKeyPresent] = present
				}
			}
			out = append(out, r)
		default:
			out = append(out, Records(zone, rs)...)
		}
	}
	return dedupe(out)
}
