package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalisation of display names and card merchant descriptors.
//
// A descriptor is upper-cased, accents are folded to ASCII, apostrophes are dropped ("MACY'S" → "MACYS") and every
// other non-alphanumeric character separates tokens. A '*' is remembered on the token before it, because card
// processors put their own name there ("SQ *HOTJAR", "PAYPAL *CANVA", "HUBSPOT* INC"). A trailing run of three or
// more digits is split off a word of three or more letters ("ADS1234" → "ADS 1234", but not a catalogued name). "WWW", "HTTP" and "HTTPS" never count as tokens; "COM"
// is kept as a noise token, so that "SALESFORCE.COM" matches Salesforce while the catalogue merchant "MONDAY.COM"
// does not match "MONDAY MARKET DELI".
//
// Tokens are then classified: numbers, references ("P1234", "T01ABC2DEF"), legal suffixes ("INC", "GMBH"), billing
// words ("MONTHLY"), places ("SAN FRANCISCO CA") and a payment processor before a '*' are noise. The resolver
// matches catalogue names on the remaining tokens and requires everything around a match to be noise unless the match is distinctive
// (see index_names.go).

// tokFlag describes one token.
type tokFlag uint8

const (
	tokStar     tokFlag = 1 << iota // followed by '*'
	tokDigits                       // only digits
	tokRef                          // letters and digits mixed like a reference number
	tokNoise                        // a noise word (legal suffix, billing word, place, processor, TLD)
	tokSubtitle                     // in a name hint, after "FOR": names the platform, not the vendor
)

// normTok is one token of a normalised string: buf[s:e].
type normTok struct {
	s, e  int32
	flags tokFlag
}

// normBuf is scratch space for normalising one string; the resolver pools them.
type normBuf struct {
	vocab   map[string]struct{} // catalogued name tokens, never split ("CM360"); may be nil
	words   map[string]struct{} // catalogued one-word names, split off a glued billing word ("LINKEDINPRE"); may be nil
	noSplit bool                // never split a number off a word (for catalogue names)
	b       []byte
	toks    []normTok
	del     []byte // deletion neighbourhood scratch for fuzzy lookups
	hits    []nameHit
}

func (nb *normBuf) text(t normTok) string { return bytesView(nb.b[t.s:t.e]) }

// foldRune maps common accented Latin letters to their ASCII base letter (upper case). ok is false for runes that
// are not letters or digits.
func foldRune(r rune) (byte, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A'), true
	case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return byte(r), true
	case r < utf8.RuneSelf:
		return 0, false
	}
	switch unicode.ToUpper(r) {
	case 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å', 'Ā', 'Ă', 'Ą':
		return 'A', true
	case 'Ç', 'Ć', 'Č':
		return 'C', true
	case 'Ď', 'Đ':
		return 'D', true
	case 'È', 'É', 'Ê', 'Ë', 'Ē', 'Ė', 'Ę', 'Ě':
		return 'E', true
	case 'Ğ':
		return 'G', true
	case 'Ì', 'Í', 'Î', 'Ï', 'Ī', 'Į', 'İ':
		return 'I', true
	case 'Ł':
		return 'L', true
	case 'Ñ', 'Ń', 'Ň':
		return 'N', true
	case 'Ò', 'Ó', 'Ô', 'Õ', 'Ö', 'Ø', 'Ō', 'Ő':
		return 'O', true
	case 'Ř':
		return 'R', true
	case 'Ś', 'Š', 'Ş':
		return 'S', true
	case 'Ť', 'Ţ':
		return 'T', true
	case 'Ù', 'Ú', 'Û', 'Ü', 'Ū', 'Ů', 'Ű', 'Ų':
		return 'U', true
	case 'Ý', 'Ÿ':
		return 'Y', true
	case 'Ź', 'Ż', 'Ž':
		return 'Z', true
	}
	return 0, false
}

