package check_test

import (
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/rules/check"
	"github.com/shadowscan/shadowscan/rules/check/checktest"
	"github.com/shadowscan/shadowscan/scanner"
)

// A tolerated tool's next step points at an approved alternative, never at another merely tolerated one.
func TestToleratedNextStep(t *testing.T) {
	t.Parallel()
	for status, prefer := range map[string]bool{scanner.ApprovalApproved: true, scanner.ApprovalTolerated: false} {
		cat := checktest.NewCatalog()
		cat.Vendors = append(cat.Vendors, check.VendorFacts{ID: "pixelkit", Name: "PixelKit", Subcategories: []string{"design"},
			SubcategoryNames: []string{"Design & creative"}})
		appr := checktest.NewApprovals(cat)
		appr.Entries["pixelkit"] = scanner.Approval{Status: status, Owner: "brand@northwind.example"}
		r, err := check.New(cat, appr, nil).Check("canva")
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != check.VerdictTolerated || len(r.Alternatives) != 1 {
			t.Fatalf("%s: verdict %s, alternatives %+v", status, r.Verdict, r.Alternatives)
		}
		const want = " Prefer PixelKit, which we already have for design & creative (owner brand@northwind.example)."
		if got := strings.HasSuffix(r.NextStep, want); got != prefer {
			t.Errorf("alternative %s: next step %q; want the preference: %v", status, r.NextStep, prefer)
		}
	}
}
