package catalog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/shadowscan/shadowscan/scanner"
	"golang.org/x/net/publicsuffix"
)

// Confidences by kind of evidence. Exact identifiers are certain; DNS patterns a vendor documents are nearly so; a
// domain or a name can be borrowed; a DKIM selector name alone collides across vendors.
const (
	confExactID      = 1.0
	confGoogleProj   = 0.95 // another client ID of a catalogued Google Cloud project
	confHostPattern  = 0.95 // SPF include, CNAME target or DKIM target matching the pattern for that signal
	confTXTPrefix    = 0.95
	confTXTRegexp    = 0.9
	confHostOther    = 0.9 // a host matching a pattern catalogued for another DNS signal of the vendor
	confDomain       = 0.9
	confHostDomain   = 0.8 // a DNS host under a domain the vendor owns, with no pattern for it
	confSelector     = 0.4 // a DKIM selector name without its CNAME target
	confSelectorTmpl = 0.5 // a templated selector such as hs1-{portal}
	confTXTOwner     = 0.9 // a TXT record whose name, not its value, names the vendor
	confTXTLabel     = 0.8 // a TXT token "<label>-domain-verification=" whose label is one vendor's domain name
	confRelayed      = 0.7 // a catalogued DKIM selector whose key another vendor (an email relay) hosts
)

// Resolver maps a record's hints to a catalogue vendor (scanner.Resolver). It is built once by NewResolver and is
// immutable and safe for concurrent use. Vendor pointers in its Resolutions are shared and must not be modified.
type Resolver struct {
	vendors []scanner.Vendor
	names   []string // vendor display names, for reasons

	google     map[string]int32   // client ID without ".apps.googleusercontent.com" → vendor
	googleProj map[string][]int32 // project number → vendors
	entra      map[string]int32
	msApps     map[string]string // Microsoft first-party app ID → display name
	microsoft  int32
	aws        map[string]awsMatch

	spf, cname, dkim hostIndex
	mx, ns           hostIndex
	owners           ownerIndex
	relay            []bool             // by vendor: an email relay that hosts DKIM keys for other senders
	selectors        map[string][]int32 // literal DKIM selector → vendors
	selectorPats     []selectorPat
	relayNaming      []selectorPat // selectors that count only with a key on their vendor's host (only_with_target)
	txt              txtIndex
	domains          domainIndex
	labels           map[string]int32 // first label of a vendor's registrable domain → vendor; -1 when two vendors share it
	byName           *nameIndex

	pool     sync.Pool
	problems []string
}

type awsMatch struct {
	vendor int32
	reason string
}

type selectorPat struct {
	label  labelPat
	raw    string
	vendor int32
}

// Vendor is the entry as a Resolution names it.
func (e *Entry) Vendor() scanner.Vendor {
	return scanner.Vendor{ID: e.ID, Name: e.Name, Category: e.Category, Martech: e.Martech, Subcategories: e.Subcategories}
}

// NewResolver builds the resolver's index from c. Patterns that do not compile are skipped and listed by Problems
// (the catalogue validator reports them too).
func NewResolver(c *Catalog) *Resolver {
	if c == nil {
		c = &Catalog{}
	}
	n := len(c.Entries)
	r := &Resolver{
		google: map[string]int32{}, googleProj: map[string][]int32{}, entra: map[string]int32{},
		msApps: map[string]string{}, microsoft: -1, aws: map[string]awsMatch{},
		selectors: map[string][]int32{}, domains: make(domainIndex, n*2), labels: make(map[string]int32, n*2), byName: newNameIndex(n),
		vendors: make([]scanner.Vendor, 0, n+1), names: make([]string, 0, n+1), relay: make([]bool, 0, n+1),
	}
	r.pool.New = func() any { return &normBuf{vocab: r.byName.vocab, words: r.byName.words} }
	for i := range c.Entries {
		e := &c.Entries[i]
		v := int32(len(r.vendors))
		r.vendors = append(r.vendors, e.Vendor())
		name := e.Name
		if name == "" {
			name = e.ID
		}
		r.names = append(r.names, name)
		r.relay = append(r.relay, len(e.Subcategories) > 0 && relaySubcategories[e.Subcategories[0]])
		if e.ID == "microsoft" {
			r.microsoft = v
		}
		r.addEntry(e, v)
	}
	if len(c.MicrosoftApps) > 0 && r.microsoft < 0 {
		r.microsoft = int32(len(r.vendors))
		r.vendors = append(r.vendors, scanner.Vendor{ID: "microsoft", Name: "Microsoft", Category: "general"})
		r.names = append(r.names, "Microsoft")
		r.relay = append(r.relay, false)
	}
	for id, name := range c.MicrosoftApps {
		r.msApps[guidClean(id)] = name
	}
	r.byName.seal()
	sort.Strings(r.problems)
	return r
}

