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

// Record stores one scan in a single transaction and annotates rep with what only the state knows: the first
// time each vendor and finding was seen across all scans, and for resolved findings when they were last seen and
// resolved. Call it before writing the report.
func (s *Store) Record(ctx context.Context, rep *scanner.Report) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if err := record(ctx, tx, rep); err != nil {
		return fmt.Errorf("state %s: recording scan %s: %w", s.path(), rep.Scan.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state %s: %w", s.path(), err)
	}
	return nil
}

func record(ctx context.Context, tx *sql.Tx, rep *scanner.Report) error {
	seen := rep.Scan.StartedAt.UTC()
	complete, status := coverageStatus(rep.Coverage)
	summary, err := json.Marshal(rep.Summary)
	if err != nil {
		return err
	}
	coverage, err := json.Marshal(rep.Coverage)
	if err != nil {
		return err
	}
	var scanRow int64
	err = tx.QueryRowContext(ctx, `INSERT INTO scans (scan_id, started_at, finished_at, organization, complete,
		coverage_status, findings, new_findings, resolved_findings, vendors, martech_vendors, unapproved_martech_vendors,
		summary, coverage) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		rep.Scan.ID, ms(rep.Scan.StartedAt), ms(rep.Scan.FinishedAt), rep.Scan.Organization, complete, status,
		rep.Summary.Findings, rep.Summary.NewFindings, len(rep.Resolved), rep.Summary.Vendors, rep.Summary.MartechVendors,
		rep.Summary.UnapprovedMartechVendors, string(summary), string(coverage)).Scan(&scanRow)
	if err != nil {
		return fmt.Errorf("scan row: %w", err)
	}

	vendorStmt, err := tx.PrepareContext(ctx, `INSERT INTO vendors (vendor_id, name, category, martech, first_seen, last_seen)
		VALUES (?,?,?,?,?,?) ON CONFLICT (vendor_id) DO UPDATE SET name = excluded.name, category = excluded.category,
		martech = excluded.martech, first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
		RETURNING id, first_seen`)
	if err != nil {
		return err
	}
	defer vendorStmt.Close()
	userStmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO vendor_users (vendor, user, first_seen) VALUES (?,?,?)`)
	if err != nil {
		return err
	}
	defer userStmt.Close()
	invStmt, err := tx.PrepareContext(ctx, `INSERT INTO scan_inventory (scan, vendor, approval, user_count, records,
		monthly_spend, new_users) VALUES (?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer invStmt.Close()
	for i := range rep.Inventory {
		it := &rep.Inventory[i]
		first := seen
		if !it.FirstSeen.IsZero() && it.FirstSeen.Before(first) {
			first = it.FirstSeen
		}
		var id, firstMS int64
		if err := vendorStmt.QueryRowContext(ctx, it.Vendor.ID, it.Vendor.Name, it.Vendor.Category, it.Vendor.Martech,
			ms(first), ms(seen)).Scan(&id, &firstMS); err != nil {
			return fmt.Errorf("vendor %s: %w", it.Vendor.ID, err)
		}
		it.FirstSeen = fromMS(firstMS)
		newUsers := 0
		for _, u := range it.Users {
			res, err := userStmt.ExecContext(ctx, id, u, ms(seen))
			if err != nil {
				return fmt.Errorf("vendor %s user: %w", it.Vendor.ID, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				newUsers++
			}
		}
		var spend any // NULL when the vendor has no spend
		if len(it.MonthlySpend) > 0 {
			b, _ := json.Marshal(it.MonthlySpend)
			spend = string(b)
		}
		if _, err := invStmt.ExecContext(ctx, scanRow, id, it.Approval, it.UserCount, it.Records, spend, newUsers); err != nil {
			return fmt.Errorf("inventory %s: %w", it.Vendor.ID, err)
		}
	}

	findStmt, err := tx.PrepareContext(ctx, `INSERT INTO findings (fingerprint, rule_id, severity, vendor_id, first_seen,
		last_seen, resolved_at, data) VALUES (?,?,?,?,?,?,0,?) ON CONFLICT (fingerprint) DO UPDATE SET
		rule_id = excluded.rule_id, severity = excluded.severity, vendor_id = excluded.vendor_id,
		last_seen = max(last_seen, excluded.last_seen), resolved_at = 0, data = excluded.data RETURNING id, first_seen`)
	if err != nil {
		return err
	}
	defer findStmt.Close()
	sfStmt, err := tx.PrepareContext(ctx, `INSERT INTO scan_findings (scan, finding, status) VALUES (?,?,?)`)
	if err != nil {
		return err
	}
	defer sfStmt.Close()
	for i := range rep.Findings {
		f := &rep.Findings[i]
		data, err := json.Marshal(storedFinding(*f))
		if err != nil {
			return err
		}
		vendor := ""
		if f.Vendor != nil {
			vendor = f.Vendor.ID
		}
		var id, firstMS int64
		if err := findStmt.QueryRowContext(ctx, f.Fingerprint, f.RuleID, f.Severity, vendor, ms(seen), ms(seen),
			string(data)).Scan(&id, &firstMS); err != nil {
			return fmt.Errorf("finding %s: %w", f.Fingerprint, err)
		}
		f.FirstSeen = fromMS(firstMS)
		if _, err := sfStmt.ExecContext(ctx, scanRow, id, f.Status); err != nil {
			return fmt.Errorf("finding %s: %w", f.Fingerprint, err)
		}
	}

	resStmt, err := tx.PrepareContext(ctx, `UPDATE findings SET resolved_at = ? WHERE fingerprint = ?
		RETURNING first_seen, last_seen`)
	if err != nil {
		return err
	}
	defer resStmt.Close()
	for i := range rep.Resolved {
		f := &rep.Resolved[i]
		var firstMS, lastMS int64
		err := resStmt.QueryRowContext(ctx, ms(seen), f.Fingerprint).Scan(&firstMS, &lastMS)
		if errors.Is(err, sql.ErrNoRows) {
			continue // the baseline came from a file, not from this state
		}
		if err != nil {
			return fmt.Errorf("resolved %s: %w", f.Fingerprint, err)
		}
		f.FirstSeen, f.LastSeen, f.ResolvedAt = fromMS(firstMS), fromMS(lastMS), seen
	}
	// Unconfirmed findings (a provider of their evidence did not complete) stay open: nothing is written, but the
	// report says when each was first and last seen.
	for i := range rep.Unconfirmed {
		f := &rep.Unconfirmed[i]
		var firstMS, lastMS int64
		err := tx.QueryRowContext(ctx, `SELECT first_seen, last_seen FROM findings WHERE fingerprint = ?`, f.Fingerprint).
			Scan(&firstMS, &lastMS)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("unconfirmed %s: %w", f.Fingerprint, err)
		}
		f.FirstSeen, f.LastSeen, f.ResolvedAt = fromMS(firstMS), fromMS(lastMS), time.Time{}
	}
	return saveLastReport(ctx, tx, rep)
}

// saveLastReport keeps the report of the latest scan (the whole-organisation one: a shard report is not what
// check should answer from), replacing the one before.
func saveLastReport(ctx context.Context, tx *sql.Tx, rep *scanner.Report) error {
	if rep.Shard != nil {
		return nil
	}
	data, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO last_report (slot, scan_id, finished_at, data) VALUES (1,?,?,?)
		ON CONFLICT (slot) DO UPDATE SET scan_id = excluded.scan_id, finished_at = excluded.finished_at,
		data = excluded.data WHERE excluded.finished_at >= last_report.finished_at`,
		rep.Scan.ID, ms(rep.Scan.FinishedAt), string(data))
	if err != nil {
		return fmt.Errorf("last report: %w", err)
	}
	return nil
}

