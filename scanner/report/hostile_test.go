package report

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
)

// enumFields hold values the writers switch on (severity, status, approval); everything else is free text or an ID
// that may come from an untrusted source.
var enumFields = map[string]bool{"Severity": true, "Status": true, "Approval": true, "HintType": true}

// poison prefixes every free-text and ID string in v with prefix, recursively: each field a writer might output
// then starts a spreadsheet formula.
func poison(v reflect.Value, prefix string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			poison(v.Elem(), prefix)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || enumFields[f.Name] {
				continue
			}
			poison(v.Field(i), prefix)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			poison(v.Index(i), prefix)
		}
	case reflect.Map:
		// Map keys are currencies and severities; their values are numbers.
	case reflect.String:
		if v.CanSet() {
			v.SetString(prefix + v.String())
		}
	}
}

// Every cell that the CSV writer outputs is neutralised, whichever field it comes from: each formula trigger is put
// in front of every string of the report in turn, and every free-text or ID column must both carry it and be
// defused.
func TestCSVNeutralisesFormulasInEveryField(t *testing.T) {
	notText := map[string]bool{"severity": true, "status": true, "evidence_count": true}
	for _, prefix := range []string{"=", "+", "-", "@", " =", "\t="} {
		rep := fixture()
		poison(reflect.ValueOf(rep), prefix+"HYPERLINK(1)")
		var buf bytes.Buffer
		if err := (CSV{}).Write(t.Context(), &buf, rep); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+len(rep.Findings) {
			t.Fatalf("prefix %q: %d rows, want a header and %d findings", prefix, len(rows), len(rep.Findings))
		}
		for r, row := range rows[1:] {
			for c, cell := range row {
				if trimmed := strings.TrimLeft(cell, " "); trimmed != "" && strings.ContainsRune("=+-@\t\r", rune(trimmed[0])) {
					t.Errorf("prefix %q: row %d column %s: cell %q would run as a formula", prefix, r+1, rows[0][c], cell)
				}
				// The first finding has a vendor and evidence: every text column of it must carry the poison,
				// or the test is not exercising that column.
				if r == 0 && !notText[rows[0][c]] && !strings.Contains(cell, "HYPERLINK") {
					t.Errorf("prefix %q: column %s of the first finding (%q) is not covered by the fixture", prefix, rows[0][c], cell)
				}
			}
		}
	}
}

// Every writer keeps terminal control sequences out of every free-text and ID field (fingerprints included: resolved
// findings come from a baseline file, which can hold anything).
func TestEveryWriterCleansEveryField(t *testing.T) {
	for _, f := range Formats {
		rep := fixture()
		poison(reflect.ValueOf(rep), "\x1b]0;pwned\x07\u202e\x1b[31m")
		w, err := New(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.Write(t.Context(), &buf, rep); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out := buf.String()
		if strings.ContainsAny(out, "\x1b\x07") || strings.Contains(out, "\u202e") {
			t.Errorf("%s: a control sequence survives", f)
		}
	}
}
