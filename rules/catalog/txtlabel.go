package catalog

import "strings"

// Verification tokens follow a convention: "<vendor>-domain-verification=…", "<vendor>-site-verification=…",
// "<vendor>_verify=…". Many vendors publish one without the catalogue knowing its prefix yet. When no catalogued
// prefix or pattern matches, a token whose prefix is the first label of exactly one vendor's registrable domain
// followed only by the convention's words resolves to that vendor, with less confidence than a catalogued prefix.
// On the TXT tokens of the 253 public DNS-as-code repositories mined for the catalogue it named, for each of the 321
// tokens a catalogued prefix also names, that same vendor (rules/catalog/README.md, "How the resolver decides").

// The same convention names TXT records: "_vendor-challenge.example.org", "_vendor-domain-verification",
// "_vendor-challenge-<org>". A record name resolves when its first label starts with "_", then the vendor's label, then
// only the convention's words up to a verb; what follows the verb is the organisation's own (an org or account name).
// A record name that is only "_" and the vendor's label ("_twilio", "_vercel", "_webflow") resolves too: of the 26
// catalogued owner names of that form, the 18 whose label is a vendor's agreed with it, none named another vendor.

// txtLabelWords are the words the convention puts after the vendor's label; one of txtLabelVerbs must be among them.
var txtLabelWords = map[string]bool{
	"site": true, "domain": true, "developer": true, "dns": true, "account": true, "org": true, "app": true,
	"web": true, "key": true, "code": true, "token": true, "txt": true, "ownership": true, "verification": true,
	"verify": true, "verified": true, "validation": true, "challenge": true,
}

var txtLabelVerbs = map[string]bool{"verification": true, "verify": true, "verified": true, "validation": true, "challenge": true}

// addLabels records the first labels of e's registrable domains that also name e: the label is its name, an alias,
// the first word of its name, or its ID (as nameKey keeps them), or starts with one of them ("frontapp" for Front).
// A domain whose label is another company's name does not count ("uber.space" is Uberspace's, "uber" is not).
// A label two vendors share names neither.
func (r *Resolver) addLabels(e *Entry, v int32) {
	var names []string
	for _, n := range append([]string{e.Name, e.ID, firstWord(e.Name)}, e.Aliases...) {
		if k := nameKey(n); len(k) >= 4 {
			names = append(names, k)
		}
	}
	for _, domain := range e.Domains {
		d := hostFromValue(domain)
		i := strings.IndexByte(d, '.')
		if i <= 0 {
			continue
		}
		label := d[:i]
		if len(label) < 4 || txtLabelWords[label] || !namedBy(label, names) {
			continue // short labels ("ads", "go") and the convention's own words ("domain") name nobody
		}
		if prev, ok := r.labels[label]; ok && prev != v {
			r.labels[label] = -1
			continue
		}
		r.labels[label] = v
	}
}

func namedBy(label string, names []string) bool {
	for _, n := range names {
		if strings.HasPrefix(label, n) {
			return true
		}
	}
	return false
}

// firstWord is s up to its first space, dot or hyphen: "Chorus.ai" → "Chorus".
func firstWord(s string) string {
	if i := strings.IndexAny(s, " .-"); i > 0 {
		return s[:i]
	}
	return s
}

// resolveTXTLabel applies the naming convention to a token no catalogued prefix matched.
func (r *Resolver) resolveTXTLabel(normTok string) cand {
	tok := normTok
	if alt, _, ok := orgSuffixed(tok); ok {
		tok = alt // "vendor-domain-verification-b2j0jf=…": the per-organisation suffix is not one of the words
	}
	eq := strings.IndexAny(tok, "=:")
	if eq <= 0 || eq+1 == len(tok) {
		return cand{} // no value: "vendor-verification=" alone proves nothing
	}
	prefix := strings.ToLower(strings.TrimPrefix(tok[:eq], "_"))
	v, ok := r.conventionVendor(strings.FieldsFunc(prefix, func(c rune) bool { return c == '-' || c == '_' || c == '.' }), false)
	if !ok {
		return cand{}
	}
	return cand{kind: kTXTLabel, vendor: v, conf: confTXTLabel, detail: tok[:eq+1]}
}

