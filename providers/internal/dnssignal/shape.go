package dnssignal

import "github.com/shadowscan/shadowscan/scanner"

// Attributes declares the dns_record attributes this package sets, for the providers that emit its records (dns,
// and aws for Route 53).
var Attributes = []scanner.Attribute{
	scanner.Attr(AttrName, scanner.TypeString, "record name"),
	scanner.Attr(AttrType, scanner.TypeString, "record type (TXT, CNAME, MX, NS)"),
	scanner.Attr(AttrZone, scanner.TypeString, "the apex domain the record belongs to"),
	scanner.Attr(AttrValue, scanner.TypeString, "raw record value (TXT strings joined)"),
	scanner.Attr(AttrTTL, scanner.TypeInt, "TTL in seconds, when known"),
	scanner.Attr(AttrSignal, scanner.TypeString, "spf_include, txt_token, dmarc, dkim, cname, mx or ns"),
	scanner.Attr(AttrSPFOwn, scanner.TypeBool, "the SPF include/redirect host is inside the zone (no vendor hint)"),
	scanner.Attr(AttrSPFPath, scanner.TypeStrings, "SPF: the root record name, intermediate includes, this host"),
	scanner.Attr(AttrSPFDepth, scanner.TypeInt, "SPF: 1 for a host named in the root record"),
	scanner.Attr(AttrSPFMechanism, scanner.TypeString, "SPF: include or redirect"),
	scanner.Attr(AttrSPFAll, scanner.TypeString, `SPF: qualifier of the root record's all ("-", "~", "?", "+"), or ""`),
	scanner.Attr(AttrSPFLookups, scanner.TypeInt, "SPF: DNS-querying terms in the root record alone"),
	scanner.Attr(AttrSPFErrors, scanner.TypeStrings, "SPF: syntax errors in the root record"),
	scanner.Attr(AttrSPFDuplicate, scanner.TypeBool, "SPF: more than one v=spf1 record at the name (a permerror)"),
	scanner.Attr(AttrSPFLookupsTotal, scanner.TypeInt, "SPF: DNS-querying terms over the whole include tree"),
	scanner.Attr(AttrSPFTooMany, scanner.TypeBool, "SPF: over RFC 7208's limit of 10 lookups"),
	scanner.Attr(AttrSPFLoop, scanner.TypeBool, "SPF: an include loop was found"),
	scanner.Attr(AttrSPFProblems, scanner.TypeStrings, "SPF: every problem found in the include tree"),
	scanner.Attr(AttrSPFNotFollowed, scanner.TypeStrings, "SPF: hosts the source could not read (outside a zone)"),
	scanner.Attr(AttrTXTPrefix, scanner.TypeString, "verification token prefix up to and including '=' or ':'"),
	scanner.Attr(AttrDMARCPolicy, scanner.TypeString, "DMARC: p= of the record"),
	scanner.Attr(AttrDMARCTags, scanner.TypeStrings, "DMARC: rua and/or ruf, the tags naming this destination"),
	scanner.Attr(AttrDMARCAddresses, scanner.TypeStrings, "DMARC: the report URIs naming this destination"),
	scanner.Attr(AttrDKIMSelector, scanner.TypeString, "DKIM: the selector label(s) before ._domainkey"),
	scanner.Attr(AttrDKIMKeyPresent, scanner.TypeBool, "DKIM: a v=DKIM1 record with a non-empty p= was seen"),
	scanner.Attr(AttrCNAMETarget, scanner.TypeString, "CNAME: the final target"),
	scanner.Attr(AttrCNAMEChain, scanner.TypeStrings, "CNAME: every hop after the name; the last is the final target"),
	scanner.Attr(AttrSubdomain, scanner.TypeString, `the name relative to the zone ("go" for go.example.com)`),
	scanner.Attr(AttrMXPreference, scanner.TypeInt, "MX preference"),
	scanner.Attr(AttrResolves, scanner.TypeBool, "the final CNAME target has an address (live DNS only)"),
	scanner.Attr(AttrDangling, scanner.TypeBool, "the final CNAME target does not exist (subdomain takeover risk)"),
}
