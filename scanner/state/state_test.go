package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

var t0 = time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)

// lifecycle does to test reports what scanner's lifecycle does: a finding in the baseline is existing, else new
// (counted); the baseline's findings not seen again are resolved.
type lifecycle struct {
	baseline   *scanner.Report
	prev, seen map[string]bool
}

func newLifecycle(baseline *scanner.Report) *lifecycle {
	lc := &lifecycle{baseline: baseline, prev: map[string]bool{}, seen: map[string]bool{}}
	if baseline != nil {
		for _, f := range baseline.Findings {
			lc.prev[f.Fingerprint] = true
		}
	}
	return lc
}

func (lc *lifecycle) add(rep *scanner.Report, f scanner.Finding) {
	if lc.prev[f.Fingerprint] {
		f.Status = scanner.StatusExisting
	} else {
		rep.Summary.NewFindings++
	}
	lc.seen[f.Fingerprint] = true
	rep.Findings = append(rep.Findings, f)
}

func (lc *lifecycle) resolve(rep *scanner.Report) {
	if lc.baseline == nil {
		return
	}
	for _, f := range lc.baseline.Findings {
		if !lc.seen[f.Fingerprint] {
			rep.Resolved = append(rep.Resolved, f)
		}
	}
}

// scan builds a report as scanner.Run would after the lifecycle, for the given night and findings (rule:vendor).
func scan(night int, baseline *scanner.Report, vendors []string, findings ...string) *scanner.Report {
	start := t0.Add(time.Duration(night) * 24 * time.Hour)
	rep := &scanner.Report{SchemaVersion: scanner.SchemaVersion,
		Scan:     scanner.ScanInfo{ID: fmt.Sprintf("night-%d", night), StartedAt: start, FinishedAt: start.Add(time.Minute), Organization: "Example"},
		Coverage: []scanner.Coverage{{Provider: "p", Type: "inventory", Status: scanner.CoverageComplete}}}
	for _, v := range vendors {
		rep.Inventory = append(rep.Inventory, scanner.InventoryItem{Vendor: scanner.Vendor{ID: v, Name: strings.ToUpper(v), Category: "data", Martech: true},
			Approval: scanner.ApprovalUnapproved, Users: []string{"a@example.com", v + "@example.com"}, UserCount: 2, Records: 3,
			MonthlySpend: map[string]float64{"USD": 10}})
	}
	lc := newLifecycle(baseline)
	for _, k := range findings {
		rule, vendor, _ := strings.Cut(k, ":")
		f := scanner.Finding{Fingerprint: scanner.Fingerprint(rule, vendor), RuleID: rule, Title: rule, Severity: scanner.SeverityHigh,
			Vendor: &scanner.Vendor{ID: vendor, Name: vendor}, Message: "m", Evidence: []scanner.Evidence{}, Status: scanner.StatusNew}
		lc.add(rep, f)
	}
	lc.resolve(rep)
	rep.Summary.Findings = len(rep.Findings)
	rep.Summary.Vendors = len(vendors)
	rep.Summary.UnapprovedMartechVendors = len(vendors)
	rep.Summary.BySeverity = map[string]int{"high": len(rep.Findings)}
	rep.Summary.UnapprovedMonthlySpend = map[string]float64{"USD": 10 * float64(len(vendors))}
	return rep
}

