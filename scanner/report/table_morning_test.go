package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// tableLines renders rep as a table 100 columns wide and returns its lines.
func tableLines(t *testing.T, rep *scanner.Report) []string {
	t.Helper()
	return strings.Split(renderTable(t, rep, Options{Width: 100}), "\n")
}

// The morning header counts new findings by severity, says when every finding only counts as new because there is
// nothing to compare with, and warns about incomplete coverage only when a source is incomplete.
func TestTableMorningHeader(t *testing.T) {
	const firstScan = "  every finding counts as new: no earlier report to compare with (--baseline)"
	finding := func(status, sev string) scanner.Finding {
		return scanner.Finding{Fingerprint: "f" + status + sev, RuleID: "r", Title: "T", Severity: sev, Status: status,
			Message: "m", Evidence: []scanner.Evidence{}}
	}
	complete := []scanner.Coverage{{Provider: "dns", Type: "dns", Status: scanner.CoverageComplete}}
	for _, tc := range []struct {
		name     string
		findings []scanner.Finding
		resolved []scanner.Finding
		head     string
		first    bool // the "every finding counts as new" line
	}{
		{name: "nothing", head: "NEW SINCE THE LAST SCAN  0 new findings · 0 resolved"},
		{name: "existing only", findings: []scanner.Finding{finding(scanner.StatusExisting, "high")},
			head: "NEW SINCE THE LAST SCAN  0 new findings · 0 resolved"},
		{name: "first scan", findings: []scanner.Finding{finding(scanner.StatusNew, "low")},
			head: "NEW SINCE THE LAST SCAN  1 new finding (1 low) · 0 resolved", first: true},
		{name: "new beside existing",
			findings: []scanner.Finding{finding(scanner.StatusNew, "low"), finding(scanner.StatusExisting, "low")},
			head:     "NEW SINCE THE LAST SCAN  1 new finding (1 low) · 0 resolved"},
		{name: "new beside resolved", findings: []scanner.Finding{finding(scanner.StatusNew, "low")},
			resolved: []scanner.Finding{finding(scanner.StatusExisting, "medium")},
			head:     "NEW SINCE THE LAST SCAN  1 new finding (1 low) · 1 resolved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := &scanner.Report{Coverage: complete, Findings: tc.findings, Resolved: tc.resolved}
			lines := tableLines(t, rep)
			if !slices.Contains(lines, tc.head) {
				t.Errorf("no header line %q in:\n%s", tc.head, strings.Join(lines, "\n"))
			}
			if got := slices.Contains(lines, firstScan); got != tc.first {
				t.Errorf("first-scan line shown %v, want %v:\n%s", got, tc.first, strings.Join(lines, "\n"))
			}
			for _, l := range lines {
				if strings.Contains(l, "coverage incomplete") {
					t.Errorf("every source complete, yet %q", l)
				}
			}
		})
	}
}

// A fix that differs between the findings of one rule is shown under each finding that has one, and under no
// other; evidence beyond the three shown is counted only when there is more.
func TestTableFindingFixesAndEvidence(t *testing.T) {
	ev := []scanner.Evidence{{Provider: "p", Kind: "k", Summary: "one"}, {Provider: "p", Kind: "k", Summary: "two"},
		{Provider: "p", Kind: "k", Summary: "three"}}
	rep := &scanner.Report{Findings: []scanner.Finding{
		{Fingerprint: "aaaa1111", RuleID: "r", Title: "T", Severity: "low", Status: scanner.StatusNew, Message: "with fix",
			Remediation: "Do the first thing.", Evidence: ev, EvidenceCount: 3},
		{Fingerprint: "bbbb2222", RuleID: "r", Title: "T", Severity: "low", Status: scanner.StatusNew, Message: "without fix",
			Evidence: ev, EvidenceCount: 4},
	}}
	out := renderTable(t, rep, Options{Width: 100})
	if n := strings.Count(out, "Fix:"); n != 1 {
		t.Errorf("%d fix lines, want 1 (only the finding with a fix):\n%s", n, out)
	}
	if !strings.Contains(out, "      with fix\n      Fix: Do the first thing.\n") {
		t.Errorf("the fix is not under its finding:\n%s", out)
	}
	if n := strings.Count(out, "evidence items in all"); n != 1 || !strings.Contains(out, "      · … 4 evidence items in all\n") {
		t.Errorf("want exactly one \"· … 4 evidence items in all\" (3 shown of 4; none when all 3 are shown):\n%s", out)
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{
		{"abc", -1, ""}, {"abc", 0, ""}, {"", 0, ""}, {"abc", 1, "…"}, {"abc", 2, "a…"}, {"abc", 3, "abc"},
		{"abcd", 3, "ab…"}, {"äöü", 3, "äöü"}, {"äöüß", 3, "äö…"},
	} {
		if got := fit(tc.s, tc.w); got != tc.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want []string
	}{
		{"", 5, nil},
		{"   ", 5, nil},
		{"aa bb", 5, []string{"aa bb"}},
		{"aa bb", 4, []string{"aa", "bb"}},
		{"aa bb cc", 5, []string{"aa bb", "cc"}},
		{"abcde", 5, []string{"abcde"}},
		{"abcdefg", 3, []string{"abc", "def", "g"}},
		{"x abcdefg y", 3, []string{"x", "abc", "def", "g y"}},
		{"ääää ö", 6, []string{"ääää ö"}},
	} {
		if got := wrap(tc.s, tc.w); !slices.Equal(got, tc.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
}

// A rule's heading (100 columns) gives the rule ID and count at most half the line less the indent (49); the title has the rest.
func TestTableRuleHeadingSplit(t *testing.T) {
	rep := &scanner.Report{Findings: []scanner.Finding{{Fingerprint: "aaaa1111", RuleID: strings.Repeat("r", 150),
		Title: strings.Repeat("T", 100), Severity: "low", Status: scanner.StatusNew, Message: "m"}}}
	want := "  " + strings.Repeat("T", 48) + "…" + "  " + strings.Repeat("r", 46) + "…"
	if lines := tableLines(t, rep); !slices.Contains(lines, want) {
		t.Errorf("no heading %q in:\n%s", want, strings.Join(lines, "\n"))
	}
}
