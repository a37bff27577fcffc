package catalog

import (
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode"
	"weak"
)

// SearchHit is one result of Search.
type SearchHit struct {
	Entry *Entry
	Score int    // 1..100, higher is closer; 100 is an exact ID, name, alias or domain match
	Field string // what matched: "id", "name", "alias", "domain" or "subcategory"
	Match string // the value that matched
}

// maxQueryRunes bounds the query so that edit distances stay cheap on hostile input.
const maxQueryRunes = 100

// Search finds vendors by ID, name, alias, domain or subcategory ("session replay" lists the session-replay tools,
// below any vendor whose own name matches). It is case-insensitive and ignores punctuation ("apollo io"
// finds Apollo.io), and ranks exact matches over prefixes ("hub" finds HubSpot), whole words ("marketing cloud"),
// substrings and finally near misses by edit distance ("hubsopt", "mailchmp"). At most limit hits are returned
// (10 if limit <= 0), best first; equal scores put the vendor with more catalogued facts first, then sort by ID.
func (c *Catalog) Search(text string, limit int) []SearchHit {
	if limit <= 0 {
		limit = 10
	}
	q := strings.ToLower(strings.TrimSpace(text))
	if r := []rune(q); len(r) > maxQueryRunes {
		q = string(r[:maxQueryRunes])
	}
	qk := nameKey(q)
	if qk == "" {
		return nil
	}
	qTokens := tokens(q)
	ix := c.searchIndex()
	var hits []SearchHit
	for i := range ix.entries {
		best := SearchHit{Entry: &c.Entries[i]}
		for _, cand := range ix.entries[i] {
			s := matchScore(qk, qTokens, cand)
			if s == 0 {
				continue
			}
			s += cand.bonus
			if s > best.Score {
				best.Score, best.Field, best.Match = s, cand.field, cand.value
			}
		}
		if best.Score > 0 {
			best.Score = min(best.Score, 100)
			hits = append(hits, best)
		}
	}
	// Equal scores: the vendor with more known facts first (a proxy for how established it is: "hub" lists HubSpot
	// before Hubilo), then by ID.
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		if wi, wj := factWeight(hits[i].Entry), factWeight(hits[j].Entry); wi != wj {
			return wi > wj
		}
		return hits[i].Entry.ID < hits[j].Entry.ID
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// searchCand is one searchable value of an entry, normalised once.
type searchCand struct {
	field, value string
	key          string   // nameKey(value)
	tokens       []string // tokens(value)
	bonus        int      // added to the score: aliases and domains rank just below names
	exact        bool     // no near misses by edit distance (subcategories: "sesion" is no category query)
}

// searchIdx holds the normalised candidates of every entry of one catalogue.
type searchIdx struct {
	entries [][]searchCand
	first   *Entry // &c.Entries[0] when built, to notice a replaced slice
}

// searchIndexes caches one index per catalogue. Keys are weak, so a catalogue that is no longer used is not kept
// alive by its index; a cleanup removes the entry.
var searchIndexes sync.Map // weak.Pointer[Catalog] -> *searchIdx

func (c *Catalog) searchIndex() *searchIdx {
	var first *Entry
	if len(c.Entries) > 0 {
		first = &c.Entries[0]
	}
	k := weak.Make(c)
	if v, ok := searchIndexes.Load(k); ok {
		if ix := v.(*searchIdx); len(ix.entries) == len(c.Entries) && ix.first == first {
			return ix
		}
	}
	ix := &searchIdx{entries: make([][]searchCand, len(c.Entries)), first: first}
	for i := range c.Entries {
		e := &c.Entries[i]
		add := func(field, value string, bonus int) {
			ix.entries[i] = append(ix.entries[i], searchCand{field: field, value: value, key: nameKey(value), tokens: tokens(value), bonus: bonus})
		}
		add("id", e.ID, 0)
		add("name", e.Name, 0)
		for _, a := range e.Aliases {
			add("alias", a, -2)
		}
		for _, d := range e.Domains {
			add("domain", d, -3)
			// "hotjar" should find hotjar.com as well as "hotjar.com" does.
			if dot := strings.LastIndexByte(d, '.'); dot > 0 {
				add("domain", d[:dot], -4)
			}
		}
		// Subcategories by ID and name, well below any name: "session replay" finds every session-replay tool.
		for _, sub := range e.Subcategories {
			for _, v := range []string{strings.ReplaceAll(sub, "_", " "), c.SubcategoryName(sub)} {
				add("subcategory", v, -25)
				ix.entries[i][len(ix.entries[i])-1].exact = true
			}
		}
	}
	if _, loaded := searchIndexes.Swap(k, ix); !loaded {
		runtime.AddCleanup(c, func(k weak.Pointer[Catalog]) { searchIndexes.Delete(k) }, k)
	}
	return ix
}

// Suggest returns the IDs of up to three vendors whose ID, name, alias or domain is close to name, for "did you
// mean" in error messages. Weak matches are left out, so the result may be empty.
func (c *Catalog) Suggest(name string) []string {
	var out []string
	for _, h := range c.Search(name, 3) {
		if h.Score >= 40 && h.Field != "subcategory" {
			out = append(out, h.Entry.ID)
		}
	}
	return out
}

// matchScore scores a candidate against the normalised query qk (and its words qTokens); 0 means no match.
func matchScore(qk string, qTokens []string, cand searchCand) int {
	vk := cand.key
	if vk == "" {
		return 0
	}
	switch {
	case vk == qk:
		return 100
	case strings.HasPrefix(vk, qk) && len(qk) >= 2:
		return 88
	}
	vTokens := cand.tokens
	if len(qTokens) > 0 && allIn(qTokens, vTokens) {
		return 75
	}
	for _, t := range vTokens {
		if len(qk) >= 2 && strings.HasPrefix(t, qk) {
			return 70
		}
	}
	if len(qk) >= 3 && strings.Contains(vk, qk) && !cand.exact {
		return 60
	}
	if cand.exact {
		return 0
	}
	maxD := 1
	switch {
	case len(qk) >= 9:
		maxD = 3
	case len(qk) >= 5:
		maxD = 2
	case len(qk) < 3:
		return 0
	}
	best := -1
	consider := func(d int) {
		if d >= 0 && (best < 0 || d < best) {
			best = d
		}
	}
	consider(editDistance(qk, vk, maxD))
	for _, t := range vTokens {
		consider(editDistance(qk, t, maxD))
	}
	if len(vk) > len(qk) {
		// A typo in the first letters of a longer name: "hubsopt" against "hubspotsaleshub".
		if d := editDistance(qk, vk[:len(qk)], maxD); d >= 0 {
			consider(d + 1)
		}
	}
	if best < 0 || best > maxD {
		return 0
	}
	return 50 - 10*best
}

// factWeight counts the facts catalogued for e.
func factWeight(e *Entry) int {
	s := &e.Signals
	return len(e.Domains) + len(s.SPF) + len(s.TXT) + len(s.CNAME) + len(s.DKIM) + len(s.GoogleClientIDs) +
		len(s.EntraAppIDs) + len(s.AWSAccounts) + len(s.Merchants) + len(s.OAuthNames)
}

// tokens splits s into lower-case words of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func allIn(want, have []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// editDistance is the optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
// transpositions) between a and b, or -1 when it exceeds max. ASCII input (what nameKey mostly yields) is compared
// byte by byte without allocating.
func editDistance(a, b string, max int) int {
	if isASCII(a) && isASCII(b) {
		return osaDistance([]byte(a), []byte(b), max)
	}
	return osaDistance([]rune(a), []rune(b), max)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func osaDistance[T byte | rune](ra, rb []T, max int) int {
	if len(ra) > 256 || len(rb) > 256 {
		return -1
	}
	if d := len(ra) - len(rb); d > max || -d > max {
		return -1
	}
	var stack [3 * 65]int
	var rows []int
	if n := len(rb) + 1; 3*n <= len(stack) {
		rows = stack[:3*n]
	} else {
		rows = make([]int, 3*n)
	}
	n := len(rb) + 1
	prev2, prev, cur := rows[:n], rows[n:2*n], rows[2*n:]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return -1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(rb)] > max {
		return -1
	}
	return prev[len(rb)]
}
