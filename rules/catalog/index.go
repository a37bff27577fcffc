package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/net/publicsuffix"
)

// bytesView views b as a string without copying. The string must not outlive the next change to b.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// ---- host patterns ----

// hostPattern is a compiled host pattern (see Signals): labels left to right.
type hostPattern struct {
	raw     string
	labels  []labelPat
	vendor  int32
	literal int    // literal characters, for specificity
	key     string // the rightmost run of literal labels, the index key
}

// labelPat is one label: a literal, or segments alternating literal text and placeholders.
type labelPat struct {
	lit  string
	segs []labelSeg // nil for a literal label
}

type labelSeg struct {
	lit  string
	name string // placeholder name; lit is empty
}

var errEmptyPattern = errors.New("empty host pattern")

// ValidateHostPattern reports whether p is a valid host pattern (Signals.SPF, CNAME, DKIM targets): DNS labels of
// letters, digits, hyphens and underscores, where a label may hold {name} placeholders, and the rightmost label
// is literal.
func ValidateHostPattern(p string) error {
	_, err := compileHostPattern(p)
	return err
}

// ValidateSelectorPattern reports whether p is a valid DKIM selector pattern: one label, placeholders allowed.
func ValidateSelectorPattern(p string) error {
	lp, err := compileLabel(strings.ToLower(strings.TrimSpace(p)))
	if err != nil {
		return fmt.Errorf("dkim selector %q: %w", p, err)
	}
	if lp.segs != nil && literalLen(lp) == 0 {
		return fmt.Errorf("dkim selector %q: only a placeholder; it would match every selector", p)
	}
	return nil
}

func compileHostPattern(p string) (hostPattern, error) {
	s := strings.ToLower(strings.TrimSpace(p))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "*."), ".")
	if s == "" {
		return hostPattern{}, errEmptyPattern
	}
	hp := hostPattern{raw: s}
	for _, l := range strings.Split(s, ".") {
		lp, err := compileLabel(l)
		if err != nil {
			return hostPattern{}, fmt.Errorf("host pattern %q: %w", p, err)
		}
		hp.labels = append(hp.labels, lp)
		hp.literal += literalLen(lp)
	}
	// Index key: the rightmost run of literal labels.
	k := len(hp.labels)
	for k > 0 && hp.labels[k-1].segs == nil {
		k--
	}
	if k == len(hp.labels) {
		return hostPattern{}, fmt.Errorf("host pattern %q: the rightmost label must be literal", p)
	}
	lits := make([]string, 0, len(hp.labels)-k)
	for _, l := range hp.labels[k:] {
		lits = append(lits, l.lit)
	}
	hp.key = strings.Join(lits, ".")
	return hp, nil
}

func literalLen(l labelPat) int {
	if l.segs == nil {
		return len(l.lit)
	}
	n := 0
	for _, s := range l.segs {
		n += len(s.lit)
	}
	return n
}

func compileLabel(l string) (labelPat, error) {
	if l == "" {
		return labelPat{}, errors.New("empty label")
	}
	if !strings.ContainsAny(l, "{}") {
		if err := checkLabelChars(l); err != nil {
			return labelPat{}, err
		}
		return labelPat{lit: l}, nil
	}
	var segs []labelSeg
	rest := l
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return labelPat{}, fmt.Errorf("label %q: '}' without '{'", l)
			}
			segs = append(segs, labelSeg{lit: rest})
			break
		}
		if open > 0 {
			if strings.IndexByte(rest[:open], '}') >= 0 {
				return labelPat{}, fmt.Errorf("label %q: '}' without '{'", l)
			}
			segs = append(segs, labelSeg{lit: rest[:open]})
		}
		closeAt := strings.IndexByte(rest[open:], '}')
		if closeAt < 0 {
			return labelPat{}, fmt.Errorf("label %q: unclosed '{'", l)
		}
		name := rest[open+1 : open+closeAt]
		if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return labelPat{}, fmt.Errorf("label %q: placeholder name %q must be letters, digits or '_'", l, name)
		}
		if n := len(segs); n > 0 && segs[n-1].name != "" {
			return labelPat{}, fmt.Errorf("label %q: two placeholders must be separated by literal text", l)
		}
		segs = append(segs, labelSeg{name: name})
		rest = rest[open+closeAt+1:]
	}
	for _, s := range segs {
		if s.lit != "" {
			if err := checkLabelChars(s.lit); err != nil {
				return labelPat{}, err
			}
		}
	}
	return labelPat{segs: segs}, nil
}

