package catalog

import (
	"sort"
	"strings"
	"sync"
)

// The name index matches display names and card descriptors against vendor names, aliases, merchant descriptors
// and OAuth app names, on whole tokens.

type phraseKind uint8

const (
	kindAlias    phraseKind = iota // an alias: weakest
	kindName                       // the vendor's name
	kindOAuth                      // an app name as seen in consent screens (curated for name hints)
	kindMerchant                   // a statement descriptor (curated for merchant hints)
)

// namePhrase is one normalised vendor name.
type namePhrase struct {
	toks    []string
	text    string // the tokens joined by spaces
	vendor  int32
	kind    phraseKind
	letters int // letters and digits in all tokens
}

type nameIndex struct {
	phrases []namePhrase
	first   map[string][]int32  // first token → phrases
	vocab   map[string]struct{} // every token of every phrase
	words   map[string]struct{} // the phrases of one token: whole one-word names ("HOTJAR", "LINKEDIN")
	long    []string            // sorted one-word names of cutMinName+ letters, for a name cut off at the end (seal)

	// dels maps the one-deletion variants of tokens of fuzzyMin+ letters to those tokens. It is built on the first
	// fuzzy look-up (deletions): most of the index's size, and nothing an exact name ("hotjar") needs.
	dels     map[string][]string
	delsOnce sync.Once
}

// fuzzyMin is the shortest token that may match with one edit.
const fuzzyMin = 7

// nameHit is a phrase found in a token list: tokens [start, start+n).
type nameHit struct {
	phrase   int32
	start, n int
	fuzzy    bool
}

// newNameIndex returns an empty index sized for about vendors vendors (a catalogue of 4,800 has ~7,000 phrases:
// growing the maps step by step was a tenth of a cold start).
func newNameIndex(vendors int) *nameIndex {
	return &nameIndex{first: make(map[string][]int32, vendors*3/2), vocab: make(map[string]struct{}, vendors*3/2),
		words: make(map[string]struct{}, vendors*5/4)}
}

// add indexes one name of vendor v.
func (ix *nameIndex) add(v int32, kind phraseKind, name string) {
	nb := normBuf{noSplit: true}
	nb.tokenize(name, false)
	toks := make([]string, 0, len(nb.toks))
	for i, t := range nb.toks {
		w := nb.text(t)
		switch {
		case t.flags&tokDigits != 0 && len(toks) > 0:
			continue // "ZOOM.US 888-799-9666" as a merchant: the phone number is not part of the name
		case t.flags&tokRef != 0 && len(toks) > 0:
			continue
		case t.flags&tokStar != 0 && isProcessorWord(w) && i+1 < len(nb.toks):
			continue // "SQ *HOTJAR"
		}
		toks = append(toks, strings.Clone(w))
	}
	for len(toks) > 1 && isLegalSuffix(toks[len(toks)-1]) && (len(toks) > 2 || len(toks[0]) >= 3) {
		toks = toks[:len(toks)-1] // "HubSpot, Inc.", but "X Corp" stays whole: "X" alone would match nothing
	}
	if len(toks) == 0 {
		return
	}
	if len(toks) == 1 {
		if _, noise := normNoise[toks[0]]; noise || allDigitsStr(toks[0]) || len(toks[0]) == 1 {
			return // a name that is only a noise word ("Cloud") would match everything
		}
	}
	ix.addTokens(v, kind, toks)
	if len(toks) > 1 {
		// Statements squeeze words together: CONSTANTCONTACT, ZOOMINFO.
		joined := strings.Join(toks, "")
		if len(joined) >= fuzzyMin {
			ix.addTokens(v, kind, []string{joined})
		}
	}
}

func (ix *nameIndex) addTokens(v int32, kind phraseKind, toks []string) {
	text := strings.Join(toks, " ")
	for _, id := range ix.first[toks[0]] {
		p := &ix.phrases[id]
		if p.vendor == v && p.text == text {
			if kind > p.kind {
				p.kind = kind
			}
			return
		}
	}
	letters := 0
	for _, t := range toks {
		letters += len(t)
		ix.vocab[t] = struct{}{}
	}
	if len(toks) == 1 {
		ix.words[toks[0]] = struct{}{}
	}
	ix.first[toks[0]] = append(ix.first[toks[0]], int32(len(ix.phrases)))
	ix.phrases = append(ix.phrases, namePhrase{toks: toks, text: text, vendor: v, kind: kind, letters: letters})
}

