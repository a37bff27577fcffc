// Package checktest holds small in-memory fakes of check's Catalog, Approvals and ScopeClassifier, loaded with the
// demo organisation (Northwind Outfitters), and a demo scan report. Tests of check and of the serve page use them;
// they are not the real catalogue.
package checktest

import (
	"sort"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// Catalog is a fake check.Catalog over a vendor list and identifier tables.
type Catalog struct {
	Vendors     []check.VendorFacts
	GoogleIDs   map[string]string // Google OAuth client ID → vendor ID
	EntraAppIDs map[string]string // application GUID → vendor ID
	AWSAccounts map[string]string // account ID → vendor ID
}

var _ check.Catalog = (*Catalog)(nil)

func (c *Catalog) byID(id string) (check.VendorFacts, bool) {
	for _, v := range c.Vendors {
		if v.ID == id {
			return v, true
		}
	}
	return check.VendorFacts{}, false
}

// Lookup implements check.Catalog.
func (c *Catalog) Lookup(s string) (check.VendorFacts, bool) {
	s = strings.TrimSpace(s)
	for _, v := range c.Vendors {
		if strings.EqualFold(v.ID, s) || strings.EqualFold(v.Name, s) {
			return v, true
		}
		for _, a := range v.Aliases {
			if strings.EqualFold(a, s) {
				return v, true
			}
		}
	}
	return check.VendorFacts{}, false
}

// Search implements check.Catalog: exact, prefix, substring, then small edit distances, best first.
func (c *Catalog) Search(text string, limit int) []check.VendorFacts {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" || limit <= 0 {
		return nil
	}
	type hit struct {
		v     check.VendorFacts
		score int
	}
	var hits []hit
	for _, v := range c.Vendors {
		best := 0
		for _, n := range append([]string{v.ID, v.Name}, v.Aliases...) {
			n = strings.ToLower(n)
			s := 0
			switch {
			case n == t:
				s = 100
			case strings.HasPrefix(n, t):
				s = 80
			case strings.Contains(n, t):
				s = 60
			default:
				if len(t) >= 4 {
					d := distance(t, n)
					if len(n) > len(t) {
						d = min(d, distance(t, n[:len(t)]))
					}
					if d <= 2 {
						s = 40 - d
					}
				}
			}
			best = max(best, s)
		}
		if best > 0 {
			hits = append(hits, hit{v, best})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].v.Name < hits[j].v.Name
	})
	var out []check.VendorFacts
	for i := 0; i < len(hits) && i < limit; i++ {
		out = append(out, hits[i].v)
	}
	return out
}

// distance is the Levenshtein distance of a and b (short strings only).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Resolve implements check.Catalog.
func (c *Catalog) Resolve(h scanner.Hint) (check.VendorFacts, string, bool) {
	val := strings.ToLower(h.Value)
	var id string
	switch h.Type {
	case scanner.HintGoogleClientID:
		id = c.GoogleIDs[val]
	case scanner.HintEntraAppID:
		id = c.EntraAppIDs[val]
	case scanner.HintAWSAccount:
		id = c.AWSAccounts[val]
	case scanner.HintDomain:
		for _, v := range c.Vendors {
			for _, d := range v.Domains {
				if val == d || strings.HasSuffix(val, "."+d) {
					return v, "domain " + d, true
				}
			}
		}
		return check.VendorFacts{}, "", false
	case scanner.HintName:
		v, ok := c.Lookup(h.Value)
		return v, "name " + h.Value, ok
	}
	if id == "" {
		return check.VendorFacts{}, "", false
	}
	v, ok := c.byID(id)
	return v, string(h.Type) + " " + val, ok
}

// Approvals is a fake scanner.Policy: fixed decisions, the demo scope classifier below, and the real ceiling
// matcher (rules/policy), so check's ceiling answers are the scan's.
type Approvals struct {
	Entries map[string]scanner.Approval // vendor ID → decision
	Cat     *Catalog                    // for names and subcategories
}

