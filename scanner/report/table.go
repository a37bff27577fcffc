package report

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/scanner"
)

// Table is the human report, ordered for the morning read: what is new since the last scan and how bad, then
// coverage, the inventory, unidentified apps and the findings by severity and rule (each rule's fix shown once).
// It fits Options.Width (the terminal's width, 100 when not a terminal), uses colour only when asked, and cleans
// every untrusted string.
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

// morningList caps the one-line list of new critical and high findings at the top.
const morningList = 10

func (t *Table) paint(code, s string) string {
	if !t.opts.Color || code == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *Table) category(id string) string { return categoryName(t.opts, id) }

// Write implements Writer.
func (t *Table) Write(_ context.Context, w io.Writer, rep *scanner.Report) error {
	ew := &errWriter{w: w}
	width := max(t.opts.Width, minWidth)
	title := fmt.Sprintf("shadowscan · %s · scan %s · %s", Clean(rep.Scan.Organization), Clean(rep.Scan.ID),
		rep.Scan.StartedAt.Format("2006-01-02 15:04 MST"))
	ew.printf("%s\n\n", t.paint(ansiBold, fit(title, width)))

	t.morning(ew, rep, width)

	ew.printf("\n%s\n", t.paint(ansiBold, "COVERAGE"))
	rows := [][]string{{"PROVIDER", "TYPE", "STATUS", "RECORDS", "TIME"}}
	for _, c := range rep.Coverage {
		rows = append(rows, []string{Clean(c.Provider), Clean(c.Type), strings.ToUpper(c.Status),
			fmt.Sprint(c.Records), fmt.Sprintf("%.1fs", float64(c.DurationMS)/1000)})
	}
	t.grid(ew, width, rows, []column{{min: 8}, {min: 6}, {min: 8}, {min: 7, right: true}, {min: 5, right: true}})
	for _, c := range rep.Coverage {
		for i, e := range c.Errors {
			if i == 5 {
				ew.printf("    … %d more\n", len(c.Errors)-5)
				break
			}
			t.hanging(ew, "  ! ", Clean(c.Provider)+": "+Clean(coverageErrorText(e)), width)
		}
		if len(c.Skipped) > 0 {
			t.hanging(ew, "  - ", Clean(c.Provider)+" skipped: "+Clean(strings.Join(c.Skipped, ", ")), width)
		}
	}

	s := rep.Summary
	ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("INVENTORY  %d vendors · %d martech · %d unapproved martech",
		s.Vendors, s.MartechVendors, s.UnapprovedMartechVendors)))
	rows = [][]string{{"VENDOR", "CATEGORY", "APPROVAL", "USERS", "SOURCES", "SPEND/MO"}}
	for _, it := range rep.Inventory {
		rows = append(rows, []string{Clean(it.Vendor.Name), Clean(t.category(it.Vendor.Category)), it.Approval,
			fmt.Sprint(it.UserCount), Clean(strings.Join(it.Sources, ", ")), money(it.MonthlySpend)})
	}
	t.grid(ew, width, rows, []column{{min: 12, max: 28}, {min: 12, max: 26, wrap: true}, {min: 10},
		{min: 5, right: true}, {min: 18, wrap: true}, {min: 11, right: true, wrap: true}})

	if len(rep.Unidentified) > 0 {
		ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("UNIDENTIFIED  %d", len(rep.Unidentified))))
		rows = [][]string{{"WHAT", "NAME", "RECORDS", "USERS", "SCOPES"}}
		for _, u := range rep.Unidentified {
			rows = append(rows, []string{Clean(u.Key), Clean(u.Name), fmt.Sprint(u.Records), fmt.Sprint(u.UserCount),
				Clean(shortScopes(u.Scopes))})
		}
		t.grid(ew, width, rows, []column{{min: 14, max: 40}, {min: 10, max: 24}, {min: 7, right: true}, {min: 5, right: true},
			{min: 12, wrap: true}})
	}

	t.findings(ew, rep, width)
	if len(rep.Resolved) > 0 {
		ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("RESOLVED SINCE BASELINE  %d", len(rep.Resolved))))
		for _, f := range rep.Resolved {
			ew.printf("%s\n", fit(fmt.Sprintf("  %s %s (%s)", f.Severity, Clean(f.Title), shortID(f.Fingerprint)), width))
		}
	}
	if len(rep.Unconfirmed) > 0 {
		ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("NOT RE-CHECKED (NOT RESOLVED)  %d", len(rep.Unconfirmed))))
		for _, f := range rep.Unconfirmed {
			t.hanging(ew, "  ", fmt.Sprintf("%s %s (%s): %s", f.Severity, Clean(f.Title), shortID(f.Fingerprint),
				Clean(f.Unconfirmed)), width)
		}
	}
	if sp := money(s.UnapprovedMonthlySpend); sp != "" {
		ew.printf("\nMonthly spend on unapproved martech: %s\n", sp)
	}
	return ew.err
}