func (r *Resolver) problem(e *Entry, format string, args ...any) {
	r.problems = append(r.problems, e.ID+": "+fmt.Sprintf(format, args...))
}

func (r *Resolver) addEntry(e *Entry, v int32) {
	s := &e.Signals
	for _, id := range s.GoogleClientIDs {
		k := googleIDClean(id)
		if k == "" {
			continue
		}
		r.setID(r.google, k, v, e, "google client id")
		if p := googleProjectOf(k); p != "" && !hasInt32(r.googleProj[p], v) {
			r.googleProj[p] = append(r.googleProj[p], v)
		}
	}
	for _, id := range s.EntraAppIDs {
		if k := guidClean(id); k != "" {
			r.setID(r.entra, k, v, e, "entra app id")
		}
	}
	for _, a := range s.AWSAccounts {
		k := awsAccountOf(a)
		if k == "" {
			r.problem(e, "aws account %q is not 12 digits", a)
			continue
		}
		if m, ok := r.aws[k]; ok && m.vendor != v {
			r.problem(e, "aws account %s is also listed for %s", k, r.vendors[m.vendor].ID)
			continue
		}
		r.aws[k] = awsMatch{vendor: v, reason: "AWS account " + k}
	}
	r.addHosts(&r.spf, s.SPF, v, e)
	r.addHosts(&r.cname, s.CNAME, v, e)
	r.addHosts(&r.mx, s.MX, v, e)
	r.addHosts(&r.ns, s.NS, v, e)
	for _, o := range s.TXTOwner {
		op, err := compileOwnerPattern(o)
		if err != nil {
			r.problem(e, "%v", err)
			continue
		}
		op.vendor = v
		r.owners.add(op)
	}
	for _, d := range s.DKIM {
		if d.Target != "" {
			r.addHosts(&r.dkim, []string{d.Target}, v, e)
		}
		sel := strings.ToLower(strings.TrimSpace(d.Selector))
		if sel == "" {
			continue
		}
		if err := ValidateSelectorPattern(sel); err != nil {
			r.problem(e, "%v", err)
			continue
		}
		lp, _ := compileLabel(sel)
		if d.OnlyWithTarget {
			r.relayNaming = append(r.relayNaming, selectorPat{label: lp, raw: sel, vendor: v})
			continue
		}
		if lp.segs == nil {
			if !hasInt32(r.selectors[sel], v) {
				r.selectors[sel] = append(r.selectors[sel], v)
			}
		} else {
			r.selectorPats = append(r.selectorPats, selectorPat{label: lp, raw: sel, vendor: v})
		}
	}
	for _, t := range s.TXT {
		if err := r.txt.add(t, v); err != nil {
			r.problem(e, "%v", err)
		}
	}
	for _, d := range e.Domains {
		r.domains.add(d, v)
	}
	r.addLabels(e, v)
	r.byName.add(v, kindName, e.Name)
	for _, a := range e.Aliases {
		r.byName.add(v, kindAlias, a)
	}
	for _, m := range s.Merchants {
		r.byName.add(v, kindMerchant, m)
	}
	for _, o := range s.OAuthNames {
		r.byName.add(v, kindOAuth, o)
	}
}

func (r *Resolver) setID(m map[string]int32, k string, v int32, e *Entry, what string) {
	if old, ok := m[k]; ok && old != v {
		r.problem(e, "%s %s is also listed for %s", what, k, r.vendors[old].ID)
		return
	}
	m[k] = v
}

func (r *Resolver) addHosts(ix *hostIndex, pats []string, v int32, e *Entry) {
	for _, p := range pats {
		hp, err := compileHostPattern(p)
		if err != nil {
			r.problem(e, "%v", err)
			continue
		}
		hp.vendor = v
		ix.add(hp)
	}
}

// Problems lists the catalogue patterns the resolver skipped, as "vendor-id: message".
func (r *Resolver) Problems() []string { return append([]string(nil), r.problems...) }

// Vendor returns the catalogue vendor with the given ID.
func (r *Resolver) Vendor(id string) (*scanner.Vendor, bool) {
	for i := range r.vendors {
		if r.vendors[i].ID == id {
			return &r.vendors[i], true
		}
	}
	return nil, false
}

// ---- resolving ----

type candKind uint8