// tokenize fills nb with the tokens of s. nameMode marks tokens after a "FOR" (as in "Mailchimp for Gmail") as a
// subtitle.
func (nb *normBuf) tokenize(s string, nameMode bool) {
	nb.b = nb.b[:0]
	nb.toks = nb.toks[:0]
	start := -1
	end := func() {
		if start >= 0 {
			nb.addToken(start, len(nb.b))
			start = -1
		}
	}
	for _, r := range s {
		switch r {
		case '\'', '’', '`', '´':
			continue // joins: MACY'S → MACYS
		case '*':
			end()
			if n := len(nb.toks); n > 0 {
				nb.toks[n-1].flags |= tokStar
			}
			continue
		}
		c, ok := foldRune(r)
		if !ok {
			end()
			continue
		}
		if start < 0 {
			start = len(nb.b)
			if len(nb.b) > 0 {
				nb.b = append(nb.b, ' ')
				start++
			}
		}
		nb.b = append(nb.b, c)
	}
	end()
	for i, t := range nb.toks {
		if t.e-t.s == 1 && t.flags&tokNoise == 0 &&
			(i > 0 && nb.toks[i-1].e-nb.toks[i-1].s == 1 || i+1 < len(nb.toks) && nb.toks[i+1].e-nb.toks[i+1].s == 1) {
			nb.toks[i].flags |= tokNoise
		}
	}
	if !nameMode {
		// An ACH line names the receiver after "INDN" (the organisation itself, or a person): not the vendor.
		for i := 1; i < len(nb.toks); i++ {
			if nb.text(nb.toks[i]) == "INDN" {
				for j := i; j < len(nb.toks); j++ {
					nb.toks[j].flags |= tokNoise
				}
				break
			}
		}
	}
	if nameMode {
		for i := 1; i < len(nb.toks); i++ {
			if nb.text(nb.toks[i]) == "FOR" && i+1 < len(nb.toks) {
				for j := i; j < len(nb.toks); j++ {
					nb.toks[j].flags |= tokSubtitle | tokNoise
				}
				break
			}
		}
	}
}

// addToken appends buf[s:e] as a token (or two, when a number is split off), classifying it.
func (nb *normBuf) addToken(s, e int) {
	// A web address glued to its scheme or "www" ("HTTPSGITHUB", "WWWCANVA"): drop the prefix.
	for k := urlPrefixLen(nb.b[s:e]); k > 0; k = urlPrefixLen(nb.b[s:e]) {
		copy(nb.b[s:], nb.b[s+k:e])
		e -= k
		nb.b = nb.b[:e]
	}
	w := bytesView(nb.b[s:e])
	switch w {
	case "WWW", "HTTP", "HTTPS":
		// Drop the token and the space before it.
		if s > 0 {
			s--
		}
		nb.b = nb.b[:s]
		return
	}
	// Split a trailing run of 3+ digits off a word of 2+ letters: ADS1234 → ADS 1234, HOTJAR2024 → HOTJAR 2024.
	letters := 0
	for letters < len(w) && isUpperByte(w[letters]) {
		letters++
	}
	_, known := nb.vocab[w]
	if !nb.noSplit && !known && letters >= 3 && len(w)-letters >= 3 && allDigitsStr(w[letters:]) {
		nb.toks = append(nb.toks, normTok{s: int32(s), e: int32(s + letters), flags: classifyToken(w[:letters])})
		// Insert a space between the word and the number.
		nb.b = append(nb.b, 0)
		copy(nb.b[s+letters+1:], nb.b[s+letters:])
		nb.b[s+letters] = ' '
		nb.toks = append(nb.toks, normTok{s: int32(s + letters + 1), e: int32(e + 1), flags: tokDigits | tokNoise})
		return
	}
	// Split a catalogued name off a billing word glued to it: LINKEDINPRE → LINKEDIN PRE, CANVAPTY → CANVA PTY.
	if n := nb.gluedNameLen(w, known, letters); n > 0 {
		nb.toks = append(nb.toks, normTok{s: int32(s), e: int32(s + n), flags: classifyToken(w[:n])})
		nb.b = append(nb.b, 0)
		copy(nb.b[s+n+1:], nb.b[s+n:])
		nb.b[s+n] = ' '
		nb.toks = append(nb.toks, normTok{s: int32(s + n + 1), e: int32(e + 1), flags: tokNoise})
		return
	}
	nb.toks = append(nb.toks, normTok{s: int32(s), e: int32(e), flags: classifyToken(w)})
}

// urlPrefixLen returns the length of a "HTTPS", "HTTP" + "WWW" or "WWW" prefix glued to three or more further
// characters of token w, or 0: "HTTPSGITHUB" → 5, "WWWCANVA" → 3, "HTTPIE" → 0.
func urlPrefixLen(w []byte) int {
	for _, p := range [...]string{"HTTPSWWW", "HTTPWWW", "HTTPS", "WWW"} {
		if len(w) >= len(p)+3 && string(w[:len(p)]) == p {
			return len(p)
		}
	}
	return 0
}