// LastReport returns the report of the latest scan stored, or nil when the state holds none yet (no scan since
// the state had this schema). The report is validated as a report file would be.
func (s *Store) LastReport(ctx context.Context) (*scanner.Report, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM last_report WHERE slot = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state %s: last report: %w", s.path(), err)
	}
	var rep scanner.Report
	if err := json.Unmarshal([]byte(data), &rep); err != nil {
		return nil, fmt.Errorf("state %s: last report: %w", s.path(), err)
	}
	if err := scanner.ValidateReport(&rep); err != nil {
		return nil, fmt.Errorf("state %s: last report: %w", s.path(), err)
	}
	return &rep, nil
}

// storedFinding is what the state keeps of a finding: the finding as reported, without the lifecycle fields
// that belong to one scan.
func storedFinding(f scanner.Finding) scanner.Finding {
	f.Status = ""
	f.FirstSeen, f.LastSeen, f.ResolvedAt = time.Time{}, time.Time{}, time.Time{}
	return f
}

// coverageStatus is complete only when every provider was; else the worst status seen.
func coverageStatus(cov []scanner.Coverage) (bool, string) {
	status := scanner.CoverageComplete
	for _, c := range cov {
		switch c.Status {
		case scanner.CoverageFailed:
			status = scanner.CoverageFailed
		case scanner.CoveragePartial:
			if status == scanner.CoverageComplete {
				status = scanner.CoveragePartial
			}
		}
	}
	return status == scanner.CoverageComplete, status
}