const (
	kGoogleClient candKind = iota + 1
	kGoogleProject
	kEntra
	kMSApp
	kAWS
	kHostPattern // SPF include, CNAME target, DKIM target against a pattern
	kHostDomain  // a DNS host under a vendor domain
	kTXTPrefix
	kTXTRegexp
	kSelector
	kDomain
	kName
	kTXTOwner    // a TXT record name
	kRelayed     // a DKIM selector of one vendor whose key another (the relay, in other) hosts
	kAmbiguous   // not a match: two vendors tie; kept for the reason of an unresolved record
	kRelayUnknow // not a match: a DKIM key a relay (vendor) hosts for a sender the selector does not name
	kTXTLabel    // a TXT verification token named after a vendor's domain, with no catalogued prefix
	kOwnerLabel  // a TXT record name named after a vendor's domain ("_vendor-challenge-org"), not catalogued
)

// cand is a candidate match; the reason text is built only for the winner.
type cand struct {
	kind   candKind
	vendor int32
	other  int32 // kAmbiguous: the second vendor
	conf   float64
	hint   int
	pat    int32      // kHostPattern: pattern id in ix; kTXTPrefix: trie node; kTXTRegexp: regexp index
	ix     *hostIndex // kHostPattern
	detail string     // kHostDomain/kDomain: the matched domain; kAWS: the reason; kMSApp: app name; kName: the web address a card descriptor names ("" for a name)
	fuzzy  bool
}

// Resolve maps rec's hints to a vendor: every hint is tried, the strongest evidence wins. When nothing matches,
// the Resolution has no vendor; Hint is the record's strongest hint, or for a DNS host the registrable domain it
// belongs to (with a readable Name), so that unresolved records group by it.
func (r *Resolver) Resolve(rec *scanner.Record) scanner.Resolution {
	var best, amb, relay cand
	for i := range rec.Hints {
		if coveredByDKIM(rec, i) {
			continue
		}
		c := r.resolveHint(&rec.Hints[i])
		c.hint = i
		switch {
		case c.kind == 0:
		case c.kind == kAmbiguous:
			if amb.kind == 0 {
				amb = c
			}
		case c.kind == kRelayUnknow:
			if relay.kind == 0 {
				relay = c
			}
		case c.conf > best.conf:
			best = c
		}
		if best.conf >= confExactID {
			break
		}
	}
	if best.kind == 0 {
		return r.unresolved(rec, amb, relay)
	}
	return scanner.Resolution{
		Vendor:     &r.vendors[best.vendor],
		Confidence: best.conf,
		Reason:     r.reason(rec.Hints[best.hint], best),
		Hint:       rec.Hints[best.hint],
	}
}

// coveredByDKIM says whether hint i is a CNAME target that a DKIM selector hint of the same record also carries:
// the DKIM hint weighs selector and target together (a relay hosting another sender's key), so the bare target
// must not outvote it.
func coveredByDKIM(rec *scanner.Record, i int) bool {
	h := &rec.Hints[i]
	if h.Type != scanner.HintCNAMETarget {
		return false
	}
	t := hostClean(h.Value)
	for j := range rec.Hints {
		if d := &rec.Hints[j]; j != i && d.Type == scanner.HintDKIMSelector && d.Target != "" && hostClean(d.Target) == t {
			return true
		}
	}
	return false
}

// unresolved builds the Resolution of a record no hint identified.
func (r *Resolver) unresolved(rec *scanner.Record, amb, relay cand) scanner.Resolution {
	res := scanner.Resolution{}
	if h, ok := strongest(rec); ok {
		res.Hint = h
	}
	switch {
	case relay.kind != 0:
		h := rec.Hints[relay.hint]
		res.Hint = h
		res.Reason = "DKIM key relayed by " + r.names[relay.vendor] + " for an unidentified sender (selector " +
			dkimSelector(h.Value) + " CNAME " + hostClean(h.Target) + ")"
		res.Name = "Unidentified sender (DKIM key relayed by " + r.names[relay.vendor] + ")"
		return res
	case amb.kind != 0:
		res.Reason = r.ambiguousReason(rec.Hints[amb.hint], amb)
	}
	if host := hintHost(res.Hint); host != "" {
		if reg, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
			res.Hint = scanner.Hint{Type: scanner.HintDomain, Value: reg}
			if rec.Kind == scanner.KindDNSRecord {
				res.Name = readableDomainName(reg) // other kinds have better words in their summary
			}
		}
	}
	return res
}

// hintHost is the DNS host a hint names (SPF include, CNAME or DKIM target, domain), or "".
func hintHost(h scanner.Hint) string {
	switch h.Type {
	case scanner.HintSPFInclude:
		return spfHost(h.Value)
	case scanner.HintCNAMETarget:
		return hostClean(h.Value)
	case scanner.HintDKIMSelector:
		return hostClean(h.Target)
	case scanner.HintDomain:
		return hostFromValue(h.Value)
	}
	return ""
}

