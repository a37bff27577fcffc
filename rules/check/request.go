package check

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/shadowscan/shadowscan/scanner/report"
)

// toolName is how the texts name the tool: the vendor, the app name the report saw, or the query.
func toolName(r *Result) string {
	switch {
	case r.Vendor != nil:
		return r.Vendor.Name
	case r.AppName != "":
		return r.AppName
	case r.ClientID != "":
		return "the app " + r.ClientID
	}
	return r.Query
}

func altPhrase(alts []Alternative) string {
	if len(alts) == 0 {
		return ""
	}
	a := alts[0]
	s := fmt.Sprintf("%s, which we already have for %s", a.Vendor.Name, lowerFirst(a.Subcategory))
	if a.Owner != "" {
		s += fmt.Sprintf(" (owner %s)", a.Owner)
	}
	return s
}

// nextStep says what to do now, in one or two sentences.
func nextStep(r *Result) string {
	name := toolName(r)
	owner := func() string {
		if r.Approval != nil && r.Approval.Owner != "" {
			return r.Approval.Owner
		}
		return "IT"
	}
	var s string
	switch r.Verdict {
	case VerdictApproved:
		s = fmt.Sprintf("%s is approved. Ask %s for access instead of buying your own licence.", name, owner())
	case VerdictTolerated:
		s = fmt.Sprintf("%s is tolerated: you may use it, but IT does not support it and it must not hold customer data.", name)
		if a := altPhrase(r.Alternatives); a != "" && r.Alternatives[0].Status == VerdictApproved {
			s += " Prefer " + a + "."
		}
	case VerdictReview:
		s = fmt.Sprintf("IT is reviewing %s", name)
		if r.Approval != nil && r.Approval.Ticket != "" {
			s += " in " + r.Approval.Ticket
		}
		s += ". Do not buy it yet; add your use case to the review with the request below."
	case VerdictBanned:
		s = fmt.Sprintf("%s is banned here. Do not buy it or connect it to company accounts.", name)
		if a := altPhrase(r.Alternatives); a != "" {
			s += " Use " + a + "."
		}
	case VerdictExpired:
		s = fmt.Sprintf("%s was approved, but the approval expired", name)
		if r.Approval != nil && !r.Approval.Expires.IsZero() {
			s += " on " + r.Approval.Expires.Format("2006-01-02")
		}
		s += fmt.Sprintf(". Ask %s to renew it with IT before you renew or expand it.", owner())
	case VerdictUnapproved:
		s = fmt.Sprintf("%s is not approved.", name)
		if a := altPhrase(r.Alternatives); a != "" {
			s += " Consider " + a + "."
		}
		s += fmt.Sprintf(" If you still need %s, send the request below to IT before you buy or sign in.", name)
	case VerdictNoConfig:
		s = fmt.Sprintf("No shadowscan config was found, so this answer cannot say whether %s is approved or banned here. "+
			"Give --config, set SHADOWSCAN_CONFIG, or ask IT where the config is before you buy or sign in.", name)
	default:
		s = fmt.Sprintf("shadowscan does not know %s. Do not grant it access yet; send the request below to IT so they can assess it.", name)
		if u := r.Usage; u != nil && u.InReport && u.UserCount > 0 {
			s = fmt.Sprintf("shadowscan does not know %s, but it is already in use here: %s", name, people(u.UserCount))
			if len(u.Scopes) > 0 {
				s += " granted it " + shortScopes(u.Scopes)
			}
			s += ". Do not grant it access yourself; send the request below to IT so they can assess it."
		}
		if len(r.Suggestions) > 0 {
			s = fmt.Sprintf("No vendor matched %q exactly; did you mean %s? Otherwise send the request below to IT.",
				r.Query, suggestionNames(r.Suggestions))
		}
	}
	if r.ScopesBeyondApproval && (r.Verdict == VerdictApproved || r.Verdict == VerdictTolerated) {
		s += " But this consent asks for scopes beyond what IT approved for it: do not grant them until IT agrees."
	}
	return s
}