func checkLabelChars(l string) error {
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("label %q: invalid character %q", l, c)
		}
	}
	return nil
}

func placeholderChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
}

// matchLabel reports whether host label h matches l. When caps is not nil, captured placeholders are appended.
func matchLabel(l *labelPat, h string, caps *[]hostCapture) bool {
	if l.segs == nil {
		return l.lit == h
	}
	return matchSegs(l.segs, h, caps)
}

type hostCapture struct{ name, value string }

func matchSegs(segs []labelSeg, h string, caps *[]hostCapture) bool {
	if len(segs) == 0 {
		return h == ""
	}
	s := segs[0]
	if s.name == "" {
		if !strings.HasPrefix(h, s.lit) {
			return false
		}
		return matchSegs(segs[1:], h[len(s.lit):], caps)
	}
	// A placeholder: one or more placeholder characters, then the rest.
	for n := 1; n <= len(h); n++ {
		if !placeholderChar(h[n-1]) {
			return false
		}
		if matchSegs(segs[1:], h[n:], caps) {
			if caps != nil {
				*caps = append(*caps, hostCapture{s.name, h[:n]})
			}
			return true
		}
	}
	return false
}

// match reports whether host (lower case, labels split at dots) matches p by label suffix.
func (p *hostPattern) match(host string, caps *[]hostCapture) bool {
	rest := host
	for i := len(p.labels) - 1; i >= 0; i-- {
		if rest == "" {
			return false
		}
		var label string
		if dot := strings.LastIndexByte(rest, '.'); dot >= 0 {
			label, rest = rest[dot+1:], rest[:dot]
		} else {
			label, rest = rest, ""
		}
		if !matchLabel(&p.labels[i], label, caps) {
			return false
		}
	}
	return true
}

// hostIndex finds the host patterns a host matches, through a map from literal label suffixes.
type hostIndex struct {
	pats  []hostPattern
	byKey map[string][]int32
}

func (ix *hostIndex) add(hp hostPattern) {
	if ix.byKey == nil {
		ix.byKey = map[string][]int32{}
	}
	for _, id := range ix.byKey[hp.key] {
		if q := &ix.pats[id]; q.raw == hp.raw && q.vendor == hp.vendor {
			return
		}
	}
	ix.byKey[hp.key] = append(ix.byKey[hp.key], int32(len(ix.pats)))
	ix.pats = append(ix.pats, hp)
}

// lookup returns the most specific pattern host matches (most labels, then most literal characters); ambiguous is
// true when patterns of two vendors tie.
func (ix *hostIndex) lookup(host string) (best int32, ambiguous bool) {
	pick := specificPick{best: -1}
	for i := 0; ; {
		for _, id := range ix.byKey[host[i:]] {
			if p := &ix.pats[id]; p.match(host, nil) {
				pick.consider(id, len(p.labels), p.literal, p.vendor)
			}
		}
		dot := strings.IndexByte(host[i:], '.')
		if dot < 0 {
			break
		}
		i += dot + 1
	}
	return pick.best, pick.ambiguous
}

// specificPick keeps the most specific of the patterns that match: more labels win, then more literal characters;
// a tie between two vendors' patterns is ambiguous.
type specificPick struct {
	best            int32
	ambiguous       bool
	labels, literal int
	vendor          int32
}