// readableDomainName turns a registrable domain into a display name: "landing-vendor.example" → "Landing Vendor".
func readableDomainName(reg string) string {
	label := reg
	if i := strings.IndexByte(reg, '.'); i > 0 {
		label = reg[:i]
	}
	var b strings.Builder
	b.Grow(len(label) + len(reg) + 3)
	gap, up := false, true
	for i := 0; i < len(label); i++ {
		c := label[i]
		if c == '-' || c == '_' {
			gap, up = b.Len() > 0, true
			continue
		}
		if gap {
			b.WriteByte(' ')
			gap = false
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	if b.Len() == 0 {
		return reg
	}
	b.WriteString(" (")
	b.WriteString(reg)
	b.WriteByte(')')
	return b.String()
}

// strongest is the record's strongest hint in scanner.HintTypes order.
func strongest(rec *scanner.Record) (scanner.Hint, bool) {
	for _, t := range scanner.HintTypes {
		for _, h := range rec.Hints {
			if h.Type == t && strings.TrimSpace(h.Value) != "" {
				return h, true
			}
		}
	}
	return scanner.Hint{}, false
}

func (r *Resolver) resolveHint(h *scanner.Hint) cand {
	switch h.Type {
	case scanner.HintGoogleClientID:
		k := googleIDClean(h.Value)
		if v, ok := r.google[k]; ok {
			return cand{kind: kGoogleClient, vendor: v, conf: confExactID}
		}
		if p := googleProjectOf(k); p != "" {
			if vs := r.googleProj[p]; len(vs) == 1 {
				return cand{kind: kGoogleProject, vendor: vs[0], conf: confGoogleProj, detail: p}
			}
		}
	case scanner.HintEntraAppID:
		k := guidClean(h.Value)
		if v, ok := r.entra[k]; ok {
			return cand{kind: kEntra, vendor: v, conf: confExactID}
		}
		if name, ok := r.msApps[k]; ok {
			return cand{kind: kMSApp, vendor: r.microsoft, conf: confExactID, detail: name}
		}
	case scanner.HintAWSAccount:
		if m, ok := r.aws[awsAccountOf(h.Value)]; ok {
			return cand{kind: kAWS, vendor: m.vendor, conf: confExactID, detail: m.reason}
		}
	case scanner.HintSPFInclude:
		return r.resolveHost(spfHost(h.Value), &r.spf, &r.cname, &r.dkim, &r.mx, &r.ns)
	case scanner.HintCNAMETarget:
		return r.resolveHost(hostClean(h.Value), &r.cname, &r.dkim, &r.spf, &r.mx, &r.ns)
	case scanner.HintDKIMSelector:
		return r.resolveDKIM(h)
	case scanner.HintTXTToken:
		return r.resolveTXT(txtClean(h.Value), hostClean(h.Target))
	case scanner.HintDomain:
		return r.resolveDomain(hostFromValue(h.Value))
	case scanner.HintName:
		return r.resolveName(h.Value, true)
	case scanner.HintMerchant:
		return r.resolveName(h.Value, false)
	}
	return cand{}
}

// resolveHost matches a DNS host against the patterns of its own signal, then those of the other DNS signals,
// then the vendors' domains.
func (r *Resolver) resolveHost(host string, own *hostIndex, others ...*hostIndex) cand {
	if host == "" {
		return cand{}
	}
	if id, amb := own.lookup(host); id >= 0 && !amb {
		return r.preferOwnDomain(host, cand{kind: kHostPattern, vendor: own.pats[id].vendor, conf: confHostPattern, pat: id, ix: own})
	} else if amb {
		return cand{kind: kAmbiguous, vendor: own.pats[id].vendor, other: -1}
	}
	for _, ix := range others {
		if id, amb := ix.lookup(host); id >= 0 && !amb {
			return r.preferOwnDomain(host, cand{kind: kHostPattern, vendor: ix.pats[id].vendor, conf: confHostOther, pat: id, ix: ix})
		}
	}
	return r.domainCand(host, kHostDomain, confHostDomain)
}

// preferOwnDomain keeps a host-pattern match unless a vendor lists a domain under the pattern's suffix that host is
// in: a project site at owner.github.io belongs to the project that lists it, not to GitHub, whose pattern github.io
// only says that GitHub hosts it.
func (r *Resolver) preferOwnDomain(host string, c cand) cand {
	p := &c.ix.pats[c.pat]
	if strings.Count(host, ".")+1 <= len(p.labels) {
		return c
	}
	if vs, matched := r.domains.lookup(host); len(vs) == 1 && vs[0] != c.vendor && strings.Count(matched, ".")+1 > len(p.labels) {
		return cand{kind: kHostDomain, vendor: vs[0], conf: c.conf, detail: matched}
	}
	return c
}

// domainCand matches host against the vendors' domains.
func (r *Resolver) domainCand(host string, kind candKind, conf float64) cand {
	vs, matched := r.domains.lookup(host)
	switch len(vs) {
	case 0:
		return cand{}
	case 1:
		return cand{kind: kind, vendor: vs[0], conf: conf, detail: matched}
	}
	return cand{kind: kAmbiguous, vendor: vs[0], other: vs[1]}
}

// resolveDomain matches a host named as a domain (an MX or NS host, a URL's host, a `check` query): against every
// DNS host pattern of the catalogue, then the vendors' domains. A scan's CNAME target and `check` of the same host
// therefore name the same vendor.
func (r *Resolver) resolveDomain(host string) cand {
	if host == "" {
		return cand{}
	}
	for _, ix := range []*hostIndex{&r.mx, &r.ns, &r.cname, &r.spf, &r.dkim} {
		if id, amb := ix.lookup(host); id >= 0 && !amb {
			return r.preferOwnDomain(host, cand{kind: kHostPattern, vendor: ix.pats[id].vendor, conf: confHostOther, pat: id, ix: ix})
		}
	}
	return r.domainCand(host, kDomain, confDomain)
}

// spfHost returns the host of an SPF include hint, with or without its mechanism: "include:servers.mcsv.net",
// "+include:…", "redirect=_spf.google.com".
func spfHost(v string) string {
	s := strings.TrimSpace(v)
	for _, p := range []string{"+include:", "~include:", "?include:", "include:", "redirect="} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
			break
		}
	}
	return hostClean(s)
}