func mustOpen(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// night runs one scan against the store: baseline from the state, record.
func night(t *testing.T, s *Store, n int, vendors []string, findings ...string) *scanner.Report {
	t.Helper()
	ctx := context.Background()
	base, err := s.Baseline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep := scan(n, base, vendors, findings...)
	if err := s.Record(ctx, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestNewExistingResolved(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	if b, err := s.Baseline(ctx); err != nil || b != nil {
		t.Fatalf("empty state: baseline %v, %v; want none", b, err)
	}
	r1 := night(t, s, 1, []string{"hubspot", "apollo"}, "unapproved:hubspot", "unapproved:apollo")
	if r1.Findings[0].Status != scanner.StatusNew || !r1.Findings[0].FirstSeen.Equal(r1.Scan.StartedAt) {
		t.Fatalf("night 1: %+v", r1.Findings[0])
	}
	r2 := night(t, s, 2, []string{"hubspot"}, "unapproved:hubspot")
	if len(r2.Findings) != 1 || r2.Findings[0].Status != scanner.StatusExisting {
		t.Fatalf("night 2 findings: %+v", r2.Findings)
	}
	if !r2.Findings[0].FirstSeen.Equal(r1.Scan.StartedAt) {
		t.Errorf("first_seen of an existing finding = %s, want night 1 %s", r2.Findings[0].FirstSeen, r1.Scan.StartedAt)
	}
	if len(r2.Resolved) != 1 || r2.Resolved[0].RuleID != "unapproved" || r2.Resolved[0].Vendor.ID != "apollo" {
		t.Fatalf("night 2 resolved: %+v", r2.Resolved)
	}
	res := r2.Resolved[0]
	if !res.FirstSeen.Equal(r1.Scan.StartedAt) || !res.LastSeen.Equal(r1.Scan.StartedAt) || !res.ResolvedAt.Equal(r2.Scan.StartedAt) {
		t.Errorf("resolved finding times: first %s last %s resolved %s", res.FirstSeen, res.LastSeen, res.ResolvedAt)
	}
	if !r2.Inventory[0].FirstSeen.Equal(r1.Scan.StartedAt) {
		t.Errorf("vendor first_seen = %s, want night 1", r2.Inventory[0].FirstSeen)
	}
	// Night 3: apollo's finding comes back: new again, first_seen kept from night 1.
	r3 := night(t, s, 3, []string{"hubspot", "apollo"}, "unapproved:hubspot", "unapproved:apollo")
	for _, f := range r3.Findings {
		if f.Vendor.ID == "apollo" && (f.Status != scanner.StatusNew || !f.FirstSeen.Equal(r1.Scan.StartedAt)) {
			t.Errorf("reappeared finding: %+v", f)
		}
	}
	hist, err := s.History(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 3 || hist[1].ResolvedFindings != 1 || hist[0].NewFindings != 2 || hist[2].UnapprovedMartechVendors != 2 {
		t.Errorf("history: %+v", hist)
	}
	tl, err := s.Vendor(ctx, "apollo", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Scans) != 3 || !tl.Scans[0].Seen || tl.Scans[1].Seen || tl.Scans[0].NewUsers != 2 || tl.Scans[2].NewUsers != 0 ||
		tl.Scans[0].Findings != 1 || tl.Users != 2 {
		t.Errorf("vendor timeline: %+v", tl)
	}
	if _, err := s.Vendor(ctx, "nope", time.Time{}); !errors.Is(err, ErrUnknownVendor) {
		t.Errorf("unknown vendor: %v", err)
	}
}

func TestPartialScanIsNotTheBaseline(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	night(t, s, 1, []string{"a"}, "r:a")
	rep := scan(2, nil, nil)
	rep.Coverage[0].Status = scanner.CoveragePartial
	if err := s.Record(ctx, rep); err != nil {
		t.Fatal(err)
	}
	b, err := s.Baseline(ctx)
	if err != nil || b == nil || b.Scan.ID != "night-1" || len(b.Findings) != 1 {
		t.Fatalf("baseline = %+v, %v; want night-1 with its finding", b, err)
	}
}

func TestPruneKeepsTheBaseline(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	night(t, s, 1, []string{"old"}, "r:old")
	night(t, s, 2, []string{"a"}, "r:a")
	rep := scan(30, nil, []string{"a"})
	rep.Coverage[0].Status = scanner.CoverageFailed
	if err := s.Record(ctx, rep); err != nil {
		t.Fatal(err)
	}
	n, err := s.Prune(ctx, 7*24*time.Hour, t0.Add(31*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1 (night 2 is the baseline, night 30 is recent)", n, err)
	}
	b, _ := s.Baseline(ctx)
	if b == nil || b.Scan.ID != "night-2" {
		t.Fatalf("baseline after prune: %+v", b)
	}
	if _, err := s.Vendor(ctx, "old", time.Time{}); !errors.Is(err, ErrUnknownVendor) {
		t.Errorf("a vendor seen only in pruned scans stays: %v", err)
	}
	var nf int
	_ = s.db.QueryRow("SELECT count(*) FROM findings").Scan(&nf)
	if nf != 1 {
		t.Errorf("findings after prune = %d, want 1", nf)
	}
}

func TestLockRefusesSecondWriter(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	_, err := Open(context.Background(), dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Fatalf("second Open: %v; want ErrLocked naming the holder", err)
	}
	// Readers are not blocked by a running scan.
	night(t, s, 1, []string{"a"})
	r, err := OpenReadOnly(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := r.History(context.Background(), time.Time{})
	r.Close()
	if err != nil || len(h) != 1 {
		t.Fatalf("read-only history: %v, %v", h, err)
	}
	_ = s.Close()
	s2, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatalf("after Close the state opens again: %v", err)
	}
	_ = s2.Close()
}

func TestFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := mustOpen(t, dir)
	night(t, s, 1, []string{"a"})
	for _, p := range []string{dir, filepath.Join(dir, FileName)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v: readable by others", p, fi.Mode().Perm())
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	night(t, s, 1, []string{"a"})
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(filepath.Join(dir, FileName))
	_, err := Open(context.Background(), dir)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade shadowscan") {
		t.Fatalf("Open of a newer database: %v", err)
	}
	if _, err := OpenReadOnly(context.Background(), dir); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("OpenReadOnly of a newer database: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(before) != string(after) {
		t.Error("the newer database was changed")
	}
}

func TestNotADatabase(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("this is not sqlite, just some text padding it out to a page"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), FileName) {
		t.Fatalf("Open of a non-database: %v", err)
	}
}

func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	// A scan as version 1 stored it.
	if _, err := db.Exec(`INSERT INTO scans VALUES (1,'v1-scan',1,2,'Example',1,'complete',1,1,0,1,1,1,'{"by_severity":{"high":1}}','[]');
		INSERT INTO vendors VALUES (1,'hubspot','HubSpot','crm',1,1,1);
		INSERT INTO scan_inventory VALUES (1,1,'unapproved',3,4,NULL);
		INSERT INTO findings VALUES (1,'fp1','unapproved','high','hubspot',1,1,0,'{"fingerprint":"fp1","rule_id":"unapproved"}');
		INSERT INTO scan_findings VALUES (1,1,'new');`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := mustOpen(t, dir)
	if v, _ := userVersion(ctx, s.db); v != SchemaVersion() {
		t.Fatalf("version after migration = %d, want %d", v, SchemaVersion())
	}
	b, err := s.Baseline(ctx)
	if err != nil || b == nil || b.Scan.ID != "v1-scan" || len(b.Findings) != 1 || b.Findings[0].Fingerprint != "fp1" {
		t.Fatalf("baseline from a migrated v1 database: %+v, %v", b, err)
	}
	tl, err := s.Vendor(ctx, "hubspot", time.Time{})
	if err != nil || len(tl.Scans) != 1 || tl.Scans[0].UserCount != 3 || tl.Scans[0].NewUsers != 0 {
		t.Fatalf("vendor from v1: %+v, %v", tl, err)
	}
	night(t, s, 1, []string{"hubspot"}, "unapproved:hubspot")
}

// TestCrashMidWriteLeavesAReadableDatabase kills a helper process that records scans in a loop, at a random
// point, and checks the database is intact and every stored scan is whole.
func TestCrashMidWriteLeavesAReadableDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a helper process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
	cmd.Env = append(os.Environ(), "SHADOWSCAN_STATE_HELPER="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until it has committed a few scans, then kill it mid-way through the next ones.
	buf := make([]byte, 64)
	total := 0
	for total < 3 {
		n, err := stdout.Read(buf)
		if err != nil {
			t.Fatalf("helper: %v", err)
		}
		total += strings.Count(string(buf[:n]), "\n")
	}
	time.Sleep(15 * time.Millisecond)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	s := mustOpen(t, dir) // the lock died with the process
	var check string
	if err := s.db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}
	var bad int
	if err := s.db.QueryRow(`SELECT count(*) FROM scans s WHERE vendors !=
		(SELECT count(*) FROM scan_inventory WHERE scan = s.id) OR findings != (SELECT count(*) FROM scan_findings WHERE scan = s.id)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Fatalf("%d scans stored only in part", bad)
	}
	h, _ := s.History(context.Background(), time.Time{})
	if len(h) < 3 {
		t.Fatalf("history after crash: %d scans, want at least the 3 committed", len(h))
	}
	night(t, s, 1000, []string{"v1"}, "r:v1")
}

// TestHelperWriter is the process TestCrashMidWriteLeavesAReadableDatabase kills.
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv("SHADOWSCAN_STATE_HELPER")
	if dir == "" {
		t.Skip("helper process only")
	}
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	vendors := make([]string, 400)
	for i := range vendors {
		vendors[i] = fmt.Sprintf("v%d", i)
	}
	for n := 1; ; n++ {
		base, err := s.Baseline(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fs := []string{}
		for i := 0; i < 200; i++ {
			fs = append(fs, fmt.Sprintf("r%d:v%d", n%3, i))
		}
		if err := s.Record(context.Background(), scan(n, base, vendors, fs...)); err != nil {
			t.Fatal(err)
		}
		fmt.Println(n)
	}
}
