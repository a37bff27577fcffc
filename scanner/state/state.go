// Package state keeps what shadowscan remembers between scans in an embedded SQLite database (pure Go, no cgo):
// each scan's summary, coverage, inventory and findings; when each vendor, user and finding was first seen; when
// a finding was resolved. The last complete scan is the automatic baseline of the next one.
//
// One scan writes at a time: Open takes an exclusive lock on the state folder and refuses a second writer with a
// clear message. Each scan is stored in one transaction, so a crash mid-write leaves the previous state intact.
// The schema is versioned (PRAGMA user_version) and migrated forward on open; a database written by a newer
// shadowscan is refused and left untouched.
package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the database file inside the state folder.
const FileName = "shadowscan.db"

// ErrLocked is returned when another shadowscan holds the state folder.
var ErrLocked = errors.New("state is locked by another running shadowscan")

// ErrNewerSchema is returned for a database written by a newer shadowscan.
var ErrNewerSchema = errors.New("state database was written by a newer shadowscan")

// Store is an open state database.
type Store struct {
	db     *sql.DB
	dir    string
	unlock func() error
}

// Open opens (creating if needed) the state in dir for a scan: it locks the folder against other writers and
// migrates the schema to the current version.
func Open(ctx context.Context, dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("state: no folder given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state %s: %w", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, dir, false)
	if err != nil {
		_ = unlock()
		return nil, err
	}
	s.unlock = unlock
	if err := migrate(ctx, s.db, len(migrations)); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("state %s: %w", s.path(), err)
	}
	return s, nil
}

// OpenReadOnly opens an existing state for reading (history, serve) without taking the writer's lock: readers
// see the last committed scan while a scan runs.
func OpenReadOnly(ctx context.Context, dir string) (*Store, error) {
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("state %s: no state database yet (run a scan with --state-dir %s first)", dir, dir)
		}
		return nil, fmt.Errorf("state %s: %w", dir, err)
	}
	s, err := open(ctx, dir, true)
	if err != nil {
		return nil, err
	}
	v, err := userVersion(ctx, s.db)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	if v < len(migrations) {
		_ = s.Close()
		return nil, fmt.Errorf("state %s: schema version %d is older than %d; run a scan with this shadowscan to migrate it", s.path(), v, len(migrations))
	}
	return s, nil
}

func open(ctx context.Context, dir string, readOnly bool) (*Store, error) {
	path := filepath.Join(dir, FileName)
	if !readOnly {
		// The database holds user e-mail addresses: create it private before SQLite does (the WAL and shm files
		// inherit its mode).
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("state %s: %w", path, err)
		}
		_ = f.Close()
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	if readOnly {
		dsn += "&mode=ro"
	} else {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	s := &Store{db: db, dir: dir}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	if _, err := userVersion(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("state %s: not a shadowscan state database: %w", path, err)
	}
	if v, _ := userVersion(ctx, db); v > len(migrations) {
		_ = db.Close()
		return nil, fmt.Errorf("state %s: %w (schema version %d; this shadowscan knows up to %d): upgrade shadowscan; the database was not changed",
			path, ErrNewerSchema, v, len(migrations))
	}
	return s, nil
}

func (s *Store) path() string { return filepath.Join(s.dir, FileName) }

// Close closes the database and releases the lock.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.unlock != nil {
		if uerr := s.unlock(); err == nil {
			err = uerr
		}
		s.unlock = nil
	}
	return err
}

// SchemaVersion is the schema version this shadowscan writes.
func SchemaVersion() int { return len(migrations) }

func userVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// ms and fromMS store times as Unix milliseconds (UTC); 0 is "unknown".
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
