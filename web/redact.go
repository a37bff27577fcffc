package web

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

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
	for _, p := range r.people {
		if strings.Contains(p, "@") || r.public[strings.ToLower(p)] {
			continue // emails are handled above
		}
		if i := indexFold(s, p); i >= 0 {
			s = replaceFold(s, p, Redacted)
		}
	}
	return s
}

func indexFold(s, sub string) int { return strings.Index(strings.ToLower(s), strings.ToLower(sub)) }

func replaceFold(s, old, repl string) string {
	var b strings.Builder
	for {
		i := indexFold(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s = s[i+len(old):]
	}
}