func (s *specificPick) consider(id int32, labels, literal int, vendor int32) {
	switch {
	case s.best < 0 || labels > s.labels || labels == s.labels && literal > s.literal:
		*s = specificPick{best: id, labels: labels, literal: literal, vendor: vendor}
	case labels == s.labels && literal == s.literal && vendor != s.vendor:
		s.ambiguous = true
	}
}

// hostClean lower-cases a host name and trims spaces, a trailing dot and a leading "*.".
func hostClean(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ".")
	s = strings.TrimPrefix(s, "*.")
	return lowerASCII(s)
}

// lowerASCII is strings.ToLower without an allocation when s has no upper-case ASCII letter and no other rune.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// hostFromValue extracts the host name from a domain, URL or e-mail address.
func hostFromValue(v string) string {
	s := strings.TrimSpace(v)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
		if j := strings.LastIndexByte(s, '@'); j >= 0 {
			s = s[j+1:]
		}
	} else {
		if j := strings.LastIndexByte(s, '@'); j >= 0 {
			s = s[j+1:]
		}
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
	}
	if j := strings.LastIndexByte(s, ':'); j >= 0 && !strings.Contains(s[:j], ":") {
		s = s[:j] // port
	}
	s = strings.TrimPrefix(hostClean(s), "www.")
	if strings.ContainsAny(s, " \t\"'<>[]") {
		return ""
	}
	return s
}

// ---- domains ----

// domainIndex maps registrable domains (and subdomains a vendor owns, like "static.hotjar.com") to vendors.
type domainIndex map[string][]int32

func (ix domainIndex) add(domain string, v int32) {
	d := hostFromValue(domain)
	if d == "" {
		return
	}
	for _, x := range ix[d] {
		if x == v {
			return
		}
	}
	ix[d] = append(ix[d], v)
}

// lookup finds the longest suffix of host that the catalogue lists, down to the registrable domain
// (publicsuffix-aware: "co.uk" and "com" never match). A private public suffix such as "myshopify.com" matches
// too, because its owner is the vendor.
func (ix domainIndex) lookup(host string) (vendors []int32, matched string) {
	if host == "" || len(ix) == 0 {
		return nil, ""
	}
	stop, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		// host is itself a public suffix ("myshopify.com") or malformed.
		if vs, ok := ix[host]; ok {
			return vs, host
		}
		return nil, ""
	}
	for i := 0; len(host)-i >= len(stop); {
		if vs, ok := ix[host[i:]]; ok {
			return vs, host[i:]
		}
		dot := strings.IndexByte(host[i:], '.')
		if dot < 0 {
			break
		}
		i += dot + 1
	}
	// A private suffix a company registered for its customers' hosts ("github.io"), or one level below it when the
	// Public Suffix List has a wildcard ("*.northflank.app" makes "proj.northflank.app" the suffix of
	// "svc.proj.northflank.app"): the company's domain is the suffix or a parent of it.
	if ps, icann := publicsuffix.PublicSuffix(host); !icann {
		for strings.Contains(ps, ".") {
			if vs, ok := ix[ps]; ok {
				return vs, ps
			}
			ps = ps[strings.IndexByte(ps, '.')+1:]
		}
	}
	return nil, ""
}

// ---- TXT verification prefixes ----

// txtIndex matches TXT tokens by case-insensitive prefix (a byte trie) and by regexp.
type txtIndex struct {
	nodes []trieNode
	res   []txtRegexp
}

type trieNode struct {
	edges   []trieEdge
	vendors []int32
	prefix  string // the prefix as the catalogue spells it, set on terminal nodes
}

type trieEdge struct {
	c    byte
	next int32
}

type txtRegexp struct {
	re     *regexp.Regexp
	raw    string
	vendor int32
}

