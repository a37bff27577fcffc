package catalog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/shadowscan/shadowscan/scanner"
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
	selectors        map[string][]int32 // literal DKIM selector → vendors
	selectorPats     []selectorPat
	txt              txtIndex
	domains          domainIndex
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

// NewResolver builds the resolver's index from c. Patterns that do not compile are skipped and listed by Problems
// (the catalogue validator reports them too).
func NewResolver(c *Catalog) *Resolver {
	r := &Resolver{
		google: map[string]int32{}, googleProj: map[string][]int32{}, entra: map[string]int32{},
		msApps: map[string]string{}, microsoft: -1, aws: map[string]awsMatch{},
		selectors: map[string][]int32{}, domains: domainIndex{}, byName: newNameIndex(),
	}
	r.pool.New = func() any { return &normBuf{vocab: r.byName.vocab} }
	if c == nil {
		c = &Catalog{}
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		v := int32(len(r.vendors))
		r.vendors = append(r.vendors, scanner.Vendor{ID: e.ID, Name: e.Name, Category: e.Category, Martech: e.Martech,
			Subcategories: e.Subcategories})
		name := e.Name
		if name == "" {
			name = e.ID
		}
		r.names = append(r.names, name)
		if e.ID == "microsoft" {
			r.microsoft = v
		}
		r.addEntry(e, v)
	}
	if len(c.MicrosoftApps) > 0 && r.microsoft < 0 {
		r.microsoft = int32(len(r.vendors))
		r.vendors = append(r.vendors, scanner.Vendor{ID: "microsoft", Name: "Microsoft", Category: "general"})
		r.names = append(r.names, "Microsoft")
	}
	for id, name := range c.MicrosoftApps {
		r.msApps[guidClean(id)] = name
	}
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
	kAmbiguous // not a match: two vendors tie; kept for the reason of an unresolved record
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
	detail string     // kHostDomain/kDomain: the matched domain; kAWS: the reason; kMSApp: app name; kName: namePhrase
	fuzzy  bool
}

// Resolve maps rec's hints to a vendor: every hint is tried, the strongest evidence wins. When nothing matches,
// the Resolution has no vendor and Hint is the record's strongest hint, so that unresolved records group by it.
func (r *Resolver) Resolve(rec *scanner.Record) scanner.Resolution {
	var best, amb cand
	for i := range rec.Hints {
		c := r.resolveHint(&rec.Hints[i])
		c.hint = i
		switch {
		case c.kind == 0:
		case c.kind == kAmbiguous:
			if amb.kind == 0 {
				amb = c
			}
		case c.conf > best.conf:
			best = c
		}
		if best.conf >= confExactID {
			break
		}
	}
	if best.kind == 0 {
		res := scanner.Resolution{}
		if h, ok := strongest(rec); ok {
			res.Hint = h
		}
		if amb.kind != 0 {
			res.Reason = r.ambiguousReason(rec.Hints[amb.hint], amb)
		}
		return res
	}
	return scanner.Resolution{
		Vendor:     &r.vendors[best.vendor],
		Confidence: best.conf,
		Reason:     r.reason(rec.Hints[best.hint], best),
		Hint:       rec.Hints[best.hint],
	}
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
		return r.resolveHost(spfHost(h.Value), &r.spf, &r.cname, &r.dkim)
	case scanner.HintCNAMETarget:
		return r.resolveHost(hostClean(h.Value), &r.cname, &r.dkim, &r.spf)
	case scanner.HintDKIMSelector:
		return r.resolveDKIM(h)
	case scanner.HintTXTToken:
		return r.resolveTXT(txtClean(h.Value))
	case scanner.HintDomain:
		host := hostFromValue(h.Value)
		vs, matched := r.domains.lookup(host)
		switch len(vs) {
		case 0:
		case 1:
			return cand{kind: kDomain, vendor: vs[0], conf: confDomain, detail: matched}
		default:
			return cand{kind: kAmbiguous, vendor: vs[0], other: vs[1]}
		}
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
		return cand{kind: kHostPattern, vendor: own.pats[id].vendor, conf: confHostPattern, pat: id, ix: own}
	} else if amb {
		return cand{kind: kAmbiguous, vendor: own.pats[id].vendor, other: -1}
	}
	for _, ix := range others {
		if id, amb := ix.lookup(host); id >= 0 && !amb {
			return cand{kind: kHostPattern, vendor: ix.pats[id].vendor, conf: confHostOther, pat: id, ix: ix}
		}
	}
	vs, matched := r.domains.lookup(host)
	switch len(vs) {
	case 0:
		return cand{}
	case 1:
		return cand{kind: kHostDomain, vendor: vs[0], conf: confHostDomain, detail: matched}
	}
	return cand{kind: kAmbiguous, vendor: vs[0], other: vs[1]}
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

func (r *Resolver) resolveDKIM(h *scanner.Hint) cand {
	if t := hostClean(h.Target); t != "" {
		if c := r.resolveHost(t, &r.dkim, &r.cname, &r.spf); c.kind != 0 {
			return c
		}
	}
	sel := dkimSelector(h.Value)
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

func (r *Resolver) resolveTXT(normTok string) cand {
	if normTok == "" {
		return cand{}
	}
	if n := r.txt.lookupPrefix(normTok); n >= 0 {
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
		return cand{}
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
	win, other, ok, amb := r.byName.best(nb, nameMode)
	if !ok {
		return cand{}
	}
	p := &r.byName.phrases[win.phrase]
	if amb {
		return cand{kind: kAmbiguous, vendor: p.vendor, other: r.byName.phrases[other].vendor}
	}
	return cand{kind: kName, vendor: p.vendor, conf: win.conf, pat: win.phrase, fuzzy: win.fuzzy}
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
	}
	var caps []hostCapture
	p.match(host, &caps)
	s := hostLabel(h)
	var parts []string
	for i := len(caps) - 1; i >= 0; i-- { // captured right to left
		if len(caps[i].name) >= 2 {
			parts = append(parts, caps[i].name+" "+caps[i].value)
		}
	}
	if len(parts) > 0 {
		s += " (" + r.names[c.vendor] + " " + strings.Join(parts, ", ") + ")"
	}
	return s
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