// deletions returns dels, building it on first use from the phrases in the order they were added (so that each
// variant lists its tokens in a fixed order).
func (ix *nameIndex) deletions() map[string][]string {
	ix.delsOnce.Do(func() {
		n := 0
		for t := range ix.vocab {
			if len(t) >= fuzzyMin {
				n += len(t)
			}
		}
		ix.dels = make(map[string][]string, n)
		var buf [64]byte
		for i := range ix.phrases {
			for _, t := range ix.phrases[i].toks {
				if len(t) < fuzzyMin || len(t) > len(buf) {
					continue
				}
				for j := range len(t) {
					d := string(append(append(buf[:0], t[:j]...), t[j+1:]...))
					if !hasString(ix.dels[d], t) {
						ix.dels[d] = append(ix.dels[d], t)
					}
				}
			}
		}
	})
	return ix.dels
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// withinOneEdit reports whether a and b differ by at most one insertion, deletion, substitution or transposition of
// adjacent characters.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	if la == lb {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	if la > lb {
		a, b = b, a
	}
	return a[i:] == b[i+1:]
}

// tokEq compares a descriptor token with a phrase token: equal, or one edit apart when both are long.
func tokEq(q, v string) (eq, fuzzy bool) {
	if q == v {
		return true, false
	}
	if len(q) >= fuzzyMin && len(v) >= fuzzyMin && withinOneEdit(q, v) {
		return true, true
	}
	return false, false
}

// seal prepares the index for look-ups once every name is added.
func (ix *nameIndex) seal() {
	ix.long = ix.long[:0]
	for w := range ix.words {
		if len(w) >= cutMinName {
			ix.long = append(ix.long, w)
		}
	}
	sort.Strings(ix.long)
}

// A card network cuts the merchant name at 22 or 25 characters, so the last word of a long descriptor may be the
// start of a vendor's name: "PAYPAL *SURVEYMONKE". cutMinName is the shortest one-word name matched that way and
// cutMinPrefix the fewest letters left of it.
const (
	cutMinName   = 8
	cutMinPrefix = 6
)

// findCut adds a fuzzy hit for the last token of a descriptor long enough to have been cut when it is the start of
// exactly one catalogued one-word name (of one vendor). It is meant for card descriptors without any other hit; a
// fuzzy hit needs nothing but noise around it.
func (ix *nameIndex) findCut(nb *normBuf) {
	last := len(nb.toks) - 1
	if last < 0 || len(nb.b) < truncatedLen || nb.toks[last].flags&(tokNoise|tokSubtitle|tokDigits|tokRef) != 0 {
		return
	}
	q := nb.text(nb.toks[last])
	if len(q) < cutMinPrefix {
		return
	}
	if _, known := ix.vocab[q]; known {
		return
	}
	i := sort.SearchStrings(ix.long, q)
	if i >= len(ix.long) || !strings.HasPrefix(ix.long[i], q) {
		return
	}
	var found int32 = -1
	for _, w := range ix.long[i:] {
		if !strings.HasPrefix(w, q) {
			break
		}
		if allDigitsStr(w[len(q):]) {
			// A cut lands anywhere; one that leaves exactly a name's number ("RESTAURANT" of RESTAURANT365) has
			// more likely met a whole word of the merchant's own name.
			continue
		}
		for _, id := range ix.first[w] {
			p := &ix.phrases[id]
			if len(p.toks) != 1 {
				continue
			}
			if found >= 0 && ix.phrases[found].vendor != p.vendor {
				return // the start of two vendors' names
			}
			if found < 0 {
				found = id
			}
		}
	}
	if found >= 0 {
		nb.hits = append(nb.hits, nameHit{phrase: found, start: last, n: 1, fuzzy: true})
	}
}

// joinedMin is the shortest one-word name matched across two adjacent tokens.
const joinedMin = 6

// findJoined adds a fuzzy hit for two adjacent all-letter tokens that together spell a catalogued one-word name of
// joinedMin or more letters: "SURVEY MONKEY", "MAIL CHIMP", "LINKED IN". It is meant for strings without any other
// hit; a fuzzy hit needs nothing but noise around it.
func (ix *nameIndex) findJoined(nb *normBuf) {
	for i := 0; i+1 < len(nb.toks); i++ {
		a, b := nb.toks[i], nb.toks[i+1]
		if (a.flags|b.flags)&(tokDigits|tokRef|tokSubtitle) != 0 || a.flags&tokStar != 0 || int(a.e-a.s)+int(b.e-b.s) < joinedMin {
			continue
		}
		nb.del = append(append(nb.del[:0], nb.b[a.s:a.e]...), nb.b[b.s:b.e]...)
		if _, ok := ix.words[string(nb.del)]; !ok {
			continue
		}
		for _, id := range ix.first[string(nb.del)] {
			if len(ix.phrases[id].toks) == 1 {
				nb.hits = append(nb.hits, nameHit{phrase: id, start: i, n: 2, fuzzy: true})
				return
			}
		}
	}
}