// ValidateTXTPattern reports whether p is a valid TXT pattern: a non-empty prefix, or "re:" and a regexp.
func ValidateTXTPattern(p string) error {
	if strings.TrimSpace(p) == "" {
		return errors.New("empty TXT pattern")
	}
	if expr, ok := strings.CutPrefix(p, "re:"); ok {
		if _, err := regexp.Compile("(?i)" + expr); err != nil {
			return fmt.Errorf("TXT pattern %q: %w", p, err)
		}
	}
	return nil
}

func (ix *txtIndex) add(p string, v int32) error {
	if err := ValidateTXTPattern(p); err != nil {
		return err
	}
	if expr, ok := strings.CutPrefix(p, "re:"); ok {
		for _, r := range ix.res {
			if r.raw == expr && r.vendor == v {
				return nil
			}
		}
		ix.res = append(ix.res, txtRegexp{re: regexp.MustCompile("(?i)" + expr), raw: expr, vendor: v})
		return nil
	}
	if len(ix.nodes) == 0 {
		ix.nodes = append(ix.nodes, trieNode{})
	}
	pre := strings.TrimSpace(p)
	n := int32(0)
	for i := 0; i < len(pre); i++ {
		c := lowerByte(pre[i])
		next := ix.child(n, c)
		if next < 0 {
			next = int32(len(ix.nodes))
			ix.nodes = append(ix.nodes, trieNode{})
			ix.nodes[n].edges = append(ix.nodes[n].edges, trieEdge{c: c, next: next})
		}
		n = next
	}
	node := &ix.nodes[n]
	for _, x := range node.vendors {
		if x == v {
			return nil
		}
	}
	node.vendors = append(node.vendors, v)
	if node.prefix == "" {
		node.prefix = pre
	}
	return nil
}

// child returns the node below n along byte c, or -1.
func (ix *txtIndex) child(n int32, c byte) int32 {
	for _, e := range ix.nodes[n].edges {
		if e.c == c {
			return e.next
		}
	}
	return -1
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lookupPrefix returns the node of the longest catalogue prefix of token, or -1.
func (ix *txtIndex) lookupPrefix(token string) int32 {
	if len(ix.nodes) == 0 {
		return -1
	}
	best, n := int32(-1), int32(0)
	for i := 0; i < len(token); i++ {
		next := ix.child(n, lowerByte(token[i]))
		if next < 0 {
			break
		}
		n = next
		if len(ix.nodes[n].vendors) > 0 {
			best = n
		}
	}
	return best
}

// txtClean trims spaces and the quotes that zone files and DNS-as-code keep around TXT strings ("…", '…', and the
// escaped \"…\" of a Terraform string), and closes up the spaces around the '=' of a "key = value" token (vendor
// help pages write "read-ai-verification = <code>"), so such values match the catalogue's "key=" prefixes.
func txtClean(s string) string {
	s = strings.TrimSpace(s)
	for {
		switch {
		case len(s) >= 4 && strings.HasPrefix(s, `\"`) && strings.HasSuffix(s, `\"`):
			s = s[2 : len(s)-2]
		case len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\''):
			s = s[1 : len(s)-1]
		default:
			return closeEquals(s)
		}
		s = strings.TrimSpace(s)
	}
}

// closeEquals turns "key = value" into "key=value" when key is one word of letters, digits, '.', '_' and '-'.
func closeEquals(s string) string {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 || (s[eq-1] != ' ' && (eq+1 == len(s) || s[eq+1] != ' ')) {
		return s
	}
	key := strings.TrimRight(s[:eq], " ")
	if key == "" {
		return s
	}
	for i := 0; i < len(key); i++ {
		c := lowerByte(key[i])
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return s
		}
	}
	return key + "=" + strings.TrimLeft(s[eq+1:], " ")
}

// ---- TXT owner names ----

// ownerPattern is a compiled TXT owner-name pattern: the leftmost labels of a record's name, left to right.
type ownerPattern struct {
	raw     string
	labels  []labelPat
	vendor  int32
	literal int
}

