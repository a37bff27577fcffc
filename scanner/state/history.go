package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shadowscan/shadowscan/scanner"
)

// Scan is one stored scan's headline numbers.
type Scan struct {
	ScanID                   string             `json:"scan_id"`
	StartedAt                time.Time          `json:"started_at"`
	FinishedAt               time.Time          `json:"finished_at"`
	Coverage                 string             `json:"coverage"` // complete, partial or failed: the worst provider
	Vendors                  int                `json:"vendors"`
	MartechVendors           int                `json:"martech_vendors"`
	UnapprovedMartechVendors int                `json:"unapproved_martech_vendors"`
	Findings                 int                `json:"findings"`
	NewFindings              int                `json:"new_findings"`
	ResolvedFindings         int                `json:"resolved_findings"`
	BySeverity               map[string]int     `json:"by_severity"`
	UnapprovedMonthlySpend   map[string]float64 `json:"unapproved_monthly_spend"`
}

// History lists the scans started at or after since, oldest first.
func (s *Store) History(ctx context.Context, since time.Time) ([]Scan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scan_id, started_at, finished_at, coverage_status, vendors, martech_vendors,
		unapproved_martech_vendors, findings, new_findings, resolved_findings, summary FROM scans
		WHERE started_at >= ? ORDER BY started_at, id`, ms(since))
	if err != nil {
		return nil, fmt.Errorf("state %s: history: %w", s.path(), err)
	}
	defer rows.Close()
	out := []Scan{}
	for rows.Next() {
		var sc Scan
		var started, finished int64
		var summary string
		if err := rows.Scan(&sc.ScanID, &started, &finished, &sc.Coverage, &sc.Vendors, &sc.MartechVendors,
			&sc.UnapprovedMartechVendors, &sc.Findings, &sc.NewFindings, &sc.ResolvedFindings, &summary); err != nil {
			return nil, err
		}
		sc.StartedAt, sc.FinishedAt = fromMS(started), fromMS(finished)
		var sum scanner.Summary
		if err := json.Unmarshal([]byte(summary), &sum); err != nil {
			return nil, fmt.Errorf("state %s: scan %s summary: %w", s.path(), sc.ScanID, err)
		}
		sc.BySeverity, sc.UnapprovedMonthlySpend = sum.BySeverity, sum.UnapprovedMonthlySpend
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Trend returns the last n scans' headline numbers, oldest first, for the report and the serve page.
func (s *Store) Trend(ctx context.Context, n int) ([]scanner.TrendPoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scan_id, started_at, complete, findings, new_findings, resolved_findings,
		unapproved_martech_vendors, summary FROM (SELECT * FROM scans ORDER BY started_at DESC, id DESC LIMIT ?)
		ORDER BY started_at, id`, n)
	if err != nil {
		return nil, fmt.Errorf("state %s: trend: %w", s.path(), err)
	}
	defer rows.Close()
	out := []scanner.TrendPoint{}
	for rows.Next() {
		var p scanner.TrendPoint
		var started int64
		var summary string
		if err := rows.Scan(&p.ScanID, &started, &p.Complete, &p.Findings, &p.NewFindings, &p.ResolvedFindings,
			&p.UnapprovedMartechVendors, &summary); err != nil {
			return nil, err
		}
		p.StartedAt = fromMS(started)
		var sum scanner.Summary
		if err := json.Unmarshal([]byte(summary), &sum); err != nil {
			return nil, fmt.Errorf("state %s: scan %s summary: %w", s.path(), p.ScanID, err)
		}
		p.UnapprovedMonthlySpend = sum.UnapprovedMonthlySpend
		out = append(out, p)
	}
	return out, rows.Err()
}

// VendorPoint is one scan's view of one vendor.
type VendorPoint struct {
	ScanID       string             `json:"scan_id"`
	StartedAt    time.Time          `json:"started_at"`
	Seen         bool               `json:"seen"` // false: the scan ran but did not see the vendor
	Approval     string             `json:"approval,omitempty"`
	UserCount    int                `json:"user_count"`
	NewUsers     int                `json:"new_users"`
	Records      int                `json:"records"`
	MonthlySpend map[string]float64 `json:"monthly_spend,omitempty"`
	Findings     int                `json:"findings"`
}

// VendorTimeline is one vendor across the stored scans.
type VendorTimeline struct {
	Vendor    scanner.Vendor `json:"vendor"`
	FirstSeen time.Time      `json:"first_seen"`
	LastSeen  time.Time      `json:"last_seen"`
	Users     int            `json:"users"` // distinct users ever seen
	Scans     []VendorPoint  `json:"scans"`
}

// ErrUnknownVendor is returned by Vendor for a vendor no stored scan has seen.
var ErrUnknownVendor = errors.New("no stored scan has seen this vendor")

// Vendor returns one vendor's timeline over the scans started at or after since.
func (s *Store) Vendor(ctx context.Context, vendorID string, since time.Time) (*VendorTimeline, error) {
	var tl VendorTimeline
	var row, first, last int64
	err := s.db.QueryRowContext(ctx, `SELECT id, vendor_id, name, category, martech, first_seen, last_seen,
		(SELECT count(*) FROM vendor_users WHERE vendor = vendors.id) FROM vendors WHERE vendor_id = ?`, vendorID).
		Scan(&row, &tl.Vendor.ID, &tl.Vendor.Name, &tl.Vendor.Category, &tl.Vendor.Martech, &first, &last, &tl.Users)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("vendor %q: %w", vendorID, ErrUnknownVendor)
	}
	if err != nil {
		return nil, fmt.Errorf("state %s: vendor: %w", s.path(), err)
	}
	tl.FirstSeen, tl.LastSeen = fromMS(first), fromMS(last)
	rows, err := s.db.QueryContext(ctx, `SELECT s.scan_id, s.started_at, i.approval IS NOT NULL, coalesce(i.approval, ''),
		coalesce(i.user_count, 0), coalesce(i.new_users, 0), coalesce(i.records, 0), i.monthly_spend,
		(SELECT count(*) FROM scan_findings sf JOIN findings f ON f.id = sf.finding WHERE sf.scan = s.id AND f.vendor_id = ?)
		FROM scans s LEFT JOIN scan_inventory i ON i.scan = s.id AND i.vendor = ?
		WHERE s.started_at >= ? ORDER BY s.started_at, s.id`, vendorID, row, ms(since))
	if err != nil {
		return nil, fmt.Errorf("state %s: vendor: %w", s.path(), err)
	}
	defer rows.Close()
	tl.Scans = []VendorPoint{}
	for rows.Next() {
		var p VendorPoint
		var started int64
		var spend sql.NullString
		if err := rows.Scan(&p.ScanID, &started, &p.Seen, &p.Approval, &p.UserCount, &p.NewUsers, &p.Records, &spend,
			&p.Findings); err != nil {
			return nil, err
		}
		p.StartedAt = fromMS(started)
		if spend.Valid {
			if err := json.Unmarshal([]byte(spend.String), &p.MonthlySpend); err != nil {
				return nil, fmt.Errorf("state %s: spend: %w", s.path(), err)
			}
		}
		tl.Scans = append(tl.Scans, p)
	}
	return &tl, rows.Err()
}
