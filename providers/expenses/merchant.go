package expenses

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MerchantHint is what the normaliser makes of a raw card descriptor: a merchant name to look up in the
// catalogue, and the vendor's domain when the descriptor carries one (ZOOM.US, Mailchimp.Com).
type MerchantHint struct {
	Name   string // upper case words, e.g. "HOTJAR"; "" when nothing is left
	Domain string // lower-case registrable domain, e.g. "zoom.us"; "" when none
}

// maxMerchantName bounds the normalised name.
const maxMerchantName = 64

// processorPrefixes are payment processors and platforms that put their own tag before the merchant's name
// ("SQ *HOTJAR", "PAYPAL *HOOTSUITE", "PP*1234 CANVA"): Square, Toast, PayPal, Shopify, FastSpring, Paddle,
// 2Checkout/Verifone, Digital River, WePay.
var processorPrefixes = map[string]bool{"SQ": true, "SQU": true, "TST": true, "PAYPAL": true, "PP": true,
	"SP": true, "FS": true, "PADDLE.NET": true, "PADDLE": true, "2CO.COM": true, "2CO": true, "DRI": true, "WPY": true}

// processorDomains are never the vendor's own domain.
var processorDomains = map[string]bool{"paypal.com": true, "paddle.net": true, "paddle.com": true,
	"2co.com": true, "fastspring.com": true, "squareup.com": true, "digitalriver.com": true}

var (
	// phonePattern finds a phone number; everything from it on is location noise.
	phonePattern = regexp.MustCompile(`(?:\+?\d{1,3}[-. ]?)?\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}`)
	// domainToken is a host (optionally a URL) with a top-level domain descriptors actually use.
	domainToken = regexp.MustCompile(`^(?:HTTPS?://)?(?:WWW\.)?((?:[A-Z0-9](?:[A-Z0-9-]*[A-Z0-9])?\.)+` +
		`(?:COM|NET|ORG|IO|CO|US|AI|APP|DEV|ME|TV|LY|SO|XYZ|CLOUD|TECH|SH|GG|CC|BIZ|INFO|EU|UK|DE|FR|NL|ES|IT|` +
		`CA|AU|IE|SE|DK|NO|FI|CH|AT|BE|PL|JP|IN|BR|MX|NZ|SG|HK|IL|PT|CZ|EE|LT|LV|IS))(?:/\S*)?$`)
	// csiSequence and oscSequence are terminal escape sequences, dropped whole from the hint.
	csiSequence = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]|\u009b[0-9;?]*[ -/]*[@-~]")
	oscSequence = regexp.MustCompile("\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?")
)

// usRegions are US state and Canadian province codes, dropped from the end of a descriptor.
var usRegions = setOf("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ " +
	"NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR AB BC MB NB NL NS NT NU ON PE QC SK YT")

// countries are country codes and names dropped from the end of a descriptor.
var countries = setOf("US USA UK GB GBR IE IRL NL NLD DE DEU FR FRA ES ESP IT ITA AU AUS NZ NZL SG SGP SE SWE " +
	"DK DNK NO NOR FI FIN CH CHE AT AUT BE BEL PL POL PT PRT JP JPN IN IND BR BRA MX MEX IL ISR EE EST CAN " +
	"LU LUX CZ CZE IRELAND NETHERLANDS GERMANY FRANCE SPAIN ESTONIA ISRAEL CANADA")

