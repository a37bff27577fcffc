// Package dnssignal turns DNS record sets into shadowscan records with typed vendor hints. It is shared by every
// source of DNS data: live DNS and zone files (providers/dns) and Route 53 (providers/aws). It does no lookups:
// callers that follow SPF includes or CNAME chains build the deeper records with SPFIncludeRecord and
// CNAMERecord, so that record IDs and attributes are the same whatever the source.
//
// Record IDs are provider-agnostic: "dns:<name>:<type>:<signal>", with the record name lower-case and without the
// trailing dot.
package dnssignal

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/scanner"
)

// RRSet is one DNS record set as read from any source (live DNS, a zone file, Route 53). Name is the FQDN without
// the trailing dot, lower-case (Records normalises it anyway); Type is "TXT", "CNAME", "MX", "NS", ...; TXT values
// are already joined per record (the character-strings of one record concatenated, RFC 7208 §3.3); MX values are
// "<preference> <host>" or just "<host>".
type RRSet struct {
	Name   string
	Type   string
	TTL    uint32
	Values []string
}

// Attribute keys set on records. Rules may read them.
const (
	AttrName           = "name"             // record name
	AttrType           = "type"             // record type
	AttrZone           = "zone"             // the apex domain the record belongs to
	AttrValue          = "value"            // raw record value (TXT joined)
	AttrTTL            = "ttl"              // TTL in seconds (int64), when known
	AttrSPFOwn         = "spf_own"          // bool: the include/redirect host is inside the zone (no vendor hint)
	AttrSignal         = "signal"           // spf_include, txt_token, dmarc, dkim, cname, mx, ns
	AttrSPFPath        = "spf_path"         // []string: root record name, intermediate includes, this host
	AttrSPFDepth       = "spf_depth"        // int64: 1 for a host named in the root record
	AttrSPFMechanism   = "spf_mechanism"    // include or redirect
	AttrSPFAll         = "spf_all"          // qualifier of the root record's all ("-", "~", "?", "+"), or ""
	AttrSPFLookups     = "spf_lookups"      // int64: DNS-querying terms in the root record alone
	AttrSPFErrors      = "spf_errors"       // []string: syntax errors in the root record
	AttrSPFDuplicate   = "spf_duplicate"    // bool: more than one v=spf1 record at the name (a permerror)
	AttrTXTPrefix      = "txt_prefix"       // the token's prefix up to and including '=' or ':' ("" if none)
	AttrDMARCPolicy    = "dmarc_policy"     // p= of the DMARC record
	AttrDMARCTags      = "dmarc_tags"       // []string: rua and/or ruf, the tags naming this destination
	AttrDMARCAddresses = "dmarc_addresses"  // []string: the report URIs naming this destination
	AttrDKIMSelector   = "dkim_selector"    // the selector label(s) before ._domainkey
	AttrDKIMKeyPresent = "dkim_key_present" // bool: a v=DKIM1 record with a non-empty p= was seen
	AttrCNAMETarget    = "cname_target"     // final CNAME target
	AttrCNAMEChain     = "cname_chain"      // []string: every hop after the name, last is the final target
	AttrSubdomain      = "subdomain"        // the name relative to the zone ("go" for go.example.com)
	AttrMXPreference   = "mx_preference"    // int64
	AttrResolves       = "resolves"         // bool: the final target has an address (live DNS only)
	AttrDangling       = "dangling"         // bool: the final target is NXDOMAIN (subdomain takeover risk)
)

// Signals, the last part of a record ID and the value of AttrSignal.
const (
	SignalSPFInclude = "spf_include"
	SignalSPF        = "spf"
	SignalTXTToken   = "txt_token"
	SignalDMARC      = "dmarc"
	SignalDKIM       = "dkim"
	SignalCNAME      = "cname"
	SignalMX         = "mx"
	SignalNS         = "ns"
)

