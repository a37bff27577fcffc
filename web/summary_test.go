package web

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// The inventory view: categories by display name, and within one the vendors by approval (banned first) then by
// name whatever its case; without the token no user list.
func TestBuildSummaryOrderAndRedaction(t *testing.T) {
	item := func(name, cat, approval string) scanner.InventoryItem {
		return scanner.InventoryItem{Vendor: scanner.Vendor{ID: strings.ToLower(name), Name: name, Category: cat},
			Approval: approval, Users: []string{"ann@x.example"}, UserCount: 1}
	}
	rep := &scanner.Report{Inventory: []scanner.InventoryItem{
		item("zeta", "crm", scanner.ApprovalApproved),
		item("Beta", "crm", scanner.ApprovalUnapproved),
		item("alpha", "crm", scanner.ApprovalUnapproved),
		item("Omega", "crm", scanner.ApprovalBanned),
		item("Gamma", "", scanner.ApprovalReview),
		item("Delta", "ads", scanner.ApprovalApproved),
	}}
	names := func(id string) string { return map[string]string{"crm": "CRM", "ads": "Advertising"}[id] }
	for _, redact := range []bool{false, true} {
		s := buildSummary(snapshot{rep: rep}, redact, names)
		var got []string
		for _, g := range s.Categories {
			var vs []string
			for _, v := range g.Vendors {
				vs = append(vs, v.Name)
				if (v.Users == nil) != redact {
					t.Errorf("redact=%v: %s users %v", redact, v.Name, v.Users)
				}
			}
			got = append(got, g.Category+": "+strings.Join(vs, " "))
		}
		if want := "Advertising: Delta|CRM: Omega alpha Beta zeta|Uncategorised: Gamma"; strings.Join(got, "|") != want {
			t.Errorf("redact=%v: %q, want %q", redact, strings.Join(got, "|"), want)
		}
		if s.ByApproval[scanner.ApprovalUnapproved] != 2 || s.ByApproval[scanner.ApprovalApproved] != 2 || !s.Available || s.Redacted != redact {
			t.Errorf("redact=%v: %+v", redact, s)
		}
	}
}