// dkimSelector returns the selector of a DKIM hint value: "k2", or "k2" from "k2._domainkey.example.com".
func dkimSelector(v string) string {
	s := lowerASCII(strings.TrimSpace(v))
	if i := strings.Index(s, "._domainkey"); i >= 0 {
		s = s[:i]
	}
	return s
}

// relaySubcategories are the primary subcategories of email relays: services other software sends mail through,
// so that a DKIM key they host may belong to another sender.
var relaySubcategories = map[string]bool{"transactional_email": true, "email_infrastructure": true}

// resolveDKIM weighs a DKIM selector and the host its CNAME points to. The host names who holds the key; the
// selector, when the catalogue knows it, names who sends. When they differ (a vendor's selector, a relay's host)
// the sender is the tool in use and the relay its sub-processor. When only the host is known and it belongs to an
// email relay whose naming the selector does not follow, the sender is unknown: the organisation is not
// necessarily the relay's customer.
func (r *Resolver) resolveDKIM(h *scanner.Hint) cand {
	sel := dkimSelector(h.Value)
	sc := r.resolveSelector(sel)
	t := hostClean(h.Target)
	if t == "" {
		return sc
	}
	tc := r.resolveHost(t, &r.dkim, &r.cname, &r.spf, &r.mx, &r.ns)
	if tc.kind == 0 || tc.kind == kAmbiguous {
		if sc.kind != 0 {
			return sc
		}
		return tc
	}
	specific := sc.kind == kSelector && sc.conf >= confSelectorTmpl || sc.kind == kSelector && len(sel) >= 5
	switch {
	case specific && sc.vendor != tc.vendor:
		return cand{kind: kRelayed, vendor: sc.vendor, other: tc.vendor, conf: confRelayed}
	case sc.kind == kSelector && sc.vendor == tc.vendor:
		return tc
	case r.relay[tc.vendor] && !selectorNamesHost(sel, t) && !r.relayNames(tc.vendor, sel):
		return cand{kind: kRelayUnknow, vendor: tc.vendor, other: -1}
	}
	return tc
}

// selectorNamesHost says whether the first label of the key's host is the selector ("cid" →
// cid.domainkey.u1.wl1.sendgrid.net, a token → token.dkim.amazonses.com): the relay's own naming, set up by its
// customer.
func selectorNamesHost(sel, host string) bool {
	first, _, _ := strings.Cut(host, ".")
	return sel != "" && (first == sel || strings.HasPrefix(first, sel+"-"))
}

// relayNames says whether sel follows the naming relay v documents for its customers' keys (only_with_target).
func (r *Resolver) relayNames(v int32, sel string) bool {
	for i := range r.relayNaming {
		if p := &r.relayNaming[i]; p.vendor == v && matchLabel(&p.label, sel, nil) {
			return true
		}
	}
	return false
}

