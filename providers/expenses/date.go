package expenses

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultDateFormats are tried in order when date_formats is not set. Day-first slash dates (DD/MM/YYYY) are not
// among them, because 03/04/2026 would silently mean two different days; exports that use them must say so.
var DefaultDateFormats = []string{"YYYY-MM-DD", "YYYY/MM/DD", "MM/DD/YYYY", "MM/DD/YY", "DD.MM.YYYY",
	"DD MMM YYYY", "DD-MMM-YYYY", "DD-MMM-YY", "MMM DD, YYYY", "MMM DD YYYY", "YYYYMMDD"}

// Plausible transaction years: anything outside is a typo or a misread column.
const (
	minYear = 1990
	maxYear = 2100
)

// dateFormat is one compiled date_formats entry.
type dateFormat struct {
	spec   string // as configured
	layout string // Go layout
}

// compileDateFormat turns a pattern such as DD/MM/YYYY into a Go layout. Tokens: YYYY, YY, MM or M (month
// number), MMM (Jan), MMMM (January), DD or D (day), HH, mm, ss; anything else is literal. A Go layout (one that
// contains 2006) is accepted as is. Months and days may have one or two digits whatever the pattern says.
func compileDateFormat(spec string) (dateFormat, error) {
	if strings.Contains(spec, "2006") {
		return dateFormat{spec: spec, layout: spec}, nil
	}
	var b strings.Builder
	var hasY, hasM, hasD bool
	for i := 0; i < len(spec); {
		c := spec[i]
		j := i
		for j < len(spec) && spec[j] == c {
			j++
		}
		run := spec[i:j]
		switch {
		case c == 'Y' && (len(run) == 4 || len(run) == 2):
			hasY = true
			if len(run) == 4 {
				b.WriteString("2006")
			} else {
				b.WriteString("06")
			}
		case c == 'M' && len(run) <= 2:
			hasM = true
			b.WriteString("1")
		case c == 'M' && len(run) == 3:
			hasM = true
			b.WriteString("Jan")
		case c == 'M' && len(run) == 4:
			hasM = true
			b.WriteString("January")
		case c == 'D' && len(run) <= 2:
			hasD = true
			b.WriteString("2")
		case c == 'H' && len(run) == 2:
			b.WriteString("15")
		case c == 'm' && len(run) == 2:
			b.WriteString("04")
		case c == 's' && len(run) == 2:
			b.WriteString("05")
		case (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'):
			return dateFormat{}, fmt.Errorf("%q: unknown token %q (use YYYY, YY, MM, MMM, MMMM, DD, HH, mm, ss)", spec, run)
		default:
			b.WriteString(run)
		}
		i = j
	}
	if !hasY || !hasM || !hasD {
		return dateFormat{}, fmt.Errorf("%q: needs a year, a month and a day", spec)
	}
	return dateFormat{spec: spec, layout: b.String()}, nil
}

// timeSuffix matches a time of day (and zone) after a date, which is dropped: only the calendar date as written
// in the export matters.
var timeSuffix = regexp.MustCompile(`^(.+?)(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?$`)

// excelEpoch is day 0 of Excel's 1900 date system (as Excel counts, with its 1900 leap-year bug).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// parseDate reads a date cell with the given formats (tried in order). It also accepts a time after the date
// (2026-03-04T10:22:00Z, 03/04/2026 10:22 AM), which it ignores, and Excel serial day numbers (46085).
func parseDate(s string, formats []dateFormat) (time.Time, error) {
	s = strings.TrimFunc(s, isSpace)
	if s == "" {
		return time.Time{}, errEmpty
	}
	if t, ok := parseFormats(s, formats); ok {
		return checkYear(s, t)
	}
	if strings.IndexByte(s, ':') > 0 {
		if m := timeSuffix.FindStringSubmatch(s); m != nil {
			if t, ok := parseFormats(strings.TrimFunc(m[1], isSpace), formats); ok {
				return checkYear(s, t)
			}
		}
	}
	if len(s) == 5 && isDigits(s) {
		if n, _ := strconv.Atoi(s); n >= 20000 && n <= 80000 {
			return excelEpoch.AddDate(0, 0, n), nil
		}
	}
	specs := make([]string, len(formats))
	for i, f := range formats {
		specs[i] = f.spec
	}
	return time.Time{}, fmt.Errorf("date %q matches none of the date formats (%s); set date_formats",
		truncate(s, 40), strings.Join(specs, ", "))
}

func parseFormats(s string, formats []dateFormat) (time.Time, bool) {
	for _, f := range formats {
		if t, err := time.Parse(f.layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

func checkYear(s string, t time.Time) (time.Time, error) {
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, fmt.Errorf("date %q is out of range (%d–%d)", truncate(s, 40), minYear, maxYear)
	}
	return t, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// compileDateFormats compiles a date_formats list, or the defaults when it is empty.
func compileDateFormats(specs []string) ([]dateFormat, error) {
	if len(specs) == 0 {
		specs = DefaultDateFormats
	}
	out := make([]dateFormat, 0, len(specs))
	var errs []error
	for i, s := range specs {
		f, err := compileDateFormat(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("date_formats[%d]: %w", i, err))
			continue
		}
		out = append(out, f)
	}
	return out, errors.Join(errs...)
}