// find appends to nb.hits every phrase that occurs in nb's tokens.
func (ix *nameIndex) find(nb *normBuf) {
	nb.hits = nb.hits[:0]
	for i, t := range nb.toks {
		if t.flags&tokSubtitle != 0 {
			break
		}
		q := nb.text(t)
		if ids, ok := ix.first[q]; ok {
			for _, id := range ids {
				ix.extend(nb, i, id, false)
			}
			continue // a known word is not a misspelling of another
		}
		if len(q) < fuzzyMin || len(q) > 63 {
			continue
		}
		// One edit: q with one letter more than a vocabulary token, fewer, or one different.
		dels := ix.deletions()
		for _, v := range dels[q] {
			ix.extendFuzzy(nb, i, q, v)
		}
		for j := 0; j < len(q); j++ {
			nb.del = append(append(nb.del[:0], q[:j]...), q[j+1:]...)
			if _, ok := ix.vocab[string(nb.del)]; ok {
				ix.extendFuzzy(nb, i, q, string(nb.del))
			}
			for _, v := range dels[string(nb.del)] {
				ix.extendFuzzy(nb, i, q, v)
			}
		}
	}
}

// extendFuzzy records hits for the phrases starting with vocabulary token v when descriptor token q is one edit away.
// Both must have fuzzyMin or more letters, as in tokEq: a shorter name one letter off a longer word is another word
// ("ALLEGRO" is not the vendor Allego).
func (ix *nameIndex) extendFuzzy(nb *normBuf, i int, q, v string) {
	if len(v) < fuzzyMin || !withinOneEdit(q, v) {
		return
	}
	ids, ok := ix.first[v]
	if !ok {
		return
	}
	for _, id := range ids {
		ix.extend(nb, i, id, true)
	}
}

// extend checks whether phrase id continues from token i and records a hit.
func (ix *nameIndex) extend(nb *normBuf, i int, id int32, fuzzy bool) {
	p := &ix.phrases[id]
	if i+len(p.toks) > len(nb.toks) {
		return
	}
	for k := 1; k < len(p.toks); k++ {
		t := nb.toks[i+k]
		if t.flags&tokSubtitle != 0 {
			return
		}
		eq, fz := tokEq(nb.text(t), p.toks[k])
		if !eq {
			return
		}
		fuzzy = fuzzy || fz
	}
	for _, h := range nb.hits {
		if h.phrase == id && h.start == i {
			return
		}
	}
	nb.hits = append(nb.hits, nameHit{phrase: id, start: i, n: len(p.toks), fuzzy: fuzzy})
}

// nameMatch is the verdict on one hit.
type nameMatch struct {
	phrase int32
	conf   float64
	fuzzy  bool
	whole  bool // the phrase is the whole (normalised) string
}

// Confidences of name and descriptor matches.
const (
	confNameWhole    = 0.85 // a display name that is exactly a vendor name or alias
	confNameClean    = 0.8  // a vendor name with only noise around it ("HubSpot Sales", "HUBSPOT* INC")
	confNameLoose    = 0.7  // a distinctive vendor name with other words around it
	confNameFuzzy    = 0.6  // one edit away from a long vendor name, noise around it
	confMerchantBest = 0.8  // card descriptors are weaker evidence than a display name
	confWebAddress   = 0.8  // a card descriptor that is a vendor's web address ("CRISP.CHAT")
)

