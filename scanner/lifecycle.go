package scanner

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shadowscan/shadowscan/scanner/textsafe"
)

// RuleSuppressionExpired is the rule ID of the finding raised when a suppression has expired.
const RuleSuppressionExpired = "suppression-expired"

// applyLifecycle marks findings new, existing or suppressed and lists baseline findings no longer seen as resolved,
// unless a provider their evidence came from did not finish this scan (coverage partial or failed): not seeing a
// finding then proves nothing, so it is listed as unconfirmed, with the reason, and stays open until a scan in
// which those providers complete.
// An expired suppression no longer suppresses; it raises a low finding of its own so that someone renews or drops it.
func applyLifecycle(rep *Report, baseline *Report, sups []Suppression, now time.Time) {
	prev := map[string]bool{}
	if baseline != nil {
		for _, f := range baseline.Findings {
			prev[f.Fingerprint] = true
		}
		// A finding the baseline could not confirm was still open then: it is existing if seen again.
		for _, f := range baseline.Unconfirmed {
			prev[f.Fingerprint] = true
		}
	}
	seen := make(map[string]bool, len(rep.Findings))
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
		incomplete := incompleteProviders(rep.Coverage)
		for _, list := range [][]Finding{baseline.Findings, baseline.Unconfirmed} {
			for _, f := range list {
				if seen[f.Fingerprint] || f.RuleID == RuleSuppressionExpired {
					continue
				}
				seen[f.Fingerprint] = true
				if why := unconfirmedReason(f, incomplete); why != "" {
					f.Unconfirmed = why
					rep.Unconfirmed = append(rep.Unconfirmed, f)
					continue
				}
				f.Unconfirmed = ""
				rep.Resolved = append(rep.Resolved, f)
			}
		}
		SortFindings(rep.Resolved)
		SortFindings(rep.Unconfirmed)
	}
	SortFindings(rep.Findings)
}

// incompleteProviders maps each provider whose coverage is not complete to why.
func incompleteProviders(cov []Coverage) map[string]string {
	out := map[string]string{}
	for _, c := range cov {
		if c.Status == CoverageComplete {
			continue
		}
		why := "provider " + c.Provider + " was " + c.Status
		if len(c.Errors) > 0 {
			why += ": " + c.Errors[0].Message
			if n := len(c.Errors) - 1; n > 0 {
				why += fmt.Sprintf(" (and %d more)", n)
			}
		}
		out[c.Provider] = why
	}
	return out
}

// unconfirmedReason says why a baseline finding not seen in this scan cannot count as resolved: a provider of its
// evidence did not complete. "" means it is resolved.
func unconfirmedReason(f Finding, incomplete map[string]string) string {
	if len(incomplete) == 0 {
		return ""
	}
	var whys []string
	done := map[string]bool{}
	for _, e := range f.Evidence {
		if why, ok := incomplete[e.Provider]; ok && !done[e.Provider] {
			done[e.Provider] = true
			whys = append(whys, why)
		}
	}
	sort.Strings(whys)
	return textsafe.Clean(strings.Join(whys, "; "))
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
	s.UnconfirmedFindings = len(rep.Unconfirmed)
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