// gluedNameLen returns the length of a catalogued one-word name that all-letter token w starts with, when the rest of
// w is one or more noise words of two or more letters each (LINKEDINPRE, SALESFORCECOM, HOTJARLTD,
// ADOBESYSTEMSINC, ZOOMINFOTECHNOLOGIESLLC), or 0. The name must be a whole vendor name, not a word of a longer one
// (NETWORKSOLUTIONS stays whole), and have four or more letters; a four-letter name is split only off a company's
// registered-name tail, a legal suffix of three or more letters or noise words ending in a legal suffix (LOOMINC,
// ZOOMVIDEOCO, GONGIOINC), never off a place or billing word (ZOOMUS, ZOOMVIDEO stay whole).
func (nb *normBuf) gluedNameLen(w string, known bool, letters int) int {
	if nb.noSplit || known || nb.words == nil || letters != len(w) || len(w) < 7 {
		return 0
	}
	for n := len(w) - 2; n >= 4; n-- {
		if _, ok := nb.words[w[:n]]; !ok {
			continue
		}
		if words := noiseRun(w[n:]); words > 0 && (n >= 5 || legalSuffixEnd(w[n:], words)) {
			return n
		}
	}
	return 0
}

// noiseRun returns how many noise words (each of two or more letters) s is made of, fewest first, or 0 when it is
// not made of noise words alone or is longer than maxNoiseRun: "SYSTEMSINC" → 2, "LTD" → 1, "SYSTEMSX" → 0.
func noiseRun(s string) int {
	if len(s) < 2 || len(s) > maxNoiseRun {
		return 0
	}
	// best[i]: fewest noise words that make up s[i:] (0: none do); filled from the end, O(len²) look-ups.
	var best [maxNoiseRun + 1]uint8
	for i := len(s) - 2; i >= 0; i-- {
		for j := i + 2; j <= len(s); j++ {
			if j < len(s) && best[j] == 0 {
				continue
			}
			if _, ok := normNoise[s[i:j]]; !ok {
				continue
			}
			if k := best[j] + 1; best[i] == 0 || k < best[i] {
				best[i] = k
			}
		}
	}
	return int(best[0])
}

// maxNoiseRun bounds the glued noise words noiseRun looks at: a squashed registered name is short.
const maxNoiseRun = 32

// legalSuffixEnd reports whether s, made of the given number of noise words, ends in a legal suffix: of three or
// more letters when it is the only word (INC, CORPORATION: ZOHOINC, LOOMINC; not US in ZOOMUS), of two or more after
// other noise words (VIDEOCO, IOINC).
func legalSuffixEnd(s string, words int) bool {
	for w := range normLegal {
		if (len(w) >= 3 || words >= 2 && len(w) >= 2) && len(w) <= len(s) && strings.HasSuffix(s, w) &&
			(words >= 2 || len(w) == len(s)) {
			return true
		}
	}
	return false
}

