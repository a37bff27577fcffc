package check_test

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/rules/check/checktest"
	"github.com/shadowscan/shadowscan/rules/policy"
	"github.com/shadowscan/shadowscan/scanner"
)

// TestNameSpelledApart: a name matches a vendor's name, ID or alias once case, spaces and punctuation are gone,
// and only then: a letter or digit more is another name.
func TestNameSpelledApart(t *testing.T) {
	t.Parallel()
	c := demoChecker(nil)
	for q, want := range map[string]string{
		"Hotjar-Insights": "hotjar",   // alias "Hotjar Insights"
		"HOTJARINSIGHTS":  "hotjar",   // alias, no space
		"zoom info":       "zoominfo", // name "ZoomInfo"
		"Full-Story":      "fullstory",
		// One character more than "Slack": each is found by the fuzzy search but is not Slack.
		"slacka": "", "slackz": "", "slack0": "", "slack9": "", "slackü": "", "aslack": "",
	} {
		r, err := c.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if r.Vendor != nil {
			got = r.Vendor.ID
		}
		if got != want {
			t.Errorf("Check(%q) vendor = %q, want %q (reason %q)", q, got, want, r.Reason)
		}
	}
}

// TestSuggestionLimit: MaxSuggestions caps the "did you mean" list; zero or less means five. Suggest with a
// limit of zero or less offers nothing.
func TestSuggestionLimit(t *testing.T) {
	t.Parallel()
	for max, want := range map[int]int{0: 5, -1: 5, 2: 2, 7: 7} {
		c := demoChecker(nil)
		c.MaxSuggestions = max
		r, err := c.Check("o") // in the name of most demo vendors, and no vendor's name
		if err != nil {
			t.Fatal(err)
		}
		if r.Vendor != nil || len(r.Suggestions) != want {
			t.Errorf("MaxSuggestions %d: vendor %v, %d suggestions, want none and %d", max, r.Vendor, len(r.Suggestions), want)
		}
	}
	c := demoChecker(nil)
	for _, limit := range []int{0, -1} {
		if got := c.Suggest("hotjar", limit); got == nil || len(got) != 0 {
			t.Errorf("Suggest(hotjar, %d) = %#v, want an empty list", limit, got)
		}
	}
	if got := c.Suggest("hotjar", 1); len(got) != 1 || got[0].ID != "hotjar" {
		t.Errorf("Suggest(hotjar, 1) = %+v", got)
	}
}

// TestAlternativeSubcategoryNames: an alternative names the subcategory it shares by the catalogue's display name,
// or by its ID when the catalogue has no name for it (names shorter than subcategories, or an empty name).
func TestAlternativeSubcategoryNames(t *testing.T) {
	t.Parallel()
	cat := checktest.NewCatalog()
	cat.Vendors = append(cat.Vendors,
		check.VendorFacts{ID: "newcrm", Name: "NewCRM", Subcategories: []string{"crm", "seo", "design"},
			SubcategoryNames: []string{"Customer relationships", ""}},
		check.VendorFacts{ID: "tinyseo", Name: "TinySEO", Subcategories: []string{"seo"}})
	appr := checktest.NewApprovals(cat)
	appr.Entries["semrush"] = scanner.Approval{Status: scanner.ApprovalApproved} // shares seo
	c := check.New(cat, appr, nil)
	for q, want := range map[string]string{
		"newcrm":  "hubspot:Customer relationships salesforce:Customer relationships semrush:seo canva:design",
		"tinyseo": "semrush:seo",
	} {
		r, err := c.Check(q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range r.Alternatives {
			got = append(got, a.Vendor.ID+":"+a.Subcategory)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: alternatives %v, want %s", q, got, want)
		}
	}
}

// TestScopeAnswers: an unclassified scope says so; a scope is beyond the approval only when the approval is
// approved or tolerated and has a ceiling.
func TestScopeAnswers(t *testing.T) {
	t.Parallel()
	gmail := googleAuth + "?client_id=" + checktest.HubSpotClientID + "&scope=openid+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fgmail.readonly+widgets.read"
	for _, tc := range []struct {
		status string
		scopes []string
		beyond string // the scopes marked beyond the approval
	}{
		{scanner.ApprovalApproved, []string{"openid"}, "gmail.readonly widgets.read"},
		{scanner.ApprovalTolerated, []string{"openid", "widgets.*"}, "gmail.readonly"},
		{scanner.ApprovalApproved, nil, ""}, // no ceiling: nothing is beyond it
		{scanner.ApprovalReview, []string{"openid"}, ""},
		{scanner.ApprovalExpired, []string{"openid"}, ""},
		{scanner.ApprovalBanned, []string{"openid"}, ""},
	} {
		cat := checktest.NewCatalog()
		appr := checktest.NewApprovals(cat)
		appr.Entries["hubspot"] = scanner.Approval{Status: tc.status, Scopes: tc.scopes}
		r, err := check.New(cat, appr, nil).Check(gmail)
		if err != nil {
			t.Fatal(err)
		}
		var beyond []string
		for _, s := range r.Scopes {
			if s.BeyondApproval {
				beyond = append(beyond, check.ShortScope(s.Scope))
			}
		}
		if got := strings.Join(beyond, " "); got != tc.beyond || r.ScopesBeyondApproval != (tc.beyond != "") {
			t.Errorf("%s %v: beyond %q (flag %v), want %q", tc.status, tc.scopes, got, r.ScopesBeyondApproval, tc.beyond)
		}
		if len(r.Scopes) != 3 {
			t.Fatalf("scopes %+v", r.Scopes)
		}
		if s := r.Scopes[2]; s.Class != policy.ClassUnknown || s.Why != "not in shadowscan's scope table; check it in the consent screen" {
			t.Errorf("unclassified scope: %+v", s)
		}
		if s := r.Scopes[0]; s.Class != policy.ClassLow || s.Why != "sign-in: name and email address" {
			t.Errorf("openid: %+v", s)
		}
	}
}

func TestShortScope(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://www.googleapis.com/auth/gmail.readonly": "gmail.readonly",
		"HTTPS://WWW.GOOGLEAPIS.COM/AUTH/gmail.readonly": "gmail.readonly",
		"http://www.googleapis.com/auth/drive":           "drive",
		"https://graph.microsoft.com/Mail.Read":          "Mail.Read",
		"https://www.googleapis.com/auth/":               "https://www.googleapis.com/auth/", // nothing after the prefix
		"https://graph.microsoft.com/":                   "https://graph.microsoft.com/",
		"https://mail.google.com/":                       "https://mail.google.com/",
		"openid":                                         "openid",
	} {
		if got := check.ShortScope(in); got != want {
			t.Errorf("ShortScope(%q) = %q, want %q", in, got, want)
		}
	}
}