// cities are places SaaS vendors commonly bill from; dropped from the end of a descriptor. The list is short on
// purpose: a word that is also part of a vendor name must not be here.
var cities = []string{"SAN FRANCISCO", "SOUTH SAN FRANCISCO", "NEW YORK", "NEW YORK CITY", "NYC", "LOS ANGELES",
	"SAN JOSE", "SAN MATEO", "SAN DIEGO", "PALO ALTO", "MOUNTAIN VIEW", "MENLO PARK", "SUNNYVALE", "REDWOOD CITY",
	"SANTA MONICA", "SANTA CLARA", "OAKLAND", "SEATTLE", "BELLEVUE", "REDMOND", "BOSTON", "CAMBRIDGE", "WALTHAM",
	"ATLANTA", "AUSTIN", "DALLAS", "HOUSTON", "DENVER", "BOULDER", "CHICAGO", "MIAMI", "PHILADELPHIA", "PORTLAND",
	"SALT LAKE CITY", "LEHI", "VANCOUVER", "TORONTO", "MONTREAL", "LONDON", "DUBLIN", "AMSTERDAM", "BERLIN", "PARIS",
	"MADRID", "BARCELONA", "STOCKHOLM", "COPENHAGEN", "HELSINKI", "OSLO", "TALLINN", "VILNIUS", "ZURICH", "MUNICH",
	"SYDNEY", "MELBOURNE", "SINGAPORE", "TEL AVIV", "INTERNET", "ONLINE", "WWW"}

// corporateSuffixes and billingWords are dropped from the end of a name.
var corporateSuffixes = setOf("INC CORP CORPORATION CO COMPANY LLC LLP LP LTD LIMITED GMBH AG BV NV SA SAS SARL " +
	"SL SRL SPA PTY PLC OY AB AS APS KK TECHNOLOGIES TECHNOLOGY SOFTWARE SYSTEMS SOLUTIONS LABS HOLDINGS GROUP")
var billingWords = setOf("BILL BILLING SUBSCRIPTION SUBSCR SUBS RECURRING MONTHLY ANNUAL YEARLY PAYMENT PMT " +
	"PURCHASE HTTPS HTTP WWW COM HELP")

var citySeqs = func() [][]string {
	out := make([][]string, len(cities))
	for i, c := range cities {
		out[i] = strings.Fields(c)
	}
	return out
}()

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// CleanText drops terminal escape sequences, control and invisible formatting characters from s, normalises
// Unicode compatibility forms (full-width letters) and collapses white space. The raw string is kept elsewhere as
// evidence; this is only for matching.
func CleanText(s string) string {
	return strings.Join(strings.Fields(cleanKeepSpaces(s)), " ")
}

// cleanKeepSpaces is CleanText without collapsing runs of spaces (they separate the columns of a fixed-width
// descriptor).
func cleanKeepSpaces(s string) string {
	if strings.ContainsAny(s, "\x1b\u009b") {
		s = oscSequence.ReplaceAllString(s, "")
		s = csiSequence.ReplaceAllString(s, "")
	}
	if !isASCII(s) {
		s = norm.NFKC.String(strings.ToValidUTF8(s, " "))
	}
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (isSpace(r) && r != ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cf, r): // invisible formatting (zero-width space, bidi overrides): gone
		case r == utf8.RuneError || unicode.IsControl(r) || isSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NormaliseMerchant turns a raw card descriptor into a merchant hint:
//   - a processor's tag is dropped ("SQ *HOTJAR" → HOTJAR, "PAYPAL *HOOTSUITE" → HOOTSUITE);
//   - a vendor's own "*" separates its name from product or reference ("MAILCHIMP *MONTHLY" → MAILCHIMP,
//     "CANVA* 04412345678" → CANVA);
//   - a fixed-width descriptor is cut at its first run of spaces (name, then city and state);
//   - a phone number and everything after it is dropped ("ZOOM.US 888-799-9666 CA" → ZOOM);
//   - a domain becomes the domain hint and its name part stays ("SALESFORCE.COM" → SALESFORCE, salesforce.com);
//   - reference numbers (tokens with four or more digits, or mostly digits) are dropped;
//   - trailing state, country, well-known billing city, corporate suffix (INC, LLC, GMBH, TECHNOLOGIES…) and billing words
//     (BILL, SUBSCRIPTION, MONTHLY…) are dropped, never the first word.
func NormaliseMerchant(raw string) MerchantHint {
	s := strings.ToUpper(strings.TrimSpace(cleanKeepSpaces(raw)))
	s = strings.TrimLeft(s, "=+-@ ") // formula lead characters are never part of a name
	for range 2 {
		p, after, ok := strings.Cut(s, "*")
		if !ok || !processorPrefixes[strings.TrimSpace(p)] {
			break
		}
		s = strings.TrimLeft(after, " ")
	}
	// Fixed-width exports pad the name before the city: keep the first column.
	if i := strings.Index(s, "  "); i > 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return MerchantHint{}
	}
	h := MerchantHint{}
	// Domain: the first token that is a host with a known TLD, anywhere in the descriptor.
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '*' || r == ',' }) {
		if m := domainToken.FindStringSubmatch(tok); m != nil {
			if d := registrable(strings.ToLower(m[1])); !processorDomains[d] {
				h.Domain = d
				break
			}
		}
	}
	// Name: what comes before a vendor's own "*", else the whole.
	if p, after, ok := strings.Cut(s, "*"); ok {
		if strings.TrimSpace(p) != "" {
			s = p
		} else {
			s = after
		}
	}
	if loc := phonePattern.FindStringIndex(s); loc != nil && loc[0] > 0 {
		s = s[:loc[0]]
	}
	words := nameWords(s)
	words = dropReferences(words)
	words = dropTail(words)
	name := strings.Join(words, " ")
	if name == "" { // a descriptor made only of noise: keep something recognisable
		name = strings.Join(nameWords(strings.ToUpper(CleanText(raw))), " ")
	}
	h.Name = truncateWords(name, maxMerchantName)
	return h
}