func isUpperByte(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func allDigitsStr(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigitByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// classifyToken returns the flags of one token.
func classifyToken(w string) tokFlag {
	digits, letters := 0, 0
	for i := 0; i < len(w); i++ {
		if isDigitByte(w[i]) {
			digits++
		} else {
			letters++
		}
	}
	switch {
	case letters == 0:
		return tokDigits | tokNoise
	case digits > 0 && isRef(w, digits):
		return tokRef | tokNoise
	case len(w) == 2 && digits == 0:
		return tokNoise // state and country codes, "SQ", "PP", "IN"
	case len(w) == 1:
		return 0 // noise only next to another single letter ("S.L.", "B.V."), see tokenize: not the K of CIRCLE K
	}
	if _, ok := normNoise[w]; ok {
		return tokNoise
	}
	return 0
}

// isRef reports whether a token mixing letters and digits looks like a reference number rather than a name:
// "P1234", "T01ABC2DEF" and "AB12CD" are references; "6SENSE", "15FIVE" and "AUTH0" are names.
func isRef(w string, digits int) bool {
	lead := 0
	for lead < len(w) && isDigitByte(w[lead]) {
		lead++
	}
	if lead > 0 && lead <= 3 && len(w)-lead >= 4 && !strings.ContainsAny(w[lead:], "0123456789") {
		return false // 6SENSE, 360LEARNING, 99DESIGNS
	}
	return digits >= 2 || len(w) >= 6
}

// noisy reports whether token i counts as noise around a match. The last token may be cut off by the card network's
// field length ("ZOOMINFO TECHNOLOG"), so a prefix of four or more letters of a noise word counts there.
func (nb *normBuf) noisy(i int) bool {
	t := nb.toks[i]
	if t.flags&tokNoise != 0 {
		return true
	}
	w := nb.text(t)
	if t.flags&tokStar != 0 {
		if _, ok := normMarketplaces[w]; ok {
			return true // GOOGLE *CANVA: bought through Google Play
		}
		if isProcessorWord(w) {
			return true // PAYPAL *CANVA
		}
	}
	if isProcessorWord(w) && i+1 < len(nb.toks) && nb.toks[i+1].flags&(tokStar|tokNoise) == tokStar|tokNoise {
		return true // PADDLE.NET* N8N
	}
	if i == len(nb.toks)-1 && t.e-t.s >= 4 && len(nb.b) >= truncatedLen {
		if _, ok := normNoisePrefixes[w]; ok {
			return true
		}
	}
	if i == len(nb.toks)-1 && i > 0 && (gluedPlace(w) || t.e-t.s == 1 && nb.noisy(i-1)) {
		return true // a glued city, or the first letter of a cut-off noise word ("TAPLIO.COM/B", "TRIAL O")
	}
	return false
}

// gluedPlace reports whether w is a city or country of five or more letters with the last one to three characters
// of a cut-off merchant name glued before it, as card programmes that print the name field and the city field
// without a space do: "LINKEDIN JOB PDUBLIN", "EMPIK SAWARSZAWA".
func gluedPlace(w string) bool {
	for n := 1; n <= 3 && len(w)-n >= 5; n++ {
		if _, ok := normPlaces[w[n:]]; ok {
			return true
		}
	}
	return false
}

// truncatedLen is the shortest normalised descriptor whose last word may have been cut off: card networks cut the
// merchant name at 22 or 25 characters and some banks' exports at 15 ("OUTREACH CORPOR"), so "ZOOMINFO TECHNOLOG"
// (18) is cut but "GHOST KITCHEN" (13) is whole and KITCHEN is not KITCHENER.
const truncatedLen = 15

// leadNoisy reports whether token i may stand before a vendor name in a card descriptor. Statements start with the
// merchant, perhaps after a processor or marketplace prefix ("SQ *", "GOOGLE *"), bank words ("RECURRING CARD
// PURCHASE"), dates and reference numbers; a billing word, place or legal suffix there is part of another merchant's
// name: "BUSINESS INSIDER SUBSCRIPTION" is not the vendor Insider.
func (nb *normBuf) leadNoisy(i int) bool {
	if !nb.noisy(i) {
		return false
	}
	t := nb.toks[i]
	if t.flags&(tokDigits|tokRef|tokStar) != 0 || t.e-t.s <= 2 {
		return true
	}
	w := nb.text(t)
	if _, bank := normBankWords[w]; bank {
		return true
	}
	if isProcessorWord(w) {
		return true // PADDLE NET* N8N
	}
	_, other := normNoise[w]
	return !other
}

// NormalizeMerchant returns the canonical form of a card merchant descriptor or display name: upper case, accents
// folded, processor prefixes ("SQ *", "PAYPAL *", "TST*"), reference and phone numbers, "COM"/"WWW", legal suffixes
// and a trailing place ("SAN FRANCISCO CA") removed, tokens joined by single spaces. "SQ *HOTJAR" → "HOTJAR",
// "ZOOM.US 888-799-9666" → "ZOOM", "GOOGLE *ADS1234" → "GOOGLE ADS", "HUBSPOT* INC" → "HUBSPOT". Providers may
// use it to group descriptors; the resolver accepts raw and normalised descriptors alike, and
// NormalizeMerchant(NormalizeMerchant(s)) == NormalizeMerchant(s).
func NormalizeMerchant(s string) string {
	var nb normBuf
	nb.tokenize(s, false)
	keep := make([]bool, len(nb.toks))
	for i, t := range nb.toks {
		w := nb.text(t)
		switch {
		case t.flags&(tokDigits|tokRef) != 0:
		case w == "COM":
		case isLegalSuffix(w):
		case t.flags&tokStar != 0 && isProcessorWord(w) && i+1 < len(nb.toks):
		default:
			keep[i] = true
		}
	}
	// A leading multi-token processor (PADDLE NET*).
	if len(nb.toks) > 2 && nb.text(nb.toks[0]) == "PADDLE" && nb.text(nb.toks[1]) == "NET" && nb.toks[1].flags&tokStar != 0 {
		keep[0], keep[1] = false, false
	}
	// Leading bank words ("RECURRING CARD PURCHASE", "POS DEBIT").
	for i := range nb.toks {
		if !keep[i] {
			continue
		}
		if _, ok := normBankWords[nb.text(nb.toks[i])]; !ok {
			break
		}
		keep[i] = false
	}
	// Trailing places, country codes and legal suffixes, but never the first kept token.
	first := -1
	for i := range keep {
		if keep[i] {
			first = i
			break
		}
	}
	for i := len(nb.toks) - 1; i > first && first >= 0; i-- {
		if !keep[i] {
			continue
		}
		w := nb.text(nb.toks[i])
		if _, ok := normPlaces[w]; ok || len(w) <= 2 {
			keep[i] = false
			continue
		}
		break
	}
	var sb strings.Builder
	for i, t := range nb.toks {
		if !keep[i] {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(nb.text(t))
	}
	return sb.String()
}

func isLegalSuffix(w string) bool {
	_, ok := normLegal[w]
	return ok
}

func isProcessorWord(w string) bool {
	_, ok := normProcessors[w]
	return ok
}

func wordSet(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// Word lists. They are deliberately conservative: a word here can never identify a vendor on its own, and it lets
// a vendor name next to it count as the whole descriptor.
var (
	normLegal = wordSet("INC", "INCORPORATED", "LLC", "LLP", "LP", "LTD", "LIMITED", "PLC", "CORP", "CORPORATION",
		"CO", "COMPANY", "GMBH", "AG", "BV", "NV", "SA", "SAS", "SARL", "SL", "SRL", "SPA", "AB", "AS", "APS", "OY",
		"PTY", "PTE", "KK", "ULC", "SE", "KG", "UG", "OU",
		// public benefit corporations and other countries' company forms
		"PBC", "LTDA", "SAU", "SLU", "SRO", "KFT", "ZRT", "OOO", "DOO", "EOOD", "OYJ", "ASA", "PVT", "BHD", "SDN",
		"SASU", "EURL", "SPZOO")

	// normProcessors put their name before a '*' on the statement, followed by the real merchant.
	normProcessors = wordSet("SQ", "TST", "PAYPAL", "PP", "SP", "IN", "WPY", "FS", "FSP", "DRI", "2CO", "PADDLE", "LEMSQZY",
		"CKO", "BT", "PY", "EB", "SMK", "ZTL", "CHARGEBEE", "STRIPE", "BILL", "CLOVER", "TOAST", "INTUIT", "APLPAY",
		"GPAY", "NET", "AVANGATE", "2CHECKOUT", "XSOLLA", "CLEVERBRIDGE", "MYCOMMERCE", "BLUESNAP", "PAYPRO", "SUMUP",
		"ZETTLE", "IZ", "FASTSPRING", "SHAREIT", "DLOCAL", "EBANX", "PAYU", "DNH", "MERCADOPAGO", "PAGSEGURO", "RAZORPAY",
		"PAYMENTWALL",
		// FastSpring's other prefix, Amazon Pay, EBANX, CCV (NL), Curve, PagSeguro, Vindi and iugu (BR)
		"FSPRG", "AMZ", "EBN", "CCV", "CRV", "PAG", "VINDI", "IUGU",
		// Indian payment gateways: Razorpay's short prefix, CCAvenue, Paytm
		"RAZ", "CCAVENUE", "PAYTM",
		// Booking, ordering and ticketing platforms that take payment for a studio, salon or restaurant and put their
		// name before it ("MINDBODY*YOGA STUDIO"): the card paid that business, not a subscription to the platform.
		"MINDBODY", "VAGARO", "FRESHA", "GLOSSGENIUS", "SCHEDULICITY", "STYLESEAT", "CHOWNOW", "TOUCHBISTRO",
		"SPOTON", "GRUBHUB", "DOORDASH", "TICKETSPICE")

	// normMarketplaces sell other vendors' apps under their own name before a '*': GOOGLE *CANVA.
	normMarketplaces = wordSet("GOOGLE", "APPLE", "AMZN", "AMAZON", "MSFT")

	// normBankWords lead some statement lines: "RECURRING CARD PURCHASE 04/12 MAILCHIMP".
	normBankWords = wordSet("REFUND", "REVERSAL", "RETURN", "CHARGEBACK", "RECURRING", "CARD", "PURCHASE", "POS", "DEBIT", "CREDIT", "CHECKCARD", "VISA", "MASTERCARD",
		"AMEX", "ACH", "AUTHORIZED", "ON", "PMT", "PAYMENT", "ONLINE", "INTL", "INTERNATIONAL", "TRANSACTION", "FEE",
		"WITHDRAWAL", "PREAUTHORIZED", "PREAUTH", "DDA", "XFER", "REF",
		// ACH entry fields (ORIG CO NAME:, DES:, ID:, INDN:, CO ID:) and standard entry class codes
		"ORIG", "DES", "ID", "INDN", "CCD", "PPD", "CTX", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
		"AUG", "SEP", "SEPT", "OCT", "NOV", "DEC")

	normPlaces = wordSet(
		// countries and their codes
		"USA", "US", "UK", "GB", "GBR", "IRL", "IRELAND", "CANADA", "CAN", "MALTA", "MLT", "DEU", "GERMANY", "FRANCE",
		"FRA", "SPAIN", "ESP", "NETHERLANDS", "NLD", "HOLLAND", "AUSTRALIA", "AUS", "SINGAPORE", "SGP", "ISRAEL",
		"ISR", "SWEDEN", "SWE", "DENMARK", "DNK", "NORWAY", "NOR", "FINLAND", "FIN", "BELGIUM", "BEL", "SWITZERLAND",
		"CHE", "AUSTRIA", "AUT", "ITALY", "ITA", "POLAND", "POL", "PORTUGAL", "PRT", "ESTONIA", "EST", "CZECH",
		"INDIA", "IND", "JAPAN", "JPN", "BRAZIL", "BRA", "MEXICO", "MEX", "LUXEMBOURG", "LUX", "LITHUANIA", "LTU",
		"ZEALAND", "NZL", "CYPRUS", "CYP", "BULGARIA", "ROMANIA", "UKRAINE", "KINGDOM", "UNITED", "STATES",
		// US states spelled out
		"CALIFORNIA", "MASSACHUSETTS", "WASHINGTON", "TEXAS", "FLORIDA", "GEORGIA", "COLORADO", "ILLINOIS", "UTAH",
		"DELAWARE", "VIRGINIA", "OREGON", "ARIZONA", "OHIO", "MICHIGAN", "MINNESOTA", "CAROLINA", "JERSEY",
		// cities where software vendors bill from
		"SAN", "SANTA", "FRANCISCO", "JOSE", "DIEGO", "MATEO", "CLARA", "MONICA", "BARBARA", "LOS", "ANGELES", "NEW",
		"YORK", "NYC", "BOSTON", "CAMBRIDGE", "SOMERVILLE", "WALTHAM", "BURLINGTON", "SEATTLE", "BELLEVUE", "REDMOND",
		"KIRKLAND", "PORTLAND", "AUSTIN", "DALLAS", "HOUSTON", "DENVER", "BOULDER", "CHICAGO", "ATLANTA", "MIAMI",
		"PALO", "ALTO", "MOUNTAIN", "VIEW", "MENLO", "PARK", "SUNNYVALE", "CUPERTINO", "OAKLAND", "BERKELEY",
		"EMERYVILLE", "LEHI", "PROVO", "SALT", "LAKE", "CITY", "PHOENIX", "SCOTTSDALE", "NASHVILLE", "RALEIGH",
		"DURHAM", "CHARLOTTE", "PHILADELPHIA", "PITTSBURGH", "BALTIMORE", "DC", "ARLINGTON", "RESTON", "HERNDON",
		"INDIANAPOLIS", "COLUMBUS", "DETROIT", "MINNEAPOLIS", "MADISON", "SAINT", "ST", "LOUIS", "VEGAS", "LAS",
		"TORONTO", "VANCOUVER", "MONTREAL", "OTTAWA", "WATERLOO", "KITCHENER", "CALGARY",
		"LONDON", "DUBLIN", "CORK", "MANCHESTER", "EDINBURGH", "BELFAST", "PARIS", "LYON", "BERLIN", "MUNICH",
		"MUENCHEN", "HAMBURG", "COLOGNE", "KOELN", "AMSTERDAM", "ROTTERDAM", "UTRECHT", "BRUSSELS", "ANTWERP",
		"GHENT", "ZURICH", "GENEVA", "VIENNA", "WIEN", "COPENHAGEN", "STOCKHOLM", "OSLO", "HELSINKI", "TALLINN",
		"RIGA", "VILNIUS", "WARSAW", "KRAKOW", "PRAGUE", "BUDAPEST", "LISBON", "PORTO", "MADRID", "BARCELONA",
		"VALENCIA", "MILAN", "ROME", "ATHENS", "SOFIA", "BUCHAREST", "KYIV", "VALLETTA", "JULIANS", "SLIEMA",
		"GZIRA", "TEL", "AVIV", "HERZLIYA", "SYDNEY", "SURRY", "HILLS", "MELBOURNE", "BRISBANE", "PERTH",
		"AUCKLAND", "WELLINGTON", "TOKYO", "BANGALORE", "BENGALURU", "CHENNAI", "MUMBAI", "PUNE", "HYDERABAD",
		"GURGAON", "NOIDA", "DELHI", "HONG", "KONG", "SHANGHAI", "SEOUL", "TAIPEI", "SAO", "PAULO", "LIMASSOL",
		"NICOSIA", "LUXEMBURG", "GREAT", "NECK", "HEMPSTEAD",
		"WARSZAWA", "POZNAN", "WROCLAW", "GDANSK", "KATOWICE", "KALISZ", "LODZ", "BRNO", "BRATISLAVA", "LJUBLJANA",
		"ZAGREB", "BELGRADE", "BEOGRAD", "TBILISI", "YEREVAN", "ISTANBUL", "DUBAI", "CAIRO", "LAGOS", "NAIROBI",
		"JOHANNESBURG", "CAPE", "TOWN", "BOGOTA", "MEDELLIN", "LIMA", "SANTIAGO", "BUENOS", "AIRES", "MONTEVIDEO",
		"GUADALAJARA", "MONTERREY", "JAKARTA", "MANILA", "BANGKOK", "HANOI", "KUALA", "LUMPUR", "SHENZHEN",
		"BEIJING", "OSAKA", "ESPOO", "TAMPERE", "GOTHENBURG", "GOTEBORG", "MALMO", "AARHUS", "BERGEN", "EINDHOVEN",
		"HAARLEM", "LEIDEN", "DELFT", "ANTWERPEN", "GENT", "LEUVEN", "LIEGE", "BASEL", "BERN", "LAUSANNE", "ZUG",
		"GRAZ", "LINZ", "SALZBURG", "FRANKFURT", "STUTTGART", "DUSSELDORF", "DUESSELDORF", "LEIPZIG", "DRESDEN",
		"HANNOVER", "NUREMBERG", "NUERNBERG", "KARLSRUHE", "BORDEAUX", "TOULOUSE", "NANTES", "LILLE", "MARSEILLE",
		"NICE", "SEVILLA", "MALAGA", "BILBAO", "TURIN", "TORINO", "BOLOGNA", "FLORENCE", "NAPLES", "BRISTOL",
		"LEEDS", "GLASGOW", "BIRMINGHAM", "LIVERPOOL", "OXFORD", "READING", "GALWAY", "LIMERICK", "HALIFAX",
		"WINNIPEG", "EDMONTON", "VICTORIA", "QUEBEC", "ADELAIDE", "CANBERRA", "HOBART", "CHRISTCHURCH",
		"SACRAMENTO", "IRVINE", "PASADENA", "GLENDALE", "BURBANK", "FREMONT", "PLEASANTON", "REDWOOD", "SHORES",
		"FOSTER", "BRISBANE", "SAUSALITO", "TAMPA", "ORLANDO", "JACKSONVILLE", "LOUISVILLE", "MEMPHIS",
		"CINCINNATI", "CLEVELAND", "MILWAUKEE", "OMAHA", "KANSAS", "TULSA", "ALBUQUERQUE", "TUCSON", "BOISE",
		"SPOKANE", "TACOMA", "HONOLULU", "ANCHORAGE", "RICHMOND", "NORFOLK", "WILMINGTON", "NEWARK", "HOBOKEN",
		"STAMFORD", "HARTFORD", "PROVIDENCE", "PORTSMOUTH", "ALBANY", "BUFFALO", "ROCHESTER", "SYRACUSE",
	)

	// billing and corporate words that say nothing about who the vendor is.
	normBilling = wordSet("SUBSCRIPTION", "SUBSCRIPTIONS", "SUBSCR", "SUBS", "SUB", "MONTHLY", "MONTH", "MTHLY", "ANNUAL",
		"ANNUALLY", "YEARLY", "YEAR", "YR", "RENEWAL", "RENEW", "RECURRING", "BILL", "BILLING", "INVOICE", "INV",
		"PLAN", "PLANS", "PRO", "PREMIUM", "PREM", "PRE", "PLUS", "BUSINESS", "TEAM", "TEAMS", "ENTERPRISE", "STARTER", "BASIC",
		"STANDARD", "ESSENTIALS", "ESSENTIAL", "GROWTH", "PROFESSIONAL", "LICENSE", "LICENCE", "LICENSES", "SEAT",
		"SEATS", "USER", "USERS", "ADS", "AD", "ADVERTISING", "MARKETING", "SOFTWARE", "SAAS", "TECHNOLOGIES",
		"TECHNOLOGY", "TECH", "LABS", "LAB", "SYSTEMS", "SYSTEM", "SOLUTIONS", "SERVICES", "SERVICE", "SVCS", "SVC",
		"COMMUNICATIONS", "COMMUNICATION", "COMMS", "MEDIA", "VIDEO", "HQ", "ONLINE", "WEB", "NET", "ORG", "IO",
		"AI", "APP", "APPS", "CLOUD", "PLATFORM", "GLOBAL", "INTERNATIONAL", "INTL", "HOLDINGS", "HOLDING", "GROUP",
		"MISC", "DOMAIN", "DOMAINS", "PAYMENT", "PAYMENTS", "PURCHASE", "CHARGE", "CHARGES", "ORDER", "FEE", "FEES", "TRIAL", "UPGRADE",
		"ADDON", "ADDONS", "PAID", "FEATURES", "HELP", "SUPPORT", "ACCOUNT", "ACCT", "DIGITAL", "INTERNET", "MKTG", "SALES", "CRM", "HUB",
		"SUITE", "WORKSPACE", "EXTENSION", "PLUGIN", "INTEGRATION", "CONNECTOR", "SYNC", "ADD", "ON", "DESKTOP",
		"MOBILE", "IOS", "ANDROID", "CHROME", "MEETINGS", "MEETING", "SCHEDULER", "SCHEDULING", "CALENDAR",
		"CONNECT", "OFFICIAL", "DEV", "BETA", "APPLICATION", "CLIENT", "THE", "OF", "AND", "FOR", "BY", "VIA",
		"AUTHENTICATION", "AUTOMATION", "ANALYTICS", "LOGIN", "SSO", "OAUTH", "API", "EMAIL", "MAIL", "COM", "EMEA", "APAC", "AMER", "EU", "LATAM",
		// usage-billed and recruiting charges, web and store purchases
		"USAGE", "CREDITS", "TOPUP", "TOKENS", "MID", "POWERED", "PAYROLL", "JOB", "JOBS", "JOBPOST", "POSTING",
		"STORE", "DNS", "SSL", "HOSTING", "RENEWALS", "STD")
)

// normNoise is every word that is noise anywhere: legal suffixes, billing words, places and bank words (processors
// are noise only before a '*'). normNoisePrefixes holds their prefixes of four letters or more, for a cut-off last token.
var normNoise, normNoisePrefixes = func() (map[string]struct{}, map[string]struct{}) {
	all := map[string]struct{}{}
	for _, m := range []map[string]struct{}{normLegal, normBankWords, normPlaces, normBilling} {
		for w := range m {
			all[w] = struct{}{}
		}
	}
	pre := map[string]struct{}{}
	for w := range all {
		for n := 4; n < len(w); n++ {
			pre[w[:n]] = struct{}{}
		}
	}
	return all, pre
}()