// resolveSelector matches a DKIM selector name alone.
func (r *Resolver) resolveSelector(sel string) cand {
	if sel == "" {
		return cand{}
	}
	found, conf := int32(-1), 0.0
	for _, v := range r.selectors[sel] {
		if found >= 0 && found != v {
			return cand{kind: kAmbiguous, vendor: found, other: v}
		}
		found, conf = v, confSelector
	}
	for i := range r.selectorPats {
		p := &r.selectorPats[i]
		if !matchLabel(&p.label, sel, nil) {
			continue
		}
		if found >= 0 && found != p.vendor {
			return cand{kind: kAmbiguous, vendor: found, other: p.vendor}
		}
		found = p.vendor
		if literalLen(p.label) >= 3 {
			conf = confSelectorTmpl
		} else if conf == 0 {
			conf = confSelector
		}
	}
	if found < 0 {
		return cand{}
	}
	return cand{kind: kSelector, vendor: found, conf: conf}
}

// resolveTXT matches a TXT token by its value, then by the record's name (owner): "_github-challenge-org" names
// GitHub whatever the value.
func (r *Resolver) resolveTXT(normTok, owner string) cand {
	c := r.resolveTXTValue(normTok)
	if c.kind == kTXTPrefix || c.kind == kTXTRegexp || owner == "" {
		return c
	}
	if id, amb := r.owners.lookup(owner); id >= 0 {
		if amb {
			if c.kind == 0 {
				return cand{kind: kAmbiguous, vendor: r.owners.pats[id].vendor, other: -1}
			}
			return c
		}
		return cand{kind: kTXTOwner, vendor: r.owners.pats[id].vendor, conf: confTXTOwner, pat: id}
	}
	if c.kind == 0 {
		return r.resolveOwnerLabel(owner)
	}
	return c
}

// orgSuffixed returns token without the per-organisation suffix of its prefix: "cursor-domain-verification-b2j0jf=x"
// → "cursor-domain-verification=x", and the length of the part before the suffix; ok is false when the prefix has
// no such suffix (a last hyphenated part of 4 to 64 letters and digits, at least one a digit, or exactly six letters:
// the random six-character IDs vendors issue are all letters about one time in seven, "cursor-...-zvsqws=").
func orgSuffixed(token string) (string, int, bool) {
	eq := strings.IndexAny(token, "=:")
	if eq <= 0 {
		return "", 0, false
	}
	dash := strings.LastIndexByte(token[:eq], '-')
	if dash <= 0 {
		return "", 0, false
	}
	suf := token[dash+1 : eq]
	if len(suf) < 4 || len(suf) > 64 {
		return "", 0, false
	}
	digit := false
	for i := 0; i < len(suf); i++ {
		c := lowerByte(suf[i])
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z':
		default:
			return "", 0, false
		}
	}
	if !digit && len(suf) != 6 {
		return "", 0, false
	}
	return token[:dash] + token[eq:], dash, true
}

func (r *Resolver) resolveTXTValue(normTok string) cand {
	if normTok == "" {
		return cand{}
	}
	n := r.txt.lookupPrefix(normTok)
	if n < 0 {
		if alt, base, ok := orgSuffixed(normTok); ok {
			if m := r.txt.lookupPrefix(alt); m >= 0 && len(r.txt.nodes[m].prefix) > base {
				n = m
			}
		}
	}
	if n >= 0 {
		vs := r.txt.nodes[n].vendors
		if len(vs) > 1 {
			return cand{kind: kAmbiguous, vendor: vs[0], other: vs[1]}
		}
		return cand{kind: kTXTPrefix, vendor: vs[0], conf: confTXTPrefix, pat: n}
	}
	found := int32(-1)
	for i := range r.txt.res {
		x := &r.txt.res[i]
		if !x.re.MatchString(normTok) {
			continue
		}
		if found >= 0 && r.txt.res[found].vendor != x.vendor {
			return cand{kind: kAmbiguous, vendor: r.txt.res[found].vendor, other: x.vendor}
		}
		if found < 0 {
			found = int32(i)
		}
	}
	if found < 0 {
		return r.resolveTXTLabel(normTok)
	}
	return cand{kind: kTXTRegexp, vendor: r.txt.res[found].vendor, conf: confTXTRegexp, pat: found}
}