// registrable cuts a host to its registrable domain: the last two labels, or three under a two-level
// country suffix (co.uk, com.au).
func registrable(host string) string {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	n := 2
	if len(labels) >= 3 {
		sl := labels[len(labels)-2]
		if len(labels[len(labels)-1]) == 2 && (sl == "co" || sl == "com" || sl == "org" || sl == "net" || sl == "ac") {
			n = 3
		}
	}
	if len(labels) < n {
		return host
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

// nameWords splits a descriptor into words of letters, digits and "&". A leading domain keeps only its name label
// (SALESFORCE.COM → SALESFORCE); a later one is a billing URL and is dropped.
func nameWords(s string) []string {
	var out []string
	for i, tok := range strings.Fields(s) {
		if m := domainToken.FindStringSubmatch(tok); m != nil {
			if i > 0 {
				continue // a billing URL after the name
			}
			d := registrable(strings.ToLower(m[1]))
			tok = strings.ToUpper(strings.SplitN(d, ".", 2)[0])
		}
		tok = strings.ReplaceAll(tok, "'", "")
		tok = strings.ReplaceAll(tok, "’", "")
		for _, w := range strings.FieldsFunc(tok, func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '&')
		}) {
			if w != "&" {
				out = append(out, w)
			}
		}
	}
	return out
}

// dropReferences removes reference-number words (not the first word).
func dropReferences(words []string) []string {
	if len(words) == 0 {
		return words
	}
	out := words[:1]
	if len(words) > 1 && countDigits(words[0]) >= 4 {
		out = out[:0]
	}
	for _, w := range words[1:] {
		if !isReference(w) {
			out = append(out, w)
		}
	}
	return out
}

func countDigits(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			n++
		}
	}
	return n
}

func isReference(w string) bool {
	digits := 0
	n := 0
	for _, r := range w {
		n++
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 4 || (n >= 3 && digits*2 >= n) || (digits > 0 && digits == n)
}

// dropTail removes trailing location, corporate and billing words, keeping at least the first word.
func dropTail(words []string) []string {
	for len(words) > 1 {
		last := words[len(words)-1]
		if usRegions[last] || countries[last] || corporateSuffixes[last] || billingWords[last] {
			words = words[:len(words)-1]
			continue
		}
		cut := false
		for _, c := range citySeqs {
			if len(c) < len(words) && equalWords(words[len(words)-len(c):], c) {
				words = words[:len(words)-len(c)]
				cut = true
				break
			}
		}
		if !cut {
			break
		}
	}
	return words
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func truncateWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n+1], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimSpace(s[:cut])
}

// Slug is the merchant name as it appears in record IDs: lower case, words joined by "-".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
