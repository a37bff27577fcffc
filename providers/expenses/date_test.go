package expenses

import (
	"strings"
	"testing"
	"time"
)

func TestCompileDateFormat(t *testing.T) {
	for spec, want := range map[string]string{
		"YYYY-MM-DD":   "2006-1-2",
		"DD/MM/YYYY":   "2/1/2006",
		"MM/DD/YY":     "1/2/06",
		"DD MMM YYYY":  "2 Jan 2006",
		"MMMM D, YYYY": "January 2, 2006",
		"YYYYMMDD":     "200612",
		"2006-01-02":   "2006-01-02",
	} {
		got, err := compileDateFormat(spec)
		if err != nil || got.layout != want {
			t.Errorf("compileDateFormat(%q) = %q, %v; want %q", spec, got.layout, err, want)
		}
	}
	for _, spec := range []string{"YYYY-MM", "DD/MM", "YYYYY-MM-DD", "QQ-MM-DD-YYYY", ""} {
		if _, err := compileDateFormat(spec); err == nil {
			t.Errorf("compileDateFormat(%q): no error", spec)
		}
	}
}

func TestParseDate(t *testing.T) {
	def, err := compileDateFormats(nil)
	if err != nil {
		t.Fatal(err)
	}
	dayFirst, _ := compileDateFormats([]string{"DD/MM/YYYY"})
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in      string
		formats []dateFormat
		want    time.Time
		err     string
	}{
		{in: "2026-03-04", want: d(2026, 3, 4)},
		{in: "2026-3-4", want: d(2026, 3, 4)},
		{in: "2026/03/04", want: d(2026, 3, 4)},
		{in: "03/04/2026", want: d(2026, 3, 4)},
		{in: "3/4/26", want: d(2026, 3, 4)},
		{in: "04.03.2026", want: d(2026, 3, 4)},
		{in: "04 Mar 2026", want: d(2026, 3, 4)},
		{in: "04-MAR-2026", want: d(2026, 3, 4)},
		{in: "4-mar-26", want: d(2026, 3, 4)},
		{in: "Mar 4, 2026", want: d(2026, 3, 4)},
		{in: "20260304", want: d(2026, 3, 4)},
		{in: "2026-03-04T23:59:59Z", want: d(2026, 3, 4)},
		{in: "2026-03-04T23:59:59.123+05:30", want: d(2026, 3, 4)},
		{in: "2026-03-04 08:00", want: d(2026, 3, 4)},
		{in: "03/04/2026 10:22 PM", want: d(2026, 3, 4)},
		{in: "46085", want: d(2026, 3, 4)},
		{in: "04/03/2026", formats: dayFirst, want: d(2026, 3, 4)},
		{in: "25/03/2026", err: "matches none"},
		{in: "03/25/2026", formats: dayFirst, err: "matches none"},
		{in: "", err: "empty"},
		{in: "yesterday", err: "matches none"},
		{in: "1899-12-31", err: "out of range"},
		{in: "2201-01-01", err: "out of range"},
		{in: "2026-02-30", err: "matches none"},
		{in: "12345", err: "matches none"},
	}
	for _, tc := range tests {
		f := tc.formats
		if f == nil {
			f = def
		}
		got, err := parseDate(tc.in, f)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseDate(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-04", "03/04/2026", "04.03.2026", "Mar 4, 2026", "2026-03-04T10:00:00Z",
		"46085", "", "2026-13-45", "0000-00-00", "9999999999", "31 Dec 2099 23:59:59 +0100"} {
		f.Add(s, "")
		f.Add(s, "DD/MM/YYYY")
	}
	f.Fuzz(func(t *testing.T, s, spec string) {
		var specs []string
		if spec != "" {
			specs = []string{spec}
		}
		formats, err := compileDateFormats(specs)
		if err != nil {
			return
		}
		d, err := parseDate(s, formats)
		if err != nil {
			return
		}
		if d.Year() < minYear || d.Year() > maxYear || d.Location() != time.UTC || d.Hour() != 0 {
			t.Fatalf("parseDate(%q, %q) = %v", s, spec, d)
		}
	})
}
