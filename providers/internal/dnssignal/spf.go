package dnssignal

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// MaxSPFLookups is RFC 7208 §4.6.4's limit on DNS-querying terms (include, a, mx, ptr, exists, redirect) over a
// whole SPF evaluation.
const MaxSPFLookups = 10

// ErrNotSPF is returned by ParseSPF for a string that is not a v=spf1 record.
var ErrNotSPF = errors.New("not an SPF record (no v=spf1)")

// SPF is a parsed v=spf1 record. Terms keep their order. Problems found while parsing are kept in Errors; the
// terms that could be read are still there.
type SPF struct {
	Raw    string
	Terms  []Term
	Errors []string
}

// Term is one mechanism or modifier of an SPF record.
type Term struct {
	// Qualifier is "+", "-", "~" or "?" for a mechanism ("+" when none was written) and "" for a modifier.
	Qualifier string
	// Name is the lower-case mechanism (all, include, a, mx, ptr, ip4, ip6, exists) or modifier name.
	Name string
	// Value is the domain-spec or network after ':' (mechanisms) or '=' (modifiers); "" when absent.
	Value string
	// CIDR is the prefix-length suffix of a, mx, ip4 and ip6 ("/24", "//64", "/24//64"); "" when absent.
	CIDR string
	// Modifier is true for name=value terms.
	Modifier bool
}

// Delegation reports whether the term hands the policy to another host: "include" (the mechanism) or "redirect"
// (the modifier), with a fixed host (a macro target names none).
func (t Term) Delegation() (string, bool) {
	switch {
	case !t.Modifier && t.Name == "include", t.Modifier && t.Name == "redirect":
		return t.Name, !HasMacro(t.Value)
	}
	return "", false
}

// String writes the term back in record syntax.
func (t Term) String() string {
	if t.Modifier {
		return t.Name + "=" + t.Value
	}
	q := t.Qualifier
	if q == "+" {
		q = ""
	}
	s := q + t.Name
	if t.Value != "" {
		s += ":" + t.Value
	}
	return s + t.CIDR
}

// IsSPF says whether a TXT string is an SPF record: "v=spf1" (any case) alone or followed by a space.
func IsSPF(txt string) bool {
	s := strings.TrimLeft(txt, " \t")
	if len(s) < 6 || !strings.EqualFold(s[:6], "v=spf1") {
		return false
	}
	return len(s) == 6 || s[6] == ' ' || s[6] == '\t'
}

// lookupMechanisms are the terms that cost a DNS lookup (RFC 7208 §4.6.4); redirect is counted separately.
var lookupMechanisms = map[string]bool{"include": true, "a": true, "mx": true, "ptr": true, "exists": true}

var knownMechanisms = map[string]bool{"all": true, "include": true, "a": true, "mx": true, "ptr": true,
	"ip4": true, "ip6": true, "exists": true}

// ParseSPF parses a v=spf1 string. It never panics: terms it cannot read are reported in SPF.Errors and, joined,
// in the returned error, and parsing goes on with the next term. A string that is not SPF gives ErrNotSPF.
func ParseSPF(s string) (SPF, error) {
	out := SPF{Raw: s}
	if !IsSPF(s) {
		return out, ErrNotSPF
	}
	body := strings.TrimLeft(s, " \t")[6:]
	seenMod := map[string]bool{}
	for _, tok := range strings.FieldsFunc(body, func(r rune) bool { return r == ' ' || r == '\t' }) {
		t, err := parseTerm(tok)
		if err != nil {
			out.Errors = append(out.Errors, err.Error())
			continue
		}
		if t.Modifier && (t.Name == "redirect" || t.Name == "exp") {
			if seenMod[t.Name] {
				out.Errors = append(out.Errors, fmt.Sprintf("%q: %s= given more than once", tok, t.Name))
				continue
			}
			seenMod[t.Name] = true
		}
		out.Terms = append(out.Terms, t)
	}
	if len(out.Errors) > 0 {
		return out, errors.New("spf: " + strings.Join(out.Errors, "; "))
	}
	return out, nil
}

func parseTerm(tok string) (Term, error) {
	// A modifier is name=value where name starts with a letter and has no ':' or '/' before '='.
	if i := strings.IndexByte(tok, '='); i > 0 && !strings.ContainsAny(tok[:i], ":/") {
		name := strings.ToLower(tok[:i])
		if !validModifierName(name) {
			return Term{}, fmt.Errorf("%q: bad modifier name", tok)
		}
		t := Term{Name: name, Value: tok[i+1:], Modifier: true}
		if (name == "redirect" || name == "exp") && !validDomainSpec(t.Value) {
			return Term{}, fmt.Errorf("%q: bad domain", tok)
		}
		return t, nil
	}
	t := Term{Qualifier: "+"}
	rest := tok
	switch rest[0] {
	case '+', '-', '~', '?':
		t.Qualifier = rest[:1]
		rest = rest[1:]
	}
	nameEnd := strings.IndexAny(rest, ":/")
	if nameEnd < 0 {
		nameEnd = len(rest)
	}
	t.Name = strings.ToLower(rest[:nameEnd])
	rest = rest[nameEnd:]
	if !knownMechanisms[t.Name] {
		return Term{}, fmt.Errorf("%q: unknown mechanism", tok)
	}
	if strings.HasPrefix(rest, ":") {
		rest = rest[1:]
		switch t.Name {
		case "ip4", "ip6":
			// The network itself may contain ':' (IPv6); the CIDR starts at the first '/'.
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				t.Value, t.CIDR = rest[:j], rest[j:]
			} else {
				t.Value = rest
			}
		case "a", "mx":
			t.Value, t.CIDR = splitDualCIDR(rest)
		default:
			t.Value = rest
		}
	} else if rest != "" {
		t.CIDR = rest
	}
	if err := checkMechanism(t); err != nil {
		return Term{}, fmt.Errorf("%q: %v", tok, err)
	}
	return t, nil
}

