package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/shadowscan/shadowscan/scanner"
)

// Redacted replaces personal data in what a reader without the token receives.
const Redacted = "[redacted]"

// emailPattern finds email addresses in free text.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// publicKeys are the JSON fields whose values are published contacts and stay visible: the owners named in the
// approved-tools file.
var publicKeys = map[string]bool{"owner": true}

// redactor is the one boundary between the data and a reader without the token. The typed personal fields (users
// lists) are already left out upstream; redactor also scrubs every free-text string of the response, so a name or
// summary that happens to carry an email address or a known person's identifier cannot leak it.
type redactor struct {
	people []string        // identifiers of people seen in the report (emails, or names when there is no email)
	public map[string]bool // published contacts (lower case) found in the response itself
}

// newRedactor collects the people the report names.
func newRedactor(rep *scanner.Report) *redactor {
	r := &redactor{public: map[string]bool{}}
	if rep == nil {
		return r
	}
	seen := map[string]bool{}
	add := func(users []string) {
		for _, u := range users {
			u = strings.TrimSpace(u)
			if len(u) >= 3 && !seen[strings.ToLower(u)] {
				seen[strings.ToLower(u)] = true
				r.people = append(r.people, u)
			}
		}
	}
	for _, it := range rep.Inventory {
		add(it.Users)
	}
	for _, u := range rep.Unidentified {
		add(u.Users)
	}
	return r
}

// apply returns v as a JSON value with personal data scrubbed.
func (r *redactor) apply(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers pass through exactly
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	r.collectPublic(doc, "")
	return r.walk(doc, ""), nil
}

func (r *redactor) collectPublic(v any, key string) {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			r.collectPublic(sub, k)
		}
	case []any:
		for _, sub := range x {
			r.collectPublic(sub, key)
		}
	case string:
		if publicKeys[key] {
			for _, e := range emailPattern.FindAllString(x, -1) {
				r.public[strings.ToLower(e)] = true
			}
		}
	}
}

func (r *redactor) walk(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			x[k] = r.walk(sub, k)
		}
		return x
	case []any:
		for i, sub := range x {
			x[i] = r.walk(sub, key)
		}
		return x
	case string:
		if publicKeys[key] {
			return x
		}
		return r.scrub(x)
	}
	return v
}

// scrub replaces email addresses (other than published contacts) and known people's identifiers in s.
func (r *redactor) scrub(s string) string {
	s = emailPattern.ReplaceAllStringFunc(s, func(e string) string {
		if r.public[strings.ToLower(e)] {
			return e
		}
		return Redacted
	})
	var low string
	var orig []int
	var cuts [][2]int // byte ranges of s to redact
	for _, p := range r.people {
		if strings.Contains(p, "@") || r.public[strings.ToLower(p)] {
			continue // emails are handled above
		}
		if orig == nil {
			low, orig = lowerWithOffsets(s)
		}
		lp := strings.ToLower(p)
		for from := 0; ; {
			i := strings.Index(low[from:], lp)
			if i < 0 {
				break
			}
			from += i + len(lp)
			cuts = append(cuts, [2]int{orig[from-len(lp)], orig[from]})
		}
	}
	return cut(s, cuts)
}

// lowerWithOffsets lower-cases s rune by rune and maps each byte offset of the result back to s: lower-casing
// changes byte lengths ("İ" has two bytes, "i" one; the Kelvin sign three, "k" one), so an index found in the
// lower-cased text is not an index into s.
func lowerWithOffsets(s string) (string, []int) {
	var b strings.Builder
	b.Grow(len(s))
	orig := make([]int, 0, len(s)+1)
	for i, c := range s {
		n := b.Len()
		b.WriteRune(unicode.ToLower(c))
		for range b.Len() - n {
			orig = append(orig, i)
		}
	}
	return b.String(), append(orig, len(s))
}

// cut replaces the byte ranges of s (in any order, possibly overlapping) with Redacted, overlapping ones once.
func cut(s string, ranges [][2]int) string {
	if len(ranges) == 0 {
		return s
	}
	slices.SortFunc(ranges, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	at := 0
	for _, r := range ranges {
		if r[0] < at { // overlaps the previous range
			at = max(at, r[1])
			continue
		}
		b.WriteString(s[at:r[0]])
		b.WriteString(Redacted)
		at = r[1]
	}
	b.WriteString(s[at:])
	return b.String()
}
