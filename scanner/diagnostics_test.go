package scanner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A provider's errors are kept up to maxDiagnostics; the rest are counted in one closing line. An error without
// an error value still says something.
func TestDiagnosticsCap(t *testing.T) {
	var d Diagnostics
	d.Error("api", "t0", nil)
	for i := 1; i < maxDiagnostics+3; i++ {
		d.Error("api", fmt.Sprint("t", i), errors.New("boom"))
	}
	errs := d.Errors()
	if len(errs) != maxDiagnostics+1 {
		t.Fatalf("%d errors, want %d kept and a closing line", len(errs), maxDiagnostics)
	}
	if errs[0].Message != "unknown error" || errs[1].Message != "boom" || errs[maxDiagnostics-1].Target != fmt.Sprint("t", maxDiagnostics-1) {
		t.Errorf("kept %+v … %+v", errs[:2], errs[maxDiagnostics-1])
	}
	if last := errs[maxDiagnostics]; last.Message != "3 more errors not listed" {
		t.Errorf("closing line %+v, want \"3 more errors not listed\"", last)
	}
	var exact Diagnostics
	for range maxDiagnostics {
		exact.Error("api", "t", errors.New("boom"))
	}
	if n := len(exact.Errors()); n != maxDiagnostics {
		t.Errorf("exactly %d errors: %d lines, want no closing line", maxDiagnostics, n)
	}
}

// A provider type that declares record kinds must declare them validly: an empty kind list is a programming error.
func TestRegisterRefusesAnEmptyShape(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "no record kinds declared") {
			t.Errorf("register with Kinds: []string{} recovered %v, want a panic naming the problem", r)
		}
	}()
	register(Factory{Type: "test-empty-shape", Shape: Shape{Kinds: []string{}}})
}

// A report of exactly the size limit is read; one byte more is refused as too large.
func TestReadReportSizeLimit(t *testing.T) {
	body := fmt.Sprintf(`{"schema_version":%d}`, SchemaVersion)
	p := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var h ReportHeader
	if err := readReport(p, int64(len(body)), &h, &h.SchemaVersion); err != nil {
		t.Errorf("a report of exactly the limit: %v", err)
	}
	if err := readReport(p, int64(len(body)-1), &h, &h.SchemaVersion); !errors.Is(err, ErrReportTooLarge) {
		t.Errorf("a report one byte over the limit: %v, want ErrReportTooLarge", err)
	}
}