// ownerIndex finds the owner-name patterns a TXT record's name matches: literal first labels through a map,
// templated ones ("_github-challenge-{org}") by a scan of the few there are.
type ownerIndex struct {
	pats    []ownerPattern
	byFirst map[string][]int32
	tmpl    []int32
}

// genericOwners are TXT record names that many services use; they name no vendor.
var genericOwners = []string{"_dmarc", "_domainkey", "_acme-challenge", "_mta-sts", "_smtp", "_tls", "_bimi", "_spf"}

// ValidateOwnerPattern reports whether p is a valid TXT owner-name pattern (Signals.TXTOwner): one or more labels,
// each of letters, digits, hyphens and underscores with at most one {placeholder}, the first with at least four
// literal characters, and not a name many services share (_dmarc, _domainkey, _acme-challenge...).
func ValidateOwnerPattern(p string) error {
	_, err := compileOwnerPattern(p)
	return err
}

func compileOwnerPattern(p string) (ownerPattern, error) {
	s := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(p, ".")))
	if s == "" {
		return ownerPattern{}, errors.New("empty TXT owner pattern")
	}
	op := ownerPattern{raw: s}
	for _, l := range strings.Split(s, ".") {
		lp, err := compileLabel(l)
		if err != nil {
			return ownerPattern{}, fmt.Errorf("TXT owner pattern %q: %w", p, err)
		}
		op.labels = append(op.labels, lp)
		op.literal += literalLen(lp)
	}
	if n := literalLen(op.labels[0]); n < 4 {
		return ownerPattern{}, fmt.Errorf("TXT owner pattern %q: the first label needs at least four literal characters", p)
	}
	if slices.Contains(genericOwners, op.labels[0].lit) {
		return ownerPattern{}, fmt.Errorf("TXT owner pattern %q: %s is used by many services and names no vendor", p, op.labels[0].lit)
	}
	return op, nil
}

func (ix *ownerIndex) add(op ownerPattern) {
	for _, q := range ix.pats {
		if q.raw == op.raw && q.vendor == op.vendor {
			return
		}
	}
	id := int32(len(ix.pats))
	ix.pats = append(ix.pats, op)
	if op.labels[0].segs == nil {
		if ix.byFirst == nil {
			ix.byFirst = map[string][]int32{}
		}
		ix.byFirst[op.labels[0].lit] = append(ix.byFirst[op.labels[0].lit], id)
	} else {
		ix.tmpl = append(ix.tmpl, id)
	}
}

// match reports whether the leftmost labels of owner (lower case) match p; caps collects placeholders.
func (p *ownerPattern) match(owner string, caps *[]hostCapture) bool {
	rest := owner
	for i := range p.labels {
		if rest == "" {
			return false
		}
		label := rest
		if dot := strings.IndexByte(rest, '.'); dot >= 0 {
			label, rest = rest[:dot], rest[dot+1:]
		} else {
			rest = ""
		}
		if !matchLabel(&p.labels[i], label, caps) {
			return false
		}
	}
	return true
}

// lookup returns the most specific pattern owner matches (most labels, then most literal characters); ambiguous
// is true when patterns of two vendors tie.
func (ix *ownerIndex) lookup(owner string) (best int32, ambiguous bool) {
	best = -1
	if len(ix.pats) == 0 || owner == "" {
		return best, false
	}
	first := owner
	if dot := strings.IndexByte(owner, '.'); dot >= 0 {
		first = owner[:dot]
	}
	pick := specificPick{best: -1}
	try := func(id int32) {
		if p := &ix.pats[id]; p.match(owner, nil) {
			pick.consider(id, len(p.labels), p.literal, p.vendor)
		}
	}
	for _, id := range ix.byFirst[first] {
		try(id)
	}
	for _, id := range ix.tmpl {
		try(id)
	}
	return pick.best, pick.ambiguous
}
