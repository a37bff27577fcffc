package report

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
)

// Markdown writes a report for a ticket or a wiki page.
type Markdown struct{}

// Write implements Writer.
func (Markdown) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	ew := &errWriter{w: w}
	md := MarkdownText
	ew.printf("# shadowscan report: %s\n\n", md(rep.Scan.Organization))
	ew.printf("Scan %s, %s to %s.\n\n", MarkdownCode(rep.Scan.ID), rep.Scan.StartedAt.Format("2006-01-02 15:04 MST"),
		rep.Scan.FinishedAt.Format("2006-01-02 15:04 MST"))
	s := rep.Summary
	ew.printf("**%d findings** (%s), %d new, %d suppressed. %d vendors, %d martech, **%d unapproved martech**",
		s.Findings, severityCounts(s.BySeverity), s.NewFindings, s.SuppressedFindings, s.Vendors, s.MartechVendors,
		s.UnapprovedMartechVendors)
	if sp := money(s.UnapprovedMonthlySpend); sp != "" {
		ew.printf(", %s a month on unapproved tools", sp)
	}
	ew.printf(".\n\n## Coverage\n\n| Provider | Type | Status | Records | Errors |\n|---|---|---|---:|---|\n")
	for _, c := range rep.Coverage {
		errs := make([]string, 0, len(c.Errors))
		for _, e := range c.Errors {
			errs = append(errs, md(coverageErrorText(e)))
		}
		ew.printf("| %s | %s | %s | %d | %s |\n", md(c.Provider), md(c.Type), c.Status, c.Records, strings.Join(errs, "<br>"))
	}
	ew.printf("\n## Findings\n\n")
	if len(rep.Findings) == 0 {
		ew.printf("No findings.\n")
	}
	for _, f := range rep.Findings {
		ew.printf("### %s: %s\n\n", strings.ToUpper(f.Severity), md(f.Title))
		ew.printf("- Rule %s, fingerprint %s, status %s\n", MarkdownCode(f.RuleID), MarkdownCode(f.Fingerprint), f.Status)
		if f.Vendor != nil {
			ew.printf("- Vendor: %s (%s)\n", md(f.Vendor.Name), md(f.Vendor.Category))
		}
		ew.printf("- %s\n- Remediation: %s\n- Evidence (%d):\n", md(f.Message), md(f.Remediation), f.EvidenceCount)
		for _, e := range f.Evidence {
			ew.printf("  - %s %s %s: %s\n", md(e.Provider), md(e.Kind), MarkdownCode(e.ID), md(e.Summary))
		}
		if n := f.EvidenceCount - len(f.Evidence); n > 0 {
			ew.printf("  - … and %d more\n", n)
		}
		ew.printf("\n")
	}
	ew.printf("## Inventory\n\n| Vendor | Category | Approval | Users | Sources | Monthly spend |\n|---|---|---|---:|---|---:|\n")
	for _, it := range rep.Inventory {
		ew.printf("| %s | %s | %s | %d | %s | %s |\n", md(it.Vendor.Name), md(it.Vendor.Category), it.Approval,
			it.UserCount, md(strings.Join(it.Sources, ", ")), money(it.MonthlySpend))
	}
	if len(rep.Unidentified) > 0 {
		ew.printf("\n## Unidentified\n\n| What | Name | Records | Users | Scopes |\n|---|---|---:|---:|---|\n")
		for _, u := range rep.Unidentified {
			ew.printf("| %s | %s | %d | %d | %s |\n", md(u.Key), md(u.Name), u.Records, u.UserCount, md(strings.Join(u.Scopes, " ")))
		}
	}
	if len(rep.Resolved) > 0 {
		ew.printf("\n## Resolved since the baseline\n\n")
		for _, f := range rep.Resolved {
			ew.printf("- %s: %s (%s)\n", f.Severity, md(f.Title), MarkdownCode(f.Fingerprint))
		}
	}
	if len(rep.Unconfirmed) > 0 {
		ew.printf("\n## Not re-checked (not resolved)\n\n")
		for _, f := range rep.Unconfirmed {
			ew.printf("- %s: %s (%s): %s\n", f.Severity, md(f.Title), MarkdownCode(f.Fingerprint), md(f.Unconfirmed))
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func coverageErrorText(e scanner.CoverageError) string {
	parts := []string{}
	if e.API != "" {
		parts = append(parts, e.API)
	}
	if e.Target != "" {
		parts = append(parts, e.Target)
	}
	if len(parts) == 0 {
		return e.Message
	}
	return strings.Join(parts, " ") + ": " + e.Message
}

func severityCounts(m map[string]int) string {
	parts := []string{}
	for _, s := range scanner.Severities {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
