package catalog

import (
	"sort"
	"strings"
	"unicode"
)

// SearchHit is one result of Search.
type SearchHit struct {
	Entry *Entry
	Score int    // 1..100, higher is closer; 100 is an exact ID, name, alias or domain match
	Field string // what matched: "id", "name", "alias" or "domain"
	Match string // the value that matched
}

// maxQueryRunes bounds the query so that edit distances stay cheap on hostile input.
const maxQueryRunes = 100

// Search finds vendors by ID, name, alias or domain. It is case-insensitive and ignores punctuation ("apollo io"
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
	var hits []SearchHit
	for i := range c.Entries {
		e := &c.Entries[i]
		best := SearchHit{Entry: e}
		try := func(field, value string, bonus int) {
			s := matchScore(qk, qTokens, value)
			if s == 0 {
				return
			}
			s += bonus
			if s > best.Score {
				best.Score, best.Field, best.Match = s, field, value
			}
		}
		try("id", e.ID, 0)
		try("name", e.Name, 0)
		for _, a := range e.Aliases {
			try("alias", a, -2)
		}
		for _, d := range e.Domains {
			try("domain", d, -3)
			// "hotjar" should find hotjar.com as well as "hotjar.com" does.
			if dot := strings.LastIndexByte(d, '.'); dot > 0 {
				try("domain", d[:dot], -4)
			}
		}
		if best.Score > 0 {
			if best.Score > 100 {
				best.Score = 100
			}
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

// Suggest returns the IDs of up to three vendors whose ID, name, alias or domain is close to name, for "did you
// mean" in error messages. Weak matches are left out, so the result may be empty.
func (c *Catalog) Suggest(name string) []string {
	var out []string
	for _, h := range c.Search(name, 3) {
		if h.Score >= 40 {
			out = append(out, h.Entry.ID)
		}
	}
	return out
}

// matchScore scores value against the normalised query qk (and its words qTokens); 0 means no match.
func matchScore(qk string, qTokens []string, value string) int {
	vk := nameKey(value)
	if vk == "" {
		return 0
	}
	switch {
	case vk == qk:
		return 100
	case strings.HasPrefix(vk, qk) && len(qk) >= 2:
		return 88
	}
	vTokens := tokens(value)
	if len(qTokens) > 0 && allIn(qTokens, vTokens) {
		return 75
	}
	for _, t := range vTokens {
		if len(qk) >= 2 && strings.HasPrefix(t, qk) {
			return 70
		}
	}
	if len(qk) >= 3 && strings.Contains(vk, qk) {
		return 60
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
// transpositions) between a and b, or -1 when it exceeds max.
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 256 || len(rb) > 256 {
		return -1
	}
	if d := len(ra) - len(rb); d > max || -d > max {
		return -1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
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