// Baseline returns the last complete scan as a report holding its findings, or nil when there is none yet.
func (s *Store) Baseline(ctx context.Context) (*scanner.Report, error) {
	var row int64
	rep := &scanner.Report{SchemaVersion: scanner.SchemaVersion}
	var started, finished int64
	err := s.db.QueryRowContext(ctx, `SELECT id, scan_id, started_at, finished_at, organization FROM scans
		WHERE complete = 1 ORDER BY started_at DESC, id DESC LIMIT 1`).Scan(&row, &rep.Scan.ID, &started, &finished, &rep.Scan.Organization)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state %s: baseline: %w", s.path(), err)
	}
	rep.Scan.StartedAt, rep.Scan.FinishedAt = fromMS(started), fromMS(finished)
	rows, err := s.db.QueryContext(ctx, `SELECT f.data, sf.status FROM scan_findings sf JOIN findings f ON f.id = sf.finding
		WHERE sf.scan = ? ORDER BY f.fingerprint`, row)
	if err != nil {
		return nil, fmt.Errorf("state %s: baseline: %w", s.path(), err)
	}
	defer rows.Close()
	rep.Findings = []scanner.Finding{}
	for rows.Next() {
		var data, status string
		if err := rows.Scan(&data, &status); err != nil {
			return nil, err
		}
		var f scanner.Finding
		if err := json.Unmarshal([]byte(data), &f); err != nil {
			return nil, fmt.Errorf("state %s: baseline finding: %w", s.path(), err)
		}
		f.Status = status
		rep.Findings = append(rep.Findings, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state %s: baseline: %w", s.path(), err)
	}
	scanner.SortFindings(rep.Findings)
	return rep, nil
}

// Prune deletes scans that finished before now-keep, and vendors, users and findings seen only in them. The last
// complete scan is always kept: it is the next baseline. keep <= 0 keeps everything.
func (s *Store) Prune(ctx context.Context, keep time.Duration, now time.Time) (int, error) {
	if keep <= 0 {
		return 0, nil
	}
	cutoff := ms(now.Add(-keep))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	res, err := tx.ExecContext(ctx, `DELETE FROM scans WHERE finished_at < ? AND id IS NOT
		(SELECT id FROM scans WHERE complete = 1 ORDER BY started_at DESC, id DESC LIMIT 1)`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("state %s: pruning scans: %w", s.path(), err)
	}
	n, _ := res.RowsAffected()
	for _, q := range []string{
		`DELETE FROM findings WHERE last_seen < ? AND NOT EXISTS (SELECT 1 FROM scan_findings WHERE finding = findings.id)`,
		`DELETE FROM vendors WHERE last_seen < ? AND NOT EXISTS (SELECT 1 FROM scan_inventory WHERE vendor = vendors.id)`,
	} {
		if _, err := tx.ExecContext(ctx, q, cutoff); err != nil {
			return 0, fmt.Errorf("state %s: pruning: %w", s.path(), err)
		}
	}
	return int(n), tx.Commit()
}
