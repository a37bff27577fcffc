// Package check answers marketing ops' question before they buy a tool: is it approved, banned or unknown, what do
// we already own for the same job, who here already uses it, what access it asks for, and what to send IT. It needs
// no admin credentials: only the catalogue, the approved-tools file and, if present, the last scan report. It never
// fetches anything: a URL query is only parsed.
//
// The catalogue comes in through the small interface below; approvals, scope classes and ceilings through
// scanner.Policy (rules/policy implements it), the same policy a scan uses, so check and scan cannot disagree.
package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// VendorFacts is what the catalogue knows about one vendor.
type VendorFacts struct {
	ID               string
	Name             string
	Category         string   // category ID
	CategoryName     string   // its display name
	Subcategories    []string // subcategory IDs, primary first
	SubcategoryNames []string // their display names, same order
	Martech          bool
	Domains          []string
	Aliases          []string
	DataAccess       []string // what it typically touches: "contacts", "email content", …
}

// Catalog is the vendor catalogue as check needs it. Implementations must be safe for concurrent use.
type Catalog interface {
	// Lookup finds a vendor by exact ID, name or alias, case-insensitively.
	Lookup(idOrName string) (VendorFacts, bool)
	// Search returns up to limit vendors that fuzzily match text, best first.
	Search(text string, limit int) []VendorFacts
	// Resolve maps one hint (domain, google_client_id, entra_app_id, aws_account, name) to a vendor, with a human
	// reason such as "domain hotjar.com".
	Resolve(h scanner.Hint) (VendorFacts, string, bool)
}

// ApprovedTool is one vendor listed in the approved-tools file.
type ApprovedTool = scanner.ApprovedTool

// ScopeClass is the risk class of one OAuth scope or permission, with a short reason.
type ScopeClass = scanner.ScopeClass

// Verdicts.
const (
	VerdictApproved   = "approved"
	VerdictTolerated  = "tolerated"
	VerdictReview     = "review"
	VerdictBanned     = "banned"
	VerdictExpired    = "expired"
	VerdictUnapproved = "unapproved"
	VerdictUnknown    = "unknown"
	// VerdictNoConfig: the vendor is known, but no config (so no approved-tools file) was found: no approval
	// verdict is given.
	VerdictNoConfig = "no_config"
)

// Verdicts lists every verdict.
var Verdicts = []string{VerdictApproved, VerdictTolerated, VerdictReview, VerdictBanned, VerdictExpired,
	VerdictUnapproved, VerdictUnknown, VerdictNoConfig}

// Exit statuses of `shadowscan check`.
const (
	ExitOK      = 0 // approved or tolerated
	ExitNeedsIT = 1 // not approved, under review, approval expired, unknown vendor, or scopes beyond the approval
	ExitBanned  = 4 // banned
)

// ExitCode maps a verdict to the exit status of `shadowscan check`: 0 approved or tolerated, 4 banned, 1 otherwise.
func ExitCode(verdict string) int {
	switch verdict {
	case VerdictApproved, VerdictTolerated:
		return ExitOK
	case VerdictBanned:
		return ExitBanned
	}
	return ExitNeedsIT
}

// VerdictLabel is the human label of a verdict.
func VerdictLabel(verdict string) string {
	switch verdict {
	case VerdictApproved:
		return "Approved"
	case VerdictTolerated:
		return "Tolerated"
	case VerdictReview:
		return "Under review"
	case VerdictBanned:
		return "Banned"
	case VerdictExpired:
		return "Approval expired"
	case VerdictUnapproved:
		return "Not approved"
	case VerdictNoConfig:
		return "No approval verdict (no config)"
	}
	return "Unknown vendor"
}

