package scanner

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSummariseCounts(t *testing.T) {
	f := func(sev, status string) Finding { return Finding{Severity: sev, Status: status} }
	v := func(id string, martech bool, approval string, spend map[string]float64) InventoryItem {
		return InventoryItem{Vendor: Vendor{ID: id, Martech: martech}, Approval: approval, MonthlySpend: spend}
	}
	rep := &Report{
		Findings: []Finding{f(SeverityHigh, StatusNew), f(SeverityHigh, StatusExisting), f(SeverityLow, StatusSuppressed),
			f(SeverityMedium, StatusNew)},
		Inventory: []InventoryItem{
			v("a", true, ApprovalUnapproved, map[string]float64{"USD": 10.004, "EUR": 1}),
			v("b", true, ApprovalBanned, map[string]float64{"USD": 5.002}),
			v("c", true, ApprovalApproved, map[string]float64{"USD": 1000}),
			v("d", true, ApprovalTolerated, map[string]float64{"USD": 1000}),
			v("e", false, ApprovalUnapproved, map[string]float64{"USD": 1000}),
		},
		Unidentified: []Unidentified{{Key: "x"}, {Key: "y"}},
		Unconfirmed:  []Finding{f(SeverityLow, StatusExisting)},
	}
	want := Summary{Findings: 3, BySeverity: map[string]int{"critical": 0, "high": 2, "medium": 1, "low": 0, "info": 0},
		Vendors: 5, MartechVendors: 4, UnapprovedMartechVendors: 2, NewFindings: 2, SuppressedFindings: 1,
		UnidentifiedApps: 2, UnconfirmedFindings: 1, UnapprovedMonthlySpend: map[string]float64{"USD": 15.01, "EUR": 1}}
	if got := summarise(rep); !reflect.DeepEqual(got, want) {
		t.Errorf("summary\n%+v\nwant\n%+v", got, want)
	}
	for status, want := range map[string]bool{ApprovalApproved: false, ApprovalTolerated: false, ApprovalReview: true,
		ApprovalBanned: true, ApprovalExpired: true, ApprovalUnapproved: true, "": true} {
		if Unapproved(status) != want {
			t.Errorf("Unapproved(%q) = %v", status, !want)
		}
	}
}

// An expired suppression names what it suppressed (a fingerprint, or a rule and perhaps a vendor); it expires at
// its expiry instant, not after; one without expiry never does. Its finding is new, or existing when the baseline
// had it, is raised once however many expired suppressions match, and is never listed as resolved.
func TestExpiredSuppressions(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	acme := &Vendor{ID: "acme", Name: "Acme"}
	mk := func(rule string) Finding {
		return Finding{Fingerprint: Fingerprint(rule, "acme"), RuleID: rule, Title: "T " + rule, Severity: SeverityHigh, Vendor: acme}
	}
	expiredOf := func(rule string) string { return Fingerprint(RuleSuppressionExpired, Fingerprint(rule, "acme")) }
	rep := &Report{Findings: []Finding{mk("by-fp"), mk("by-rule-vendor"), mk("by-rule"), mk("forever"), mk("twice")}}
	baseline := &Report{Findings: []Finding{
		{Fingerprint: expiredOf("by-rule"), RuleID: RuleSuppressionExpired, Severity: SeverityLow},
		{Fingerprint: expiredOf("gone"), RuleID: RuleSuppressionExpired, Severity: SeverityLow},
	}}
	sups := []Suppression{
		{Fingerprint: Fingerprint("by-fp", "acme"), Owner: "it", Reason: "pilot", Expires: now}, // expires right now
		{RuleID: "by-rule-vendor", Vendor: "acme", Owner: "it", Reason: "r", Expires: now.Add(-time.Hour)},
		{RuleID: "by-rule", Owner: "it", Reason: "r", Expires: now.AddDate(0, 0, -3)},
		{RuleID: "forever", Owner: "it", Reason: "r"},
		{RuleID: "twice", Owner: "a", Reason: "r", Expires: now.Add(-time.Hour)},
		{RuleID: "twice", Vendor: "*", Owner: "b", Reason: "r", Expires: now.Add(-time.Hour)},
	}
	applyLifecycle(rep, baseline, sups, now)
	got := map[string]Finding{}
	for _, f := range rep.Findings {
		if _, dup := got[f.Fingerprint]; dup {
			t.Errorf("finding %s (%s) twice", f.Fingerprint, f.RuleID)
		}
		got[f.Fingerprint] = f
	}
	if len(rep.Findings) != 9 {
		t.Errorf("%d findings, want the 5 and 4 expired-suppression findings", len(rep.Findings))
	}
	for rule, want := range map[string]string{
		"by-fp":          "The suppression of fingerprint " + Fingerprint("by-fp", "acme") + " (owner it, reason \"pilot\") expired on 2026-11-22;",
		"by-rule-vendor": "The suppression of rule by-rule-vendor for vendor acme (owner it, reason \"r\") expired on 2026-11-22;",
		"by-rule":        "The suppression of rule by-rule (owner it, reason \"r\") expired on 2026-11-19;",
	} {
		e, ok := got[expiredOf(rule)]
		if !ok || !strings.HasPrefix(e.Message, want) || e.Severity != SeverityLow || e.EvidenceCount != 1 {
			t.Errorf("%s: expired finding %+v, want message starting %q", rule, e, want)
		}
		if f := got[Fingerprint(rule, "acme")]; f.Status != StatusNew || f.Suppression == nil || !f.Suppression.Expired {
			t.Errorf("%s: %s with suppression %+v, want new with the expired suppression", rule, f.Status, f.Suppression)
		}
	}
	if s := got[expiredOf("by-rule")].Status; s != StatusExisting {
		t.Errorf("expired finding already in the baseline is %s, want existing", s)
	}
	if s := got[expiredOf("by-fp")].Status; s != StatusNew {
		t.Errorf("expired finding not in the baseline is %s, want new", s)
	}
	if f := got[Fingerprint("forever", "acme")]; f.Status != StatusSuppressed {
		t.Errorf("a suppression without expiry: %s, want suppressed", f.Status)
	}
	if len(rep.Resolved) != 0 {
		t.Errorf("resolved %+v: an expired-suppression finding no longer raised is not a fix", rep.Resolved)
	}
}

