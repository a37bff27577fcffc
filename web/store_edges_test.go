package web

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/shadowscan/shadowscan/rules/check/checktest"
	"github.com/shadowscan/shadowscan/scanner"
)

// storeAt is a store over dir/last.json and dir/history on a clock the test moves.
func storeAt(t *testing.T, dir string, interval time.Duration, now *time.Time) *store {
	t.Helper()
	return newStore(Options{NewChecker: demoFactory, ReportPath: filepath.Join(dir, "last.json"), HistoryDir: filepath.Join(dir, "history"),
		ReloadInterval: interval, Now: func() time.Time { return *now }, Logger: zerolog.New(zerolog.NewTestWriter(t))})
}

func scanReport(id string, finished time.Time, findings int) *scanner.Report {
	rep := checktest.Report()
	rep.Scan.ID, rep.Scan.FinishedAt, rep.Summary.Findings = id, finished, findings
	return rep
}

// The report file is looked at again once the reload interval has passed, to the nanosecond: not a moment before.
func TestReloadAtExactlyTheInterval(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	day := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	now := day
	writeReport(t, filepath.Join(dir, "last.json"), scanReport("scan-a", day, 1))
	s := storeAt(t, dir, time.Minute, &now)
	writeReport(t, filepath.Join(dir, "last.json"), scanReport("scan-bb", day, 2))
	bumpMtime(t, filepath.Join(dir, "last.json"))
	now = day.Add(time.Minute - time.Nanosecond)
	if id := s.get().rep.Scan.ID; id != "scan-a" {
		t.Errorf("a nanosecond before the interval: %s, want the report loaded at start", id)
	}
	now = day.Add(time.Minute)
	if id := s.get().rep.Scan.ID; id != "scan-bb" {
		t.Errorf("at the interval: %s, want the new report", id)
	}
}

// A history file rewritten since it was read (another size or time) is read again when the report reloads; the
// trend orders scans that finished at the same instant by scan ID.
func TestHistoryRewrittenAndTies(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	day := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	now := day
	hist := filepath.Join(dir, "history")
	writeReport(t, filepath.Join(dir, "last.json"), scanReport("scan-c", day.Add(time.Hour), 1))
	if err := os.MkdirAll(hist, 0o755); err != nil {
		t.Fatal(err)
	}
	writeReport(t, filepath.Join(hist, "1.json"), scanReport("scan-b", day, 1))
	writeReport(t, filepath.Join(hist, "2.json"), scanReport("scan-a", day, 7))
	s := storeAt(t, dir, -1, &now)
	ids := func(tr []TrendPoint) (out []string) {
		for _, p := range tr {
			out = append(out, p.ScanID)
		}
		return out
	}
	tr := s.get().trend
	if got := ids(tr); len(got) != 3 || got[0] != "scan-a" || got[1] != "scan-b" || got[2] != "scan-c" {
		t.Errorf("trend %v, want scan-a and scan-b (same instant, by ID), then scan-c", got)
	}
	writeReport(t, filepath.Join(hist, "1.json"), scanReport("scan-b", day, 12345))
	bumpMtime(t, filepath.Join(hist, "1.json"))
	writeReport(t, filepath.Join(dir, "last.json"), scanReport("scan-dd", day.Add(2*time.Hour), 1))
	bumpMtime(t, filepath.Join(dir, "last.json"))
	tr = s.get().trend
	if len(tr) != 4 || tr[1].ScanID != "scan-b" || tr[1].Findings != 12345 {
		t.Errorf("after scan-b's file was rewritten: %+v, want its new findings count", tr)
	}
}
