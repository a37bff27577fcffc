package scanner

import (
	"fmt"
	"slices"
	"strings"
)

// Approvals lists the approval statuses a report's inventory may carry.
var Approvals = []string{ApprovalApproved, ApprovalTolerated, ApprovalReview, ApprovalBanned, ApprovalExpired, ApprovalUnapproved}

var (
	coverageStatuses = []string{CoverageComplete, CoveragePartial, CoverageFailed}
	findingStatuses  = []string{StatusNew, StatusExisting, StatusSuppressed}
)

// ValidateReport checks the enumerations of a report read back from a file or the state (a baseline, shard reports
// for merge, a report to render or to answer check from): coverage status, finding severity and status, inventory
// approval, rule severity. Writers print these as they are, so a value outside its set — a terminal escape, a
// formula, markup — is refused here, with the field named (`findings[3].severity`) and the value quoted with its
// control characters escaped. An empty value is absent, not wrong. Free-text fields are the writers' business
// (each neutralises them).
func ValidateReport(rep *Report) error {
	for i, c := range rep.Coverage {
		if err := oneOf(fmt.Sprintf("coverage[%d].status", i), c.Status, coverageStatuses); err != nil {
			return err
		}
	}
	for _, list := range []struct {
		name  string
		items []Finding
	}{{"findings", rep.Findings}, {"resolved", rep.Resolved}, {"unconfirmed", rep.Unconfirmed}} {
		for i, f := range list.items {
			at := fmt.Sprintf("%s[%d]", list.name, i)
			if err := oneOf(at+".severity", f.Severity, Severities); err != nil {
				return err
			}
			if err := oneOf(at+".status", f.Status, findingStatuses); err != nil {
				return err
			}
		}
	}
	for i, it := range rep.Inventory {
		if err := oneOf(fmt.Sprintf("inventory[%d].approval", i), it.Approval, Approvals); err != nil {
			return err
		}
	}
	for i, r := range rep.Rules {
		if err := oneOf(fmt.Sprintf("rules[%d].severity", i), r.Severity, Severities); err != nil {
			return err
		}
	}
	return nil
}

func oneOf(field, v string, set []string) error {
	if v == "" || slices.Contains(set, v) {
		return nil
	}
	what := "is not one of"
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		what = "holds control characters; want one of"
	}
	return fmt.Errorf("%s: %q %s %s", field, v, what, strings.Join(set, ", "))
}