// Result is the answer to one query. Its JSON field names are a contract (the serve API returns it as is).
type Result struct {
	Query     string `json:"query"`
	QueryKind string `json:"query_kind"`
	Verdict   string `json:"verdict"`
	// VerdictLabel is Verdict in words ("Not approved").
	VerdictLabel string      `json:"verdict_label"`
	Vendor       *VendorInfo `json:"vendor"`
	// Reason says how the query matched the vendor ("domain hotjar.com"), or why nothing matched.
	Reason string `json:"reason"`
	// ClientID is the OAuth client or application ID the query carried, if any.
	ClientID string `json:"client_id,omitempty"`
	// RedirectHost is the host of a consent URL's redirect_uri.
	RedirectHost string `json:"redirect_host,omitempty"`
	// AppName is the name the last scan report gives an app the catalogue does not know ("LeadMagnet Pro").
	AppName string `json:"app_name,omitempty"`
	// AdminConsent is true for a Microsoft tenant-wide admin consent URL.
	AdminConsent bool          `json:"admin_consent,omitempty"`
	Approval     *ApprovalInfo `json:"approval,omitempty"`
	// Suggestions are "did you mean" vendors when the query matched none exactly.
	Suggestions  []Suggestion  `json:"suggestions"`
	Alternatives []Alternative `json:"alternatives"`
	Scopes       []Scope       `json:"scopes"`
	// ScopesDropped counts scopes beyond MaxScopes that were not read.
	ScopesDropped int `json:"scopes_dropped,omitempty"`
	// ScopesBeyondApproval is true when the vendor is approved but the consent asks for scopes outside the
	// approved ceiling: that still needs IT.
	ScopesBeyondApproval bool   `json:"scopes_beyond_approval"`
	Usage                *Usage `json:"usage"`
	NextStep             string `json:"next_step"`
	RequestMarkdown      string `json:"request_markdown"`
	// RequestTo is where the request goes and how to send it (nil: check.request_to is not configured).
	RequestTo *RequestTarget `json:"request_to,omitempty"`
	// Config says which config the answer rests on, e.g. "configs/demo.yaml (--config)".
	Config string `json:"config"`
	// NoConfig is true when no config was found: the answer gives no approval verdict.
	NoConfig bool `json:"no_config,omitempty"`
	// ExitCode is the exit status `shadowscan check` uses for this result.
	ExitCode  int       `json:"exit_code"`
	CheckedAt time.Time `json:"checked_at"`
	// Redacted is true when people's names and emails were left out.
	Redacted bool `json:"redacted"`
}

// RequestTarget is check.request_to: an email address or the URL of a form or ticket queue.
type RequestTarget struct {
	Kind    string `json:"kind"` // email | url
	Address string `json:"address"`
	// How says how to send the request, for people.
	How string `json:"how"`
}

// NewRequestTarget classifies a configured check.request_to ("" gives nil).
func NewRequestTarget(to string) *RequestTarget {
	switch {
	case to == "":
		return nil
	case strings.Contains(to, "://"):
		return &RequestTarget{Kind: "url", Address: to, How: "Open " + to + " and paste the request into the form."}
	}
	return &RequestTarget{Kind: "email", Address: to, How: "Email the request to " + to + "."}
}

// VendorInfo is the catalogue's facts about the matched vendor.
type VendorInfo struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Category         string   `json:"category"`
	CategoryName     string   `json:"category_name"`
	Subcategories    []string `json:"subcategories"`
	SubcategoryNames []string `json:"subcategory_names"`
	Martech          bool     `json:"martech"`
	Domains          []string `json:"domains"`
	DataAccess       []string `json:"data_access"`
}