func suggestionNames(ss []Suggestion) string {
	names := make([]string, 0, len(ss))
	for _, s := range ss {
		names = append(names, s.Name)
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// RequestMarkdown writes the request for IT (or, for an approved tool, for its owner) in Markdown. Every string
// that came from the query, the catalogue or the report is escaped.
func RequestMarkdown(r *Result) string {
	md := report.MarkdownText
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	name := md(toolName(r))
	switch r.Verdict {
	case VerdictApproved, VerdictTolerated:
		if r.ScopesBeyondApproval {
			p("## Request: wider access for %s\n\n", name)
		} else {
			p("## Request: access to %s\n\n", name)
		}
	case VerdictBanned:
		p("## Request: exception for %s (banned)\n\n", name)
	case VerdictExpired:
		p("## Request: renew the approval of %s\n\n", name)
	default:
		p("## Request: approval to use %s\n\n", name)
	}
	p("- **Requested by:** _your name, team_\n")
	p("- **Purpose:** _what you need it for, for whom, from when and for how long_\n")
	p("- **Data it will hold:** _customer contacts? website visitors? email content? none?_\n")
	p("- **Cost:** _plan, seats, monthly or annual price_\n\n")

	p("### The tool\n\n")
	if v := r.Vendor; v != nil {
		p("- Vendor: %s (catalogue ID %s)\n", md(v.Name), report.MarkdownCode(v.ID))
		cat := md(v.CategoryName)
		if len(v.SubcategoryNames) > 0 {
			cat += " › " + md(strings.Join(v.SubcategoryNames, ", "))
		}
		if cat != "" {
			p("- Category: %s\n", cat)
		}
		if len(v.Domains) > 0 {
			p("- Domains: %s\n", md(strings.Join(v.Domains, ", ")))
		}
		if len(v.DataAccess) > 0 {
			p("- Typically touches: %s\n", md(strings.Join(v.DataAccess, ", ")))
		}
	} else {
		if r.ClientID != "" || r.QueryKind == KindAWSAccount {
			p("- Not in the shadowscan catalogue.\n")
		} else {
			p("- Not in the shadowscan catalogue. Asked about: %s\n", md(truncate(r.Query, 300)))
		}
		if r.AppName != "" {
			p("- Name seen in our last scan: %s\n", md(r.AppName))
		}
	}
	if r.ClientID != "" {
		p("- OAuth client ID: %s\n", md(r.ClientID))
	}
	if r.RedirectHost != "" {
		p("- Redirects to: %s\n", md(r.RedirectHost))
	}
	if r.QueryKind == KindAWSAccount && r.Vendor == nil {
		p("- AWS account: %s\n", md(r.Query))
	}
	if r.AdminConsent {
		p("- This is a **tenant-wide admin consent** request.\n")
	}
	p("- Status here: **%s**", VerdictLabel(r.Verdict))
	if a := r.Approval; a != nil {
		if bits := a.bits(md); len(bits) > 0 {
			p(" (%s)", strings.Join(bits, ", "))
		}
	}
	p(", checked with `shadowscan check` on %s.\n\n", r.CheckedAt.Format("2006-01-02"))

	if len(r.Scopes) > 0 {
		p("### Access it asks for\n\n| Scope | Risk | Why |\n|---|---|---|\n")
		for _, s := range r.Scopes {
			risk := s.Class
			if s.BeyondApproval {
				risk += ", beyond the approved scopes"
			}
			p("| %s | %s | %s |\n", md(ShortScope(s.Scope)), risk, md(s.Why))
		}
		if r.ScopesDropped > 0 {
			p("\n%d more scopes were not listed.\n", r.ScopesDropped)
		}
		p("\n")
	}

	if len(r.Alternatives) > 0 {
		p("### What we already have\n\n")
		for _, a := range r.Alternatives {
			p("- %s: %s for %s", md(a.Vendor.Name), VerdictLabel(a.Status), md(lowerFirst(a.Subcategory)))
			if a.Owner != "" {
				p(", owner %s", md(a.Owner))
			}
			p("\n")
		}
		p("\n_Why would these not do?_\n\n")
	}

	if u := r.Usage; u != nil && u.InReport {
		p("### Current use here\n\n")
		p("- %s in the scan of %s", people(u.UserCount), u.ScanFinished.Format("2006-01-02"))
		if len(u.Sources) > 0 {
			p(", seen in %s", md(strings.Join(u.Sources, ", ")))
		}
		p("\n")
		if len(u.Users) > 0 {
			p("- Who: %s\n", md(strings.Join(u.Users, ", ")))
		}
		if len(u.Scopes) > 0 {
			p("- Scopes granted: %s\n", md(shortScopes(u.Scopes)))
		}
		if sp := Money(u.MonthlySpend); sp != "" {
			p("- Spend: %s a month\n", sp)
		}
		if !u.FirstSeen.IsZero() {
			p("- First seen %s, last seen %s\n", u.FirstSeen.Format("2006-01-02"), u.LastSeen.Format("2006-01-02"))
		}
		p("\n")
	}
	return b.String()
}

// lowerFirst lower-cases the first letter of a name unless it starts an acronym: "Session replay" → "session
// replay", "CRM" stays.
func lowerFirst(s string) string {
	rs := []rune(s)
	if len(rs) == 0 || (len(rs) > 1 && unicode.IsUpper(rs[1])) {
		return s
	}
	rs[0] = unicode.ToLower(rs[0])
	return string(rs)
}

// shortScopes lists scopes without their well-known prefixes: "gmail.readonly, drive.readonly".
func shortScopes(scopes []string) string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = ShortScope(s)
	}
	return strings.Join(out, ", ")
}

func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// Money formats monthly spend by currency: "39.00 USD, 12.50 EUR", currencies in order.
func Money(m map[string]float64) string {
	if len(m) == 0 {
		return ""
	}
	cs := make([]string, 0, len(m))
	for c := range m {
		cs = append(cs, c)
	}
	sort.Strings(cs)
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%.2f %s", m[c], report.Clean(c)))
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xc0 != 0x80 }