// morning answers the first question of the day: what is new since the last scan, what is critical, and can the
// numbers be trusted (coverage).
func (t *Table) morning(ew *errWriter, rep *scanner.Report, width int) {
	newBySev := map[string]int{}
	existing := 0
	var urgent []scanner.Finding
	for _, f := range rep.Findings {
		switch f.Status {
		case scanner.StatusNew:
			newBySev[f.Severity]++
			if scanner.SeverityRank(f.Severity) >= scanner.SeverityRank(scanner.SeverityHigh) {
				urgent = append(urgent, f)
			}
		case scanner.StatusExisting:
			existing++
		}
	}
	fresh := total(slices.Collect(maps.Values(newBySev)))
	head := fmt.Sprintf("NEW SINCE THE LAST SCAN  %d new finding%s", fresh, plural(fresh))
	if fresh > 0 {
		head += " (" + severityCounts(newBySev) + ")"
	}
	head += fmt.Sprintf(" · %d resolved", len(rep.Resolved))
	if n := len(rep.Unconfirmed); n > 0 {
		head += fmt.Sprintf(" · %d not re-checked", n)
	}
	if runeLen(head) <= width {
		ew.printf("%s\n", t.paint(ansiBold, head))
	} else {
		for _, line := range wrap(head, width) {
			ew.printf("%s\n", t.paint(ansiBold, line))
		}
	}
	if existing == 0 && len(rep.Resolved) == 0 && fresh > 0 {
		ew.printf("%s\n", fit("  every finding counts as new: no earlier report to compare with (--baseline)", width))
	}
	var gaps []string
	for _, c := range rep.Coverage {
		if c.Status != scanner.CoverageComplete {
			gaps = append(gaps, Clean(c.Provider)+" "+c.Status)
		}
	}
	if len(gaps) > 0 {
		t.hanging(ew, "  ! ", "coverage incomplete: "+strings.Join(gaps, ", ")+"; findings may be missing", width)
	}
	if len(urgent) == 0 {
		ew.printf("  nothing new at high or critical\n")
		return
	}
	for i, f := range urgent {
		if i == morningList {
			ew.printf("  … %d more new at high or critical below\n", len(urgent)-morningList)
			break
		}
		sev := fmt.Sprintf("%-8s", strings.ToUpper(f.Severity))
		what := Clean(f.Message) // no catalogue vendor: the message names the app
		if f.Vendor != nil {
			what = Clean(f.Vendor.Name) + " — " + Clean(f.Title)
		}
		ew.printf("  %s %s\n", t.paint(severityColour[f.Severity], sev), fit(what, width-11))
	}
}