// A baseline finding not seen again is resolved only when every provider of its evidence completed; otherwise it
// is unconfirmed, with each incomplete provider's reason once, in order.
func TestUnconfirmedNeedsIncompleteProvider(t *testing.T) {
	ev := func(providers ...string) []Evidence {
		var out []Evidence
		for i, p := range providers {
			out = append(out, Evidence{Provider: p, Kind: "k", ID: string(rune('a' + i))})
		}
		return out
	}
	rep := &Report{
		Findings: []Finding{{Fingerprint: "seen-again", RuleID: "r", Severity: SeverityLow}},
		Coverage: []Coverage{
			{Provider: "gw", Status: CoveragePartial, Errors: []CoverageError{{Message: "quota"}, {Message: "x"}, {Message: "y"}}},
			{Provider: "aws", Status: CoverageFailed},
			{Provider: "ms", Status: CoveragePartial, Errors: []CoverageError{{Message: "throttled"}}},
			{Provider: "dns", Status: CoverageComplete},
		},
	}
	baseline := &Report{
		Findings: []Finding{
			{Fingerprint: "both", RuleID: "r", Severity: SeverityHigh, Evidence: ev("gw", "aws", "gw", "dns")},
			{Fingerprint: "ms-only", RuleID: "r", Severity: SeverityHigh, Evidence: ev("ms")},
			{Fingerprint: "dns-only", RuleID: "r", Severity: SeverityHigh, Evidence: ev("dns")},
		},
		Unconfirmed: []Finding{
			{Fingerprint: "seen-again", RuleID: "r", Severity: SeverityLow, Unconfirmed: "old reason"},
			{Fingerprint: "still-open", RuleID: "r", Severity: SeverityLow, Unconfirmed: "old reason", Evidence: ev("dns")},
		},
	}
	applyLifecycle(rep, baseline, nil, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	reasons := map[string]string{}
	for _, f := range rep.Unconfirmed {
		reasons[f.Fingerprint] = f.Unconfirmed
	}
	want := map[string]string{
		"both":    "provider aws was failed; provider gw was partial: quota (and 2 more)",
		"ms-only": "provider ms was partial: throttled",
	}
	if !reflect.DeepEqual(reasons, want) {
		t.Errorf("unconfirmed %q, want %q", reasons, want)
	}
	var resolved []string
	for _, f := range rep.Resolved {
		resolved = append(resolved, f.Fingerprint+"|"+f.Unconfirmed)
	}
	if !reflect.DeepEqual(resolved, []string{"dns-only|", "still-open|"}) {
		t.Errorf("resolved %q, want dns-only and still-open, without a reason", resolved)
	}
	if rep.Findings[0].Status != StatusExisting {
		t.Errorf("a finding the baseline could not confirm, seen again, is %s; want existing", rep.Findings[0].Status)
	}

	// Every provider complete: nothing is unconfirmed.
	rep = &Report{Coverage: []Coverage{{Provider: "gw", Status: CoverageComplete}}}
	applyLifecycle(rep, &Report{Findings: []Finding{{Fingerprint: "f", Evidence: ev("gw")}}}, nil, time.Time{})
	if len(rep.Unconfirmed) != 0 || len(rep.Resolved) != 1 {
		t.Errorf("all complete: unconfirmed %v resolved %v", rep.Unconfirmed, rep.Resolved)
	}
}