// judge decides whether hit h is a match. nameMode is true for display names, false for card descriptors.
//
// Around a match, "noise" is what cannot name a vendor (numbers, references, legal suffixes, billing words, places,
// payment processors) or another match of the same vendor ("Mailchimp *Misc Mailchimp.Com GA"). The rules:
//   - a name of four letters or fewer (Drip, Zoom, Box, Gong) matches only with nothing but noise around it;
//   - a name of two or more words and seven or more letters matches anywhere ("Constant Contact", "Google Ads");
//   - a one-word name must come first (only noise before it) and be followed by noise only, or be the merchant
//     part of a "MERCHANT* DETAIL" descriptor ("GOOGLE *GSUITE_NORTHWIN"); a display name may go on after it
//     ("Calendly Scheduling Assistant"), a card descriptor may not ("APOLLO DINER", "BENCHMARK FITNESS");
//   - a one-edit (fuzzy) match needs nothing but noise around it.
func (ix *nameIndex) judge(nb *normBuf, h nameHit, nameMode bool) (nameMatch, bool) {
	p := &ix.phrases[h.phrase]
	quiet := func(j int) bool {
		if nb.noisy(j) || ix.coveredBySame(nb, j, p.vendor) {
			return true
		}
		// A lone letter after another mention of the vendor: its web address cut off in the city field
		// ("ZOOM.US 888-799-9666 WWW.ZOOM.U"); never the letter after the match itself (CIRCLE K).
		return j > 0 && nb.toks[j].e-nb.toks[j].s == 1 && (j-1 < h.start || j-1 >= h.start+h.n) &&
			ix.coveredBySame(nb, j-1, p.vendor)
	}
	before, after := true, true
	for j := 0; j < h.start; j++ {
		if !quiet(j) || !nameMode && !nb.leadNoisy(j) && !ix.coveredBySame(nb, j, p.vendor) {
			before = false
			break
		}
	}
	for j := h.start + h.n; j < len(nb.toks); j++ {
		if !quiet(j) {
			after = false
			break
		}
	}
	clean := before && after
	whole := h.start == 0 && h.n == len(nb.toks)
	m := nameMatch{phrase: h.phrase, fuzzy: h.fuzzy, whole: whole}
	switch {
	case h.fuzzy:
		if !clean {
			return m, false
		}
		m.conf = confNameFuzzy
		return m, true
	case p.letters <= 4:
		if !clean {
			return m, false
		}
	case h.n >= 2 && p.letters >= fuzzyMin:
		// distinctive wherever it appears
	case nameMode:
		if !before {
			return m, false
		}
	default:
		if !before || !(after || starAfter(nb, h.start+h.n-1)) {
			return m, false
		}
	}
	switch {
	case whole && nameMode:
		m.conf = confNameWhole
	case clean:
		m.conf = confNameClean
	default:
		m.conf = confNameLoose
	}
	if !nameMode && m.conf > confMerchantBest {
		m.conf = confMerchantBest
	}
	return m, true
}

// starAfter reports whether the descriptor has a '*' right after token i, or after a legal suffix that follows it
// ("GRAMMARLY CO* 1A2B3C").
func starAfter(nb *normBuf, i int) bool {
	if isProcessorWord(nb.text(nb.toks[i])) {
		return false // PAYPAL *JOES CAFE: PayPal only carried the payment
	}
	if nb.toks[i].flags&tokStar != 0 {
		return true
	}
	if i+1 < len(nb.toks) && nb.toks[i+1].flags&tokStar != 0 && isLegalSuffix(nb.text(nb.toks[i+1])) {
		return true
	}
	return false
}

// coveredBySame reports whether token j is part of a hit of vendor v.
func (ix *nameIndex) coveredBySame(nb *normBuf, j int, v int32) bool {
	for _, h := range nb.hits {
		if j >= h.start && j < h.start+h.n && ix.phrases[h.phrase].vendor == v {
			return true
		}
	}
	return false
}

// best picks the strongest accepted hit: highest confidence, then most letters covered, then the kind of name
// (curated and primary names before aliases). ok is false when nothing matched; ambiguous is true when two vendors
// tie, with the runner-up's phrase in other.
func (ix *nameIndex) best(nb *normBuf, nameMode bool) (win nameMatch, other int32, ok, ambiguous bool) {
	other = -1
	for _, h := range nb.hits {
		m, accept := ix.judge(nb, h, nameMode)
		if !accept {
			continue
		}
		if !ok {
			win, ok = m, true
			continue
		}
		switch c := ix.cmp(m, win); {
		case c > 0:
			win, ambiguous, other = m, false, -1
		case c == 0 && ix.phrases[m.phrase].vendor != ix.phrases[win.phrase].vendor:
			ambiguous, other = true, m.phrase
		}
	}
	return win, other, ok, ambiguous
}

func (ix *nameIndex) cmp(a, b nameMatch) int {
	pa, pb := &ix.phrases[a.phrase], &ix.phrases[b.phrase]
	switch {
	case a.conf != b.conf:
		return signOf(a.conf - b.conf)
	case pa.letters != pb.letters:
		return pa.letters - pb.letters
	}
	return kindRank(pa.kind) - kindRank(pb.kind)
}

func kindRank(k phraseKind) int {
	if k == kindAlias {
		return 0
	}
	return 1
}

func signOf(f float64) int {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}
