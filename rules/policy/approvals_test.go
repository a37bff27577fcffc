package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/rules/policy/policytest"
	"github.com/shadowscan/shadowscan/scanner"
)

var testNow = time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)

var demoApprovals = policytest.DemoApprovals

func TestApprovals(t *testing.T) {
	a, err := ParseApprovals("approved.yaml", []byte(demoApprovals), policytest.NewIndex(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"hubspot": "approved", "salesforce": "approved", "slack": "approved", "canva": "tolerated", "semrush": "review",
		"mailchimp": "expired", "apollo": "banned", "hotjar": "expired", "typeform": "unapproved", "": "unapproved",
	} {
		if got := a.Approval(id).Status; got != want {
			t.Errorf("Approval(%q) = %s, want %s", id, got, want)
		}
	}
	h := a.Approval("hubspot")
	if h.Owner != "marketing-ops@northwind.example" || h.Ticket != "IT-1001" || len(h.Scopes) != 5 {
		t.Errorf("hubspot approval: %+v", h)
	}
	if got := a.Approval("segment").AWSAccounts; len(got) != 1 || got[0] != "107630771604" {
		t.Errorf("segment aws_accounts: %v", got)
	}
	// Date-only expiries last to the end of the day.
	if got := a.Approval("mailchimp").Expires; !got.Equal(time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("mailchimp expires %v", got)
	}
	if e, ok := a.Entry("salesforce"); !ok || e.Written != "Salesforce" || e.Line != 7 {
		t.Errorf("Entry(salesforce) = %+v", e)
	}
	// What is approved for the same job: approved first, tolerated next, expired left out.
	in := a.ApprovedIn("session-replay")
	if len(in) != 1 || in[0].Vendor.ID != "fullstory" {
		t.Errorf("ApprovedIn(session-replay) = %+v", in)
	}
	if got := a.ApprovedIn("design"); len(got) != 1 || got[0].Vendor.ID != "canva" {
		t.Errorf("ApprovedIn(design) = %+v", got)
	}
	if got, _ := ApprovedBySubcategory(New(a, nil)); len(got["design"]) != 0 || len(got["email-marketing"]) != 0 || got["crm"][0] != "HubSpot" {
		t.Errorf("ApprovedBySubcategory = %v", got)
	}
	if len(a.Entries()) != 11 {
		t.Errorf("%d entries", len(a.Entries()))
	}
	var nilA *Approvals
	var nilP *Policy
	if nilA.Approval("x").Status != scanner.ApprovalUnapproved || nilP.Approval("x").Status != scanner.ApprovalUnapproved ||
		len(nilP.Tools()) != 0 || nilP.Suppressions() != nil {
		t.Error("nil Approvals")
	}
	// Alternatives to Salesforce in CRM: HubSpot (approved); Salesforce itself is left out.
	if alt := Alternatives(New(a, nil), "salesforce", []string{"crm"}); len(alt) != 1 || alt[0].Tool.Name != "HubSpot" {
		t.Errorf("Alternatives = %+v", alt)
	}
	// An empty file is an empty policy.
	if e, err := ParseApprovals("approved.yaml", []byte("# nothing yet\n"), policytest.NewIndex(), testNow); err != nil || len(e.Entries()) != 0 {
		t.Errorf("empty file: %v %v", e, err)
	}
}

func TestApprovalsInvalid(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"signal on known":    {"- {vendor: HubSpot, status: approved, domains: [x.example]}", `approved.yaml:1:48: vendor "HubSpot": domains is only for a vendor the catalogue lacks; HubSpot is in it as "hubspot"`},
		"category on known":  {"- {vendor: zoom, status: approved, category: data}", `vendor "zoom": category is only for a vendor the catalogue lacks`},
		"local bad list":     {"- {vendor: Acme, status: approved, domains: {a: b}}", `approved.yaml:1:45: vendor "Acme": domains must be a list of strings, not a mapping`},
		"local empty value":  {"- {vendor: Acme, status: approved, spf: [\"\"]}", `approved.yaml:1:42: vendor "Acme": spf: empty value`},
		"local bad category": {"- {vendor: Acme, status: approved, category: [data]}", `category must be a string`},
		"local duplicate":    {"- {vendor: Acme Leads, status: approved}\n- {vendor: acme-leads, status: banned}", `approved.yaml:2:12: vendor "acme-leads": already listed at line 1 (as "Acme Leads")`},
		"missing vendor":     {"- {status: approved}", `approved.yaml:1:3: entry 1: vendor is required`},
		"missing status":     {"- {vendor: zoom}", `vendor "zoom": status is required`},
		"bad status":         {"- {vendor: zoom, status: aproved}", `approved.yaml:1:26: vendor "zoom": status "aproved" is not one of approved, tolerated, review, banned`},
		"computed status":    {"- {vendor: zoom, status: expired}", `(expired is computed: set expires`},
		"bad date":           {"- {vendor: zoom, status: approved, expires: 30/06/2026}", `approved.yaml:1:45: vendor "zoom": expires: "30/06/2026" is not a date`},
		"bad glob":           {"- {vendor: zoom, status: approved, scopes: [\"calendar.[\"]}", `vendor "zoom": scopes: "calendar.[" is not a valid glob`},
		"empty scope":        {"- {vendor: zoom, status: approved, scopes: [\"\"]}", `scopes: empty scope`},
		"bad account":        {"- {vendor: segment, status: approved, aws_accounts: [\"1234\"]}", `aws_accounts: "1234" is not a 12-digit AWS account ID`},
		"duplicate":          {"- {vendor: zoom, status: approved}\n- {vendor: Zoom, status: banned}", `approved.yaml:2:12: vendor "Zoom": already listed at line 1 (as "zoom")`},
		"unknown key":        {"- {vendor: zoom, status: approved, owners: x}", `entry 1: unknown key "owners" (did you mean "owner"?)`},
		"not a list":         {"vendor: zoom", `must be a list of {vendor, status, …} entries, not a mapping`},
		"entry not a map":    {"- zoom", `entry 1 must be a mapping, not a scalar`},
		"scopes not strings": {"- {vendor: zoom, status: approved, scopes: [{a: b}]}", `scopes must be a list of strings`},
		"bad yaml":           {"- {vendor: zoom", `approved.yaml:1: invalid YAML`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseApprovals("approved.yaml", []byte(tc.yaml), policytest.NewIndex(), testNow)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
		})
	}
	// Every problem is reported, not just the first.
	_, err := ParseApprovals("approved.yaml", []byte("- {vendor: hubspot, status: approved, spf: [x]}\n- {vendor: zoom, status: nope}\n"), policytest.NewIndex(), testNow)
	if err == nil || !strings.Contains(err.Error(), "spf is only") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("want both errors, got %v", err)
	}
}

func TestLoadApprovalsFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "approved.yaml")
	if err := os.WriteFile(p, []byte(demoApprovals), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadApprovals(p, policytest.NewIndex(), testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadApprovals(filepath.Join(dir, "missing.yaml"), policytest.NewIndex(), testNow); err == nil {
		t.Error("missing file: no error")
	}
}

func TestSuppressions(t *testing.T) {
	rs := []string{"unapproved-martech", "vendor-in-review", "banned-vendor"}
	const ok = `
- fingerprint: 0123456789abcdef0123456789ABCDEF
  owner: security@example.com
  reason: accepted risk
  expires: 2027-01-31
- rule: unapproved-martech
  vendor: typeform
  owner: marketing-ops@example.com
  reason: procurement in progress
  expires: "2026-12-31T12:00:00Z"
- {rule: vendor-in-review, owner: it, reason: known, expires: 2026-01-01}
`
	sups, err := ParseSuppressions("suppressions.yaml", []byte(ok), rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 3 || sups[0].Fingerprint != "0123456789abcdef0123456789abcdef" || sups[1].RuleID != "unapproved-martech" ||
		sups[1].Vendor != "typeform" || !sups[0].Expires.Equal(time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("got %+v", sups)
	}
	// Expired suppressions are kept: the scanner reports them.
	if sups[2].Expires.After(testNow) {
		t.Errorf("expiry %v", sups[2].Expires)
	}
	for name, tc := range map[string]struct{ yaml, want string }{
		"no target":       {"- {owner: a, reason: b, expires: 2027-01-01}", `suppressions.yaml:1:3: suppression 1: fingerprint or rule is required`},
		"both":            {"- {fingerprint: 0123456789abcdef0123456789abcdef, rule: banned-vendor, owner: a, reason: b, expires: 2027-01-01}", `give either fingerprint or rule (+ vendor), not both`},
		"bad fingerprint": {"- {fingerprint: abc, owner: a, reason: b, expires: 2027-01-01}", `fingerprint "abc" is not 32 hex characters`},
		"unknown rule":    {"- {rule: banned-vendr, owner: a, reason: b, expires: 2027-01-01}", `no rule with id "banned-vendr" (did you mean "banned-vendor"?)`},
		"no owner":        {"- {rule: banned-vendor, reason: b, expires: 2027-01-01}", `owner is required`},
		"no reason":       {"- {rule: banned-vendor, owner: a, expires: 2027-01-01}", `reason is required`},
		"no expiry":       {"- {rule: banned-vendor, owner: a, reason: b}", `expires is required`},
		"bad expiry":      {"- {rule: banned-vendor, owner: a, reason: b, expires: soon}", `suppressions.yaml:1:55: suppression 1: expires: "soon" is not a date`},
		"unknown key":     {"- {rule: banned-vendor, owner: a, reason: b, expires: 2027-01-01, ticket: X}", `unknown key "ticket"`},
		"duplicate":       {"- {rule: banned-vendor, owner: a, reason: b, expires: 2027-01-01}\n- {rule: banned-vendor, owner: c, reason: d, expires: 2027-01-01}", `suppressions.yaml:2:3: suppression 2: duplicates the suppression at line 1`},
		"not a list":      {"rule: x", `must be a list`},
		"non-string":      {"- {rule: [a], owner: a, reason: b, expires: 2027-01-01}", `rule must be a string`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSuppressions("suppressions.yaml", []byte(tc.yaml), rs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", err, tc.want)
			}
		})
	}
	// Without a rule set, rule IDs are not checked.
	if _, err := ParseSuppressions("s.yaml", []byte("- {rule: whatever, owner: a, reason: b, expires: 2027-01-01}"), nil); err != nil {
		t.Error(err)
	}
	if s, err := ParseSuppressions("s.yaml", []byte(""), nil); err != nil || len(s) != 0 {
		t.Errorf("empty: %v %v", s, err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	_ = os.WriteFile(p, []byte(ok), 0o600)
	if _, err := LoadSuppressions(p, rs); err != nil {
		t.Error(err)
	}
	if _, err := LoadSuppressions(filepath.Join(dir, "nope.yaml"), nil); err == nil {
		t.Error("missing file: no error")
	}
}