var _ scanner.Policy = (*Approvals)(nil)

// Approval implements scanner.Policy.
func (a *Approvals) Approval(id string) scanner.Approval {
	if e, ok := a.Entries[id]; ok {
		return e
	}
	return scanner.Approval{Status: scanner.ApprovalUnapproved}
}

// Tools implements scanner.Policy.
func (a *Approvals) Tools() []check.ApprovedTool {
	ids := make([]string, 0, len(a.Entries))
	for id := range a.Entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]check.ApprovedTool, 0, len(ids))
	for _, id := range ids {
		e := a.Entries[id]
		t := check.ApprovedTool{VendorID: id, Name: id, Status: e.Status, Owner: e.Owner, Ticket: e.Ticket, Expires: e.Expires}
		if a.Cat != nil {
			if v, ok := a.Cat.byID(id); ok {
				t.Name, t.Subcategories = v.Name, v.Subcategories
			}
		}
		out = append(out, t)
	}
	return out
}

// Suppressions implements scanner.Policy: none.
func (a *Approvals) Suppressions() []scanner.Suppression { return nil }

// ScopeClass implements scanner.Policy with Scopes.
func (a *Approvals) ScopeClass(scope string) scanner.ScopeClass { return Scopes(scope) }

// BeyondCeiling implements scanner.Policy with the real matcher.
func (a *Approvals) BeyondCeiling(scopes, ceiling []string) []string {
	return policy.BeyondCeiling(scopes, ceiling)
}

// Demo identifiers used by the fakes and the demo report.
const (
	HubSpotClientID    = "1036500000001-hubspotcrm.apps.googleusercontent.com"
	HotjarClientID     = "1036500000002-hotjarinsights.apps.googleusercontent.com"
	ApolloClientID     = "1036500000003-apolloio.apps.googleusercontent.com"
	LeadMagnetClientID = "48213377201-leadmagnet.apps.googleusercontent.com"
	HubSpotEntraAppID  = "0b6c1c38-4b0a-4e6e-9a5e-2f1d6b8f1a01"
	SegmentAWSAccount  = "107630771604"
	HightouchAWS       = "324528010823"
)

func v(id, name, cat, catName string, subs, subNames []string, martech bool, domains, aliases, data []string) check.VendorFacts {
	return check.VendorFacts{ID: id, Name: name, Category: cat, CategoryName: catName, Subcategories: subs,
		SubcategoryNames: subNames, Martech: martech, Domains: domains, Aliases: aliases, DataAccess: data}
}

func s(xs ...string) []string { return xs }

