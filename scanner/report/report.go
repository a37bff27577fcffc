// Package report writes a scanner.Report in the formats shadowscan offers. Every writer takes an io.Writer and
// neutralises untrusted strings for its medium (terminal escapes, spreadsheet formulas, Markdown and HTML).
package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/shadowscan/shadowscan/scanner"
)

// Writer writes one report.
type Writer interface {
	Write(ctx context.Context, w io.Writer, rep *scanner.Report) error
}

// Options adjust human-facing writers.
type Options struct {
	Color bool // ANSI colour in the table (only on a terminal, never with NO_COLOR)
	Width int  // table width: the terminal's; default 100
	// CategoryName turns a catalogue category ID into its display name ("advertising_promotion" → "Advertising &
	// promotion"); nil or "" keeps the ID.
	CategoryName func(id string) string
}

// DefaultWidth is the table width when the output is not a terminal.
const DefaultWidth = 100

// Formats lists the formats New accepts.
var Formats = []string{"table", "json", "ndjson", "csv", "markdown"}

// New returns the writer of a format.
func New(format string, opts Options) (Writer, error) {
	if opts.Width <= 0 {
		opts.Width = DefaultWidth
	}
	switch format {
	case "table":
		return &Table{opts: opts}, nil
	case "json":
		return JSON{}, nil
	case "ndjson":
		return NDJSON{}, nil
	case "csv":
		return CSV{}, nil
	case "markdown":
		return Markdown{}, nil
	}
	return nil, fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
}

// WriteFile writes the report to path atomically: into a temporary file in the same folder, synced, then renamed
// over path, so a crash mid-write never leaves a half-written report.
func WriteFile(ctx context.Context, path string, w Writer, rep *scanner.Report) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := w.Write(ctx, tmp, rep); err != nil {
		tmp.Close()
		return fmt.Errorf("writing report: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// CheckWritable fails early when path cannot be written, before any scanning starts.
func CheckWritable(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("output %s is a directory", path)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".probe-*")
	if err != nil {
		return fmt.Errorf("output %s is not writable: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
