package state

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] takes the schema from version i to i+1. Append only: a released migration never changes.
var migrations = []string{
	// 1: scans, vendors, findings and what each scan saw of them.
	`CREATE TABLE scans (
		id INTEGER PRIMARY KEY,
		scan_id TEXT NOT NULL UNIQUE,
		started_at INTEGER NOT NULL,
		finished_at INTEGER NOT NULL,
		organization TEXT NOT NULL,
		complete INTEGER NOT NULL,
		coverage_status TEXT NOT NULL,
		findings INTEGER NOT NULL,
		new_findings INTEGER NOT NULL,
		resolved_findings INTEGER NOT NULL,
		vendors INTEGER NOT NULL,
		martech_vendors INTEGER NOT NULL,
		unapproved_martech_vendors INTEGER NOT NULL,
		summary TEXT NOT NULL,
		coverage TEXT NOT NULL
	);
	CREATE INDEX scans_started ON scans(started_at);
	CREATE TABLE vendors (
		id INTEGER PRIMARY KEY,
		vendor_id TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		category TEXT NOT NULL,
		martech INTEGER NOT NULL,
		first_seen INTEGER NOT NULL,
		last_seen INTEGER NOT NULL
	);
	CREATE TABLE scan_inventory (
		scan INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
		vendor INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
		approval TEXT NOT NULL,
		user_count INTEGER NOT NULL,
		records INTEGER NOT NULL,
		monthly_spend TEXT,
		PRIMARY KEY (scan, vendor)
	) WITHOUT ROWID;
	CREATE INDEX scan_inventory_vendor ON scan_inventory(vendor, scan);
	CREATE TABLE findings (
		id INTEGER PRIMARY KEY,
		fingerprint TEXT NOT NULL UNIQUE,
		rule_id TEXT NOT NULL,
		severity TEXT NOT NULL,
		vendor_id TEXT NOT NULL,
		first_seen INTEGER NOT NULL,
		last_seen INTEGER NOT NULL,
		resolved_at INTEGER NOT NULL DEFAULT 0,
		data TEXT NOT NULL
	);
	CREATE TABLE scan_findings (
		scan INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
		finding INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
		status TEXT NOT NULL,
		PRIMARY KEY (scan, finding)
	) WITHOUT ROWID;
	CREATE INDEX scan_findings_finding ON scan_findings(finding);`,

	// 2: users per vendor, so first_seen of a user spans all scans; new users per scan in the inventory.
	`CREATE TABLE vendor_users (
		vendor INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
		user TEXT NOT NULL,
		first_seen INTEGER NOT NULL,
		PRIMARY KEY (vendor, user)
	) WITHOUT ROWID;
	ALTER TABLE scan_inventory ADD COLUMN new_users INTEGER NOT NULL DEFAULT 0;`,

	// 3: the last scan's whole report, so check and serve find it through the state folder.
	`CREATE TABLE last_report (
		slot INTEGER PRIMARY KEY CHECK (slot = 1),
		scan_id TEXT NOT NULL,
		finished_at INTEGER NOT NULL,
		data TEXT NOT NULL
	);`,
}

// migrate brings the schema up to version target, each step in its own transaction with the version bump, so an
// interrupted migration leaves the previous version intact.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	for {
		v, err := userVersion(ctx, db)
		if err != nil {
			return err
		}
		if v >= target {
			return nil
		}
		if err := step(ctx, db, v); err != nil {
			return fmt.Errorf("migrating schema %d → %d: %w", v, v+1, err)
		}
	}
}

func step(ctx context.Context, db *sql.DB, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return err
	}
	// PRAGMA takes no parameters; v+1 is an int we control.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return err
	}
	return tx.Commit()
}