func (r *Resolver) resolveName(s string, nameMode bool) cand {
	if strings.TrimSpace(s) == "" {
		return cand{}
	}
	nb := r.pool.Get().(*normBuf)
	defer r.pool.Put(nb)
	nb.tokenize(s, nameMode)
	if len(nb.toks) == 0 {
		return cand{}
	}
	r.byName.find(nb)
	if len(nb.hits) == 0 {
		r.byName.findJoined(nb)
	}
	if !nameMode && len(nb.hits) == 0 {
		r.byName.findCut(nb)
	}
	win, other, ok, amb := r.byName.best(nb, nameMode)
	if !ok {
		if !nameMode && !amb {
			return r.webAddressCand(s)
		}
		return cand{}
	}
	p := &r.byName.phrases[win.phrase]
	if amb {
		return cand{kind: kAmbiguous, vendor: p.vendor, other: r.byName.phrases[other].vendor}
	}
	return cand{kind: kName, vendor: p.vendor, conf: win.conf, pat: win.phrase, fuzzy: win.fuzzy}
}

// webAddressCand matches a card descriptor that names a vendor's web address, when no name matched: merchants bill
// under their website's address ("CRISP.CHAT", "SUMO.COM 888-555-0100", "WWW.GRAIN.COM"), and for a brand that is an
// ordinary word the address is what tells it apart. The address must be exactly a domain the catalogue lists for one
// vendor (a subdomain or a shop on a platform's domain is not the platform's charge). A processor's address before a
// '*' ("PADDLE.NET* ACME", "2CO.COM*ACME") is skipped: the merchant comes after it. Two addresses of different
// vendors match nothing.
func (r *Resolver) webAddressCand(s string) cand {
	if strings.IndexByte(s, '.') < 0 {
		return cand{}
	}
	found, vendor := "", int32(-1)
	for i := 0; i < len(s); {
		if !isAddressByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isAddressByte(s[j]) {
			j++
		}
		word := s[i:j]
		k := j
		for k < len(s) && s[k] == ' ' {
			k++
		}
		i = j
		if k < len(s) && s[k] == '*' {
			continue
		}
		host := webAddressHost(word)
		if host == "" {
			continue
		}
		vs, matched := r.domains.lookup(host)
		if len(vs) != 1 || matched != host || !addressNamesVendor(host, r.names[vs[0]]) {
			continue
		}
		if vendor >= 0 && vs[0] != vendor {
			return cand{}
		}
		found, vendor = host, vs[0]
	}
	if vendor < 0 {
		return cand{}
	}
	return cand{kind: kName, vendor: vendor, conf: confWebAddress, pat: -1, detail: found}
}

// addressNamesVendor reports whether a web address spells its vendor's name: the first label holds the name
// ("crisp.chat" Crisp, "getcensus.com" Census) or the whole address is the name ("carrd.co" Carrd.co). A domain a
// vendor merely operates does not count ("ebay.com" is not "eBay Partner Network", "linode.com" not "Akamai").
func addressNamesVendor(host, name string) bool {
	compact := func(s string) string {
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			if c := s[i] | 0x20; c >= 'a' && c <= 'z' || s[i] >= '0' && s[i] <= '9' {
				b = append(b, c)
			}
		}
		return string(b)
	}
	n := compact(name)
	if n == "" {
		return false
	}
	label, _, _ := strings.Cut(host, ".")
	return strings.Contains(compact(label), n) || compact(host) == n
}

func isAddressByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// webAddressHost returns the lower-case host a descriptor word spells ("WWW.CRISP.CHAT" → "crisp.chat"), or "" when
// the word has no dot or its last label is not letters.
func webAddressHost(w string) string {
	w = strings.Trim(w, ".-")
	dot := strings.LastIndexByte(w, '.')
	if dot <= 0 || len(w)-dot-1 < 2 {
		return ""
	}
	for i := dot + 1; i < len(w); i++ {
		if c := w[i] | 0x20; c < 'a' || c > 'z' {
			return ""
		}
	}
	w = strings.ToLower(w)
	return strings.TrimPrefix(w, "www.")
}

// ---- reasons ----

