package scanner

import (
	"fmt"
	"time"
)

// RuleSuppressionExpired is the rule ID of the finding raised when a suppression has expired.
const RuleSuppressionExpired = "suppression-expired"

// applyLifecycle marks findings new, existing or suppressed and lists baseline findings no longer seen as resolved.
// An expired suppression no longer suppresses; it raises a low finding of its own so that someone renews or drops it.
func applyLifecycle(rep *Report, baseline *Report, sups []Suppression, now time.Time) {
	prev := map[string]bool{}
	if baseline != nil {
		for _, f := range baseline.Findings {
			prev[f.Fingerprint] = true
		}
	}
	seen := map[string]bool{}
	var expiredHits []Finding
	for i := range rep.Findings {
		f := &rep.Findings[i]
		seen[f.Fingerprint] = true
		f.Status = StatusNew
		if prev[f.Fingerprint] {
			f.Status = StatusExisting
		}
		for _, s := range sups {
			if !s.Matches(f) {
				continue
			}
			s := s
			if !s.Expires.IsZero() && !now.Before(s.Expires) {
				s.Expired = true
				f.Suppression = &s
				expiredHits = append(expiredHits, expiredFinding(f, s))
				continue
			}
			f.Suppression = &s
			f.Status = StatusSuppressed
			break
		}
	}
	for _, e := range expiredHits {
		if seen[e.Fingerprint] {
			continue
		}
		seen[e.Fingerprint] = true
		e.Status = StatusNew
		if prev[e.Fingerprint] {
			e.Status = StatusExisting
		}
		rep.Findings = append(rep.Findings, e)
	}
	if baseline != nil {
		for _, f := range baseline.Findings {
			if !seen[f.Fingerprint] && f.RuleID != RuleSuppressionExpired {
				rep.Resolved = append(rep.Resolved, f)
			}
		}
		SortFindings(rep.Resolved)
	}
	SortFindings(rep.Findings)
}

func expiredFinding(f *Finding, s Suppression) Finding {
	what := "fingerprint " + s.Fingerprint
	if s.Fingerprint == "" {
		what = "rule " + s.RuleID
		if s.Vendor != "" {
			what += " for vendor " + s.Vendor
		}
	}
	return Finding{
		Fingerprint: Fingerprint(RuleSuppressionExpired, f.Fingerprint),
		RuleID:      RuleSuppressionExpired,
		Title:       "Suppression expired",
		Severity:    SeverityLow,
		Vendor:      f.Vendor,
		Message: fmt.Sprintf("The suppression of %s (owner %s, reason %q) expired on %s; finding %s (%q) is reported again.",
			what, s.Owner, s.Reason, s.Expires.Format("2006-01-02"), f.Fingerprint, f.Title),
		Remediation:   "Renew the suppression with a new expiry if the exception still holds, or fix the finding and remove the suppression.",
		Evidence:      []Evidence{{Provider: "suppressions", Kind: "suppression", ID: f.Fingerprint, Summary: f.Title}},
		EvidenceCount: 1,
	}
}

func summarise(rep *Report) Summary {
	s := Summary{BySeverity: map[string]int{}, UnapprovedMonthlySpend: map[string]float64{}}
	for _, sev := range Severities {
		s.BySeverity[sev] = 0
	}
	for _, f := range rep.Findings {
		if f.Status == StatusSuppressed {
			s.SuppressedFindings++
			continue
		}
		s.Findings++
		s.BySeverity[f.Severity]++
		if f.Status == StatusNew {
			s.NewFindings++
		}
	}
	s.Vendors = len(rep.Inventory)
	s.UnidentifiedApps = len(rep.Unidentified)
	for _, it := range rep.Inventory {
		if !it.Vendor.Martech {
			continue
		}
		s.MartechVendors++
		if Unapproved(it.Approval) {
			s.UnapprovedMartechVendors++
			for cur, v := range it.MonthlySpend {
				s.UnapprovedMonthlySpend[cur] += v
			}
		}
	}
	round2(s.UnapprovedMonthlySpend)
	return s
}

// Unapproved reports whether an approval status means IT has not (or no longer) approved the vendor.
func Unapproved(status string) bool {
	switch status {
	case ApprovalApproved, ApprovalTolerated:
		return false
	}
	return true
}