// resolveOwnerLabel applies the naming convention to a TXT record's name when neither the value nor a catalogued
// record name resolved.
func (r *Resolver) resolveOwnerLabel(owner string) cand {
	first, _, _ := strings.Cut(owner, ".")
	if len(first) < 2 || first[0] != '_' {
		return cand{} // the convention's names are underscored: "vendor-verification.example.org" is a host
	}
	v, ok := r.conventionVendor(strings.FieldsFunc(strings.ToLower(first[1:]), func(c rune) bool { return c == '-' || c == '_' }), true)
	if !ok {
		v, ok = r.bareOwnerVendor(owner)
	}
	if !ok {
		return cand{}
	}
	return cand{kind: kOwnerLabel, vendor: v, conf: confTXTLabel}
}

// bareOwnerVendor names the vendor of a record name that is only an underscore and the vendor's label: "_twilio",
// "_vercel", "_coda.example.org", the form a third of the catalogued owner names take. The label must be one
// vendor's own (as for the convention), at least five characters, and no protocol's or service record's: "_matrix",
// "_caldavs._tcp", "_security" name no vendor.
func (r *Resolver) bareOwnerVendor(owner string) (int32, bool) {
	first, rest, _ := strings.Cut(strings.ToLower(owner), ".")
	label := first[1:]
	if len(label) < 5 || strings.ContainsAny(label, "-_") || txtLabelStop[label] || bareOwnerStop[label] ||
		strings.HasPrefix(rest, "_") {
		return 0, false // short, not one word, a protocol's label, or a service record (_sip._tcp)
	}
	v, ok := r.labels[label]
	return v, ok && v >= 0
}

// bareOwnerStop are one-word underscore labels that name no vendor although some vendor's domain spells them:
// protocols and conventions ("_matrix", "_caldav", "_dnslink", "_domainconnect", "_security" for security.txt), and
// everyday words an organisation may put in its own zone ("_status", "_comment", "_lastupdated"; all seen in public
// zones or close to them). The words are those of catalogued vendors' domains (status.io, about.me, default.com ...).
var bareOwnerStop = map[string]bool{
	"matrix": true, "minecraft": true, "caldav": true, "caldavs": true, "carddav": true, "carddavs": true,
	"imaps": true, "pop3s": true, "smtps": true, "submission": true, "autodiscover": true, "domainconnect": true,
	"dnslink": true, "security": true, "redirect": true, "comment": true, "important": true, "lastupdated": true,
	"status": true, "default": true, "about": true, "archive": true, "cloud": true, "metrics": true, "events": true,
	"remote": true, "internet": true, "platform": true, "media": true, "ticket": true, "tickets": true, "people": true,
	"every": true, "everyone": true, "later": true, "thanks": true, "together": true, "close": true, "plain": true,
	"split": true, "scale": true, "super": true, "green": true, "method": true, "loading": true, "delta": true,
	"builder": true, "remind": true, "enable": true, "remove": true, "format": true, "section": true,
	"channel": true, "counter": true, "reply": true, "names": true, "domains": true, "owner": true, "version": true,
	"serial": true, "contact": true, "admin": true, "hostname": true, "updated": true, "created": true, "notes": true,
}

// conventionVendor returns the vendor whose label parts[0] is when the parts after it are the convention's words
// with a verb among them. In a token every part must be such a word; in a record name (rest) whatever follows the
// verb is the organisation's own.
func (r *Resolver) conventionVendor(parts []string, rest bool) (int32, bool) {
	if len(parts) < 2 || txtLabelStop[parts[0]] {
		return 0, false
	}
	verb := false
	for _, w := range parts[1:] {
		if rest && verb {
			break // the organisation's own words follow the verb
		}
		if !txtLabelWords[w] {
			if rest {
				break // a word outside the convention before the verb: verb stays false
			}
			return 0, false
		}
		verb = verb || txtLabelVerbs[w]
	}
	v, ok := r.labels[parts[0]]
	return v, verb && ok && v >= 0
}

// txtLabelStop are record-name labels of protocols, not vendors ("_acme-challenge" is ACME, RFC 8555).
var txtLabelStop = map[string]bool{"acme": true, "dmarc": true, "domainkey": true, "mta": true, "smtp": true, "tls": true,
	"spf": true, "bimi": true, "dkim": true}