// findings prints the findings by severity, then by rule: the rule's title and fix once, then each finding's
// vendor, message and evidence. A fix that differs between findings of one rule is shown under each finding.
func (t *Table) findings(ew *errWriter, rep *scanner.Report, width int) {
	s := rep.Summary
	ew.printf("\n%s\n", t.paint(ansiBold, fmt.Sprintf("FINDINGS  %d (%s) · %d new · %d suppressed",
		s.Findings, severityCounts(s.BySeverity), s.NewFindings, s.SuppressedFindings)))
	if len(rep.Findings) == 0 {
		ew.printf("  none\n")
		return
	}
	type group struct {
		sev, rule, title string
		items            []scanner.Finding
	}
	var groups []*group
	index := map[string]*group{}
	for _, f := range rep.Findings {
		key := f.Severity + "\x00" + f.RuleID
		g := index[key]
		if g == nil {
			g = &group{sev: f.Severity, rule: f.RuleID, title: f.Title}
			index[key] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, f)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		return scanner.SeverityRank(groups[i].sev) > scanner.SeverityRank(groups[j].sev)
	})
	last := ""
	for _, g := range groups {
		if g.sev != last {
			last = g.sev
			ew.printf("\n  %s\n", t.paint(severityColour[g.sev], strings.ToUpper(g.sev)))
		}
		// New findings first within a rule: they are the morning's news.
		sort.SliceStable(g.items, func(i, j int) bool { return statusRank(g.items[i].Status) < statusRank(g.items[j].Status) })
		// A rule ID is the organisation's own: one too long for half the line is cut rather than overflow it.
		tail := fit(fmt.Sprintf("  %s · %d", Clean(g.rule), len(g.items)), (width-2)/2)
		ew.printf("  %s%s\n", t.paint(ansiBold, fit(Clean(g.title), width-2-runeLen(tail))), t.paint(ansiDim, tail))
		shared := g.items[0].Remediation
		for _, f := range g.items[1:] {
			if f.Remediation != shared {
				shared = ""
				break
			}
		}
		if shared != "" {
			for _, line := range wrap("Fix: "+Clean(shared), width-4) {
				ew.printf("    %s\n", t.paint(ansiDim, line))
			}
		}
		for _, f := range g.items {
			who := "(not in the catalogue)"
			if f.Vendor != nil {
				who = Clean(f.Vendor.Name)
			}
			fp := "  " + shortID(f.Fingerprint)
			ew.printf("    %s%s\n", fit(fmt.Sprintf("[%s] %s", f.Status, who), width-4-runeLen(fp)), t.paint(ansiDim, fp))
			for _, line := range wrap(Clean(f.Message), width-6) {
				ew.printf("      %s\n", line)
			}
			if shared == "" && f.Remediation != "" {
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
	}
}

func statusRank(s string) int {
	switch s {
	case scanner.StatusNew:
		return 0
	case scanner.StatusExisting:
		return 1
	}
	return 2
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// hanging prints text wrapped to width after prefix, continuation lines indented under the text.
func (t *Table) hanging(ew *errWriter, prefix, text string, width int) {
	indent := strings.Repeat(" ", runeLen(prefix))
	for i, line := range wrap(text, width-runeLen(prefix)) {
		if i == 0 {
			ew.printf("%s%s\n", prefix, line)
		} else {
			ew.printf("%s%s\n", indent, line)
		}
	}
}

// minWidth is the narrowest table laid out (a vendor name, its category and every source stay readable);
// narrower requests get this width.
const minWidth = 80

// column describes one grid column: its narrowest and widest width (0: no limit), alignment, and whether a cell
// too long for it wraps onto further lines (rather than being cut with an ellipsis).
type column struct {
	min, max int
	right    bool
	wrap     bool
}

// grid prints rows (the first is the header) in columns sized to their content within width: columns shrink,
// widest first, down to their minimum; wrapping columns continue on further lines, others are cut.
func (t *Table) grid(ew *errWriter, width int, rows [][]string, cols []column) {
	widths := make([]int, len(cols))
	for i, c := range cols {
		for _, r := range rows {
			widths[i] = max(widths[i], runeLen(r[i]))
		}
		if c.max > 0 {
			widths[i] = min(widths[i], c.max)
		}
		widths[i] = max(widths[i], min(c.min, widths[i]))
	}
	avail := width - 2 - (len(cols) - 1)
	// Wrapping columns give way first (they lose nothing), then the others, widest first.
	for _, wrapping := range []bool{true, false} {
		for total(widths) > avail {
			widest := -1
			for i, c := range cols {
				if c.wrap == wrapping && widths[i] > c.min && (widest < 0 || widths[i] > widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			widths[widest]--
		}
	}
	for ri, r := range rows {
		cells := make([][]string, len(r))
		height := 1
		for i, cell := range r {
			if cols[i].wrap && ri > 0 && runeLen(cell) > widths[i] {
				cells[i] = wrap(cell, widths[i])
			} else {
				cells[i] = []string{fit(cell, widths[i])}
			}
			height = max(height, len(cells[i]))
		}
		for l := 0; l < height; l++ {
			var b strings.Builder
			b.WriteString("  ")
			for i := range r {
				cell := ""
				if l < len(cells[i]) {
					cell = cells[i][l]
				}
				pad := strings.Repeat(" ", widths[i]-runeLen(cell))
				if cols[i].right {
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
}

func total(ws []int) int {
	n := 0
	for _, w := range ws {
		n += w
	}
	return n
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
