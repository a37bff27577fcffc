package report

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/scanner"
)

// Table is the human report: coverage, inventory, unidentified apps, findings grouped by severity. It fits the
// configured width (100 columns by default), uses colour only when asked, and cleans every untrusted string.
type Table struct{ opts Options }

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
)

var severityColour = map[string]string{
	scanner.SeverityCritical: "\x1b[1;97;41m", scanner.SeverityHigh: "\x1b[1;31m", scanner.SeverityMedium: "\x1b[33m",
	scanner.SeverityLow: "\x1b[36m", scanner.SeverityInfo: "\x1b[2m",
}

func (t *Table) paint(code, s string) string {
	if !t.opts.Color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// Write implements Writer.
func (t *Table) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	ew := &errWriter{w: w}
	width := t.opts.Width
	title := fmt.Sprintf("shadowscan · %s · scan %s · %s", Clean(rep.Scan.Organization), Clean(rep.Scan.ID),
		rep.Scan.StartedAt.Format("2006-01-02 15:04 MST"))
	ew.printf("%s\n\n", t.paint(ansiBold, fit(title, width)))

	ew.printf("%s\n", t.paint(ansiBold, "COVERAGE"))
	rows := [][]string{{"PROVIDER", "TYPE", "STATUS", "RECORDS", "TIME"}}
	for _, c := range rep.Coverage {
		rows = append(rows, []string{Clean(c.Provider), Clean(c.Type), strings.ToUpper(c.Status),
			fmt.Sprint(c.Records), fmt.Sprintf("%.1fs", float64(c.DurationMS)/1000)})
	}
	t.grid(ew, rows, []int{24, 18, 9, 8, 8}, map[int]bool{3: true, 4: true})
	for _, c := range rep.Coverage {
		for i, e := range c.Errors {
			if i == 5 {
				ew.printf("    … %d more\n", len(c.Errors)-5)
				break
			}
			ew.printf("%s\n", fit("  ! "+Clean(c.Provider)+": "+Clean(coverageErrorText(e)), width))
		}
		if len(c.Skipped) > 0 {
			ew.printf("%s\n", fit("  - "+Clean(c.Provider)+" skipped: "+Clean(strings.Join(c.Skipped, ", ")), width))
		}
	}

	s := rep.Summary
	ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("INVENTORY  %d vendors · %d martech · %d unapproved martech",
		s.Vendors, s.MartechVendors, s.UnapprovedMartechVendors)))
	rows = [][]string{{"VENDOR", "CATEGORY", "APPROVAL", "USERS", "SOURCES", "SPEND/MO"}}
	for _, it := range rep.Inventory {
		rows = append(rows, []string{Clean(it.Vendor.Name), Clean(it.Vendor.Category), it.Approval,
			fmt.Sprint(it.UserCount), Clean(strings.Join(it.Sources, ",")), money(it.MonthlySpend)})
	}
	t.grid(ew, rows, []int{22, 20, 10, 5, 18, 17}, map[int]bool{3: true, 5: true})

	if len(rep.Unidentified) > 0 {
		ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("UNIDENTIFIED  %d", len(rep.Unidentified))))
		rows = [][]string{{"WHAT", "NAME", "RECORDS", "USERS", "SCOPES"}}
		for _, u := range rep.Unidentified {
			rows = append(rows, []string{Clean(u.Key), Clean(u.Name), fmt.Sprint(u.Records), fmt.Sprint(u.UserCount),
				Clean(shortScopes(u.Scopes))})
		}
		t.grid(ew, rows, []int{34, 20, 7, 5, 26}, map[int]bool{2: true, 3: true})
	}

	ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("FINDINGS  %d (%s) · %d new · %d suppressed",
		s.Findings, severityCounts(s.BySeverity), s.NewFindings, s.SuppressedFindings)))
	if len(rep.Findings) == 0 {
		ew.printf("  none\n")
	}
	last := ""
	for _, f := range rep.Findings {
		if f.Severity != last {
			last = f.Severity
			ew.printf("\n  %s\n", t.paint(severityColour[f.Severity], strings.ToUpper(f.Severity)))
		}
		status := f.Status
		head := fmt.Sprintf("  [%s] %s", status, Clean(f.Title))
		if f.Vendor != nil {
			head += ": " + Clean(f.Vendor.Name)
		}
		tail := fmt.Sprintf("  %s · %s", Clean(f.RuleID), shortID(f.Fingerprint))
		ew.printf("%s%s\n", fit(head, width-runeLen(tail)), t.paint(ansiDim, tail))
		for _, line := range wrap(Clean(f.Message), width-6) {
			ew.printf("      %s\n", line)
		}
		if f.Remediation != "" {
			for _, line := range wrap("Fix: "+Clean(f.Remediation), width-6) {
				ew.printf("      %s\n", t.paint(ansiDim, line))
			}
		}
		for i, e := range f.Evidence {
			if i == 3 {
				break
			}
			ew.printf("      %s\n", fit("· "+Clean(e.Provider)+" "+Clean(e.Kind)+" "+Clean(e.Summary), width-6))
		}
		if f.EvidenceCount > 3 {
			ew.printf("      · … %d evidence items in all\n", f.EvidenceCount)
		}
	}
	if len(rep.Resolved) > 0 {
		ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("RESOLVED SINCE BASELINE  %d", len(rep.Resolved))))
		for _, f := range rep.Resolved {
			ew.printf("%s\n", fit(fmt.Sprintf("  %s %s (%s)", f.Severity, Clean(f.Title), shortID(f.Fingerprint)), width))
		}
	}
	if sp := money(s.UnapprovedMonthlySpend); sp != "" {
		ew.printf("\nMonthly spend on unapproved martech: %s\n", sp)
	}
	return ew.err
}

