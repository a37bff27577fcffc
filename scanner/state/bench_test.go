package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// tenant is a 5,000-vendor tenant: a few users per vendor, spend on a third, a finding on every tenth; each
// night a few vendors come and go so that first_seen, new and resolved all move.
func tenantScan(night int, baseline *scanner.Report) *scanner.Report {
	const vendors = 5000
	start := t0.Add(time.Duration(night) * 24 * time.Hour)
	rep := &scanner.Report{SchemaVersion: scanner.SchemaVersion,
		Scan:     scanner.ScanInfo{ID: fmt.Sprintf("night-%03d", night), StartedAt: start, FinishedAt: start.Add(20 * time.Minute), Organization: "Big"},
		Coverage: []scanner.Coverage{{Provider: "p", Type: "google_workspace", Status: scanner.CoverageComplete}}}
	lc := newLifecycle(baseline)
	for i := 0; i < vendors; i++ {
		id := fmt.Sprintf("vendor-%05d", (i+night*3)%(vendors+1000))
		it := scanner.InventoryItem{Vendor: scanner.Vendor{ID: id, Name: "Vendor " + id, Category: "data", Martech: i%2 == 0},
			Approval: scanner.ApprovalUnapproved, Records: 4, UserCount: 3,
			Users: []string{fmt.Sprintf("u%d@big.example", i%997), fmt.Sprintf("u%d@big.example", (i+night)%997), fmt.Sprintf("u%d@big.example", i%13)}}
		if i%3 == 0 {
			it.MonthlySpend = map[string]float64{"USD": float64(i%200) + 9.99}
		}
		rep.Inventory = append(rep.Inventory, it)
		if i%10 == 0 {
			f := scanner.Finding{Fingerprint: scanner.Fingerprint("unapproved-martech", id), RuleID: "unapproved-martech",
				Title: "Unapproved martech vendor in use", Severity: scanner.SeverityHigh, Status: scanner.StatusNew,
				Vendor: &it.Vendor, Message: id + " is used by 3 people and was never approved.", Remediation: "Request approval.",
				Evidence: []scanner.Evidence{{Provider: "p", Kind: "oauth_grant", ID: "g-" + id, Summary: "3 grants"}}, EvidenceCount: 3}
			lc.add(rep, f)
		}
	}
	lc.resolve(rep)
	rep.Summary.Findings, rep.Summary.Vendors = len(rep.Findings), vendors
	rep.Summary.BySeverity = map[string]int{"high": len(rep.Findings)}
	rep.Summary.UnapprovedMonthlySpend = map[string]float64{"USD": 12345.67}
	return rep
}

// BenchmarkYearOfNightlyScans stores 365 nightly scans of a 5,000-vendor tenant (as a nightly job does: baseline,
// record, prune at 90 days would keep fewer; this keeps all), then reports the database size and times history.
// Run: go test ./scanner/state -run '^$' -bench YearOfNightlyScans -benchtime 1x -timeout 60m
// (SHADOWSCAN_BENCH_NIGHTS=N stores N nights instead of 365).
func BenchmarkYearOfNightlyScans(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	nights := 365
	if v, err := strconv.Atoi(os.Getenv("SHADOWSCAN_BENCH_NIGHTS")); err == nil && v > 0 {
		nights = v // a shorter run on a busy machine; size and time per scan scale linearly
	}
	begin := time.Now()
	for n := 1; n <= nights; n++ {
		base, err := s.Baseline(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Record(ctx, tenantScan(n, base)); err != nil {
			b.Fatal(err)
		}
	}
	recordTook := time.Since(begin)
	if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		h, err := s.History(ctx, time.Time{})
		if err != nil || len(h) != nights {
			b.Fatalf("history: %d scans, %v", len(h), err)
		}
		if _, err := s.Vendor(ctx, "vendor-00100", time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "db_MiB")
	b.ReportMetric(float64(recordTook.Milliseconds())/float64(nights), "record_ms/scan")
}