func (r *Resolver) reason(h scanner.Hint, c cand) string {
	v := strings.TrimSpace(h.Value)
	switch c.kind {
	case kGoogleClient:
		return "Google OAuth client " + v
	case kGoogleProject:
		return "Google OAuth client " + v + " (project " + c.detail + " of " + r.names[c.vendor] + ")"
	case kEntra:
		return "Entra app " + v
	case kMSApp:
		return "Microsoft first-party app " + c.detail + " (" + v + ")"
	case kAWS:
		return c.detail
	case kHostPattern:
		return r.hostReason(h, c)
	case kHostDomain:
		return hostLabel(h) + " (domain " + c.detail + " of " + r.names[c.vendor] + ")"
	case kTXTPrefix:
		pre := r.txt.nodes[c.pat].prefix
		if len(txtClean(v)) > len(pre) {
			return "TXT token " + pre + "…"
		}
		return "TXT token " + pre
	case kTXTRegexp:
		return "TXT token " + clipText(txtClean(v), 40) + " (matches " + r.names[c.vendor] + " pattern " + r.txt.res[c.pat].raw + ")"
	case kTXTLabel:
		return "TXT token " + c.detail + "… (named after " + r.names[c.vendor] + "'s domain; not a catalogued prefix)"
	case kOwnerLabel:
		return "TXT record " + clipText(hostClean(h.Target), 80) + " (named after " + r.names[c.vendor] + "'s domain; not a catalogued record name)"
	case kTXTOwner:
		owner := hostClean(h.Target)
		var caps []hostCapture
		r.owners.pats[c.pat].match(owner, &caps)
		s := "TXT record " + clipText(owner, 80)
		if parts := captureWords(caps); parts != "" {
			s += " (" + r.names[c.vendor] + " " + parts + ")"
		}
		return s
	case kRelayed:
		return "DKIM selector " + dkimSelector(v) + " of " + r.names[c.vendor] + ", key hosted by " + r.names[c.other] +
			" (CNAME " + hostClean(h.Target) + ")"
	case kSelector:
		return "DKIM selector " + dkimSelector(v) + " (selector name only)"
	case kDomain:
		host := hostFromValue(v)
		if host == c.detail {
			return "domain " + host
		}
		return "domain " + host + " (" + c.detail + ")"
	case kName:
		what := `app name "`
		if h.Type == scanner.HintMerchant {
			what = `card descriptor "`
		}
		s := what + clipText(v, 60) + `" ~ ` + r.names[c.vendor]
		if c.detail != "" {
			s += " (web address " + c.detail + ")"
		}
		if c.fuzzy {
			s += " (approximate)"
		}
		return s
	}
	return ""
}

func hostLabel(h scanner.Hint) string {
	switch h.Type {
	case scanner.HintSPFInclude:
		return "SPF include " + spfHost(h.Value)
	case scanner.HintDKIMSelector:
		return "DKIM selector " + dkimSelector(h.Value) + " CNAME " + hostClean(h.Target)
	case scanner.HintDomain:
		return "host " + hostFromValue(h.Value)
	}
	return "CNAME target " + hostClean(h.Value)
}

func (r *Resolver) hostReason(h scanner.Hint, c cand) string {
	p := &c.ix.pats[c.pat]
	host := hostClean(h.Value)
	switch h.Type {
	case scanner.HintDKIMSelector:
		host = hostClean(h.Target)
	case scanner.HintSPFInclude:
		host = spfHost(h.Value)
	case scanner.HintDomain:
		host = hostFromValue(h.Value)
	}
	var caps []hostCapture
	p.match(host, &caps)
	s := hostLabel(h)
	if parts := captureWords(caps); parts != "" {
		s += " (" + r.names[c.vendor] + " " + parts + ")"
	}
	return s
}

// captureWords lists captured placeholders left to right ("portal 123, n 4"); one-letter names are left out.
func captureWords(caps []hostCapture) string {
	var parts []string
	for i := len(caps) - 1; i >= 0; i-- { // captured right to left
		if len(caps[i].name) >= 2 {
			parts = append(parts, caps[i].name+" "+caps[i].value)
		}
	}
	return strings.Join(parts, ", ")
}

func (r *Resolver) ambiguousReason(h scanner.Hint, c cand) string {
	s := "ambiguous " + string(h.Type) + " " + strconv.Quote(clipText(strings.TrimSpace(h.Value), 60)) + ": matches " +
		r.names[c.vendor]
	if c.other >= 0 {
		s += " and " + r.names[c.other]
	} else {
		s += " and another vendor"
	}
	return s
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// ---- identifiers ----

const googleSuffix = ".apps.googleusercontent.com"

func googleIDClean(s string) string {
	return strings.TrimSuffix(lowerASCII(strings.TrimSpace(s)), googleSuffix)
}

// googleProjectOf returns the project number a client ID starts with ("123456-abc" → "123456").
func googleProjectOf(id string) string {
	i := strings.IndexByte(id, '-')
	if i <= 0 || !allDigitsStr(id[:i]) {
		return ""
	}
	return id[:i]
}

func guidClean(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	return lowerASCII(s)
}

// awsAccountOf returns the 12-digit account ID in s: a bare ID, or the account field of an ARN.
func awsAccountOf(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		// arn:partition:service:region:account:resource
		for range 3 {
			i := strings.IndexByte(rest, ':')
			if i < 0 {
				return ""
			}
			rest = rest[i+1:]
		}
		s, _, _ = strings.Cut(rest, ":")
	}
	if len(s) != 12 || !allDigitsStr(s) {
		return ""
	}
	return s
}

func hasInt32(list []int32, v int32) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
