package catalog

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/shadowscan/shadowscan/scanner"
)

// benchCatalog is the built-in catalogue, or the fixture when the built-in one does not load.
func benchCatalog() *Catalog {
	if c, err := Builtin(); err == nil && len(c.Entries) > 0 {
		return c
	}
	return fixtureCatalog()
}

type labelledRow struct {
	line     int
	hint     scanner.Hint
	expected string // vendor ID, or "-" for unresolved
}

func readLabelled(t *testing.T, path string) []labelledRow {
	t.Helper()
	var rows []labelledRow
	eachTSVRow(t, path, 3, func(n int, cols []string) {
		typ := scanner.HintType(cols[0])
		if !hasHintType(typ) {
			t.Fatalf("%s:%d: unknown hint type %q", path, n, cols[0])
		}
		h := scanner.Hint{Type: typ, Value: cols[1]}
		if typ == scanner.HintDKIMSelector {
			if sel, target, ok := strings.Cut(cols[1], " CNAME "); ok {
				h.Value, h.Target = sel, target
			}
		}
		rows = append(rows, labelledRow{line: n, hint: h, expected: cols[2]})
	})
	return rows
}

// eachTSVRow calls fn with the line number and the columns of every row of a tab-separated file; blank lines and
// "#" comments are skipped, and a row without exactly want columns fails the test.
func eachTSVRow(t testing.TB, path string, want int, fn func(line int, cols []string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != want {
			t.Fatalf("%s:%d: want %d tab-separated columns, got %d", path, n, want, len(cols))
		}
		fn(n, cols)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func hasHintType(t scanner.HintType) bool {
	for _, x := range scanner.HintTypes {
		if x == t {
			return true
		}
	}
	return false
}

// TestLabelledAccuracy resolves every row of testdata/labelled_hints.tsv with the built-in catalogue and reports
// accuracy, in total and per hint type. It fails below 97% or on any wrong-vendor match of a card descriptor.
func TestLabelledAccuracy(t *testing.T) {
	const path = "testdata/labelled_hints.tsv"
	rows := readLabelled(t, path)
	if len(rows) < 150 {
		t.Fatalf("%s has %d rows, want at least 150", path, len(rows))
	}
	c, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	r := NewResolver(c)
	for _, p := range r.Problems() {
		t.Errorf("resolver skipped a catalogue pattern: %s", p)
	}
	type tally struct{ rows, correct, wrong, missed, falsePos int }
	by := map[scanner.HintType]*tally{}
	var total tally
	var missingIDs []string
	for _, row := range rows {
		if row.expected != "-" {
			if _, ok := r.Vendor(row.expected); !ok {
				missingIDs = append(missingIDs, fmt.Sprintf("%s:%d %s", path, row.line, row.expected))
			}
		}
		res := r.Resolve(&scanner.Record{Kind: scanner.KindApp, ID: fmt.Sprint(row.line), Hints: []scanner.Hint{row.hint}})
		got := "-"
		if res.Vendor != nil {
			got = res.Vendor.ID
		}
		tl := by[row.hint.Type]
		if tl == nil {
			tl = &tally{}
			by[row.hint.Type] = tl
		}
		for _, x := range []*tally{tl, &total} {
			x.rows++
			switch {
			case got == row.expected:
				x.correct++
			case got == "-":
				x.missed++
			case row.expected == "-":
				x.falsePos++
			default:
				x.wrong++
			}
		}
		switch {
		case got == row.expected:
			if testing.Verbose() && res.Vendor != nil {
				t.Logf("ok   %s:%d %s %q → %s (%.2f, %s)", path, row.line, row.hint.Type, row.hint.Value, got, res.Confidence, res.Reason)
			}
		case row.hint.Type == scanner.HintMerchant && got != "-":
			t.Errorf("WRONG %s:%d merchant %q → %s (%s), want %s", path, row.line, row.hint.Value, got, res.Reason, row.expected)
		default:
			t.Logf("MISS %s:%d %s %q → %s (%s), want %s", path, row.line, row.hint.Type, row.hint.Value, got, res.Reason, row.expected)
		}
	}
	sort.Strings(missingIDs)
	for _, m := range missingIDs {
		t.Logf("expected vendor not in the catalogue: %s", m)
	}
	for _, typ := range scanner.HintTypes {
		if tl := by[typ]; tl != nil {
			t.Logf("%-17s %3d rows  %3d correct (%5.1f%%)  %d wrong vendor, %d false positive, %d missed", typ, tl.rows,
				tl.correct, 100*float64(tl.correct)/float64(tl.rows), tl.wrong, tl.falsePos, tl.missed)
		}
	}
	acc := float64(total.correct) / float64(total.rows)
	t.Logf("TOTAL             %3d rows  %3d correct (%5.1f%%)  %d wrong vendor, %d false positive, %d missed", total.rows,
		total.correct, 100*acc, total.wrong, total.falsePos, total.missed)
	if acc < 0.97 {
		t.Errorf("accuracy %.1f%% is below 97%%", 100*acc)
	}
}

// TestCatalogSelfResolve resolves every signal of every built-in entry (placeholders filled in) and checks that it
// comes back to that entry. Signals that two vendors share come back unresolved (ambiguous) and are listed; a
// signal that resolves to another vendor is an error.
func TestCatalogSelfResolve(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	r := NewResolver(c)
	fill := strings.NewReplacer("{", "", "}", "")
	instantiate := func(p string) string {
		// {portal} → "portal1": any letters and digits will do.
		return strings.TrimPrefix(fill.Replace(p), "*.")
	}
	var checked, ambiguous int
	check := func(e *Entry, h scanner.Hint) {
		checked++
		res := r.Resolve(&scanner.Record{Hints: []scanner.Hint{h}})
		switch {
		case res.Vendor == nil:
			ambiguous++
			t.Logf("%s: %s %q %s does not resolve to it: %s", e.ID, h.Type, h.Value, h.Target, res.Reason)
		case res.Vendor.ID != e.ID:
			t.Errorf("%s: %s %q %s resolves to %s (%s)", e.ID, h.Type, h.Value, h.Target, res.Vendor.ID, res.Reason)
		}
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		s := &e.Signals
		for _, v := range s.AWSAccounts {
			check(e, scanner.Hint{Type: scanner.HintAWSAccount, Value: v})
		}
		for _, v := range s.EntraAppIDs {
			check(e, scanner.Hint{Type: scanner.HintEntraAppID, Value: v})
		}
		for _, v := range s.GoogleClientIDs {
			check(e, scanner.Hint{Type: scanner.HintGoogleClientID, Value: v})
		}
		for _, v := range s.SPF {
			check(e, scanner.Hint{Type: scanner.HintSPFInclude, Value: instantiate(v)})
		}
		for _, v := range s.CNAME {
			check(e, scanner.Hint{Type: scanner.HintCNAMETarget, Value: "x." + instantiate(v)})
		}
		for _, d := range s.DKIM {
			if d.Target != "" {
				check(e, scanner.Hint{Type: scanner.HintDKIMSelector, Value: instantiate(d.Selector), Target: instantiate(d.Target)})
			}
		}
		for _, v := range s.TXT {
			if !strings.HasPrefix(v, "re:") {
				check(e, scanner.Hint{Type: scanner.HintTXTToken, Value: v + "abc123"})
			}
		}
		for _, v := range e.Domains {
			check(e, scanner.Hint{Type: scanner.HintDomain, Value: "https://" + v + "/"})
		}
		for _, v := range s.Merchants {
			check(e, scanner.Hint{Type: scanner.HintMerchant, Value: v + " 4412"})
		}
		for _, v := range append(append([]string{e.Name}, e.Aliases...), s.OAuthNames...) {
			check(e, scanner.Hint{Type: scanner.HintName, Value: v})
		}
	}
	t.Logf("%d signals checked, %d do not resolve to their own entry (shared with another vendor)", checked, ambiguous)
}
