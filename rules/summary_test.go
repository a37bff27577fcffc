package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// The inventory and unidentified findings carry one piece of evidence whose summary counts records, users and
// sources: what the reader sees in place of the records themselves.
func TestUsageSummary(t *testing.T) {
	for _, tc := range []struct {
		records, users int
		sources        []string
		want           string
	}{
		{0, 0, nil, "0 records"},
		{1, 0, nil, "1 record"},
		{1, 1, []string{"googleworkspace"}, "1 record, 1 user (googleworkspace)"},
		{2, 3, []string{"aws", "dns"}, "2 records, 3 users (aws, dns)"},
		{5, 0, []string{}, "5 records"},
	} {
		if got := usageSummary(tc.records, tc.users, tc.sources); got != tc.want {
			t.Errorf("usageSummary(%d, %d, %q) = %q, want %q", tc.records, tc.users, tc.sources, got, tc.want)
		}
	}
}

// One call keeps the first three evaluation errors and counts the rest, so a rule failing on a million records
// gives one readable error, not a million.
func TestEvalErrorsKeepsThreeAndCounts(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string // "" = nil
	}{
		{0, ""},
		{1, "e0"},
		{3, "e0\ne1\ne2"},
		{4, "e0\ne1\ne2 (and 1 more)"},
		{10, "e0\ne1\ne2 (and 7 more)"},
	} {
		var errs evalErrors
		for i := 0; i < tc.n; i++ {
			errs.add(fmt.Errorf("e%d", i))
		}
		err := errs.err()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%d errors: %v, want nil", tc.n, err)
			}
			continue
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("%d errors: %q, want %q", tc.n, err, tc.want)
		}
		if tc.n > 0 && !errors.Is(err, errs.list[0]) {
			t.Errorf("%d errors: the first is not wrapped", tc.n)
		}
	}
}

// The inventory stage reads each vendor's approval from the policy when there is one (the inventory item's own
// status is what the scanner saw before suppressions and expiry), and an unidentified group without a display name
// is named by its value.
func TestEvaluateInventoryEvidence(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	idx := newFakeIndex()
	cal, _ := idx.Lookup("calendly")
	inv := []scanner.InventoryItem{{Vendor: cal, Approval: "unapproved", UserCount: 3, Users: []string{"a", "b", "c"}, Records: 4, Sources: []string{"googleworkspace"}}}
	un := []scanner.Unidentified{{Key: "google_client_id:1-x", HintType: scanner.HintGoogleClientID, Value: "1-x", UserCount: 5, Records: 6, Sources: []string{"googleworkspace", "microsoft"}}}
	collect := func(eng *Engine) map[string]string {
		t.Helper()
		got := map[string]string{}
		if err := eng.EvaluateInventory(context.Background(), inv, un, func(m scanner.Match) {
			got[m.RuleID] = m.Evidence[0].Summary
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	org := OrgInfo{Thresholds: map[string]int{"many_users": 2}, Now: func() time.Time { return testNow }}
	got := collect(NewEngine(rs, org))
	if s := got["unapproved-many-users"]; s != "4 records, 3 users (googleworkspace)" {
		t.Errorf("inventory evidence %q", s)
	}
	if s := got["unknown-app-many-users"]; s != "1-x: 6 records, 5 users (googleworkspace, microsoft)" {
		t.Errorf("unidentified evidence %q (no display name: the value names it)", s)
	}
	// The policy approves calendly: no unapproved finding although the item says unapproved.
	org.Policy = testPolicy(t, "- vendor: calendly\n  status: approved\n  owner: it@example.com\n", testNow, nil)
	got = collect(NewEngine(rs, org))
	if _, ok := got["unapproved-many-users"]; ok {
		t.Errorf("the policy approves calendly, but the item's own status was used: %v", got)
	}
	if !strings.Contains(got["unknown-app-many-users"], "1-x") {
		t.Errorf("unidentified stage under a policy: %v", got)
	}
}