// Norm lower-cases a DNS name and drops the trailing dot and surrounding space.
func Norm(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// ID builds a record ID: "dns:<name>:<type>:<signal>".
func ID(name, typ, signal string) string {
	return "dns:" + Norm(name) + ":" + strings.ToUpper(typ) + ":" + signal
}

// InZone says whether name is zone or below it.
func InZone(name, zone string) bool {
	name, zone = Norm(name), Norm(zone)
	return zone != "" && (name == zone || strings.HasSuffix(name, "."+zone))
}

// DKIMSelector returns the selector of a <selector>._domainkey.<domain> name.
func DKIMSelector(name string) (string, bool) {
	name = Norm(name)
	i := strings.Index(name, "._domainkey.")
	if i <= 0 {
		return "", false
	}
	return name[:i], true
}

// Records turns one record set of the given zone (apex domain) into scanner records of kind
// scanner.KindDNSRecord with typed hints. It does no lookups: SPF includes give hints for the hosts named in this
// record only, and a CNAME gives its target as read. Targets inside the zone itself (self-hosted mail or DNS,
// in-zone CNAMEs) give no record, since they point at no vendor. Unknown types give nil.
func Records(zone string, rr RRSet) []scanner.Record {
	zone = Norm(zone)
	rr.Name = Norm(rr.Name)
	rr.Type = strings.ToUpper(strings.TrimSpace(rr.Type))
	var out []scanner.Record
	switch rr.Type {
	case "TXT", "SPF":
		out = txtRecords(zone, rr)
	case "CNAME":
		for _, v := range rr.Values {
			if t := Norm(v); t != "" {
				if r, ok := CNAMERecord(zone, rr.Name, []string{t}, rr.TTL); ok {
					out = append(out, r)
				}
				break // a name has one CNAME; extra values are a malformed set
			}
		}
	case "MX":
		out = hostRecords(zone, rr, SignalMX)
	case "NS":
		out = hostRecords(zone, rr, SignalNS)
	}
	return dedupe(out)
}

func dedupe(in []scanner.Record) []scanner.Record {
	if len(in) < 2 {
		return in
	}
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, r := range in {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

func baseAttrs(zone string, rr RRSet, signal, value string) map[string]any {
	a := map[string]any{AttrName: rr.Name, AttrType: rr.Type, AttrSignal: signal, AttrValue: value}
	if zone != "" {
		a[AttrZone] = zone
	}
	if rr.TTL > 0 {
		a[AttrTTL] = int64(rr.TTL)
	}
	return a
}

// Classification of one TXT string.
const (
	txtSPF = iota
	txtDMARC
	txtDKIM
	txtPolicy // other v= policies that name no vendor (MTA-STS, TLS-RPT, BIMI)
	txtToken
)

func classifyTXT(name, v string) int {
	lv := strings.ToLower(strings.TrimSpace(v))
	switch {
	case IsSPF(v):
		return txtSPF
	case strings.HasPrefix(lv, "v=dmarc1"):
		return txtDMARC
	case strings.HasPrefix(lv, "v=dkim1"):
		return txtDKIM
	case strings.HasPrefix(lv, "v=stsv1"), strings.HasPrefix(lv, "v=tlsrptv1"), strings.HasPrefix(lv, "v=bimi1"):
		return txtPolicy
	}
	if _, ok := DKIMSelector(name); ok && strings.Contains(lv, "p=") {
		return txtDKIM // a key record without the optional v=DKIM1
	}
	return txtToken
}

func txtRecords(zone string, rr RRSet) []scanner.Record {
	var spf, dmarc, dkim, tokens []string
	for _, v := range rr.Values {
		if strings.TrimSpace(v) == "" {
			continue
		}
		switch classifyTXT(rr.Name, v) {
		case txtSPF:
			spf = append(spf, v)
		case txtDMARC:
			dmarc = append(dmarc, v)
		case txtDKIM:
			dkim = append(dkim, v)
		case txtToken:
			tokens = append(tokens, v)
		}
	}
	var out []scanner.Record
	sort.Strings(spf) // stable order whatever order the answer came in
	for i, v := range spf {
		out = append(out, spfRecords(zone, rr, v, i, len(spf) > 1)...)
	}
	for _, v := range dmarc {
		out = append(out, dmarcRecords(zone, rr, v)...)
	}
	if len(dkim) > 0 {
		if sel, ok := DKIMSelector(rr.Name); ok {
			out = append(out, dkimKeyRecord(zone, rr, sel, dkim))
		}
	}
	for _, v := range tokens {
		out = append(out, tokenRecord(zone, rr, v))
	}
	return out
}

// spfRecords gives one spf_include record per include:/redirect= host of the record, and an "spf" record with no
// hint when the record has problems (syntax errors, or a duplicate v=spf1 at the same name).
func spfRecords(zone string, rr RRSet, v string, idx int, duplicate bool) []scanner.Record {
	p, _ := ParseSPF(v)
	common := map[string]any{
		AttrSPFAll:     p.All(),
		AttrSPFLookups: int64(p.Lookups()),
	}
	if len(p.Errors) > 0 {
		common[AttrSPFErrors] = append([]string(nil), p.Errors...)
	}
	if duplicate {
		common[AttrSPFDuplicate] = true
	}
	var out []scanner.Record
	for _, t := range p.Terms {
		mech, ok := t.Delegation()
		if !ok {
			continue
		}
		r := SPFIncludeRecord(zone, rr.Name, []string{rr.Name}, mech, t.Value)
		r.Attributes[AttrValue] = v
		if rr.TTL > 0 {
			r.Attributes[AttrTTL] = int64(rr.TTL)
		}
		for k, x := range common {
			r.Attributes[k] = x
		}
		out = append(out, r)
	}
	if len(p.Errors) > 0 || duplicate {
		sig := SignalSPF
		if idx > 0 {
			sig += "-" + strconv.Itoa(idx+1)
		}
		r := scanner.Record{Kind: scanner.KindDNSRecord, ID: ID(rr.Name, "TXT", sig),
			Summary:    "SPF record with problems at " + rr.Name + ": " + spfProblemText(p.Errors, duplicate),
			Attributes: baseAttrs(zone, rr, SignalSPF, v)}
		for k, x := range common {
			r.Attributes[k] = x
		}
		out = append(out, r)
	}
	return out
}

func spfProblemText(errs []string, duplicate bool) string {
	var parts []string
	if duplicate {
		parts = append(parts, "more than one v=spf1 record")
	}
	parts = append(parts, errs...)
	return clip(strings.Join(parts, "; "), 200)
}

// SPFIncludeRecord builds the record for one host named by include: or redirect= (mech) in an SPF record reached
// through path: path[0] is the root record's name, the rest the includes followed to reach the record naming
// host. The ID is keyed by the root name and the host, so a host reached by two paths is one record.
func SPFIncludeRecord(zone, root string, path []string, mech, host string) scanner.Record {
	root, host = Norm(root), Norm(host)
	full := make([]string, 0, len(path)+1)
	for _, p := range path {
		full = append(full, Norm(p))
	}
	full = append(full, host)
	via := strings.Join(full[:len(full)-1], " → ")
	word := "include"
	if mech == "redirect" {
		word = "redirect"
	}
	attrs := map[string]any{AttrName: root, AttrType: "TXT", AttrSignal: SignalSPFInclude,
		AttrSPFPath: full, AttrSPFDepth: int64(len(full) - 1), AttrSPFMechanism: word}
	if zone != "" {
		attrs[AttrZone] = Norm(zone)
	}
	r := scanner.Record{
		Kind:       scanner.KindDNSRecord,
		ID:         ID(root, "TXT", SignalSPFInclude+":"+host),
		Summary:    "SPF " + word + " " + host + " (" + via + ")",
		Hints:      []scanner.Hint{{Type: scanner.HintSPFInclude, Value: host}},
		Attributes: attrs,
	}
	// A host inside the zone (include:_spf.example.com) is the organisation's own record, not a sender: it
	// carries no vendor hint, so it is neither resolved nor listed as an unknown sender; the walk still follows it.
	if zone != "" && InZone(host, Norm(zone)) {
		r.Hints = nil
		r.Attributes[AttrSPFOwn] = true
	}
	return r
}

// dmarcRecords gives one record per external report destination domain named by rua= or ruf=. Destinations inside
// the zone are the organisation's own mailbox and give no record.
func dmarcRecords(zone string, rr RRSet, v string) []scanner.Record {
	tags := ParseDMARC(v)
	type dest struct {
		tags  []string
		addrs []string
	}
	dests := map[string]*dest{}
	var order []string
	for _, tag := range []string{"rua", "ruf"} {
		for _, uri := range splitList(tags[tag]) {
			host := reportHost(uri)
			if host == "" || InZone(host, zone) {
				continue
			}
			d := dests[host]
			if d == nil {
				d = &dest{}
				dests[host] = d
				order = append(order, host)
			}
			if len(d.tags) == 0 || d.tags[len(d.tags)-1] != tag {
				d.tags = append(d.tags, tag)
			}
			d.addrs = append(d.addrs, uri)
		}
	}
	var out []scanner.Record
	for _, host := range order {
		d := dests[host]
		a := baseAttrs(zone, rr, SignalDMARC, v)
		a[AttrDMARCPolicy] = strings.ToLower(tags["p"])
		a[AttrDMARCTags] = d.tags
		a[AttrDMARCAddresses] = d.addrs
		out = append(out, scanner.Record{
			Kind:       scanner.KindDNSRecord,
			ID:         ID(rr.Name, "TXT", SignalDMARC+":"+host),
			Summary:    "DMARC reports (" + strings.Join(d.tags, ", ") + ") go to " + host + " (" + rr.Name + ")",
			Hints:      []scanner.Hint{{Type: scanner.HintDomain, Value: host}},
			Attributes: a,
		})
	}
	return out
}

// ParseDMARC splits a DMARC record into its tags (lower-case names, trimmed values). It never fails; a tag
// without '=' is ignored.
func ParseDMARC(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if _, dup := out[k]; !dup {
			out[k] = strings.TrimSpace(val)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// reportHost returns the lower-case host of a DMARC report URI ("mailto:a@b.example!10m" → "b.example").
func reportHost(uri string) string {
	u := uri
	if i := strings.IndexByte(u, '!'); i >= 0 {
		u = u[:i] // size limit
	}
	lu := strings.ToLower(u)
	switch {
	case strings.HasPrefix(lu, "mailto:"):
		u = u[len("mailto:"):]
		at := strings.LastIndexByte(u, '@')
		if at < 0 {
			return ""
		}
		u = u[at+1:]
	case strings.HasPrefix(lu, "https://"), strings.HasPrefix(lu, "http://"):
		u = u[strings.Index(u, "//")+2:]
		if i := strings.IndexAny(u, "/?#"); i >= 0 {
			u = u[:i]
		}
		if i := strings.LastIndexByte(u, '@'); i >= 0 {
			u = u[i+1:]
		}
		if i := strings.LastIndexByte(u, ':'); i >= 0 {
			u = u[:i]
		}
	default:
		return ""
	}
	h := Norm(u)
	if !plausibleHost(h) {
		return ""
	}
	return h
}

func plausibleHost(h string) bool {
	if h == "" || len(h) > 253 || !strings.Contains(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// DKIMKeyPresent says whether a DKIM key record publishes a key (a non-empty p= tag; an empty p= means revoked).
func DKIMKeyPresent(v string) bool {
	for _, part := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(part, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "p") {
			return strings.TrimSpace(val) != ""
		}
	}
	return false
}

func dkimKeyRecord(zone string, rr RRSet, sel string, values []string) scanner.Record {
	present := false
	for _, v := range values {
		present = present || DKIMKeyPresent(v)
	}
	a := baseAttrs(zone, rr, SignalDKIM, strings.Join(values, "\n"))
	a[AttrDKIMSelector] = sel
	a[AttrDKIMKeyPresent] = present
	state := "key published"
	if !present {
		state = "no key (revoked)"
	}
	return scanner.Record{
		Kind:       scanner.KindDNSRecord,
		ID:         ID(rr.Name, "TXT", SignalDKIM),
		Summary:    "DKIM selector " + sel + ": " + state + " (" + rr.Name + ")",
		Hints:      []scanner.Hint{{Type: scanner.HintDKIMSelector, Value: sel}},
		Attributes: a,
	}
}

// TXTPrefix returns a verification token's prefix: the text up to and including the first '=' or ':' (or up to
// the last '_' for "pardot_..."-style tokens), or "" when there is no separator.
func TXTPrefix(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, "=:"); i > 0 {
		return v[:i+1]
	}
	if i := strings.LastIndexByte(v, '_'); i > 0 {
		return v[:i+1]
	}
	return ""
}

func tokenRecord(zone string, rr RRSet, v string) scanner.Record {
	v = strings.TrimSpace(v)
	key := v
	if len(key) > 96 || strings.ContainsAny(key, " \t\r\n") {
		sum := sha256.Sum256([]byte(v))
		key = TXTPrefix(v)
		if len(key) > 64 {
			key = key[:64]
		}
		key += "#" + hex.EncodeToString(sum[:6])
	}
	a := baseAttrs(zone, rr, SignalTXTToken, v)
	a[AttrTXTPrefix] = TXTPrefix(v)
	show := clip(v, 57)
	return scanner.Record{
		Kind:       scanner.KindDNSRecord,
		ID:         ID(rr.Name, "TXT", SignalTXTToken+":"+key),
		Summary:    "TXT token " + show + " (" + rr.Name + ")",
		Hints:      []scanner.Hint{{Type: scanner.HintTXTToken, Value: v, Target: rr.Name}},
		Attributes: a,
	}
}

// CNAMERecord builds the record for a CNAME at name whose chain (every hop after name, last the final target) is
// given. A <selector>._domainkey name gives a dkim record with a dkim_selector hint whose Target is the final
// target (and a cname_target hint); any other name gives a cname record with a cname_target hint. A final target
// inside the zone points at no vendor: ok is false. Callers add AttrResolves and AttrDangling when they know.
func CNAMERecord(zone, name string, chain []string, ttl uint32) (scanner.Record, bool) {
	zone, name = Norm(zone), Norm(name)
	hops := make([]string, 0, len(chain))
	for _, h := range chain {
		if h = Norm(h); h != "" {
			hops = append(hops, h)
		}
	}
	if len(hops) == 0 {
		return scanner.Record{}, false
	}
	target := hops[len(hops)-1]
	if InZone(target, zone) {
		return scanner.Record{}, false
	}
	rr := RRSet{Name: name, Type: "CNAME", TTL: ttl}
	if sel, ok := DKIMSelector(name); ok {
		a := baseAttrs(zone, rr, SignalDKIM, hops[0])
		a[AttrDKIMSelector] = sel
		a[AttrCNAMETarget] = target
		a[AttrCNAMEChain] = hops
		return scanner.Record{
			Kind:    scanner.KindDNSRecord,
			ID:      ID(name, "CNAME", SignalDKIM),
			Summary: "DKIM selector " + sel + " → " + target + " (" + name + ")",
			Hints: []scanner.Hint{{Type: scanner.HintDKIMSelector, Value: sel, Target: target},
				{Type: scanner.HintCNAMETarget, Value: target}},
			Attributes: a,
		}, true
	}
	a := baseAttrs(zone, rr, SignalCNAME, hops[0])
	a[AttrCNAMETarget] = target
	a[AttrCNAMEChain] = hops
	if sub, ok := strings.CutSuffix(name, "."+zone); ok && zone != "" {
		a[AttrSubdomain] = sub
	}
	return scanner.Record{
		Kind:       scanner.KindDNSRecord,
		ID:         ID(name, "CNAME", SignalCNAME),
		Summary:    "CNAME " + name + " → " + target,
		Hints:      []scanner.Hint{{Type: scanner.HintCNAMETarget, Value: target}},
		Attributes: a,
	}, true
}

func hostRecords(zone string, rr RRSet, signal string) []scanner.Record {
	var out []scanner.Record
	for _, v := range rr.Values {
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		host := Norm(f[len(f)-1])
		var pref int64 = -1
		if signal == SignalMX && len(f) >= 2 {
			if n, err := strconv.ParseInt(f[0], 10, 32); err == nil {
				pref = n
			}
		}
		if host == "" || !plausibleHost(host) || InZone(host, zone) {
			continue // null MX ("."), junk, or self-hosted
		}
		a := baseAttrs(zone, rr, signal, strings.TrimSpace(v))
		typ := strings.ToUpper(signal)
		summary := typ + " " + host + " (" + rr.Name + ")"
		if pref >= 0 {
			a[AttrMXPreference] = pref
			summary = "MX " + strconv.FormatInt(pref, 10) + " " + host + " (" + rr.Name + ")"
		}
		out = append(out, scanner.Record{
			Kind:       scanner.KindDNSRecord,
			ID:         ID(rr.Name, typ, host),
			Summary:    summary,
			Hints:      []scanner.Hint{{Type: scanner.HintDomain, Value: host}},
			Attributes: a,
		})
	}
	return out
}

// clip shortens s to at most n bytes on a rune boundary, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
