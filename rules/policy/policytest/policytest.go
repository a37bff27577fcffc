// Package policytest holds a small in-memory vendor index for tests of approvals and of the rules that read them.
package policytest

import (
	"sort"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
	"github.com/shadowscan/shadowscan/scanner/textdist"
)

// Vendors is a small catalogue for tests: the demo organisation's vendors.
var Vendors = []scanner.Vendor{
	{ID: "hubspot", Name: "HubSpot", Category: "management", Martech: true, Subcategories: []string{"marketing-automation", "crm"}},
	{ID: "salesforce", Name: "Salesforce", Category: "commerce-sales", Martech: true, Subcategories: []string{"crm"}},
	{ID: "zoom", Name: "Zoom", Category: "collaboration", Subcategories: []string{"video-conferencing"}},
	{ID: "slack", Name: "Slack", Category: "collaboration", Subcategories: []string{"chat"}},
	{ID: "segment", Name: "Segment", Category: "data", Martech: true, Subcategories: []string{"cdp"}},
	{ID: "fullstory", Name: "FullStory", Category: "data", Martech: true, Subcategories: []string{"session-replay"}},
	{ID: "canva", Name: "Canva", Category: "content-experience", Martech: true, Subcategories: []string{"design"}},
	{ID: "semrush", Name: "Semrush", Category: "advertising-promotion", Martech: true, Subcategories: []string{"seo"}},
	{ID: "mailchimp", Name: "Mailchimp", Category: "management", Martech: true, Subcategories: []string{"email-marketing"}},
	{ID: "apollo", Name: "Apollo.io", Category: "commerce-sales", Martech: true, Subcategories: []string{"sales-intelligence"}},
	{ID: "hotjar", Name: "Hotjar", Category: "data", Martech: true, Subcategories: []string{"session-replay"}},
	{ID: "typeform", Name: "Typeform", Category: "content-experience", Martech: true, Subcategories: []string{"forms-surveys"}},
	{ID: "calendly", Name: "Calendly", Category: "commerce-sales", Martech: true, Subcategories: []string{"scheduling"}},
	{ID: "hootsuite", Name: "Hootsuite", Category: "social-relationships", Martech: true, Subcategories: []string{"social-media-management"}},
	{ID: "klaviyo", Name: "Klaviyo", Category: "management", Martech: true, Subcategories: []string{"email-marketing"}},
	{ID: "unbounce", Name: "Unbounce", Category: "content-experience", Martech: true, Subcategories: []string{"landing-pages"}},
	{ID: "hightouch", Name: "Hightouch", Category: "data", Martech: true, Subcategories: []string{"reverse-etl"}},
	{ID: "marketo", Name: "Marketo Engage", Category: "management", Martech: true, Subcategories: []string{"marketing-automation"}},
	{ID: "zoominfo", Name: "ZoomInfo", Category: "commerce-sales", Martech: true, Subcategories: []string{"sales-intelligence"}},
	{ID: "zendesk", Name: "Zendesk", Category: "social-relationships", Martech: true, Subcategories: []string{"customer-support"}},
	{ID: "meta", Name: "Meta", Category: "advertising-promotion", Martech: true, Subcategories: []string{"social-advertising"}},
	{ID: "google", Name: "Google Workspace", Category: "collaboration", Subcategories: []string{"productivity"}},
	{ID: "microsoft", Name: "Microsoft 365", Category: "collaboration", Subcategories: []string{"productivity"}},
	{ID: "github", Name: "GitHub", Category: "engineering", Subcategories: []string{"code-hosting"}},
	{ID: "atlassian", Name: "Atlassian", Category: "engineering", Subcategories: []string{"project-management"}},
	{ID: "sendgrid", Name: "SendGrid", Category: "management", Martech: true, Subcategories: []string{"email-delivery"}},
}

// Index is a policy.VendorIndex over Vendors.
type Index struct{ byKey map[string]scanner.Vendor }

// NewIndex returns the index.
func NewIndex() *Index {
	f := &Index{byKey: map[string]scanner.Vendor{}}
	for _, v := range Vendors {
		f.byKey[strings.ToLower(v.ID)] = v
		f.byKey[strings.ToLower(v.Name)] = v
	}
	return f
}

// Lookup implements policy.VendorIndex.
func (f *Index) Lookup(s string) (scanner.Vendor, bool) {
	v, ok := f.byKey[strings.ToLower(strings.TrimSpace(s))]
	return v, ok
}

// Suggest implements policy.VendorIndex.
func (f *Index) Suggest(s string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, v := range Vendors {
		d := textdist.Levenshtein(strings.ToLower(s), v.ID)
		if d <= 3 {
			cs = append(cs, cand{v.ID, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d < cs[j].d || (cs[i].d == cs[j].d && cs[i].name < cs[j].name) })
	var out []string
	for _, c := range cs {
		out = append(out, c.name)
	}
	return out
}

// DemoApprovals is Northwind's approved-tools file over Vendors.
const DemoApprovals = `# Northwind's approved tools
- vendor: hubspot
  status: approved
  owner: marketing-ops@northwind.example
  ticket: IT-1001
  scopes: [openid, email, profile, "userinfo.*", "calendar.*"]
- {vendor: Salesforce, status: approved, owner: sales-ops@northwind.example}
- {vendor: zoom, status: approved}
- {vendor: slack, status: approved, expires: 2027-12-31}
- {vendor: segment, status: approved, aws_accounts: ["107630771604"]}
- {vendor: fullstory, status: approved, notes: session replay}
- {vendor: canva, status: tolerated, owner: brand@northwind.example}
- {vendor: semrush, status: review, ticket: IT-1203}
- {vendor: mailchimp, status: approved, expires: 2026-06-30}
- {vendor: apollo, status: banned, notes: scrapes mailboxes}
- {vendor: hotjar, status: tolerated, expires: "2026-11-15T09:00:00Z"}
`