// grid prints rows in columns of the given widths; right-aligned columns are marked.
func (t *Table) grid(ew *errWriter, rows [][]string, widths []int, right map[int]bool) {
	for ri, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, cell := range r {
			w := widths[i]
			cell = fit(cell, w)
			pad := strings.Repeat(" ", w-runeLen(cell))
			if right[i] {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
			if i < len(r)-1 {
				b.WriteString(" ")
			}
		}
		line := strings.TrimRight(b.String(), " ")
		if ri == 0 {
			line = t.paint(ansiDim, line)
		}
		ew.printf("%s\n", line)
	}
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// fit truncates s to w runes, marking the cut with an ellipsis.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if runeLen(s) <= w {
		return s
	}
	rs := []rune(s)
	return string(rs[:w-1]) + "…"
}

// wrap breaks s into lines of at most w runes at spaces.
func wrap(s string, w int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		for runeLen(word) > w {
			if cur.Len() > 0 {
				lines = append(lines, cur.String())
				cur.Reset()
			}
			rs := []rune(word)
			lines = append(lines, string(rs[:w]))
			word = string(rs[w:])
		}
		if cur.Len() > 0 && runeLen(cur.String())+1+runeLen(word) > w {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// money prints per-currency amounts, sorted by currency: "EUR 12.00 + USD 99.50".
func money(m map[string]float64) string {
	curs := make([]string, 0, len(m))
	for c, v := range m {
		if v != 0 {
			curs = append(curs, c)
		}
	}
	sort.Strings(curs)
	parts := make([]string, 0, len(curs))
	for _, c := range curs {
		parts = append(parts, fmt.Sprintf("%s %.2f", Clean(c), m[c]))
	}
	return strings.Join(parts, " + ")
}

// shortScopes drops the common Google prefix so scope lists fit.
func shortScopes(scopes []string) string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = strings.TrimPrefix(s, "https://www.googleapis.com/auth/")
	}
	return strings.Join(out, " ")
}

// shortID is the first 12 characters of a fingerprint, cleaned: a baseline file can carry anything.
func shortID(fp string) string {
	r := []rune(Clean(fp))
	return string(r[:min(12, len(r))])
}