// NewCatalog returns the demo catalogue: the vendors the Northwind story needs.
func NewCatalog() *Catalog {
	return &Catalog{
		Vendors: []check.VendorFacts{
			v("apollo", "Apollo.io", "commerce-sales", "Commerce & sales", s("sales-intelligence"), s("Sales intelligence"),
				true, s("apollo.io"), s("Apollo", "apollo.io"), s("contacts", "email content", "calendar")),
			v("calendly", "Calendly", "commerce-sales", "Commerce & sales", s("scheduling"), s("Meeting scheduling"),
				true, s("calendly.com"), nil, s("calendar", "contacts")),
			v("canva", "Canva", "content-experience", "Content & experience", s("design"), s("Design & creative"),
				true, s("canva.com"), nil, s("brand assets", "uploaded files")),
			v("fullstory", "FullStory", "data", "Data & analytics", s("session-replay"), s("Session replay"),
				true, s("fullstory.com"), s("Fullstory"), s("website visitor sessions", "page content", "form inputs (masked)")),
			v("hightouch", "Hightouch", "data", "Data & analytics", s("cdp", "reverse-etl"), s("Customer data platform", "Reverse ETL"),
				true, s("hightouch.com", "hightouch.io"), nil, s("customer data", "data warehouse")),
			v("hotjar", "Hotjar", "data", "Data & analytics", s("session-replay", "heatmaps"), s("Session replay", "Heatmaps"),
				true, s("hotjar.com", "hotjar.io"), s("Hotjar Insights"), s("website visitor sessions", "page content", "survey responses")),
			v("hubspot", "HubSpot", "commerce-sales", "Commerce & sales", s("crm", "marketing-automation", "email-marketing"),
				s("CRM", "Marketing automation", "Email marketing"), true, s("hubspot.com", "hubspotemail.net", "hs-scripts.com"),
				s("HubSpot CRM", "HubSpot Marketing Hub"), s("contacts", "email content", "calendar", "website visitors")),
			v("klaviyo", "Klaviyo", "advertising-promotion", "Advertising & promotion", s("email-marketing"), s("Email marketing"),
				true, s("klaviyo.com", "klaviyomail.com"), nil, s("contacts", "purchase history")),
			v("mailchimp", "Mailchimp", "advertising-promotion", "Advertising & promotion", s("email-marketing"), s("Email marketing"),
				true, s("mailchimp.com", "mcsv.net", "mailchi.mp"), s("Intuit Mailchimp", "Mandrill"), s("contacts", "email content")),
			v("salesforce", "Salesforce", "commerce-sales", "Commerce & sales", s("crm"), s("CRM"),
				true, s("salesforce.com", "force.com"), nil, s("contacts", "deals")),
			v("segment", "Segment", "data", "Data & analytics", s("cdp"), s("Customer data platform"),
				true, s("segment.com", "segment.io"), s("Twilio Segment"), s("customer data", "website events")),
			v("semrush", "Semrush", "advertising-promotion", "Advertising & promotion", s("seo"), s("SEO"),
				true, s("semrush.com"), nil, s("website analytics")),
			v("slack", "Slack", "management", "Collaboration", s("team-chat"), s("Team chat"),
				false, s("slack.com"), nil, s("messages", "files")),
			v("typeform", "Typeform", "content-experience", "Content & experience", s("forms-surveys"), s("Forms & surveys"),
				true, s("typeform.com"), nil, s("form responses", "contacts")),
			v("zoom", "Zoom", "management", "Collaboration", s("video-conferencing"), s("Video conferencing"),
				false, s("zoom.us"), nil, s("meetings", "calendar")),
			v("zoominfo", "ZoomInfo", "commerce-sales", "Commerce & sales", s("sales-intelligence"), s("Sales intelligence"),
				true, s("zoominfo.com"), nil, s("contacts", "email signatures")),
		},
		GoogleIDs:   map[string]string{HubSpotClientID: "hubspot", HotjarClientID: "hotjar", ApolloClientID: "apollo"},
		EntraAppIDs: map[string]string{HubSpotEntraAppID: "hubspot"},
		AWSAccounts: map[string]string{SegmentAWSAccount: "segment", HightouchAWS: "hightouch"},
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// NewApprovals returns Northwind's approved-tools file.
func NewApprovals(cat *Catalog) *Approvals {
	return &Approvals{Cat: cat, Entries: map[string]scanner.Approval{
		"hubspot": {Status: scanner.ApprovalApproved, Owner: "marketing-ops@northwind.example", Ticket: "IT-101",
			Scopes: s("openid", "email", "profile", "userinfo.*", "calendar.*")},
		"salesforce": {Status: scanner.ApprovalApproved, Owner: "sales-ops@northwind.example", Ticket: "IT-102"},
		"zoom":       {Status: scanner.ApprovalApproved, Owner: "it@northwind.example"},
		"slack":      {Status: scanner.ApprovalApproved, Owner: "it@northwind.example"},
		"segment": {Status: scanner.ApprovalApproved, Owner: "data-team@northwind.example", Ticket: "IT-140",
			AWSAccounts: s(SegmentAWSAccount)},
		"fullstory": {Status: scanner.ApprovalApproved, Owner: "web-analytics@northwind.example", Ticket: "IT-188"},
		"canva":     {Status: scanner.ApprovalTolerated, Owner: "brand@northwind.example"},
		"semrush":   {Status: scanner.ApprovalReview, Ticket: "IT-231"},
		"mailchimp": {Status: scanner.ApprovalExpired, Owner: "marketing-ops@northwind.example", Ticket: "IT-077",
			Expires: day("2026-06-30")},
		"apollo": {Status: scanner.ApprovalBanned, Ticket: "SEC-12", Notes: "reads mailboxes and exports contacts"},
	}}
}

// Scopes classifies the scopes the demo uses, as rules/policy does (rules/README.md, Scope classes).
func Scopes(scope string) check.ScopeClass {
	short := strings.ToLower(check.ShortScope(scope))
	c := func(class, why string) check.ScopeClass {
		return check.ScopeClass{Scope: scope, Class: class, Why: why}
	}
	switch {
	case scope == "https://mail.google.com/" || strings.HasPrefix(short, "gmail.readonly") ||
		strings.HasPrefix(short, "gmail.modify") || strings.HasPrefix(short, "gmail.metadata"):
		return c(policy.ClassRestricted, "reads every email in the mailbox")
	case short == "drive" || short == "drive.readonly":
		return c(policy.ClassRestricted, "reads every file in Google Drive")
	case strings.HasPrefix(short, "calendar"):
		return c(policy.ClassSensitive, "reads or changes calendar events")
	case strings.HasPrefix(short, "contacts"):
		return c(policy.ClassSensitive, "reads contacts")
	case short == "openid" || short == "email" || short == "profile" || strings.HasPrefix(short, "userinfo."):
		return c(policy.ClassLow, "sign-in: name and email address")
	case strings.HasPrefix(short, "mail.") || strings.HasPrefix(short, "files."):
		return c(policy.ClassHigh, "Microsoft rates it high: phishing and data exfiltration")
	case short == "user.read" || short == "offline_access":
		return c(policy.ClassLow, "common sign-in permission")
	}
	return c(policy.ClassUnknown, "")
}

// Demo returns the demo catalogue and policy.
func Demo() (*Catalog, *Approvals) {
	cat := NewCatalog()
	return cat, NewApprovals(cat)
}

// Now is the demo clock: the morning after the demo scan.
var Now = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func item(id, name, cat, approval string, martech bool, sources, users []string, records int, spend map[string]float64,
	first, last string) scanner.InventoryItem {
	return scanner.InventoryItem{Vendor: scanner.Vendor{ID: id, Name: name, Category: cat, Martech: martech},
		Approval: approval, Sources: sources, UserCount: len(users), Users: users, Records: records,
		MonthlySpend: spend, FirstSeen: day(first), LastSeen: day(last)}
}

func usd(x float64) map[string]float64 { return map[string]float64{"USD": x} }

const nw = "@northwind.example"

// Report returns the demo scan report of Northwind Outfitters.
func Report() *scanner.Report {
	return &scanner.Report{
		SchemaVersion: scanner.SchemaVersion,
		Tool:          scanner.Tool{Name: "shadowscan", Version: "test"},
		Scan: scanner.ScanInfo{ID: "scan-20261102-0600", StartedAt: time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC),
			FinishedAt: time.Date(2026, 11, 2, 6, 0, 41, 0, time.UTC), Organization: "Northwind Outfitters"},
		Coverage: []scanner.Coverage{
			{Provider: "workspace", Type: "google_workspace", Status: scanner.CoverageComplete, Records: 31},
			{Provider: "cards", Type: "expenses", Status: scanner.CoverageComplete, Records: 14},
		},
		Summary: scanner.Summary{Findings: 9, BySeverity: map[string]int{"high": 4, "medium": 3, "low": 2}, Vendors: 14,
			MartechVendors: 12, UnapprovedMartechVendors: 6, UnidentifiedApps: 2,
			UnapprovedMonthlySpend: usd(512.42)},
		Inventory: []scanner.InventoryItem{
			item("apollo", "Apollo.io", "Commerce & sales", scanner.ApprovalBanned, true, s("google_workspace"),
				s("dan.weber"+nw), 1, nil, "2026-08-14", "2026-11-01"),
			item("calendly", "Calendly", "Commerce & sales", scanner.ApprovalUnapproved, true, s("expenses", "google_workspace"),
				s("chloe.tan"+nw, "dan.weber"+nw), 3, usd(20), "2026-04-02", "2026-11-01"),
			item("canva", "Canva", "Content & experience", scanner.ApprovalTolerated, true, s("expenses"),
				s("ben.okafor"+nw), 1, usd(14.99), "2026-01-10", "2026-10-10"),
			item("hotjar", "Hotjar", "Data & analytics", scanner.ApprovalUnapproved, true, s("expenses"),
				s("alice.moreau"+nw), 1, usd(39), "2026-03-03", "2026-10-03"),
			item("hubspot", "HubSpot", "Commerce & sales", scanner.ApprovalApproved, true, s("dns", "google_workspace"),
				s("alice.moreau"+nw, "ben.okafor"+nw, "chloe.tan"+nw), 5, nil, "2025-09-01", "2026-11-01"),
			item("klaviyo", "Klaviyo", "Advertising & promotion", scanner.ApprovalUnapproved, true, s("dns"),
				nil, 1, nil, "2026-11-02", "2026-11-02"),
			item("mailchimp", "Mailchimp", "Advertising & promotion", scanner.ApprovalExpired, true,
				s("dns", "expenses", "google_workspace"), s("alice.moreau"+nw), 4, usd(59), "2025-05-01", "2026-10-28"),
			item("semrush", "Semrush", "Advertising & promotion", scanner.ApprovalReview, true, s("expenses"),
				s("chloe.tan"+nw), 1, usd(139.95), "2026-06-12", "2026-10-12"),
			item("typeform", "Typeform", "Content & experience", scanner.ApprovalUnapproved, true,
				s("expenses", "google_workspace"), s("ben.okafor"+nw), 2, usd(29.17), "2026-02-20", "2026-10-30"),
			item("zoominfo", "ZoomInfo", "Commerce & sales", scanner.ApprovalUnapproved, true, s("expenses"),
				s("dan.weber"+nw), 1, usd(1250), "2026-07-01", "2026-07-01"),
			item("zoom", "Zoom", "Collaboration", scanner.ApprovalApproved, false, s("expenses", "google_workspace"),
				s("gus.ito"+nw), 2, usd(15.99), "2025-01-05", "2026-10-05"),
		},
		Unidentified: []scanner.Unidentified{
			{Key: "google_client_id:" + LeadMagnetClientID, HintType: scanner.HintGoogleClientID, Value: LeadMagnetClientID,
				Name: "LeadMagnet Pro", Kinds: s(scanner.KindOAuthGrant), Sources: s("google_workspace"), Records: 2,
				UserCount: 2, Users: s("ben.okafor"+nw, "priya.nair"+nw),
				Scopes:    s("https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/drive.readonly"),
				FirstSeen: day("2026-09-20"), LastSeen: day("2026-10-30")},
			{Key: "aws_account:999988887777", HintType: scanner.HintAWSAccount, Value: "999988887777",
				Kinds: s(scanner.KindCloudTrust), Sources: s("aws"), Records: 1},
			{Key: "domain:leadmagnetpro.io", HintType: scanner.HintDomain, Value: "leadmagnetpro.io",
				Name: "LEADMAGNETPRO.IO", Kinds: s(scanner.KindExpense), Sources: s("expenses"), Records: 1,
				UserCount: 1, Users: s("ben.okafor" + nw)},
		},
		Findings: []scanner.Finding{},
		Resolved: []scanner.Finding{},
	}
}