// ApprovalInfo is the approved-tools file's entry for the vendor.
type ApprovalInfo struct {
	Status  string    `json:"status"`
	Owner   string    `json:"owner,omitempty"`
	Ticket  string    `json:"ticket,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
	Notes   string    `json:"notes,omitempty"`
	Scopes  []string  `json:"scopes,omitempty"` // the approved scope ceiling
}

// Suggestion is a catalogue vendor offered for a query, with its verdict here.
type Suggestion struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	CategoryName string `json:"category_name"`
	Verdict      string `json:"verdict"`
}

// Alternative is an approved or tolerated tool for the same job.
type Alternative struct {
	Vendor      VendorRef `json:"vendor"`
	Status      string    `json:"status"`
	Owner       string    `json:"owner,omitempty"`
	Ticket      string    `json:"ticket,omitempty"`
	Subcategory string    `json:"subcategory"` // the shared subcategory, by name
}

// VendorRef names a vendor.
type VendorRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Scope is one scope a consent URL asks for.
type Scope struct {
	Scope string `json:"scope"`
	Class string `json:"class"`
	Why   string `json:"why"`
	// BeyondApproval is true when the vendor has an approved scope ceiling and this scope is outside it.
	BeyondApproval bool `json:"beyond_approval,omitempty"`
}

// Usage is what the last scan report saw of the vendor (or of the unidentified app) here.
type Usage struct {
	InReport  bool     `json:"in_report"` // false: the report does not mention it
	UserCount int      `json:"user_count"`
	Users     []string `json:"users,omitempty"` // only when not redacted
	Sources   []string `json:"sources"`
	Records   int      `json:"records"`
	// Scopes are the OAuth scopes an unidentified app holds here.
	Scopes []string `json:"scopes,omitempty"`
	// MonthlySpend is the monthly-equivalent spend by currency.
	MonthlySpend map[string]float64 `json:"monthly_spend,omitempty"`
	FirstSeen    time.Time          `json:"first_seen,omitzero"`
	LastSeen     time.Time          `json:"last_seen,omitzero"`
	ScanID       string             `json:"scan_id"`
	ScanFinished time.Time          `json:"scan_finished_at,omitzero"`
}

// Checker answers queries. It is safe for concurrent use once built; build a new one when the report changes.
type Checker struct {
	cat    Catalog
	policy scanner.Policy
	rep    *scanner.Report
	// Now is the clock (tests set it); it stamps CheckedAt.
	Now func() time.Time
	// MaxSuggestions caps "did you mean" lists; default 5.
	MaxSuggestions int
	// Config names the config the answer rests on ("configs/demo.yaml (--config)"); NoConfig says none was found,
	// so no approval verdict is given.
	Config   string
	NoConfig bool
	// RequestTo is check.request_to: where the request for IT goes.
	RequestTo string
}

// New builds a Checker. pol may be nil (everything unapproved; every scope unknown); rep may be nil (no usage
// information).
func New(cat Catalog, pol scanner.Policy, rep *scanner.Report) *Checker {
	return &Checker{cat: cat, policy: pol, rep: rep, Now: time.Now, MaxSuggestions: 5}
}

// Report returns the report the Checker was built with (may be nil).
func (c *Checker) Report() *scanner.Report { return c.rep }

// Option changes one Check call.
type Option func(*options)

type options struct{ redact bool }

// Redact leaves people's names and emails out of the Result (usage.users and the request text), keeping counts.
func Redact() Option { return func(o *options) { o.redact = true } }

// RedactIf is Redact when b is true.
func RedactIf(b bool) Option { return func(o *options) { o.redact = o.redact || b } }

// Check answers one query. The error is a *QueryError for an empty, oversized or malformed query.
func (c *Checker) Check(query string, opts ...Option) (*Result, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	q, err := ParseQuery(query)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	r := &Result{Query: q.Raw, QueryKind: q.Kind, ClientID: q.ClientID, RedirectHost: q.RedirectHost, AdminConsent: q.AdminConsent,
		ScopesDropped: q.ScopesDropped, CheckedAt: now().UTC(), Redacted: o.redact,
		Suggestions: []Suggestion{}, Alternatives: []Alternative{}, Scopes: []Scope{},
		Config: c.Config, NoConfig: c.NoConfig, RequestTo: NewRequestTarget(c.RequestTo)}

	v, reason, found := c.resolve(q)
	if found {
		r.Vendor = v.Info()
		r.Reason = reason
		appr := c.approval(v.ID)
		r.Verdict = verdictOf(appr.Status)
		r.Approval = &ApprovalInfo{Status: r.Verdict, Owner: appr.Owner, Ticket: appr.Ticket, Expires: appr.Expires,
			Notes: appr.Notes, Scopes: appr.Scopes}
		r.Alternatives = c.alternatives(v)
		if c.NoConfig {
			r.Verdict, r.Approval, r.Alternatives = VerdictNoConfig, nil, []Alternative{}
		}
	} else {
		r.Verdict = VerdictUnknown
		r.Reason = reason
		r.Suggestions = c.suggest(q)
	}
	r.VerdictLabel = VerdictLabel(r.Verdict)
	r.Scopes = c.classify(q.Scopes, r.Approval)
	for _, s := range r.Scopes {
		if s.BeyondApproval {
			r.ScopesBeyondApproval = true
		}
	}
	r.Usage = c.usage(q, r.Vendor, o.redact)
	if r.Vendor == nil {
		r.AppName = c.unidentifiedName(q)
		if r.Usage != nil && r.Usage.InReport {
			r.Reason += "; the last scan lists it among the unidentified apps"
		}
	}
	r.ExitCode = ExitCode(r.Verdict)
	if r.ExitCode == ExitOK && r.ScopesBeyondApproval {
		r.ExitCode = ExitNeedsIT
	}
	r.NextStep = nextStep(r)
	r.RequestMarkdown = RequestMarkdown(r)
	return r, nil
}

func (c *Checker) approval(id string) scanner.Approval {
	if c.policy == nil {
		return scanner.Approval{Status: scanner.ApprovalUnapproved}
	}
	return c.policy.Approval(id)
}

func verdictOf(status string) string {
	switch status {
	case scanner.ApprovalApproved, scanner.ApprovalTolerated, scanner.ApprovalReview, scanner.ApprovalBanned,
		scanner.ApprovalExpired:
		return status
	}
	return VerdictUnapproved
}

// Info is the JSON form of the facts, as `check` and `catalog list` print them (lists never null).
func (v VendorFacts) Info() *VendorInfo {
	return &VendorInfo{ID: v.ID, Name: v.Name, Category: v.Category, CategoryName: v.CategoryName,
		Subcategories: nonNil(v.Subcategories), SubcategoryNames: nonNil(v.SubcategoryNames), Martech: v.Martech,
		Domains: nonNil(v.Domains), DataAccess: nonNil(v.DataAccess)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}

// resolve finds the vendor a query names, with the reason, or explains why none matched.
func (c *Checker) resolve(q Query) (VendorFacts, string, bool) {
	if c.cat == nil {
		return VendorFacts{}, "no catalogue loaded", false
	}
	switch q.Kind {
	case KindName:
		if v, ok := c.cat.Lookup(q.Text); ok {
			return v, fmt.Sprintf("name %q", q.Text), true
		}
		if v, reason, ok := c.cat.Resolve(scanner.Hint{Type: scanner.HintName, Value: q.Text}); ok {
			return v, reason, true
		}
		// "Hot Jar", "hot-jar": the same name once spaces and punctuation are gone.
		n := squash(q.Text)
		for _, v := range c.cat.Search(q.Text, 3) {
			if n != "" && (squash(v.Name) == n || squash(v.ID) == n) {
				return v, fmt.Sprintf("name %q", q.Text), true
			}
			for _, a := range v.Aliases {
				if n != "" && squash(a) == n {
					return v, fmt.Sprintf("name %q", q.Text), true
				}
			}
		}
		return VendorFacts{}, fmt.Sprintf("no vendor in the catalogue is called %q", q.Text), false
	case KindDomain, KindURL:
		// One hint through the scan's resolver: it tries the host's parent domains and every DNS host pattern
		// itself, so that check and a scan of the same host always agree.
		if v, reason, ok := c.cat.Resolve(scanner.Hint{Type: scanner.HintDomain, Value: q.Host}); ok {
			return v, reason, true
		}
		// "monday.com" is a name as much as a domain.
		if v, ok := c.cat.Lookup(q.Raw); ok {
			return v, fmt.Sprintf("name %q", q.Raw), true
		}
		return VendorFacts{}, fmt.Sprintf("no vendor in the catalogue owns %s", q.Host), false
	}
	// Identifier and consent queries: the ID first, then the redirect host.
	var tried []string
	for _, h := range q.Hints() {
		if h.Type == scanner.HintDomain {
			if v, reason, ok := c.cat.Resolve(h); ok {
				return v, "redirect_uri host " + h.Value + " (" + reason + ")", true
			}
			tried = append(tried, "redirect_uri host "+h.Value)
			continue
		}
		if v, reason, ok := c.cat.Resolve(h); ok {
			return v, reason, true
		}
		tried = append(tried, hintWords(h))
	}
	return VendorFacts{}, "the catalogue knows no vendor with " + strings.Join(tried, " or "), false
}

func hintWords(h scanner.Hint) string {
	switch h.Type {
	case scanner.HintGoogleClientID:
		return "Google OAuth client ID " + h.Value
	case scanner.HintEntraAppID:
		return "Microsoft application ID " + h.Value
	case scanner.HintAWSAccount:
		return "AWS account " + h.Value
	}
	return string(h.Type) + " " + h.Value
}

// squash lower-cases s and keeps letters and digits only.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Suggest returns catalogue vendors matching text, best first, each with its verdict here: the search box's
// suggestions as you type.
func (c *Checker) Suggest(text string, limit int) []Suggestion {
	out := []Suggestion{}
	text = strings.TrimSpace(text)
	if c.cat == nil || text == "" || limit <= 0 {
		return out
	}
	for _, v := range c.cat.Search(text, limit) {
		out = append(out, Suggestion{ID: v.ID, Name: v.Name, CategoryName: v.CategoryName,
			Verdict: verdictOf(c.approval(v.ID).Status)})
	}
	return out
}

func (c *Checker) suggest(q Query) []Suggestion {
	n := c.MaxSuggestions
	if n <= 0 {
		n = 5
	}
	text := q.Text
	switch q.Kind {
	case KindDomain, KindURL:
		// "hotjar.io" → search "hotjar".
		labels := strings.Split(q.Host, ".")
		if len(labels) >= 2 {
			text = labels[len(labels)-2]
		}
	case KindName:
	default:
		return []Suggestion{}
	}
	return c.Suggest(text, n)
}

// alternatives lists approved and tolerated tools that share a subcategory with v, approved first.
func (c *Checker) alternatives(v VendorFacts) []Alternative {
	out := []Alternative{}
	names := map[string]string{}
	for i, id := range v.Subcategories {
		if i < len(v.SubcategoryNames) && v.SubcategoryNames[i] != "" {
			names[id] = v.SubcategoryNames[i]
		} else {
			names[id] = id
		}
	}
	for _, a := range policy.Alternatives(c.policy, v.ID, v.Subcategories) {
		t := a.Tool
		out = append(out, Alternative{Vendor: VendorRef{ID: t.VendorID, Name: t.Name}, Status: t.Status,
			Owner: t.Owner, Ticket: t.Ticket, Subcategory: names[a.Subcategory]})
	}
	return out
}

func (c *Checker) classify(scopes []string, appr *ApprovalInfo) []Scope {
	out := make([]Scope, 0, len(scopes))
	for _, s := range scopes {
		sc := ScopeClass{Scope: s, Class: policy.ClassUnknown}
		if c.policy != nil {
			sc = c.policy.ScopeClass(s)
		}
		class := sc.Class
		switch class {
		case policy.ClassRestricted, policy.ClassSensitive, policy.ClassHigh, policy.ClassLow:
		default:
			class = policy.ClassUnknown
		}
		why := sc.Why
		if why == "" && class == policy.ClassUnknown {
			why = "not in shadowscan's scope table; check it in the consent screen"
		}
		s := Scope{Scope: s, Class: class, Why: why}
		if appr != nil && len(appr.Scopes) > 0 &&
			(appr.Status == scanner.ApprovalApproved || appr.Status == scanner.ApprovalTolerated) {
			s.BeyondApproval = len(c.policy.BeyondCeiling([]string{s.Scope}, appr.Scopes)) > 0
		}
		out = append(out, s)
	}
	return out
}

// Scope URL prefixes that approved-tools ceilings leave out ("gmail.readonly", "Mail.Read").
var scopePrefixes = []string{"https://www.googleapis.com/auth/", "https://graph.microsoft.com/", "http://www.googleapis.com/auth/"}

// ShortScope drops a well-known resource prefix from a scope: "https://www.googleapis.com/auth/gmail.readonly" →
// "gmail.readonly".
func ShortScope(s string) string {
	for _, p := range scopePrefixes {
		if strings.HasPrefix(strings.ToLower(s), p) && len(s) > len(p) {
			return s[len(p):]
		}
	}
	return s
}

// usage finds the vendor (or, for an unidentified app, its client ID or host) in the report.
func (c *Checker) usage(q Query, v *VendorInfo, redact bool) *Usage {
	if c.rep == nil {
		return nil
	}
	u := &Usage{Sources: []string{}, ScanID: c.rep.Scan.ID, ScanFinished: c.rep.Scan.FinishedAt}
	if v != nil {
		for i := range c.rep.Inventory {
			it := &c.rep.Inventory[i]
			if it.Vendor.ID != v.ID {
				continue
			}
			u.InReport, u.UserCount, u.Records = true, it.UserCount, it.Records
			u.Sources = nonNil(it.Sources)
			u.FirstSeen, u.LastSeen = it.FirstSeen, it.LastSeen
			if len(it.MonthlySpend) > 0 {
				u.MonthlySpend = map[string]float64{}
				for k, x := range it.MonthlySpend {
					u.MonthlySpend[k] = x
				}
			}
			if !redact {
				u.Users = append([]string(nil), it.Users...)
			}
			return u
		}
		return u
	}
	// An app the catalogue does not know may still be in the report's unidentified list, under several keys (its
	// client ID, its domain on a card statement): people are counted once.
	people := map[string]bool{}
	for _, un := range c.unidentified(q) {
		u.InReport = true
		for _, p := range un.Users {
			people[p] = true
		}
		u.UserCount = max(u.UserCount, un.UserCount, len(people))
		u.Records += un.Records
		u.Sources = mergeSorted(u.Sources, un.Sources)
		if len(un.Scopes) > 0 {
			u.Scopes = mergeSorted(u.Scopes, un.Scopes)
		}
		if u.FirstSeen.IsZero() || (!un.FirstSeen.IsZero() && un.FirstSeen.Before(u.FirstSeen)) {
			u.FirstSeen = un.FirstSeen
		}
		if un.LastSeen.After(u.LastSeen) {
			u.LastSeen = un.LastSeen
		}
		if !redact {
			u.Users = mergeSorted(u.Users, un.Users)
		}
	}
	return u
}

// mergeSorted returns the sorted union of a and b, never nil.
func mergeSorted(a, b []string) []string {
	out := append(append([]string{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// unidentifiedName returns the display name the report gives an unidentified app matching q, if any.
func (c *Checker) unidentifiedName(q Query) string {
	for _, un := range c.unidentified(q) {
		if un.Name != "" {
			return un.Name
		}
	}
	return ""
}

// unidentified returns the report's unidentified apps that q names: by any hint the query carries (client ID, app
// ID, AWS account, domain), by the display name the scan saw ("LeadMagnet Pro"), or by a domain the app's domain
// hint is part of. Hint matches come first.
func (c *Checker) unidentified(q Query) []*scanner.Unidentified {
	if c.rep == nil {
		return nil
	}
	keys := map[string]bool{}
	for _, h := range q.Hints() {
		keys[string(h.Type)+":"+strings.ToLower(h.Value)] = true
	}
	name := ""
	if q.Kind == KindName {
		name = squash(q.Text)
	}
	var byHint, byName []*scanner.Unidentified
	for i := range c.rep.Unidentified {
		un := &c.rep.Unidentified[i]
		switch {
		case keys[string(un.HintType)+":"+strings.ToLower(un.Value)] || keys[strings.ToLower(un.Key)]:
			byHint = append(byHint, un)
		case (q.Kind == KindDomain || q.Kind == KindURL) && un.HintType == scanner.HintDomain && sameSite(q.Host, un.Value):
			byHint = append(byHint, un)
		case name != "" && (squash(un.Name) == name || squash(un.Value) == name):
			byName = append(byName, un)
		}
	}
	// Among name matches, the one most people use names the app best ("LeadMagnet Pro" over "LEADMAGNETPRO").
	sort.SliceStable(byName, func(i, j int) bool { return byName[i].UserCount > byName[j].UserCount })
	return append(byHint, byName...)
}

// sameSite reports whether two host names are the same or one is a subdomain of the other.
func sameSite(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	return a == b || strings.HasSuffix(a, "."+b) || strings.HasSuffix(b, "."+a)
}
