package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shadowscan/shadowscan/scanner"
)

// Every line of the table fits its width even when every string is far too long for its place: titles, messages,
// fixes, vendor names, evidence and coverage errors are cut or wrapped, never left to overflow.
func TestTableFitsWithLongStrings(t *testing.T) {
	long := func(word string) string { return strings.TrimSpace(strings.Repeat(word+" ", 40)) }
	rep := tableFixture()
	for i := range rep.Findings {
		f := &rep.Findings[i]
		// Two rules: one whose findings share a fix (shown once), one whose findings each have their own.
		f.Title, f.Message, f.RuleID = long("title"), long("message"), "rule-"+strings.Repeat("x", 150)+string(rune('a'+i%2))
		f.Remediation = long("sharedfix")
		if i%2 == 1 {
			f.Remediation = long("fix" + string(rune('a'+i)))
		}
		f.Status, f.Severity = scanner.StatusNew, scanner.SeverityCritical
		f.Evidence = []scanner.Evidence{{Provider: long("prov"), Kind: "k", Summary: long("summary")}}
		if f.Vendor != nil {
			v := *f.Vendor
			v.Name = long("Vendor")
			f.Vendor = &v
		}
	}
	for i := range rep.Coverage {
		rep.Coverage[i].Errors = append(rep.Coverage[i].Errors, scanner.CoverageError{Message: long("error")})
		rep.Coverage[i].Status = scanner.CoveragePartial
		rep.Coverage[i].Provider = long("p")
	}
	for _, width := range []int{80, 100, 132} {
		out := renderTable(t, rep, Options{Width: width})
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: line %d is %d columns: %q", width, i+1, n, line)
			}
		}
		if !strings.Contains(out, "…") {
			t.Errorf("width %d: nothing was cut", width)
		}
	}
}