// splitDualCIDR splits "example.com/24//64" into the domain-spec and the CIDR suffix. A domain-spec may hold
// macros with '/' ("%{d}" cannot, but "%{l/}" can), so only a trailing run of /N or //N counts as CIDR.
func splitDualCIDR(s string) (string, string) {
	end := len(s)
	for end > 0 {
		j := strings.LastIndexByte(s[:end], '/')
		if j < 0 || !isDigits(s[j+1:end]) || j+1 == end {
			break
		}
		if j > 0 && s[j-1] == '/' {
			j--
		}
		end = j
	}
	return s[:end], s[end:]
}

func checkMechanism(t Term) error {
	switch t.Name {
	case "all":
		if t.Value != "" || t.CIDR != "" {
			return errors.New("all takes no argument")
		}
	case "include", "exists":
		if t.Value == "" {
			return fmt.Errorf("%s needs a domain", t.Name)
		}
		if t.CIDR != "" {
			return fmt.Errorf("%s takes no prefix length", t.Name)
		}
		if !validDomainSpec(t.Value) {
			return errors.New("bad domain")
		}
	case "ptr":
		if t.CIDR != "" {
			return errors.New("ptr takes no prefix length")
		}
		if t.Value != "" && !validDomainSpec(t.Value) {
			return errors.New("bad domain")
		}
	case "a", "mx":
		if t.Value != "" && !validDomainSpec(t.Value) {
			return errors.New("bad domain")
		}
		if t.CIDR != "" && !validDualCIDR(t.CIDR) {
			return errors.New("bad prefix length")
		}
	case "ip4", "ip6":
		if t.Value == "" {
			return fmt.Errorf("%s needs an address", t.Name)
		}
		addr, err := netip.ParseAddr(t.Value)
		if err != nil || (t.Name == "ip4") != addr.Is4() {
			return fmt.Errorf("bad %s address", t.Name)
		}
		if t.CIDR != "" {
			max := 32
			if t.Name == "ip6" {
				max = 128
			}
			n, err := strconv.Atoi(strings.TrimPrefix(t.CIDR, "/"))
			if err != nil || strings.HasPrefix(t.CIDR, "//") || n < 0 || n > max {
				return errors.New("bad prefix length")
			}
		}
	}
	return nil
}

func validDualCIDR(c string) bool {
	v4, v6, _ := strings.Cut(c, "//")
	if v4 != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v4, "/"))
		if !strings.HasPrefix(v4, "/") || err != nil || n < 0 || n > 32 {
			return false
		}
	}
	if strings.Contains(c, "//") {
		n, err := strconv.Atoi(v6)
		if err != nil || n < 0 || n > 128 {
			return false
		}
	}
	return true
}

func validModifierName(n string) bool {
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// validDomainSpec accepts a domain name, possibly holding %{...} macros: visible ASCII, no empty labels in the
// literal part, and a well-formed macro syntax.
func validDomainSpec(s string) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' {
			return false
		}
		if c == '%' {
			if i+1 >= len(s) {
				return false
			}
			switch s[i+1] {
			case '%', '_', '-':
				i++
				continue
			case '{':
				j := strings.IndexByte(s[i:], '}')
				if j < 3 {
					return false
				}
				i += j
				continue
			default:
				return false
			}
		}
	}
	return !strings.Contains(s, "..")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// HasMacro says whether a domain-spec holds a macro; such targets cannot be followed without the sender's
// details.
func HasMacro(domain string) bool { return strings.Contains(domain, "%") }

// Includes returns the include: domains, in order.
func (s SPF) Includes() []string {
	var out []string
	for _, t := range s.Terms {
		if !t.Modifier && t.Name == "include" {
			out = append(out, t.Value)
		}
	}
	return out
}

// Redirect returns the redirect= domain, or "".
func (s SPF) Redirect() string {
	for _, t := range s.Terms {
		if t.Modifier && t.Name == "redirect" {
			return t.Value
		}
	}
	return ""
}

// Lookups counts the terms of this record alone that cost a DNS lookup (include, a, mx, ptr, exists, redirect).
func (s SPF) Lookups() int {
	n := 0
	for _, t := range s.Terms {
		if (!t.Modifier && lookupMechanisms[t.Name]) || (t.Modifier && t.Name == "redirect") {
			n++
		}
	}
	return n
}

// All returns the qualifier of the all mechanism ("-", "~", "?", "+"), or "" when there is none.
func (s SPF) All() string {
	for _, t := range s.Terms {
		if !t.Modifier && t.Name == "all" {
			return t.Qualifier
		}
	}
	return ""
}
